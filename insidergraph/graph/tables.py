"""The graph as column tables: one Arrow table (and, on demand, pandas DataFrame) per node label and edge type.

Column conventions (the same for every backend that reads these tables):

* ``date`` columns hold :class:`datetime.date` or ``None``;
* ``decimal`` columns hold the exact decimal text (``"5.79"``) or ``None``, so no
  amount is rounded on its way to RDF; engines without decimals cast to double;
* ``string[]`` columns hold sorted lists of strings; ``bool`` columns hold
  ``True``/``False``/``None``; ``int`` columns hold integers.

Rows are sorted by ``id``, so the same input always gives the same bytes.

The builder hands over Arrow tables, some of them compact (:class:`CompactTable`: ids of
node references kept as 4-byte indexes into a node-id array, edge ids derived from their
ends); :meth:`GraphTables.to_arrow` gives every table with the registry's types, and the
pandas frames of ``tables.nodes[label]`` / ``tables.edges[type]`` are made from it on first
access only (object dtype, exactly the values above).

>>> from insidergraph.graph.tables import GraphTables
>>> g = GraphTables.empty()
>>> g.counts()["nodes"]["Person"]
0
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from insidergraph.errors import StoreError
from insidergraph.graph.ids import check_labels
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES, Prop
from insidergraph.graph.store_checks import edge_props as edge_props  # re-exported: they live beside
from insidergraph.graph.store_checks import node_props as node_props  # the read checks

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


def _frame(rows: list[dict[str, object]] | pd.DataFrame, props: list[Prop]) -> pd.DataFrame:
    cols = [p.name for p in props]
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, columns=cols)
    df = df.reindex(columns=cols).astype(object)
    df = df.where(pd.notna(df), None) if len(df) else df
    return df.sort_values("id", kind="stable").reset_index(drop=True) if len(df) else df


def sort_order(ids: pa.Array) -> pa.Array | None:
    """Indices that sort ``ids`` (stable, by code point like Python), or ``None`` when sorted already.

    >>> sort_order(pa.array(["a", "b"])) is None, sort_order(pa.array(["b", "a"])).to_pylist()
    (True, [1, 0])
    """
    n = len(ids)
    # The builder emits rows nearly in id order; checking is one cheap pass, sorting is not.
    if n < 2 or pc.all(pc.less_equal(ids.slice(0, n - 1), ids.slice(1))).as_py():
        return None
    return pc.sort_indices(ids)


@dataclass(frozen=True)
class Join:
    """A string column made when its table is materialized: ``parts`` joined by ``sep``.

    A part is a constant ``str``, an Arrow array (dictionary-encoded ones are decoded) or
    another :class:`Join`. Edge ids are Joins of their ends, so a table keeps two 4-byte
    indexes per edge instead of strings like ``person/0001222287|transaction/…/nd/1``.

    >>> Join("|", (pa.array(["a"]), "b")).evaluate().to_pylist()
    ['a|b']
    """

    sep: str
    parts: tuple[str | pa.Array | Join, ...]

    def evaluate(self, memo: dict[int, pa.Array] | None = None) -> pa.Array:
        """The joined strings (``memo`` shares parts evaluated for other columns)."""
        memo = {} if memo is None else memo
        parts = (p if isinstance(p, str) else _evaluate(p, memo) for p in self.parts)
        return pc.binary_join_element_wise(*parts, self.sep)

    def take(self, indices: pa.Array, memo: dict[int, object]) -> Join:
        """The same Join over the rows ``indices`` of its arrays."""
        return Join(self.sep, tuple(p if isinstance(p, str) else _take(p, indices, memo) for p in self.parts))


Column: TypeAlias = "pa.Array | Join"


def _evaluate(col: Column, memo: dict[int, pa.Array]) -> pa.Array:
    """A plain array for a column: Joins joined, dictionaries decoded (each once per ``memo``)."""
    key = id(col)
    out = memo.get(key)
    if out is None:
        if isinstance(col, Join):
            out = col.evaluate(memo)
        elif isinstance(col, pa.DictionaryArray):
            out = col.dictionary_decode()
        else:
            out = col
        memo[key] = out
    return out


def _take(col: Column, indices: pa.Array, memo: dict[int, object]) -> Column:
    key = id(col)
    out = memo.get(key)
    if out is None:
        out = memo[key] = col.take(indices, memo) if isinstance(col, Join) else col.take(indices)
    return out


class CompactTable:
    """A table held as compact columns, materialized to plain Arrow on demand.

    A column is an Arrow array (a dictionary-encoded one stands for its decoded strings:
    references to nodes are indexes into one shared array of node ids) or a
    :class:`Join` (edge ids). :meth:`sorted_by_id` puts the rows in ``id`` order once;
    :meth:`materialize` then only decodes and joins, in C.

    >>> ids = pa.array(["n/2", "n/1"])
    >>> ends = pa.DictionaryArray.from_arrays(pa.array([0, 1], pa.int32()), ids)
    >>> t = CompactTable(pa.schema([("id", pa.string()), ("src", pa.string())]),
    ...                  {"id": Join("|", (ends, "x")), "src": ends}, 2).sorted_by_id()
    >>> t.materialize().to_pydict()
    {'id': ['n/1|x', 'n/2|x'], 'src': ['n/1', 'n/2']}
    """

    def __init__(self, schema: pa.Schema, columns: Mapping[str, Column], num_rows: int) -> None:
        self.schema = schema
        self.columns = dict(columns)
        self.num_rows = num_rows

    def __len__(self) -> int:
        return self.num_rows

    def column(self, name: str, memo: dict[int, pa.Array] | None = None) -> pa.Array:
        """One column as a plain array of its schema type."""
        arr = _evaluate(self.columns[name], {} if memo is None else memo)
        want = self.schema.field(name).type
        return arr if arr.type == want else arr.cast(want)

    def materialize(self) -> pa.Table:
        """The table as plain Arrow with the schema's types."""
        memo: dict[int, pa.Array] = {}
        return pa.Table.from_arrays([self.column(f.name, memo) for f in self.schema], schema=self.schema)

    def take(self, indices: pa.Array) -> CompactTable:
        """The rows ``indices``, columns still compact (arrays shared between columns stay shared)."""
        memo: dict[int, object] = {}
        return CompactTable(self.schema, {k: _take(v, indices, memo) for k, v in self.columns.items()}, len(indices))

    def sorted_by_id(self, ranks: RankCache | None = None) -> CompactTable:
        """This table with its rows in ``id`` order.

        An id that is a :class:`Join` of arrays is ordered from the ranks of its parts'
        distinct values (see :func:`join_order`), without making the ids; otherwise the
        ids are made for the sort and dropped.
        """
        if self.num_rows < 2:
            return self
        col = self.columns["id"]
        order: pa.Array | np.ndarray | None
        if isinstance(col, Join) and all(isinstance(p, pa.Array) for p in col.parts):
            order = join_order(col, RankCache() if ranks is None else ranks)
        else:
            order = sort_order(self.column("id"))
            order = None if order is None else order.to_numpy()
        return self if order is None else self.take(pa.array(order, pa.int32()))


class RankCache:
    """Ranks of the distinct values of arrays (node ids, say), computed once for every table that uses them."""

    def __init__(self) -> None:
        self._ranks: dict[tuple[int, int, int, str], tuple[pa.Array, np.ndarray]] = {}

    def ranks(self, values: pa.Array, suffix: str = "") -> np.ndarray:
        """Dense rank of each value in the order of ``value + suffix`` (equal values share a rank).

        >>> RankCache().ranks(pa.array(["a/1", "a/10", "a/1"]), "|").tolist()
        [1, 0, 1]
        """
        key = (values.buffers()[1].address, values.offset, len(values), suffix)
        hit = self._ranks.get(key)
        if hit is not None:
            return hit[1]
        keyed = pc.binary_join_element_wise(values, "", suffix) if suffix else values
        order = pc.sort_indices(keyed)
        ordered = keyed.take(order)
        n = len(ordered)
        new = np.ones(n, dtype=bool)
        if n > 1:
            new[1:] = pc.not_equal(ordered.slice(1), ordered.slice(0, n - 1)).to_numpy(zero_copy_only=False)
        ranks = np.empty(n, dtype=np.int64)
        ranks[order.to_numpy()] = np.cumsum(new) - 1
        self._ranks[key] = (values, ranks)  # the array is kept so that its address stays its own
        return ranks

    def contains(self, values: pa.Array, text: str) -> bool:
        """Whether any value contains ``text`` (remembered per array)."""
        key = (values.buffers()[1].address, values.offset, len(values), "in:" + text)
        hit = self._ranks.get(key)
        if hit is None:
            found = bool(pc.any(pc.match_substring(values, text)).as_py())
            hit = self._ranks[key] = (values, np.array([found]))
        return bool(hit[1][0])

    def row_ranks(self, part: pa.Array, suffix: str = "") -> np.ndarray:
        """Per row of ``part``, the rank of its value (via the dictionary when it has one)."""
        if isinstance(part, pa.DictionaryArray):
            by_row: np.ndarray = self.ranks(part.dictionary, suffix)[part.indices.to_numpy(zero_copy_only=False)]
            return by_row
        return self.ranks(part, suffix)


def join_order(join: Join, ranks: RankCache) -> np.ndarray | None:
    """Row order of the strings ``join`` makes (stable, by code point), without making them.

    Joined strings ``a|b`` compare as ``(a + "|", b)``: when no value of a part before the
    last contains the separator, ``a + "|"`` and ``a' + "|"`` differ before either ends, so
    the rank of ``a + "|"`` decides, then the rank of ``b``. Falls back to sorting the
    strings when a value contains the separator or is missing. ``None`` when in order already.

    >>> join_order(Join("|", (pa.array(["a/1", "a/10"]), pa.array(["x", "x"]))), RankCache()).tolist()
    [1, 0]
    """
    parts = join.parts
    n = len(parts[0])  # type: ignore[arg-type]
    for part in parts[:-1]:
        values = part.dictionary if isinstance(part, pa.DictionaryArray) else part
        if ranks.contains(values, join.sep):
            order = sort_order(join.evaluate())
            return None if order is None else order.to_numpy()
    if any(p.null_count or (isinstance(p, pa.DictionaryArray) and p.dictionary.null_count) for p in parts):  # type: ignore[union-attr]
        order = sort_order(join.evaluate())
        return None if order is None else order.to_numpy()
    keys = [ranks.row_ranks(p, join.sep if i < len(parts) - 1 else "") for i, p in enumerate(parts)]
    # One int64 key when the ranks fit (they do for any graph that fits in memory), else lexsort.
    key = keys[0]
    for k in keys[1:]:
        width = int(k.max()) + 1 if len(k) else 1
        if key.size and int(key.max()) >= (1 << 62) // width:
            order = np.lexsort(keys[::-1])
            return None if np.all(order == np.arange(n)) else order
        key = key * width + k
    if n < 2 or bool(np.all(key[1:] >= key[:-1])):
        return None
    return np.argsort(key, kind="stable")


Source: TypeAlias = "pa.Table | CompactTable"


def _arrow_of_frame(df: pd.DataFrame, props: list[Prop]) -> pa.Table:
    return pa.Table.from_pydict({p.name: df[p.name].tolist() for p in props}, schema=arrow_schema(props))


def _frame_of_arrow(table: pa.Table, props: list[Prop]) -> pd.DataFrame:
    """The object frame of an Arrow table: Python values, ``None`` for missing, lists for ``string[]``."""
    return pd.DataFrame({p.name: pd.Series(table.column(p.name).to_pylist(), dtype=object) for p in props})


class TableMap(MutableMapping[str, pd.DataFrame]):
    """The pandas frames of one kind of table (``nodes`` or ``edges``), by label or type.

    A frame is made from the Arrow table on first access and kept; from then on that frame
    is the table (changes to it show in :meth:`GraphTables.to_arrow` and :meth:`GraphTables.write`).
    """

    def __init__(self, props_of: Callable[[str], list[Prop]], sources: Mapping[str, Source] | None = None,
                 frames: Mapping[str, pd.DataFrame] | None = None) -> None:
        self._props_of = props_of
        self._sources: dict[str, Source] = dict(sources or {})
        self._frames: dict[str, pd.DataFrame] = dict(frames or {})
        self._order = list(dict.fromkeys([*self._sources, *self._frames]))

    def __getitem__(self, name: str) -> pd.DataFrame:
        df = self._frames.get(name)
        if df is None:
            source = self._sources[name]
            table = source.materialize() if isinstance(source, CompactTable) else source
            df = self._frames[name] = _frame_of_arrow(table, self._props_of(name))
        return df

    def __setitem__(self, name: str, df: pd.DataFrame) -> None:
        if name not in self._order:
            self._order.append(name)
        self._frames[name] = df

    def __delitem__(self, name: str) -> None:
        self._order.remove(name)
        self._frames.pop(name, None)
        self._sources.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def rows(self, name: str) -> int:
        """Row count of a table, without making its frame."""
        df = self._frames.get(name)
        return len(df) if df is not None else len(self._sources[name])

    def arrow(self, name: str) -> pa.Table:
        """The table as Arrow with the registry's types; from the frame once one was handed out."""
        df = self._frames.get(name)
        if df is not None:
            return _arrow_of_frame(df, self._props_of(name))
        source = self._sources[name]
        return source.materialize() if isinstance(source, CompactTable) else source

    def ids(self, name: str) -> list[str]:
        """The ``id`` column as Python strings."""
        df = self._frames.get(name)
        if df is not None:
            return df["id"].tolist()
        source = self._sources[name]
        col = source.column("id")
        return col.to_pylist()  # type: ignore[no-any-return]


class GraphTables:
    """Node and edge tables keyed by label and relationship type.

    ``nodes`` and ``edges`` map names to pandas frames (made on first access);
    :meth:`to_arrow` and :meth:`write` work from Arrow without pandas.

    >>> GraphTables.empty().to_arrow("edges", "FILED").column_names
    ['id', 'src', 'dst']
    """

    def __init__(self, nodes: Mapping[str, pd.DataFrame] | None = None,
                 edges: Mapping[str, pd.DataFrame] | None = None) -> None:
        self.nodes = TableMap(node_props, frames=nodes)
        self.edges = TableMap(edge_props, frames=edges)

    @classmethod
    def from_arrow(cls, nodes: Mapping[str, Source], edges: Mapping[str, Source]) -> GraphTables:
        """Tables from Arrow (or compact) tables with the registry's columns, rows sorted by ``id``."""
        out = cls()
        out.nodes = TableMap(node_props, sources=nodes)
        out.edges = TableMap(edge_props, sources=edges)
        return out

    @classmethod
    def empty(cls) -> GraphTables:
        """A graph with every table present and no rows."""
        return cls(
            {label: _frame([], node_props(label)) for label in NODE_TYPES},
            {rel: _frame([], edge_props(rel)) for rel in EDGE_TYPES},
        )

    @classmethod
    def from_rows(
        cls, nodes: dict[str, list[dict[str, object]]], edges: dict[str, list[dict[str, object]]]
    ) -> GraphTables:
        """Tables from lists of row dicts; missing labels become empty tables."""
        return cls(
            {label: _frame(nodes.get(label, []), node_props(label)) for label in NODE_TYPES},
            {rel: _frame(edges.get(rel, []), edge_props(rel)) for rel in EDGE_TYPES},
        )

    def _map(self, kind: str) -> TableMap:
        return self.nodes if kind == "nodes" else self.edges

    def counts(self) -> dict[str, dict[str, int]]:
        """Row counts: ``{"nodes": {label: n}, "edges": {type: n}}``."""
        return {
            "nodes": {k: self.nodes.rows(k) for k in self.nodes},
            "edges": {k: self.edges.rows(k) for k in self.edges},
        }

    def label_of(self) -> dict[str, str]:
        """Map of node id to its label; a node whose id is not of its table's label is an error.

        >>> GraphTables.from_rows({"Person": [{"id": "person/1"}]}, {}).label_of()
        {'person/1': 'Person'}
        >>> GraphTables.from_rows({"Person": [{"id": "filing/1"}]}, {}).label_of()
        Traceback (most recent call last):
        ...
        insidergraph.graph.ids.UnknownIdError: 'filing/1' is in the Person table but is the id of a Filing
        """
        out: dict[str, str] = {}
        for label in self.nodes:
            ids = self.nodes.ids(label)
            check_labels(label, pa.array(ids, pa.string()))
            out.update(dict.fromkeys(ids, label))
        return out

    def iter_tables(self) -> Iterator[tuple[str, str, pd.DataFrame, list[Prop]]]:
        """``(kind, name, frame, props)`` for every table, nodes first."""
        for label in self.nodes:
            yield "nodes", label, self.nodes[label], node_props(label)
        for rel in self.edges:
            yield "edges", rel, self.edges[rel], edge_props(rel)

    def to_arrow(self, kind: str, name: str) -> pa.Table:
        """One table as Arrow with the registry's types.

        Compact tables are materialized on each call (decoding and joining in C; nothing is
        kept, so memory stays that of the compact form): keep the result to use it twice.
        """
        return self._map(kind).arrow(name)

    def write(self, directory: Path) -> None:
        """Write every table as ``nodes/<Label>.parquet`` and ``edges/<TYPE>.parquet``."""
        for kind in ("nodes", "edges"):
            target = directory / kind
            target.mkdir(parents=True, exist_ok=True)
            for name in self._map(kind):
                pq.write_table(self.to_arrow(kind, name), target / f"{name}.parquet", compression="zstd")
        (directory / "counts.json").write_text(json.dumps(self.counts(), indent=2, sort_keys=True) + "\n")

    @classmethod
    def read(cls, directory: Path) -> GraphTables:
        """Read the tables :meth:`write` wrote (as Arrow; frames are made on first access)."""
        if not (directory / "counts.json").is_file():
            raise StoreError(f"{directory}: no graph tables here (run `insidergraph build` first)")
        nodes = {label: read_table(directory / "nodes" / f"{label}.parquet", node_props(label)) for label in NODE_TYPES}
        edges = {rel: read_table(directory / "edges" / f"{rel}.parquet", edge_props(rel)) for rel in EDGE_TYPES}
        return cls.from_arrow(nodes, edges)


def read_one(directory: Path, kind: str, name: str, columns: tuple[str, ...] | None = None,
             where: pc.Expression | None = None) -> pa.Table:
    """One table under ``directory`` (``nodes``, ``Person``): its ``columns`` (None: all), rows ``where`` keeps."""
    props = (node_props if kind == "nodes" else edge_props)(name)
    if columns is not None:
        props = [p for c in columns for p in props if p.name == c]
    return read_table(directory / kind / f"{name}.parquet", props, where)


def read_table(path: Path, props: list[Prop], where: pc.Expression | None = None) -> pa.Table:
    """One table file with the registry's types, only the columns ``props`` names and the rows
    ``where`` keeps; a missing file is an empty table (the manifest says whether it should be there)."""
    schema = arrow_schema(props)
    if not path.is_file():
        return schema.empty_table()
    have = pq.read_schema(path).names
    missing = [p.name for p in props if p.name not in have]
    if missing:
        store = path.parents[3]  # STORE/gen-N/graph/nodes/NAME.parquet
        raise StoreError(f"{path}: no column {', '.join(missing)} (written by an older insidergraph); run "
                         f"`insidergraph build PATH... --store {store}` (any filings) to rebuild its graph")
    table = pq.read_table(path, columns=[p.name for p in props], filters=where)
    # Parquet names list items "element"; the registry's type says "item" (which
    # Schema.equals does not look at, so compare the printed schemas).
    return table if str(table.schema) == str(schema) else table.cast(schema)
