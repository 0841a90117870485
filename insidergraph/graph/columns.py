"""Tables made of named columns, checked against the schema: what every emitter of the builder returns.

An emitter hands over a mapping of column name to values; :func:`node_table`,
:func:`edge_table` and :func:`compact_table` check the names against the table's declared
columns (:data:`~insidergraph.graph.schema.NODE_TYPES`, ``EDGE_TYPES``) and put the columns in
the declared order, so a column added to the schema is either made by its emitter or refused
by name, never shifted into another column's place.

>>> node_table("Footnote", {"id": ["footnote/2/F1", "footnote/1/F1"], "filing_id": ["filing/2", "filing/1"],
...                         "footnote_id": ["F1", "F1"], "text": [None, "x"]}).column("id").to_pylist()
['footnote/1/F1', 'footnote/2/F1']
>>> node_table("Footnote", {"id": []})
Traceback (most recent call last):
...
insidergraph.graph.columns.ColumnsError: Footnote: columns filing_id, footnote_id, text are declared but not made
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from insidergraph.errors import InsiderGraphError
from insidergraph.graph.ids import EDGE_SEP
from insidergraph.graph.schema import Prop
from insidergraph.graph.tables import (
    _ARROW,
    Column,
    CompactTable,
    Join,
    RankCache,
    arrow_schema,
    edge_props,
    node_props,
    sort_order,
)


class ColumnsError(InsiderGraphError):
    """An emitter made columns other than those the schema declares for its table."""


def _checked(name: str, props: list[Prop], columns: Mapping[str, object]) -> None:
    declared = [p.name for p in props]
    missing = [c for c in declared if c not in columns]
    extra = sorted(set(columns) - set(declared))
    if missing:
        raise ColumnsError(f"{name}: columns {', '.join(missing)} are declared but not made")
    if extra:
        raise ColumnsError(f"{name}: columns {', '.join(extra)} are made but not declared")


def _table(name: str, props: list[Prop], columns: Mapping[str, Sequence[Any]]) -> pa.Table:
    """A plain table of Python values by column name, rows sorted by ``id`` (stable)."""
    _checked(name, props, columns)
    arrays = [pa.array(list(columns[p.name]), _ARROW[p.type]) for p in props]
    table = pa.Table.from_arrays(arrays, schema=arrow_schema(props))
    order = sort_order(table.column("id").combine_chunks()) if len(table) else None
    return table if order is None else table.take(order)


def node_table(label: str, columns: Mapping[str, Sequence[Any]]) -> pa.Table:
    """A node table from Python values by column name (no decimals: those are row tables)."""
    return _table(label, node_props(label), columns)


def edge_table(rel: str, columns: Mapping[str, Sequence[Any]]) -> pa.Table:
    """An edge table from Python values by column name."""
    return _table(rel, edge_props(rel), columns)


def compact_table(kind: str, name: str, columns: Mapping[str, Column], num_rows: int) -> CompactTable:
    """A :class:`~insidergraph.graph.tables.CompactTable` of the named columns, checked."""
    props = node_props(name) if kind == "nodes" else edge_props(name)
    _checked(name, props, columns)
    return CompactTable(arrow_schema(props), {p.name: columns[p.name] for p in props}, num_rows)


def compact_edges(rel: str, src: Any, dst: Any, ranks: RankCache, **extra: Any) -> CompactTable:
    """An edge table whose id is ``src|dst`` (then the ``id_parts``), rows sorted by id."""
    parts = (src, dst, *extra.pop("id_parts", ()))
    columns = {"id": Join(EDGE_SEP, parts), "src": src, "dst": dst, **extra}
    return compact_table("edges", rel, columns, len(src)).sorted_by_id(ranks)


def ints() -> array[int]:
    """A growable C int array: 4 bytes an entry, where a list of ints costs 8 plus the int."""
    return array("i")


def np_ints(values: array[int]) -> np.ndarray:
    """The int array as numpy, without a copy."""
    return np.frombuffer(values, dtype=np.int32) if len(values) else np.zeros(0, np.int32)


def refs(indices: np.ndarray | pa.Array, dictionary: pa.Array) -> pa.DictionaryArray:
    """References into an array of strings (node ids, say): 4 bytes each, decoded on materialization."""
    if not isinstance(indices, pa.Array):
        indices = pa.array(indices, pa.int32())
    elif indices.type != pa.int32():
        indices = indices.cast(pa.int32())
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def dedup(values: list[Any]) -> pa.DictionaryArray:
    """Strings as a dictionary array: repeated texts (boilerplate footnotes, titles) stored once."""
    index: dict[Any, int] = {}
    codes = [None if v is None else index.setdefault(v, len(index)) for v in values]
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(list(index), pa.string()))


def strings(values: list[Any]) -> pa.Array:
    """A string column, dictionary-encoded when its values repeat enough to pay for it."""
    arr = pa.array(values, pa.string())
    encoded = arr.dictionary_encode()
    return encoded if 2 * len(encoded.dictionary) < len(arr) else arr


def value_column(kind: str, values: list[Any]) -> pa.Array:
    """One value column of a row table: decimals as their exact text, repeated strings encoded once.

    A column with no value at all (a field no filing used) is made without converting it.
    """
    # (Not for decimals: list.count compares with ==, which for Decimal goes through the
    # numbers ABCs; the conversion below skips their None anyway.)
    if kind != "decimal" and values.count(None) == len(values):
        return pa.nulls(len(values), _ARROW[kind])
    if kind == "decimal":
        return pa.array([None if v is None else str(v) for v in values], pa.string())
    if kind == "string":
        return strings(values)
    return pa.array(values, _ARROW[kind])


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenated ranges ``starts[k] .. starts[k] + counts[k] - 1``.

    >>> ranges(np.array([0, 5]), np.array([2, 3])).tolist()
    [0, 1, 5, 6, 7]
    """
    total = int(counts.sum())
    offsets = np.cumsum(counts) - counts
    return np.repeat(starts - offsets, counts) + np.arange(total, dtype=np.int64)
