"""Unit tests of the parts the loaders and the fetcher were split into (issue 13).

The loaders' behaviour is pinned by the corpus tests; these pin the contracts of the
pieces: the XML action table names only real model fields, the walk's rules for
``<value>`` and ``<footnoteId>``, the rendered row's (A)/(D) halves, the typed rows of
a legacy text form, name-to-owner matching and the fetch selection's checks.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from insidergraph.edgar.fetching import _selection
from insidergraph.errors import InsiderGraphError, ParseError
from insidergraph.loaders import legacy_text, rendered_form, xml_document
from insidergraph.loaders.owner_match import find_owner
from insidergraph.loaders.rendered_form import Cell, RenderedForm, TableRow
from insidergraph.loaders.xml import parse_bytes
from insidergraph.loaders.xml_fields import ROW_DIRECT, ROW_VALUES
from insidergraph.model import (
    Address,
    DerivativeRow,
    Filing,
    Issuer,
    NonDerivativeRow,
    OwnerKind,
    Relationship,
    ReportingOwner,
)


def _fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_every_xml_action_writes_a_field_the_model_has() -> None:
    """A misspelt key in the tag table would be a TypeError on the first filing using the tag."""
    row_fields = _fields(NonDerivativeRow) | _fields(DerivativeRow)
    owner_fields = _fields(Address) | _fields(Relationship) | {"cik", "name"}
    targets = {
        xml_document._owner_text: owner_fields,
        xml_document._owner_flag: _fields(Relationship),
        xml_document._issuer_text: _fields(Issuer),
        xml_document._top_text: _fields(Filing) | {"document_type"},
        xml_document._top_date: _fields(Filing),
        xml_document._top_flag: _fields(Filing),
    }
    seen = 0
    for tag, (code, spec) in xml_document._ACTIONS.items():
        if code in (xml_document._FIELD, xml_document._DIRECT):
            assert spec[0] in row_fields, tag
        elif code == xml_document._HANDLER and spec[0] in targets:
            assert spec[1] in targets[spec[0]], tag
            seen += 1
    assert seen == 27  # with form3HoldingsReported and form4TransactionsReported (Form 5)
    assert {t for t, (c, _) in xml_document._ACTIONS.items() if c == xml_document._FIELD} == set(ROW_VALUES)
    assert {t for t, (c, _) in xml_document._ACTIONS.items() if c == xml_document._DIRECT} == set(ROW_DIRECT)


_DOC = b"""<ownershipDocument><documentType>4</documentType>
<rptOwnerName>not inside a reportingOwner</rptOwnerName>
<reportingOwner><reportingOwnerId><rptOwnerCik>1</rptOwnerCik><rptOwnerName>DOE JANE</rptOwnerName></reportingOwnerId>
<reportingOwnerRelationship><isDirector>1</isDirector></reportingOwnerRelationship></reportingOwner>
<nonDerivativeTable><nonDerivativeTransaction><securityTitle><value>Common</value></securityTitle>
<transactionAmounts><transactionShares><footnoteId id="F1"/><value>100</value></transactionShares>
<transactionAcquiredDisposedCode><value>A</value><footnoteId id="F2"/></transactionAcquiredDisposedCode>
</transactionAmounts>
<transactionCoding><transactionCode>P</transactionCode><footnoteId id="F3"/></transactionCoding>
</nonDerivativeTransaction></nonDerivativeTable>
<footnotes><footnote id="F1">one <b>bold</b></footnote></footnotes>
</ownershipDocument>"""


def test_walk_reads_a_value_after_its_footnote_and_notes_on_containers() -> None:
    f = parse_bytes(_DOC, "x.xml")
    (owner,) = f.reporting_owners
    assert (owner.cik, owner.name, owner.relationship.is_director) == ("0000000001", "DOE JANE", True)
    (row,) = f.non_derivative
    assert (row.shares, row.acquired_disposed, row.transaction_code) == (Decimal(100), "A", "P")
    assert row.footnotes == {"shares": ("F1",), "acquired_disposed": ("F2",), "transaction_code": ("F3",)}
    assert f.footnotes == {"F1": "one bold"}


@pytest.mark.parametrize(("old", "new", "message"), [
    (b"<value>100</value>", b"<value>lots</value>", "x.xml:6: <transactionShares>: not a number: 'lots'"),
    (b"<isDirector>1<", b"<isDirector>maybe<", "x.xml:4: <isDirector>: not a flag (1/0/true/false): 'maybe'"),
    (b"<documentType>4<", b"<documentType>10-K<", "x.xml:1: documentType '10-K' is not a Form 3, 4 or 5"),
    (b"<documentType>4</documentType>", b"", "x.xml:1: no <documentType>"),
])
def test_walk_errors_name_the_element_and_its_line(old: bytes, new: bytes, message: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_bytes(_DOC.replace(old, new), "x.xml")
    assert str(err.value) == message


def _rendered(*cells: str) -> tuple[dict[str, object], dict[str, tuple[str, ...]]]:
    form = RenderedForm(path="p.html", format="html", form="4")
    # "*" stands for an empty cell with a footnote marker.
    row = TableRow(tuple(Cell("", ("F1",)) if c == "*" else Cell(c) for c in cells), 7)
    return rendered_form._row_fields(row, rendered_form.TABLE_II["4"], "Table II", form)


def test_rendered_row_reads_the_filled_half_of_the_amount() -> None:
    values, _ = _rendered("Option", "$1", "", "", "M", "", "", "1,000")
    assert (values["shares"], values["acquired_disposed"]) == (1000, "D")
    values, notes = _rendered("Option", "$1", "", "", "M", "", "*", "")
    assert (values["shares"], values["acquired_disposed"], notes) == (None, "A", {"shares": ("F1",)})
    with pytest.raises(ParseError, match=r"^p\.html:7: Table II row fills both \(A\) and \(D\)$"):
        _rendered("Option", "$1", "", "", "M", "", "5", "6")
    with pytest.raises(ParseError, match=r"^p\.html:7: Table II row has 17 cells; Form 4 has 16 columns$"):
        _rendered(*["x"] * 17)


def test_legacy_typed_rows_are_transactions_only_with_a_code_or_date() -> None:
    layout = ("security_title", "transaction_code", "shares")
    rows = legacy_text._typed_rows([(["Common", "", "10"], 3), (["Common", "S", "5"], 4)], layout, "t.txt",
                                   "Table I", NonDerivativeRow)
    assert [(r.type, r.transaction_code, r.shares) for r in rows] == [
        ("holding", None, Decimal(10)), ("transaction", "S", Decimal(5))]
    with pytest.raises(ParseError, match=r"^t\.txt:9: Table I row has 1 columns, expected 3$"):
        legacy_text._typed_rows([(["Common"], 9)], layout, "t.txt", "Table I", NonDerivativeRow)


def _owner(name: str, kind: OwnerKind = "person") -> ReportingOwner:
    return ReportingOwner(cik=None, name=name, display_name=name, kind=kind)


def test_find_owner_shortens_a_titled_name_and_refuses_ambiguity() -> None:
    doe, roe = _owner("DOE JANE"), _owner("ROE RICHARD")
    assert find_owner("Jane Doe, Chief Executive Officer", [doe, roe]) is doe
    assert find_owner("J. Doe", [doe, roe]) is doe
    assert find_owner("Jane Doe", [doe, _owner("Doe Jane M")]) is None
    fund = _owner("Mithril Capital LP", "entity")
    assert find_owner("MITHRIL CAPITAL, L.P.", [doe, fund]) is fund
    assert find_owner("Someone Else", [doe, fund]) is None


def test_fetch_selection_checks_in_order() -> None:
    with pytest.raises(InsiderGraphError, match=r"^nothing to fetch: give --cik"):
        _selection([], [], [], None, None)
    with pytest.raises(InsiderGraphError, match=r"^--until 2024-01-01 is before --since 2024-02-01$"):
        _selection(["1"], [], [], date(2024, 2, 1), date(2024, 1, 1))
    with pytest.raises(InsiderGraphError, match=r"^--until without --since: give the first day too$"):
        _selection([], [], ["2024q1"], None, date(2024, 1, 1))
    assert _selection(["1"], [], [], None, date(2024, 1, 1)) == (["0000000001"], [], [])
