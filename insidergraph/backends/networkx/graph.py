"""The graph tables in memory with the lookups the networkx twins of the named queries
share (:mod:`insidergraph.queries.nx_queries`), built on first use.

>>> from insidergraph.graph.tables import GraphTables
>>> Graph(GraphTables.empty()).adjacency
{}
"""

from __future__ import annotations

from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from insidergraph.graph.schema import ROLE_TYPES
from insidergraph.graph.tables import GraphTables

_PATH_TYPES = (*ROLE_TYPES, "ATTORNEY_IN_FACT_FOR")


class Graph:
    """The tables plus the lookups the queries share, built on first use."""

    def __init__(self, tables: GraphTables) -> None:
        self.t = tables

    @cached_property
    def persons(self) -> pd.DataFrame:
        return self.t.nodes["Person"].set_index("id", drop=False)

    @cached_property
    def companies(self) -> pd.DataFrame:
        return self.t.nodes["Company"].set_index("id", drop=False)

    @cached_property
    def entities(self) -> pd.DataFrame:
        return pd.concat([self.persons, self.companies])

    def seats(self, rel: str) -> pd.DataFrame:
        """Role edges of one type with their span (``start``, ``end``; None when undated)."""
        df = self.t.edges[rel].copy()
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


__all__ = ["Graph"]
