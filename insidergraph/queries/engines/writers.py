"""Registers the embedded engines' writers in :data:`~insidergraph.graph.store.ENGINE_WRITERS`.

``Store.add`` imports this module before it runs the writers, so ``build`` fills the
ladybug database and the pyoxigraph store after the tables; the engines' own modules
(and their heavy imports) load only then. ``Store.add`` closes the engines open in this
process once, before the writers run side by side.

>>> from insidergraph.graph.store import ENGINE_WRITERS
>>> sorted(ENGINE_WRITERS)
['cypher', 'sparql']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from insidergraph.graph.store import ENGINE_WRITERS

if TYPE_CHECKING:
    from insidergraph.graph.store import Store
    from insidergraph.graph.tables import GraphTables


def write_cypher(store: "Store", tables: "GraphTables") -> None:
    """Rebuild the ladybug database."""
    from insidergraph.queries.engines.ladybug import write

    write(store, tables)


def write_sparql(store: "Store", tables: "GraphTables") -> None:
    """Rebuild the pyoxigraph store."""
    from insidergraph.queries.engines.oxigraph import write

    write(store, tables)


ENGINE_WRITERS.setdefault("cypher", write_cypher)
ENGINE_WRITERS.setdefault("sparql", write_sparql)
