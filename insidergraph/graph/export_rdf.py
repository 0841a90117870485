"""The graph as RDF: Turtle, N-Triples, JSON-LD, RDF/XML, TriG and N-Quads, via pyoxigraph.

The triples come from :func:`insidergraph.graph.rdf_emit.triples`, the one emitter of the
mapping :mod:`insidergraph.graph.schema` declares (which the SPARQL store's loader reads
too); every term comes from the closed namespaces of :mod:`insidergraph.ontology`, so the
exporter cannot emit a term ``insidergraph.ttl`` does not declare. The mapping:

* each node is ``<https://w3id.org/insidergraph/id/{id}>`` typed ``ig:{Label}``; names
  become ``rdfs:label`` (aliases ``skos:altLabel``), other columns the ``ig:`` datatype
  property the schema names; a row's or footnote's ``filing_id`` becomes
  ``prov:wasDerivedFrom`` its filing;
* a role edge becomes an ``org:Membership`` (``ig:Directorship``, ``ig:OfficerRole``,
  ``ig:TenPercentOwnership``, ``ig:OtherRelation``) with ``org:member``,
  ``org:organization``, ``org:role``, ``org:memberDuring`` a ``time:Interval`` (from the
  first to the last period of report, or filed dates when there is no period), and
  ``prov:wasDerivedFrom`` every filing in its ``accessions``; the interval's ends are also on
  the membership as plain dates (``ig:spanStart``, ``ig:spanEnd``), and a directorship also
  gets the direct ``member ig:directorOf organization`` (both for fast queries);
* ``ATTORNEY_IN_FACT_FOR`` becomes ``signer prov:actedOnBehalfOf owner`` plus the
  qualified ``signer prov:qualifiedDelegation [ig:PowerOfAttorney; prov:agent owner]``;
* ``GRANTED_POWER_OF_ATTORNEY`` becomes ``grantor ig:grantedPowerOfAttorneyTo attorney`` plus
  the qualified ``attorney ig:grantedPowerOfAttorney [ig:PowerOfAttorneyGrant (a
  prov:Delegation); prov:agent grantor; ig:grantor; ig:grantedTo; ig:accession; ig:grantDate;
  ig:scope; ig:revokesPrior]``, derived from the filing it came with when it is in the store;
* ``SIGNED`` and ``FOOTNOTED_BY`` carry properties, so each also gets a node of its own
  (``ig:Signature``, ``ig:FootnoteReference``) beside the direct triple;
* the other edges are one triple each (the edge type's ``rdf``).

Named graphs (TriG, N-Quads and :func:`to_quads`): everything a single filing states (the
filing, its rows, footnotes, signatures, FILED/ABOUT/AMENDS and row edges) lies in
``https://w3id.org/insidergraph/graph/{filing id}``; facts that aggregate filings
(persons, companies, securities, role memberships, powers of attorney, date instants)
lie in ``https://w3id.org/insidergraph/graph/entities``, and point to their filings
with ``prov:wasDerivedFrom``. Every triple is in exactly one named graph, so the union
of the named graphs is the whole graph. The triple formats merge them.

Output is sorted and deduplicated, and prefixes are fixed: the same tables always give
the same bytes.

>>> import io
>>> from insidergraph.graph.tables import GraphTables
>>> g = GraphTables.from_rows({"Person": [{"id": "person/0001222287", "cik": "0001222287",
...     "name": "Roelof Botha"}]}, {})
>>> buf = io.BytesIO(); write_ntriples(g, buf, "full")
>>> print(*buf.getvalue().decode().splitlines()[0].split(), sep="\\n")
<https://w3id.org/insidergraph/id/person/0001222287>
<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>
<https://w3id.org/insidergraph/ontology#Person>
.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import repeat
from typing import BinaryIO

import pyoxigraph as ox

from insidergraph.errors import ExportError
from insidergraph.graph.rdf_emit import ENTITIES_GRAPH, IRI, constant, triples
from insidergraph.graph.tables import GraphTables
from insidergraph.ontology import PREFIXES, XSD

#: One statement before it becomes a pyoxigraph quad: graph, subject, predicate, object,
#: and the object's datatype IRI ("" when the object is an IRI).
Statement = tuple[str, str, str, str, str]

__all__ = [
    "ENTITIES_GRAPH", "Statement", "statements", "to_quads", "to_triples", "write_jsonld", "write_nquads",
    "write_ntriples", "write_rdfxml", "write_trig", "write_turtle",
]


def _unsorted(tables: GraphTables, graphs: bool = True) -> Iterator[Statement]:
    """The emitter's triples as statements (``graph`` empty without ``graphs``)."""
    for batch in triples(tables, graphs=graphs):
        g: Iterable[str] = batch.column("g").to_pylist() if graphs else repeat("")
        s, o = batch.column("s").to_pylist(), batch.column("o").to_pylist()
        yield from zip(g, s, repeat(constant(batch, "p")), o, repeat(constant(batch, "datatype")))


def statements(tables: GraphTables) -> list[Statement]:
    """Every statement of the graph, sorted by (graph, subject, predicate, object) and deduplicated.

    >>> statements(GraphTables.empty())
    []
    """
    return sorted(set(_unsorted(tables)))


class _Terms:
    """Caches pyoxigraph terms: most IRIs and datatypes recur many times."""

    def __init__(self) -> None:
        self.iris: dict[str, ox.NamedNode] = {}
        self.literals: dict[tuple[str, str], ox.Literal] = {}

    def iri(self, value: str) -> ox.NamedNode:
        node = self.iris.get(value)
        if node is None:
            node = self.iris[value] = ox.NamedNode(value)
        return node

    def obj(self, value: str, datatype: str) -> ox.NamedNode | ox.Literal:
        if datatype == IRI:
            return self.iri(value)
        key = (value, datatype)
        literal = self.literals.get(key)
        if literal is None:
            literal = ox.Literal(value) if datatype == XSD.string else ox.Literal(value, datatype=self.iri(datatype))
            if len(value) < 64:  # short values (dates, amounts, flags, codes) recur; long texts rarely do
                self.literals[key] = literal
        return literal


def to_quads(tables: GraphTables, named_graphs: bool = True, ordered: bool = True) -> Iterator[ox.Quad]:
    """The graph as pyoxigraph quads, in a stable order: a named graph per filing plus
    ``.../graph/entities`` (or all in the default graph with ``named_graphs=False``).

    Fill a store with ``store.extend(to_quads(tables))``; query it with
    ``use_default_graph_as_union=True`` to see the whole graph. ``ordered=False`` streams
    the quads unsorted and possibly repeated, for a store that indexes them anyway.

    >>> g = GraphTables.from_rows({"Filing": [{"id": "filing/1", "document_type": "4"}]}, {})
    >>> [str(q.graph_name) for q in to_quads(g)]
    ['<https://w3id.org/insidergraph/graph/filing/1>', '<https://w3id.org/insidergraph/graph/filing/1>']
    """
    terms = _Terms()
    default = ox.DefaultGraph()
    if not ordered:
        # A store sorts and deduplicates by itself; skipping our sort saves most of the time.
        for g, s, p, o, dt in _unsorted(tables, graphs=named_graphs):
            yield ox.Quad(terms.iri(s), terms.iri(p), terms.obj(o, dt), terms.iri(g) if named_graphs else default)
        return
    if named_graphs:
        for g, s, p, o, dt in statements(tables):
            yield ox.Quad(terms.iri(s), terms.iri(p), terms.obj(o, dt), terms.iri(g))
    else:
        for s, p, o, dt in _triples(tables):
            yield ox.Quad(terms.iri(s), terms.iri(p), terms.obj(o, dt), default)


def _triples(tables: GraphTables) -> list[tuple[str, str, str, str]]:
    return sorted({(s, p, o, dt) for _g, s, p, o, dt in _unsorted(tables, graphs=False)})


def to_triples(tables: GraphTables) -> Iterator[ox.Triple]:
    """The graph as pyoxigraph triples (named graphs merged), sorted by subject, predicate, object."""
    terms = _Terms()
    for s, p, o, dt in _triples(tables):
        yield ox.Triple(terms.iri(s), terms.iri(p), terms.obj(o, dt))


# Characters XML 1.0 cannot carry at all, not even escaped; Turtle and JSON-LD escape them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _check_xml_chars(triples: list[ox.Triple]) -> None:
    for t in triples:
        if isinstance(t.object, ox.Literal) and _NOT_XML.search(t.object.value):
            raise ExportError(
                f"{getattr(t.subject, 'value', t.subject)} {t.predicate.value}: "
                f"the value holds a control character RDF/XML cannot "
                "represent; export as Turtle, N-Triples or JSON-LD instead"
            )


def _write(tables: GraphTables, out: BinaryIO, view: str, fmt: ox.RdfFormat) -> None:
    if view != "full":
        raise ExportError(f"RDF exports have only the 'full' view, not {view!r}")
    data: Iterable[ox.Triple] | Iterable[ox.Quad]
    data = list(to_quads(tables)) if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS) else list(to_triples(tables))
    if fmt == ox.RdfFormat.RDF_XML:
        _check_xml_chars(data)  # type: ignore[arg-type]
    prefixes = None if fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS) else PREFIXES
    try:
        ox.serialize(data, out, fmt, prefixes=prefixes)
    except (ValueError, TypeError, SyntaxError) as err:
        raise ExportError(f"could not write {fmt.name}: {err}") from err


def write_turtle(tables: GraphTables, out: BinaryIO, view: str = "full") -> None:
    """Write the graph as Turtle.

    >>> import io; buf = io.BytesIO()
    >>> write_turtle(GraphTables.from_rows({"Filing": [{"id": "filing/1", "document_type": "4"}]}, {}), buf, "full")
    >>> print(buf.getvalue().decode().splitlines()[-2])
    <https://w3id.org/insidergraph/id/filing/1> a ig:Filing ;
    """
    _write(tables, out, view, ox.RdfFormat.TURTLE)


def write_ntriples(tables: GraphTables, out: BinaryIO, view: str = "full") -> None:
    """Write the graph as N-Triples (one statement a line, sorted)."""
    _write(tables, out, view, ox.RdfFormat.N_TRIPLES)


def write_jsonld(tables: GraphTables, out: BinaryIO, view: str = "full") -> None:
    """Write the graph as JSON-LD (expanded IRIs compacted by the fixed prefixes)."""
    _write(tables, out, view, ox.RdfFormat.JSON_LD)


def write_rdfxml(tables: GraphTables, out: BinaryIO, view: str = "full") -> None:
    """Write the graph as RDF/XML."""
    _write(tables, out, view, ox.RdfFormat.RDF_XML)


def write_trig(tables: GraphTables, out: BinaryIO, view: str = "full") -> None:
    """Write the graph as TriG: a named graph per filing, plus one for entities."""
    _write(tables, out, view, ox.RdfFormat.TRIG)


def write_nquads(tables: GraphTables, out: BinaryIO, view: str = "full") -> None:
    """Write the graph as N-Quads: a named graph per filing, plus one for entities."""
    _write(tables, out, view, ox.RdfFormat.N_QUADS)
