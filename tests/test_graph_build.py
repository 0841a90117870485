"""The graph built from the real corpus: one node per person, roles as spans, provenance."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest

from insidergraph.backends import store_engines
from insidergraph.graph.build import build_graph, filing_id
from insidergraph.graph.store import Store
from insidergraph.graph.tables import GraphTables
from insidergraph.loaders.xml import parse
from insidergraph.model import Filing, Issuer, Relationship, ReportingOwner, Source

BOTHA = "person/0001222287"
BRIN = "person/0001295032"
HOFFMAN = "person/0001519339"
BERKSHIRE = "company/0001067983"
SNOWFLAKE = "company/0001640147"
GOOGLE = "company/0001288776"
ALPHABET = "company/0001652044"


@pytest.fixture(scope="module")
def xml_files(corpus: Path) -> list[Path]:
    return sorted((corpus / "xml").glob("*.xml"))


@pytest.fixture(scope="module")
def filings(xml_files: list[Path]) -> list[Filing]:
    return [parse(p) for p in xml_files]


@pytest.fixture(scope="module")
def graph(filings: list[Filing]) -> GraphTables:
    return build_graph(filings)


def _edges(g: GraphTables, rel: str, src: str | None = None, dst: str | None = None) -> list[dict[str, object]]:
    df = g.edges[rel]
    if src is not None:
        df = df[df.src == src]
    if dst is not None:
        df = df[df.dst == dst]
    return df.to_dict("records")


def _flag(el: ET.Element | None) -> bool:
    return el is not None and (el.text or "").strip().lower() in ("1", "true")


def test_botha_is_one_person_director_of_every_board_his_filings_state(graph: GraphTables,
                                                                       xml_files: list[Path]) -> None:
    expected: set[str] = set()
    for p in xml_files:
        root = ET.parse(p).getroot()
        for owner in root.iter("reportingOwner"):
            if owner.findtext("reportingOwnerId/rptOwnerCik", "").strip() == "0001222287" and _flag(
                owner.find("reportingOwnerRelationship/isDirector")
            ):
                expected.add("company/" + root.findtext("issuer/issuerCik", "").strip())
    persons = graph.nodes["Person"]
    assert (persons.cik == "0001222287").sum() == 1
    boards = {e["dst"] for e in _edges(graph, "DIRECTOR_OF", src=BOTHA)}
    assert boards == expected
    assert len(boards) >= 7


def test_brin_is_one_person_with_both_spellings_and_director_of_google_and_alphabet(graph: GraphTables) -> None:
    row = graph.nodes["Person"].set_index("id").loc[BRIN]
    assert {"Brin Sergey", "Sergey Brin"} <= set(row["aliases"])
    assert {GOOGLE, ALPHABET} <= {e["dst"] for e in _edges(graph, "DIRECTOR_OF", src=BRIN)}
    companies = graph.nodes["Company"].set_index("id")
    assert companies.loc[GOOGLE, "cik"] != companies.loc[ALPHABET, "cik"]


def test_berkshire_is_a_company_and_ten_percent_owner_of_snowflake(graph: GraphTables) -> None:
    assert BERKSHIRE in set(graph.nodes["Company"].id)
    assert BERKSHIRE not in set(graph.nodes["Person"].id)
    assert _edges(graph, "TEN_PERCENT_OWNER_OF", src=BERKSHIRE, dst=SNOWFLAKE)


def test_every_role_edge_lists_the_accessions_that_state_it(graph: GraphTables, filings: list[Filing]) -> None:
    stated: dict[tuple[str, str], set[str]] = defaultdict(set)
    for f in filings:
        for o in f.reporting_owners:
            if o.cik and f.issuer.cik and o.relationship.is_director:
                stated[(o.cik, f.issuer.cik)].add(f.accession or filing_id(f).removeprefix("filing/"))
    for rel in ("DIRECTOR_OF", "OFFICER_OF", "TEN_PERCENT_OWNER_OF", "OTHER_RELATION_TO"):
        for e in _edges(graph, rel):
            assert e["accessions"], e
            assert e["filing_count"] == len(e["accessions"])
            assert e["first_period"] <= e["last_period"]
    for e in _edges(graph, "DIRECTOR_OF"):
        key = (e["src"].rsplit("/", 1)[1], e["dst"].rsplit("/", 1)[1])
        assert set(e["accessions"]) == stated[key]


def test_several_attorneys_in_fact_sign_for_reid_hoffman(graph: GraphTables, filings: list[Filing]) -> None:
    signed_for_him = {
        s.signer
        for f in filings
        for s in f.signatures
        if s.attorney_in_fact and s.on_behalf_of_cik == "0001519339"
    }
    edges = _edges(graph, "ATTORNEY_IN_FACT_FOR", dst=HOFFMAN)
    assert len(signed_for_him) >= 2
    names = graph.nodes["Person"].set_index("id")["aliases"]
    edge_signers = {alias for e in edges for alias in names.loc[e["src"]]}
    assert signed_for_him <= edge_signers
    assert all(e["accessions"] for e in edges)


def test_every_row_footnote_and_signature_of_the_corpus_is_in_the_graph(graph: GraphTables,
                                                                        filings: list[Filing]) -> None:
    rows = sum(len(f.non_derivative) + len(f.derivative) for f in filings)
    assert len(graph.nodes["Transaction"]) + len(graph.nodes["Holding"]) == rows
    assert len(graph.edges["REPORTED_IN"]) == rows
    distinct = {(filing_id(f), k) for f in filings for k in f.footnotes}
    assert len(graph.nodes["Footnote"]) >= len(distinct)
    sigs = sum(1 for f in filings for s in f.signatures if (s.signer or s.text.strip()))
    assert len(graph.edges["SIGNED"]) == sigs
    assert len(graph.nodes["Filing"]) == len({filing_id(f) for f in filings})


def test_edges_join_existing_nodes_only(graph: GraphTables) -> None:
    labels = graph.label_of()
    from insidergraph.graph.schema import EDGE_TYPES

    for rel, df in graph.edges.items():
        pairs = set(EDGE_TYPES[rel].pairs)
        for src, dst in zip(df.src, df.dst):
            assert (labels[src], labels[dst]) in pairs, (rel, src, dst)


def test_building_twice_gives_identical_bytes(filings: list[Filing], tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    build_graph(filings).write(a)
    build_graph(list(reversed(filings))).write(b)
    for pa in sorted(a.rglob("*.parquet")):
        assert pa.read_bytes() == (b / pa.relative_to(a)).read_bytes(), pa


def test_store_adds_new_filings_and_ignores_repeats(filings: list[Filing], tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    first = filings[:300]
    assert store.add(first, engines=store_engines())[:2] == (300, len({filing_id(f) for f in first}))
    _offered, added, tables = store.add(filings, engines=store_engines())
    assert added == len({filing_id(f) for f in filings}) - len({filing_id(f) for f in first})
    before = tables.counts()
    assert store.add(filings[:50], engines=store_engines())[1] == 0
    assert store.tables().counts() == before == build_graph(filings).counts()


def test_store_writes_filings_in_bounded_chunks_and_reads_them_all_back(
    filings: list[Filing], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import insidergraph.graph.store as store_module

    monkeypatch.setattr(store_module, "FILINGS_PER_CHUNK", 128)
    store = Store(tmp_path / "store")
    store.add(filings[:300], engines=store_engines())
    store.add(filings, engines=store_engines())
    chunks = sorted(p.name for p in (store.generation_dir / "filings").iterdir())
    n_first, n_all = 300, len({filing_id(f) for f in filings})
    # 300 -> 3 chunks; the rest in chunks of 128 after them; each a folder of Parquet tables.
    assert chunks == [f"{i:06d}" for i in range(3 + -(-(n_all - n_first) // 128))]
    assert all((store.generation_dir / "filings" / c / "filings.parquet").is_file() for c in chunks)
    assert [filing_id(f) for f in store.filings()] == [filing_id(f) for f in filings[:300]] + [
        filing_id(f) for f in filings[300:]
    ]
    assert store.tables().counts() == build_graph(filings).counts()


def _owner(cik: str | None, name: str, display: str, director: bool = True) -> ReportingOwner:
    return ReportingOwner(cik=cik, name=name, display_name=display, kind="person",
                          relationship=Relationship(is_director=director))


def _filing(accession: str | None, issuer: Issuer, owner: ReportingOwner, fmt: str = "xml") -> Filing:
    return Filing(accession=accession, document_type="4", issuer=issuer, reporting_owners=(owner,),
                  source=Source(path=f"{accession}.x", format=fmt))  # type: ignore[arg-type]


def test_an_owner_without_cik_joins_only_an_unambiguous_match_at_the_same_issuer() -> None:
    acme = Issuer(cik="0000000001", name="ACME CORP", ticker="ACME")
    rendered_acme = Issuer(cik=None, name="ACME CORP", ticker="ACME")
    filings = [
        _filing("0000000001-24-000001", acme, _owner("0000000011", "DOE JANE", "Jane Doe")),
        _filing(None, rendered_acme, _owner(None, "DOE JANE", "Jane Doe"), "html"),
        _filing(None, rendered_acme, _owner(None, "ROE RICHARD", "Richard Roe"), "html"),
    ]
    g = build_graph(filings)
    persons = g.nodes["Person"].set_index("id")
    assert "person/0000000011" in persons.index
    directors = {e["src"] for e in g.edges["DIRECTOR_OF"].to_dict("records")}
    assert directors == {"person/0000000011", "person/n/richard-roe"}
    assert bool(persons.loc["person/n/richard-roe", "unresolved"]) is True
    assert len(g.nodes["Company"]) == 1


def test_a_name_shared_by_two_ciks_at_one_issuer_stays_separate() -> None:
    acme = Issuer(cik="0000000001", name="ACME CORP", ticker="ACME")
    filings = [
        _filing("0000000001-24-000001", acme, _owner("0000000011", "SMITH JOHN", "John Smith")),
        _filing("0000000001-24-000002", acme, _owner("0000000012", "SMITH JOHN", "John Smith")),
        _filing(None, replace(acme, cik=None), _owner(None, "SMITH JOHN", "John Smith"), "html"),
    ]
    persons = build_graph(filings).nodes["Person"]
    assert len(persons) == 3
    assert persons.set_index("id").loc["person/n/john-smith", "unresolved"]


def test_the_submission_file_of_a_known_accession_adds_its_filing_date(corpus: Path, tmp_path: Path) -> None:
    from insidergraph.loaders.submission import parse as parse_submission

    txt = corpus / "txt" / "0001790565-23-000009__TSLA__F4.txt"
    xml = next((corpus / "xml").glob("0001790565-23-000009__*.xml"))
    store = Store(tmp_path / "s")
    assert store.add([parse(xml)], engines=store_engines())[1] == 1
    assert store.tables().nodes["Filing"].set_index("id").loc["filing/0001790565-23-000009", "filing_date"] is None
    assert store.add([parse_submission(txt)], engines=store_engines())[1] == 1
    filing = store.tables().nodes["Filing"].set_index("id").loc["filing/0001790565-23-000009"]
    assert str(filing["filing_date"]) == "2023-07-31"
    assert store.add([parse(xml), parse_submission(txt)], engines=store_engines())[1] == 0


def test_every_node_and_edge_id_is_unique(graph: GraphTables) -> None:
    for kind, name, df, _props in graph.iter_tables():
        dupes = df.id[df.id.duplicated()].tolist()
        assert not dupes, (kind, name, dupes[:3])
