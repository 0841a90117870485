"""The Neo4j loader's pure parts, without a server: the Cypher it sends, the path it
chooses from what the server reported, and the plan of phases, tables and batches.

The tables are built from real filings of the corpus; what a server does with the
statements is tested against a real Neo4j in tests/test_neo4j_load.py.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from insidergraph.backends.neo4j.labels import LabelIndex, label_index
from insidergraph.backends.neo4j.markers import (
    STALE_S,
    Marker,
    choose_path,
    claim_write,
    live_claim,
)
from insidergraph.backends.neo4j.messages import driver_line, server_line
from insidergraph.backends.neo4j.params import create_params, digest, merge_params
from insidergraph.backends.neo4j.plan import TablePlan, phases, plan_table, split_rows
from insidergraph.backends.neo4j.statements import (
    CLAIM,
    DONE,
    MARKER_LABEL,
    RELEASE,
    TAKE,
    UNLOCK,
    batch_statement,
    clear_statements,
    constraint_statements,
    count_query,
    ids_query,
    node_statement,
    props,
)
from insidergraph.errors import Neo4jError
from insidergraph.graph.build import GraphBuilder
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES
from insidergraph.graph.tables import GraphTables
from insidergraph.loaders.xml import parse

TOKEN = "this-load"


def _never_gone(host: str | None, pid: int | None) -> bool:
    return False


@pytest.fixture(scope="module")
def tables(corpus: Path) -> GraphTables:
    builder = GraphBuilder()
    for path in sorted((corpus / "xml").glob("*.xml"))[:80]:
        builder.add(parse(path))
    return builder.tables()


@pytest.fixture(scope="module")
def labels(tables: GraphTables) -> LabelIndex:
    return label_index((name, tables.to_arrow("nodes", name).column("id")) for name in NODE_TYPES)


def _params_named(statement: str) -> set[str]:
    return set(re.findall(r"\$(\w+)", statement))


def _node_ids(tables: GraphTables, label: str) -> set[str]:
    return set(tables.to_arrow("nodes", label).column("id").to_pylist())


# --- statement builders ------------------------------------------------------------------


def test_one_uniqueness_constraint_per_label_and_one_on_the_marker_key() -> None:
    statements = constraint_statements()
    for label in NODE_TYPES:
        assert (f"CREATE CONSTRAINT ig_{label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
                in statements)
    assert statements[-1] == (f"CREATE CONSTRAINT ig_load_key IF NOT EXISTS FOR (m:{MARKER_LABEL}) "
                              "REQUIRE m.key IS UNIQUE")
    assert len(statements) == len(NODE_TYPES) + 1


def test_every_create_statement_names_exactly_the_columns_its_parameters_carry(tables: GraphTables,
                                                                              labels: LabelIndex) -> None:
    checked = 0
    for kind, names in (("nodes", NODE_TYPES), ("edges", EDGE_TYPES)):
        for name in names:
            arrow = tables.to_arrow(kind, name)
            plan = plan_table(kind, name, arrow, digest(arrow), "create", None, labels)
            for batch in plan.batches(50):
                params = batch.params()
                assert _params_named(batch.statement) == set(params), (kind, name)
                assert all(len(column) == batch.rows.num_rows for column in params.values())
                checked += 1
                break
            # Every property of the table is written by the CREATE, under its own name.
            for k, prop in enumerate(props(kind, name)):
                assert f"{prop.name}: $p{k}[i]" in batch_statement(kind, name, True, EDGE_TYPES[name].pairs[0]
                                                                   if kind == "edges" else None)
    assert checked >= len(NODE_TYPES) + 10


def test_merge_statements_take_row_maps_and_set_properties_only_where_a_type_has_them() -> None:
    for label in NODE_TYPES:
        assert node_statement(label) == f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row"
    for rel, edge in EDGE_TYPES.items():
        for src, dst in edge.pairs:
            statement = batch_statement("edges", rel, False, (src, dst))
            assert _params_named(statement) == {"rows"}
            assert f"MATCH (a:{src} {{id: row.src}}) MATCH (b:{dst} {{id: row.dst}})" in statement
            assert f"MERGE (a)-[r:{rel} {{id: row.id}}]->(b)" in statement
            assert statement.endswith(" SET r += row.props") == bool(edge.props)


def test_merge_row_maps_leave_out_absent_values(tables: GraphTables) -> None:
    arrow = tables.to_arrow("edges", "OFFICER_OF")
    rows = merge_params(arrow, "edges", "OFFICER_OF")["rows"]
    assert rows and any(len(r["props"]) < len(EDGE_TYPES["OFFICER_OF"].props) for r in rows)
    assert [r["id"] for r in rows] == arrow.column("id").to_pylist()
    assert all(None not in r["props"].values() for r in rows)
    nodes = merge_params(tables.to_arrow("nodes", "Person"), "nodes", "Person")["rows"]
    assert all(None not in r.values() and "id" in r for r in nodes)
    # Column-wise CREATE parameters keep the nulls in place instead.
    columns = create_params(arrow, "edges", "OFFICER_OF")
    assert len(columns["p0"]) == len(columns["src"]) == arrow.num_rows


def test_marker_statements_carry_what_the_decision_reads_and_the_claim_writes() -> None:
    returned = set(re.findall(r"AS (\w+)", CLAIM))
    assert returned == {"state", "digest", "count", "run", "host", "pid", "age"}
    assert set(Marker.__dataclass_fields__) == returned
    _statement, take = claim_write("nodes/Person", "create", TOKEN, "d", 3, "host", 42)
    assert _params_named(TAKE) == set(take)
    assert _params_named(UNLOCK) == set(claim_write("nodes/Person", "skip", TOKEN, "d", 3, "host", 42)[1])
    assert _params_named(DONE) == {"key", "token", "count"} and "m.run = $token" in DONE
    assert "SET m.state = 'broken'" in RELEASE and "m.run = $token" in RELEASE
    assert count_query("nodes", "Person") == "MATCH (n:Person) RETURN count(n) AS c"
    assert ids_query("edges", "FILED") == "MATCH ()-[r:FILED]->() RETURN r.id AS id"


def test_deletes_remove_relationships_before_nodes_in_bounded_transactions() -> None:
    rels, nodes = clear_statements(2500)
    assert rels.startswith("MATCH ()-[r]->()") and "DELETE r" in rels and "OF 2500 ROWS" in rels
    assert nodes.startswith("MATCH (n)") and "DELETE n" in nodes and "OF 2500 ROWS" in nodes


# --- the path decision --------------------------------------------------------------------


@pytest.fixture(scope="module")
def person_digest(tables: GraphTables) -> str:
    return digest(tables.to_arrow("nodes", "Person"))


def _path(marker: Marker, count: int, table_digest: str, always_merge: bool = False) -> str:
    return choose_path("nodes/Person", marker, count, table_digest, TOKEN, always_merge, gone=_never_gone)


def test_a_fresh_load_creates(person_digest: str) -> None:
    assert _path(Marker(), 0, person_digest) == "create"


def test_an_unchanged_complete_table_is_skipped(person_digest: str, tables: GraphTables) -> None:
    n = tables.counts()["nodes"]["Person"]
    assert _path(Marker(state="done", digest=person_digest, count=n, run="old"), n, person_digest) == "skip"


def test_a_load_broken_off_part_way_is_resumed_by_diff(person_digest: str) -> None:
    broken = Marker(state="broken", digest=person_digest, run="old", age=10)
    assert _path(broken, 17, person_digest) == "diff"
    # Broken off before its first batch committed: nothing there, so CREATE is safe.
    assert _path(broken, 0, person_digest) == "create"


def test_a_changed_store_or_rows_deleted_behind_the_loaders_back_take_diff(person_digest: str,
                                                                            tables: GraphTables) -> None:
    n = tables.counts()["nodes"]["Person"]
    done = Marker(state="done", digest=person_digest, count=n, run="old")
    grown = digest(tables.to_arrow("nodes", "Person").slice(1))
    assert _path(done, n, grown) == "diff"
    assert _path(done, n - 10, person_digest) == "diff"
    # Rows written by something else, with no marker at all.
    assert _path(Marker(), n, person_digest) == "diff"


def test_merge_merges_every_table_whatever_its_marker(person_digest: str) -> None:
    assert _path(Marker(state="done", digest=person_digest, count=3), 3, person_digest, always_merge=True) == "merge"
    assert _path(Marker(), 0, person_digest, always_merge=True) == "merge"


def test_a_live_claim_of_another_load_is_refused_in_one_line(person_digest: str) -> None:
    live = Marker(state="loading", run="other", host="elsewhere.invalid", pid=4242, age=20)
    for always_merge in (False, True):
        with pytest.raises(Neo4jError) as err:
            _path(live, 5, person_digest, always_merge)
        message = str(err.value)
        assert "another insidergraph load is writing nodes/Person" in message and "\n" not in message
        assert "process 4242 on elsewhere.invalid" in message and f"in {STALE_S - 20} s" in message


def test_a_stale_claim_or_one_whose_process_is_gone_is_taken_over(person_digest: str) -> None:
    stale = Marker(state="loading", run="other", age=STALE_S)
    assert not live_claim(stale, TOKEN) and _path(stale, 0, person_digest) == "create"
    live = Marker(state="loading", run="other", host="here", pid=99, age=5)
    gone = choose_path("nodes/Person", live, 8, person_digest, TOKEN,
                       gone=lambda host, pid: (host, pid) == ("here", 99))
    assert gone == "diff"
    # This load's own claim is never in its way.
    assert _path(Marker(state="loading", run=TOKEN, age=1), 8, person_digest) == "diff"


def test_a_skipped_table_only_drops_its_lock_and_any_other_is_claimed() -> None:
    assert claim_write("edges/FILED", "skip", TOKEN, "d", 9, "h", 1) == (UNLOCK, {"key": "edges/FILED"})
    for path in ("create", "diff", "merge"):
        statement, params = claim_write("edges/FILED", path, TOKEN, "d", 9, "h", 1)
        assert statement == TAKE and params["path"] == path and params["token"] == TOKEN and params["rows"] == 9


# --- the batch plan -----------------------------------------------------------------------


def test_nodes_are_planned_first_and_relationships_in_the_background() -> None:
    nodes, edges = phases()
    assert (nodes.kind, nodes.names, nodes.background) == ("nodes", tuple(NODE_TYPES), False)
    assert (edges.kind, edges.names, edges.background) == ("edges", tuple(EDGE_TYPES), True)


def test_a_create_plan_writes_every_row_once_in_bounded_batches_grouped_by_end_labels(
    tables: GraphTables, labels: LabelIndex
) -> None:
    node_ids = {label: _node_ids(tables, label) for label in NODE_TYPES}
    for kind, names in (("nodes", NODE_TYPES), ("edges", EDGE_TYPES)):
        for name in names:
            arrow = tables.to_arrow(kind, name)
            plan = plan_table(kind, name, arrow, digest(arrow), "create", None, labels)
            batches = list(plan.batches(40))
            assert [b.index for b in batches] == list(range(len(batches)))
            assert all(0 < b.rows.num_rows <= 40 and b.creating for b in batches)
            written = Counter(i for b in batches for i in b.rows.column("id").to_pylist())
            assert written == Counter(arrow.column("id").to_pylist()), (kind, name)
            assert plan.written_rows() == plan.rows == arrow.num_rows
            if kind == "nodes":
                continue
            for work in plan.work:
                ends_of = re.search(r"MATCH \(a:(\w+) .* MATCH \(b:(\w+) ", work.statement)
                assert ends_of is not None, work.statement
                src, dst = ends_of.groups()
                assert (src, dst) in EDGE_TYPES[name].pairs
                assert set(work.rows.column("src").to_pylist()) <= node_ids[src]
                assert set(work.rows.column("dst").to_pylist()) <= node_ids[dst]
                ends = list(zip(work.rows.column("src").to_pylist(), work.rows.column("dst").to_pylist()))
                assert ends == sorted(ends)


def test_a_diff_plan_creates_the_absent_rows_and_merges_present_ones_that_carry_properties(
    tables: GraphTables, labels: LabelIndex
) -> None:
    for kind, name, refreshed in (("nodes", "Transaction", True), ("edges", "FOOTNOTED_BY", True),
                                  ("edges", "IN_SECURITY", False)):
        arrow = tables.to_arrow(kind, name)
        ids = arrow.column("id").to_pylist()
        assert len(ids) > 2, (kind, name)
        present = set(ids[::2])
        plan = plan_table(kind, name, arrow, digest(arrow), "diff", present, labels)
        created = {i for b in plan.batches(25) if b.creating for i in b.rows.column("id").to_pylist()}
        merged = {i for b in plan.batches(25) if not b.creating for i in b.rows.column("id").to_pylist()}
        assert created == set(ids) - present
        assert merged == (present if refreshed else set())


def test_skip_plans_nothing_and_merge_merges_every_row(tables: GraphTables, labels: LabelIndex) -> None:
    arrow = tables.to_arrow("edges", "FILED")
    skipped = plan_table("edges", "FILED", arrow, digest(arrow), "skip", None, labels)
    assert skipped.work == [] and list(skipped.batches(10)) == [] and skipped.written_rows() == 0
    merged = plan_table("edges", "FILED", arrow, digest(arrow), "merge", None, labels)
    assert all(not b.creating for b in merged.batches(10)) and merged.written_rows() == arrow.num_rows
    create, merge = split_rows("nodes", "Person", tables.to_arrow("nodes", "Person"), "merge", None)
    assert create.num_rows == 0 and merge.num_rows == tables.counts()["nodes"]["Person"]


def test_a_relationship_to_no_node_of_the_store_is_named(labels: LabelIndex) -> None:
    rows = pa.table({"id": ["filed/x"], "src": ["person/none-such"], "dst": ["filing/none-such"]})
    with pytest.raises(Neo4jError, match=r"FILED 'filed/x': an end of the relationship is no node of the store"):
        plan_table("edges", "FILED", rows, digest(rows), "create", None, labels)


def test_a_plan_keys_its_marker_by_kind_and_name() -> None:
    assert TablePlan("edges", "FILED", 0, "d", "create").key == "edges/FILED"


# --- one-line messages --------------------------------------------------------------------


def test_the_driver_and_server_messages_become_one_line() -> None:
    assert driver_line(OSError("Couldn't connect to 127.0.0.1:1\n  (reason [Errno 111] Connection refused)\n")) \
        == "(reason [Errno 111] Connection refused)"
    assert server_line("Invalid input 'RETURN'\n\"RETURN 1 RETURN 2\"\n         ^") == "Invalid input 'RETURN'"
