"""The form a reader sees: one intermediate shape for the HTML and plain-text renderings.

EDGAR renders every Form 3, 4 and 5 with one stylesheet (``xslF345X0N``), so the HTML
page and the text saved from it show the same numbered boxes and the same table columns.
The two readers (:mod:`~insidergraph.loaders.rendered_html`,
:mod:`~insidergraph.loaders.rendered_text`) only find the boxes and cut the tables into
cells; this module turns that :class:`RenderedForm` into a :class:`~insidergraph.model.Filing`.

>>> split_notes("09/20/2005 ⁽¹⁾")
('09/20/2005', ('F1',))
>>> parse_decimal("\\\\$5.79", "x", "price")
Decimal('5.79')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from insidergraph.errors import ParseError, shown
from insidergraph.loaders import bounds
from insidergraph.loaders.names import display_name, owner_kind
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
    Signature,
    Source,
    SourceFormat,
)

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
# One footnote marker at the end of a value: "⁽¹⁾", "(1)" or a leftover "<sup>(1)</sup>".
_TRAILING_NOTE = re.compile(
    r"\s*(?:⁽([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,4})⁾|<sup>\s*\(?(\d{1,3})\)?\s*</sup>|\((\d{1,3})\))\s*$"
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?|-?\.\d+")
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
_PLACEHOLDER = {"", "-", "--", "N/A", "n/a"}

#: Leaf columns of each table, per form, in the stylesheet's order. "V" is the
#: voluntary-report column; "shares_A"/"shares_D" are Table II's split column 5.
TABLE_I: dict[str, tuple[str, ...]] = {
    "3": ("security_title", "shares_owned_following", "direct_indirect", "nature_of_ownership"),
    "4": (
        "security_title", "transaction_date", "deemed_execution_date", "transaction_code", "V",
        "shares", "acquired_disposed", "price_per_share", "shares_owned_following",
        "direct_indirect", "nature_of_ownership",
    ),
}
TABLE_I["5"] = tuple(c for c in TABLE_I["4"] if c != "V")
TABLE_II: dict[str, tuple[str, ...]] = {
    "3": (
        "security_title", "exercisable_date", "expiration_date", "underlying_title",
        "underlying_shares", "exercise_price", "direct_indirect", "nature_of_ownership",
    ),
    "4": (
        "security_title", "exercise_price", "transaction_date", "deemed_execution_date",
        "transaction_code", "V", "shares_A", "shares_D", "exercisable_date", "expiration_date",
        "underlying_title", "underlying_shares", "price_per_share", "shares_owned_following",
        "direct_indirect", "nature_of_ownership",
    ),
}
TABLE_II["5"] = tuple(c for c in TABLE_II["4"] if c != "V")

_DATES = {"transaction_date", "deemed_execution_date", "exercisable_date", "expiration_date"}
_DECIMALS = {
    "shares", "price_per_share", "shares_owned_following", "exercise_price", "underlying_shares",
}


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: its value text (markers removed) and the footnote ids after it."""

    text: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OwnerBlock:
    """Box 1 as printed: the raw name and the address lines."""

    name: str
    street: tuple[str, ...] = ()
    city: str | None = None
    state: str | None = None
    zip_code: str | None = None


@dataclass(frozen=True, slots=True)
class TableRow:
    """A data row of Table I or II, with the source line for error messages."""

    cells: tuple[Cell, ...]
    line: int | None = None


@dataclass(slots=True)
class RenderedForm:
    """Everything a rendering shows, still as printed text."""

    path: str
    format: SourceFormat
    form: str
    owners: list[OwnerBlock] = field(default_factory=list)
    issuer_name: str | None = None
    ticker: str | None = None
    period: str | None = None
    amendment: str | None = None
    is_director: bool = False
    is_officer: bool = False
    is_ten_percent_owner: bool = False
    is_other: bool = False
    officer_title: str | None = None
    other_text: str | None = None
    not_subject_to_section16: bool | None = None
    aff10b5one: bool | None = None
    form3_holdings_reported: bool | None = None
    form4_transactions_reported: bool | None = None
    table1: list[TableRow] = field(default_factory=list)
    table2: list[TableRow] = field(default_factory=list)
    footnotes: dict[str, str] = field(default_factory=dict)
    remarks: str | None = None
    signatures: list[tuple[str, str | None]] = field(default_factory=list)
    accession: str | None = None


def collapse(text: str | None) -> str:
    """Whitespace as a reader sees it: runs collapsed to one space, ends stripped."""
    return " ".join((text or "").split())


def split_notes(text: str) -> tuple[str, tuple[str, ...]]:
    """Split trailing footnote markers off a printed value.

    >>> split_notes("Class B Common Stock(2)(3)")
    ('Class B Common Stock', ('F2', 'F3'))
    >>> split_notes("(A) or (D)")
    ('(A) or (D)', ())
    """
    notes: list[str] = []
    text = text.strip()
    while True:
        m = _TRAILING_NOTE.search(text)
        if not m:
            break
        # Each alternative of the pattern captures 1 to 4 digits, so int() is bounded.
        digits = m.group(1) or m.group(2) or m.group(3)
        notes.insert(0, "F" + str(int(digits.translate(_SUPERSCRIPT))))
        text = text[: m.start()].rstrip()
    return text, tuple(notes)


def parse_decimal(text: str, path: str, column: str, line: int | None = None) -> Decimal | None:
    """A printed amount ("$5.79", "150,000", "\\\\$0") as a Decimal; blanks and dashes are None."""
    raw = text.replace("\\", "").replace("$", "").replace(",", "").strip()
    if raw in _PLACEHOLDER:
        return None
    if not _NUMBER.fullmatch(raw):
        raise ParseError(path, f"{column}: not a number: {shown(text.strip())}", line)
    try:
        return bounds.decimal_text(raw)
    except bounds.OutOfBounds as err:
        raise ParseError(path, f"{column}: {err}", line) from None


def parse_date(text: str | None, path: str, column: str, line: int | None = None) -> date | None:
    """A printed date MM/DD/YYYY (or M/D/YY on old forms); blanks and dashes are None."""
    raw = (text or "").replace("\\", "").strip()
    if raw in _PLACEHOLDER:
        return None
    m = _DATE.fullmatch(raw)
    if not m:
        raise ParseError(path, f"{column}: not a date (MM/DD/YYYY): {shown(raw)}", line)
    month, day, year = (int(g) for g in m.groups())
    if len(m.group(3)) == 2:
        # Two-digit years occur only on pre-2003 text forms.
        year += 2000 if year < 50 else 1900
    try:
        return bounds.checked_date(date(year, month, day))
    except bounds.OutOfBounds as err:
        raise ParseError(path, f"{column}: {err}", line) from None
    except ValueError:
        raise ParseError(path, f"{column}: no such date: {raw!r}", line) from None


def build_address(block: OwnerBlock) -> Address | None:
    """The model address of a Box 1; street lines beyond the first become street2."""
    if not (block.street or block.city or block.state or block.zip_code):
        return None
    street1 = block.street[0] if block.street else None
    street2 = " ".join(block.street[1:]) or None
    return Address(street1=street1, street2=street2, city=block.city, state=block.state,
                   zip_code=block.zip_code)


def build_owner(name: str, cik: str | None, relationship: Relationship,
                address: Address | None) -> ReportingOwner:
    """A ReportingOwner with kind and display name derived from the raw name."""
    kind = owner_kind(name)
    return ReportingOwner(cik=cik, name=name, display_name=display_name(name, kind), kind=kind,
                          relationship=relationship, address=address)


def _fitted_cells(row: TableRow, layout: tuple[str, ...], table: str, form: RenderedForm) -> list[Cell]:
    """The row's cells, one per column at most; the first must hold a security title."""
    cells = list(row.cells)
    # Text renderings end rows with stray tabs; only empty surplus cells may be dropped.
    while len(cells) > len(layout) and not cells[-1].text and not cells[-1].notes:
        cells.pop()
    if len(cells) > len(layout):
        raise ParseError(form.path, f"{table} row has {len(cells)} cells; Form {form.form} has "
                         f"{len(layout)} columns", row.line)
    if len(cells) < 2 or not cells[0].text:
        raise ParseError(form.path, f"{table} row without a security title", row.line)
    return cells


def _shares_half(key: str, text: str, cell: Cell, values: dict[str, Any], table: str, form: RenderedForm,
                 line: int | None) -> None:
    """Table II's amount, printed in its (A) or its (D) half: the filled half says which."""
    if text or cell.notes:
        if "shares" in values and values["shares"] is not None and text:
            raise ParseError(form.path, f"{table} row fills both (A) and (D)", line)
        if text or "shares" not in values:
            values["shares"] = parse_decimal(text, form.path, "amount", line)
            values["acquired_disposed"] = key[-1]


def _cell_value(key: str, text: str, path: str, line: int | None) -> Any:
    """The typed value of a column other than (A)/(D): date, amount, "V" mark or text.

    >>> _cell_value("V", "v", "x", 1), _cell_value("shares", "1,000", "x", 1)
    ('E', Decimal('1000'))
    >>> _cell_value("direct_indirect", "", "x", 1) is None
    True
    """
    if key == "V":
        # The paper form's "V" marks a transaction reported early (XML value "E").
        return {"": None, "V": "E"}.get(text.upper(), text or None)
    if key in _DATES:
        return parse_date(text, path, key, line)
    if key in _DECIMALS:
        return parse_decimal(text, path, key, line)
    return text or None


def _row_fields(row: TableRow, layout: tuple[str, ...], table: str, form: RenderedForm
                ) -> tuple[dict[str, Any], dict[str, tuple[str, ...]]]:
    """The model fields of one table row and the footnote ids on each."""
    cells = _fitted_cells(row, layout, table, form)
    values: dict[str, Any] = {}
    notes: dict[str, tuple[str, ...]] = {}
    for key, cell in zip(layout, cells):
        text = cell.text.strip()
        if key in ("shares_A", "shares_D"):
            fname = "shares"
            _shares_half(key, text, cell, values, table, form, row.line)
        else:
            fname = "transaction_timeliness" if key == "V" else key
            values[fname] = _cell_value(key, text, form.path, row.line)
        if cell.notes:
            notes[fname] = notes.get(fname, ()) + cell.notes
    return values, notes


def _row_type(form: str, values: dict[str, Any]) -> RowType:
    if form == "3":
        return "holding"
    return "transaction" if values.get("transaction_code") or values.get("transaction_date") else "holding"


def build_filing(form: RenderedForm) -> Filing:
    """Turn what a rendering shows into the typed model (no CIKs: the page has none)."""
    if not form.owners:
        raise ParseError(form.path, "no reporting owner (box 1) found")
    if not form.issuer_name:
        raise ParseError(form.path, "no issuer name (box 2) found")
    relationship = Relationship(
        is_director=form.is_director,
        is_officer=form.is_officer,
        is_ten_percent_owner=form.is_ten_percent_owner,
        is_other=form.is_other,
        officer_title=form.officer_title or None,
        other_text=form.other_text or None,
    )
    owners: list[ReportingOwner] = []
    for i, block in enumerate(form.owners):
        # Box 5 is printed once, for the first owner; the others' roles are not shown.
        owners.append(build_owner(block.name, None, relationship if i == 0 else Relationship(),
                                  build_address(block)))
    non_derivative: list[NonDerivativeRow] = []
    for row in form.table1:
        values, notes = _row_fields(row, TABLE_I[form.form], "Table I", form)
        non_derivative.append(NonDerivativeRow(type=_row_type(form.form, values),
                                               footnotes=notes, **values))
    derivative: list[DerivativeRow] = []
    for row in form.table2:
        values, notes = _row_fields(row, TABLE_II[form.form], "Table II", form)
        derivative.append(DerivativeRow(type=_row_type(form.form, values),
                                        footnotes=notes, **values))
    amendment = parse_date(form.amendment, form.path, "amendment date")
    signatures: list[Signature] = [
        parse_signature(text, parse_date(when, form.path, "signature date"), owners)
        for text, when in form.signatures
    ]
    return Filing(
        accession=form.accession,
        document_type=form.form + ("/A" if amendment else ""),
        issuer=Issuer(cik=None, name=form.issuer_name, ticker=form.ticker or None),
        source=Source(path=form.path, format=form.format),
        period_of_report=parse_date(form.period, form.path, "period of report"),
        date_of_original_submission=amendment,
        not_subject_to_section16=form.not_subject_to_section16,
        aff10b5one=form.aff10b5one,
        form3_holdings_reported=form.form3_holdings_reported,
        form4_transactions_reported=form.form4_transactions_reported,
        reporting_owners=tuple(owners),
        non_derivative=tuple(non_derivative),
        derivative=tuple(derivative),
        footnotes=dict(sorted(form.footnotes.items(), key=lambda kv: int(kv[0][1:]))),
        remarks=form.remarks or None,
        signatures=tuple(signatures),
    )


def assign_title(texts: list[str], officer: bool, other: bool) -> tuple[str | None, str | None]:
    """Officer title and "other" text from the centred line under Box 5's labels.

    >>> assign_title(["Founder"], True, False)
    ('Founder', None)
    >>> assign_title(["See Remarks"], False, True)
    (None, 'See Remarks')
    """
    texts = [t for t in (collapse(t) for t in texts) if t]
    if len(texts) >= 2:
        return texts[0], " ".join(texts[1:])
    if not texts:
        return None, None
    return (None, texts[0]) if other and not officer else (texts[0], None)


def split_city_line(text: str) -> tuple[str | None, str | None, str | None]:
    """City, state and zip from one printed line, e.g. "CHELMSFORD MA 01824".

    >>> split_city_line("TORONTO ONTARIO A6 M5J2T3")
    ('TORONTO ONTARIO', 'A6', 'M5J2T3')
    """
    parts = text.split()
    zip_code = parts.pop() if parts and any(ch.isdigit() for ch in parts[-1]) else None
    state = parts.pop() if parts and len(parts[-1]) == 2 and parts[-1].isupper() else None
    return (" ".join(parts) or None), state, zip_code


def split_street(text: str) -> tuple[str, ...]:
    """Street lines from one printed run: a "C/O ..." line is split before its street number.

    >>> split_street("C/O SONUS NETWORKS, INC. 250 APOLLO DRIVE")
    ('C/O SONUS NETWORKS, INC.', '250 APOLLO DRIVE')
    >>> split_street("C/O 374 WATER INC. 100 SOUTHCENTER COURT")
    ('C/O 374 WATER INC.', '100 SOUTHCENTER COURT')
    """
    text = collapse(text)
    if not text:
        return ()
    # A text rendering joins the street lines with spaces; only a care-of line can be
    # told apart, as a name followed by a street number.
    m = re.match(r"(C/O\s+\S+.*?)\s+(\d+\S*\s+\D.*)$", text, re.IGNORECASE)
    if m:
        return (m.group(1), m.group(2))
    return (text,)
