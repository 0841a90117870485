"""Updating a store's pyoxigraph store in place with what a build changed.

An incremental build checkpoints the previous generation's store into the new one
(``Store.backup``: RocksDB hard-links its immutable files, so nothing of size is copied),
then removes the triples only the old versions of changed rows stated and adds those of
their new versions. A triple two rows state (an edge's direct predicate, when two edges of
one type join the same ends) stays while a row of the new tables still states it; the
``time:Instant`` of a day stays while a span of the new tables names it. Terms go through
the same N-Triples text as a full load, so the store ends holding exactly the triples a
rebuild from the same tables would.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyoxigraph as ox

from insidergraph.graph.rdf_emit import instant_triples, span_days, triples
from insidergraph.graph.rdf_ntriples import batch_lines, text_of
from insidergraph.graph.schema import EDGE_TYPES
from insidergraph.graph.tables import GraphTables

if TYPE_CHECKING:
    from pathlib import Path

    from insidergraph.graph.diff import GraphChange


def update(path: Path, tables: GraphTables, change: GraphChange, row_level: bool) -> None:
    """Checkpoint the previous generation's store into ``path`` and apply ``change``
    (``tables`` are the new generation's, whole)."""
    shutil.rmtree(path, ignore_errors=True)
    previous = ox.Store.read_only(str(change.previous / "engines" / "oxigraph"))
    previous.backup(str(path))
    del previous
    remove, add = _lines(tables, change, row_level)
    target = ox.Store(str(path))
    if len(remove):
        for triple in ox.parse(text_of(remove), format=ox.RdfFormat.N_TRIPLES, lenient=True):
            target.remove(ox.Quad(triple.subject, triple.predicate, triple.object))
    if len(add):
        # bulk_load: this copy is private to the build until CURRENT names it, so the
        # transactional load (several times slower) buys nothing.
        target.bulk_load(text_of(add), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    target.flush()
    del target  # releases the write lock before anyone opens it read-only


def _lines(tables: GraphTables, change: GraphChange, row_level: bool) -> tuple[pa.Array, pa.Array]:
    """The N-Triples lines to remove and to add."""
    new_filings = tables.to_arrow("nodes", "Filing")
    old_filings = change.old_table("nodes", "Filing")
    removed = _concat(batch_lines(triples(change.removed, row_level=row_level, filings=old_filings,
                                          instants=False)))
    added = _concat(batch_lines(triples(change.added, row_level=row_level, filings=new_filings, instants=False)))
    kept = _concat(batch_lines(triples(_sharing(tables, change.removed), row_level=row_level,
                                       filings=new_filings, instants=False)))
    spanned = [rel for rel, e in EDGE_TYPES.items() if e.reified is not None and e.reified.span is not None]
    old_days = span_days(GraphTables.from_arrow({}, {rel: change.old_table("edges", rel) for rel in spanned}))
    new_days = span_days(tables)
    removed = _concat([removed, *batch_lines(instant_triples(_minus(old_days, new_days)))])
    added = _concat([added, *batch_lines(instant_triples(_minus(new_days, old_days)))])
    remove = _minus(_minus(removed, added), kept)
    return remove, _minus(added, removed)


def _sharing(tables: GraphTables, removed: GraphTables) -> GraphTables:
    """The edges of the new tables that state a direct triple a removed edge stated too:
    same predicate, same ends."""
    by_predicate: dict[str, list[pa.Array]] = {}
    for rel, edge in EDGE_TYPES.items():
        if edge.rdf:
            gone = removed.to_arrow("edges", rel)
            by_predicate.setdefault(edge.rdf, []).append(_ends(gone))
    edges: dict[str, pa.Table] = {}
    for rel, edge in EDGE_TYPES.items():
        table = tables.to_arrow("edges", rel)
        if edge.rdf and table.num_rows:
            keys = _concat(by_predicate[edge.rdf])
            table = table.filter(pc.is_in(_ends(table), value_set=keys)) if len(keys) else table.slice(0, 0)
        else:
            table = table.slice(0, 0)
        edges[rel] = table
    nodes = {label: GraphTables.empty().to_arrow("nodes", label) for label in GraphTables.empty().nodes}
    return GraphTables.from_arrow(nodes, edges)


def _ends(table: pa.Table) -> pa.Array:
    return pc.binary_join_element_wise(table.column("src"), table.column("dst"), "\u0000").combine_chunks()


def _concat(arrays: Iterable[pa.Array]) -> pa.Array:
    parts = [a.cast(pa.large_string()) for a in arrays if len(a)]
    return pa.concat_arrays(parts) if parts else pa.array([], pa.large_string())


def _minus(a: pa.Array, b: pa.Array) -> pa.Array:
    """The distinct values of ``a`` not in ``b``."""
    a = pc.unique(a)
    return a.filter(pc.invert(pc.is_in(a, value_set=b))) if len(b) and len(a) else a


__all__ = ["update"]
