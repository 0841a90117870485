"""The attorney queries of issue 14 on every engine: ``attorney-network`` shows the powers of
attorney granted beside the signatures, and ``unauthorized-signatures`` lists the attorney-in-fact
signatures no power in the store authorizes. Checked on fixtures of our own with rows written by
hand (no power, a power for another issuer, a power signed after, a revoked power, placeholder
signatures), and on the corpus against a computation straight from the parsed filings and
powers, never through the graph."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import neo4j_db
import pandas as pd
import pytest
from click.testing import CliRunner

from insidergraph.backends import store_engines
from insidergraph.cli import cli
from insidergraph.graph.store import Store
from insidergraph.graph.store_build import build_store
from insidergraph.loaders import jsonout
from insidergraph.loaders.detect import iter_path, iter_paths
from insidergraph.loaders.names import owner_kind, person_key
from insidergraph.model import Filing, PowerOfAttorney
from insidergraph.queries import run
from insidergraph.queries.registry import QUERIES

ENGINES = ("cypher", "sparql", "networkx")
FIXTURES = Path(__file__).parent / "fixtures" / "attorneys"
# The corpus inputs that carry ownership documents with a CIK for every owner, and the powers.
CORPUS_INPUTS = ("xml", "txt", "exhibits")
WIDGETS = ("0000900001", "Fixture Widgets Corp")

# tests/fixtures/attorneys: Form 4s of Fixture Widgets Corp and EX-24 exhibits filed with them.
# Jane Doe -> Alice Agent, Carol Counsel (2024-01-10, "Fixture Widgets Corporation");
# Edgar Poe -> Bob Broker (2024-01-11, "Other Gadgets Inc." only); Mary Loe -> Bob Broker
# (2024-06-01); Jane Doe -> Bob Broker (2024-04-01, revoking every prior power).
UNAUTHORIZED = [
    # No power at all from Richard Roe.
    ["Alice Agent", "0000900012", "Richard Roe", *WIDGETS, "0000900001-24-000002", "2024-03-06", 0],
    # Jane Doe's power to Alice was revoked by her power of 2024-04-01 (to Bob alone).
    ["Alice Agent", "0000900011", "Jane Doe", *WIDGETS, "0000900001-24-000006", "2024-05-01", 1],
    # Two owners and no name: neither Richard Roe nor Edgar Poe granted Alice a power.
    ["Alice Agent", None, None, *WIDGETS, "0000900001-24-000009", "2024-03-10", 0],
    # Edgar Poe's power covers another issuer only.
    ["Bob Broker", "0000900013", "Edgar Poe", *WIDGETS, "0000900001-24-000003", "2024-03-07", 1],
    # Mary Loe's power was signed on 2024-06-01, after this signature.
    ["Bob Broker", "0000900014", "Mary Loe", *WIDGETS, "0000900001-24-000004", "2024-02-01", 1],
]
# Not listed: -000001 (Jane's power to Alice, "Corporation" for "Corp"), -000005 (Mary's power
# came first), -000007 (the revoking power names Bob), -000008 (an exhibit reference and the
# owner's own signature: no attorney signed).
NETWORK = [
    ["Bob Broker", 3, 1, 4, ["Edgar Poe", "Jane Doe", "Mary Loe"], [WIDGETS[1]], 3, 3,
     ["Edgar Poe", "Jane Doe", "Mary Loe"], 0],
    ["Alice Agent", 2, 1, 4, ["Jane Doe", "Richard Roe"], [WIDGETS[1]], 1, 1, ["Jane Doe"], 1],
]
# Granted a power, signed nothing: only with --min-insiders 0.
CAROL = ["Carol Counsel", 0, 0, 0, [], [], 1, 1, ["Jane Doe"], 0]


@pytest.fixture(scope="module")
def fixture_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("attorney-fixtures") / "store"
    result = build_store([str(FIXTURES)], path, engines=store_engines())
    assert result.failed == []
    return Store(path)


@pytest.fixture(scope="module")
def corpus_store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("attorney-corpus") / "store"
    # Two exhibits are scanned images (no text): refused with their name, the rest goes in.
    result = build_store([str(corpus / d) for d in CORPUS_INPUTS], path, engines=store_engines())
    assert len(result.failed) == 2 and all("image" in f for f in result.failed)
    return Store(path)


def _rows(store: Store, name: str, engine: str, **params: Any) -> list[list[Any]]:
    frame = run(name, store, engine=engine, **params)
    assert list(frame.columns) == list(QUERIES[name].columns)
    rows: list[list[Any]] = frame.values.tolist()
    return rows


@pytest.mark.parametrize("engine", ENGINES)
def test_unauthorized_signatures_on_the_fixtures(fixture_store: Store, engine: str) -> None:
    assert _rows(fixture_store, "unauthorized-signatures", engine) == UNAUTHORIZED


@pytest.mark.parametrize("engine", ENGINES)
def test_attorney_network_shows_the_grants_beside_the_signatures(fixture_store: Store, engine: str) -> None:
    assert _rows(fixture_store, "attorney-network", engine) == NETWORK
    assert _rows(fixture_store, "attorney-network", engine, min_insiders=0) == [*NETWORK, CAROL]
    assert _rows(fixture_store, "attorney-network", engine, min_insiders=3) == NETWORK[:1]


def test_placeholder_signatures_give_no_signer(fixture_store: Store) -> None:
    filings = fixture_store.tables().nodes["Filing"].set_index("id")
    assert list(filings.at["filing/0000900001-24-000008", "unsigned_signatures"]) == [
        "See Signatures Included in Exhibit 99.1"]
    persons = set(fixture_store.tables().nodes["Person"]["name"])
    assert not any("Exhibit" in p for p in persons)


# -- the corpus --------------------------------------------------------------------------------

CORPUS_CASES: list[tuple[str, dict[str, Any]]] = [
    ("unauthorized-signatures", {}),
    ("attorney-network", {}),
    ("attorney-network", {"min_insiders": 0}),
    ("attorney-network", {"min_insiders": 2}),
]


@pytest.fixture(scope="module")
def corpus_answers(corpus_store: Store) -> dict[tuple[int, str], pd.DataFrame]:
    return {(i, e): run(name, corpus_store, engine=e, **params)
            for i, (name, params) in enumerate(CORPUS_CASES) for e in ENGINES}


@pytest.mark.parametrize("case", range(len(CORPUS_CASES)), ids=[f"{n}-{p}" for n, p in CORPUS_CASES])
def test_every_engine_gives_the_same_rows_on_the_corpus(corpus_answers: dict[tuple[int, str], pd.DataFrame],
                                                        case: int) -> None:
    expected = corpus_answers[(case, "cypher")].to_dict("records")
    assert expected
    for engine in ENGINES[1:]:
        assert corpus_answers[(case, engine)].to_dict("records") == expected, engine


def _company_key(name: str) -> str:
    # The rule registry.py states: lower case, letters and digits, suffixes abbreviated.
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    for long, short in (("corporation", "corp"), ("incorporated", "inc"), ("company", "co"), ("limited", "ltd")):
        key = key.replace(long, short)
    return key


@dataclass(frozen=True)
class _Power:
    grantor: str
    attorneys: frozenset[str]
    signed: date | None
    scope: tuple[str, ...]
    revokes: bool
    key: str

    def covers(self, issuer_keys: set[str]) -> bool:
        return not self.scope or any(_company_key(c) in issuer_keys for c in self.scope)


def _parsed(corpus: Path) -> tuple[dict[str, Filing], list[PowerOfAttorney]]:
    filings: dict[str, Filing] = {}
    powers: list[PowerOfAttorney] = []
    for path in iter_paths([str(corpus / d) for d in CORPUS_INPUTS]):
        for item in iter_path(path, powers=True, every_document=False):
            if isinstance(item, PowerOfAttorney):
                powers.append(item)
            elif isinstance(item, Filing):
                # By accession (a filing read twice, as XML and in its submission, counts once),
                # else by file; its powers from every copy (each power counts once below).
                filings.setdefault(item.accession or item.source.path, item)
                powers.extend(item.powers_of_attorney)
    return filings, powers


def _grants(filings: dict[str, Filing], powers: list[PowerOfAttorney]) -> dict[str, list[_Power]]:
    """Each power once, by grantor: the CIK it names, else the only owner of the filing it came
    with, else the owner whose name reads the same, else the name itself."""
    by_name: dict[str, set[str]] = {}
    for f in filings.values():
        for o in f.reporting_owners:
            if o.cik:
                by_name.setdefault(person_key(o.name), set()).add(o.cik)
    out: dict[str, list[_Power]] = {}
    seen: set[tuple[str, str]] = set()
    for p in powers:
        came_with = filings.get(p.accession or "")
        owners = {o.cik for o in came_with.reporting_owners} if came_with else set()
        grantor = p.grantor_cik or (owners.pop() if len(owners) == 1 else None)
        if grantor is None and p.grantor:
            named = by_name.get(person_key(p.grantor), set())
            grantor = named.pop() if len(named) == 1 else "name:" + person_key(p.grantor)
        key = p.accession or p.document or (p.source.path if p.source else "")
        if grantor is None or (grantor, key) in seen:
            continue
        seen.add((grantor, key))
        attorneys = frozenset(person_key(a) for a in p.attorneys if owner_kind(a) != "entity")
        out.setdefault(grantor, []).append(_Power(grantor, attorneys, p.date_signed, p.companies,
                                                  p.revokes_prior, key))
    return out


def _in_force(p: _Power, same_grantor: list[_Power], issuer_keys: set[str], day: date | None) -> bool:
    if (p.signed and day and p.signed > day) or not p.covers(issuer_keys):
        return False
    return not any(r.revokes and r.signed and p.signed and day and p.signed < r.signed <= day
                   and r.covers(issuer_keys) for r in same_grantor)


def _signatures(filings: dict[str, Filing]) -> Iterator[tuple[str, str, str, date | None, list[str | None]]]:
    """(attorney key, filing key, issuer CIK, earliest date, owners signed for) of every attorney's
    attorney-in-fact signatures on a filing; [None] when they name no owner of it."""
    for key, f in filings.items():
        mine: dict[str, tuple[list[date], set[str]]] = {}
        for s in f.signatures:
            if not s.attorney_in_fact or not s.signer or s.signer.lower() == (f.issuer.name or "").lower():
                continue
            dates, owners = mine.setdefault(person_key(s.signer), ([], set()))
            dates.extend([s.date] if s.date else [])
            for o in f.reporting_owners:
                if (s.on_behalf_of_cik and o.cik == s.on_behalf_of_cik) or o.name == s.on_behalf_of:
                    if person_key(o.name) != person_key(s.signer):
                        owners.add(o.cik or "")
                    break
        for who, (dates, owners) in mine.items():
            signed_for: list[str | None] = [*sorted(owners)] or [None]
            yield who, key, f.issuer.cik or "", min(dates, default=None), signed_for


def _expected_unauthorized(corpus: Path) -> list[tuple[Any, ...]]:
    filings, powers = _parsed(corpus)
    grants = _grants(filings, powers)
    names: dict[str, set[str]] = {}
    for f in filings.values():
        names.setdefault(f.issuer.cik or "", set()).add(f.issuer.name or "")
        for o in f.reporting_owners:
            names.setdefault(o.cik or "", set()).add(o.name)
    out = []
    for who, fkey, issuer, day, owners in _signatures(filings):
        keys = {_company_key(n) for n in names[issuer]}
        for owner in owners:
            grantors = [owner] if owner else sorted({o.cik or "" for o in filings[fkey].reporting_owners})
            mine = [(g, p) for g in grantors for p in grants.get(g, []) if who in p.attorneys]
            if not any(_in_force(p, grants[g], keys, day) for g, p in mine):
                out.append((who, owner, issuer, filings[fkey].accession, day.isoformat() if day else None, len(mine)))
    return sorted(out, key=repr)


def test_unauthorized_signatures_match_the_parsed_filings_and_powers(
        corpus_answers: dict[tuple[int, str], pd.DataFrame], corpus: Path) -> None:
    expected = _expected_unauthorized(corpus)
    for engine in ENGINES:
        rows = corpus_answers[(0, engine)]
        got = sorted(((person_key(r.attorney_name), r.owner_cik, r.issuer_cik, r.accession, r.signature_date,
                       r.powers_on_file) for r in rows.itertuples()), key=repr)
        assert got == expected, engine
    # The corpus has all three kinds: no power at all, a power on file that does not cover, and
    # signatures that powers do authorize (so the filter is not everything).
    counts = corpus_answers[(0, "cypher")]["powers_on_file"]
    assert (counts == 0).any() and (counts > 0).any()
    signed = corpus_answers[(1, "cypher")]["filing_count"].sum()
    assert 0 < len(expected) < signed


def test_a_power_signed_later_does_not_cover_earlier_signatures(
        corpus_answers: dict[tuple[int, str], pd.DataFrame]) -> None:
    # Tami Chen was named in Roelof Botha's power of 2022-02-07; she signed for him from 2017.
    rows = corpus_answers[(0, "cypher")]
    chen = rows[(rows["attorney_name"] == "Tami Chen") & (rows["owner_cik"] == "0001222287")]
    assert len(chen) > 10 and (chen["signature_date"] < "2022-02-07").all()
    assert set(chen["powers_on_file"]) == {1}


def test_attorney_network_grants_on_the_corpus(corpus_answers: dict[tuple[int, str], pd.DataFrame]) -> None:
    rows = corpus_answers[(2, "cypher")].set_index("attorney_name")
    # The Eventbrite power of 2018 names these four for Roelof Botha.
    for name in ("Julia Hartz", "Randy Befumo", "Samantha Harnett", "An-Yen Hu"):
        assert "Roelof Botha" in rows.at[name, "grantor_names"], name
    assert (rows["power_count"] >= rows["grantor_count"]).all()
    assert (rows["insiders_without_power"] <= rows["insider_count"]).all()
    # With the default --min-insiders 1 the signers only, as before; 0 adds the holders of powers.
    signers = corpus_answers[(1, "cypher")]
    assert (signers["insider_count"] >= 1).all() and len(signers) < len(rows)


# -- the JSON schema ---------------------------------------------------------------------------

def test_parse_json_carries_powers_of_attorney_and_validates(corpus: Path) -> None:
    result = CliRunner().invoke(cli, ["parse", str(corpus / "txt"), str(corpus / "xml"), "--format", "jsonl"])
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    validator = jsonschema.Draft202012Validator(jsonout.load_schema())
    for line in lines:
        errors = list(validator.iter_errors(line))
        assert not errors, (line["source"]["path"], errors[0].message)
    powers = {d["source"]["path"].rsplit("/", 1)[-1]: d["powers_of_attorney"] for d in lines if d["powers_of_attorney"]}
    infu = powers["0001140361-14-019536__INFU__F4.txt"][0]
    assert infu["attorneys"] == ["Trent Smith", "Jonathan Foster"] and infu["date_signed"] == "2014-05-08"
    assert infu["companies"] == ["InfuSystem Holdings, Inc."] and infu["grantor_cik"] == "0001572871"
    # The schema is not vacuous: a power without its attorneys, or with a bad date, is refused.
    bad = dict(lines[0], powers_of_attorney=[dict(infu, date_signed="8 May 2014")])
    assert list(validator.iter_errors(bad))
    del bad["powers_of_attorney"][0]["attorneys"]
    assert list(validator.iter_errors(bad))


# -- Neo4j -------------------------------------------------------------------------------------

@pytest.mark.neo4j
def test_both_queries_on_neo4j_give_the_embedded_rows(neo4j_env: dict[str, str], fixture_store: Store,
                                                      corpus_store: Store, tmp_path: Path) -> None:
    from insidergraph.backends.neo4j.load import load

    entity_store = Store(tmp_path / "entity-attorney")  # an entity owner signing as attorney-in-fact
    entity_store.add(_entity_attorney_filings(), engines=store_engines())

    cfg = neo4j_db.config(neo4j_env)
    old = {k: os.environ.get(k) for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD")}
    os.environ.update({"NEO4J_URI": cfg.uri, "NEO4J_USER": cfg.user, "NEO4J_PASSWORD": cfg.password})
    try:
        for store in (fixture_store, corpus_store, entity_store):
            neo4j_db.clear(cfg)
            tables = store.tables()
            load(tables, cfg)
            grants = tables.edges["GRANTED_POWER_OF_ATTORNEY"]
            assert _neo4j_grants(cfg) == sorted(
                (g.id, g.date.isoformat() if g.date else None, sorted(g.scope), g.revokes_prior)
                for g in grants.itertuples())
            for name, params in CORPUS_CASES:
                embedded = run(name, store, engine="cypher", **params)
                assert run(name, store, engine="neo4j", **params).equals(embedded), (name, params)
            if store is fixture_store:
                assert run("unauthorized-signatures", store, engine="neo4j").values.tolist() == UNAUTHORIZED
            if store is entity_store:
                assert run("attorney-network", store, engine="neo4j").values.tolist()[0][0] == "HARBOR TRUST CO LLC"
    finally:
        neo4j_db.clear(cfg)
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _neo4j_grants(cfg: Any) -> list[tuple[Any, ...]]:
    from insidergraph.backends.neo4j.load import connect

    driver = connect(cfg)
    try:
        records, _, _ = driver.execute_query(
            "MATCH ()-[g:GRANTED_POWER_OF_ATTORNEY]->() RETURN g.id AS id, g.date AS date, g.scope AS scope, "
            "g.revokes_prior AS revokes", database_=cfg.database)
    finally:
        driver.close()
    return sorted((r["id"], r["date"].iso_format() if r["date"] else None, sorted(r["scope"] or []), r["revokes"])
                  for r in records)


def _entity_attorney_filings() -> list[Filing]:
    """Two Forms 4 of one issuer: an entity owner (a CIK) files one, and signs the other as
    attorney-in-fact for a person."""
    from insidergraph.model import Issuer, Relationship, ReportingOwner, Signature, Source

    issuer = Issuer(cik="0000000101", name="NORTHWIND CORP", ticker="NWND")
    firm = ReportingOwner(cik="0000000201", name="HARBOR TRUST CO LLC", display_name="HARBOR TRUST CO LLC",
                          kind="entity", relationship=Relationship(is_ten_percent_owner=True))
    jane = ReportingOwner(cik="0000000301", name="Doe Jane", display_name="Jane Doe", kind="person",
                          relationship=Relationship(is_director=True))
    own = Filing(accession="0000000201-24-000001", document_type="4", issuer=issuer, reporting_owners=(firm,),
                 filing_date=date(2024, 1, 5), period_of_report=date(2024, 1, 3),
                 source=Source(path="firm.xml", format="xml"),
                 signatures=(Signature(text="HARBOR TRUST CO LLC", date=date(2024, 1, 5),
                                       signer="HARBOR TRUST CO LLC"),))
    signed = Filing(accession="0000000301-24-000001", document_type="4", issuer=issuer, reporting_owners=(jane,),
                    filing_date=date(2024, 2, 5), period_of_report=date(2024, 2, 1),
                    source=Source(path="jane.xml", format="xml"),
                    signatures=(Signature(text="HARBOR TRUST CO LLC, attorney-in-fact for Jane Doe",
                                          date=date(2024, 2, 5), signer="HARBOR TRUST CO LLC", attorney_in_fact=True,
                                          on_behalf_of="Doe Jane", on_behalf_of_cik="0000000301"),))
    return [own, signed]


@pytest.mark.parametrize("engine", ["cypher", "sparql", "networkx"])
def test_an_entity_that_signs_as_attorney_in_fact_is_an_attorney_on_every_engine(tmp_path: Path, engine: str) -> None:
    # An owner that is a company (a trust company, a fund manager) signing another insider's
    # Form 4 as attorney-in-fact: the build takes it (it failed: "ATTORNEY_IN_FACT_FOR joins
    # no Company to a Person"), and the attorney network names it on every engine.
    store = Store(tmp_path / "s")
    store.add(_entity_attorney_filings(), engines=store_engines())
    edges = store.tables().edges["ATTORNEY_IN_FACT_FOR"]
    assert edges[["src", "dst"]].values.tolist() == [["company/0000000201", "person/0000000301"]]
    network = run("attorney-network", store, engine=engine)
    assert network.values.tolist() == [
        ["HARBOR TRUST CO LLC", 1, 1, 1, ["Jane Doe"], ["NORTHWIND CORP"], 0, 0, [], 1]]
    # No power of attorney is on file for it: its signature is unauthorized.
    unauthorized = run("unauthorized-signatures", store, engine=engine)
    assert unauthorized[["attorney_name", "owner_cik", "accession"]].values.tolist() == [
        ["HARBOR TRUST CO LLC", "0000000301", "0000000301-24-000001"]]


def test_an_entity_attorney_in_rdf_conforms_to_the_shapes() -> None:
    # The RDF of an entity attorney: prov:actedOnBehalfOf from the Company, a PowerOfAttorney
    # whose ig:attorney is the Company; the SHACL shapes take it (they took only a Person).
    import io

    import pyshacl
    import rdflib

    from insidergraph.graph.build import build_graph
    from insidergraph.graph.export_rdf import write_ntriples
    from insidergraph.ontology import IG, PROV, shapes_graph

    out = io.BytesIO()
    write_ntriples(build_graph(_entity_attorney_filings()), out)
    g = rdflib.Graph().parse(data=out.getvalue(), format="nt")
    firm = next(s for s in g.subjects(rdflib.RDF.type, rdflib.URIRef(IG["Company"])) if str(s).endswith("/0000000201"))
    assert list(g.objects(firm, rdflib.URIRef(PROV["actedOnBehalfOf"])))
    assert list(g.subjects(rdflib.URIRef(IG["attorney"]), firm))
    conforms, _report, text = pyshacl.validate(g, shacl_graph=shapes_graph(), advanced=True)
    assert conforms, text
