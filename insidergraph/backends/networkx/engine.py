"""The in-memory engine: the named queries as pandas and networkx over the graph tables.

It has no query language of its own: ``run_text`` refuses, and each named query is a
function over the tables (:class:`~insidergraph.backends.networkx.graph.Graph`: only the
tables and columns the function declares it reads, read from the store on first use) that
the query itself hands over (:meth:`~insidergraph.queries.registry.NamedQuery.twin`:
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
    """Named queries over the store's tables, each reading only the tables and columns its twin
    declares (:func:`~insidergraph.backends.networkx.graph.reads`), each read once per store
    generation (the engine lives as long as the generation, see
    :func:`~insidergraph.backends.open_engine`)."""

    name = "networkx"

    def __init__(self, store: Store) -> None:
        from insidergraph.backends.networkx.graph import StoreTables

        self.tables = StoreTables(store.graph_table)

    def run_text(self, text: str, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
        raise QueryError("the networkx engine runs named queries only; use --engine cypher or sparql")

    def run_named(self, query: Any, bound: dict[str, Any]) -> list[list[Any]]:
        from insidergraph.backends.networkx.graph import Graph

        twin = query.twin()
        rows: list[list[Any]] = twin(Graph(self.tables, getattr(twin, "reads", None)), **bound)
        return rows
