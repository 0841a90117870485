"""Every Cypher text the loader sends, built from the schema and nothing else (no server needed).

Batches come in two shapes. A CREATE batch (rows known to be absent) passes one list per
column (``$p0``, ``$p1``, ... in the order of :func:`props`, and ``$src``/``$dst`` for a
relationship), which is packed without a map per row. A MERGE batch passes ``$rows``, one
map per row, so that a property the store lacks is left as it is in the database.

>>> node_statement("Person")
'UNWIND $rows AS row MERGE (n:Person {id: row.id}) SET n += row'
>>> edge_create_statement("FILED", "Person", "Filing")
'UNWIND range(0, size($p0) - 1) AS i MATCH (a:Person {id: $src[i]}) MATCH (b:Filing {id: $dst[i]}) CREATE (a)-[r:FILED {id: $p0[i]}]->(b)'
"""  # noqa: E501 (a doctest's expected output is one line)

from __future__ import annotations

from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES, Prop
from insidergraph.graph.tables import node_props

#: Label of the per-table completion markers (one node per table, keyed by ``key``).
MARKER_LABEL = "InsiderGraphLoad"


def props(kind: str, name: str) -> list[Prop]:
    """The properties a row of the table carries: every node column; an edge's ``id`` and properties.

    >>> [p.name for p in props("edges", "FOOTNOTED_BY")]
    ['id', 'field']
    """
    if kind == "nodes":
        return node_props(name)
    return [Prop("id"), *list(EDGE_TYPES[name].props)]


def constraint_statements() -> list[str]:
    """One uniqueness constraint per node label on ``id``, and one on the load markers' ``key``.

    >>> constraint_statements()[0]
    'CREATE CONSTRAINT ig_person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE'
    >>> len(constraint_statements()) == len(NODE_TYPES) + 1
    True
    """
    return [
        f"CREATE CONSTRAINT ig_{label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        for label in NODE_TYPES
    ] + [f"CREATE CONSTRAINT ig_load_key IF NOT EXISTS FOR (m:{MARKER_LABEL}) REQUIRE m.key IS UNIQUE"]


def node_statement(label: str) -> str:
    """The MERGE of one node batch (``$rows``: property maps)."""
    return f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row"


def _create_map(kind: str, name: str) -> str:
    """``{id: $p0[i], cik: $p1[i], ...}``: the properties of row ``i`` of a column-wise batch.

    >>> _create_map("edges", "FOOTNOTED_BY")
    '{id: $p0[i], field: $p1[i]}'
    """
    return "{" + ", ".join(f"{p.name}: $p{k}[i]" for k, p in enumerate(props(kind, name))) + "}"


def node_create_statement(label: str) -> str:
    """The CREATE of one batch of nodes known to be absent (``$p0``, ``$p1``, ...: columns)."""
    return f"UNWIND range(0, size($p0) - 1) AS i CREATE (n:{label} {_create_map('nodes', label)})"


def edge_statement(rel: str, src: str, dst: str) -> str:
    """The MERGE of one relationship batch: two MATCHes on constraint-backed keys.

    >>> edge_statement("FOOTNOTED_BY", "Holding", "Footnote").endswith("SET r += row.props")
    True
    >>> edge_statement("FILED", "Person", "Filing").endswith("->(b)")
    True
    """
    statement = (
        f"UNWIND $rows AS row MATCH (a:{src} {{id: row.src}}) MATCH (b:{dst} {{id: row.dst}}) "
        f"MERGE (a)-[r:{rel} {{id: row.id}}]->(b)"
    )
    return statement + " SET r += row.props" if EDGE_TYPES[rel].props else statement


def edge_create_statement(rel: str, src: str, dst: str) -> str:
    """The CREATE of one batch of relationships known to be absent (endpoints by unique index seek).

    The properties are written by the CREATE itself: a ``SET r += ...`` after it makes the
    planner put an Eager (the whole batch held, then replayed) before the SET.
    """
    return (
        f"UNWIND range(0, size($p0) - 1) AS i MATCH (a:{src} {{id: $src[i]}}) MATCH (b:{dst} {{id: $dst[i]}}) "
        f"CREATE (a)-[r:{rel} {_create_map('edges', rel)}]->(b)"
    )


def batch_statement(kind: str, name: str, creating: bool, pair: tuple[str, str] | None = None) -> str:
    """The statement of one batch of a table: CREATE or MERGE, for a relationship between ``pair``'s labels.

    >>> batch_statement("nodes", "Footnote", creating=False) == node_statement("Footnote")
    True
    """
    if kind == "nodes":
        return node_create_statement(name) if creating else node_statement(name)
    assert pair is not None, "a relationship batch names the labels of its ends"
    return (edge_create_statement if creating else edge_statement)(name, *pair)


def count_query(kind: str, name: str) -> str:
    """Rows of a label or type in the database (``c``).

    Both forms are answered from the count store, without touching the data.

    >>> count_query("edges", "FILED")
    'MATCH ()-[r:FILED]->() RETURN count(r) AS c'
    """
    if kind == "nodes":
        return f"MATCH (n:{name}) RETURN count(n) AS c"
    return f"MATCH ()-[r:{name}]->() RETURN count(r) AS c"


def ids_query(kind: str, name: str) -> str:
    """The ids of a label or type present in the database (``id``), for the diff path.

    >>> ids_query("nodes", "Person")
    'MATCH (n:Person) RETURN n.id AS id'
    """
    if kind == "nodes":
        return f"MATCH (n:{name}) RETURN n.id AS id"
    return f"MATCH ()-[r:{name}]->() RETURN r.id AS id"


def marker_key(kind: str, name: str) -> str:
    """The ``key`` of a table's marker.

    >>> marker_key("nodes", "Person")
    'nodes/Person'
    """
    return f"{kind}/{name}"


# The marker protocol (see insidergraph.backends.neo4j.markers for what each answer means).
#: Take the marker's lock (creating it if need be) and read what the last load left.
CLAIM = f"""
MERGE (m:{MARKER_LABEL} {{key: $key}})
SET m.lock = $token
RETURN m.state AS state, m.digest AS digest, m.count AS count, m.run AS run, m.host AS host, m.pid AS pid,
       datetime().epochSeconds - coalesce(m.seen, 0) AS age
"""
#: Claim the table for this load (``$token``), which will write it by ``$path``.
TAKE = f"""
MATCH (m:{MARKER_LABEL} {{key: $key}})
SET m.state = 'loading', m.run = $token, m.seen = datetime().epochSeconds, m.digest = $digest,
    m.rows = $rows, m.path = $path, m.host = $host, m.pid = $pid
REMOVE m.lock, m.count
"""
#: A skipped table: only the lock taken by :data:`CLAIM` goes; the marker stays ``done``.
UNLOCK = f"MATCH (m:{MARKER_LABEL} {{key: $key}}) REMOVE m.lock"
#: Every row is in the database, ``$count`` of them: the table is complete.
DONE = f"""
MATCH (m:{MARKER_LABEL} {{key: $key}}) WHERE m.run = $token
SET m.state = 'done', m.count = $count, m.finished = datetime()
REMOVE m.lock
"""
#: This load's claims are alive.
BEAT = f"MATCH (m:{MARKER_LABEL}) WHERE m.run = $token AND m.state = 'loading' SET m.seen = datetime().epochSeconds"
#: This load stopped part-way: its claims are handed back, as broken (the next load diffs them).
RELEASE = f"MATCH (m:{MARKER_LABEL}) WHERE m.run = $token AND m.state = 'loading' SET m.state = 'broken'"


def clear_statements(rows_per_transaction: int = 10_000) -> list[str]:
    """Delete every relationship, then every node (markers included; constraints stay).

    Relationships go first, in modest transactions: a DETACH DELETE of well-connected
    nodes in large batches exceeds the server's transaction memory pool. Each statement
    commits its own transactions, so it runs in an implicit (auto-commit) transaction.

    >>> clear_statements(500)[0]
    'MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 500 ROWS'
    """
    return [
        f"MATCH ()-[r]->() CALL (r) {{ DELETE r }} IN TRANSACTIONS OF {rows_per_transaction} ROWS",
        f"MATCH (n) CALL (n) {{ DELETE n }} IN TRANSACTIONS OF {rows_per_transaction} ROWS",
    ]
