"""Loading the corpus graph into a real Neo4j server (started by scripts/test)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j_db
import pytest
from click.testing import CliRunner

from insidergraph.backends import store_engines
from insidergraph.backends.neo4j.csv_export import export_csv, load_csv_statements
from insidergraph.backends.neo4j.load import (
    MARKER_LABEL,
    Neo4jConfig,
    connect,
    counts,
    load,
)
from insidergraph.cli import cli
from insidergraph.errors import Neo4jError
from insidergraph.graph.store import Store
from insidergraph.graph.tables import GraphTables
from insidergraph.loaders.xml import parse

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def cfg(neo4j_env: dict[str, str]) -> Neo4jConfig:
    return neo4j_db.config(neo4j_env)


@pytest.fixture(scope="module")
def store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    s = Store(tmp_path_factory.mktemp("neo4j") / "store")
    s.add((parse(p) for p in sorted((corpus / "xml").glob("*.xml"))), engines=store_engines())
    return s


@pytest.fixture(scope="module")
def tables(store: Store) -> GraphTables:
    return store.tables()


@pytest.fixture
def empty(cfg: Neo4jConfig) -> Iterator[Neo4jConfig]:
    neo4j_db.clear(cfg)
    yield cfg


def test_load_gives_the_store_counts_and_a_second_load_changes_nothing(empty: Neo4jConfig, tables: GraphTables) -> None:
    first = load(tables, empty, batch_size=2000)
    expected = tables.counts()
    assert counts(empty) == expected
    assert sum(first.created.values()) == sum(expected["nodes"].values()) + sum(expected["edges"].values())
    second = load(tables, empty, batch_size=700, workers=3)
    assert counts(empty) == expected
    assert sum(second.created.values()) == 0
    assert "0 created" in second.line()


def test_a_load_broken_off_part_way_completes_on_rerun_without_duplicates(
        empty: Neo4jConfig, tables: GraphTables) -> None:
    seen: list[tuple[str, str, int]] = []

    def hook(kind: str, name: str, index: int) -> None:
        seen.append((kind, name, index))
        if kind == "edges" and name == "TRANSACTED" and index == 1:
            raise Stop

    with pytest.raises(Stop):
        load(tables, empty, batch_size=1000, on_batch=hook)
    partial = counts(empty)
    assert partial["nodes"] == tables.counts()["nodes"]
    assert partial["edges"]["TRANSACTED"] < len(tables.edges["TRANSACTED"])
    load(tables, empty, batch_size=1000, workers=2)  # concurrent sessions must not duplicate either
    assert counts(empty) == tables.counts()


class Stop(Exception):
    """Raised by a batch hook to break a load off."""


def _stop_at(kind: str, name: str, at: int):  # type: ignore[no-untyped-def]
    def hook(k: str, n: str, index: int) -> None:
        if (k, n, index) == (kind, name, at):
            raise Stop
    return hook


def _cypher(cfg: Neo4jConfig, query: str, **params: object) -> list[dict[str, Any]]:
    driver = connect(cfg)
    try:
        return [r.data() for r in driver.execute_query(query, params, database_=cfg.database).records]
    finally:
        driver.close()


def _duplicate_ids(cfg: Neo4jConfig) -> int:
    """Relationships sharing an id, plus nodes sharing one (the constraints should make that 0)."""
    rels = _cypher(cfg, "MATCH ()-[r]->() WITH type(r) AS t, r.id AS id, count(*) AS c "
                        "WHERE c > 1 RETURN count(*) AS n")
    nodes = _cypher(cfg, "MATCH (n) WHERE n.id IS NOT NULL WITH labels(n) AS l, n.id AS id, count(*) AS c "
                         "WHERE c > 1 RETURN count(*) AS n")
    return int(rels[0]["n"]) + int(nodes[0]["n"])


def test_first_load_creates_and_a_second_skips_every_table_by_its_marker(empty: Neo4jConfig,
                                                                          tables: GraphTables) -> None:
    first = load(tables, empty, batch_size=1500)
    assert set(first.paths.values()) == {"create"}
    markers = _cypher(empty, f"MATCH (m:{MARKER_LABEL}) RETURN m.key AS key, m.state AS state, m.count AS count")
    expected = tables.counts()
    assert {m["key"]: (m["state"], m["count"]) for m in markers} == {
        f"{kind}/{name}": ("done", n) for kind in ("nodes", "edges") for name, n in expected[kind].items()
    }
    second = load(tables, empty, batch_size=1500, workers=2)
    assert set(second.paths.values()) == {"skip"}
    assert sum(second.created.values()) == 0 and counts(empty) == expected
    assert "relationships: 0 created" in second.line() and "skip" in second.line()


@pytest.mark.parametrize("kind, name, at, workers", [
    ("nodes", "Transaction", 3, 1),      # nodes, first CREATE batches committed
    ("edges", "FOOTNOTED_BY", 5, 2),     # relationships with properties, two sessions
    ("edges", "IN_SECURITY", 2, 1),      # relationships without properties
])
def test_a_load_broken_off_in_a_create_phase_completes_on_rerun_without_duplicates(
    empty: Neo4jConfig, tables: GraphTables, kind: str, name: str, at: int, workers: int
) -> None:
    with pytest.raises(Stop):
        load(tables, empty, batch_size=400, on_batch=_stop_at(kind, name, at), workers=workers)
    partial = counts(empty)[kind][name]
    assert 0 < partial < tables.counts()[kind][name]
    # The broken table is claimed no more (released at once), and not marked done.
    state = _cypher(empty, f"MATCH (m:{MARKER_LABEL} {{key: $key}}) RETURN m.state AS s", key=f"{kind}/{name}")
    assert state == [{"s": "broken"}]
    again = load(tables, empty, batch_size=400, workers=workers)
    assert again.paths[name] == "diff"
    assert again.created[name] == tables.counts()[kind][name] - partial
    assert counts(empty) == tables.counts()
    assert _duplicate_ids(empty) == 0
    assert set(load(tables, empty).paths.values()) == {"skip"}


def test_a_grown_store_loads_its_new_rows_once_and_refreshes_changed_ones(
    empty: Neo4jConfig, corpus: Path, tables: GraphTables, tmp_path: Path
) -> None:
    files = sorted((corpus / "xml").glob("*.xml"))
    half = Store(tmp_path / "half")
    half.add((parse(p) for p in files[: len(files) // 2]), engines=store_engines())
    small = half.tables()
    load(small, empty, batch_size=500)
    assert counts(empty) == small.counts()
    grown = load(tables, empty, batch_size=500)
    assert counts(empty) == tables.counts()
    assert _duplicate_ids(empty) == 0
    assert grown.paths["FILED"] == "diff"
    assert grown.created["FILED"] == len(tables.edges["FILED"]) - len(small.edges["FILED"])
    # Role spans grow with the filings: the store's latest values are on the server.
    roles = tables.edges["DIRECTOR_OF"]
    want = {row.id: row.filing_count for row in roles.itertuples()}
    got = _cypher(empty, "MATCH ()-[r:DIRECTOR_OF]->() RETURN r.id AS id, r.filing_count AS n")
    assert {r["id"]: r["n"] for r in got} == want
    assert set(load(tables, empty).paths.values()) == {"skip"}


def test_rows_deleted_behind_the_loaders_back_are_restored(empty: Neo4jConfig, tables: GraphTables) -> None:
    load(tables, empty)
    _cypher(empty, "MATCH (t:Transaction) WITH t LIMIT 10 DETACH DELETE t")
    _cypher(empty, "MATCH ()-[r:ABOUT]->() WITH r LIMIT 7 DELETE r")
    again = load(tables, empty)
    assert again.paths["Transaction"] == "diff" and again.paths["ABOUT"] == "diff"
    assert again.created["Transaction"] == 10 and again.created["ABOUT"] == 7
    assert counts(empty) == tables.counts()


def test_merge_option_rewrites_hand_edited_properties(empty: Neo4jConfig, tables: GraphTables) -> None:
    load(tables, empty)
    _cypher(empty, "MATCH (p:Person {id: 'person/0001222287'}) SET p.name = 'edited'")
    assert set(load(tables, empty).paths.values()) == {"skip"}  # markers cannot see a property edit
    merged = load(tables, empty, always_merge=True)
    assert set(merged.paths.values()) == {"merge"} and sum(merged.created.values()) == 0
    name = _cypher(empty, "MATCH (p:Person {id: 'person/0001222287'}) RETURN p.name AS n")[0]["n"]
    assert name == tables.nodes["Person"].set_index("id").loc["person/0001222287", "name"]
    assert counts(empty) == tables.counts()


def test_a_live_claim_of_another_load_stops_this_one_and_a_stale_claim_is_taken_over(
    empty: Neo4jConfig, tables: GraphTables
) -> None:
    _cypher(empty, f"CREATE (:{MARKER_LABEL} {{key: 'edges/FILED', state: 'loading', run: 'other', "
                   "seen: datetime().epochSeconds})")
    with pytest.raises(Neo4jError, match="another insidergraph load is writing edges/FILED"):
        load(tables, empty)
    _cypher(empty, f"MATCH (m:{MARKER_LABEL} {{key: 'edges/FILED'}}) SET m.seen = datetime().epochSeconds - 3600")
    summary = load(tables, empty)
    assert summary.paths["FILED"] == "create"
    assert counts(empty) == tables.counts()


def test_bulk_csv_files_load_to_the_same_counts(empty: Neo4jConfig, tables: GraphTables, neo4j_env: dict[str, str],
                                                tmp_path: Path) -> None:
    import_dir = neo4j_env.get("NEO4J_IMPORT_DIR")
    assert import_dir, "scripts/neo4j-dev-server must export NEO4J_IMPORT_DIR (the server's LOAD CSV folder)"
    out = Path(import_dir) / "csv-test"
    shutil.rmtree(out, ignore_errors=True)
    args = export_csv(tables, out)
    assert args[:4] == ["neo4j-admin", "database", "import", "full"]
    driver = connect(empty)
    try:
        with driver.session(database=empty.database) as session:
            for statement in load_csv_statements("file:///csv-test", rows_per_transaction=5000):
                session.run(statement).consume()
            brin = session.run("MATCH (p:Person {id: 'person/0001295032'}) RETURN p.aliases AS a").single()
            span = session.run("MATCH (:Person {id: 'person/0001222287'})-[r:DIRECTOR_OF]->() "
                               "RETURN min(r.first_period) AS first, sum(r.filing_count) AS n").single()
    finally:
        driver.close()
    assert brin is not None and span is not None
    people = tables.nodes["Person"].set_index("id")
    assert sorted(brin["a"]) == sorted(people.loc["person/0001295032", "aliases"])
    botha = tables.edges["DIRECTOR_OF"][tables.edges["DIRECTOR_OF"].src == "person/0001222287"]
    assert span["first"].to_native() == min(botha.first_period)
    assert span["n"] == sum(botha.filing_count)
    assert counts(empty) == tables.counts()


def test_cli_load_reports_created_then_matched(empty: Neo4jConfig, store: Store, neo4j_env: dict[str, str]) -> None:
    env = {"NEO4J_URI": neo4j_env["NEO4J_URI"], "NEO4J_USER": neo4j_env["NEO4J_USER"],
           "NEO4J_PASSWORD": neo4j_env["NEO4J_PASSWORD"]}
    runner = CliRunner()
    first = runner.invoke(cli, ["neo4j", "load", "--store", str(store.path), "--no-progress"], env=env)
    assert first.exit_code == 0, first.output
    assert "0 matched" in first.output
    second = runner.invoke(cli, ["neo4j", "load", "--store", str(store.path), "--batch-size", "300"], env=env)
    assert second.exit_code == 0, second.output
    assert "nodes: 0 created" in second.output and "relationships: 0 created" in second.output


@pytest.mark.parametrize(
    "override, message",
    [
        ({"--password": "definitely-wrong"}, "refused the credentials"),
        ({"--uri": "bolt://127.0.0.1:1"}, "cannot reach Neo4j"),
        ({"--database": "nosuchdb"}, "no database 'nosuchdb'"),
    ],
)
def test_bad_connection_settings_give_one_line_and_status_1(
    store: Store, neo4j_env: dict[str, str], override: dict[str, str], message: str
) -> None:
    settings = {"--uri": neo4j_env["NEO4J_URI"], "--user": neo4j_env["NEO4J_USER"],
                "--password": neo4j_env["NEO4J_PASSWORD"], "--database": "neo4j", **override}
    args = ["neo4j", "load", "--store", str(store.path)] + [x for kv in settings.items() for x in kv]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.output
    assert "Traceback" not in result.output


def test_export_csv_command_prints_the_import_command(store: Store, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["neo4j", "export-csv", "--store", str(store.path), str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("neo4j-admin database import full ")
    assert "--nodes=Person=" in result.output and "--relationships=DIRECTOR_OF=" in result.output
    header = (tmp_path / "csv" / "relationships" / "DIRECTOR_OF.csv").read_text().splitlines()[0]
    assert header.startswith((":START_ID,:END_ID", "id,:START_ID,:END_ID"))
    assert os.path.getsize(tmp_path / "csv" / "nodes" / "Person.csv") > 0


def test_every_named_query_on_neo4j_gives_the_embedded_engines_rows(empty: Neo4jConfig, store: Store,
                                                                      tables: GraphTables) -> None:
    from insidergraph.queries import run

    from test_queries import CASES

    load(tables, empty)
    env = {"NEO4J_URI": empty.uri, "NEO4J_USER": empty.user, "NEO4J_PASSWORD": empty.password}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        for name, params in CASES:
            embedded = run(name, store, engine="cypher", **params)
            served = run(name, store, engine="neo4j", **params)
            assert len(embedded), (name, params)
            assert served.equals(embedded), (name, params, served.head(), embedded.head())
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_cli_query_and_adhoc_cypher_on_neo4j(empty: Neo4jConfig, store: Store, tables: GraphTables,
                                              neo4j_env: dict[str, str]) -> None:
    load(tables, empty)
    env = {k: neo4j_env[k] for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD")}
    runner = CliRunner()
    named = runner.invoke(cli, ["query", "shared-directors", "--store", str(store.path), "--engine", "neo4j",
                                "--format", "csv"], env=env)
    assert named.exit_code == 0, named.output
    assert "0001222287" in named.output
    adhoc = runner.invoke(cli, ["cypher", "--engine", "neo4j", "--store", str(store.path), "--format", "csv",
                                "--param", "cik=0001222287",
                                "MATCH (p:Person {cik: $cik})-[:DIRECTOR_OF]->(c:Company) RETURN count(c) AS boards"],
                          env=env)
    assert adhoc.exit_code == 0, adhoc.output
    assert int(adhoc.output.strip().splitlines()[-1]) >= 7
    bad = runner.invoke(cli, ["cypher", "--engine", "neo4j", "--store", str(store.path), "MATCH (n RETURN n"], env=env)
    assert bad.exit_code == 1 and bad.output.startswith("Error: ") and len(bad.output.strip().splitlines()) == 1


def test_a_name_the_local_store_lacks_is_one_line_on_neo4j(
        empty: Neo4jConfig, store: Store, tables: GraphTables, neo4j_env: dict[str, str], tmp_path: Path) -> None:
    load(tables, empty)
    env = {k: neo4j_env[k] for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD")}
    runner = CliRunner()
    args = ["query", "insider-roles", "--engine", "neo4j", "--format", "csv"]
    unknown = runner.invoke(cli, [*args, "--person", "nobody-xyz", "--store", str(store.path)], env=env)
    assert unknown.exit_code == 1
    assert unknown.output.strip() == f"Error: {store.path}: no person matches 'nobody-xyz' (a CIK, a node id, " \
                                     "a name or part of one)"
    # A person the store holds with no role (an attorney-in-fact) is an empty answer, as on the embedded engines.
    signer = runner.invoke(cli, [*args, "--person", "julia stark", "--store", str(store.path)], env=env)
    assert signer.exit_code == 0 and len(signer.output.strip().splitlines()) == 1, signer.output
    # No local store to look a name up in: refused in one line, not an empty answer.
    bare = runner.invoke(cli, [*args, "--person", "nobody-xyz", "--store", str(tmp_path / "none")], env=env)
    assert bare.exit_code == 1
    assert bare.output.startswith("Error: --person 'nobody-xyz': a name or ticker is resolved from a store's tables")
