"""Read a pre-2003 plain-text Form 3, 4 or 5 wrapped in an EDGAR SGML submission.

The SEC header supplies what the typed form lacks (accession, dates, the issuer's and
owners' CIKs, ``<RELATIONSHIP>`` lines); the form itself supplies the ticker, the boxes
ticked as ``(X)``, the two typed tables (``|``-separated, values wrapped over several
lines), footnotes and the signature. What it does not state stays ``None``.

>>> filing = parse_text(open("0001094891-00-000193.txt").read(), "x.txt")  # doctest: +SKIP
>>> filing.issuer.cik, filing.reporting_owners[0].cik  # doctest: +SKIP
('0000911787', '0001050609')
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

from insidergraph.errors import ParseError, shown
from insidergraph.loaders import bounds
from insidergraph.loaders.rendered_form import (
    assign_title,
    build_owner,
    collapse,
    parse_date,
    parse_decimal,
    split_notes,
)
from insidergraph.loaders.signatures import parse_signature
from insidergraph.model import (
    Address,
    DerivativeRow,
    Filing,
    Issuer,
    NonDerivativeRow,
    Relationship,
    ReportingOwner,
    RowType,
    Source,
)

#: Columns of the typed tables of the 1990s forms (no deemed-execution date yet).
_TABLE_I = ("security_title", "transaction_date", "transaction_code", "V", "shares",
            "acquired_disposed", "price_per_share", "shares_owned_following", "direct_indirect",
            "nature_of_ownership")
_TABLE_II = ("security_title", "exercise_price", "transaction_date", "transaction_code", "V",
             "shares", "acquired_disposed", "exercisable_date", "expiration_date",
             "underlying_title", "underlying_shares", "price_per_share", "shares_owned_following",
             "direct_indirect", "nature_of_ownership")
_TABLE_I_FORM3 = ("security_title", "shares_owned_following", "direct_indirect",
                  "nature_of_ownership")
_TABLE_II_FORM3 = ("security_title", "exercisable_date", "expiration_date", "underlying_title",
                   "underlying_shares", "exercise_price", "direct_indirect", "nature_of_ownership")
_DATES = {"transaction_date", "exercisable_date", "expiration_date"}
_DECIMALS = {"shares", "price_per_share", "shares_owned_following", "exercise_price",
             "underlying_shares"}
_RULE = re.compile(r"^[\s_\-|]*$")
_HEADER_RELATIONSHIP = {
    "DIRECTOR": "is_director", "OFFICER": "is_officer", "10 PERCENT OWNER": "is_ten_percent_owner",
    "10% OWNER": "is_ten_percent_owner", "OTHER": "is_other",
}
_AnyRow = TypeVar("_AnyRow", NonDerivativeRow, DerivativeRow)
_BODY_RELATIONSHIP = {
    "Director": "is_director", "10% Owner": "is_ten_percent_owner",
    "Officer": "is_officer", "Other": "is_other",
}


def _field(block: str, label: str) -> str | None:
    m = re.search(rf"^\s*{re.escape(label)}:[ \t]*(\S.*?)\s*$", block, re.MULTILINE)
    return m.group(1) if m else None


def _line_of(text: str, value: str) -> int | None:
    """The line of the first ``value`` in ``text``, for error messages about a header field."""
    at = text.find(value)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def _ymd(text: str | None, label: str, whole: str, path: str) -> date | None:
    if not text or not re.fullmatch(r"\d{8}", text):
        return None
    try:
        return bounds.checked_date(date(int(text[:4]), int(text[4:6]), int(text[6:])))
    except bounds.OutOfBounds as err:
        raise ParseError(path, f"{label}: {err}", _line_of(whole, text)) from None
    except ValueError:
        raise ParseError(path, f"{label}: no such date: {text!r}", _line_of(whole, text)) from None


def _cik(text: str | None, whole: str, path: str) -> str | None:
    if text is None:
        return None
    try:
        return bounds.cik(text)
    except bounds.OutOfBounds as err:
        raise ParseError(path, f"CENTRAL INDEX KEY: {err}", _line_of(whole, text)) from None


def _accession(text: str | None, whole: str, path: str) -> str | None:
    if text is not None and not re.fullmatch(r"\d{10}-\d{2}-\d{6}", text):
        raise ParseError(path, f"ACCESSION NUMBER: not an accession number (0000000000-00-000000): "
                               f"{shown(text)}", _line_of(whole, text))
    return text


def _header_address(block: str) -> Address | None:
    m = re.search(r"BUSINESS ADDRESS:(.*?)(?:\n\s*\n|\Z)", block, re.DOTALL)
    if not m:
        return None
    part = m.group(1)
    address = Address(street1=_field(part, "STREET 1"), street2=_field(part, "STREET 2"),
                      city=_field(part, "CITY"), state=_field(part, "STATE"), zip_code=_field(part, "ZIP"))
    return address if any((address.street1, address.city, address.zip_code)) else None


def _box(lines: list[str], number: str, label: str) -> list[str]:
    """The value lines of a numbered box: those after its label, up to the next box."""
    start = next((i for i, line in enumerate(lines)
                  if re.match(rf"\s*{number}\.\s*{re.escape(label)}", line)), None)
    if start is None:
        return []
    out: list[str] = []
    for line in lines[start + 1:]:
        if re.match(r"\s*\d{1,2}\.\s+\S", line) or line.strip().startswith("<TABLE>"):
            break
        out.append(line.strip())
    return out


def _records(lines: list[tuple[int, str]]) -> list[tuple[list[str], int]]:
    """Rows of a typed table: runs of ``|`` lines between rules, wrapped cells joined."""
    records: list[tuple[list[str], int]] = []
    current: list[str] = []
    widths: list[int] = []
    start = 0
    for number, line in lines:
        if _RULE.match(line) or "|" not in line:
            if current and any(c.strip() for c in current):
                records.append(([collapse(c) for c in current], start))
            current, widths = [], []
            continue
        raw = line.rstrip().rstrip("|").split("|")
        if not current:
            current, widths, start = raw, [len(c) for c in raw], number
            continue
        for i, piece in enumerate(raw):
            if i >= len(current):
                current.append(piece)
                widths.append(len(piece))
                continue
            # A value cut at the column's edge continues without a space ("Co" + "mmon").
            joiner = "" if len(current[i]) >= widths[i] and current[i][-1:].strip() else " "
            current[i] = (current[i].rstrip() + joiner + piece.strip()) if piece.strip() else current[i]
    if current and any(c.strip() for c in current):
        records.append(([collapse(c) for c in current], start))
    return records


def _table_rows(body: list[tuple[int, str]], caption: str) -> list[tuple[list[str], int]] | None:
    """Records of the table whose caption starts with ``caption``; None if it is missing."""
    at = next((i for i, (_, line) in enumerate(body) if line.strip().startswith(caption)), None)
    if at is None:
        return None
    s_line = next((i for i in range(at, len(body)) if body[i][1].lstrip().startswith("<S>")), None)
    if s_line is None:
        return None
    end = next((i for i in range(s_line + 1, len(body))
                if body[i][1].strip().startswith(("<CAPTION>", "</TABLE>"))), len(body))
    return _records(body[s_line + 1:end])


def _amount(shares: str, code: str) -> tuple[str, str | None]:
    """Old forms pair "12,000 -" with "A,D": the filled half says acquired or disposed."""
    codes = [c.strip().upper() for c in re.split(r"[,/]", code) if c.strip()]
    amounts = shares.split()
    if len(codes) == 2 and len(amounts) == 2:
        filled = [(a, c) for a, c in zip(amounts, codes) if a not in {"-", "--"}]
        if len(filled) == 1:
            return filled[0][0], filled[0][1]
    return shares, (codes[0] if len(codes) == 1 else None)


def _row(cells: list[str], layout: tuple[str, ...], path: str, line: int, table: str
         ) -> tuple[dict[str, Any], dict[str, tuple[str, ...]]]:
    if len(cells) != len(layout):
        raise ParseError(path, f"{table} row has {len(cells)} columns, expected {len(layout)}", line)
    values: dict[str, Any] = {}
    notes: dict[str, tuple[str, ...]] = {}
    split = {key: split_notes(cell) for key, cell in zip(layout, cells)}
    if "shares" in split and "acquired_disposed" in split:
        amount, code = _amount(split["shares"][0], split["acquired_disposed"][0])
        split["shares"] = (amount, split["shares"][1])
        split["acquired_disposed"] = (code or "", split["acquired_disposed"][1])
    for key, (text, marks) in split.items():
        fname = "transaction_timeliness" if key == "V" else key
        text = "" if text in {"-", "--"} else text
        if key == "V":
            values[fname] = "E" if text.upper() == "V" else (text or None)
        elif key in _DATES:
            values[fname] = parse_date(text, path, fname, line)
        elif key in _DECIMALS:
            values[fname] = parse_decimal(text, path, fname, line)
        else:
            values[fname] = text or None
        if marks:
            notes[fname] = marks
    return values, notes


def _signature(body: list[str], path: str) -> list[tuple[str, date | None]]:
    at = next((i for i, line in enumerate(body) if "SIGNATURE OF REPORTING PERSON" in line.upper()), None)
    if at is None:
        return []
    name: list[str] = []
    when: date | None = None
    i = at + 1
    while i < len(body) and body[i].strip().upper() != "DATE":
        if body[i].strip():
            name.append(body[i].strip())
        i += 1
    for line in body[i + 1:]:
        text = collapse(line.replace(",", ", "))
        if not text or text.startswith("<"):
            continue
        for fmt in ("%B %d, %Y", "%b %d, %Y", "%m/%d/%Y", "%m/%d/%y"):
            try:
                when = datetime.strptime(text, fmt).date()
                if not bounds.MIN_YEAR <= when.year <= bounds.MAX_YEAR:
                    raise ParseError(path, f"signature date out of range (years {bounds.MIN_YEAR} to "
                                           f"{bounds.MAX_YEAR}): {shown(line.strip())}")
                break
            except ValueError:
                continue
        else:
            raise ParseError(path, f"signature date not understood: {shown(line.strip())}")
        break
    text = collapse(" ".join(name))
    return [(text, when)] if text else []


class _Sections(NamedTuple):
    """The parts of a submission the form is read from."""

    header: str  # the SEC header's text
    body: str  # the text of the typed form
    body_lines: list[str]
    numbered: list[tuple[int, str]]  # the form's lines with their line numbers in the file


def _sections(text: str, path: str) -> _Sections:
    """The SEC header and the typed form (``<TEXT>``) of a submission; both must be there."""
    header_m = re.search(r"<SEC-HEADER>(.*?)</SEC-HEADER>", text, re.DOTALL)
    body_m = re.search(r"<TEXT>(.*?)</TEXT>", text, re.DOTALL)
    if not header_m or not body_m:
        raise ParseError(path, "not a complete SGML text filing: no <SEC-HEADER> or no <TEXT>...</TEXT>")
    body_start = text[: body_m.start(1)].count("\n") + 1
    body_lines = body_m.group(1).split("\n")
    numbered = [(body_start + i, line) for i, line in enumerate(body_lines)]
    return _Sections(header_m.group(1), body_m.group(1), body_lines, numbered)


def _form_types(text: str, parts: _Sections, path: str) -> tuple[str, str | None, str]:
    """(document type, submission type, the typed form's number); a Form 3, 4 or 5 only."""
    form_m = re.search(r"^\s*FORM\s+([345])\b", parts.body, re.MULTILINE)
    submission_type = _field(parts.header, "CONFORMED SUBMISSION TYPE")
    doc_type_m = re.search(r"<TYPE>\s*(\S+)", text)
    document_type = doc_type_m.group(1) if doc_type_m else submission_type
    if not form_m or not document_type or document_type.removesuffix("/A") not in {"3", "4", "5"}:
        raise ParseError(path, "SGML text filing is no Form 3, 4 or 5")
    return document_type, submission_type, form_m.group(1)


def _tables(parts: _Sections, path: str
            ) -> tuple[list[tuple[list[str], int]], list[tuple[list[str], int]]]:
    """The records of Table I and Table II; a form without them, or unsigned, is truncated."""
    t1 = _table_rows(parts.numbered, "Table I ")
    t2 = _table_rows(parts.numbered, "Table II ")
    if t1 is None or t2 is None:
        raise ParseError(path, "typed Table I or Table II is missing (truncated filing?)")
    if not any("SIGNATURE" in line.upper() for line in parts.body_lines):
        raise ParseError(path, "no signature block (truncated filing?)")
    return t1, t2


def _issuer(text: str, parts: _Sections, path: str) -> Issuer:
    """The issuer: its CIK from the header, name and ticker from box 2 (else the header's name)."""
    subject = re.search(r"SUBJECT COMPANY:(.*?)(?=<REPORTING-OWNER>|REPORTING-OWNER:|FILER:|\Z)",
                        parts.header, re.DOTALL)
    issuer_block = subject.group(1) if subject else ""
    box2 = [line for line in _box(parts.body_lines, "2", "Issuer Name") if line]
    return Issuer(
        cik=_cik(_field(issuer_block, "CENTRAL INDEX KEY"), text, path),
        name=box2[0] if box2 else _field(issuer_block, "COMPANY CONFORMED NAME"),
        ticker=box2[1] if len(box2) > 1 else None,
    )


def _ticks(body_lines: list[str]) -> tuple[dict[str, bool], str]:
    """The boxes ticked in the form's relationship box, and the title written under it."""
    # Box 6 of the old Form 4 (box 4 on Form 3, box 5 otherwise): "(X) Director ( ) 10% Owner ..."
    rel_lines = (_box(body_lines, "6", "Relationship") or _box(body_lines, "5", "Relationship")
                 or _box(body_lines, "4", "Relationship"))
    rel_text = " ".join(rel_lines)
    ticks = {fname: bool(re.search(rf"\(\s*[xX]\s*\)\s*{re.escape(label)}", rel_text))
             for label, fname in _BODY_RELATIONSHIP.items()}
    title_text = collapse(rel_text.split("(specify below)", 1)[1]) if "(specify below)" in rel_text else ""
    return ticks, title_text


def _owners(text: str, parts: _Sections, path: str) -> list[ReportingOwner]:
    """The header's reporting owners; the form's boxes describe the first one only."""
    ticks, title_text = _ticks(parts.body_lines)
    owner_blocks = re.findall(r"<REPORTING-OWNER>(.*?)</REPORTING-OWNER>", parts.header, re.DOTALL)
    owners: list[ReportingOwner] = []
    box1 = [line for line in _box(parts.body_lines, "1", "Name and Address") if line]
    for i, block in enumerate(owner_blocks):
        flags = dict(ticks) if i == 0 else {f: False for f in ticks}
        for rel in re.findall(r"<RELATIONSHIP>\s*(.+)", block):
            fname = _HEADER_RELATIONSHIP.get(rel.strip().upper())
            if fname:
                flags[fname] = True
        officer_title, other_text = assign_title([title_text] if i == 0 else [],
                                                 flags["is_officer"], flags["is_other"])
        address = _body_address(box1) if i == 0 and len(owner_blocks) == 1 else None
        owners.append(build_owner(
            _field(block, "COMPANY CONFORMED NAME") or "",
            _cik(_field(block, "CENTRAL INDEX KEY"), text, path),
            Relationship(officer_title=officer_title, other_text=other_text, **flags),
            address or _header_address(block),
        ))
    if not owners or not owners[0].name:
        raise ParseError(path, "SEC header names no reporting owner")
    return owners


def _typed_rows(records: list[tuple[list[str], int]], layout: tuple[str, ...], path: str, table: str,
                cls: type[_AnyRow]) -> list[_AnyRow]:
    """The model rows of one typed table; a row with a code or a date is a transaction."""
    rows: list[_AnyRow] = []
    for cells, line in records:
        values, notes = _row(cells, layout, path, line, table)
        kind: RowType = ("transaction" if values.get("transaction_code") or values.get("transaction_date")
                         else "holding")
        rows.append(cls(type=kind, footnotes=notes, **values))
    return rows


def parse_text(text: str, path: str) -> Filing:
    """Parse a whole SGML-wrapped text submission into a Filing."""
    parts = _sections(text, path)
    document_type, submission_type, form = _form_types(text, parts, path)
    t1, t2 = _tables(parts, path)
    issuer = _issuer(text, parts, path)
    owners = _owners(text, parts, path)
    layout1, layout2 = (_TABLE_I_FORM3, _TABLE_II_FORM3) if form == "3" else (_TABLE_I, _TABLE_II)
    non_derivative = _typed_rows(t1, layout1, path, "Table I", NonDerivativeRow)
    derivative = _typed_rows(t2, layout2, path, "Table II", DerivativeRow)
    signatures = tuple(parse_signature(t, d, owners) for t, d in _signature(parts.body_lines, path))
    section16 = re.search(r"\(\s*([xX]?)\s*\)\s*Check this box if no longer subject", parts.body)
    header = parts.header
    return Filing(
        accession=_accession(_field(header, "ACCESSION NUMBER"), text, path),
        document_type=document_type,
        issuer=issuer,
        source=Source(path=path, format="legacy-text"),
        period_of_report=_ymd(_field(header, "CONFORMED PERIOD OF REPORT"), "CONFORMED PERIOD OF REPORT",
                              text, path),
        filing_date=_ymd(_field(header, "FILED AS OF DATE"), "FILED AS OF DATE", text, path),
        submission_type=submission_type,
        not_subject_to_section16=(bool(section16.group(1)) if section16 else None),
        reporting_owners=tuple(owners),
        non_derivative=tuple(non_derivative),
        derivative=tuple(derivative),
        footnotes=_footnotes(parts.body_lines),
        signatures=signatures,
    )


def _body_address(box1: list[str]) -> Address | None:
    """Box 1 as typed: name, street lines, "City, ST  ZIP", maybe a country line."""
    for i, line in enumerate(box1[1:], start=1):
        m = re.match(r"^(.*?),\s*([A-Za-z]{2})\.?\s+(\d{5}(?:-\d{4})?)$", line)
        if m:
            street = box1[1:i]
            return Address(street1=street[0] if street else None,
                           street2=" ".join(street[1:]) or None,
                           city=m.group(1), state=m.group(2).upper(), zip_code=m.group(3))
    return None


def _footnotes(body: list[str]) -> dict[str, str]:
    at = next((i for i, line in enumerate(body) if line.strip().startswith("Explanation of Responses")), None)
    notes: dict[str, str] = {}
    if at is None:
        return notes
    current = None
    for line in body[at + 1:]:
        text = line.strip()
        if "SIGNATURE" in text.upper() or text.startswith("**"):
            break
        m = re.match(r"\(?(\d{1,3})[.)]\s*(.*)$", text)
        if m:
            current = bounds.footnote_id(m.group(1))
            notes[current] = collapse(m.group(2))
        elif text and current:
            notes[current] = collapse(notes[current] + " " + text)
    return notes

