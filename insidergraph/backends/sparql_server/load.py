"""``insidergraph sparql load``: the store's triples into a SPARQL 1.1 server.

The triples are those the embedded SPARQL store holds (the one RDF emitter,
:func:`~insidergraph.graph.rdf_emit.triples`, written as N-Triples by
:class:`~insidergraph.graph.rdf_ntriples.NTriplesFormatter`), in the named graphs of the
TriG export (one per filing, and one of the entities) or all in the one graph ``--graph``
names. Each graph is replaced, never added to: by the Graph Store HTTP Protocol its first
batch is a ``PUT`` and any further batch of it a ``POST``; by SPARQL Update (``--protocol
update``, for a server that offers nothing else) a request drops the graphs it starts
(``DROP SILENT GRAPH``) before its ``INSERT DATA``. So a second load leaves the server as
the first did. By ``--protocol quads`` (the Graph Store protocol on the dataset, which
Fuseki and the Oxigraph server take) many graphs go in one request: an update to
``--update-endpoint`` drops the graphs a batch starts, then the batch goes as N-Quads in a
``POST`` to the endpoint with no graph parameter; two requests per :data:`BATCH_TRIPLES`
triples (:data:`QUADS_BATCH_TRIPLES`) instead of one per graph, which is what a server
that commits a transaction per request (Fuseki on TDB2: about 40 ms each) needs.

Memory does not grow with the store: the emitter's batches (in table order, a filing's
triples spread over every table) are written once to compressed Arrow files in a
temporary folder, one per range of filings (:data:`PART_FILINGS`), and read back one
range at a time, grouped by graph (:class:`Quads`).

Graphs of filings the store no longer holds are dropped after a per-filing load when the
server's query endpoint is known (``--query-endpoint``): the graphs in insidergraph's
graph namespace (:data:`~insidergraph.ontology.GRAPH_NS`) are listed by a SPARQL query
and those the store lacks are deleted; graphs of other namespaces are never touched.

>>> LoadSummary(1200, 3, 2.0, "http://127.0.0.1:7878/store", stale=1).line()
'loaded 1,200 triples in 3 graphs into http://127.0.0.1:7878/store in 2.0 s (600 triples/s); dropped 1 stale graph'
"""

from __future__ import annotations

import itertools
import math
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
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
#: Triples per request by ``--protocol quads``: each request is a write transaction, and
#: Fuseki's TDB2 copies every index block a transaction touches, so its database grows by
#: each transaction (measured on 20,000 synthetic filings, 1.9 million triples, loaded twice:
#: 7.6 GB on disk by 50,000 a request, 2.9 GB by 500,000).
QUADS_BATCH_TRIPLES = 500_000
#: Triples :class:`Quads` hands over at a time.
CHUNK_TRIPLES = 500_000
#: Filings whose graphs are read back and grouped together: what bounds a load's memory
#: (a few hundred triples a filing), whatever the size of the store.
PART_FILINGS = 2_000
#: At most this many temporary files are written (larger ranges of filings beyond it).
MAX_PARTS = 1_000
#: Graphs dropped per SPARQL Update request.
DROPS_PER_UPDATE = 1_000
PROTOCOLS = ("gsp", "update", "quads")
_SPILL = pa.schema([("line", pa.string()), ("g", pa.string())])


@dataclass(frozen=True)
class LoadSummary:
    """What a load wrote (``stale``: the graphs of filings no longer in the store that it
    dropped; ``None`` when it did not look for them)."""

    triples: int
    graphs: int
    seconds: float
    endpoint: str
    stale: int | None = None

    def line(self) -> str:
        """The summary line the command prints."""
        rate = self.triples / self.seconds if self.seconds > 0 else 0.0
        line = (f"loaded {self.triples:,} triples in {self.graphs:,} graph{'s' * (self.graphs != 1)} into "
                f"{self.endpoint} in {self.seconds:.1f} s ({rate:,.0f} triples/s)")
        if self.stale is not None:
            line += f"; dropped {self.stale:,} stale graph{'s' * (self.stale != 1)}"
        return line


def store_graphs(store: Store) -> pa.Array:
    """The IRIs of the named graphs a per-filing load writes: each filing's, sorted, after
    the entities graph."""
    from insidergraph.graph.rdf_emit import ENTITIES_GRAPH, iris
    from insidergraph.ontology import GRAPH_NS

    ids = store.tables().to_arrow("nodes", "Filing").column("id")
    filings = pc.unique(iris(ids, ns=GRAPH_NS))
    return pa.concat_arrays([pa.array([ENTITIES_GRAPH], pa.string()), filings.take(pc.sort_indices(filings))])


class Quads:
    """The store's triples as ``(graph IRI, N-Triples lines)`` pieces of at most ``chunk``
    lines, each graph's pieces one after the other (a graph never comes back once another
    began), with every triple under ``graph`` when one is given.

    Iterating writes the triples once to compressed Arrow files in a temporary folder (the
    entities graph in one, each range of ``part_filings`` filings in another) and reads
    them back a file at a time, so what is held at once is one range of filings, not the
    store; ``total`` is the count of triples once the first piece is out.
    """

    def __init__(self, store: Store, graph: str | None = None, chunk: int = CHUNK_TRIPLES,
                 part_filings: int = PART_FILINGS) -> None:
        self.store, self.graph, self.chunk = store, graph, chunk
        self.names = store_graphs(store) if graph is None else pa.array([graph], pa.string())
        self.part_filings = max(part_filings, math.ceil((len(self.names) - 1) / MAX_PARTS), 1)
        self.total = 0

    def __iter__(self) -> Iterator[tuple[str, pa.Array]]:
        with tempfile.TemporaryDirectory(prefix="insidergraph-sparql-load-") as tmp:
            parts = self._spill(Path(tmp))
            for number in sorted(parts):
                if number == 0:  # one graph (entities, or --graph): in its table order
                    yield from self._stream(parts[number], str(self.names[0]))
                else:
                    yield from self._grouped(parts[number])

    def _parts(self, graphs: pa.Array) -> np.ndarray:
        """The file each triple goes to: 0 for the entities graph (and for --graph), then
        one per range of filings, the last for a graph the store's filings do not name."""
        if self.graph is not None:
            return np.zeros(len(graphs), np.int64)
        index = pc.index_in(graphs, value_set=self.names)
        last = (len(self.names) - 2) // self.part_filings + 2
        part = pc.if_else(pc.equal(index, 0), 0, pc.add(pc.divide(pc.subtract(index, 1), self.part_filings), 1))
        return np.asarray(pc.fill_null(part, last), np.int64)

    def _spill(self, folder: Path) -> dict[int, Path]:
        from insidergraph.graph.rdf_emit import triples
        from insidergraph.graph.rdf_ntriples import NTriplesFormatter

        fmt, paths, writers = NTriplesFormatter(), {}, {}
        options = pa.ipc.IpcWriteOptions(compression="zstd")
        row_level = self.store.sparql_scope() != "relations"
        try:
            for batch in triples(self.store.tables(), graphs=self.graph is None, row_level=row_level):
                lines, graphs = fmt.lines(batch), batch.column("g")
                part = self._parts(graphs)
                order = np.argsort(part, kind="stable")
                ordered = part[order]
                bounds = [0, *(np.flatnonzero(np.diff(ordered)) + 1).tolist(), len(ordered)]
                for a, b in itertools.pairwise(bounds):
                    number, take = int(ordered[a]), pa.array(order[a:b])
                    if number not in writers:
                        paths[number] = folder / f"{number}.arrows"
                        writers[number] = pa.ipc.new_stream(paths[number], _SPILL, options=options)
                    writers[number].write_batch(pa.record_batch([lines.take(take), graphs.take(take)], _SPILL))
                self.total += len(lines)
        finally:
            for writer in writers.values():
                writer.close()
        return paths

    def _stream(self, path: Path, graph: str) -> Iterator[tuple[str, pa.Array]]:
        held: list[pa.Array] = []
        size = 0
        with pa.ipc.open_stream(path) as reader:
            for batch in reader:
                held.append(batch.column("line"))
                size += batch.num_rows
                if size >= self.chunk:
                    yield from _pieces(graph, pa.concat_arrays(held), self.chunk)
                    held, size = [], 0
        if held:
            yield from _pieces(graph, pa.concat_arrays(held), self.chunk)

    def _grouped(self, path: Path) -> Iterator[tuple[str, pa.Array]]:
        with pa.ipc.open_stream(path) as reader:
            table = reader.read_all().combine_chunks()
        order = pc.sort_indices(table.column("g"))
        lines, graphs = table.column("line").chunk(0).take(order), table.column("g").chunk(0).take(order)
        del table
        for graph, start, stop in runs(graphs):
            yield from _pieces(graph, lines.slice(start, stop - start), self.chunk)


def _pieces(graph: str, lines: pa.Array, size: int) -> Iterator[tuple[str, pa.Array]]:
    for a in range(0, len(lines), size):
        yield graph, lines.slice(a, size)


def quads(store: Store, graph: str | None = None, chunk: int = CHUNK_TRIPLES) -> Quads:
    """Every triple of the store as N-Triples lines beside its graph's IRI, in pieces
    grouped by graph (see :class:`Quads`)."""
    return Quads(store, graph, chunk)


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


def _body(lines: pa.Array) -> str:
    return "".join(lines.to_pylist())


def nquads(graph: str, lines: pa.Array) -> pa.Array:
    """N-Triples ``lines`` as N-Quads lines in ``graph`` (an IRI already checked).

    >>> nquads("https://example.org/g", pa.array(['<a:s> <a:p> "o" .\\n'])).to_pylist()
    ['<a:s> <a:p> "o" <https://example.org/g> .\\n']
    """
    return pc.replace_substring_regex(lines, pattern=r"\s*\.\n$", replacement=f" <{graph}> .\n")


def _check_graph(value: str) -> None:
    from insidergraph.backends.sparql_server.substitute import iri
    from insidergraph.errors import QueryError

    try:
        iri(value)
    except QueryError as err:
        raise SparqlServerError(f"--graph {value!r}: not an absolute IRI without spaces or <>\"{{}}|^`\\") \
            from err


class _Sender:
    """Requests of at most ``batch`` triples from pieces that come grouped by graph: by the
    Graph Store protocol one graph a request, its first a ``PUT``; by SPARQL Update several
    graphs a request, each dropped in the request that starts it; by ``quads`` several
    graphs a request, those it starts dropped by an update (through ``dropper``) just before."""

    def __init__(self, client: SparqlClient, protocol: str, batch: int, bars: Bars, quads: Quads,
                 dropper: SparqlClient | None = None) -> None:
        self.client, self.protocol, self.batch, self.bars, self.quads = client, protocol, batch, bars, quads
        self.dropper = dropper
        self.graphs = self.triples = 0
        self._last: str | None = None
        self._pending: list[tuple[str, bool, pa.Array]] = []  # (graph, its first lines, lines)
        self._size = 0

    def add(self, graph: str, lines: pa.Array) -> None:
        first = graph != self._last
        if first:
            self.graphs, self._last = self.graphs + 1, graph
            if self.protocol == "gsp":
                self.flush()
        while len(lines):
            take = min(len(lines), self.batch - self._size)
            self._pending.append((graph, first, lines.slice(0, take)))
            lines, first, self._size = lines.slice(take), False, self._size + take
            if self._size >= self.batch:
                self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        {"gsp": self._put_graph, "update": self._insert_data, "quads": self._post_dataset}[self.protocol]()
        self.triples += self._size
        self._pending, self._size = [], 0
        self.bars.update("triples", self.triples, self.quads.total)

    def _drops(self) -> str:
        """A ``DROP SILENT GRAPH`` for each graph the pending pieces start."""
        return "".join(f"DROP SILENT GRAPH <{g}> ;\n" for g, first, _ in self._pending if first)

    def _put_graph(self) -> None:
        """One graph's pieces: a ``PUT`` when they start it (replacing what it held), else a ``POST``."""
        graph, first, _ = self._pending[0]
        body = "".join(_body(lines) for _, _, lines in self._pending).encode()
        self.client.graph("PUT" if first else "POST", graph, body)

    def _insert_data(self) -> None:
        """One SPARQL Update: the graphs started dropped, then every piece inserted."""
        inserts = "".join(f"GRAPH <{g}> {{\n{_body(lines)}}}\n" for g, _, lines in self._pending)
        self.client.update(f"{self._drops()}INSERT DATA {{\n{inserts}}}")

    def _post_dataset(self) -> None:
        """The graphs started dropped by an update, then every piece as one N-Quads ``POST``."""
        drops = self._drops()
        if drops and self.dropper is not None:
            self.dropper.update(drops.removesuffix(" ;\n"))
        # Streamed piece by piece: the request's text is never held whole.
        self.client.dataset(_body(nquads(g, lines)).encode() for g, _, lines in self._pending)


def _server_graphs(client: SparqlClient) -> list[str]:
    """The server's named graphs in insidergraph's graph namespace."""
    from insidergraph.ontology import GRAPH_NS

    results = client.query(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ }} FILTER(STRSTARTS(STR(?g), "{GRAPH_NS}")) }}')
    return sorted(str(row["g"]["value"]) for row in results["results"]["bindings"] if "g" in row)


def drop_stale(query: SparqlClient, write: SparqlClient, protocol: str, keep: pa.Array) -> int:
    """Drop the graphs in insidergraph's namespace that the server holds (listed through
    ``query``) and ``keep`` lacks, through ``write`` (the Graph Store endpoint by ``gsp``,
    else an update endpoint); how many."""
    found = pa.array(_server_graphs(query), pa.string())
    stale = found.filter(pc.invert(pc.is_in(found, value_set=keep))).to_pylist()
    if protocol == "gsp":
        for graph in stale:
            write.delete_graph(graph)
    else:
        for a in range(0, len(stale), DROPS_PER_UPDATE):
            write.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in stale[a:a + DROPS_PER_UPDATE]))
    return len(stale)


def load(store: Store, endpoint: str, graph: str | None = None, protocol: str = "gsp",
         timeout: float = DEFAULT_TIMEOUT, progress: bool = False, batch: int | None = None,
         query_endpoint: str | None = None, update_endpoint: str | None = None) -> LoadSummary:
    """Write ``store``'s triples into the server at ``endpoint`` (a Graph Store endpoint,
    or an update endpoint with ``protocol="update"``), replacing the graphs they go in
    (by ``protocol="quads"``, dropped through ``update_endpoint``); with
    ``query_endpoint`` (and no ``graph``), drop the graphs of filings the store no longer
    holds. ``batch``: triples per request (:data:`BATCH_TRIPLES`, or
    :data:`QUADS_BATCH_TRIPLES` by ``quads``)."""
    if protocol not in PROTOCOLS:
        raise SparqlServerError(f"unknown protocol {protocol!r}; choose from {', '.join(PROTOCOLS)}")
    if protocol == "quads" and not update_endpoint:
        raise SparqlServerError("--protocol quads needs --update-endpoint URL: the graphs it replaces are "
                                "dropped by SPARQL Update")
    if graph is not None:
        _check_graph(graph)
    if batch is None:
        batch = QUADS_BATCH_TRIPLES if protocol == "quads" else BATCH_TRIPLES
    if batch < 1:
        raise SparqlServerError(f"--batch {batch}: at least 1 triple a request")
    started = time.monotonic()
    client = SparqlClient(endpoint, timeout)
    dropper = SparqlClient(update_endpoint, timeout) if protocol == "quads" and update_endpoint else None
    asker = SparqlClient(query_endpoint, timeout) if query_endpoint and graph is None else None
    try:
        pieces = Quads(store, graph)
        with Bars(progress) as bars:
            sender = _Sender(client, protocol, batch, bars, pieces, dropper)
            for name, lines in pieces:
                sender.add(name, lines)
            sender.flush()
        stale = None if asker is None else drop_stale(asker, dropper or client, "update" if dropper else protocol,
                                                       pieces.names)
    finally:
        for opened in (client, dropper, asker):
            if opened is not None:
                opened.close()
    return LoadSummary(sender.triples, sender.graphs, time.monotonic() - started, endpoint, stale)


__all__ = ["BATCH_TRIPLES", "CHUNK_TRIPLES", "PART_FILINGS", "PROTOCOLS", "QUADS_BATCH_TRIPLES", "LoadSummary",
           "Quads", "drop_stale", "load", "nquads", "quads", "runs", "store_graphs"]
