"""The ontology and the shapes: they parse, are OWL-consistent enough, and cover every column."""

from __future__ import annotations

import pytest
import rdflib
from rdflib import namespace as ns

from insidergraph.graph import rdf_mapping
from insidergraph.graph.rdf_mapping import schema_terms, term
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES
from insidergraph.ontology import (
    IG,
    IG_NS,
    ORG,
    PROV,
    RDF,
    ClosedNamespace,
    declared_terms,
    ontology_graph,
    ontology_text,
    shapes_graph,
)

IGN = rdflib.Namespace(IG_NS)
_DECLARATIONS = (ns.OWL.Class, ns.OWL.ObjectProperty, ns.OWL.DatatypeProperty, ns.OWL.AnnotationProperty,
                 ns.OWL.NamedIndividual)
_XSD_OF = {"string": ns.XSD.string, "string[]": ns.XSD.string, "date": ns.XSD.date, "decimal": ns.XSD.decimal,
           "int": ns.XSD.integer, "bool": ns.XSD.boolean}


def _ig_iris(graph: rdflib.Graph) -> set[rdflib.URIRef]:
    return {t for triple in graph for t in triple if isinstance(t, rdflib.URIRef) and str(t).startswith(IG_NS)}


def test_ontology_parses_and_names_itself() -> None:
    g = ontology_graph()
    assert (rdflib.URIRef("https://w3id.org/insidergraph/ontology"), ns.RDF.type, ns.OWL.Ontology) in g


def test_ontology_carries_no_timestamp() -> None:
    # A date stamped at build time would make two runs differ.
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    stamps = (dcterms.modified, dcterms.issued, dcterms.created, dcterms.date)
    assert not [t for t in ontology_graph() if t[1] in stamps]
    assert "now()" not in ontology_text()
    assert not [o for o in ontology_graph().objects()
                if isinstance(o, rdflib.Literal) and o.datatype in (ns.XSD.date, ns.XSD.dateTime)]


def test_every_ig_term_used_in_the_ontology_is_declared_with_a_label() -> None:
    g = ontology_graph()
    for iri in _ig_iris(g):
        assert any((iri, ns.RDF.type, t) in g for t in (*_DECLARATIONS, rdflib.URIRef(ORG.Role))), iri
        assert g.value(iri, ns.RDFS.label) is not None, f"{iri} has no rdfs:label"


def test_no_term_is_both_an_object_and_a_datatype_property() -> None:
    g = ontology_graph()
    objects = set(g.subjects(ns.RDF.type, ns.OWL.ObjectProperty))
    datatypes = set(g.subjects(ns.RDF.type, ns.OWL.DatatypeProperty))
    assert not objects & datatypes
    assert not (objects | datatypes) & set(g.subjects(ns.RDF.type, ns.OWL.Class))


def test_subclasses_domains_and_ranges_point_at_declared_classes() -> None:
    g = ontology_graph()
    classes = set(g.subjects(ns.RDF.type, ns.OWL.Class))
    for s, o in g.subject_objects(ns.RDFS.subClassOf):
        assert o in classes, f"{s} rdfs:subClassOf undeclared {o}"
    for s, o in g.subject_objects(ns.RDFS.domain):
        assert o in classes, f"{s} rdfs:domain undeclared {o}"
    for s in g.subjects(ns.RDF.type, ns.OWL.ObjectProperty):
        for o in g.objects(s, ns.RDFS.range):
            assert o in classes, f"{s} rdfs:range undeclared {o}"
    for s in g.subjects(ns.RDF.type, ns.OWL.DatatypeProperty):
        ranges = list(g.objects(s, ns.RDFS.range))
        assert len(ranges) == 1 and str(ranges[0]).startswith(str(ns.XSD)), s


def test_roles_are_org_memberships_and_attorney_a_prov_delegation() -> None:
    g = ontology_graph()
    org_membership = rdflib.URIRef("http://www.w3.org/ns/org#Membership")
    for cls in ("Directorship", "OfficerRole", "TenPercentOwnership", "OtherRelation"):
        assert (IGN[cls], ns.RDFS.subClassOf, org_membership) in g
    assert (IGN.PowerOfAttorney, ns.RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/ns/prov#Delegation")) in g


@pytest.mark.parametrize(
    ("cls", "external"),
    [
        # FIBO IRIs as published by the EDM Council (FND People, BE Corporate Bodies, BE Executives,
        # BE Corporate Control) and schema.org's types.
        ("Person", "https://spec.edmcouncil.org/fibo/ontology/FND/AgentsAndPeople/People/Person"),
        ("Person", "https://schema.org/Person"),
        ("Company", "https://spec.edmcouncil.org/fibo/ontology/BE/LegalEntities/CorporateBodies/StockCorporation"),
        ("Company", "https://schema.org/Corporation"),
        ("Directorship", "https://spec.edmcouncil.org/fibo/ontology/BE/OwnershipAndControl/Executives/BoardMember"),
        ("OfficerRole", "https://spec.edmcouncil.org/fibo/ontology/BE/OwnershipAndControl/Executives/CorporateOfficer"),
        (
            "TenPercentOwnership",
            "https://spec.edmcouncil.org/fibo/ontology/BE/OwnershipAndControl/CorporateControl/SignificantShareholder",
        ),
    ],
)
def test_classes_align_with_fibo_and_schema_org(cls: str, external: str) -> None:
    g = ontology_graph()
    target = rdflib.URIRef(external)
    assert (IGN[cls], ns.SKOS.closeMatch, target) in g or (IGN[cls], ns.RDFS.subClassOf, target) in g


def test_closed_namespace_refuses_undeclared_terms() -> None:
    assert IG.Person == IG_NS + "Person"
    with pytest.raises(AttributeError, match="Persn"):
        IG.Persn  # noqa: B018
    with pytest.raises(AttributeError):
        IG["director_of"]
    assert "Directorship" in IG and "Membership" not in IG
    assert ORG.memberDuring == "http://www.w3.org/ns/org#memberDuring"
    assert isinstance(IG, ClosedNamespace) and len(IG) > 50


def test_every_registry_column_maps_to_a_declared_term_of_the_right_type() -> None:
    g = ontology_graph()
    terms = declared_terms()
    checked = 0
    for label, node in NODE_TYPES.items():
        cls = term(node.rdf)
        assert cls in terms
        for prop in node.props[1:]:
            iri = term(prop.rdf)
            assert iri in terms, (label, prop.name)
            if prop.ref:
                assert (rdflib.URIRef(iri), ns.RDF.type, ns.OWL.ObjectProperty) in g
            elif iri.startswith(IG_NS):
                assert g.value(rdflib.URIRef(iri), ns.RDFS.range) == _XSD_OF[prop.type], (label, prop.name)
            checked += 1
    for rel, edge in EDGE_TYPES.items():
        for prop in edge.props:
            iri = term(prop.rdf)
            assert iri in terms
            assert g.value(rdflib.URIRef(iri), ns.RDFS.range) == _XSD_OF[prop.type], (rel, prop.name)
            checked += 1
    assert checked == (sum(len(n.props) - 1 for n in NODE_TYPES.values())
                       + sum(len(e.props) for e in EDGE_TYPES.values()))


def test_every_term_the_schema_names_is_declared_in_the_ontology() -> None:
    # Classes, predicates, role individuals and template links: the schema names them,
    # the ontology is their source of truth.
    named = schema_terms()
    assert len(named) > 120 and not named - declared_terms()
    g = ontology_graph()
    for edge in EDGE_TYPES.values():
        if edge.rdf:
            assert (rdflib.URIRef(term(edge.rdf)), ns.RDF.type, ns.OWL.ObjectProperty) in g, edge.type
        if edge.reified is not None:
            assert (rdflib.URIRef(term(edge.reified.rdf_class)), ns.RDF.type, ns.OWL.Class) in g, edge.type
            for _s, p, _o in edge.reified.links:
                assert (rdflib.URIRef(term(p)), ns.RDF.type, ns.OWL.ObjectProperty) in g, (edge.type, p)
    for node in NODE_TYPES.values():
        assert (rdflib.URIRef(term(node.rdf)), ns.RDF.type, ns.OWL.Class) in g, node.label


def test_a_term_the_ontology_does_not_declare_is_refused() -> None:
    with pytest.raises(AttributeError, match="'madeUp' is not declared in the ig: namespace"):
        term("ig:madeUp")
    with pytest.raises(AttributeError, match="unknown prefix 'foaf'"):
        term("foaf:name")


def test_row_only_terms_are_the_row_level_types_terms_only() -> None:
    rows = rdf_mapping.row_only_terms()
    assert {IG.Transaction, IG.Holding, IG.Footnote, IG.transacted, IG.footnotedBy, IG.row, IG.shares} <= rows
    # Shared with relationship facts (memberships cite filings too), so not row-only.
    assert not {IG.Directorship, PROV.wasDerivedFrom, IG.Filing, RDF.type} & rows


def test_shapes_parse_and_use_only_declared_terms() -> None:
    shapes = shapes_graph()
    assert len(set(shapes.subjects(ns.RDF.type, ns.SH.NodeShape))) >= 10
    undeclared = {str(t) for t in _ig_iris(shapes)} - declared_terms()
    assert not undeclared
    targets = {str(t) for t in shapes.objects(None, ns.SH.targetClass)}
    for cls in ("Person", "Company", "Filing", "Directorship", "OfficerRole", "TenPercentOwnership", "PowerOfAttorney"):
        assert IG[cls] in targets
