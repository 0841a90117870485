"""The ownershipDocument XML loader on every real filing of the corpus.

Totals and per-file values are checked against an independent reading of the same
files with the standard library's ``xml.etree.ElementTree`` (path lookups, not the
loader's single-pass walk), and exact facts are asserted for filings chosen for
their traits.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from insidergraph.errors import ParseError
from insidergraph.loaders import xml as xml_loader
from insidergraph.model import DerivativeRow, Filing, NonDerivativeRow

BAD = Path(__file__).parent / "fixtures" / "bad"


# --- the corpus, parsed once -------------------------------------------------------


@pytest.fixture(scope="module")
def xml_files(corpus: Path) -> list[Path]:
    files = sorted((corpus / "xml").glob("*.xml"))
    assert len(files) == 633
    return files


@pytest.fixture(scope="module")
def parsed(xml_files: list[Path]) -> dict[Path, Filing]:
    return {path: xml_loader.parse(path) for path in xml_files}


def by_name(parsed: dict[Path, Filing], prefix: str) -> Filing:
    matches = [f for p, f in parsed.items() if p.name.startswith(prefix)]
    assert len(matches) == 1, prefix
    return matches[0]


# --- the independent reading ---------------------------------------------------------

TRUE = {"1", "true"}
ROW_TAGS = {
    "nonDerivativeTransaction": "non_derivative",
    "nonDerivativeHolding": "non_derivative",
    "derivativeTransaction": "derivative",
    "derivativeHolding": "derivative",
}
# Model field -> ElementTree path of the element holding <value>/<footnoteId>.
VALUE_PATHS = {
    "security_title": "securityTitle",
    "exercise_price": "conversionOrExercisePrice",
    "transaction_date": "transactionDate",
    "shares": "transactionAmounts/transactionShares",
    "price_per_share": "transactionAmounts/transactionPricePerShare",
    "acquired_disposed": "transactionAmounts/transactionAcquiredDisposedCode",
    "exercisable_date": "exerciseDate",
    "expiration_date": "expirationDate",
    "underlying_title": "underlyingSecurity/underlyingSecurityTitle",
    "underlying_shares": "underlyingSecurity/underlyingSecurityShares",
    "shares_owned_following": "postTransactionAmounts/sharesOwnedFollowingTransaction",
    "direct_indirect": "ownershipNature/directOrIndirectOwnership",
    "nature_of_ownership": "ownershipNature/natureOfOwnership",
}
NUMBER_FIELDS = {"exercise_price", "shares", "price_per_share", "underlying_shares", "shares_owned_following"}
DATE_FIELDS = {"transaction_date", "exercisable_date", "expiration_date"}


def independent(path: Path) -> dict[str, Any]:
    """What the file holds, read with ElementTree path lookups."""
    root = ET.parse(path).getroot()
    owners = root.findall("reportingOwner")
    rows: dict[str, list[dict[str, Any]]] = {"non_derivative": [], "derivative": []}
    for table in ("nonDerivativeTable", "derivativeTable"):
        for el in root.findall(f"{table}/*"):
            if el.tag not in ROW_TAGS:
                continue
            row: dict[str, Any] = {"type": "transaction" if el.tag.endswith("Transaction") else "holding"}
            for field, sub in VALUE_PATHS.items():
                holder = el.find(sub)
                text = holder.findtext("value") if holder is not None else None
                text = text.strip() if text else None
                if text and field in NUMBER_FIELDS:
                    row[field] = Decimal(text)
                elif text and field in DATE_FIELDS:
                    row[field] = date.fromisoformat(text[:10])
                else:
                    row[field] = text or None
            row["transaction_code"] = el.findtext("transactionCoding/transactionCode")
            row["footnote_ids"] = sorted(f.get("id") for f in el.iter("footnoteId"))
            rows[ROW_TAGS[el.tag]].append(row)
    return {
        "owners": len(owners),
        "owner_ciks": [o.findtext("reportingOwnerId/rptOwnerCik").strip() for o in owners],
        "flags": {
            flag: sum((o.findtext(f"reportingOwnerRelationship/{flag}") or "").strip() in TRUE for o in owners)
            for flag in ("isDirector", "isOfficer", "isTenPercentOwner", "isOther")
        },
        "rows": rows,
        "footnotes": {f.get("id"): (f.text or "").strip() for f in root.findall("footnotes/footnote")},
        "signatures": [s.findtext("signatureName").strip() for s in root.findall("ownerSignature")],
        # Elements that carry a footnote reference but no <value> at all.
        "footnote_only": sum(
            1
            for el in root.iter()
            if el.tag != "transactionCoding" and el.find("footnoteId") is not None and el.find("value") is None
        ),
    }


@pytest.fixture(scope="module")
def expected(xml_files: list[Path]) -> dict[Path, dict[str, Any]]:
    return {path: independent(path) for path in xml_files}


# --- corpus-wide agreement -----------------------------------------------------------


def test_totals_equal_the_issue_and_the_independent_count(
    parsed: dict[Path, Filing], expected: dict[Path, dict[str, Any]]
) -> None:
    filings = list(parsed.values())
    assert sum(len(f.derivative) for f in filings) == 702
    assert sum(len(f.non_derivative) for f in filings) == 3463
    assert sum(len(f.footnotes) for f in filings) == 3660
    assert sum(len(f.reporting_owners) for f in filings) == sum(e["owners"] for e in expected.values())
    assert sum(len(f.signatures) for f in filings) == sum(len(e["signatures"]) for e in expected.values())
    for attr, flag in (
        ("is_director", "isDirector"),
        ("is_officer", "isOfficer"),
        ("is_ten_percent_owner", "isTenPercentOwner"),
        ("is_other", "isOther"),
    ):
        ours = sum(getattr(o.relationship, attr) for f in filings for o in f.reporting_owners)
        assert ours == sum(e["flags"][flag] for e in expected.values()), attr


def test_every_filing_matches_the_independent_reading_field_by_field(
    parsed: dict[Path, Filing], expected: dict[Path, dict[str, Any]]
) -> None:
    for path, filing in parsed.items():
        exp = expected[path]
        assert [o.cik for o in filing.reporting_owners] == exp["owner_ciks"], path.name
        assert dict(filing.footnotes) == exp["footnotes"], path.name
        assert [s.text for s in filing.signatures] == exp["signatures"], path.name
        for table in ("non_derivative", "derivative"):
            ours = getattr(filing, table)
            assert len(ours) == len(exp["rows"][table]), (path.name, table)
            for row, want in zip(ours, exp["rows"][table]):
                assert row.type == want["type"], path.name
                assert row.transaction_code == want["transaction_code"], path.name
                for field in VALUE_PATHS:
                    assert getattr(row, field, None) == want[field], (path.name, field)
                ids = sorted(i for ids in row.footnotes.values() for i in ids)
                assert ids == want["footnote_ids"], path.name


def test_values_given_only_by_a_footnote_are_none_with_their_ids(
    parsed: dict[Path, Filing], expected: dict[Path, dict[str, Any]]
) -> None:
    footnote_only = 0
    for filing in parsed.values():
        for row in filing.non_derivative + filing.derivative:  # type: ignore[operator]
            for field, ids in row.footnotes.items():
                if field != "transaction_code" and getattr(row, field, None) is None:
                    assert ids
                    footnote_only += 1
    assert footnote_only == sum(e["footnote_only"] for e in expected.values()) == 1970


def test_every_row_footnote_id_is_defined_in_its_filing(parsed: dict[Path, Filing]) -> None:
    undefined = {
        (p.name, i)
        for p, f in parsed.items()
        for row in f.non_derivative + f.derivative  # type: ignore[operator]
        for ids in row.footnotes.values()
        for i in ids
        if i not in f.footnotes
    }
    assert not undefined


def test_every_schema_version_of_the_corpus_is_read(parsed: dict[Path, Filing]) -> None:
    versions = {f.schema_version for f in parsed.values()}
    assert versions == {"X0203", "X0204", "X0206", "X0303", "X0304", "X0305", "X0306", "X0407", "X0508"}


# --- exact facts of chosen filings -------------------------------------------------------


def test_zone_suffixed_dates_and_true_false_flags_x0306(parsed: dict[Path, Filing]) -> None:
    f = by_name(parsed, "BICX__F4__2021-09-30-0500__GALLIGAN-JOSEPH-J")
    assert f.schema_version == "X0306"
    assert f.accession is None  # the file name holds no accession number
    assert f.period_of_report == date(2021, 9, 30)
    owner = f.reporting_owners[0]
    assert (owner.cik, owner.name) == ("0001198613", "GALLIGAN JOSEPH J")
    assert owner.relationship.is_director is True and owner.relationship.is_officer is False
    row = f.non_derivative[0]
    assert row.security_title == "Common Stock, par value $0.001"
    assert row.transaction_date == date(2021, 9, 30)
    assert (row.shares, row.price_per_share, row.shares_owned_following) == (
        Decimal("1381"),
        Decimal("0"),
        Decimal("35248"),
    )
    assert f.signatures[0].text == "/s/ Joseph J. Galligan"
    assert f.signatures[0].date == date(2021, 10, 26)


def test_eight_owners_eight_signatures_and_foreign_states(parsed: dict[Path, Filing]) -> None:
    f = by_name(parsed, "0001493152-25-009612__BETR")
    assert f.accession == "0001493152-25-009612"
    assert f.issuer.name == "Better Home & Finance Holding Co"
    assert len(f.reporting_owners) == 8 and len(f.signatures) == 8
    assert all(o.relationship.is_ten_percent_owner for o in f.reporting_owners)
    states = [(o.address.state, o.address.state_description) for o in f.reporting_owners if o.address]
    assert states[0] == ("M0", "JAPAN")
    assert states[1] == ("X0", "UNITED KINGDOM")
    assert ("U0", "SINGAPORE") in states and ("E9", "CAYMAN ISLANDS") in states
    assert states[4] == ("DE", None)  # empty description is absent, not ""
    assert f.reporting_owners[4].name == "SVF II Holdings (DE) LLC"
    assert f.reporting_owners[0].kind == "entity"
    assert f.signatures[7].text == "SB Northstar LP By : /s/ Stephen Lam, Director"


def test_seven_owners_on_a_form_3_x0206(parsed: dict[Path, Filing]) -> None:
    f = by_name(parsed, "0000899243-21-036608__BKSY")
    assert (f.document_type, f.schema_version) == ("3", "X0206")
    assert len(f.reporting_owners) == 7 and len(f.signatures) == 7
    assert f.reporting_owners[6].cik == "0001211060"
    assert f.reporting_owners[6].name == "THIEL PETER"
    assert f.reporting_owners[6].kind == "person"
    assert f.signatures[5].text == "/s/ Peter Thiel"
    assert set(f.footnotes) == {"F1", "F2", "F3", "F4"}


def test_see_remarks_title_is_kept_with_the_remarks(parsed: dict[Path, Filing]) -> None:
    f = by_name(parsed, "0001562180-25-000280__TSVT")
    rel = f.reporting_owners[0].relationship
    assert rel.officer_title == "See Remarks" and rel.is_officer is True and rel.is_director is False
    assert rel.other_text is None  # <otherText/>
    assert f.remarks == "Title: Senior Vice President of Quality and Enabling Functions"
    assert f.not_subject_to_section16 is False and f.aff10b5one is False
    nd, d = f.non_derivative[0], f.derivative[0]
    assert nd.shares == Decimal("106150.00") and str(nd.shares) == "106150.00"
    assert nd.footnotes == {"security_title": ("F1",)}
    assert d.exercise_price == Decimal("2.64")
    assert d.exercisable_date is None and d.footnotes["exercisable_date"] == ("F2",)
    assert d.expiration_date == date(2035, 1, 6)
    assert d.equity_swap_involved is False


def test_footnote_only_exercise_price_and_other_text_x0508(parsed: dict[Path, Filing]) -> None:
    f = by_name(parsed, "0000002488-24-000005__AMD")
    owner = f.reporting_owners[0]
    assert owner.relationship.is_other and owner.relationship.other_text == "Chief Accounting Officer"
    assert owner.address is not None and owner.address.street2 is None
    d = f.derivative[0]
    assert d.security_title == "Restricted Stock Units"
    assert d.exercise_price is None and d.footnotes["exercise_price"] == ("F2",)
    assert d.footnotes["exercisable_date"] == ("F3",) and d.footnotes["expiration_date"] == ("F3",)
    assert d.underlying_shares == Decimal("472")
    assert f.non_derivative[1].price_per_share == Decimal("146.56")
    assert f.non_derivative[1].footnotes == {"shares": ("F1",)}


def test_amendment_with_date_of_original_submission(parsed: dict[Path, Filing]) -> None:
    f = by_name(parsed, "0000707549-25-000004__LRCX")
    assert f.document_type == "4/A" and f.is_amendment
    assert f.date_of_original_submission == date(2024, 11, 4)
    assert f.non_derivative[1].nature_of_ownership == "by trust"
    assert f.non_derivative[1].footnotes == {"direct_indirect": ("F1",)}
    assert f.remarks is not None and f.remarks.startswith("Adjusted to reflect a ten-for-one")


def test_de_suffixed_bank_owner_and_not_subject_to_section_16(parsed: dict[Path, Filing]) -> None:
    f = by_name(parsed, "APVO__F4__2025-10-01__BANK-OF-AMERICA-CORP-DE")
    assert f.not_subject_to_section16 is True
    names = [o.name for o in f.reporting_owners]
    assert names == ["BANK OF AMERICA CORP /DE/", "BANK OF AMERICA NA", "BOFA SECURITIES, INC."]
    assert next(o.cik for o in f.reporting_owners) == "0000070858"
    assert all(o.kind == "entity" for o in f.reporting_owners)


def test_oldest_schema_x0203_form_3_holdings(parsed: dict[Path, Filing]) -> None:
    f = by_name(parsed, "0001181431-10-034759__TSLA")
    assert (f.schema_version, f.document_type) == ("X0203", "3")
    assert f.no_securities_owned is False
    assert f.issuer.name == "TESLA MOTORS INC"
    rel = f.reporting_owners[0].relationship
    assert rel.officer_title == "Pres, Prod Architect & Chairmn"
    assert f.non_derivative[0].type == "holding"
    assert f.non_derivative[0].shares_owned_following == Decimal("2666666")
    series_a = f.derivative[0]
    assert series_a.security_title == "Series A Preferred Stock"
    assert series_a.exercise_price is None and series_a.footnotes["exercise_price"] == ("F1",)
    assert series_a.underlying_shares == Decimal("4880343")


def test_x0203_trust_owner_with_ampersand(parsed: dict[Path, Filing]) -> None:
    f = by_name(parsed, "0001181431-11-030813__LNKD")
    trust = f.reporting_owners[1]
    assert trust.name == "Reid Hoffman & Michelle Yee Living Trust"
    assert trust.kind == "entity"
    holding = f.derivative[0]
    assert holding.footnotes["underlying_title"] == ("F1",)
    assert holding.footnotes["nature_of_ownership"] == ("F2",)


def test_form_5_with_transaction_coding_footnotes(parsed: dict[Path, Filing]) -> None:
    f = by_name(parsed, "0000899243-22-006240__TSLA")
    assert f.document_type == "5"
    row = f.non_derivative[0]
    assert (row.transaction_form_type, row.transaction_code) == ("5", "G")
    assert row.footnotes["transaction_code"] == ("F1",)
    assert row.transaction_timeliness is None  # <value></value>
    assert row.price_per_share == Decimal("0.00") and str(row.price_per_share) == "0.00"
    assert row.shares_owned_following == Decimal("175418251")


def test_no_securities_owned_form_3(parsed: dict[Path, Filing]) -> None:
    f = by_name(parsed, "0000899243-21-017509__EDR")
    assert f.no_securities_owned is True
    assert f.non_derivative == () and f.derivative == ()
    assert f.signatures[0].attorney_in_fact is True


def test_x0304_derivative_transactions(parsed: dict[Path, Filing]) -> None:
    f = by_name(parsed, "0001209191-11-061699__ZNGA")
    assert f.schema_version == "X0304"
    first = f.derivative[0]
    assert first.exercise_price == Decimal("0.00")
    assert first.exercisable_date is None and first.footnotes["exercisable_date"] == ("F1", "F2")
    assert first.expiration_date == date(2017, 4, 15)
    assert first.underlying_title == "Class B Common Stock"


def test_x0407_holdings_with_two_footnotes_on_nature(parsed: dict[Path, Filing]) -> None:
    f = by_name(parsed, "0001062993-23-012371__U")
    assert f.schema_version == "X0407"
    assert f.non_derivative[0].footnotes["transaction_code"] == ("F1",)
    holding = f.non_derivative[1]
    assert holding.type == "holding"
    assert holding.nature_of_ownership == "Sequoia Capital Global Growth Fund III - Endurance Partners, L.P."
    assert holding.footnotes["nature_of_ownership"] == ("F2", "F3")


def test_foreign_province_owner(parsed: dict[Path, Filing]) -> None:
    owner = by_name(parsed, "0000899243-20-033648__ABCL").reporting_owners[0]
    assert owner.address is not None
    assert (owner.address.city, owner.address.state) == ("VANCOUVER", "A1")
    assert owner.address.state_description == "BRITISH COLUMBIA, CANADA"


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("empty.xml", 1, "empty"),
        ("not-a-filing.txt", 1, "Start tag expected"),
        ("malformed.xml", 7, "malformed XML"),
        ("truncated.xml", 14, "Premature end of data"),
        ("wrong-root.xml", 2, "root element is <edgarSubmission>"),
        ("xxe.xml", 2, "DOCTYPE declares entities"),
        ("billion-laughs.xml", 2, "DOCTYPE declares entities"),
        ("bad-date.xml", 5, "not a date: '2024-13-45'"),
        ("not-a-form.xml", 4, "documentType '8-K'"),
    ],
)
def test_bad_xml_fails_with_its_line(name: str, line: int, words: str) -> None:
    with pytest.raises(ParseError) as info:
        xml_loader.parse(BAD / name)
    assert info.value.line == line
    assert words in info.value.message
    assert str(info.value).startswith(f"{BAD / name}:{line}: ")


def test_the_parser_itself_never_expands_or_fetches_entities() -> None:
    # Second line of defence, without the DOCTYPE check: lxml with these settings
    # either refuses (libxml2's amplification guard) or leaves the entity unexpanded.
    for name in ("billion-laughs.xml", "xxe.xml"):
        try:
            root = etree.fromstring((BAD / name).read_bytes(), xml_loader._PARSER)
        except etree.XMLSyntaxError:
            continue
        remarks = root.find("remarks")
        text = "".join(remarks.itertext()) if remarks is not None else ""
        assert "lollol" not in text and "root:" not in text


def test_lone_cr_line_ends_give_the_files_lines(tmp_path: Path) -> None:
    data = (BAD / "malformed.xml").read_bytes().replace(b"\n", b"\r")
    path = tmp_path / "cr.xml"
    path.write_bytes(data)
    with pytest.raises(ParseError) as info:
        xml_loader.parse(path)
    assert info.value.line == 7


def test_namespaced_documents_are_read_by_local_name() -> None:
    data = (
        b'<ownershipDocument xmlns="urn:example"><documentType>4</documentType>'
        b"<issuer><issuerCik>320193</issuerCik></issuer></ownershipDocument>"
    )
    f = xml_loader.parse_bytes(data, "ns.xml")
    assert (f.document_type, f.issuer.cik) == ("4", "0000320193")


def test_rows_are_the_model_classes(parsed: dict[Path, Filing]) -> None:
    f = by_name(parsed, "0000002488-24-000005__AMD")
    assert isinstance(f.non_derivative[0], NonDerivativeRow)
    assert isinstance(f.derivative[0], DerivativeRow)


# --- Form 5: holdings and transactions already reported on Form 3 or 4 ---------------

FORM5 = """<?xml version="1.0"?>
<ownershipDocument>
    <schemaVersion>X0306</schemaVersion>
    <documentType>5</documentType>
    <periodOfReport>2023-12-31</periodOfReport>
    {flags}
    <issuer><issuerCik>0000999991</issuerCik><issuerName>Fixture Corp</issuerName>
        <issuerTradingSymbol>FIX</issuerTradingSymbol></issuer>
    <reportingOwner>
        <reportingOwnerId><rptOwnerCik>0000999992</rptOwnerCik><rptOwnerName>Doe Jane</rptOwnerName></reportingOwnerId>
        <reportingOwnerRelationship><isDirector>1</isDirector></reportingOwnerRelationship>
    </reportingOwner>
    <ownerSignature><signatureName>Jane Doe</signatureName><signatureDate>2024-02-01</signatureDate></ownerSignature>
</ownershipDocument>
"""


@pytest.mark.parametrize(("flags", "expected"), [
    ("<form3HoldingsReported>1</form3HoldingsReported><form4TransactionsReported>0</form4TransactionsReported>",
     (True, False)),
    ("<form3HoldingsReported>false</form3HoldingsReported><form4TransactionsReported>true</form4TransactionsReported>",
     (False, True)),
    ("<form3HoldingsReported/><form4TransactionsReported> </form4TransactionsReported>", (None, None)),
    ("", (None, None)),
])
def test_form_5_says_whether_holdings_and_transactions_were_on_forms_3_and_4(
        tmp_path: Path, flags: str, expected: tuple[bool | None, bool | None]) -> None:
    path = tmp_path / "0000999992-24-000001__FIX__F5.xml"
    path.write_text(FORM5.format(flags=flags))
    f = xml_loader.parse(path)
    assert (f.form3_holdings_reported, f.form4_transactions_reported) == expected


def test_form_5_reported_flags_of_the_corpus_match_the_independent_reading(parsed: dict[Path, Filing]) -> None:
    values = {"0": False, "false": False, "1": True, "true": True}
    given = 0
    for path, filing in parsed.items():
        root = ET.parse(path).getroot()
        for tag, attr in (("form3HoldingsReported", "form3_holdings_reported"),
                          ("form4TransactionsReported", "form4_transactions_reported")):
            text = (root.findtext(tag) or "").strip()
            given += bool(text)
            assert getattr(filing, attr) == (values[text] if text else None), (path.name, tag)
    assert given == 8  # four Form 5s (Musk's two, Botha, McMahon) state both, each "0"
    musk = by_name(parsed, "0000899243-22-006240__TSLA")
    assert (musk.form3_holdings_reported, musk.form4_transactions_reported) == (False, False)


def test_an_accession_less_form_5_keeps_the_id_stores_gave_it_before_its_flags_were_read(
        parsed: dict[Path, Filing]) -> None:
    from dataclasses import replace

    from insidergraph.graph.ids import filing_id

    mcmahon = by_name(parsed, "SNOW__F5")
    assert mcmahon.accession is None and mcmahon.form3_holdings_reported is False
    before = replace(mcmahon, form3_holdings_reported=None, form4_transactions_reported=None)
    assert filing_id(mcmahon) == filing_id(before)  # tests/data/golden/corpus.json pins the graph too
