"""Batch planning: which tables in what order, prepared by which session, split into which batches.

A load runs in :func:`phases`: every node label, then every relationship type (whose ends
must exist first). A table's rows are split by its path (:func:`split_rows`), relationships
grouped by the labels of their ends (:func:`group_by_ends`, so each statement MATCHes on one
label's constraint), and handed out in :meth:`TablePlan.batches`. Nothing here talks to a
server: the runner (:mod:`.runner`) executes the plan.

>>> import pyarrow as pa
>>> from insidergraph.backends.neo4j.labels import label_index
>>> labels = label_index([("Person", pa.chunked_array([["person/1"]])),
...                       ("Filing", pa.chunked_array([["filing/1", "filing/2"]]))])
>>> rows = pa.table({"id": ["a", "b"], "src": ["person/1", "person/1"], "dst": ["filing/2", "filing/1"]})
>>> plan = plan_table("edges", "FILED", rows, "d", "create", None, labels)
>>> [(b.index, b.creating, b.rows.column("dst").to_pylist()) for b in plan.batches(1)]
[(0, True, ['filing/1']), (1, True, ['filing/2'])]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from insidergraph.backends.neo4j.labels import LabelIndex
from insidergraph.backends.neo4j.markers import Path_
from insidergraph.backends.neo4j.params import create_params, merge_params
from insidergraph.backends.neo4j.statements import batch_statement, marker_key
from insidergraph.errors import Neo4jError
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES


@dataclass(frozen=True)
class Phase:
    """One kind of table, written after the phase before it committed.

    ``background``: its tables are materialized, digested, claimed and planned by a thread
    and session of their own while the phase before is written (client work, seconds at a
    million rows, that the server would otherwise sit idle through); otherwise by the
    load's main session before anything is written.
    """

    kind: str
    names: tuple[str, ...]
    background: bool


def phases() -> tuple[Phase, ...]:
    """Nodes, prepared first by the main session; then relationships, prepared in the background.

    >>> [(p.kind, p.names[0], p.background) for p in phases()]
    [('nodes', 'Person', False), ('edges', 'DIRECTOR_OF', True)]
    """
    return (Phase("nodes", tuple(NODE_TYPES), False), Phase("edges", tuple(EDGE_TYPES), True))


@dataclass(frozen=True)
class Work:
    """Rows of a table that one statement writes: CREATE work goes as column lists, MERGE work as row maps."""

    statement: str
    creating: bool
    rows: pa.Table


@dataclass(frozen=True)
class Batch:
    """One transaction's worth of a table; ``index`` counts the table's batches from 0."""

    kind: str
    name: str
    index: int
    statement: str
    creating: bool
    rows: pa.Table

    def params(self) -> dict[str, Any]:
        """The statement's parameters (made by the caller's thread, when it is ready for them)."""
        if self.creating:
            return dict(create_params(self.rows, self.kind, self.name))
        return dict(merge_params(self.rows, self.kind, self.name))


@dataclass
class TablePlan:
    """One node label or relationship type: its size, digest, path, and the work that writes it."""

    kind: str
    name: str
    rows: int
    digest: str
    path: Path_
    work: list[Work] = field(default_factory=list)

    @property
    def key(self) -> str:
        return marker_key(self.kind, self.name)

    def written_rows(self) -> int:
        """Rows that this load writes (the rest are skipped, or present and complete)."""
        return sum(w.rows.num_rows for w in self.work)

    def batches(self, batch_size: int) -> Iterator[Batch]:
        """The work in batches of at most ``batch_size`` rows, in order."""
        index = 0
        for work in self.work:
            for start in range(0, work.rows.num_rows, batch_size):
                yield Batch(self.kind, self.name, index, work.statement, work.creating,
                            work.rows.slice(start, batch_size))
                index += 1


def split_rows(kind: str, name: str, table: pa.Table, path: Path_,
               present: set[str] | None) -> tuple[pa.Table, pa.Table]:
    """The rows to CREATE and the rows to MERGE for ``path`` (``present``: ids in the database, for diff).

    >>> t = pa.table({"id": ["a", "b"], "src": ["x", "x"], "dst": ["y", "z"]})
    >>> [part.num_rows for part in split_rows("edges", "FILED", t, "diff", {"a"})]
    [1, 0]
    """
    if path == "skip":
        return table.slice(0, 0), table.slice(0, 0)
    if path == "create":
        return table, table.slice(0, 0)
    if path == "merge":
        return table.slice(0, 0), table
    assert present is not None, "the diff path needs the ids present in the database"
    there = pc.is_in(table.column("id"), value_set=pa.array(list(present), type=pa.string()))
    create = table.filter(pc.invert(there))
    # A present relationship without properties is complete: its id names its endpoints.
    refresh = kind == "nodes" or bool(EDGE_TYPES[name].props)
    return create, table.filter(there) if refresh else table.slice(0, 0)


def group_by_ends(name: str, rows: pa.Table, labels: LabelIndex) -> list[tuple[tuple[str, str], pa.Table]]:
    """A relationship type's rows grouped by the labels of their ends, sorted by source, then target.

    Groups come in the labels' order; an end that is no node of the store is an error.
    """
    pairs = EDGE_TYPES[name].pairs
    src = labels.codes(rows.column("src"), dict.fromkeys(a for a, _b in pairs))
    dst = labels.codes(rows.column("dst"), dict.fromkeys(b for _a, b in pairs))
    if src.null_count or dst.null_count:
        missing = rows.filter(pc.or_(src.is_null(), dst.is_null())).column("id")[0].as_py()
        raise Neo4jError(f"{name} {missing!r}: an end of the relationship is no node of the store")
    n = len(labels.names)
    pair = pc.add(pc.multiply(src.cast(pa.int64()), n), dst.cast(pa.int64()))
    groups = []
    for code in sorted(pc.unique(pair).to_pylist()):
        group = rows.filter(pc.equal(pair, code))
        # By source, then target: neighbouring rows touch the same nodes and pages.
        group = group.sort_by([("src", "ascending"), ("dst", "ascending")])
        groups.append(((labels.names[code // n], labels.names[code % n]), group))
    return groups


def plan_work(kind: str, name: str, table: pa.Table, path: Path_, present: set[str] | None,
              labels: LabelIndex) -> list[Work]:
    """The statements and rows that write ``table`` by ``path``: CREATE work first, then MERGE work."""
    if path == "skip":
        return []
    create, merge = split_rows(kind, name, table, path, present)
    if kind == "nodes":
        return [Work(batch_statement(kind, name, True), True, create),
                Work(batch_statement(kind, name, False), False, merge)]
    work = []
    for rows, creating in ((create, True), (merge, False)):
        if rows.num_rows:
            for ends, group in group_by_ends(name, rows, labels):
                work.append(Work(batch_statement(kind, name, creating, ends), creating, group))
    return work


def plan_table(kind: str, name: str, table: pa.Table, digest: str, path: Path_, present: set[str] | None,
               labels: LabelIndex) -> TablePlan:
    """A table planned: its path chosen (by :func:`~.markers.choose_path`), its rows split into work."""
    return TablePlan(kind, name, table.num_rows, digest, path, plan_work(kind, name, table, path, present, labels))
