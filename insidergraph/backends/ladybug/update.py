"""Updating a store's ladybug database in place with what a build changed.

An incremental build copies the previous generation's database file into the new one and
applies the :class:`~insidergraph.graph.diff.GraphChange`: the edges removed or changed are
deleted (matched from their ends' primary keys), nodes gone are deleted, nodes changed get
their new values with ``SET``, then the new nodes and the new versions of edges go in by
``LOAD FROM ... CREATE`` (measured on a table of 60,000 rows: 3,000 rows in 0.08 s, against
0.7-0.9 s for ``COPY`` into a table that already holds rows), or bulk ``COPY`` past
:data:`COPY_ROWS`. Queries on the result answer as on a database rebuilt from the same
tables.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from insidergraph.backends.ladybug.engine import arrow_for_copy, db_path, edge_parts, with_table
from insidergraph.errors import StoreError
from insidergraph.graph.schema import NODE_TYPES

#: Past this many new rows in one table, ``COPY`` appends them faster than ``CREATE``.
COPY_ROWS = 50_000

if TYPE_CHECKING:
    from insidergraph.graph.diff import GraphChange
    from insidergraph.graph.store import Store
    from insidergraph.graph.tables import GraphTables


def update(store: Store, change: GraphChange) -> None:
    """Copy the previous generation's database into ``store``'s and apply ``change``."""
    import ladybug as lb

    path = db_path(store)
    old = change.previous / "engines" / "ladybug"
    shutil.rmtree(path.parent, ignore_errors=True)
    shutil.copytree(old, path.parent)
    db = lb.Database(str(path))
    conn = lb.Connection(db)
    try:
        _delete_edges(db, change.removed)
        kept = _delete_nodes(db, change)
        _set_nodes(db, change, kept)
        for label in NODE_TYPES:
            table = arrow_for_copy(change.added, "nodes", label)
            new = table.filter(pc.invert(pc.is_in(table.column("id"), value_set=kept[label])))
            if new.num_rows:
                _append_nodes(db, label, new)
        # Measured: matching edge ends among nodes not yet checkpointed was 30-50x slower
        # (12 s against 0.3 s for 30,000 edges).
        conn.execute("CHECKPOINT")
        _append_edges(db, change.added)
        conn.execute("CHECKPOINT")
    except RuntimeError as err:
        raise StoreError(f"{path}: ladybug update failed: {err}") from err
    finally:
        conn.close()
        db.close()


def _numbered(table: pa.Table) -> tuple[pa.Table, list[str]]:
    """``table`` with columns renamed ``c0, c1, ...`` (so that none is a Cypher keyword, such
    as ``table``), and the original names."""
    names = list(table.column_names)
    return table.rename_columns([f"c{i}" for i in range(len(names))]), names


def _append_nodes(db: Any, label: str, table: pa.Table) -> None:
    if table.num_rows > COPY_ROWS:
        with_table(db, f"COPY {label} FROM $t", table)
        return
    table, names = _numbered(table)
    props = ", ".join(f"`{name}`: c{i}" for i, name in enumerate(names))
    with_table(db, f"LOAD FROM $t CREATE (:{label} {{{props}}})", table)


def _append_edges(db: Any, added: GraphTables) -> None:
    """The new versions of edges, by (FROM, TO) pair."""
    for rel, a, b, part in edge_parts(added):
        if part.num_rows > COPY_ROWS:
            with_table(db, f"COPY {rel} FROM $t (from='{a}', to='{b}')", part)
            continue
        part, names = _numbered(part)
        props = ", ".join(f"`{name}`: c{i}" for i, name in enumerate(names) if i >= 2)
        with_table(db, f"LOAD FROM $t MATCH (a:{a} {{id: c0}}) MATCH (b:{b} {{id: c1}}) "
                   f"CREATE (a)-[:{rel} {{{props}}}]->(b)", part)


def _delete_edges(db: Any, removed: GraphTables) -> None:
    """Delete the old versions of every edge changed or gone, by its ends and id."""
    for rel, a, b, part in edge_parts(removed, ends_only=True):
        with_table(db, f"LOAD FROM $t MATCH (a:{a} {{id: src}})-[r:{rel}]->(b:{b} {{id: dst}}) "
                   "WHERE r.id = id DELETE r", part)


def _delete_nodes(db: Any, change: GraphChange) -> dict[str, pa.Array]:
    """Delete the nodes gone; returns, per label, the ids kept with new values."""
    kept: dict[str, pa.Array] = {}
    for label in NODE_TYPES:
        gone = change.removed.to_arrow("nodes", label).column("id")
        now = change.added.to_arrow("nodes", label).column("id")
        kept[label] = pc.filter(gone, pc.is_in(gone, value_set=now)).combine_chunks()
        deleted = pc.filter(gone, pc.invert(pc.is_in(gone, value_set=now)))
        if len(deleted):
            with_table(db, f"LOAD FROM $t MATCH (n:{label} {{id: id}}) DETACH DELETE n",
                       pa.table({"id": deleted}))
    return kept


def _set_nodes(db: Any, change: GraphChange, kept: dict[str, pa.Array]) -> None:
    """Give the nodes that changed their new values (their edges stay)."""
    for label, node in NODE_TYPES.items():
        if not len(kept[label]) or len(node.props) < 2:
            continue
        table = arrow_for_copy(change.added, "nodes", label)
        table = table.filter(pc.is_in(table.column("id"), value_set=kept[label]))
        table, names = _numbered(table)
        sets = ", ".join(f"n.`{name}` = c{i}" for i, name in enumerate(names) if i)
        with_table(db, f"LOAD FROM $t MATCH (n:{label} {{id: c0}}) SET {sets}", table)


__all__ = ["update"]
