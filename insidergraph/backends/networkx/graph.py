"""The graph tables a networkx twin reads, with the lookups the twins of the named queries
share (:mod:`insidergraph.queries.nx_queries`), built on first use.

A twin declares the tables and columns it reads (:func:`reads`); over a store, the
:class:`Graph` reads only those, each on first use, and a twin scoped to a few nodes asks
for rows by key (:meth:`Graph.rows`), which the Parquet read filters before any row becomes
a Python value. A twin without a declaration may read every column of every table. Over
tables already in memory (:class:`~insidergraph.graph.tables.GraphTables`) the same calls
filter the frames.

>>> from insidergraph.graph.tables import GraphTables
>>> Graph(GraphTables.empty()).adjacency
{}
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, Protocol, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES, ROLE_TYPES
from insidergraph.graph.tables import GraphTables

_PATH_TYPES = (*ROLE_TYPES, "ATTORNEY_IN_FACT_FOR")
#: The columns of a role edge's span (:meth:`Graph.seats`).
SPAN = ("src", "dst", "first_period", "first_filed", "last_period", "last_filed")
_F = TypeVar("_F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Reads:
    """The tables a twin reads and the columns of each: node label or edge type -> columns."""

    nodes: Mapping[str, tuple[str, ...]]
    edges: Mapping[str, tuple[str, ...]]

    def columns(self, kind: str, name: str) -> tuple[str, ...]:
        """The declared columns of one table; a KeyError naming it when it is not declared.

        >>> Reads({"Person": ("id",)}, {}).columns("edges", "DIRECTOR_OF")
        Traceback (most recent call last):
        ...
        KeyError: 'edges DIRECTOR_OF: not among the tables the query declares it reads'
        """
        declared = self.nodes if kind == "nodes" else self.edges
        if name not in declared:
            raise KeyError(f"{kind} {name}: not among the tables the query declares it reads")
        return declared[name]


def reads(nodes: Mapping[str, tuple[str, ...]], edges: Mapping[str, tuple[str, ...]]) -> Callable[[_F], _F]:
    """Declare what a twin reads (its ``reads`` attribute): the one definition the engine loads by.

    >>> @reads({"Person": ("id", "name")}, {})
    ... def names(g): return g.t.nodes["Person"]["name"].tolist()
    >>> names.reads.columns("nodes", "Person")
    ('id', 'name')
    """
    def mark(fn: _F) -> _F:
        fn.reads = Reads(dict(nodes), dict(edges))  # type: ignore[attr-defined]
        return fn
    return mark


def one_of(column: str, values: Collection[str]) -> pc.Expression:
    """The filter keeping the rows whose ``column`` is one of ``values`` (strings; None is left out).

    >>> pa.table({"id": ["a", "b", None]}).filter(one_of("id", {"b", None}))["id"].to_pylist()
    ['b']
    """
    return pc.field(column).isin(pa.array(sorted(v for v in values if v is not None), pa.string()))


class Reader(Protocol):
    """Reads one graph table of a store: ``columns`` of it (None: all), the rows ``where`` keeps."""

    def __call__(self, kind: str, name: str, columns: tuple[str, ...] | None = None,
                 where: pc.Expression | None = None) -> pa.Table: ...


def frame(table: pa.Table) -> pd.DataFrame:
    """The object frame of an Arrow table, as ``GraphTables.nodes[label]`` gives one (Python
    values, None for missing, lists for ``string[]``).

    >>> frame(pa.table({"id": ["a"], "aliases": [["b"]]})).to_dict("records")
    [{'id': 'a', 'aliases': ['b']}]
    """
    return pd.DataFrame({n: pd.Series(table.column(n).to_pylist(), dtype=object) for n in table.column_names})


class StoreTables:
    """A store's graph tables read on demand: whole tables (of some columns) kept once read,
    rows by key read each time. The networkx engine keeps one per store generation."""

    def __init__(self, read: Reader) -> None:
        self._read = read
        self._frames: dict[tuple[str, str, tuple[str, ...] | None], pd.DataFrame] = {}

    def frame(self, kind: str, name: str, columns: tuple[str, ...] | None) -> pd.DataFrame:
        key = (kind, name, columns)
        df = self._frames.get(key)
        if df is None:
            df = self._frames[key] = frame(self._read(kind, name, columns))
        return df

    def rows(self, kind: str, name: str, columns: tuple[str, ...] | None, where: pc.Expression) -> pd.DataFrame:
        return frame(self._read(kind, name, columns, where))


class _View(Mapping[str, pd.DataFrame]):
    """``g.t.nodes`` or ``g.t.edges`` over a store: the declared tables, read on first use."""

    def __init__(self, store: StoreTables, kind: str, needs: Reads | None) -> None:
        self._store, self._kind, self._needs = store, kind, needs

    def columns(self, name: str) -> tuple[str, ...] | None:
        return None if self._needs is None else self._needs.columns(self._kind, name)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._store.frame(self._kind, name, self.columns(name))

    def __iter__(self) -> Iterator[str]:
        if self._needs is None:
            return iter(NODE_TYPES if self._kind == "nodes" else EDGE_TYPES)
        return iter(self._needs.nodes if self._kind == "nodes" else self._needs.edges)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Tables:
    """What ``g.t`` is over a store: ``nodes`` and ``edges`` views."""

    def __init__(self, store: StoreTables, needs: Reads | None) -> None:
        self.nodes = _View(store, "nodes", needs)
        self.edges = _View(store, "edges", needs)


class Graph:
    """The tables plus the lookups the queries share, built on first use.

    ``tables`` is either the tables in memory or a store's (:class:`StoreTables`), of which
    only what ``needs`` declares is read.
    """

    def __init__(self, tables: GraphTables | StoreTables, needs: Reads | None = None) -> None:
        self._store = tables if isinstance(tables, StoreTables) else None
        self.t: GraphTables | _Tables = tables if isinstance(tables, GraphTables) else _Tables(tables, needs)

    def rows(self, kind: str, name: str, column: str, values: Collection[str]) -> pd.DataFrame:
        """The rows of one table whose ``column`` is one of ``values`` (see :meth:`select`).

        >>> g = Graph(GraphTables.from_rows({"Person": [{"id": "person/1"}, {"id": "person/2"}]}, {}))
        >>> g.rows("nodes", "Person", "id", {"person/2"})["id"].tolist()
        ['person/2']
        """
        return self.select(kind, name, one_of(column, values))

    def select(self, kind: str, name: str, where: pc.Expression,
               columns: tuple[str, ...] | None = None) -> pd.DataFrame:
        """The rows of one table that ``where`` keeps, in table order: over a store, filtered as
        the Parquet file is read, so that the other rows never become Python values. Only
        ``columns`` of them when given (some of the declared ones; in memory: every column)."""
        if self._store is None:
            assert isinstance(self.t, GraphTables)
            return frame(self.t.to_arrow(kind, name).filter(where))
        view = self.t.nodes if kind == "nodes" else self.t.edges
        assert isinstance(view, _View)
        declared = view.columns(name)
        if columns is not None and declared is not None and not set(columns) <= set(declared):
            raise KeyError(f"{kind} {name}: {', '.join(sorted(set(columns) - set(declared)))} not declared")
        return self._store.rows(kind, name, columns or declared, where)

    @cached_property
    def persons(self) -> pd.DataFrame:
        return self.t.nodes["Person"].set_index("id", drop=False)

    @cached_property
    def companies(self) -> pd.DataFrame:
        return self.t.nodes["Company"].set_index("id", drop=False)

    @cached_property
    def entities(self) -> pd.DataFrame:
        return pd.concat([self.persons, self.companies])

    def seats(self, rel: str, owners: Collection[str] | None = None) -> pd.DataFrame:
        """Role edges of one type with their span (``start``, ``end``; None when undated); only
        those of ``owners`` when given."""
        df = (self.t.edges[rel] if owners is None else self.rows("edges", rel, "src", owners)).copy()
        df["start"] = [a if a is not None else b for a, b in zip(df["first_period"], df["first_filed"])]
        df["end"] = [a if a is not None else b for a, b in zip(df["last_period"], df["last_filed"])]
        return df

    def director_seats(self, use_as_of: bool, as_of: date) -> pd.DataFrame:
        """Person -> Company director seats, filtered by the as-of date when asked."""
        df = self.seats("DIRECTOR_OF")
        df = df[df["src"].isin(self.persons.index) & df["dst"].isin(self.companies.index)]
        if use_as_of:
            # A Boolean array, not a list: an empty list would select no columns.
            df = df[np.array([_covers(s, e, as_of) for s, e in zip(df["start"], df["end"])], dtype=bool)]
        return df

    @cached_property
    def adjacency(self) -> dict[str, list[tuple[str, str, str]]]:
        """node -> [(neighbour, relationship, direction)] over role and attorney edges."""
        adj: dict[str, list[tuple[str, str, str]]] = {}
        for rel in _PATH_TYPES:
            df = self.t.edges[rel]
            for s, d in zip(df["src"], df["dst"]):
                adj.setdefault(s, []).append((d, rel, "->"))
                adj.setdefault(d, []).append((s, rel, "<-"))
        return adj


def _covers(start: date | None, end: date | None, day: date) -> bool:
    return start is not None and end is not None and start <= day <= end


__all__ = ["SPAN", "Graph", "Reader", "Reads", "StoreTables", "frame", "one_of", "reads"]
