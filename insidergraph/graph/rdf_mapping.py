"""The RDF mapping the schema declares, resolved to IRIs through the ontology.

:mod:`insidergraph.graph.schema` names every RDF term as a prefixed name (``ig:cik``,
``rdfs:label``); :func:`term` resolves one through the closed namespaces of
:mod:`insidergraph.ontology`, so a term ``insidergraph.ttl`` does not declare raises
instead of minting an IRI. :func:`check` runs at import: every property column of the
schema has a term, every edge type a direct predicate or a node of its own, every graph
rule and template end is known.

>>> term("ig:cik")
'https://w3id.org/insidergraph/ontology#cik'
>>> term("ig:cikk")
Traceback (most recent call last):
...
AttributeError: 'cikk' is not declared in the ig: namespace (https://w3id.org/insidergraph/ontology#)
>>> sorted(schema_terms())[:2]
['http://www.w3.org/1999/02/22-rdf-syntax-ns#type', 'http://www.w3.org/2000/01/rdf-schema#label']
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from insidergraph.graph.schema import (
    EDGE_TYPES,
    NODE_TYPES,
    EdgeType,
    NodeType,
    Prop,
    Reified,
)
from insidergraph.ontology import (
    IG,
    ORG,
    PROV,
    RDF,
    RDFS,
    SKOS,
    TIME,
    XSD,
    ClosedNamespace,
)

_NAMESPACES: dict[str, ClosedNamespace] = {
    "ig": IG, "org": ORG, "prov": PROV, "time": TIME, "rdf": RDF, "rdfs": RDFS, "skos": SKOS, "xsd": XSD,
}

#: XSD datatype of each logical property type (a list's items are strings).
XSD_OF: dict[str, str] = {
    "string": XSD.string, "string[]": XSD.string, "date": XSD.date, "decimal": XSD.decimal,
    "int": XSD.integer, "bool": XSD.boolean,
}

#: The ends a :class:`~insidergraph.graph.schema.Reified` link template may name.
ENDS: frozenset[str] = frozenset({"node", "src", "dst"})

#: The terms of a role's span (see :class:`~insidergraph.graph.schema.Reified`).
SPAN_TERMS: tuple[str, ...] = (
    ORG.memberDuring, TIME.Interval, TIME.hasBeginning, TIME.hasEnd, TIME.Instant, TIME.inXSDDate,
    IG.spanStart, IG.spanEnd,
)


@functools.cache
def term(curie: str) -> str:
    """The IRI of a prefixed name the ontology declares (raises ``AttributeError`` if not)."""
    prefix, _, local = curie.partition(":")
    if prefix not in _NAMESPACES:
        raise AttributeError(f"{curie!r}: unknown prefix {prefix!r} (one of {', '.join(_NAMESPACES)})")
    return _NAMESPACES[prefix][local]


def datatype(prop: Prop) -> str:
    """The datatype IRI of the property's objects, ``""`` when they are node IRIs.

    >>> datatype(NODE_TYPES["Filing"].prop("filing_date")), datatype(NODE_TYPES["Footnote"].prop("filing_id"))
    ('http://www.w3.org/2001/XMLSchema#date', '')
    """
    return "" if prop.ref else XSD_OF[prop.type]


def node_terms(node: NodeType) -> set[str]:
    """The class and predicates the node type's triples use."""
    return {term(node.rdf), RDF.type} | {term(p.rdf) for p in node.props[1:]}


def edge_terms(edge: EdgeType) -> set[str]:
    """The classes, predicates and individuals the edge type's triples use."""
    out = {term(p.rdf) for p in edge.props}
    if edge.rdf:
        out.add(term(edge.rdf))
    tpl = edge.reified
    if tpl is not None:
        out |= {term(tpl.rdf_class), RDF.type}
        out |= {term(x) for s, p, o in tpl.links for x in (s, p, o) if x not in ENDS}
        if tpl.derived_from:
            out.add(PROV.wasDerivedFrom)
        if tpl.span:
            out |= set(SPAN_TERMS)
    return out


def schema_terms() -> frozenset[str]:
    """Every IRI the schema's mapping names."""
    out: set[str] = set()
    for node in NODE_TYPES.values():
        out |= node_terms(node)
    for edge in EDGE_TYPES.values():
        out |= edge_terms(edge)
    return frozenset(out)


@functools.cache
def row_only_terms() -> frozenset[str]:
    """IRIs (classes and predicates) that only the row-level types give: a SPARQL query
    that names one of them finds nothing in a ``relations`` store.

    >>> str(IG.transacted) in row_only_terms(), str(IG.Directorship) in row_only_terms()
    (True, False)
    """

    def terms(row_level: bool) -> set[str]:
        out: set[str] = set()
        for node in NODE_TYPES.values():
            if node.row_level == row_level:
                out |= node_terms(node)
        for edge in EDGE_TYPES.values():
            if edge.row_level == row_level:
                out |= edge_terms(edge)
        return out

    return frozenset(terms(True) - terms(False))


def _declared(where: str, curie: str) -> None:
    try:
        term(curie)
    except AttributeError as err:
        raise AssertionError(f"schema: {where}: {err}; declare it in insidergraph/ontology/insidergraph.ttl") from None


def _check_props(where: str, props: Iterable[Prop]) -> None:
    for prop in props:
        if not prop.rdf:
            raise AssertionError(f"schema: {where}.{prop.name} names no RDF predicate")
        _declared(f"{where}.{prop.name}", prop.rdf)
        if prop.ref and prop.type != "string":
            raise AssertionError(f"schema: {where}.{prop.name} holds a node id, so it must be a string")


def _check_edge(rel: str, edge: EdgeType) -> None:
    _check_props(rel, edge.props)
    if edge.rdf:
        _declared(rel, edge.rdf)
    if edge.reified is not None:
        _check_template(rel, edge.reified, {p.name for p in edge.props})
    elif not edge.rdf:
        raise AssertionError(f"schema: edge type {rel} has no RDF predicate and no node of its own")
    elif edge.props:
        raise AssertionError(f"schema: edge type {rel} has properties but no node of its own to carry them")


def _check_template(rel: str, tpl: Reified, columns: set[str]) -> None:
    _declared(rel, tpl.rdf_class)
    for s, p, o in tpl.links:
        if s not in ENDS or (o not in ENDS and ":" not in o):
            raise AssertionError(f"schema: {rel} link {s} {p} {o}: an end must be one of {sorted(ENDS)}")
        for curie in (p, o) if o not in ENDS else (p,):
            _declared(f"{rel} link", curie)
    wanted = ({tpl.derived_from} if tpl.derived_from else set()) | {c for ends in tpl.span or () for c in ends}
    if wanted - columns:
        raise AssertionError(f"schema: {rel} template names columns it lacks: {sorted(wanted - columns)}")


def check() -> None:
    """Every node, property and edge type of the schema maps to declared RDF terms.

    >>> check()
    """
    for label, node in NODE_TYPES.items():
        _declared(label, node.rdf)
        _check_props(label, node.props[1:])
        if node.graph == "filing_id" and "filing_id" not in node.columns:
            raise AssertionError(f"schema: {label} lies in its filing's graph but has no filing_id")
    for rel, edge in EDGE_TYPES.items():
        _check_edge(rel, edge)


check()
