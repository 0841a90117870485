"""Parsed filings as Arrow tables of the model, derived from its dataclasses (no pickles).

The tables are made by introspection of :class:`~insidergraph.model.Filing`
(``dataclasses.fields`` and the resolved type hints), so a field added to the model needs
no change here:

- ``filings``: one row per filing, one column per field of ``Filing``;
- one child table per field of ``Filing`` that is a tuple of dataclasses or a mapping
  (``reporting_owners``, ``non_derivative``, ``derivative``, ``footnotes``, ``signatures``,
  ``documents``, and whatever such field is added later): one row per element, in order,
  with ``_filing``, the row number of its filing in ``filings``, first;
- inside a table, a nested dataclass is an Arrow struct (null when the field is ``None``),
  a tuple a list, a mapping a map (order kept).

Types: ``str`` and ``Literal`` strings are strings, ``int`` int64, ``bool`` bool, ``date``
date32, and ``Decimal`` its exact text (``str(d)``: amounts keep every digit and their
exponent; no float or fixed decimal precision is involved). Reading turns the tables back
into equal filings; a column the model has no field for is refused, a field the tables lack
takes its default (a store written before a field with a default was added still reads).

>>> from insidergraph.model import Issuer, Source
>>> f = Filing(accession="0000000000-26-000001", document_type="4",
...            issuer=Issuer(cik="0000000001", name="X"), source=Source(path="x.xml", format="xml"),
...            footnotes={"F1": "a note"})
>>> codec = FilingCodec(Filing)
>>> sorted(codec.encode([f]))[:3]
['derivative', 'documents', 'filings']
>>> codec.decode(codec.encode([f])) == [f]
True
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Union

import pyarrow as pa
import pyarrow.parquet as pq

from insidergraph.errors import StoreError
from insidergraph.loaders.memo import shared_values
from insidergraph.model import Filing

#: Name of the top-level table and of the parent column in each child table.
ROOT = "filings"
PARENT = "_filing"

Encode = Callable[[Any], Any]
Decode = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


@dataclasses.dataclass(frozen=True)
class Codec:
    """How one annotated type goes to Arrow and back (``None`` always passes through)."""

    arrow: pa.DataType
    encode: Encode = _same
    decode: Decode = _same
    #: Column-wise decoding of a whole Arrow array (structs field by field, no dict per row).
    columns: Callable[[Any], list[Any]] | None = None

    def decode_array(self, array: Any) -> list[Any]:
        """Every value of an Arrow array or chunked array, decoded; equal strings, dates and
        amounts as one shared object (see :func:`shared_values`)."""
        if self.columns is not None:
            return self.columns(array)
        return shared_values(array, None if self.plain else self.decode)

    @property
    def plain(self) -> bool:
        """True when the values need no conversion either way."""
        return self.encode is _same and self.decode is _same


_SCALARS: dict[Any, Codec] = {
    str: Codec(pa.string()),
    int: Codec(pa.int64()),
    bool: Codec(pa.bool_()),
    float: Codec(pa.float64()),
    date: Codec(pa.date32()),
    Decimal: Codec(pa.string(), str, Decimal),
}


def _optional(codec: Codec) -> Codec:
    if codec.plain:
        return codec
    enc, dec = codec.encode, codec.decode
    return Codec(codec.arrow, lambda v: None if v is None else enc(v), lambda v: None if v is None else dec(v),
                 codec.columns)


def type_codec(tp: Any) -> Codec:
    """The codec of an annotated type.

    >>> type_codec(tuple[str, ...]).arrow
    ListType(list<item: string>)
    >>> type_codec(Decimal | None).decode("1.50")
    Decimal('1.50')
    """
    if tp in _SCALARS:
        return _SCALARS[tp]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            raise TypeError(f"cannot store a union of {rest}: give the field one type")
        return _optional(type_codec(rest[0]))
    if origin is Literal:
        kinds = {type(a) for a in args}
        if len(kinds) != 1 or next(iter(kinds)) not in _SCALARS:
            raise TypeError(f"cannot store {tp}: a Literal of one scalar type is needed")
        return _SCALARS[next(iter(kinds))]
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _sequence(type_codec(args[0]))
    if origin in (dict, Mapping):
        return _mapping(type_codec(args[0]), type_codec(args[1]))
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _struct(tp)
    raise TypeError(f"cannot store a value of type {tp}")


def _sequence(item: Codec) -> Codec:
    if item.plain:
        return Codec(pa.list_(item.arrow), list, tuple)
    enc, dec = item.encode, item.decode
    return Codec(pa.list_(item.arrow), lambda v: [enc(x) for x in v], lambda v: tuple(dec(x) for x in v))


def _mapping(key: Codec, value: Codec) -> Codec:
    ke, kd, ve, vd = key.encode, key.decode, value.encode, value.decode
    return Codec(
        pa.map_(key.arrow, value.arrow),
        lambda m: [(ke(k), ve(v)) for k, v in m.items()],
        lambda pairs: {kd(k): vd(v) for k, v in pairs},
    )


def fields_of(cls: type) -> list[tuple[str, Codec]]:
    """``(name, codec)`` of every init field of a dataclass, in declaration order."""
    hints = typing.get_type_hints(cls)
    return [(f.name, type_codec(hints[f.name])) for f in dataclasses.fields(cls) if f.init]


def _struct(cls: type) -> Codec:
    members = fields_of(cls)
    arrow = pa.struct([pa.field(n, c.arrow) for n, c in members])

    def encode(obj: Any) -> Any:
        return None if obj is None else {n: c.encode(getattr(obj, n)) for n, c in members}

    def decode(row: Any) -> Any:
        # A field the stored struct lacks (added to the model since) takes its default.
        return None if row is None else cls(**{n: c.decode(row[n]) for n, c in members if n in row})

    def columns(array: Any) -> list[Any]:
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks() if array.num_chunks else pa.array([], type=array.type)
        if {f.name for f in array.type} != {n for n, _ in members}:
            return [decode(v) for v in array.to_pylist()]  # an older layout: by name, defaults kept
        cols = [c.decode_array(array.field(n)) for n, c in members]
        out = [cls(*values) for values in zip(*cols)] if cols else [cls() for _ in range(len(array))]
        if array.null_count:
            out = [v if ok else None for v, ok in zip(out, array.is_valid().to_pylist())]
        return out

    return Codec(arrow, encode, decode, columns)


@dataclasses.dataclass(frozen=True)
class _Child:
    """A field of the root class kept as a table of its own."""

    name: str
    columns: list[tuple[str, Codec]]  # the element's fields, or key and value
    element: type | None  # the element dataclass; None for a mapping

    def rows(self, value: Any) -> list[tuple[Any, ...]]:
        if self.element is None:
            (_, kc), (_, vc) = self.columns
            return [(kc.encode(k), vc.encode(v)) for k, v in value.items()]
        return [tuple(c.encode(getattr(item, n)) for n, c in self.columns) for item in value]

    def value(self, rows: list[tuple[Any, ...]]) -> Any:
        if self.element is None:
            (_, kc), (_, vc) = self.columns
            return {kc.decode(k): vc.decode(v) for k, v in rows}
        cls, names = self.element, [n for n, _ in self.columns]
        decs = [c.decode for _, c in self.columns]
        return tuple(cls(**{n: d(v) for n, d, v in zip(names, decs, row) if v is not _MISSING}) for row in rows)


_MISSING = object()


def _child(name: str, tp: Any) -> _Child | None:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    element = args[0] if args else None
    # A class (not an instance) of a dataclass: what a ``tuple[Row, ...]`` hint holds.
    if (origin is tuple and len(args) == 2 and args[1] is Ellipsis
            and isinstance(element, type) and dataclasses.is_dataclass(element)):
        return _Child(name, fields_of(element), element)
    if origin in (dict, Mapping):
        return _Child(name, [("key", type_codec(args[0])), ("value", type_codec(args[1]))], None)
    return None


class FilingCodec:
    """Filings to tables and back, for ``root`` (``Filing``, or any frozen dataclass like it)."""

    def __init__(self, root: type = Filing) -> None:
        self.root = root
        hints = typing.get_type_hints(root)
        self.columns: list[tuple[str, Codec]] = []
        self.children: list[_Child] = []
        for f in dataclasses.fields(root):
            child = _child(f.name, hints[f.name]) if f.init else None
            if child is not None:
                self.children.append(child)
            elif f.init:
                self.columns.append((f.name, type_codec(hints[f.name])))
        self.order = [f.name for f in dataclasses.fields(root) if f.init]
        for child in self.children:
            if any(n == PARENT for n, _ in child.columns):
                raise TypeError(f"{child.name}: a field may not be called {PARENT}")

    def schemas(self) -> dict[str, pa.Schema]:
        """The Arrow schema of every table, by table name."""
        out = {ROOT: pa.schema([pa.field(n, c.arrow) for n, c in self.columns])}
        for child in self.children:
            out[child.name] = pa.schema(
                [pa.field(PARENT, pa.int64())] + [pa.field(n, c.arrow) for n, c in child.columns]
            )
        return out

    def write(self, folder: Path, items: list[Any]) -> None:
        """``items`` encoded into ``folder``, one zstd Parquet file per table."""
        for name, table in self.encode(items).items():
            pq.write_table(table, folder / f"{name}.parquet", compression="zstd")

    @staticmethod
    def read(folder: Path, names: set[str]) -> dict[str, pa.Table]:
        """The tables :meth:`write` wrote into ``folder``, by name (for :meth:`decode`)."""
        return {name: pq.read_table(folder / f"{name}.parquet") for name in names}

    def encode(self, filings: list[Any]) -> dict[str, pa.Table]:
        """Every table for ``filings`` (in that order)."""
        schemas = self.schemas()
        out = {ROOT: pa.Table.from_arrays(
            [pa.array([c.encode(getattr(f, n)) for f in filings], type=c.arrow) for n, c in self.columns],
            schema=schemas[ROOT],
        )}
        for child in self.children:
            parents: list[int] = []
            rows: list[tuple[Any, ...]] = []
            for i, f in enumerate(filings):
                part = child.rows(getattr(f, child.name))
                parents.extend([i] * len(part))
                rows.extend(part)
            cols = list(zip(*rows)) if rows else [()] * len(child.columns)
            arrays = [pa.array(parents, type=pa.int64())] + [
                pa.array(list(col), type=c.arrow) for col, (_, c) in zip(cols, child.columns)
            ]
            out[child.name] = pa.Table.from_arrays(arrays, schema=schemas[child.name])
        return out

    def decode(self, tables: Mapping[str, pa.Table], where: str = "the store") -> list[Any]:
        """The filings back from :meth:`encode`'s tables; ``where`` names them in errors."""
        root = tables[ROOT]
        n = root.num_rows
        values: dict[str, list[Any]] = {}
        for name, codec in self.columns:
            values[name] = self._column(root, name, codec, n, where)
        for child in self.children:
            values[child.name] = self._child_values(child, tables.get(child.name), n, where)
        known = set(self.order)
        for table_name, table in [(ROOT, root)] + [(c.name, tables.get(c.name)) for c in self.children]:
            if table is None:
                continue
            expected = known if table_name == ROOT else {PARENT} | {
                n for n, _ in next(c for c in self.children if c.name == table_name).columns}
            extra = sorted(set(table.column_names) - expected)
            if extra:
                raise StoreError(f"{where}: table {table_name} has columns this insidergraph does not know "
                                 f"({', '.join(extra)}); build the store again with this version")
        present = [name for name in self.order if values[name] is not _MISSING]
        cls = self.root
        try:
            return [cls(**{k: values[k][i] for k in present}) for i in range(n)]
        except TypeError as err:
            raise StoreError(f"{where}: the stored filings lack a field ({err}); build the store again") from None

    def _column(self, table: pa.Table, name: str, codec: Codec, n: int, where: str) -> Any:
        if name not in table.column_names:
            return _MISSING
        return codec.decode_array(table.column(name))

    def _child_values(self, child: _Child, table: pa.Table | None, n: int, where: str) -> Any:
        if table is None:
            return _MISSING
        parents = table.column(PARENT).to_pylist()
        if any(not 0 <= p < n for p in parents):
            raise StoreError(f"{where}: table {child.name} points to a filing it does not have; build the store again")
        names = [c for c, _ in child.columns]
        groups: list[list[Any]] = [[] for _ in range(n)]
        if child.element is not None and all(c in table.column_names for c in names):
            # Every field stored: decode column by column and build the elements positionally.
            cls = child.element
            cols = [c.decode_array(table.column(name)) for name, c in child.columns]
            for parent, item in zip(parents, (cls(*values) for values in zip(*cols))):
                groups[parent].append(item)
            return [tuple(g) for g in groups]
        cols_raw = [shared_values(table.column(c)) if c in table.column_names else [_MISSING] * table.num_rows
                    for c in names]
        for parent, row in zip(parents, zip(*cols_raw)):
            groups[parent].append(row)
        return [child.value(g) for g in groups]


__all__ = ["PARENT", "ROOT", "Codec", "FilingCodec", "fields_of", "type_codec"]
