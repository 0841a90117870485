"""The in-memory engine: the named queries as pandas and networkx over the graph tables.

It has no query language of its own: ``run_text`` refuses, and each named query is a
function over the tables in memory (:class:`~insidergraph.backends.networkx.graph.Graph`)
that the query itself hands over (:meth:`~insidergraph.queries.registry.NamedQuery.twin`:
``shared-directors`` is ``nx_queries.shared_directors``), as it hands the other engines
their text.

>>> NetworkxEngine.name
'networkx'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from insidergraph.errors import QueryError

if TYPE_CHECKING:
    from insidergraph.graph.store import Store


class NetworkxEngine:
    """Named queries over the store's tables, loaded once."""

    name = "networkx"

    def __init__(self, store: Store) -> None:
        from insidergraph.backends.networkx.graph import Graph

        self.graph = Graph(store.tables())

    def run_text(self, text: str, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
        raise QueryError("the networkx engine runs named queries only; use --engine cypher or sparql")

    def run_named(self, query: Any, bound: dict[str, Any]) -> list[list[Any]]:
        rows: list[list[Any]] = query.twin()(self.graph, **bound)
        return rows
