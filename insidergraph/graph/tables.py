"""The graph as column tables: one pandas DataFrame per node label and per edge type.

Column conventions (the same for every backend that reads these tables):

* ``date`` columns hold :class:`datetime.date` or ``None``;
* ``decimal`` columns hold the exact decimal text (``"5.79"``) or ``None``, so no
  amount is rounded on its way to RDF; engines without decimals cast to double;
* ``string[]`` columns hold sorted lists of strings; ``bool`` columns hold
  ``True``/``False``/``None``; ``int`` columns hold integers.

Rows are sorted by ``id``, so the same input always gives the same bytes.

>>> from insidergraph.graph.tables import GraphTables
>>> g = GraphTables.empty()
>>> g.counts()["nodes"]["Person"]
0
"""

from __future__ import annotations

import json
from operator import itemgetter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from insidergraph.errors import StoreError
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES, Prop

_ARROW: dict[str, pa.DataType] = {
    "string": pa.string(),
    "date": pa.date32(),
    "decimal": pa.string(),
    "int": pa.int64(),
    "bool": pa.bool_(),
    "string[]": pa.list_(pa.string()),
}


def arrow_schema(props: list[Prop]) -> pa.Schema:
    """The Arrow schema of a table with these property columns."""
    return pa.schema([pa.field(p.name, _ARROW[p.type]) for p in props])


def node_props(label: str) -> list[Prop]:
    """Property columns of a node table, ``id`` first."""
    return list(NODE_TYPES[label].props)


def edge_props(rel: str) -> list[Prop]:
    """Columns of an edge table: ``id``, ``src``, ``dst``, then its properties."""
    return [Prop("id"), Prop("src"), Prop("dst")] + list(EDGE_TYPES[rel].props)


def _from_records(records: list[tuple[object, ...]], props: list[Prop]) -> pd.DataFrame:
    """A table from tuples in column order, sorted by ``id``, without dtype inference.

    Object columns keep ``None`` as ``None`` and skip pandas' string inference, which
    dominated build time on large inputs.
    """
    records = sorted(records, key=itemgetter(0))
    columns = list(zip(*records)) if records else [()] * len(props)
    data = {}
    for p, col in zip(props, columns):
        values = list(col)
        if p.type == "decimal":
            values = [None if v is None else str(v) for v in values]
        data[p.name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data)


def _frame(rows: list[dict[str, object]] | pd.DataFrame, props: list[Prop]) -> pd.DataFrame:
    cols = [p.name for p in props]
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, columns=cols)
    df = df.reindex(columns=cols).astype(object)
    df = df.where(pd.notna(df), None) if len(df) else df
    return df.sort_values("id", kind="stable").reset_index(drop=True) if len(df) else df


@dataclass
class GraphTables:
    """Node and edge tables keyed by label and relationship type."""

    nodes: dict[str, pd.DataFrame] = field(default_factory=dict)
    edges: dict[str, pd.DataFrame] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> "GraphTables":
        """A graph with every table present and no rows."""
        return cls(
            {label: _frame([], node_props(label)) for label in NODE_TYPES},
            {rel: _frame([], edge_props(rel)) for rel in EDGE_TYPES},
        )

    @classmethod
    def from_rows(
        cls, nodes: dict[str, list[dict[str, object]]], edges: dict[str, list[dict[str, object]]]
    ) -> "GraphTables":
        """Tables from lists of row dicts; missing labels become empty tables."""
        return cls(
            {label: _frame(nodes.get(label, []), node_props(label)) for label in NODE_TYPES},
            {rel: _frame(edges.get(rel, []), edge_props(rel)) for rel in EDGE_TYPES},
        )

    @classmethod
    def from_records(
        cls, nodes: dict[str, list[tuple[object, ...]]], edges: dict[str, list[tuple[object, ...]]]
    ) -> "GraphTables":
        """Tables from tuples in each table's column order (fast path of the builder)."""
        return cls(
            {label: _from_records(nodes.get(label, []), node_props(label)) for label in NODE_TYPES},
            {rel: _from_records(edges.get(rel, []), edge_props(rel)) for rel in EDGE_TYPES},
        )

    def counts(self) -> dict[str, dict[str, int]]:
        """Row counts: ``{"nodes": {label: n}, "edges": {type: n}}``."""
        return {
            "nodes": {k: len(v) for k, v in self.nodes.items()},
            "edges": {k: len(v) for k, v in self.edges.items()},
        }

    def label_of(self) -> dict[str, str]:
        """Map of node id to its label."""
        out: dict[str, str] = {}
        for label, df in self.nodes.items():
            out.update(dict.fromkeys(df["id"].tolist(), label))
        return out

    def iter_tables(self) -> Iterator[tuple[str, str, pd.DataFrame, list[Prop]]]:
        """``(kind, name, frame, props)`` for every table, nodes first."""
        for label, df in self.nodes.items():
            yield "nodes", label, df, node_props(label)
        for rel, df in self.edges.items():
            yield "edges", rel, df, edge_props(rel)

    def to_arrow(self, kind: str, name: str) -> pa.Table:
        """One table as Arrow with the registry's types."""
        df = (self.nodes if kind == "nodes" else self.edges)[name]
        props = node_props(name) if kind == "nodes" else edge_props(name)
        return pa.Table.from_pydict({p.name: df[p.name].tolist() for p in props}, schema=arrow_schema(props))

    def write(self, directory: Path) -> None:
        """Write every table as ``nodes/<Label>.parquet`` and ``edges/<TYPE>.parquet``."""
        for kind, name, _df, _props in self.iter_tables():
            target = directory / kind
            target.mkdir(parents=True, exist_ok=True)
            pq.write_table(self.to_arrow(kind, name), target / f"{name}.parquet", compression="zstd")
        (directory / "counts.json").write_text(json.dumps(self.counts(), indent=2, sort_keys=True) + "\n")

    @classmethod
    def read(cls, directory: Path) -> "GraphTables":
        """Read the tables :meth:`write` wrote."""
        if not (directory / "counts.json").is_file():
            raise StoreError(f"{directory}: no graph tables here (run `insidergraph build` first)")
        nodes = {label: _read(directory / "nodes" / f"{label}.parquet", node_props(label)) for label in NODE_TYPES}
        edges = {rel: _read(directory / "edges" / f"{rel}.parquet", edge_props(rel)) for rel in EDGE_TYPES}
        return cls(nodes, edges)


def _read(path: Path, props: list[Prop]) -> pd.DataFrame:
    if not path.is_file():
        return _frame([], props)
    table = pq.read_table(path)
    return _frame(pd.DataFrame({c: table.column(c).to_pylist() for c in table.column_names}), props)
