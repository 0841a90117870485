"""Named queries on the real corpus: every engine gives the same rows, and the answers
match what the raw XML says."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from insidergraph.backends import store_engines
from insidergraph.backends.networkx.graph import Graph, StoreTables
from insidergraph.errors import QueryError, StoreError
from insidergraph.graph.store import Store
from insidergraph.graph.store_build import build_store
from insidergraph.loaders.names import owner_kind
from insidergraph.queries import normalise, run, run_text
from insidergraph.queries.registry import QUERIES
from insidergraph.queries.resolve import resolve_entities

ENGINES = ("cypher", "sparql", "networkx")
YELP, AFFIRM = "0001345016", "0001820953"
LEVCHIN, RABOIS, BOTHA = "0001539853", "0001539865", "0001222287"

# One case per query, plus the options that change results; each is run on every engine.
CASES: list[tuple[str, dict[str, Any]]] = [
    ("shared-directors", {}),
    ("shared-directors", {"min_boards": 3}),
    ("shared-directors", {"as_of": "2021-03-01"}),
    ("shared-directors", {"overlapping": True}),
    ("interlocks", {}),
    ("interlocks", {"min_shared": 2}),
    ("interlocks", {"as_of": "2021-03-01", "overlapping": True}),
    ("interlocks", {"max_boards": 3}),
    ("insider-roles", {"person": "levchin"}),
    ("insider-roles", {"person": "1222287"}),
    ("issuer-insiders", {"issuer": "YELP"}),
    ("issuer-insiders", {"issuer": "0001318605"}),
    ("attorney-network", {}),
    ("attorney-network", {"min_insiders": 2}),
    ("connection", {"source": LEVCHIN, "target": BOTHA}),
    ("connection", {"source": "person/0001222287", "target": "1512673"}),
    ("co-owners", {}),
    # Appended, so that the cases above keep their numbers. The XML corpus has no EX-24: every
    # attorney-in-fact signature is unauthorized there (tests/test_attorney_queries.py has powers).
    ("unauthorized-signatures", {}),
    ("attorney-network", {"min_insiders": 0}),
    ("insider-trades", {"person": "levchin", "issuer": "YELP"}),
    ("insider-trades", {"issuer": "0001318605", "since": "2022-01-01", "until": "2022-12-31", "codes": "S"}),
    ("insider-trades", {"codes": "P,A,G"}),
    ("insider-summary", {}),
    ("insider-summary", {"days": 90}),
    ("insider-summary", {"issuer": "TSLA", "since": "2022-01-01", "until": "2022-12-31", "person": "musk"}),
]


@pytest.fixture(scope="session")
def store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The corpus XML built once into a store with every embedded engine."""
    path = tmp_path_factory.mktemp("query-store") / "store"
    build_store([str(corpus / "xml")], path, engines=store_engines())
    return Store(path)


@pytest.fixture(scope="session")
def answers(store: Store) -> dict[tuple[int, str], pd.DataFrame]:
    return {(i, e): run(name, store, engine=e, **params) for i, (name, params) in enumerate(CASES) for e in ENGINES}


def test_every_query_has_a_cypher_file_an_rq_file_and_a_networkx_function() -> None:
    for q in QUERIES.values():
        assert q.text("cypher").strip() and q.text("sparql").strip() and q.text("neo4j").strip()
        assert q.twin().__name__ == q.name.replace("-", "_")


@pytest.mark.parametrize("engine", ["sparql", "networkx"])
@pytest.mark.parametrize("case", range(len(CASES)),
                         ids=[f"{n}-{'-'.join(map(str, p.values())) or 'default'}" for n, p in CASES])
def test_engine_gives_the_same_rows_as_cypher(answers: dict[tuple[int, str], pd.DataFrame], case: int,
                                              engine: str) -> None:
    expected = answers[(case, "cypher")]
    got = answers[(case, engine)]
    assert list(got.columns) == list(QUERIES[CASES[case][0]].columns)
    assert got.to_dict("records") == expected.to_dict("records")


@pytest.mark.parametrize("case", range(len(CASES)),
                         ids=[f"{n}-{'-'.join(map(str, p.values())) or 'default'}" for n, p in CASES])
def test_networkx_reading_only_what_a_query_declares_gives_the_rows_of_every_table(
        store: Store, answers: dict[tuple[int, str], pd.DataFrame], case: int) -> None:
    # The engine reads the tables and columns the twin declares, rows filtered by its options;
    # the twin over every table in memory, and over the store with no declaration (every column
    # of every table it touches), gives the same rows.
    name, params = CASES[case]
    query = QUERIES[name]
    twin = query.twin()
    assert twin.reads is not None  # type: ignore[attr-defined]
    bound = query.bind(resolve_entities(query, query.values(params), store, "networkx"))
    for graph in (Graph(store.tables()), Graph(StoreTables(store.graph_table))):
        got = normalise(query, twin(graph, **bound))
        assert got.to_dict("records") == answers[(case, "networkx")].to_dict("records")


def test_networkx_reads_only_the_tables_a_query_declares(store: Store, answers: dict[tuple[int, str], pd.DataFrame],
                                                         tmp_path: Path) -> None:
    # Same-size garbage in the Transaction table, which only its checksum tells: the board
    # queries never read it and answer; insider-trades reads it and names it.
    copy = tmp_path / "store"
    shutil.copytree(store.path, copy)
    victim = Store(copy).graph_dir / "nodes" / "Transaction.parquet"
    victim.write_bytes(bytes(victim.stat().st_size))
    assert run("shared-directors", copy, engine="networkx").equals(answers[(0, "networkx")])
    assert run("interlocks", copy, engine="networkx").equals(answers[(4, "networkx")])
    with pytest.raises(StoreError, match=r"nodes/Transaction\.parquet does not match its checksum"):
        run("insider-trades", copy, engine="networkx", codes="P,A,G")


@pytest.mark.parametrize("name, params", [
    ("shared-directors", {}), ("shared-directors", {"min_boards": 3}),
    ("interlocks", {}), ("interlocks", {"min_shared": 2}), ("interlocks", {"max_boards": 3}),
])
def test_undated_cypher_gives_the_rows_of_the_general_one(store: Store, name: str, params: dict[str, Any]) -> None:
    # Without date options the engines run NAME.undated.cypher (no span predicates); the
    # general text with the options off must give the very same rows, in the same order.
    query = QUERIES[name]
    bound = query.bind(params)
    general, undated = query.text("cypher"), query.text("cypher", bound)
    assert general != undated and "$as_of" not in undated
    rows = [normalise(query, run_text(text, store, engine="cypher",
                                      params={k: v for k, v in bound.items() if f"${k}" in text}).values.tolist())
            for text in (general, undated)]
    assert len(rows[0]) > 0
    pd.testing.assert_frame_equal(rows[0], rows[1])


@pytest.mark.parametrize("case", range(len(CASES)), ids=[n for n, _ in CASES])
def test_every_case_answers_something(answers: dict[tuple[int, str], pd.DataFrame], case: int) -> None:
    # Identical empty answers would prove nothing.
    assert len(answers[(case, "cypher")]) > 0


def _xml_directors(xml_dir: Path) -> tuple[dict[str, set[str]], dict[str, Counter[str]]]:
    """Independent reading: owner CIK -> issuer CIKs where isDirector is 1/true, and names."""
    seats: dict[str, set[str]] = defaultdict(set)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    issuers: set[str] = set()
    for path in sorted(xml_dir.glob("*.xml")):
        root = ET.parse(path).getroot()
        issuer = root.findtext("issuer/issuerCik", "").strip().zfill(10)
        issuers.add(issuer)
        for owner in root.findall("reportingOwner"):
            cik = owner.findtext("reportingOwnerId/rptOwnerCik", "").strip().zfill(10)
            names[cik][owner.findtext("reportingOwnerId/rptOwnerName", "").strip()] += 1
            flag = owner.findtext("reportingOwnerRelationship/isDirector", "").strip().lower()
            if flag in ("1", "true"):
                seats[cik].add(issuer)
    # A CIK is a person when most of its filed names read as a person's and it never issues.
    persons = {
        cik for cik, c in names.items()
        if cik not in issuers
        and sum(n for name, n in c.items() if owner_kind(name) == "person") >= sum(c.values()) / 2
    }
    return {cik: s for cik, s in seats.items() if cik in persons}, names


def test_shared_directors_match_the_raw_xml(answers: dict[tuple[int, str], pd.DataFrame], corpus: Path) -> None:
    seats, names = _xml_directors(corpus / "xml")
    expected = {cik: issuers for cik, issuers in seats.items() if len(issuers) >= 2}
    got = answers[(0, "cypher")]
    assert len(expected) == 8
    assert {r.person_cik: set(r.issuer_ciks) for r in got.itertuples()} == expected
    filed = " ".join(n.upper() for cik in expected for n in names[cik])
    for surname in ("BOTHA", "HOFFMAN", "THIEL", "MUSK", "LEVCHIN", "RABOIS", "SACKS", "BRIN"):
        assert surname in filed


def test_shared_directors_min_boards_and_order(answers: dict[tuple[int, str], pd.DataFrame]) -> None:
    base, three = answers[(0, "cypher")], answers[(1, "cypher")]
    assert list(base["issuer_count"]) == sorted(base["issuer_count"], reverse=True)
    assert set(three["person_cik"]) == {r.person_cik for r in base.itertuples() if r.issuer_count >= 3}
    assert len(three) < len(base)
    assert all(len(r.issuer_ciks) == len(r.issuer_names) == r.issuer_count for r in base.itertuples())


def _spans(store: Store) -> pd.DataFrame:
    d = store.tables().edges["DIRECTOR_OF"].copy()
    d["start"] = d["first_period"].where(d["first_period"].notna(), d["first_filed"])
    d["end"] = d["last_period"].where(d["last_period"].notna(), d["last_filed"])
    return d


def test_as_of_keeps_only_seats_covering_the_date(answers: dict[tuple[int, str], pd.DataFrame], store: Store) -> None:
    day = date(2021, 3, 1)
    base, dated = answers[(0, "cypher")], answers[(2, "cypher")]
    assert 0 < len(dated) < len(base)
    d = _spans(store)
    for r in dated.itertuples():
        mine = d[d["src"] == f"person/{r.person_cik}"]
        covering = {dst.split("/")[1] for dst, s, e in zip(mine["dst"], mine["start"], mine["end"])
                    if s is not None and e is not None and s <= day <= e}
        assert covering == set(r.issuer_ciks)


def test_overlapping_drops_seats_held_at_other_times(answers: dict[tuple[int, str], pd.DataFrame],
                                                     store: Store) -> None:
    base, over = answers[(0, "cypher")], answers[(3, "cypher")]
    before = {r.person_cik: set(r.issuer_ciks) for r in base.itertuples()}
    after = {r.person_cik: set(r.issuer_ciks) for r in over.itertuples()}
    assert all(after[p] <= before[p] for p in after) and after != before
    d = _spans(store)
    botha = d[d["src"] == f"person/{BOTHA}"]
    # XOOM (2013-2015) overlaps none of Botha's later seats, so it goes.
    assert "0001315657" in before[BOTHA] and "0001315657" not in after[BOTHA]
    for cik in after[BOTHA]:
        row = botha[botha["dst"] == f"company/{cik}"].iloc[0]
        others = botha[botha["dst"] != f"company/{cik}"]
        assert any(row["start"] <= e and s <= row["end"] for s, e in zip(others["start"], others["end"]))


def test_interlocks_link_yelp_and_affirm_through_levchin_and_rabois(
        answers: dict[tuple[int, str], pd.DataFrame]) -> None:
    rows = answers[(4, "cypher")]
    pair = rows[(rows["issuer_a_cik"] == YELP) & (rows["issuer_b_cik"] == AFFIRM)]
    assert len(pair) == 1
    assert pair.iloc[0]["shared_count"] == 2
    assert pair.iloc[0]["shared_directors"] == ["Keith Rabois", "Max R Levchin"]


def test_interlock_options_narrow_the_answer(answers: dict[tuple[int, str], pd.DataFrame]) -> None:
    base, two, dated, capped = (answers[(i, "cypher")] for i in (4, 5, 6, 7))
    def key(df: pd.DataFrame) -> set[tuple[str, str]]:
        return set(zip(df["issuer_a_cik"], df["issuer_b_cik"]))

    assert key(two) == {(r.issuer_a_cik, r.issuer_b_cik) for r in base.itertuples() if r.shared_count >= 2}
    assert 0 < len(dated) < len(base) and key(dated) <= key(base)
    # Botha (8 boards) and Hoffman (6) are hubs: --max-boards 3 leaves them out entirely.
    assert 0 < len(capped) < len(base) and key(capped) <= key(base)
    hubs = {"Roelof Botha", "Reid Hoffman"}
    assert any(hubs & set(d) for d in base["shared_directors"])
    assert not any(hubs & set(d) for d in capped["shared_directors"])


def test_insider_roles_by_name_and_by_cik(answers: dict[tuple[int, str], pd.DataFrame]) -> None:
    levchin = answers[(8, "cypher")]
    assert set(levchin["person_cik"]) == {LEVCHIN}
    ceo = levchin[(levchin["role"] == "OFFICER_OF") & (levchin["issuer_cik"] == AFFIRM)]
    assert list(ceo["title"]) == ["Chief Executive Officer"]
    botha = answers[(9, "cypher")]
    assert set(botha["person_cik"]) == {BOTHA}
    starts = [s for s in botha["span_start"] if s is not None]
    assert starts == sorted(starts)


def test_issuer_insiders_by_ticker(answers: dict[tuple[int, str], pd.DataFrame]) -> None:
    yelp = answers[(10, "cypher")]
    assert {LEVCHIN, RABOIS} <= set(yelp["insider_cik"])
    for cik in (LEVCHIN, RABOIS):
        assert "DIRECTOR_OF" in yelp[yelp["insider_cik"] == cik].iloc[0]["roles"]
    held = yelp.dropna(subset=["security"])
    assert len(held) and all(isinstance(v, float) for v in held["shares_owned"])


def _last_filing_holdings(path: Path, security: str) -> dict[tuple[str, str | None], float]:
    """Independent reading of one filing: shares owned following, per ownership form, of the
    last row of each form reporting ``security``."""
    held: dict[tuple[str, str | None], float] = {}
    for row in ET.parse(path).getroot().iter():
        if row.tag not in ("nonDerivativeTransaction", "nonDerivativeHolding", "derivativeTransaction",
                           "derivativeHolding") or row.findtext("securityTitle/value", "").strip() != security:
            continue
        form = row.findtext("ownershipNature/directOrIndirectOwnership/value", "").strip()
        nature = row.findtext("ownershipNature/natureOfOwnership/value")
        shares = row.findtext("postTransactionAmounts/sharesOwnedFollowingTransaction/value")
        assert shares is not None, path
        held[(form, nature.strip() if nature else None)] = float(shares)  # the last row of the form wins
    return held


@pytest.mark.parametrize("engine", ENGINES)
def test_issuer_insiders_keeps_one_row_per_security_and_ownership_form(
    answers: dict[tuple[int, str], pd.DataFrame], corpus: Path, engine: str
) -> None:
    # Levchin's last YELP filing reports Class B held directly and through an entity: both are his.
    last = corpus / "xml" / "0001209191-13-029698__YELP__F4__2013-05-28__Levchin-Max-R.xml"
    expected = _last_filing_holdings(last, "Class B Common Stock")
    assert expected == {("D", None): 2357027.0, ("I", "See Footnote"): 3395707.0}
    yelp = answers[(10, engine)]
    rows = yelp[(yelp["insider_cik"] == LEVCHIN) & (yelp["security"] == "Class B Common Stock")]
    got = {(r.direct_indirect, r.nature_of_ownership): r.shares_owned for r in rows.itertuples()}
    assert got == expected
    assert set(rows["as_of"]) == {"2013-05-28"}
    # Every (insider, security, form, nature) appears once.
    keys = yelp.dropna(subset=["security"])[["insider_cik", "security", "direct_indirect", "nature_of_ownership"]]
    assert not keys.astype(str).duplicated().any()


def test_connection_is_a_chain_of_named_hops(answers: dict[tuple[int, str], pd.DataFrame]) -> None:
    path = answers[(14, "cypher")]
    hops = path.drop_duplicates("hop")
    assert list(hops["hop"]) == [1, 2, 3, 4]
    assert hops.iloc[0]["from_cik"] == LEVCHIN and hops.iloc[-1]["to_cik"] == BOTHA
    assert list(hops["to_cik"])[:-1] == list(hops["from_cik"])[1:]
    assert path["from_name"].notna().all() and path["to_name"].notna().all()


def test_co_owners_are_entities_of_two_or_more_issuers(answers: dict[tuple[int, str], pd.DataFrame],
                                                       store: Store) -> None:
    rows = answers[(16, "cypher")]
    companies = set(store.tables().nodes["Company"]["cik"])
    assert set(rows["owner_cik"]) <= companies
    assert (rows["issuer_count"] >= 2).all()


def test_attorney_network_is_ranked(answers: dict[tuple[int, str], pd.DataFrame]) -> None:
    rows = answers[(12, "cypher")]
    ranks = list(zip(rows["insider_count"], rows["issuer_count"]))
    assert ranks == sorted(ranks, reverse=True)
    assert all(len(r.insider_names) <= r.insider_count for r in rows.itertuples())
    assert set(answers[(13, "cypher")]["attorney_name"]) < set(rows["attorney_name"])


def test_without_powers_every_attorney_signature_is_unauthorized(answers: dict[tuple[int, str], pd.DataFrame],
                                                                  store: Store) -> None:
    rows = answers[(17, "cypher")]
    assert (rows["powers_on_file"] == 0).all()
    signed = store.tables().edges["SIGNED"]
    signed = signed[signed["attorney_in_fact"].eq(True)]
    # One row per attorney, filing and owner signed for: at least one per attorney and filing.
    assert len(rows) >= len(set(zip(signed["src"], signed["dst"])))
    network = answers[(18, "cypher")]
    assert (network["power_count"] == 0).all() and (network["insiders_without_power"] == network["insider_count"]).all()


def test_bad_parameters_are_query_errors(store: Store) -> None:
    with pytest.raises(QueryError, match="--as-of"):
        run("shared-directors", store, as_of="2021-02-30")
    with pytest.raises(QueryError, match="--person is required"):
        run("insider-roles", store)
    with pytest.raises(QueryError, match="no named query"):
        run("nope", store)


# -- the command line -------------------------------------------------------------------

def _cli(*args: str) -> Any:
    from click.testing import CliRunner

    from insidergraph.cli import cli

    return CliRunner().invoke(cli, list(args))


def test_cli_query_csv_matches_the_python_api(store: Store, answers: dict[tuple[int, str], pd.DataFrame]) -> None:
    import csv
    import io

    result = _cli("query", "interlocks", "--store", str(store.path), "--engine", "sparql", "--min-shared", "2",
                  "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["issuer_a_cik"], r["issuer_b_cik"], r["shared_directors"]) for r in rows] == [
        (r.issuer_a_cik, r.issuer_b_cik, "; ".join(r.shared_directors)) for r in answers[(5, "cypher")].itertuples()
    ]


def test_cli_query_json_with_options(store: Store) -> None:
    import json

    result = _cli("query", "shared-directors", "--store", str(store.path), "--engine", "networkx",
                  "--as-of", "2021-03-01", "--overlapping", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    expected = run("shared-directors", store, engine="cypher", as_of="2021-03-01", overlapping=True)
    assert [r["person_cik"] for r in rows] == list(expected["person_cik"])
    assert all(isinstance(r["issuer_ciks"], list) for r in rows)


def test_cli_queries_lists_every_query_with_params_and_columns() -> None:
    result = _cli("queries")
    assert result.exit_code == 0
    for q in QUERIES.values():
        assert f"{q.name}: " in result.stdout
        assert ", ".join(q.columns) in result.stdout
        for p in q.params:
            assert p.option in result.stdout


def test_cli_cypher_binds_params(store: Store) -> None:
    result = _cli("cypher", "--store", str(store.path), "--format", "csv", "-p", f"cik={LEVCHIN}",
                  "--param", "n:int=1",
                  "MATCH (p:Person)-[:DIRECTOR_OF]->(c:Company) WHERE p.cik = $cik "
                  "RETURN c.name AS issuer ORDER BY c.id LIMIT $n")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["issuer", "YAHOO INC"]


def test_cli_sparql_binds_params_by_substitution(store: Store) -> None:
    text = ("PREFIX ig: <https://w3id.org/insidergraph/ontology#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "SELECT ?name ?cik WHERE { ?p ig:cik ?cik ; rdfs:label ?name }")
    result = _cli("sparql", "--store", str(store.path), "--format", "csv", "--param", f"cik={RABOIS}", text)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["name,cik", f"Keith Rabois,{RABOIS}"]


@pytest.mark.parametrize("args", [
    ("cypher", "MATCH (p:Persn) RETURN p"),
    ("sparql", "SELECT ?x WHERE { ?x }"),
    ("cypher", "MATCH (p:Person) RETURN p.name", "--param", "oops"),
    ("query", "shared-directors", "--as-of", "yesterday"),
])
def test_cli_bad_query_is_one_line_and_exit_1(store: Store, args: tuple[str, ...]) -> None:
    result = _cli(*args[:2], "--store", str(store.path), *args[2:])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")


@pytest.mark.parametrize("engine", ["cypher", "sparql", "networkx"])
@pytest.mark.parametrize(("name", "params", "message"), [
    ("insider-roles", {"person": "9999999"}, "no person matches '9999999' (a CIK, a node id, a name or part of one)"),
    ("insider-roles", {"person": "nobody-xyz"}, "no person matches 'nobody-xyz'"),
    ("issuer-insiders", {"issuer": "NOPE"},
     "no company matches 'NOPE' (a CIK, a ticker, a node id, a name or part of one)"),
    ("connection", {"source": "9999999", "target": "1222287"}, "no person or company matches '9999999'"),
    ("connection", {"source": "1222287", "target": "company/0000000001"},
     "no person or company matches 'company/0000000001'"),
])
def test_a_query_about_something_the_store_does_not_hold_says_so(
        store: Store, engine: str, name: str, params: dict[str, str], message: str) -> None:
    with pytest.raises(QueryError) as err:
        run(name, store, engine=engine, **params)
    assert message in str(err.value)
    assert str(err.value).startswith(f"{store.path}: ")


@pytest.mark.parametrize("engine", ["cypher", "sparql", "networkx"])
def test_a_person_the_store_holds_without_roles_is_an_empty_answer_not_an_error(store: Store, engine: str) -> None:
    # Julia Stark signs Microsoft's filings as attorney-in-fact: a Person with no role.
    signer = store.tables().nodes["Person"]
    assert (signer["name"] == "Julia Stark").any()
    assert run("insider-roles", store, engine=engine, person="julia stark").empty


def _pandas_text(df: pd.DataFrame, fmt: str, limit: int | None = None) -> str:
    """What pandas writes of a DataFrame (CSV mapped by csv_cell, CRLF; JSON records):
    the text emit_rows must give without pandas."""
    import io
    import json

    from insidergraph.queries.commands import csv_cell

    if limit is not None:
        df = df.head(limit)
    if fmt == "json":
        records = [dict(zip(df.columns, row)) for row in df.itertuples(index=False)]
        return json.dumps(records, indent=2, ensure_ascii=False, default=str) + "\n"
    out = io.StringIO()
    df.map(csv_cell).to_csv(out, index=False, lineterminator="\r\n")
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_named_query_output_from_rows_is_the_dataframes_text(
        store: Store, answers: dict[tuple[int, str], pd.DataFrame], fmt: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    # `insidergraph query NAME` writes CSV and JSON from the rows without pandas
    # (emit_rows); it must be byte for byte what pandas writes of run()'s DataFrame.
    from insidergraph.queries import run_rows
    from insidergraph.queries.commands import emit_rows

    for i, (name, params) in enumerate(CASES):
        for limit in (None, 2):
            expected = _pandas_text(answers[(i, "cypher")], fmt, limit)
            emit_rows(list(QUERIES[name].columns), run_rows(name, store, engine="cypher", **params), fmt, limit)
            assert capsys.readouterr().out == expected, (name, params, fmt, limit)


def test_csv_from_rows_types_columns_as_pandas_does(capsys: pytest.CaptureFixture[str]) -> None:
    # Columns of every mix a named query's rows can hold: pandas infers one type per column
    # (ints with a missing value or a float become floats), and emit_rows must write the same.
    import random

    from insidergraph.queries.commands import emit_rows

    rng = random.Random(7)
    pool: list[Any] = [None, float("nan"), 0, 1, -3, 2**40, 2**70, 1.5, 2.0, -0.0, 1e16, 1e-7, 0.1, True, False,
                       "", "a,b", 'q"uote', "line\nbreak", "=SUM(A1)", "-1", ["x", None], []]
    for _ in range(300):
        width, height = rng.randint(1, 3), rng.randint(0, 4)
        kinds = [rng.sample(pool, rng.randint(1, 3)) for _ in range(width)]
        rows = [[rng.choice(kinds[c]) for c in range(width)] for _ in range(height)]
        columns = [f"c{c}" for c in range(width)]
        expected = _pandas_text(pd.DataFrame(rows, columns=columns, dtype=object), "csv")
        emit_rows(columns, rows, "csv")
        assert capsys.readouterr().out == expected, rows
