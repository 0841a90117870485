"""Load the graph into a real Neo4j: constraint-backed, batched, idempotent and resumable.

Every node label gets a uniqueness constraint on ``id`` first. Then each table (a node
label or a relationship type) is written the cheapest way that cannot duplicate, decided
from a marker node ``(:InsiderGraphLoad {key: "nodes/Person"})`` kept in the database
beside the data, and from the database's own count of the label or type:

- **skip**: the marker says a load of exactly this content (same SHA-256 of the table)
  finished, and the database still holds the count it left: nothing to write.
- **create**: the label or type is empty in the database: ``UNWIND ... CREATE`` batches,
  which skip MERGE's search for an existing match (for a relationship, a scan of the
  relationships between the pair). Their parameters are one list per column, made from
  the Arrow table batch by batch, not a map per row.
- **diff**: anything else (a load broken off part-way, a grown or changed store, data
  written by something else): the ids present in the database are read first, absent
  rows are CREATEd, present rows are MERGEd (their properties refreshed) unless they
  are relationships without properties, whose id already fixes their endpoints.
- **merge** (``always_merge=True``, CLI ``--merge``): every row MERGEd, as the first
  loader did.

Batches run in managed write transactions (retried by the driver on transient errors),
nodes before relationships; the relationship tables are materialized, claimed and planned
by a thread of their own while the nodes are written. A table's marker is claimed (``state: loading`` with this
load's token) before its first batch and marked ``done`` only after its last batch
committed, so a load broken off at any point leaves no table claiming to be complete;
the next load takes the diff path for it. While claimed, the marker carries a heartbeat;
a second load that meets a live claim stops with a one-line error instead of writing
the same rows at the same time.

>>> cfg = Neo4jConfig.from_env({"NEO4J_URI": "bolt://127.0.0.1:7687", "NEO4J_PASSWORD": "x"})
>>> (cfg.uri, cfg.user, cfg.database)
('bolt://127.0.0.1:7687', 'neo4j', 'neo4j')
"""

from __future__ import annotations

import gc
import hashlib
import os
import secrets
import socket
import threading
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Literal, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from insidergraph.errors import Neo4jError
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES, Prop
from insidergraph.graph.tables import GraphTables, node_props

if TYPE_CHECKING:
    from neo4j import Driver, ManagedTransaction, Session

DEFAULT_BATCH = 5000
#: Two sessions by default: while one waits for its commit or packs its next batch, the
#: other keeps the server's second core busy. CREATE batches met no deadlock on 2 cores
#: (1.4x one session at 1M rows); MERGE batches meet a few, which the driver retries, and
#: still gained 1.2x (bench/neo4j_load.py).
DEFAULT_WORKERS = 2

#: Called before each batch is written: ``(kind, name, batch_index)``. Raising stops the load;
#: tests use it to break a load off part-way.
BatchHook = Callable[[str, str, int], None]

#: Label of the per-table completion markers (one node per table, keyed by ``key``).
MARKER_LABEL = "InsiderGraphLoad"
#: Seconds between heartbeats of a load's claimed markers, and the age after which a claim
#: whose load stopped without releasing it (killed, connection lost) counts as abandoned.
HEARTBEAT_S = 15.0
STALE_S = 120
#: Seconds the driver keeps retrying a transaction, and waits to connect: a server that
#: went away is reported within about this long, not after minutes of retries by every
#: session in turn (the driver's defaults are 30 s each).
RETRY_S = 10.0
CONNECT_S = 5.0
#: URI schemes of Bolt, the only protocol the driver speaks to a server.
URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")

Path_ = Literal["skip", "create", "diff", "merge"]


@dataclass(frozen=True)
class Neo4jConfig:
    """Where and as whom to connect."""

    uri: str
    user: str = "neo4j"
    password: str = ""
    database: str = "neo4j"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: str | None) -> "Neo4jConfig":
        """``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``, then overrides."""
        env = os.environ if env is None else env
        values = {
            "uri": env.get("NEO4J_URI", "bolt://localhost:7687"),
            "user": env.get("NEO4J_USER", "neo4j"),
            "password": env.get("NEO4J_PASSWORD", ""),
            "database": env.get("NEO4J_DATABASE", "neo4j"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


@dataclass
class LoadSummary:
    """What a load wrote: per label and type, rows in the store, nodes/relationships created, path taken."""

    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    paths: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        """One closing line: created and matched, nodes and relationships."""
        nodes = [k for k in self.rows if k in NODE_TYPES]
        rels = [k for k in self.rows if k in EDGE_TYPES]
        def part(keys: list[str]) -> tuple[int, int]:
            made = sum(self.created[k] for k in keys)
            return made, sum(self.rows[k] for k in keys) - made
        n_made, n_matched = part(nodes)
        r_made, r_matched = part(rels)
        tables: dict[str, int] = defaultdict(int)
        for path in self.paths.values():
            tables[path] += 1
        ways = ", ".join(f"{n} {path}" for path, n in sorted(tables.items()))
        return (
            f"nodes: {n_made} created, {n_matched} matched; "
            f"relationships: {r_made} created, {r_matched} matched"
        ) + (f" (tables: {ways})" if ways else "")


def check_uri(uri: str) -> None:
    """Refuse a URI the driver cannot speak to (an ``http://`` one would need another driver).

    >>> check_uri("http://localhost:7474")
    Traceback (most recent call last):
    ...
    insidergraph.errors.Neo4jError: bad Neo4j URI 'http://localhost:7474': Neo4j is reached over Bolt, with a bolt://, neo4j://, bolt+s://, neo4j+s://, bolt+ssc:// or neo4j+ssc:// URI (for example bolt://localhost:7687)
    """
    scheme, sep, _ = uri.partition("://")
    if not sep or scheme.lower() not in URI_SCHEMES:
        raise Neo4jError(
            f"bad Neo4j URI {uri!r}: Neo4j is reached over Bolt, with a bolt://, neo4j://, bolt+s://, neo4j+s://, "
            "bolt+ssc:// or neo4j+ssc:// URI (for example bolt://localhost:7687)"
        )


def connect(cfg: Neo4jConfig) -> "Driver":
    """A verified driver, or a :class:`Neo4jError` saying in one line what is wrong."""
    from neo4j import GraphDatabase
    from neo4j import exceptions as ex

    check_uri(cfg.uri)
    try:
        # Notifications (e.g. "relationship type does not exist" when counting an empty
        # type) are advice for interactive users, not for a loader's output.
        driver = GraphDatabase.driver(
            cfg.uri, auth=(cfg.user, cfg.password), notifications_min_severity="OFF",
            max_transaction_retry_time=RETRY_S, connection_timeout=CONNECT_S,
            connection_acquisition_timeout=RETRY_S + CONNECT_S,
        )
    except (ex.ConfigurationError, ValueError) as err:
        raise Neo4jError(f"bad Neo4j URI {cfg.uri!r}: {err}") from None
    try:
        driver.verify_connectivity()
        driver.execute_query("RETURN 1", database_=cfg.database)
    except ex.AuthError:
        driver.close()
        raise Neo4jError(f"Neo4j at {cfg.uri} refused the credentials of user {cfg.user!r}") from None
    except (ex.ServiceUnavailable, OSError) as err:
        driver.close()
        raise Neo4jError(f"cannot reach Neo4j at {cfg.uri}: {_one_line(err)}") from None
    except ex.Neo4jError as err:
        driver.close()
        if "DatabaseNotFound" in (err.code or ""):
            raise Neo4jError(f"Neo4j at {cfg.uri} has no database {cfg.database!r}") from None
        raise Neo4jError(f"Neo4j at {cfg.uri}: {_one_line(err.message or err)}") from None
    return driver


def _one_line(err: object) -> str:
    """The driver's messages span lines; the CLI promises one."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[-1] if lines else type(err).__name__


def constraint_statements() -> list[str]:
    """One uniqueness constraint per node label on ``id``, and one on the load markers' ``key``."""
    return [
        f"CREATE CONSTRAINT ig_{label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        for label in NODE_TYPES
    ] + [f"CREATE CONSTRAINT ig_load_key IF NOT EXISTS FOR (m:{MARKER_LABEL}) REQUIRE m.key IS UNIQUE"]


def _python_column(table: pa.Table, name: str, typ: str) -> list[Any]:
    """One Arrow column as Python values ready for Bolt."""
    values = table.column(name).to_pylist()
    if typ == "decimal":
        # Neo4j has no decimal type: amounts go as floats (the exact text stays in the store and RDF).
        return [None if v is None else float(v) for v in values]
    return values


def _props(kind: str, name: str) -> list[Prop]:
    """The properties a row of the table carries: every node column; an edge's ``id`` and properties."""
    if kind == "nodes":
        return node_props(name)
    return [Prop("id")] + list(EDGE_TYPES[name].props)


def _columns(batch: pa.Table, kind: str, name: str) -> dict[str, list[Any]]:
    """A CREATE batch as one list per column (``$id``, ``$src``, ...), nulls kept in place.

    Column lists are packed and sent without a map per row; CREATE stores no property
    whose value is null, so the nodes and relationships are the same as from row maps.
    """
    cols = {f"p{k}": _python_column(batch, p.name, p.type) for k, p in enumerate(_props(kind, name))}
    if kind == "edges":
        cols["src"] = batch.column("src").to_pylist()
        cols["dst"] = batch.column("dst").to_pylist()
    return cols


def _row_maps(batch: pa.Table, kind: str, name: str) -> list[dict[str, Any]]:
    """A MERGE batch as maps: a node's properties, or ``{id, src, dst[, props]}`` per relationship.

    Absent values are left out of the maps, so ``SET ... += `` leaves a property that the
    store lacks as it is in the database.
    """
    props = _props(kind, name)
    cols = [_python_column(batch, p.name, p.type) for p in props]
    names = [p.name for p in props]
    if kind == "nodes":
        return [{k: v for k, v in zip(names, values) if v is not None} for values in zip(*cols)]
    srcs, dsts = batch.column("src").to_pylist(), batch.column("dst").to_pylist()
    if len(props) == 1:
        return [{"id": i, "src": s, "dst": d} for i, s, d in zip(cols[0], srcs, dsts)]
    return [
        {"id": i, "src": s, "dst": d, "props": {k: v for k, v in zip(names[1:], values) if v is not None}}
        for i, s, d, *values in zip(cols[0], srcs, dsts, *cols[1:])
    ]


def _digest(table: pa.Table) -> str:
    """SHA-256 of a table's Arrow IPC bytes: equal digests mean equal content.

    (Different chunking of the same content may digest differently; that only costs the
    diff path where skipping would have done.)
    """
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue()).hexdigest()


def node_statement(label: str) -> str:
    """The MERGE of one node batch (``$rows``: property maps)."""
    return f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row"


def _create_map(kind: str, name: str) -> str:
    """``{id: $p0[i], cik: $p1[i], ...}``: the properties of row ``i`` of a column-wise batch."""
    return "{" + ", ".join(f"{p.name}: $p{k}[i]" for k, p in enumerate(_props(kind, name))) + "}"


def node_create_statement(label: str) -> str:
    """The CREATE of one batch of nodes known to be absent (``$p0``, ``$p1``, ...: columns)."""
    return f"UNWIND range(0, size($p0) - 1) AS i CREATE (n:{label} {_create_map('nodes', label)})"


def edge_statement(rel: str, src: str, dst: str) -> str:
    """The MERGE of one relationship batch: two MATCHes on constraint-backed keys."""
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


def _count_query(kind: str, name: str) -> str:
    # Both forms are answered from the count store, without touching the data.
    return f"MATCH (n:{name}) RETURN count(n) AS c" if kind == "nodes" else f"MATCH ()-[r:{name}]->() RETURN count(r) AS c"


def _ids_query(kind: str, name: str) -> str:
    return f"MATCH (n:{name}) RETURN n.id AS id" if kind == "nodes" else f"MATCH ()-[r:{name}]->() RETURN r.id AS id"


class _Labels:
    """The label of every node id, for grouping relationships by their endpoints' labels in Arrow."""

    def __init__(self) -> None:
        self.ids: list[pa.ChunkedArray] = []
        self.names: list[str] = []
        self._all: pa.ChunkedArray | None = None
        self._codes: pa.Array | None = None

    def add(self, label: str, ids: pa.ChunkedArray) -> None:
        self.ids.append(ids)
        self.names.append(label)
        self._all = None

    def codes(self, ids: pa.ChunkedArray, likely: Iterable[str] = ()) -> pa.ChunkedArray:
        """Index into :attr:`names` of each id's label (null for an id of no node).

        The ``likely`` labels (the schema's for that end) are tried first, each against its
        own ids; only ids found in none of them are looked up among all node ids. (Each
        lookup builds a hash table of the ids it searches, so the small sets save most.)

        >>> labels = _Labels()
        >>> labels.add("A", pa.chunked_array([["a1", "a2"]]))
        >>> labels.add("B", pa.chunked_array([["b1"]]))
        >>> labels.codes(pa.chunked_array([["b1", "a2", "x"]]), ["A"]).to_pylist()
        [1, 0, None]
        """
        codes = pa.nulls(len(ids), type=pa.int32())
        for label in likely:
            if label in self.names:
                k = self.names.index(label)
                codes = pc.if_else(pc.is_in(ids, value_set=self.ids[k]), pa.scalar(k, pa.int32()), codes)
        if codes.null_count:
            if self._all is None:
                self._all = pa.chunked_array([c for ids_ in self.ids for c in ids_.chunks], type=pa.string())
                sizes = [len(ids_) for ids_ in self.ids]
                self._codes = pa.array(np.repeat(np.arange(len(sizes), dtype=np.int32), sizes))
            codes = pc.coalesce(codes, pc.take(self._codes, pc.index_in(ids, value_set=self._all)))
        return codes


@dataclass
class _Table:
    """One node label or relationship type: its rows (Arrow), digest, and how this load writes it."""

    kind: str
    name: str
    arrow: pa.Table
    digest: str
    path: Path_ = "create"
    #: ``(statement, create, rows)`` per label pair (one pair for nodes), filled by :meth:`plan`:
    #: CREATE work goes as column lists, MERGE work as row maps.
    work: list[tuple[str, bool, pa.Table]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def rows(self) -> int:
        return self.arrow.num_rows

    def plan(self, labels: _Labels, present: set[str] | None) -> None:
        """Split the rows into CREATE and MERGE work for :attr:`path` (``present``: ids in the database)."""
        if self.path == "skip":
            return
        table = self.arrow
        if self.path == "create":
            create, merge = table, table.slice(0, 0)
        elif self.path == "merge":
            create, merge = table.slice(0, 0), table
        else:
            assert present is not None
            there = pc.is_in(table.column("id"), value_set=pa.array(list(present), type=pa.string()))
            create = table.filter(pc.invert(there))
            # A present relationship without properties is complete: its id names its endpoints.
            refresh = self.kind == "nodes" or bool(EDGE_TYPES[self.name].props)
            merge = table.filter(there) if refresh else table.slice(0, 0)
        if self.kind == "nodes":
            self.work = [(node_create_statement(self.name), True, create), (node_statement(self.name), False, merge)]
            return
        for rows, creating in ((create, True), (merge, False)):
            statement_of = edge_create_statement if creating else edge_statement
            if not rows.num_rows:
                continue
            pairs = EDGE_TYPES[self.name].pairs
            src = labels.codes(rows.column("src"), dict.fromkeys(a for a, _b in pairs))
            dst = labels.codes(rows.column("dst"), dict.fromkeys(b for _a, b in pairs))
            if src.null_count or dst.null_count:
                missing = rows.filter(pc.or_(src.is_null(), dst.is_null())).column("id")[0].as_py()
                raise Neo4jError(f"{self.name} {missing!r}: an end of the relationship is no node of the store")
            pair = pc.add(pc.multiply(src.cast(pa.int64()), len(labels.names)), dst.cast(pa.int64()))
            for code in sorted(pc.unique(pair).to_pylist()):
                group = rows.filter(pc.equal(pair, code))
                # By source, then target: neighbouring rows touch the same nodes and pages.
                group = group.sort_by([("src", "ascending"), ("dst", "ascending")])
                a, b = labels.names[code // len(labels.names)], labels.names[code % len(labels.names)]
                self.work.append((statement_of(self.name, a, b), creating, group))

    def written_rows(self) -> int:
        return sum(rows.num_rows for _statement, _create, rows in self.work)


_CLAIM = f"""
MERGE (m:{MARKER_LABEL} {{key: $key}})
SET m.lock = $token
RETURN m.state AS state, m.digest AS digest, m.count AS count, m.run AS run, m.host AS host, m.pid AS pid,
       datetime().epochSeconds - coalesce(m.seen, 0) AS age
"""
_TAKE = f"""
MATCH (m:{MARKER_LABEL} {{key: $key}})
SET m.state = 'loading', m.run = $token, m.seen = datetime().epochSeconds, m.digest = $digest,
    m.rows = $rows, m.path = $path, m.host = $host, m.pid = $pid
REMOVE m.lock, m.count
"""
_DONE = f"""
MATCH (m:{MARKER_LABEL} {{key: $key}}) WHERE m.run = $token
SET m.state = 'done', m.count = $count, m.finished = datetime()
REMOVE m.lock
"""
_BEAT = f"MATCH (m:{MARKER_LABEL}) WHERE m.run = $token AND m.state = 'loading' SET m.seen = datetime().epochSeconds"
_RELEASE = f"MATCH (m:{MARKER_LABEL}) WHERE m.run = $token AND m.state = 'loading' SET m.state = 'broken'"


def _claim(session: "Session", table: _Table, token: str, always_merge: bool) -> set[str] | None:
    """Choose the table's path under its marker's lock and claim it; returns the present ids for diff."""
    with session.begin_transaction() as tx:
        # Writing the marker first takes its lock, so two loads cannot both read it as free.
        marker = tx.run(_CLAIM, key=table.key, token=token).single()
        assert marker is not None
        count = tx.run(_count_query(table.kind, table.name)).single()["c"]  # type: ignore[index]
        if marker["state"] == "loading" and marker["run"] != token and marker["age"] < STALE_S \
                and not _owner_gone(marker["host"], marker["pid"]):
            owner = f"process {marker['pid']} on {marker['host']}, " if marker["host"] and marker["pid"] else ""
            raise Neo4jError(
                f"another insidergraph load is writing {table.key} into this database "
                f"({owner}active {marker['age']} s ago); run again when it has finished, "
                f"or in {STALE_S - marker['age']} s, when its claim counts as abandoned"
            )
        if always_merge:
            table.path = "merge"
        elif marker["state"] == "done" and marker["digest"] == table.digest and marker["count"] == count:
            table.path = "skip"
        elif count == 0:
            table.path = "create"
        else:
            table.path = "diff"
        if table.path == "skip":
            tx.run(f"MATCH (m:{MARKER_LABEL} {{key: $key}}) REMOVE m.lock", key=table.key).consume()
        else:
            tx.run(_TAKE, key=table.key, token=token, digest=table.digest, rows=table.rows,
                   path=table.path, host=socket.gethostname(), pid=os.getpid()).consume()
        tx.commit()
    if table.path != "diff":
        return None
    return {record["id"] for record in session.run(_ids_query(table.kind, table.name))}


def _owner_gone(host: str | None, pid: int | None) -> bool:
    """True when a claim's load ran on this host in a process that no longer exists: its
    claim is abandoned at once, not after :data:`STALE_S` (another host's cannot be seen).

    >>> _owner_gone(socket.gethostname(), os.getpid()), _owner_gone("elsewhere.invalid", 1)
    (False, False)
    """
    if host != socket.gethostname() or not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def _mark_done(session: "Session", table: _Table, token: str) -> None:
    """Record that every row of the table is in the database, with the count that proves it."""
    def write(tx: "ManagedTransaction") -> None:
        count = tx.run(_count_query(table.kind, table.name)).single()["c"]  # type: ignore[index]
        tx.run(_DONE, key=table.key, token=token, count=count).consume()

    session.execute_write(write)


def _prepare(session: "Session", kind: str, name: str, arrow: pa.Table, labels: _Labels, token: str,
             always_merge: bool) -> _Table:
    """A table claimed and planned: its path chosen under its marker, its rows split into work."""
    table = _Table(kind, name, arrow, _digest(arrow))
    table.plan(labels, _claim(session, table, token, always_merge))
    return table


class _Stopped(Exception):
    """A table left unprepared because the load is stopping."""


class _Heartbeat:
    """Refreshes this load's claims every :data:`HEARTBEAT_S` seconds from a thread of its own."""

    def __init__(self, driver: "Driver", database: str, token: str) -> None:
        self.stop_event = threading.Event()

        def beat() -> None:
            while not self.stop_event.wait(HEARTBEAT_S):
                try:
                    driver.execute_query(_BEAT, token=token, database_=database)
                except Exception:  # noqa: BLE001 - a missed beat only ages the claim; the load reports real errors
                    pass

        self.thread = threading.Thread(target=beat, name="insidergraph-neo4j-heartbeat", daemon=True)
        self.thread.start()

    def stop(self, wait: bool = True) -> None:
        self.stop_event.set()
        if wait:
            self.thread.join()


def load(
    tables: GraphTables,
    cfg: Neo4jConfig,
    batch_size: int = DEFAULT_BATCH,
    progress: bool = False,
    on_batch: BatchHook | None = None,
    workers: int = DEFAULT_WORKERS,
    always_merge: bool = False,
) -> LoadSummary:
    """Load every node and relationship into Neo4j; safe to repeat or resume.

    All nodes go in before any relationship. Within each phase, ``workers`` sessions write
    batches at once: the server then uses more than one core, and the deadlocks that
    concurrent writes on shared nodes can meet are transient errors the driver retries.
    Each table takes the skip, create or diff path (see the module docstring);
    ``always_merge`` MERGEs every row instead.

    >>> load(GraphTables.empty(), Neo4jConfig("bolt://127.0.0.1:1"))  # doctest: +SKIP
    """
    from neo4j import exceptions as ex

    if batch_size < 1:
        raise Neo4jError(f"batch size must be at least 1, not {batch_size}")
    if workers < 1:
        raise Neo4jError(f"workers must be at least 1, not {workers}")
    driver = connect(cfg)
    summary = LoadSummary()
    token = secrets.token_hex(8)
    local = threading.local()
    sessions: list[Any] = []
    lock = threading.Lock()
    heartbeat: _Heartbeat | None = None
    bar: _Progress | None = None
    prep: ThreadPoolExecutor | None = None
    stopping = threading.Event()
    failed = threading.Event()
    finished = False
    server_gone = False  # then the claims cannot be handed back; they go stale by themselves
    # The batches' parameter lists are millions of fresh objects without reference cycles:
    # left on, the cyclic collector rescans them again and again for nothing.
    gc_enabled = gc.isenabled()
    gc.disable()

    def write(tx: "ManagedTransaction", statement: str, params: dict[str, Any]) -> tuple[int, int]:
        counters = tx.run(statement, params).consume().counters
        return counters.nodes_created, counters.relationships_created

    def run_batch(kind: str, name: str, statement: str, params: dict[str, Any], n: int) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = driver.session(database=cfg.database)
            with lock:
                sessions.append(session)
        if failed.is_set():
            return  # a batch before this one failed: the load is stopping, and its error is reported
        try:
            nodes_made, rels_made = session.execute_write(write, statement, params)
        except BaseException:
            failed.set()  # queued batches then end at once instead of each retrying a server that is gone
            raise
        with lock:
            summary.created[name] += nodes_made if kind == "nodes" else rels_made
        if bar is not None:
            bar.advance(name, n)

    try:
        with driver.session(database=cfg.database) as session:
            for statement in constraint_statements():
                session.run(statement).consume()
            heartbeat = _Heartbeat(driver, cfg.database, token)
            labels = _Labels()
            nodes: list[_Table] = []
            for name in NODE_TYPES:
                arrow = tables.to_arrow("nodes", name)
                labels.add(name, arrow.column("id"))
                nodes.append(_prepare(session, "nodes", name, arrow, labels, token, always_merge))
            # The relationship tables are materialized, digested, claimed and planned by a
            # thread of their own while the nodes are written: that is client work (seconds
            # at a million rows) the server would otherwise sit idle through.
            prep_session = driver.session(database=cfg.database)
            sessions.append(prep_session)

            def prepare_edges(name: str) -> _Table:
                if stopping.is_set():
                    raise _Stopped
                return _prepare(prep_session, "edges", name, tables.to_arrow("edges", name), labels, token,
                                always_merge)

            prep = ThreadPoolExecutor(max_workers=1, thread_name_prefix="insidergraph-neo4j-prepare")
            edges = [prep.submit(prepare_edges, name) for name in EDGE_TYPES]
            bar = _Progress(progress, {**tables.counts()["nodes"], **tables.counts()["edges"]})
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for phase in (nodes, edges):
                    pending: list[Future[None]] = []
                    ready: list[_Table] = []
                    try:
                        for item in phase:
                            table = item.result() if isinstance(item, Future) else item
                            ready.append(table)
                            summary.rows[table.name] += table.rows
                            summary.paths[table.name] = table.path
                            # Rows that need no write (skipped, or present and complete) count as matched.
                            bar.advance(table.name, table.rows - table.written_rows())
                            index = 0
                            for statement, creating, rows in table.work:
                                for start in range(0, rows.num_rows, batch_size):
                                    if on_batch is not None:
                                        on_batch(table.kind, table.name, index)
                                    index += 1
                                    # Parameters are made here, while the sessions wait on the server
                                    # for the batches before this one.
                                    batch = rows.slice(start, batch_size)
                                    params = (
                                        _columns(batch, table.kind, table.name) if creating
                                        else {"rows": _row_maps(batch, table.kind, table.name)}
                                    )
                                    pending.append(pool.submit(run_batch, table.kind, table.name, statement,
                                                               params, batch.num_rows))
                                    # Keep the queue short, so memory stays flat and a failure stops early.
                                    if len(pending) >= 2 * workers:
                                        pending.pop(0).result()
                    finally:
                        for future in pending:
                            future.result()
                    for table in ready:
                        if table.path != "skip":
                            _mark_done(session, table, token)
            finished = True
    except (ex.ServiceUnavailable, ex.SessionExpired) as err:
        server_gone = True
        raise Neo4jError(
            f"the Neo4j server at {cfg.uri} went away during the load ({_one_line(err)}); "
            "run the load again when it is back to resume"
        ) from None
    except ex.ConstraintError as err:
        raise Neo4jError(
            f"Neo4j refused a batch: {_one_line(err.message or err)} "
            "(were nodes written by another load at the same time? run the load again)"
        ) from None
    except ex.Neo4jError as err:
        raise Neo4jError(f"Neo4j refused a batch: {_one_line(err.message or err)}") from None
    finally:
        stopping.set()
        if prep is not None:
            # Wait for a claim in progress, so that the release below hands it back too.
            # Unless the server is gone: then that claim only retries until the driver gives up.
            prep.shutdown(wait=not server_gone, cancel_futures=True)
        if heartbeat is not None:
            heartbeat.stop(wait=not server_gone)
        if bar is not None:
            bar.stop()
        for session in sessions:
            session.close()
        if not finished and heartbeat is not None and not server_gone:
            # Hand the claims back at once, so a rerun need not wait for them to go stale.
            try:
                driver.execute_query(_RELEASE, token=token, database_=cfg.database)
            except Exception:  # noqa: BLE001 - best effort: an unreleased claim goes stale by itself
                pass
        driver.close()
        if gc_enabled:
            gc.enable()
    return summary


def counts(cfg: Neo4jConfig) -> dict[str, dict[str, int]]:
    """Node counts per label and relationship counts per type on the server."""
    driver = connect(cfg)
    try:
        out: dict[str, dict[str, int]] = {"nodes": {}, "edges": {}}
        for label in NODE_TYPES:
            rec = driver.execute_query(f"MATCH (n:{label}) RETURN count(n) AS c", database_=cfg.database).records
            out["nodes"][label] = rec[0]["c"]
        for rel in EDGE_TYPES:
            rec = driver.execute_query(f"MATCH ()-[r:{rel}]->() RETURN count(r) AS c", database_=cfg.database).records
            out["edges"][rel] = rec[0]["c"]
        return out
    finally:
        driver.close()


class _Progress:
    """A progress bar per label and type (rich), or nothing."""

    def __init__(self, enabled: bool, totals: Mapping[str, int]) -> None:
        self.bar = None
        self.tasks: dict[str, Any] = {}
        if not enabled:
            return
        from rich.progress import Progress

        self.bar = Progress(transient=False)
        for name, total in totals.items():
            if total:
                self.tasks[name] = self.bar.add_task(name, total=total)
        self.bar.start()

    def advance(self, name: str, n: int) -> None:
        if n and self.bar is not None and name in self.tasks:
            self.bar.advance(self.tasks[name], n)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
