"""The graph's triples, column-wise: the one emitter of the RDF mapping the schema declares.

:func:`triples` reads the Arrow tables and yields Arrow record batches of
:data:`TRIPLE_SCHEMA`: ``s`` (subject IRI), ``p`` (predicate IRI), ``o`` (an object IRI or a
literal's lexical form), ``datatype`` (the literal's datatype IRI, ``""`` when ``o`` is an
IRI) and ``g`` (its named graph; null unless asked for). Every batch states one predicate
with objects of one datatype (``p`` and ``datatype`` are dictionary-encoded with that one
value, see :func:`constant`), and holds no null. No Python object is made per triple; the
exports (:mod:`insidergraph.graph.export_rdf`) and the SPARQL store's N-Triples loader
(:mod:`insidergraph.graph.rdf_ntriples`) both consume it.

What becomes what is declared in :mod:`insidergraph.graph.schema`: a node is
``<{ID_NS}{id}>`` of its type's class with a triple per set property; an edge is its direct
predicate from ``src`` to ``dst`` and, when the schema reifies it, a node of its own
(``{segment}/{edge id}``) with the template's links, the edge's properties, the filings it
derives from and a role's span (a ``time:Interval`` between ``time:Instant`` dates).

Named graphs: a filing's own facts lie in ``{GRAPH_NS}{filing id}`` (the node types and
edge types whose graph rule leads to a filing); facts that aggregate filings in
``{GRAPH_NS}entities``. ``row_level=False`` leaves out the row-level types.

>>> from insidergraph.graph.tables import GraphTables
>>> g = GraphTables.from_rows({"Filing": [{"id": "filing/1", "document_type": "4"}]}, {})
>>> for b in triples(g, graphs=True):
...     print(b.column("s")[0], constant(b, "p").split("#")[1], b.column("o")[0], b.column("g")[0])
https://w3id.org/insidergraph/id/filing/1 type https://w3id.org/insidergraph/ontology#Filing https://w3id.org/insidergraph/graph/filing/1
https://w3id.org/insidergraph/id/filing/1 documentType 4 https://w3id.org/insidergraph/graph/filing/1
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import TypeAlias
from urllib.parse import quote

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from insidergraph.errors import ExportError
from insidergraph.graph.rdf_mapping import ENDS, XSD_OF, datatype, term
from insidergraph.graph.schema import (
    EDGE_TYPES,
    NODE_TYPES,
    EdgeType,
    NodeType,
    Prop,
    Reified,
)
from insidergraph.graph.tables import GraphTables
from insidergraph.ontology import (
    GRAPH_NS,
    ID_NS,
    IG,
    ORG,
    PROV,
    RDF,
    TIME,
    XSD,
    graph_iri,
)

_DICT = pa.dictionary(pa.int32(), pa.string())
#: The columns of every batch :func:`triples` yields.
TRIPLE_SCHEMA = pa.schema(
    [("s", pa.string()), ("p", _DICT), ("o", pa.string()), ("datatype", _DICT), ("g", pa.string())]
)
#: Rows per Arrow batch read from a table: bounds the memory of one step whatever the graph's size.
BATCH_ROWS = 200_000
#: The ``datatype`` of a triple whose object is an IRI.
IRI = ""
ENTITIES_GRAPH = graph_iri("entities")

_SAFE = r"^[A-Za-z0-9/._~-]*$"  # ids node_iri keeps as they are
_PIPE = r"^[A-Za-z0-9/._~|-]*$"  # ids whose only unsafe character is "|" (most edge ids)

#: A batch's graphs: none asked for, one for all, or one per row.
Graphs: TypeAlias = "str | pa.Array | None"


def _arr(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _paths(ids: pa.Array) -> pa.Array:
    """What :func:`~insidergraph.ontology.node_iri` puts after the namespace for each id.

    Safe ids stay as they are; ``|`` (edge ids) becomes ``%7C`` in C; the rare rest
    (spaces, accents, ``%``) goes through :func:`urllib.parse.quote` like ``node_iri``.
    """
    ids = _arr(ids)
    if pc.all(pc.match_substring_regex(ids, _SAFE)).as_py() is not False:
        return ids
    safe = pc.match_substring_regex(ids, _SAFE)
    paths = pc.if_else(safe, ids, pc.replace_substring(ids, "|", "%7C"))
    other = pc.fill_null(pc.invert(pc.match_substring_regex(ids, _PIPE)), False)
    if pc.any(other).as_py():
        fixed = [quote(v, safe="/-._~") for v in ids.filter(other).to_pylist()]
        paths = pc.replace_with_mask(paths, other, pa.array(fixed, pa.string()))
    return paths


def iris(ids: pa.Array | pa.ChunkedArray, prefix: str = "", ns: str = ID_NS) -> pa.Array:
    """The IRI of each id (``node_iri(prefix + id)``; null stays null).

    >>> iris(pa.array(["person/1", "a|b c", None]), ns="x:").to_pylist()
    ['x:person/1', 'x:a%7Cb%20c', None]
    """
    return pc.binary_join_element_wise(ns + prefix, _paths(_arr(ids)), "")


def _decimal(value: str) -> str:
    """Exponent notation is valid Python Decimal text but not xsd:decimal: spell it out."""
    try:
        return format(Decimal(value), "f")
    except InvalidOperation as err:
        raise ExportError(f"not a decimal number: {value!r}") from err


def lexical(values: pa.Array | pa.ChunkedArray, typ: str) -> pa.Array:
    """The XSD lexical form of each value of the schema type ``typ`` (null stays null).

    >>> lexical(pa.array([True, None]), "bool").to_pylist(), lexical(pa.array(["2E+3", "1.50"]), "decimal").to_pylist()
    (['true', None], ['2000', '1.50'])
    """
    values = _arr(values)
    if typ == "bool":
        return pc.if_else(values, "true", "false")
    if typ in ("date", "int"):
        return pc.cast(values, pa.string())
    if typ == "decimal":
        odd = pc.fill_null(pc.match_substring_regex(values, "[eE]"), False)
        if pc.any(odd).as_py():
            fixed = [_decimal(v) for v in values.filter(odd).to_pylist()]
            return pc.replace_with_mask(values, odd, pa.array(fixed, pa.string()))
    return values


_zeros = pa.array(np.zeros(0, np.int32))


def _constant(value: str, n: int) -> pa.DictionaryArray:
    """``n`` times ``value``, dictionary-encoded (no string copied)."""
    global _zeros
    if len(_zeros) < n:
        _zeros = pa.array(np.zeros(max(n, 2 * len(_zeros)), np.int32))
    return pa.DictionaryArray.from_arrays(_zeros.slice(0, n), pa.array([value], pa.string()))


def constant(batch: pa.RecordBatch, column: str) -> str:
    """The one value of a batch's ``p`` or ``datatype`` column.

    >>> constant(_batch("s", RDF.type, pa.array(["o"]), IRI, None), "p")
    'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
    """
    value: str = batch.column(column).dictionary[0].as_py()
    return value


def _batch(s: pa.Array | str, p: str, o: pa.Array | str, dt: str, g: Graphs) -> pa.RecordBatch | None:
    """One batch of triples; rows whose subject or object is null give none."""
    n = max(len(x) for x in (s, o) if isinstance(x, pa.Array))
    cols = [pa.repeat(pa.scalar(x), n) if isinstance(x, str) else x for x in (s, o)]
    cols.append(pa.nulls(n, pa.string()) if g is None else pa.repeat(pa.scalar(g), n) if isinstance(g, str) else g)
    if cols[0].null_count or cols[1].null_count:
        keep = pc.and_(pc.is_valid(cols[0]), pc.is_valid(cols[1]))
        cols = [c.filter(keep) for c in cols]
        n = len(cols[0])
    if not n:
        return None
    subjects, objects, graphs = cols
    return pa.RecordBatch.from_arrays(
        [subjects, _constant(p, n), objects, _constant(dt, n), graphs], schema=TRIPLE_SCHEMA
    )


def _take(g: Graphs, indices: pa.Array) -> Graphs:
    return g.take(indices) if isinstance(g, pa.Array) else g


def _graphs(ids: pa.Array) -> pa.Array:
    """The graph of the filing each id names (entities where none)."""
    return pc.coalesce(iris(ids, ns=GRAPH_NS), ENTITIES_GRAPH)


class _Emitter:
    """Yields the batches of :func:`triples` for one GraphTables."""

    def __init__(self, tables: GraphTables, graphs: bool, row_level: bool, batch_rows: int,
                 filings: pa.Table | None = None, instants: bool = True) -> None:
        self.tables, self.graphs, self.row_level, self.batch_rows = tables, graphs, row_level, batch_rows
        self.with_instants = instants
        filings = tables.to_arrow("nodes", "Filing") if filings is None else filings
        self.filing_ids = _arr(filings.column("id"))
        accessions = _arr(filings.column("accession"))
        known = pc.is_valid(accessions)
        self.acc_keys, self.acc_filings = accessions.filter(known), self.filing_ids.filter(known)
        self.days: list[pa.Array] = []
        self._row_filings: tuple[pa.Array, pa.Array] | None = None

    def run(self) -> Iterator[pa.RecordBatch | None]:
        for node in NODE_TYPES.values():
            if self.row_level or not node.row_level:
                for batch in self.batches("nodes", node.label):
                    yield from self.node(node, batch)
        for rel, edge in EDGE_TYPES.items():
            if self.row_level or not edge.row_level:
                for batch in self.batches("edges", rel):
                    yield from self.edge(edge, batch)
        if self.with_instants:
            yield from self.instants()

    def batches(self, kind: str, name: str) -> Iterator[pa.RecordBatch]:
        table = self.tables.to_arrow(kind, name)
        if table.num_rows and pc.count_distinct(table.column("id")).as_py() != table.num_rows:
            counts = pc.value_counts(_arr(table.column("id")))
            dup = counts.filter(pc.greater(counts.field("counts"), 1))[0]["values"].as_py()
            raise ExportError(f"{kind} table {name} has duplicate ids, e.g. {dup!r}")
        return iter(table.to_batches(max_chunksize=self.batch_rows))

    # ------------------------------------------------------------ named graphs

    def node_graphs(self, node: NodeType, batch: pa.RecordBatch) -> Graphs:
        if not self.graphs:
            return None
        if node.graph == "self":
            return _graphs(batch.column("id"))
        if node.graph == "filing_id":
            return _graphs(batch.column("filing_id"))
        return ENTITIES_GRAPH

    def edge_graphs(self, edge: EdgeType, batch: pa.RecordBatch) -> Graphs:
        if not self.graphs:
            return None
        if edge.graph == "entities":
            return ENTITIES_GRAPH
        end, _, column = edge.graph.partition(".")
        ids = _arr(batch.column(end))
        return _graphs(self.filing_of_node(ids) if column else ids)

    def filing_of_node(self, ids: pa.Array) -> pa.Array:
        """The ``filing_id`` of each node (null where it has none), over the node types
        whose graph is their filing's."""
        if self._row_filings is None:
            tables = [self.tables.to_arrow("nodes", n.label) for n in NODE_TYPES.values() if n.graph == "filing_id"]
            self._row_filings = (
                pa.concat_arrays([_arr(t.column("id")) for t in tables]),
                pa.concat_arrays([_arr(t.column("filing_id")) for t in tables]),
            )
        keys, filings = self._row_filings
        return filings.take(pc.index_in(ids, value_set=keys))

    # ------------------------------------------------------------ nodes and edges

    def node(self, node: NodeType, batch: pa.RecordBatch) -> Iterator[pa.RecordBatch | None]:
        s = iris(batch.column("id"))
        g = self.node_graphs(node, batch)
        yield _batch(s, RDF.type, term(node.rdf), IRI, g)
        yield from self.props(s, batch, node.props[1:], g)

    def props(
        self, s: pa.Array, batch: pa.RecordBatch, props: Iterable[Prop], g: Graphs
    ) -> Iterator[pa.RecordBatch | None]:
        for prop in props:
            p, col = term(prop.rdf), _arr(batch.column(prop.name))
            if prop.ref:
                yield _batch(s, p, iris(col), IRI, g)
            elif prop.type == "string[]":
                parents = pc.list_parent_indices(col)
                yield _batch(s.take(parents), p, pc.list_flatten(col), datatype(prop), _take(g, parents))
            else:
                yield _batch(s, p, lexical(col, prop.type), datatype(prop), g)

    def edge(self, edge: EdgeType, batch: pa.RecordBatch) -> Iterator[pa.RecordBatch | None]:
        src, dst = iris(batch.column("src")), iris(batch.column("dst"))
        g = self.edge_graphs(edge, batch)
        if edge.rdf:
            yield _batch(src, term(edge.rdf), dst, IRI, g)
        if edge.reified is not None:
            yield from self.reified(edge, edge.reified, batch, {"src": src, "dst": dst}, g)

    def reified(self, edge: EdgeType, tpl: Reified, batch: pa.RecordBatch, ends: dict[str, pa.Array],
                g: Graphs) -> Iterator[pa.RecordBatch | None]:
        q = ends["node"] = iris(batch.column("id"), tpl.segment + "/")
        yield _batch(q, RDF.type, term(tpl.rdf_class), IRI, g)
        for s, p, o in tpl.links:
            yield _batch(ends[s], term(p), ends[o] if o in ENDS else term(o), IRI, g)
        if tpl.span is not None:
            yield from self.span(tpl.span, q, batch, g)
        yield from self.props(q, batch, edge.props, g)
        if tpl.derived_from:
            yield self.derived_from(q, _arr(batch.column(tpl.derived_from)), g)

    def span(self, span: tuple[tuple[str, ...], tuple[str, ...]], q: pa.Array, batch: pa.RecordBatch,
             g: Graphs) -> Iterator[pa.RecordBatch | None]:
        interval = pc.binary_join_element_wise(q, "/interval", "")
        yield _batch(q, ORG.memberDuring, interval, IRI, g)
        yield _batch(interval, RDF.type, TIME.Interval, IRI, g)
        for columns, link, plain in ((span[0], TIME.hasBeginning, IG.spanStart), (span[1], TIME.hasEnd, IG.spanEnd)):
            day = pc.coalesce(*(_arr(batch.column(c)) for c in columns))
            self.days.append(pc.unique(day))
            iso = pc.cast(day, pa.string())
            yield _batch(interval, link, pc.binary_join_element_wise(ID_NS + "date/", iso, ""), IRI, g)
            yield _batch(q, plain, iso, XSD.date, g)

    def derived_from(self, q: pa.Array, accessions: pa.Array, g: Graphs) -> pa.RecordBatch | None:
        """``q prov:wasDerivedFrom`` the filing of each accession (a list, or one; empty is none)."""
        if pa.types.is_list(accessions.type):
            parents, items = pc.list_parent_indices(accessions), pc.list_flatten(accessions)
        else:
            parents = pc.indices_nonzero(pc.fill_null(pc.not_equal(accessions, ""), False))
            items = accessions.take(parents)
        return _batch(q.take(parents), PROV.wasDerivedFrom, iris(self.filing_of(items)), IRI, _take(g, parents))

    def filing_of(self, accessions: pa.Array) -> pa.Array:
        """The filing id each ``accessions`` entry names: an accession number, or the filing
        id without its ``filing/`` prefix (content-hash ids of filings without accession)."""
        by_accession = self.acc_filings.take(pc.index_in(accessions, value_set=self.acc_keys))
        prefixed = pc.binary_join_element_wise("filing/", accessions, "")
        null = pa.scalar(None, pa.string())
        return pc.coalesce(
            by_accession,
            pc.if_else(pc.is_in(prefixed, value_set=self.filing_ids), prefixed, null),
            pc.if_else(pc.is_in(accessions, value_set=self.filing_ids), accessions, null),
        )

    def instants(self, days: pa.Array | None = None) -> Iterator[pa.RecordBatch | None]:
        """Every date a span names (or ``days``), as a ``time:Instant`` (in the entities graph)."""
        if days is None:
            if not self.days:
                return
            days = pc.drop_null(pc.unique(pa.concat_arrays([d.cast(pa.date32()) for d in self.days])))
        iso = pc.cast(days, pa.string())
        iri = pc.binary_join_element_wise(ID_NS + "date/", iso, "")
        g = ENTITIES_GRAPH if self.graphs else None
        yield _batch(iri, RDF.type, TIME.Instant, IRI, g)
        yield _batch(iri, TIME.inXSDDate, iso, XSD.date, g)


def triples(tables: GraphTables, graphs: bool = False, row_level: bool = True,
            batch_rows: int = BATCH_ROWS, filings: pa.Table | None = None,
            instants: bool = True) -> Iterator[pa.RecordBatch]:
    """Every triple of the graph as batches of :data:`TRIPLE_SCHEMA`, in table order (not
    sorted; a triple may repeat): ``graphs`` fills ``g``; ``row_level=False`` leaves out
    the row-level node and edge types (a ``--sparql relations`` store).

    For the triples of some rows only (an incremental build's changed rows), ``tables``
    holds those rows, ``filings`` the whole Filing table (what ``prov:wasDerivedFrom``
    resolves accessions against) and ``instants=False`` leaves out the dates of the spans,
    which :func:`instant_triples` states for the days the whole graph names.

    >>> g = GraphTables.from_rows({"Transaction": [{"id": "transaction/1", "seq": 1}]}, {})
    >>> sum(b.num_rows for b in triples(g)), sum(b.num_rows for b in triples(g, row_level=False))
    (2, 0)
    """
    for batch in _Emitter(tables, graphs, row_level, batch_rows, filings, instants).run():
        if batch is not None:
            yield batch


def span_days(tables: GraphTables) -> pa.Array:
    """Every day a role's span names (start or end), unique and sorted: the ``time:Instant``
    nodes of the graph.

    >>> g = GraphTables.from_rows({}, {"DIRECTOR_OF": [{"id": "d", "src": "person/1", "dst": "company/1",
    ...     "first_period": __import__("datetime").date(2020, 1, 2)}]})
    >>> span_days(g).to_pylist()
    [datetime.date(2020, 1, 2)]
    """
    days: list[pa.Array] = []
    for rel, edge in EDGE_TYPES.items():
        tpl = edge.reified
        if tpl is None or tpl.span is None:
            continue
        table = tables.to_arrow("edges", rel)
        for columns in tpl.span:
            days.append(pc.coalesce(*(_arr(table.column(c)) for c in columns)).cast(pa.date32()))
    if not days:
        return pa.array([], pa.date32())
    unique = pc.drop_null(pc.unique(pa.concat_arrays(days)))
    return unique.take(pc.sort_indices(unique))


def instant_triples(days: pa.Array) -> Iterator[pa.RecordBatch]:
    """The ``time:Instant`` triples of ``days`` (see :func:`span_days`), default graph.

    >>> import datetime
    >>> sum(b.num_rows for b in instant_triples(pa.array([datetime.date(2020, 1, 2)])))
    2
    """
    emitter = _Emitter(GraphTables.empty(), False, True, BATCH_ROWS)
    for batch in emitter.instants(days):
        if batch is not None:
            yield batch


__all__ = ["BATCH_ROWS", "ENTITIES_GRAPH", "IRI", "TRIPLE_SCHEMA", "XSD_OF", "constant", "instant_triples", "iris",
           "lexical", "span_days", "triples"]
