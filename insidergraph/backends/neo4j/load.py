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

The loader is made of pure parts, each reached by unit tests without a server: the Cypher
text (:mod:`.statements`), the path decision from what the server reported
(:mod:`.markers`), the batch parameters (:mod:`.params`) and the plan of phases, tables
and batches (:mod:`.plan`); one small runner (:mod:`.runner`) executes a plan against the
driver, and :func:`load` composes them. The connection is :mod:`.connection`'s.

>>> cfg = Neo4jConfig.from_env({"NEO4J_URI": "bolt://127.0.0.1:7687", "NEO4J_PASSWORD": "x"})
>>> (cfg.uri, cfg.user, cfg.database)
('bolt://127.0.0.1:7687', 'neo4j', 'neo4j')
"""

from __future__ import annotations

import gc

from insidergraph.backends.neo4j.connection import (
    CONNECT_S,
    RETRY_S,
    URI_SCHEMES,
    Neo4jConfig,
    check_uri,
    connect,
    counts,
)
from insidergraph.backends.neo4j.markers import HEARTBEAT_S, STALE_S, Path_
from insidergraph.backends.neo4j.plan import phases
from insidergraph.backends.neo4j.runner import BatchHook, Runner
from insidergraph.backends.neo4j.statements import (
    MARKER_LABEL,
    constraint_statements,
    edge_create_statement,
    edge_statement,
    node_create_statement,
    node_statement,
)
from insidergraph.backends.neo4j.summary import LoadSummary
from insidergraph.errors import Neo4jError
from insidergraph.graph.tables import GraphTables

__all__ = [
    "CONNECT_S",
    "DEFAULT_BATCH",
    "DEFAULT_WORKERS",
    "HEARTBEAT_S",
    "MARKER_LABEL",
    "RETRY_S",
    "STALE_S",
    "URI_SCHEMES",
    "BatchHook",
    "LoadSummary",
    "Neo4jConfig",
    "Path_",
    "check_uri",
    "connect",
    "constraint_statements",
    "counts",
    "edge_create_statement",
    "edge_statement",
    "load",
    "node_create_statement",
    "node_statement",
]

DEFAULT_BATCH = 5000
#: Two sessions by default: while one waits for its commit or packs its next batch, the
#: other keeps the server's second core busy. CREATE batches met no deadlock on 2 cores
#: (1.4x one session at 1M rows); MERGE batches meet a few, which the driver retries, and
#: still gained 1.2x (bench/neo4j_load.py).
DEFAULT_WORKERS = 2


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

    >>> load(GraphTables.empty(), Neo4jConfig("bolt://127.0.0.1:1"), workers=0)
    Traceback (most recent call last):
    ...
    insidergraph.errors.Neo4jError: workers must be at least 1, not 0
    """
    if batch_size < 1:
        raise Neo4jError(f"batch size must be at least 1, not {batch_size}")
    if workers < 1:
        raise Neo4jError(f"workers must be at least 1, not {workers}")
    driver = connect(cfg)
    # The batches' parameter lists are millions of fresh objects without reference cycles:
    # left on, the cyclic collector rescans them again and again for nothing.
    gc_enabled = gc.isenabled()
    gc.disable()
    try:
        runner = Runner(driver, cfg.database, cfg.uri, batch_size=batch_size, workers=workers,
                        always_merge=always_merge, on_batch=on_batch, progress=progress)
        return runner.run(tables, phases())
    finally:
        driver.close()
        if gc_enabled:
            gc.enable()
