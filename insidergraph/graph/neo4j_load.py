"""Load the graph into a real Neo4j: constraint-backed, batched, idempotent and resumable.

Every node label gets a uniqueness constraint on ``id`` first; then nodes and then
relationships go in as ``UNWIND $rows ... MERGE`` batches inside managed write
transactions (which the driver retries on transient errors). Because every write is a
MERGE on a constraint-backed key (relationships on their own ``id``), loading twice
changes nothing, and a load broken off part-way completes when run again.

>>> cfg = Neo4jConfig.from_env({"NEO4J_URI": "bolt://127.0.0.1:7687", "NEO4J_PASSWORD": "x"})
>>> (cfg.uri, cfg.user, cfg.database)
('bolt://127.0.0.1:7687', 'neo4j', 'neo4j')
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

from insidergraph.errors import Neo4jError
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES
from insidergraph.graph.tables import GraphTables, edge_props, node_props

if TYPE_CHECKING:
    from neo4j import Driver, ManagedTransaction

DEFAULT_BATCH = 5000
#: One session by default: on 2 cores, concurrent MERGEs meet deadlocks whose retries ate the
#: gain (1.12x at best, slower at small batches; see bench/neo4j_load.py).
DEFAULT_WORKERS = 1

#: Called before each batch is written: ``(kind, name, batch_index)``. Raising stops the load;
#: tests use it to break a load off part-way.
BatchHook = Callable[[str, str, int], None]


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
    """What a load wrote: per label and type, rows sent and nodes/relationships created."""

    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def line(self) -> str:
        """One closing line: created and matched, nodes and relationships."""
        nodes = [k for k in self.rows if k in NODE_TYPES]
        rels = [k for k in self.rows if k in EDGE_TYPES]
        def part(keys: list[str]) -> tuple[int, int]:
            made = sum(self.created[k] for k in keys)
            return made, sum(self.rows[k] for k in keys) - made
        n_made, n_matched = part(nodes)
        r_made, r_matched = part(rels)
        return (
            f"nodes: {n_made} created, {n_matched} matched; "
            f"relationships: {r_made} created, {r_matched} matched"
        )


def connect(cfg: Neo4jConfig) -> "Driver":
    """A verified driver, or a :class:`Neo4jError` saying in one line what is wrong."""
    from neo4j import GraphDatabase
    from neo4j import exceptions as ex

    try:
        # Notifications (e.g. "relationship type does not exist" when counting an empty
        # type) are advice for interactive users, not for a loader's output.
        driver = GraphDatabase.driver(cfg.uri, auth=(cfg.user, cfg.password), notifications_min_severity="OFF")
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
    """One uniqueness constraint per node label, on ``id``."""
    return [
        f"CREATE CONSTRAINT ig_{label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        for label in NODE_TYPES
    ]


def _value(value: Any, typ: str) -> Any:
    # Neo4j has no decimal type: amounts go as floats (the exact text stays in the store and RDF).
    if value is None:
        return None
    if typ == "decimal":
        return float(value)
    if typ == "string[]":
        return list(value)
    return value


def _node_rows(tables: GraphTables, label: str) -> list[dict[str, Any]]:
    props = node_props(label)
    df = tables.nodes[label]
    cols = [df[p.name].tolist() for p in props]
    return [
        {p.name: _value(v, p.type) for p, v in zip(props, values) if v is not None}
        for values in zip(*cols)
    ]


def _edge_groups(tables: GraphTables, rel: str, labels: dict[str, str]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    props = edge_props(rel)[3:]
    df = tables.edges[rel]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    cols = [df[c].tolist() for c in ("id", "src", "dst")] + [df[p.name].tolist() for p in props]
    for values in zip(*cols):
        rid, src, dst, *rest = values
        row = {"id": rid, "src": src, "dst": dst}
        if props:
            row["props"] = {p.name: _value(v, p.type) for p, v in zip(props, rest) if v is not None}
        groups[(labels[src], labels[dst])].append(row)
    return groups


def node_statement(label: str) -> str:
    """The MERGE of one node batch."""
    return f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row"


def edge_statement(rel: str, src: str, dst: str) -> str:
    """The MERGE of one relationship batch: two MATCHes on constraint-backed keys."""
    statement = (
        f"UNWIND $rows AS row MATCH (a:{src} {{id: row.src}}) MATCH (b:{dst} {{id: row.dst}}) "
        f"MERGE (a)-[r:{rel} {{id: row.id}}]->(b)"
    )
    return statement + " SET r += row.props" if EDGE_TYPES[rel].props else statement


def _batches(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def load(
    tables: GraphTables,
    cfg: Neo4jConfig,
    batch_size: int = DEFAULT_BATCH,
    progress: bool = False,
    on_batch: BatchHook | None = None,
    workers: int = DEFAULT_WORKERS,
) -> LoadSummary:
    """Load every node and relationship into Neo4j; safe to repeat or resume.

    All nodes go in before any relationship. Within each phase, ``workers`` sessions write
    batches at once: the server then uses more than one core, and the deadlocks that
    concurrent MERGEs on shared nodes can meet are transient errors the driver retries.

    >>> load(GraphTables.empty(), Neo4jConfig("bolt://127.0.0.1:1"))  # doctest: +SKIP
    """
    from neo4j import exceptions as ex

    if batch_size < 1:
        raise Neo4jError(f"batch size must be at least 1, not {batch_size}")
    if workers < 1:
        raise Neo4jError(f"workers must be at least 1, not {workers}")
    driver = connect(cfg)
    summary = LoadSummary()
    labels = tables.label_of()
    phases: list[list[tuple[str, str, str, list[dict[str, Any]]]]] = [[], []]
    for label in NODE_TYPES:
        phases[0].append(("nodes", label, node_statement(label), _node_rows(tables, label)))
    for rel in EDGE_TYPES:
        for (src, dst), rows in sorted(_edge_groups(tables, rel, labels).items()):
            phases[1].append(("edges", rel, edge_statement(rel, src, dst), rows))

    bar = _Progress(progress, phases[0] + phases[1])
    local = threading.local()
    sessions: list[Any] = []
    lock = threading.Lock()

    def write(tx: "ManagedTransaction", statement: str, rows: list[dict[str, Any]]) -> tuple[int, int]:
        counters = tx.run(statement, rows=rows).consume().counters
        return counters.nodes_created, counters.relationships_created

    def run_batch(kind: str, name: str, statement: str, batch: list[dict[str, Any]]) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = driver.session(database=cfg.database)
            with lock:
                sessions.append(session)
        nodes_made, rels_made = session.execute_write(write, statement, batch)
        with lock:
            summary.rows[name] += len(batch)
            summary.created[name] += nodes_made if kind == "nodes" else rels_made
        bar.advance(name, len(batch))

    try:
        with driver.session(database=cfg.database) as session:
            for statement in constraint_statements():
                session.run(statement).consume()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for phase in phases:
                pending: list[Future[None]] = []
                try:
                    for kind, name, statement, rows in phase:
                        for index, batch in enumerate(_batches(rows, batch_size)):
                            if on_batch is not None:
                                on_batch(kind, name, index)
                            pending.append(pool.submit(run_batch, kind, name, statement, batch))
                            # Keep the queue short, so memory stays flat and a failure stops early.
                            if len(pending) >= 2 * workers:
                                pending.pop(0).result()
                finally:
                    for future in pending:
                        future.result()
    except ex.ServiceUnavailable as err:
        raise Neo4jError(
            f"lost the connection to Neo4j at {cfg.uri}: {_one_line(err)}; run the load again to resume"
        ) from None
    except ex.Neo4jError as err:
        raise Neo4jError(f"Neo4j refused a batch: {_one_line(err.message or err)}") from None
    finally:
        bar.stop()
        for session in sessions:
            session.close()
        driver.close()
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

    def __init__(self, enabled: bool, work: list[tuple[str, str, str, list[dict[str, Any]]]]) -> None:
        self.bar = None
        self.tasks: dict[str, Any] = {}
        if not enabled:
            return
        from rich.progress import Progress

        totals: dict[str, int] = defaultdict(int)
        for _kind, name, _stmt, rows in work:
            totals[name] += len(rows)
        self.bar = Progress(transient=False)
        for name, total in totals.items():
            if total:
                self.tasks[name] = self.bar.add_task(name, total=total)
        self.bar.start()

    def advance(self, name: str, n: int) -> None:
        if self.bar is not None and name in self.tasks:
            self.bar.advance(self.tasks[name], n)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
