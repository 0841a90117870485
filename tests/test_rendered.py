"""Rendered forms (EDGAR HTML, its saved text, pre-2003 SGML text) read into the Filing model.

The facts asserted here are read off the pages by eye (the seed, the corpus pages, and
the fixtures written for these tests), or taken from the filing's XML twin.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from insidergraph.errors import ParseError, UnknownFormatError
from insidergraph.loaders import rendered
from insidergraph.model import (
    Address,
    DerivativeRow,
    Filing,
    Issuer,
    NonDerivativeRow,
    Relationship,
    ReportingOwner,
    Signature,
    Source,
)

FIXTURES = Path(__file__).parent / "fixtures" / "rendered"
SEED = "seeds/form4-sonus-gruber-2004.txt"
LEGACY = "corpus/text/0001094891-00-000193__plaintext.txt"

#: Each HTML rendering and its XML twin. The page named ...-024550 was saved from
#: .../000120919122024552/xslF345X03/doc4.xml (its "saved from" line) and shows that
#: filing's rows, so its twin is the 024552 XML.
TWINS = [
    ("html/0001127602-15-028697__GOOG__F4__xslF345X03.html",
     "xml/0001127602-15-028697__GOOG__F4__2015-10-02__Brin-Sergey.xml"),
    ("html/0001209191-22-024550__GOOG__F4__xslF345X03.html",
     "xml/0001209191-22-024552__GOOG__F4__2022-04-13__Sergey-Brin.xml"),
    ("html/edgartools__form3.snow.html", "xml/SNOW__F3__2020-09-15__GARRETT-MARK.xml"),
    ("html/edgartools__form5.snow.html", "xml/SNOW__F5__2022-01-31__McMahon-John-Dennis.xml"),
]


# --- the seed ---------------------------------------------------------------------------

def test_seed_parses_into_exactly_what_its_reader_sees(shared: Path) -> None:
    path = str(shared / SEED)
    owner = ReportingOwner(
        cik=None,
        name="GRUBER RUBIN",
        display_name="Rubin Gruber",
        kind="person",
        relationship=Relationship(is_director=True, is_officer=True, is_ten_percent_owner=False,
                                  is_other=False, officer_title="Founder", other_text=None),
        address=Address(street1="C/O SONUS NETWORKS, INC.", street2="250 APOLLO DRIVE",
                        city="CHELMSFORD", state="MA", zip_code="01824"),
    )
    expected = Filing(
        accession=None,
        document_type="4",
        issuer=Issuer(cik=None, name="SONUS NETWORKS INC", ticker="SONS"),
        source=Source(path=path, format="rendered-text"),
        period_of_report=date(2004, 9, 20),
        not_subject_to_section16=False,
        reporting_owners=(owner,),
        derivative=(DerivativeRow(
            type="transaction",
            security_title="Common Stock (option to buy)",
            exercise_price=Decimal("5.79"),
            transaction_date=date(2004, 9, 20),
            transaction_code="A",
            shares=Decimal("150000"),
            acquired_disposed="A",
            exercisable_date=date(2005, 9, 20),
            expiration_date=date(2014, 9, 20),
            underlying_title="Common Stock",
            underlying_shares=Decimal("150000"),
            price_per_share=Decimal("0"),
            shares_owned_following=Decimal("150000"),
            direct_indirect="D",
            footnotes={"exercisable_date": ("F1",)},
        ),),
        footnotes={"F1": "The option will vest as to 25% of the shares on 09/20/05. The remaining "
                         "shares will vest in equal monthly installments over the following "
                         "thirty-six months."},
        signatures=(Signature(text="Charles J. Gray as Attorney-in-fact for Rubin Gruber",
                              date=date(2004, 9, 22), signer="Charles J. Gray",
                              attorney_in_fact=True, on_behalf_of="GRUBER RUBIN"),),
    )
    assert rendered.parse(path) == expected


def test_seed_bytes_and_path_give_the_same_filing(shared: Path) -> None:
    data = (shared / SEED).read_bytes()
    from_bytes = rendered.parse_bytes(data, "seed.txt")
    from_path = rendered.parse(shared / SEED)
    assert dataclasses.replace(from_bytes, source=from_path.source) == from_path
    assert rendered.parse(data).source.path == "<bytes>"


def test_ticks_saved_as_bare_x_cells_read_the_same(shared: Path) -> None:
    text = (shared / SEED).read_text(encoding="utf-8")
    ticked = '<input checked="" type="checkbox"/>'
    saved = text.replace(f"{ticked} Director 10% Owner {ticked} Officer", "X\tDirector\t\t10% Owner\tX\tOfficer")
    assert saved != text
    rel = rendered.parse_bytes(saved.encode(), "x.txt").reporting_owners[0].relationship
    assert rel == Relationship(is_director=True, is_officer=True, officer_title="Founder")


# --- HTML renderings against their XML twins ---------------------------------------------

#: Fields a rendering cannot show, or shows only as the stylesheet prints them.
_NOT_RENDERED = {"cik", "on_behalf_of_cik", "source", "schema_version", "transaction_form_type",
                 "equity_swap_involved", "not_subject_to_section16", "no_securities_owned",
                 "submission_type", "filing_date", "documents", "accession"}


def _facts(value: Any) -> Any:
    """A comparable view: rendered fields only, text as a reader sees it (whitespace collapsed)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _facts(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in _NOT_RENDERED}
    if isinstance(value, (tuple, list)):
        return [_facts(v) for v in value]
    if isinstance(value, dict):
        return {k: _facts(v) for k, v in value.items()}
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, Decimal):
        return value.normalize()
    return value


@pytest.mark.parametrize("html, xml", TWINS, ids=[Path(h).stem for h, _ in TWINS])
def test_html_rendering_states_the_same_facts_as_its_xml(shared: Path, html: str, xml: str) -> None:
    from insidergraph.loaders import xml as xml_loader

    page = rendered.parse(shared / "corpus" / html)
    twin = xml_loader.parse(shared / "corpus" / xml)
    assert page.source.format == "html"
    assert page.issuer.cik is None and all(o.cik is None for o in page.reporting_owners)
    assert len(page.non_derivative) == len(twin.non_derivative)
    assert len(page.derivative) == len(twin.derivative)
    for mine, theirs in zip(page.non_derivative + page.derivative, twin.non_derivative + twin.derivative):
        assert _facts(mine) == _facts(theirs)
    assert _facts(page) == _facts(twin)


def test_saved_page_keeps_the_accession_of_the_filing_it_shows(shared: Path) -> None:
    page = rendered.parse(shared / "corpus" / TWINS[1][0])
    assert page.accession == "0001209191-22-024552"
    assert page.non_derivative[0].price_per_share == Decimal("2598.325")


# --- every corpus page parses, with facts read off the page --------------------------------

# file, form, ticker, first owner, owners, Table I rows, Table II rows, first signature date
PAGES = [
    ("0001127602-15-028697__GOOG__F4__xslF345X03.html", "4", "GOOG", "Brin Sergey", 1, 19, 1, date(2015, 10, 5)),
    ("0001209191-22-024550__GOOG__F4__xslF345X03.html", "4", "GOOG", "Sergey Brin", 1, 6, 3, date(2022, 4, 15)),
    ("edgar4j__MSFT_Form4_Example.html", "4", "MSFT", "List Teri L.", 1, 1, 1, date(2016, 6, 3)),
    ("edgartools__374WaterForm4.html", "4", "SCWO", "Melkote Rajesh Ramaswamy", 1, 1, 1, date(2025, 5, 2)),
    ("edgartools__form3.BAMPartners.html", "3", "TRTN", "BROOKFIELD Corp /ON/", 10, 1, 0, date(2023, 10, 10)),
    ("edgartools__form3.snow.html", "3", "SNOW", "GARRETT MARK", 1, 0, 6, date(2020, 9, 15)),
    ("edgartools__form4.Evans.html", "4", "EVBN", "SULLIVAN NORA B", 1, 1, 0, date(2023, 1, 26)),
    ("edgartools__form5.snow.html", "5", "SNOW", "McMahon John Dennis", 1, 3, 0, date(2022, 3, 11)),
]


@pytest.mark.parametrize("name, form, ticker, owner, n_owners, n1, n2, signed", PAGES,
                         ids=[p[0] for p in PAGES])
def test_every_corpus_page_parses(shared: Path, name: str, form: str, ticker: str, owner: str,
                                  n_owners: int, n1: int, n2: int, signed: date) -> None:
    path = shared / "corpus" / "html" / name
    assert rendered.sniff(path.read_bytes())
    f = rendered.parse(path)
    assert (f.document_type, f.issuer.ticker, f.reporting_owners[0].name) == (form, ticker, owner)
    assert (len(f.reporting_owners), len(f.non_derivative), len(f.derivative)) == (n_owners, n1, n2)
    assert f.signatures[0].date == signed
    assert f.period_of_report is not None and f.source.format == "html"
    assert all(r.type == "holding" for r in f.non_derivative + f.derivative) == (form == "3")


def test_officer_title_from_the_row_under_the_labels(shared: Path) -> None:
    f = rendered.parse(shared / "corpus/html/edgartools__374WaterForm4.html")
    rel = f.reporting_owners[0].relationship
    assert (rel.is_officer, rel.is_director, rel.officer_title) == (True, False, "Chief Technology Officer")
    assert f.aff10b5one is False  # the Rule 10b5-1 box is printed and empty
    option = f.derivative[0]
    assert option.exercise_price == Decimal("0.33") and option.expiration_date == date(2035, 4, 29)
    assert option.exercisable_date is None and option.footnotes["exercisable_date"] == ("F1",)


def test_joint_form3_lists_every_owner_once_with_box4_for_the_first(shared: Path) -> None:
    f = rendered.parse(shared / "corpus/html/edgartools__form3.BAMPartners.html")
    names = [o.name for o in f.reporting_owners]
    assert names[:3] == ["BROOKFIELD Corp /ON/", "BAM Partners Trust", "BIPC Holding LP"]
    assert names[-1] == "BIF V Thanos Carry L.P." and len(set(names)) == 10
    assert all(o.kind == "entity" for o in f.reporting_owners)
    assert f.reporting_owners[0].relationship.is_ten_percent_owner
    assert f.reporting_owners[0].address == Address(
        street1="BROOKFIELD PLACE", street2="181 BAY ST SUITE 100", city="TORONTO ONTARIO",
        state="A6", zip_code="M5J2T3")
    row = f.non_derivative[0]
    assert row.shares_owned_following == Decimal("101158891")
    assert row.footnotes == {"shares_owned_following": ("F1",), "nature_of_ownership": ("F2", "F3")}


# --- the pre-2003 SGML text filing ---------------------------------------------------------

def test_legacy_text_reads_header_boxes_and_typed_table(shared: Path) -> None:
    f = rendered.parse(shared / LEGACY)
    assert f.source.format == "legacy-text"
    assert (f.accession, f.document_type, f.submission_type) == ("0001094891-00-000193", "4", "4")
    assert (f.period_of_report, f.filing_date) == (date(2000, 2, 29), date(2000, 3, 14))
    assert f.issuer == Issuer(cik="0000911787", name="Productivity Technologies Corp.", ticker="PRAC")
    (owner,) = f.reporting_owners
    assert (owner.cik, owner.name, owner.kind) == ("0001050609", "FOSTER ALAN H", "person")
    assert owner.relationship == Relationship(is_director=True)
    assert owner.address == Address(street1="c/o Productivity Technologies Corp.",
                                    street2="520 Madison Avenue", city="New York", state="NY",
                                    zip_code="10022")
    assert f.non_derivative == () and f.not_subject_to_section16 is False
    (row,) = f.derivative
    assert row == DerivativeRow(
        type="transaction", security_title="Options to Purchase Common Stock",
        exercise_price=Decimal("1.375"), transaction_date=date(2000, 2, 7), transaction_code="A",
        transaction_timeliness="E", shares=Decimal("12000"), acquired_disposed="A",
        exercisable_date=date(2000, 2, 7), expiration_date=date(2005, 2, 7),
        underlying_title="Common Stock", underlying_shares=Decimal("12000"),
        shares_owned_following=Decimal("12000"), direct_indirect="D")
    (sig,) = f.signatures
    assert (sig.text, sig.date, sig.signer, sig.attorney_in_fact) == (
        "/s/ Alan H. Foster", date(2000, 3, 13), "Alan H. Foster", False)


# --- fixtures written in the seed's style ---------------------------------------------------

def test_fixture_weighted_average_sales_and_trust_holding() -> None:
    f = rendered.parse(FIXTURES / "form4-halvorsen-weighted-sales.txt")
    assert (f.document_type, f.issuer.name, f.issuer.ticker) == ("4", "NORTHWIND ROBOTICS, INC.", "NWRB")
    assert f.period_of_report == date(2023, 3, 14) and f.date_of_original_submission is None
    (owner,) = f.reporting_owners
    assert owner.relationship == Relationship(is_director=True, is_ten_percent_owner=True)
    assert owner.address == Address(street1="C/O NORTHWIND ROBOTICS, INC.", street2="1200 HARBOR BOULEVARD",
                                    city="OAKLAND", state="CA", zip_code="94607")
    sales = [(r.transaction_date, r.transaction_code, r.shares, r.acquired_disposed, r.price_per_share,
              r.shares_owned_following, r.direct_indirect, dict(r.footnotes)) for r in f.non_derivative[:4]]
    assert sales == [
        (date(2023, 3, 14), "S", Decimal("12500"), "D", Decimal("41.2734"), Decimal("1987500"), "D",
         {"price_per_share": ("F1",)}),
        (date(2023, 3, 14), "S", Decimal("7500"), "D", Decimal("42.0518"), Decimal("1980000"), "D",
         {"price_per_share": ("F2",)}),
        (date(2023, 3, 15), "S", Decimal("5000"), "D", Decimal("40.99"), Decimal("1975000"), "D",
         {"shares": ("F3",), "price_per_share": ("F4",)}),
        (date(2023, 3, 15), "S", Decimal("20000"), "D", Decimal("41.5"), Decimal("480000"), "I",
         {"price_per_share": ("F4",), "nature_of_ownership": ("F5",)}),
    ]
    assert f.non_derivative[3].nature_of_ownership == "By Halvorsen Family Trust"
    assert f.non_derivative[4] == NonDerivativeRow(
        type="holding", security_title="Common Stock", shares_owned_following=Decimal("250000"),
        direct_indirect="I", nature_of_ownership="By spouse")
    assert f.derivative == ()
    assert sorted(f.footnotes) == ["F1", "F2", "F3", "F4", "F5"]
    assert f.footnotes["F3"] == ("Sold pursuant to a Rule 10b5-1 trading plan adopted by the "
                                 "reporting person on November 2, 2022.")
    (sig,) = f.signatures
    assert (sig.signer, sig.date, sig.attorney_in_fact) == ("Karin M. Halvorsen", date(2023, 3, 16), False)


def test_fixture_amended_joint_filing_with_option_exercise() -> None:
    f = rendered.parse(FIXTURES / "form4a-okafor-joint-exercise.txt")
    assert f.document_type == "4/A" and f.date_of_original_submission == date(2022, 11, 4)
    officer, trust = f.reporting_owners
    assert officer.relationship == Relationship(
        is_officer=True, is_other=True, officer_title="EVP, Chief Financial Officer",
        other_text="Member of 13(d) group")
    assert (trust.name, trust.kind, trust.relationship) == ("OKAFOR 2019 IRREVOCABLE TRUST", "entity", Relationship())
    assert trust.address == Address(street1="88 CEDAR LANE", city="PRINCETON", state="NJ", zip_code="08540")
    withheld = f.non_derivative[1]
    assert (withheld.transaction_code, withheld.deemed_execution_date, withheld.shares) == (
        "F", date(2022, 11, 3), Decimal("3712"))
    assert withheld.footnotes == {"transaction_code": ("F1",), "shares": ("F2",)}
    exercise, rsu = f.derivative
    assert (exercise.shares, exercise.acquired_disposed, exercise.exercise_price) == (
        Decimal("10000"), "D", Decimal("12.5"))
    assert (exercise.exercisable_date, exercise.expiration_date) == (None, date(2029, 2, 15))
    assert exercise.footnotes == {"exercisable_date": ("F4",)}
    assert (rsu.type, rsu.exercise_price, rsu.shares, rsu.shares_owned_following) == (
        "holding", None, None, Decimal("8000"))
    assert rsu.footnotes == {"exercise_price": ("F5",), "exercisable_date": ("F6",), "expiration_date": ("F6",)}
    assert len(f.footnotes) == 6 and f.remarks is not None and f.remarks.endswith("Power of Attorney")
    assert [(s.signer, s.date, s.attorney_in_fact) for s in f.signatures] == [
        ("Maria Lindqvist", date(2022, 11, 7), True)] * 2
    assert f.signatures[0].text.endswith("for Adaeze N. Okafor")


def test_fixture_form3_of_a_ten_percent_owner_fund() -> None:
    f = rendered.parse(FIXTURES / "form3-briarwood-fund.txt")
    assert (f.document_type, f.period_of_report, f.not_subject_to_section16) == ("3", date(2021, 6, 10), None)
    assert f.issuer == Issuer(cik=None, name="Quillfeather Software, Inc.", ticker="QFS")
    (fund,) = f.reporting_owners
    assert (fund.name, fund.kind) == ("BRIARWOOD VENTURES IV, L.P.", "entity")
    assert fund.relationship == Relationship(is_ten_percent_owner=True)
    assert f.non_derivative == (NonDerivativeRow(
        type="holding", security_title="Class A Common Stock",
        shares_owned_following=Decimal("1250000"), direct_indirect="D"),)
    preferred, warrant = f.derivative
    assert preferred == DerivativeRow(
        type="holding", security_title="Series C Preferred Stock", underlying_title="Class B Common Stock",
        underlying_shares=Decimal("3400000"), direct_indirect="I",
        nature_of_ownership="By Briarwood Ventures IV Annex Fund, L.P.",
        footnotes={"exercisable_date": ("F1",), "expiration_date": ("F1",), "underlying_title": ("F2",),
                   "exercise_price": ("F1",), "nature_of_ownership": ("F3",)})
    assert (warrant.exercise_price, warrant.exercisable_date, warrant.expiration_date) == (
        Decimal("8.25"), date(2021, 6, 10), date(2026, 6, 10))
    assert f.remarks == "Exhibit 24 - Power of Attorney"
    (sig,) = f.signatures
    assert sig.date == date(2021, 6, 14) and sig.text.startswith("BRIARWOOD VENTURES IV, L.P., By:")


# --- what is not a whole form is an error, never a half-filled Filing -------------------------

def _one_line(err: pytest.ExceptionInfo[ParseError]) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


def test_seed_cut_in_half_is_a_one_line_error(shared: Path) -> None:
    data = (shared / SEED).read_bytes()
    with pytest.raises(ParseError) as err:
        rendered.parse_bytes(data[: len(data) // 2], "half.txt")
    assert _one_line(err).startswith("half.txt: ") and "signature block" in str(err.value)


def test_html_page_cut_before_its_signatures_is_an_error(shared: Path) -> None:
    data = (shared / "corpus/html/edgartools__form5.snow.html").read_bytes()
    cut = data[: data.index(b"Explanation of Responses")]
    with pytest.raises(ParseError) as err:
        rendered.parse_bytes(cut, "cut.html")
    assert "signature block" in _one_line(err)


def test_legacy_text_without_its_tables_is_an_error(shared: Path) -> None:
    data = (shared / LEGACY).read_bytes()
    cut = data[: data.index(b"<TABLE>")] + b"</TEXT>\n</DOCUMENT>\n"
    with pytest.raises(ParseError) as err:
        rendered.parse_bytes(cut, "cut.txt")
    assert "Table" in _one_line(err)


def test_unrelated_text_is_an_unknown_format() -> None:
    text = b"Minutes of the annual meeting.\nThe board approved the budget.\n"
    assert not rendered.sniff(text)
    with pytest.raises(UnknownFormatError) as err:
        rendered.parse_bytes(text, "minutes.txt")
    assert _one_line(err).startswith("minutes.txt: not a rendered Form 3, 4 or 5")


def test_ownership_xml_is_not_sniffed_as_a_rendering(shared: Path) -> None:
    xml = (shared / "corpus" / TWINS[0][1]).read_bytes()
    assert not rendered.sniff(xml)
    assert rendered.sniff((shared / SEED).read_bytes())
    assert rendered.sniff((shared / LEGACY).read_bytes())


def test_row_with_too_many_cells_names_its_line(shared: Path) -> None:
    lines = (shared / SEED).read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("Common Stock (option to buy)"))
    lines[at] = lines[at] + "\tEXTRA\tCELLS"
    with pytest.raises(ParseError) as err:
        rendered.parse_bytes("\n".join(lines).encode(), "extra.txt")
    assert _one_line(err).startswith(f"extra.txt:{at + 1}: Table II row has 18 cells")


def test_unreadable_amount_is_an_error_not_a_silent_none(shared: Path) -> None:
    text = (shared / SEED).read_text(encoding="utf-8").replace("\\$5.79", "five-ish")
    with pytest.raises(ParseError) as err:
        rendered.parse_bytes(text.encode(), "bad.txt")
    assert "exercise_price: not a number: 'five-ish'" in _one_line(err)
