"""Read the plain text saved from EDGAR's rendering of a Form 3, 4 or 5 (the seed's style).

Such a text keeps the page's cells as tab-separated fields, ticked boxes as
``<input checked="" type="checkbox"/>`` before their label, footnote markers as ``⁽¹⁾``
or ``(1)`` after their value, and the signature line right above
``** Signature of Reporting Person``.

>>> form = read(open("form4-sonus-gruber-2004.txt").read(), "seed.txt")  # doctest: +SKIP
>>> form.issuer_name, form.ticker  # doctest: +SKIP
('SONUS NETWORKS INC', 'SONS')
"""

from __future__ import annotations

import re

from insidergraph.errors import ParseError
from insidergraph.loaders import bounds
from insidergraph.loaders.rendered_form import (
    Cell,
    OwnerBlock,
    RenderedForm,
    TableRow,
    assign_title,
    collapse,
    split_city_line,
    split_notes,
    split_street,
)

_BOX1 = re.compile(
    r"1\.\s*Name and Address of Reporting Person\s*\**\s*(?P<name>.*?)\s*\(Last\)\s*\(First\)\s*"
    r"\(Middle\)\s*(?P<street>.*?)\s*\(Street\)\s*(?P<csz>.*?)\s*\(City\)\s*\(State\)\s*\(Zip\)",
    re.DOTALL,
)
_ISSUER = re.compile(r"Issuer Name and Ticker or Trading Symbol\s*(?P<name>.*?)\s*\[\s*(?P<ticker>[^\]]*?)\s*\]")
_PERIOD = re.compile(
    r"(?:Date of Earliest Transaction|Statement for Issuer's Fiscal Year Ended|"
    r"Date of Event Requiring Statement)\s*\(Month/Day/Year\)\s*(\d{1,2}/\d{1,2}/\d{4})?"
)
_AMENDMENT = re.compile(r"If Amendment, Date of Original Filed\s*\(Month/Day/Year\)\s*(\d{1,2}/\d{1,2}/\d{4})?")
# A tick mark right before a label: a checked input, a ballot box, "[X]", "(X)" or a bare "X".
_BOX_MARK = re.compile(r"(<input\b[^>]*>|☒|☐|\[[ xX]?\]|\([ xX]?\)|(?<!\S)X)\s*$")
_CENTRED = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL)
_SIGNATURE_LINE = re.compile(r"^(?P<text>.*\S)\s+(?P<date>\d{1,2}/\d{1,2}/\d{4})$")
_SUB_LABELS = {
    "Code", "V", "Amount", "(A) or (D)", "Price", "(A)", "(D)", "Date Exercisable",
    "Expiration Date", "Title", "Amount or Number of Shares",
}
_RELATIONSHIP_LABELS = {
    "is_director": "Director",
    "is_ten_percent_owner": "10% Owner",
    "is_officer": "Officer (give title below)",
    "is_other": "Other (specify below)",
}


def _ticked(text: str, label: str) -> bool | None:
    """Whether the box right before ``label`` is ticked; None when the label is absent."""
    at = text.find(label)
    if at < 0:
        return None
    m = _BOX_MARK.search(text[:at])
    if not m:
        return False
    mark = m.group(1)
    return "checked" in mark.lower() or mark == "☒" or ("x" in mark.lower() and "input" not in mark.lower())


def _form_type(head: str) -> str | None:
    m = re.search(r"\bFORM\s+([345])\b", head)
    if m:
        return m.group(1)
    upper = head.upper()
    if "ANNUAL STATEMENT OF CHANGES IN BENEFICIAL OWNERSHIP" in upper:
        return "5"
    if "INITIAL STATEMENT OF BENEFICIAL OWNERSHIP" in upper:
        return "3"
    if "STATEMENT OF CHANGES IN BENEFICIAL OWNERSHIP" in upper:
        return "4"
    return None


def _owner(text: str) -> OwnerBlock | None:
    m = _BOX1.search(text)
    if not m:
        return None
    city, state, zip_code = split_city_line(collapse(m.group("csz")))
    return OwnerBlock(name=collapse(m.group("name")), street=split_street(m.group("street")),
                      city=city, state=state, zip_code=zip_code)


def _cells(line: str) -> tuple[Cell, ...]:
    cells = []
    for raw in line.split("\t"):
        text, notes = split_notes(raw.replace("\\$", "$").strip())
        cells.append(Cell(collapse(text), notes))
    return tuple(cells)


def _table(lines: list[str], first: int, path: str, name: str, title_label: str) -> list[TableRow]:
    """Data rows of one table; its numbered header row must be there."""
    rows: list[TableRow] = []
    header = False
    for offset, line in enumerate(lines):
        number = first + offset + 1
        if not line.strip():
            continue
        if line.lstrip().startswith(title_label):
            header = True
            continue
        fields = {f.strip() for f in line.split("\t")} - {""}
        if fields and fields <= _SUB_LABELS:
            continue
        if "\t" not in line:
            raise ParseError(path, f"unexpected line in {name}: {collapse(line)[:60]!r}", number)
        if not header:
            raise ParseError(path, f"{name} has no column header", number)
        rows.append(TableRow(_cells(line), number))
    if not header:
        raise ParseError(path, f"{name} has no column header (truncated rendering?)", first + 1)
    return rows


def _index(lines: list[str], prefix: str, start: int = 0) -> int | None:
    for i in range(start, len(lines)):
        if lines[i].strip().startswith(prefix):
            return i
    return None


def _landmarks(lines: list[str], path: str) -> tuple[int, int, int]:
    """The lines of the Table I and Table II titles and of the signature label, in that order."""
    t1 = _index(lines, "Table I -")
    t2 = _index(lines, "Table II -", (t1 or 0) + 1)
    sig = _index(lines, "** Signature of Reporting Person", (t2 or 0) + 1)
    missing = [name for name, at in (("Table I", t1), ("Table II", t2),
                                     ("signature block", sig)) if at is None]
    if missing:
        raise ParseError(path, "not a complete rendered Form 3/4/5 (truncated?): missing "
                         + ", ".join(missing))
    assert t1 is not None and t2 is not None and sig is not None
    return t1, t2, sig


def _signatures(lines: list[str], sig: int, form: RenderedForm) -> int:
    """Read the signature lines right above the "** Signature" label; the first one's index."""
    first_sig = sig
    while first_sig > 0:
        above = lines[first_sig - 1].strip()
        # A numbered footnote may end in a date too; it is never a signature.
        if above and ("\t" in above or not _SIGNATURE_LINE.match(above)
                      or re.match(r"\d+\.\s", above)):
            break
        first_sig -= 1
    for line in lines[first_sig:sig]:
        m = _SIGNATURE_LINE.match(line.strip())
        if m:
            form.signatures.append((collapse(m.group("text")), m.group("date")))
    return first_sig


def _table2_end(lines: list[str], t2: int, first_sig: int) -> int:
    """Where Table II ends: at the footnotes, the remarks, a further box 1 or the signatures."""
    tail_marks = [i for i in (_index(lines, "Explanation of Responses", t2),
                              _index(lines, "Remarks:", t2),
                              _index(lines, "1. Name and Address of Reporting Person", t2))
                  if i is not None and i < first_sig]
    return min([*tail_marks, first_sig])


def _owners(head_cells: list[str], after_tables: list[str]) -> list[OwnerBlock]:
    """Box 1 of the head, then the joint filers' boxes printed after the tables, once each."""
    owners = [o for o in (_owner(c) for c in head_cells) if o]
    extra = [o for o in (_owner(line) for line in after_tables) if o]
    for owner in extra:
        if owner not in owners:
            owners.append(owner)
    return owners


def _head_boxes(head_cells: list[str], form: RenderedForm) -> None:
    """Issuer and ticker, period, amendment date and the check boxes, from the head's cells."""
    for cell in head_cells:
        if m := _ISSUER.search(cell):
            form.issuer_name, form.ticker = collapse(m.group("name")), m.group("ticker") or None
        if m := _PERIOD.search(cell):
            form.period = m.group(1)
        if m := _AMENDMENT.search(cell):
            form.amendment = m.group(1)
        if "no longer subject to Section 16" in cell and form.form != "3":
            form.not_subject_to_section16 = bool(_ticked(cell, "Check this box if no longer"))
        if "10b5-1(c)" in cell:
            form.aff10b5one = bool(_ticked(cell, "Check this box to indicate"))


def _relationship(head: list[str], form: RenderedForm) -> None:
    """Box 5: the ticked relationships and the title written under them."""
    # Box 5 runs to the end of its line; a saved page may put each mark in a cell of its own.
    rel_line = next((line for line in head if "Relationship of Reporting Person" in line), None)
    if rel_line is None:
        return
    box5 = rel_line[rel_line.index("Relationship of Reporting Person"):]
    box5 = re.split(r"\t\s*\d\.\s", box5, maxsplit=1)[0].replace("\t", " ")  # up to the next box
    for fname, label in _RELATIONSHIP_LABELS.items():
        setattr(form, fname, bool(_ticked(box5, label)))
    after = box5.split(_RELATIONSHIP_LABELS["is_other"], 1)[-1]
    centred = _CENTRED.findall(after) or [re.sub(r"<[^>]+>", " ", after)]
    form.officer_title, form.other_text = assign_title(centred, form.is_officer, form.is_other)


def read(text: str, path: str) -> RenderedForm:
    """Cut a text rendering into boxes, table rows, footnotes and signatures."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    t1, t2, sig = _landmarks(lines, path)
    head = "\n".join(lines[:t1])
    form_type = _form_type(head)
    if form_type is None:
        raise ParseError(path, "no form title (STATEMENT OF ... BENEFICIAL OWNERSHIP) before Table I")
    form = RenderedForm(path=path, format="rendered-text", form=form_type)
    head_cells = [c.strip() for line in lines[:t1] for c in line.split("\t") if c.strip()]
    first_sig = _signatures(lines, sig, form)
    end2 = _table2_end(lines, t2, first_sig)
    form.table1 = _table(lines[t1 + 1:t2], t1 + 1, path, "Table I", "1. Title of Security")
    form.table2 = _table(lines[t2 + 1:end2], t2 + 1, path, "Table II", "1. Title of Derivative Security")
    form.owners = _owners(head_cells, lines[end2:first_sig])
    _head_boxes(head_cells, form)
    _relationship(lines[:t1], form)
    _tail(lines, end2, first_sig, form)
    return form


def _tail(lines: list[str], start: int, stop: int, form: RenderedForm) -> None:
    """Footnotes ("Explanation of Responses:") and remarks between Table II and the signatures."""
    section = ""
    current: str | None = None
    remarks: list[str] = []
    for number, line in enumerate(lines[start:stop], start=start + 1):
        text = line.strip()
        if not text:
            continue
        if text.startswith("Explanation of Responses"):
            section = "notes"
            continue
        if text.startswith("Remarks:"):
            section = "remarks"
            text = text[len("Remarks:"):].strip()
            if not text:
                continue
        if text.startswith("1. Name and Address of Reporting Person"):
            section = ""
            continue
        if section == "notes":
            m = re.match(r"(\d+)\.\s*(.*)$", text)
            if m:
                try:
                    current = bounds.footnote_id(m.group(1))
                except bounds.OutOfBounds as err:
                    raise ParseError(form.path, f"Explanation of Responses: {err}", number) from None
                form.footnotes[current] = collapse(m.group(2))
            elif current:
                form.footnotes[current] = collapse(form.footnotes[current] + " " + text)
        elif section == "remarks":
            remarks.append(text)
    form.remarks = collapse(" ".join(remarks)) or None
