"""N-Triples text from the emitter's Arrow batches: what fills the embedded SPARQL store.

The embedded SPARQL store is filled from N-Triples text that pyoxigraph's Rust parser
reads (``Store.bulk_load``) instead of from Python ``Quad`` objects: the text is built
column by column with pyarrow.compute from the batches of
:func:`insidergraph.graph.rdf_emit.triples`, so no Python object is made per triple. It
states exactly the triples of the RDF export, in table order rather than sorted, and terms
are written the way pyoxigraph reads them back to the same terms: IRIs as the emitter
percent-encoded them, plain strings as ``"..."`` (xsd:string), other literals with their
datatype.

>>> from insidergraph.graph.tables import GraphTables
>>> g = GraphTables.from_rows({"Filing": [{"id": "filing/1", "document_type": "4"}]}, {})
>>> print("".join(line for a in ntriples_lines(g) for line in a.to_pylist()), end="")
<https://w3id.org/insidergraph/id/filing/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/insidergraph/ontology#Filing> .
<https://w3id.org/insidergraph/id/filing/1> <https://w3id.org/insidergraph/ontology#documentType> "4" .
"""  # noqa: E501 (a doctest's expected output is one line)

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from insidergraph.graph.rdf_emit import BATCH_ROWS, IRI, constant, triples
from insidergraph.graph.tables import GraphTables
from insidergraph.ontology import XSD

_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"))
#: Rows per Arrow batch (kept under its old name for callers).
NT_BATCH_ROWS = BATCH_ROWS


class NTriplesFormatter:
    """Turns batches of :func:`~insidergraph.graph.rdf_emit.triples` into arrays of
    N-Triples lines (``"<s> <p> o .\\n"``), column-wise: the one place that writes the
    emitter's terms as N-Triples text, for the embedded store's loader
    (:func:`ntriples_lines`) and the SPARQL server load alike. A node's subject column
    recurs in the batch of each of its properties, so the ``<...>`` form of the last few
    columns is kept for the next batches: use one formatter for one pass over a graph.

    >>> from insidergraph.graph.rdf_emit import triples
    >>> g = GraphTables.from_rows({"Person": [{"id": "person/1", "name": 'Jo "J" Doe'}]}, {})
    >>> fmt = NTriplesFormatter()
    >>> print("".join(line for b in triples(g) for line in fmt.lines(b).to_pylist()), end="")
    <https://w3id.org/insidergraph/id/person/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/insidergraph/ontology#Person> .
    <https://w3id.org/insidergraph/id/person/1> <http://www.w3.org/2000/01/rdf-schema#label> "Jo \\"J\\" Doe" .
    """  # noqa: E501 (a doctest's expected output is one line)

    def __init__(self) -> None:
        self._memo: dict[tuple[int, int, int], tuple[pa.Array, pa.Array]] = {}

    def iris(self, values: pa.Array) -> pa.Array:
        """``<iri>`` for each IRI of ``values`` (reused when the same column comes again)."""
        key = (values.buffers()[1].address, values.offset, len(values))
        hit = self._memo.get(key)
        if hit is None:
            if len(self._memo) >= 8:
                self._memo.pop(next(iter(self._memo)))
            # The array itself is kept, so its buffer (the key) cannot be reused meanwhile.
            hit = self._memo[key] = (values, pc.binary_join_element_wise("<", values, ">", ""))
        return hit[1]

    def lines(self, batch: pa.RecordBatch) -> pa.Array:
        """``<s> <p> o .\\n`` for each triple of ``batch`` (of
        :data:`~insidergraph.graph.rdf_emit.TRIPLE_SCHEMA`), in its order."""
        dt, o = constant(batch, "datatype"), batch.column("o")
        if dt == IRI:
            obj = self.iris(o)
        elif dt == XSD.string:
            if pc.any(pc.match_substring_regex(o, '[\\\\"\\n\\r]')).as_py():
                for old, new in _ESCAPES:
                    o = pc.replace_substring(o, old, new)
            obj = pc.binary_join_element_wise('"', o, '"', "")
        else:
            obj = pc.binary_join_element_wise('"', o, f'"^^<{dt}>', "")
        return pc.binary_join_element_wise(self.iris(batch.column("s")), f"<{constant(batch, 'p')}>", obj, ".\n", " ")


def ntriples_lines(tables: GraphTables, batch_rows: int = NT_BATCH_ROWS, row_level: bool = True) -> Iterator[pa.Array]:
    """The triples of the RDF export as arrays of N-Triples lines (``"s p o .\\n"``), in
    table order, not sorted (a store sorts and deduplicates by itself); with
    ``row_level=False``, without the row-level types (a ``--sparql relations`` store)."""
    yield from batch_lines(triples(tables, graphs=False, row_level=row_level, batch_rows=batch_rows))


def batch_lines(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.Array]:
    """N-Triples lines of triple batches (see :func:`~insidergraph.graph.rdf_emit.triples`).

    >>> from insidergraph.graph.rdf_emit import triples
    >>> g = GraphTables.from_rows({"Filing": [{"id": "filing/1"}]}, {})
    >>> [len(a) for a in batch_lines(triples(g))]
    [1]
    """
    fmt = NTriplesFormatter()
    for batch in batches:
        yield fmt.lines(batch)


def text_of(lines: pa.Array) -> bytes:
    """An array of N-Triples lines as one document.

    >>> text_of(pa.array(["<a> <b> <c> .\\n"]))
    b'<a> <b> <c> .\\n'
    """
    return bytes(_text(lines)) if len(lines) else b""


def _text(lines: pa.Array) -> memoryview:
    """The bytes of an array of lines without nulls: its value buffer between the first
    and last offsets, with no copy."""
    width = np.int64 if pa.types.is_large_string(lines.type) else np.int32
    offsets = np.frombuffer(lines.buffers()[1], dtype=width)
    start, end = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    return memoryview(lines.buffers()[2]).cast("B")[start:end]


class NTriplesReader(io.RawIOBase):
    """A binary file object that reads :func:`ntriples_lines` as one N-Triples document,
    built as it is read: pyoxigraph's ``Store.bulk_load`` pulls it while it indexes what
    came before, and at most one batch of text is held at a time.

    >>> g = GraphTables.from_rows({"Filing": [{"id": "filing/1"}]}, {})
    >>> NTriplesReader(g).read().count(b"\\n")
    1
    """

    def __init__(self, tables: GraphTables, batch_rows: int = NT_BATCH_ROWS, row_level: bool = True) -> None:
        super().__init__()
        self._arrays = ntriples_lines(tables, batch_rows, row_level)
        self._current = memoryview(b"")
        self._keep: pa.Array | None = None  # owns the buffer _current points into

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        while not len(self._current):
            lines = next(self._arrays, None)
            if lines is None:
                return 0
            self._keep = lines
            self._current = _text(lines)
        n = min(len(buffer), len(self._current))
        memoryview(buffer).cast("B")[:n] = self._current[:n]
        self._current = self._current[n:]
        return n
