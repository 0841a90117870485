"""Entity resolution, one test per rule README.md states ("Entity resolution", "The graph").

Each test builds the few filings its rule needs and asks :func:`insidergraph.graph.resolve.resolve`
what they resolved to: the step is pure, so no table is involved.
"""

from __future__ import annotations

from datetime import date

from insidergraph.graph.ids import filing_id
from insidergraph.graph.resolve import Resolution, resolve
from insidergraph.model import (
    Filing,
    Issuer,
    NonDerivativeRow,
    PowerOfAttorney,
    Relationship,
    ReportingOwner,
    Signature,
    Source,
)

ACME = Issuer(cik="0000000001", name="ACME CORP", ticker="ACME")
BETA = Issuer(cik="0000000002", name="BETA INC", ticker="BETA")


def _owner(cik: str | None, name: str, display: str | None = None, kind: str = "person") -> ReportingOwner:
    return ReportingOwner(cik=cik, name=name, display_name=display or name, kind=kind,  # type: ignore[arg-type]
                          relationship=Relationship(is_director=True))


def _filing(acc: str, issuer: Issuer, *owners: ReportingOwner, fmt: str = "xml", **kw: object) -> Filing:
    return Filing(accession=acc, document_type=str(kw.pop("document_type", "4")), issuer=issuer,
                  reporting_owners=owners, source=Source(path=f"{acc}.{fmt}", format=fmt),  # type: ignore[arg-type]
                  **kw)  # type: ignore[arg-type]


def _resolve(*filings: Filing, powers: list[PowerOfAttorney] | None = None) -> Resolution:
    return resolve(dict(sorted((filing_id(f), f) for f in filings)), powers)


# -- 1. CIK first ------------------------------------------------------------------------
def test_one_node_per_cik_keeps_every_spelling_as_an_alias() -> None:
    res = _resolve(_filing("1", ACME, _owner("0000000011", "Brin Sergey", "Sergey Brin")),
                   _filing("2", BETA, _owner("0000000011", "BRIN SERGEY M", "Sergey M. Brin")))
    assert res.owners_of == {"filing/1": ["person/0000000011"], "filing/2": ["person/0000000011"]}
    brin = res.parties["person/0000000011"]
    assert brin.aliases == ["BRIN SERGEY M", "Brin Sergey", "Sergey Brin", "Sergey M. Brin"]
    assert brin.name == "Sergey M. Brin"  # the display name of the latest filing


def test_two_ciks_are_two_nodes_whatever_their_names() -> None:
    google = Issuer(cik="0001288776", name="Google Inc.", ticker="GOOG")
    alphabet = Issuer(cik="0001652044", name="Google Inc.", ticker="GOOGL")
    res = _resolve(_filing("1", google, _owner("0000000011", "Brin Sergey")),
                   _filing("2", alphabet, _owner("0000000011", "Brin Sergey")))
    assert res.issuer_of == {"filing/1": "company/0001288776", "filing/2": "company/0001652044"}


def test_a_cik_that_is_ever_an_issuer_is_a_company() -> None:
    # CIK 2 files as a person owner of ACME, and is itself the issuer of another filing.
    res = _resolve(_filing("1", ACME, _owner("0000000002", "BETA INC")),
                   _filing("2", BETA, _owner("0000000011", "DOE JANE")))
    assert res.owners_of["filing/1"] == ["company/0000000002"]
    assert res.parties["company/0000000002"].is_issuer and res.parties["company/0000000002"].is_owner


def test_a_cik_whose_names_mostly_read_as_an_entity_is_a_company_otherwise_a_person() -> None:
    fund = [_filing(str(k), ACME, _owner("0000000021", "ACME FUND LP", kind=kind))
            for k, kind in ((1, "entity"), (2, "entity"), (3, "person"))]
    even = [_filing(str(k), ACME, _owner("0000000022", "ROE RICHARD", kind=kind))
            for k, kind in ((4, "entity"), (5, "person"))]
    res = _resolve(*fund, *even)
    assert res.owners_of["filing/1"] == ["company/0000000021"]
    assert res.owners_of["filing/4"] == ["person/0000000022"]  # a tie is no majority


# -- 2. rendered forms carry no CIK ------------------------------------------------------
def test_a_cikless_owner_joins_the_one_cik_owner_of_the_issuer_with_its_normalised_name() -> None:
    res = _resolve(_filing("1", ACME, _owner("0000000011", "DOE JANE", "Jane Doe")),
                   _filing("2", ACME, _owner(None, "Doe, Jane Q."), fmt="html"))
    assert res.owners_of["filing/2"] == ["person/0000000011"]


def test_a_cikless_owner_stays_apart_and_unresolved_when_no_single_cik_owner_fits() -> None:
    res = _resolve(_filing("1", ACME, _owner("0000000011", "DOE JANE"), _owner("0000000012", "Jane Doe")),
                   _filing("2", BETA, _owner("0000000013", "ROE RICHARD")),
                   _filing("3", ACME, _owner(None, "Jane Doe"), fmt="html"),  # two CIK owners of that name
                   _filing("4", ACME, _owner(None, "Richard Roe"), fmt="html"))  # one, but of another issuer
    assert res.owners_of["filing/3"] == ["person/n/doe-jane"]
    assert res.owners_of["filing/4"] == ["person/n/richard-roe"]
    assert res.parties["person/n/doe-jane"].unresolved and res.parties["person/n/richard-roe"].unresolved


def test_a_cikless_issuer_joins_the_one_cik_issuer_of_its_ticker_else_of_its_normalised_name() -> None:
    res = _resolve(_filing("1", ACME, _owner("0000000011", "DOE JANE")),
                   _filing("2", BETA, _owner("0000000011", "DOE JANE")),
                   _filing("3", Issuer(cik=None, name="Another name", ticker="acme"), fmt="html"),
                   _filing("4", Issuer(cik=None, name="Beta, Inc.", ticker="ZZZ"), fmt="html"))
    assert res.issuer_of["filing/3"] == "company/0000000001"
    assert res.issuer_of["filing/4"] == "company/0000000002"


def test_a_cikless_issuer_whose_ticker_names_two_issuers_stays_apart_and_unresolved() -> None:
    twin = Issuer(cik="0000000003", name="ACME HOLDINGS", ticker="ACME")
    res = _resolve(_filing("1", ACME), _filing("2", twin),
                   _filing("3", Issuer(cik=None, name="ACME CORP", ticker="ACME"), fmt="html"))
    assert res.issuer_of["filing/3"] == "company/n/acme-corp"
    assert res.parties["company/n/acme-corp"].unresolved and res.parties["company/n/acme-corp"].is_issuer


# -- 3. signers --------------------------------------------------------------------------
def _signed(acc: str, *signers: str, issuer: Issuer = ACME) -> Filing:
    return _filing(acc, issuer, _owner("0000000011", "DOE JANE", "Jane Doe"),
                   signatures=tuple(Signature(text=f"/s/ {s}", signer=s) for s in signers))


def test_signers_are_merged_by_normalised_name() -> None:
    res = _resolve(_signed("1", "Max Agent"), _signed("2", "MAX Q. AGENT"), _signed("3", "Agent, Max"))
    assert res.signers_of == {"filing/1": ["person/n/agent-max"], "filing/2": ["person/n/agent-max"],
                              "filing/3": ["person/n/agent-max"]}
    assert sorted(res.signers["person/n/agent-max"].names) == ["Agent, Max", "MAX Q. AGENT", "Max Agent"]


def test_a_signer_is_an_owner_only_when_the_names_match_exactly() -> None:
    res = _resolve(_signed("1", "jane   DOE"), _signed("2", "Jane Q. Doe"))
    assert res.signers_of["filing/1"] == ["person/0000000011"]  # case and spacing aside
    assert res.signers_of["filing/2"] == ["person/n/doe-jane"]  # an initial more: another node
    assert list(res.signers) == ["person/n/doe-jane"]


def test_an_exact_name_two_owners_share_joins_neither() -> None:
    other = _filing("9", BETA, _owner("0000000012", "Jane Doe"))
    res = _resolve(_signed("1", "Jane Doe"), other)
    assert res.signers_of["filing/1"] == ["person/n/doe-jane"]


def test_a_signature_that_names_no_person_resolves_to_no_node() -> None:
    f = _filing("1", ACME, _owner("0000000011", "DOE JANE"),
                signatures=(Signature(text="Exhibit 24"), Signature(text="/s/ Acme Corp", signer="Acme  Corp")))
    res = _resolve(f)
    assert res.signers_of["filing/1"] == [None, None]
    assert res.signers == {}


# -- powers of attorney and amendments (README, "The graph") ------------------------------
def test_the_grantor_of_a_power_is_the_filings_only_owner_else_the_name_signing_it() -> None:
    power = PowerOfAttorney(grantor="Someone Else", attorneys=("Max Agent", "Jane Doe"))
    standalone = PowerOfAttorney(grantor="Roe Richard", attorneys=("Max Q. Agent",), accession="7", document="ex24.txt")
    res = _resolve(_signed("2", "Max Agent"),
                   _filing("1", ACME, _owner("0000000011", "DOE JANE", "Jane Doe"), powers_of_attorney=(power,)),
                   powers=[standalone])
    pairs = [(g.grantor, g.attorney) for g in res.grants]
    # The filing's only owner grants; the owner named as attorney is the grantor (no edge to itself);
    # the standalone power's grantor is the signer of that name; attorneys merge with signers.
    assert pairs == [("person/0000000011", "person/n/agent-max"), ("person/n/richard-roe", "person/n/agent-max")]


def test_an_amendment_corrects_the_one_filing_of_its_issuer_owners_and_form_filed_on_its_original_date() -> None:
    owner = _owner("0000000011", "DOE JANE")
    rows = (NonDerivativeRow(type="holding", security_title="Common Stock"),)
    res = _resolve(_filing("1", ACME, owner, filing_date=date(2024, 1, 5), period_of_report=date(2024, 1, 2)),
                   _filing("2", ACME, owner, filing_date=date(2024, 2, 5), period_of_report=date(2024, 1, 2)),
                   _filing("3", ACME, owner, document_type="4/A", date_of_original_submission=date(2024, 2, 5),
                           non_derivative=rows),
                   _filing("4", ACME, owner, document_type="4/A", period_of_report=date(2024, 1, 2)))
    # By its date of original submission; the other, by period only, fits two and corrects neither.
    assert res.amends == {"filing/3": "filing/2"}
