"""What a build changed in the graph tables: the rows each table lost and gained.

An incremental build recomputes the tables, then hands the embedded engines only the
difference from the previous generation's tables (:class:`GraphChange`), so they update
their files in place instead of being rebuilt. A row is keyed by its whole content: a row
whose ``id`` is kept but whose values changed is in both sides (its old version in
``removed``, its new one in ``added``). The set difference runs in DuckDB straight over the
previous generation's Parquet files and the new Arrow tables (it handles every column type,
lists included, and spills to disk rather than growing the heap).

>>> import tempfile
>>> from pathlib import Path
>>> from insidergraph.graph.tables import GraphTables
>>> old = GraphTables.from_rows({"Person": [{"id": "person/1", "name": "A"}, {"id": "person/2", "name": "B"}]}, {})
>>> folder = Path(tempfile.mkdtemp())
>>> old.write(folder)
>>> new = GraphTables.from_rows({"Person": [{"id": "person/1", "name": "A"}, {"id": "person/2", "name": "Bee"},
...                                         {"id": "person/3", "name": "C"}]}, {})
>>> change = diff(folder, new, Path("gen-000001"))
>>> change.removed.to_arrow("nodes", "Person").column("name").to_pylist()
['B']
>>> change.added.to_arrow("nodes", "Person").column("name").to_pylist()
['Bee', 'C']
>>> change.rows(), change.total
(3, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES
from insidergraph.graph.tables import GraphTables, arrow_schema, edge_props, node_props, read_table

#: A build whose changed rows exceed this share of the graph's rows rebuilds the engines
#: from scratch: past it, a bulk load of everything beats row-wise updates.
REBUILD_SHARE = 0.5


@dataclass(frozen=True)
class GraphChange:
    """The rows a build removed and added, table by table, against the generation
    ``previous`` (whose ``engines/`` the writers update a copy of)."""

    previous: Path
    removed: GraphTables
    added: GraphTables
    total: int  # rows of the new tables, all tables together

    def rows(self) -> int:
        """How many rows changed (removed plus added versions)."""
        return sum(sum(side.counts()[kind].values()) for side in (self.removed, self.added)
                   for kind in ("nodes", "edges"))

    def small(self) -> bool:
        """Whether updating the engines in place beats rebuilding them."""
        return self.rows() <= REBUILD_SHARE * max(self.total, 1)

    def old_table(self, kind: str, name: str) -> pa.Table:
        """A whole table of the previous generation, read from its Parquet file."""
        props = node_props(name) if kind == "nodes" else edge_props(name)
        return read_table(self.previous / "graph" / kind / f"{name}.parquet", props)


def diff(old_graph: Path, new: GraphTables, previous: Path) -> GraphChange:
    """The change from the tables written in ``old_graph`` (a generation's ``graph/``) to
    ``new``; ``previous`` is that generation's folder."""
    import duckdb

    con = duckdb.connect(config={"threads": 2, "preserve_insertion_order": False})
    sides: dict[str, dict[str, dict[str, pa.Table]]] = {"removed": {"nodes": {}, "edges": {}},
                                                         "added": {"nodes": {}, "edges": {}}}
    total = 0
    try:
        for kind, names in (("nodes", NODE_TYPES), ("edges", EDGE_TYPES)):
            for name in names:
                props = node_props(name) if kind == "nodes" else edge_props(name)
                table = new.to_arrow(kind, name)
                total += table.num_rows
                old = read_table(old_graph / kind / f"{name}.parquet", props)
                removed, added = _difference(con, old, table)
                schema = arrow_schema(props)
                sides["removed"][kind][name] = _sorted(removed.cast(schema))
                sides["added"][kind][name] = _sorted(added.cast(schema))
    finally:
        con.close()
    removed_tables = GraphTables.from_arrow(sides["removed"]["nodes"], sides["removed"]["edges"])
    added_tables = GraphTables.from_arrow(sides["added"]["nodes"], sides["added"]["edges"])
    return GraphChange(previous, removed_tables, added_tables, total)


def _difference(con: object, old: pa.Table, new: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Rows of ``old`` not in ``new``, and of ``new`` not in ``old`` (whole rows compared)."""
    if not old.num_rows or not new.num_rows:
        return old, new
    cols = ", ".join(f'"{c}"' for c in new.column_names)
    con.register("old_t", old)  # type: ignore[attr-defined]
    con.register("new_t", new)  # type: ignore[attr-defined]
    try:
        removed = con.sql(f"SELECT {cols} FROM old_t EXCEPT SELECT {cols} FROM new_t").to_arrow_table()  # type: ignore[attr-defined]
        added = con.sql(f"SELECT {cols} FROM new_t EXCEPT SELECT {cols} FROM old_t").to_arrow_table()  # type: ignore[attr-defined]
    finally:
        con.unregister("old_t")  # type: ignore[attr-defined]
        con.unregister("new_t")  # type: ignore[attr-defined]
    return removed, added


def _sorted(table: pa.Table) -> pa.Table:
    # EXCEPT gives rows in no set order; the writers and tests want the tables' own (by id).
    if table.num_rows < 2:
        return table
    return table.take(pc.sort_indices(table.column("id")))


__all__ = ["REBUILD_SHARE", "GraphChange", "diff"]
