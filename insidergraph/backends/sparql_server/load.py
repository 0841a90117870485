"""``insidergraph sparql load``: the store's triples into a SPARQL 1.1 server.

The triples are those the embedded SPARQL store holds (the one RDF emitter,
:func:`~insidergraph.graph.rdf_emit.triples`, written as N-Triples by
:mod:`~insidergraph.graph.rdf_ntriples`), in the named graphs of the TriG export (one per
filing, and one of the entities) or all in the one graph ``--graph`` names. Each graph is
replaced, never added to: by the Graph Store HTTP Protocol its first batch is a ``PUT``
and any further batch of it a ``POST``; by SPARQL Update (``--protocol update``, for a
server that offers nothing else) a request drops the graphs it starts (``DROP SILENT
GRAPH``) before its ``INSERT DATA``. So a second load leaves the server as the first did.

>>> LoadSummary(1200, 3, 2.0, "http://127.0.0.1:7878/store").line()
'loaded 1,200 triples in 3 graphs into http://127.0.0.1:7878/store in 2.0 s (600 triples/s)'
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from insidergraph.backends.sparql_server.client import DEFAULT_TIMEOUT, SparqlClient, SparqlServerError
from insidergraph.console import Bars

if TYPE_CHECKING:
    from insidergraph.graph.store import Store

#: Triples per request.
BATCH_TRIPLES = 50_000
PROTOCOLS = ("gsp", "update")


@dataclass(frozen=True)
class LoadSummary:
    """What a load wrote."""

    triples: int
    graphs: int
    seconds: float
    endpoint: str

    def line(self) -> str:
        """The summary line the command prints."""
        rate = self.triples / self.seconds if self.seconds > 0 else 0.0
        return (f"loaded {self.triples:,} triples in {self.graphs:,} graph{'s' * (self.graphs != 1)} into "
                f"{self.endpoint} in {self.seconds:.1f} s ({rate:,.0f} triples/s)")


def quads(store: Store, graph: str | None) -> tuple[pa.Array, pa.Array]:
    """Every triple of the store as N-Triples lines beside its graph's IRI, grouped by graph."""
    from insidergraph.graph.rdf_emit import triples
    from insidergraph.graph.rdf_ntriples import _Formatter

    fmt = _Formatter()
    lines, graphs = [], []
    row_level = store.sparql_scope() != "relations"
    for batch in triples(store.tables(), graphs=graph is None, row_level=row_level):
        lines.append(fmt.lines(batch))
        graphs.append(batch.column("g").cast(pa.string()))
    if not lines:
        return pa.array([], pa.string()), pa.array([], pa.string())
    text, g = pa.concat_arrays(lines), pa.concat_arrays(graphs)
    if graph is not None:
        return text, pa.repeat(pa.scalar(graph), len(text))
    order = pc.sort_indices(g)
    return text.take(order), g.take(order)


def runs(graphs: pa.Array) -> Iterator[tuple[str, int, int]]:
    """(graph, start, stop) of each run of one graph in the sorted ``graphs``.

    >>> list(runs(pa.array(["a", "a", "b"])))
    [('a', 0, 2), ('b', 2, 3)]
    """
    if not len(graphs):
        return
    codes = np.asarray(graphs.dictionary_encode().indices)
    starts = [0, *(np.flatnonzero(np.diff(codes)) + 1).tolist(), len(codes)]
    for a, b in itertools.pairwise(starts):
        yield graphs[a].as_py(), a, b


def _body(lines: pa.Array, start: int, stop: int) -> bytes:
    return "".join(lines.slice(start, stop - start).to_pylist()).encode()


def _check_graph(value: str) -> None:
    from insidergraph.backends.sparql_server.substitute import iri
    from insidergraph.errors import QueryError

    try:
        iri(value)
    except QueryError as err:
        raise SparqlServerError(f"--graph {value!r}: not an absolute IRI without spaces or <>\"{{}}|^`\\") \
            from err


def _by_gsp(client: SparqlClient, lines: pa.Array, graphs: pa.Array, batch: int, done: Bars) -> int:
    count = 0
    for graph, start, stop in runs(graphs):
        count += 1
        for a in range(start, stop, batch):
            b = min(a + batch, stop)
            client.graph("PUT" if a == start else "POST", graph, _body(lines, a, b))
            done.update("triples", b, len(lines))
    return count


def _by_update(client: SparqlClient, lines: pa.Array, graphs: pa.Array, batch: int, done: Bars) -> int:
    count, pending, size, drops = 0, [], 0, []
    for graph, start, stop in runs(graphs):
        count += 1
        for a in range(start, stop, batch):
            b = min(a + batch, stop)
            if a == start:
                drops.append(f"DROP SILENT GRAPH <{graph}> ;\n")
            pending.append(f"GRAPH <{graph}> {{\n{_body(lines, a, b).decode()}}}\n")
            size += b - a
            if size >= batch:
                client.update("".join(drops) + "INSERT DATA {\n" + "".join(pending) + "}")
                done.update("triples", b, len(lines))
                pending, size, drops = [], 0, []
    if pending or drops:
        client.update("".join(drops) + "INSERT DATA {\n" + "".join(pending) + "}")
    done.update("triples", len(lines), len(lines))
    return count


def load(store: Store, endpoint: str, graph: str | None = None, protocol: str = "gsp",
         timeout: float = DEFAULT_TIMEOUT, progress: bool = False, batch: int = BATCH_TRIPLES) -> LoadSummary:
    """Write ``store``'s triples into the server at ``endpoint`` (a Graph Store endpoint,
    or an update endpoint with ``protocol="update"``), replacing the graphs they go in."""
    if protocol not in PROTOCOLS:
        raise SparqlServerError(f"unknown protocol {protocol!r}; choose from {', '.join(PROTOCOLS)}")
    if graph is not None:
        _check_graph(graph)
    started = time.monotonic()
    client = SparqlClient(endpoint, timeout)
    try:
        lines, graphs = quads(store, graph)
        with Bars(progress) as bars:
            write = _by_gsp if protocol == "gsp" else _by_update
            count = write(client, lines, graphs, batch, bars)
    finally:
        client.close()
    return LoadSummary(len(lines), count, time.monotonic() - started, endpoint)


__all__ = ["BATCH_TRIPLES", "PROTOCOLS", "LoadSummary", "load", "quads", "runs"]
