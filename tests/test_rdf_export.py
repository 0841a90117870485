"""RDF exports: every format re-parses, conforms to the SHACL shapes, round-trips the graph's
counts, uses only declared terms, and is byte-identical from run to run."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib

from insidergraph.errors import ExportError
from insidergraph.graph import export_rdf, rdf_emit, rdf_ntriples
from insidergraph.graph.exporters import EXPORTERS, export
from insidergraph.graph.rdf_mapping import term
from insidergraph.graph.schema import EDGE_TYPES, ROLE_TYPES
from insidergraph.graph.tables import GraphTables
from insidergraph.ontology import GRAPH_NS, IG, IG_NS, ORG, PROV, RDF, TIME, declared_terms, node_iri, shapes_graph

RDF_FORMATS = sorted(e.name for e in {id(e): e for e in EXPORTERS.values()}.values() if e.kind == "rdf")
RDFLIB_FORMAT = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml", "trig": "trig",
                 "nquads": "nquads"}
QUAD_FORMATS = {"trig", "nquads"}
ROLE_CLASS = {"DIRECTOR_OF": "Directorship", "OFFICER_OF": "OfficerRole",
              "TEN_PERCENT_OWNER_OF": "TenPercentOwnership", "OTHER_RELATION_TO": "OtherRelation"}

ACC1, ACC2 = "0001209191-20-000001", "0001209191-20-000002"
F1, F2 = f"filing/{ACC1}", f"filing/{ACC2}"
BOTHA, JANE, GOOG, SEQ = "person/0001222287", "person/n/jane-q-doe", "company/0001288776", "company/0001325702"


def small_graph() -> GraphTables:
    """A hand-made graph with every node label and edge type, amounts given exactly."""
    span = {"first_period": date(2020, 1, 2), "last_period": date(2021, 3, 4), "accessions": [ACC1, ACC2],
            "filing_count": 2}
    row = {"table": "non_derivative", "security_title": "Class A Common Stock", "transaction_code": "S",
           "acquired_disposed": "D", "direct_indirect": "I"}
    return GraphTables.from_rows(
        {
            "Person": [
                {"id": BOTHA, "cik": "0001222287", "name": "Roelof Botha", "aliases": ["BOTHA ROELOF", "Roelof Botha"],
                 "name_key": "botha roelof", "unresolved": False},
                {"id": JANE, "name": "Jane Q. Doe", "name_key": "doe jane"},
            ],
            "Company": [
                {"id": GOOG, "cik": "0001288776", "name": "Google Inc.", "ticker": "GOOG", "is_issuer": True,
                 "is_owner": False},
                {"id": SEQ, "cik": "0001325702", "name": "Sequoia Capital", "is_issuer": False, "is_owner": True},
            ],
            "Security": [
                {"id": "security/0001288776/class-a", "issuer_id": GOOG, "title": "Class A Common Stock",
                 "derivative": False},
                {"id": "security/0001288776/option", "issuer_id": GOOG, "title": "Stock Option (right to buy)",
                 "derivative": True},
            ],
            "Filing": [
                {"id": F1, "accession": ACC1, "document_type": "4", "period_of_report": date(2020, 1, 2),
                 "signature_date": date(2020, 1, 3), "aff10b5one": True, "source_format": "xml"},
                {"id": F2, "accession": ACC2, "document_type": "4/A", "period_of_report": date(2021, 3, 4),
                 "date_of_original_submission": date(2021, 3, 5), "remarks": "See <Exhibit 24> & \"notes\""},
            ],
            "Transaction": [
                {"id": f"transaction/{ACC1}/nd/1", "filing_id": F1, "seq": 1, "transaction_date": date(2020, 1, 2),
                 "shares": "1000", "price_per_share": "1234.5678901234567890123", "shares_owned_following": "0.000001",
                 **row},
                {"id": f"transaction/{ACC2}/nd/1", "filing_id": F2, "seq": 1, "shares": "2E+3",
                 "price_per_share": "-0.50", **row},
            ],
            "Holding": [
                {"id": f"holding/{ACC2}/d/1", "filing_id": F2, "table": "derivative", "seq": 1,
                 "exercise_price": "12.30", "expiration_date": date(2030, 1, 1), "underlying_shares": "500",
                 "superseded": True},
            ],
            "Footnote": [{"id": f"footnote/{ACC1}/F1", "filing_id": F1, "footnote_id": "F1",
                          "text": "Held by Sequoia Capital funds.\nLine two."}],
        },
        {
            "DIRECTOR_OF": [{"id": f"{BOTHA}|{GOOG}", "src": BOTHA, "dst": GOOG, **span}],
            "OFFICER_OF": [{"id": f"{BOTHA}|{GOOG}|partner", "src": BOTHA, "dst": GOOG, "title": "Partner", **span}],
            "TEN_PERCENT_OWNER_OF": [{"id": f"{SEQ}|{GOOG}", "src": SEQ, "dst": GOOG, **span}],
            "OTHER_RELATION_TO": [{"id": f"{SEQ}|{GOOG}|member-of-group", "src": SEQ, "dst": GOOG,
                                   "text": "Member of 13(d) group", "accessions": [ACC1], "filing_count": 1}],
            "ATTORNEY_IN_FACT_FOR": [{"id": f"{JANE}|{BOTHA}", "src": JANE, "dst": BOTHA,
                                      "first_date": date(2020, 1, 3), "last_date": date(2021, 3, 5),
                                      "accessions": [ACC1, ACC2], "filing_count": 2}],
            "SIGNED": [
                {"id": f"{JANE}|{F1}|1", "src": JANE, "dst": F1, "date": date(2020, 1, 3),
                 "text": "/s/ Jane Q. Doe, attorney-in-fact", "attorney_in_fact": True},
                {"id": f"{BOTHA}|{F2}|1", "src": BOTHA, "dst": F2, "date": date(2021, 3, 5),
                 "text": "/s/ Roelof Botha", "attorney_in_fact": False},
            ],
            "FILED": [{"id": f"{BOTHA}|{F1}", "src": BOTHA, "dst": F1}, {"id": f"{SEQ}|{F2}", "src": SEQ, "dst": F2}],
            "ABOUT": [{"id": f"{F1}|{GOOG}", "src": F1, "dst": GOOG}, {"id": f"{F2}|{GOOG}", "src": F2, "dst": GOOG}],
            "ISSUED_BY": [{"id": "security/0001288776/class-a|" + GOOG, "src": "security/0001288776/class-a",
                           "dst": GOOG}],
            "CONVERTS_INTO": [{"id": "o|a", "src": "security/0001288776/option", "dst": "security/0001288776/class-a"}],
            "AMENDS": [{"id": f"{F2}|{F1}", "src": F2, "dst": F1}],
            "TRANSACTED": [{"id": "t1", "src": BOTHA, "dst": f"transaction/{ACC1}/nd/1"},
                           {"id": "t2", "src": SEQ, "dst": f"transaction/{ACC2}/nd/1"}],
            "HOLDS": [{"id": "h1", "src": SEQ, "dst": f"holding/{ACC2}/d/1"}],
            "IN_SECURITY": [{"id": "s1", "src": f"transaction/{ACC1}/nd/1", "dst": "security/0001288776/class-a"}],
            "REPORTED_IN": [{"id": "r1", "src": f"transaction/{ACC1}/nd/1", "dst": F1},
                            {"id": "r2", "src": f"holding/{ACC2}/d/1", "dst": F2}],
            "HAS_FOOTNOTE": [{"id": "hf1", "src": F1, "dst": f"footnote/{ACC1}/F1"}],
            "FOOTNOTED_BY": [{"id": "fb1", "src": f"transaction/{ACC1}/nd/1", "dst": f"footnote/{ACC1}/F1",
                              "field": "shares_owned_following"}],
        },
    )


def _export(tables: GraphTables, fmt: str) -> bytes:
    buf = io.BytesIO()
    export(tables, fmt, buf)
    return buf.getvalue()


def _rdflib(data: bytes, fmt: str) -> rdflib.Graph:
    if fmt in QUAD_FORMATS:
        ds = rdflib.Dataset()
        ds.parse(data=data, format=RDFLIB_FORMAT[fmt])
        merged = rdflib.Graph()
        for s, p, o, _g in ds.quads((None, None, None, None)):
            merged.add((s, p, o))
        return merged
    return rdflib.Graph().parse(data=data, format=RDFLIB_FORMAT[fmt])


def _count(g: rdflib.Graph, cls: str) -> int:
    return len(set(g.subjects(rdflib.RDF.type, rdflib.URIRef(cls))))


def _shacl(g: rdflib.Graph) -> tuple[bool, str]:
    conforms, _report, text = pyshacl.validate(g, shacl_graph=shapes_graph(), advanced=True)
    return bool(conforms), str(text)


def _check_round_trip(tables: GraphTables, g: rdflib.Graph) -> None:
    counts = tables.counts()
    for label in ("Person", "Company", "Security", "Filing", "Transaction", "Holding", "Footnote"):
        assert _count(g, IG[label]) == counts["nodes"][label], label
    for rel in ROLE_TYPES:
        assert _count(g, IG[ROLE_CLASS[rel]]) == counts["edges"][rel], rel
    attorney = tables.edges["ATTORNEY_IN_FACT_FOR"]
    assert _count(g, IG.PowerOfAttorney) == len(attorney)
    direct = {(str(s), str(o)) for s, o in g.subject_objects(rdflib.URIRef(PROV.actedOnBehalfOf))}
    assert direct == {(node_iri(s), node_iri(d)) for s, d in zip(attorney["src"], attorney["dst"])}


def _ig_terms(g: rdflib.Graph) -> set[str]:
    return {str(t) for triple in g for t in triple if isinstance(t, rdflib.URIRef) and str(t).startswith(IG_NS)}


# ------------------------------------------------------------------ on a small hand-made graph


@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_every_rdf_format_writes_and_parses_back_to_the_same_triples(fmt: str) -> None:
    tables = small_graph()
    reference = _rdflib(_export(tables, "ntriples"), "ntriples")
    parsed = _rdflib(_export(tables, fmt), fmt)
    assert len(parsed) == len(reference) > 150
    assert set(parsed) == set(reference)


def test_small_graph_round_trips_counts_and_conforms_to_the_shapes() -> None:
    tables = small_graph()
    g = _rdflib(_export(tables, "turtle"), "turtle")
    _check_round_trip(tables, g)
    conforms, report = _shacl(g)
    assert conforms, report


def test_every_predicate_and_class_emitted_is_declared_in_the_ontology() -> None:
    g = _rdflib(_export(small_graph(), "turtle"), "turtle")
    predicates = {str(p) for p in g.predicates()}
    classes = {str(c) for c in g.objects(None, rdflib.RDF.type)}
    assert predicates and classes
    assert not (predicates | classes | _ig_terms(g)) - declared_terms()


def test_shapes_reject_a_broken_graph() -> None:
    g = _rdflib(_export(small_graph(), "turtle"), "turtle")
    person = rdflib.URIRef(node_iri(BOTHA))
    g.add((person, rdflib.RDFS.label, rdflib.Literal("Botha Roelof")))  # a second label
    g.set((person, rdflib.URIRef(IG.cik), rdflib.Literal("1222287")))  # CIK without its zeros
    membership = rdflib.URIRef(node_iri(f"directorship/{BOTHA}|{GOOG}"))
    g.remove((membership, rdflib.URIRef(PROV.wasDerivedFrom), None))  # a role that cites no filing
    g.set((rdflib.URIRef(node_iri(F1)), rdflib.URIRef(IG.documentType), rdflib.Literal("10-K")))
    conforms, report = _shacl(g)
    assert not conforms
    for needle in ("MaxCount", "Pattern", "MinCount", "In"):
        assert f"{needle}ConstraintComponent" in report, needle


def test_shapes_reject_a_power_of_attorney_without_the_direct_delegation() -> None:
    g = _rdflib(_export(small_graph(), "turtle"), "turtle")
    g.remove((rdflib.URIRef(node_iri(JANE)), rdflib.URIRef(PROV.actedOnBehalfOf), None))
    conforms, report = _shacl(g)
    assert not conforms and "actedOnBehalfOf" in report


def test_amounts_are_exact_decimals_and_dates_xsd_dates() -> None:
    g = _rdflib(_export(small_graph(), "turtle"), "turtle")
    tx = rdflib.URIRef(node_iri(f"transaction/{ACC1}/nd/1"))
    price = g.value(tx, rdflib.URIRef(IG.pricePerShare))
    assert price.datatype == rdflib.XSD.decimal
    assert Decimal(str(price)) == Decimal("1234.5678901234567890123")
    assert Decimal(str(g.value(tx, rdflib.URIRef(IG.sharesOwnedFollowing)))) == Decimal("0.000001")
    later = rdflib.URIRef(node_iri(f"transaction/{ACC2}/nd/1"))
    shares = g.value(later, rdflib.URIRef(IG.shares))
    assert shares.datatype == rdflib.XSD.decimal and Decimal(str(shares)) == Decimal(2000)
    day = g.value(tx, rdflib.URIRef(IG.transactionDate))
    assert day.datatype == rdflib.XSD.date and day.toPython() == date(2020, 1, 2)


def test_membership_carries_interval_role_and_provenance() -> None:
    g = _rdflib(_export(small_graph(), "turtle"), "turtle")
    m = rdflib.URIRef(node_iri(f"directorship/{BOTHA}|{GOOG}"))
    uri = rdflib.URIRef
    assert g.value(m, uri(ORG.member)) == uri(node_iri(BOTHA))
    assert g.value(m, uri(ORG.organization)) == uri(node_iri(GOOG))
    assert g.value(m, uri(ORG.role)) == uri(IG.director)
    interval = g.value(m, uri(ORG.memberDuring))
    begin = g.value(g.value(interval, uri(TIME.hasBeginning)), uri(TIME.inXSDDate))
    end = g.value(g.value(interval, uri(TIME.hasEnd)), uri(TIME.inXSDDate))
    assert (begin.toPython(), end.toPython()) == (date(2020, 1, 2), date(2021, 3, 4))
    assert set(g.objects(m, uri(PROV.wasDerivedFrom))) == {uri(node_iri(F1)), uri(node_iri(F2))}
    # The same span as plain dates on the membership, and the director shortcut beside it.
    span = (g.value(m, uri(IG.spanStart)).toPython(), g.value(m, uri(IG.spanEnd)).toPython())
    assert span == (begin.toPython(), end.toPython())
    assert set(g.objects(uri(node_iri(BOTHA)), uri(IG.directorOf))) == {uri(node_iri(GOOG))}
    officer = uri(node_iri(f"officer-role/{BOTHA}|{GOOG}|partner"))
    assert g.value(officer, uri(IG.spanStart)).toPython() == date(2020, 1, 2)
    # Other roles get no shortcut, and a role without dates no span.
    assert len(set(g.subject_objects(uri(IG.directorOf)))) == 1
    other = uri(node_iri(f"other-relation/{SEQ}|{GOOG}|member-of-group"))
    assert g.value(other, uri(IG.spanStart)) is None and g.value(other, uri(IG.spanEnd)) is None


def test_shapes_reject_a_director_shortcut_without_its_directorship_and_the_reverse() -> None:
    uri = rdflib.URIRef
    g = _rdflib(_export(small_graph(), "turtle"), "turtle")
    g.add((uri(node_iri(JANE)), uri(IG.directorOf), uri(node_iri(GOOG))))
    conforms, report = _shacl(g)
    assert not conforms and "without an ig:Directorship" in report
    g = _rdflib(_export(small_graph(), "turtle"), "turtle")
    g.remove((uri(node_iri(BOTHA)), uri(IG.directorOf), None))
    conforms, report = _shacl(g)
    assert not conforms and "without the ig:directorOf shortcut" in report


def test_named_graphs_put_filing_facts_in_their_filing_and_aggregates_in_entities() -> None:
    store = ox.Store()
    store.extend(export_rdf.to_quads(small_graph()))
    graphs = {g.value for g in store.named_graphs()}
    assert graphs == {GRAPH_NS + "entities", GRAPH_NS + F1, GRAPH_NS + F2}
    tx = ox.NamedNode(node_iri(f"transaction/{ACC1}/nd/1"))
    assert {q.graph_name.value for q in store.quads_for_pattern(tx, None, None)} == {GRAPH_NS + F1}
    membership = ox.NamedNode(node_iri(f"directorship/{BOTHA}|{GOOG}"))
    assert {q.graph_name.value for q in store.quads_for_pattern(membership, None, None)} == {GRAPH_NS + "entities"}
    # The union of the named graphs is the whole graph the triple formats write.
    assert len(store) == len(list(export_rdf.to_triples(small_graph())))


def _triple_set(triples: Iterable[ox.Triple | ox.Quad]) -> set[tuple[object, object, object]]:
    return {(t.subject, t.predicate, t.object) for t in triples}


def _ntriples_text(tables: GraphTables, batch_rows: int = rdf_ntriples.NT_BATCH_ROWS) -> bytes:
    return rdf_ntriples.NTriplesReader(tables, batch_rows).read()


def test_ntriples_text_states_the_same_triples_as_the_export() -> None:
    tables = small_graph()
    # Values that need escaping or percent-encoding, and an amount in exponent notation.
    tables.nodes["Filing"].loc[0, "remarks"] = 'a "quoted" back\\slash\nnew line\r\x0cform feed, caf\u00e9'
    tables.nodes["Person"].loc[1, "name"] = "Jane \"Q\" Doe"
    tables = GraphTables.from_rows(
        {label: df.to_dict("records") for label, df in tables.nodes.items()}
        | {"Company": [*tables.nodes["Company"].to_dict("records"),
                       {"id": "company/n/acme & co ltd%", "name": "Acme"}]},
        {rel: df.to_dict("records") for rel, df in tables.edges.items()},
    )
    text = _ntriples_text(tables, batch_rows=1)  # one row per batch: batch seams change nothing
    got = _triple_set(ox.parse(text, ox.RdfFormat.N_TRIPLES))
    assert got == _triple_set(export_rdf.to_triples(tables))
    assert ox.NamedNode(node_iri("company/n/acme & co ltd%")) in {s for s, _p, _o in got}


def test_ntriples_text_refuses_duplicate_ids_like_the_export() -> None:
    tables = small_graph()
    tables.nodes["Person"].loc[1, "id"] = BOTHA
    with pytest.raises(ExportError, match="duplicate ids"):
        _ntriples_text(tables)


def test_the_emitter_yields_one_predicate_and_datatype_per_batch_and_no_nulls() -> None:
    batches = list(rdf_emit.triples(small_graph(), graphs=True))
    assert batches and all(b.schema == rdf_emit.TRIPLE_SCHEMA for b in batches)
    for b in batches:
        assert not any(b.column(c).null_count for c in ("s", "o", "g"))
        assert len(b.column("p").unique()) == len(b.column("datatype").unique()) == 1
    # Without graphs asked for, the same triples with ``g`` left null.
    plain = list(rdf_emit.triples(small_graph()))
    assert sum(b.num_rows for b in plain) == sum(b.num_rows for b in batches)
    assert all(b.column("g").null_count == b.num_rows for b in plain)


def test_every_reified_link_the_schema_declares_is_stated_for_every_edge() -> None:
    tables = small_graph()
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in export_rdf.to_triples(tables)}
    checked = 0
    for rel, edge in EDGE_TYPES.items():
        if edge.reified is None:
            continue
        for row in tables.edges[rel].to_dict("records"):
            ends = {"node": node_iri(f"{edge.reified.segment}/{row['id']}"),
                    "src": node_iri(row["src"]), "dst": node_iri(row["dst"])}
            assert (ends["node"], RDF.type, term(edge.reified.rdf_class)) in triples
            for s, p, o in edge.reified.links:
                assert (ends[s], term(p), ends.get(o) or term(o)) in triples, (rel, s, p, o)
                checked += 1
            if edge.rdf:
                assert (ends["src"], term(edge.rdf), ends["dst"]) in triples
    assert checked > 20


def test_named_graphs_follow_the_schemas_graph_rules() -> None:
    tables = small_graph()
    graph_of = {(s, p, o): g for g, s, p, o, _dt in export_rdf.statements(tables)}
    filings = {f: GRAPH_NS + f for f in tables.nodes["Filing"]["id"]}
    row_filing = {i: f for label in ("Transaction", "Holding", "Footnote")
                  for i, f in zip(tables.nodes[label]["id"], tables.nodes[label]["filing_id"])}
    for rel, edge in EDGE_TYPES.items():
        if not edge.rdf:
            continue
        for src, dst in zip(tables.edges[rel]["src"], tables.edges[rel]["dst"]):
            end, _, column = edge.graph.partition(".")
            want = GRAPH_NS + "entities" if edge.graph == "entities" else filings[
                row_filing[{"src": src, "dst": dst}[end]] if column else {"src": src, "dst": dst}[end]]
            assert graph_of[(node_iri(src), term(edge.rdf), node_iri(dst))] == want, rel


def test_rdf_exports_refuse_other_views() -> None:
    with pytest.raises(ExportError, match="full"):
        export_rdf.write_turtle(small_graph(), io.BytesIO(), "interlocks")


def test_duplicate_ids_are_refused_not_merged() -> None:
    tables = small_graph()
    officer = tables.edges["OFFICER_OF"]
    twice = officer.iloc[[0, 0]].reset_index(drop=True)
    twice.loc[1, "title"] = "Managing Partner"
    tables.edges["OFFICER_OF"] = twice
    with pytest.raises(ExportError, match="OFFICER_OF has duplicate ids"):
        export_rdf.write_turtle(tables, io.BytesIO(), "full")


def test_rdfxml_refuses_values_xml_cannot_carry_while_turtle_escapes_them() -> None:
    tables = small_graph()
    tables.nodes["Filing"].loc[0, "remarks"] = "page\x0cbreak"
    with pytest.raises(ExportError, match="control character"):
        export_rdf.write_rdfxml(tables, io.BytesIO(), "full")
    g = _rdflib(_export(tables, "turtle"), "turtle")
    assert rdflib.Literal("page\x0cbreak") in set(g.objects(rdflib.URIRef(node_iri(F1)), rdflib.URIRef(IG.remarks)))


def test_no_quad_formats_leak_graphs_into_triple_formats() -> None:
    assert b"/graph/" not in _export(small_graph(), "turtle")
    assert (GRAPH_NS + "entities").encode() in _export(small_graph(), "nquads")


# ------------------------------------------------------------------ on the real corpus


@pytest.fixture(scope="session")
def corpus_tables(corpus: Path) -> GraphTables:
    from insidergraph.graph.build import build_graph
    from insidergraph.loaders.xml import parse

    return build_graph(parse(p) for p in sorted((corpus / "xml").glob("*.xml")))


@pytest.fixture(scope="session")
def corpus_turtle(corpus_tables: GraphTables) -> bytes:
    return _export(corpus_tables, "turtle")


@pytest.fixture(scope="session")
def corpus_rdflib(corpus_turtle: bytes) -> rdflib.Graph:
    return rdflib.Graph().parse(data=corpus_turtle, format="turtle")


def test_corpus_turtle_round_trips_the_graphs_counts(corpus_tables: GraphTables, corpus_rdflib: rdflib.Graph) -> None:
    assert len(corpus_rdflib) > 100_000
    _check_round_trip(corpus_tables, corpus_rdflib)


def test_corpus_turtle_conforms_to_the_shapes(corpus_rdflib: rdflib.Graph) -> None:
    conforms, report = _shacl(corpus_rdflib)
    assert conforms, report[:5000]


def test_corpus_export_uses_only_declared_terms(corpus_rdflib: rdflib.Graph) -> None:
    used = {str(p) for p in corpus_rdflib.predicates()} | {str(c) for c in corpus_rdflib.objects(None, rdflib.RDF.type)}
    assert not (used | _ig_terms(corpus_rdflib)) - declared_terms()


def test_corpus_amounts_survive_exactly(corpus_tables: GraphTables, corpus_rdflib: rdflib.Graph) -> None:
    df = corpus_tables.nodes["Transaction"]
    expected = {(node_iri(i), Decimal(str(v))) for i, v in zip(df["id"], df["price_per_share"]) if v is not None}
    got = {(str(s), Decimal(str(o))) for s, o in corpus_rdflib.subject_objects(rdflib.URIRef(IG.pricePerShare))
           if "/transaction/" in str(s)}
    assert len(expected) > 1000 and got == expected


@pytest.fixture(scope="session")
def corpus_store(corpus_tables: GraphTables) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(export_rdf.to_quads(corpus_tables))
    return store


def test_corpus_ntriples_text_states_exactly_the_exported_triples(corpus_tables: GraphTables) -> None:
    # The embedded SPARQL store is loaded from this text; to_triples is the reference.
    text = _triple_set(ox.parse(_ntriples_text(corpus_tables), ox.RdfFormat.N_TRIPLES))
    assert len(text) > 100_000 and text == _triple_set(export_rdf.to_triples(corpus_tables))


def test_corpus_sparql_finds_botha_on_seven_boards_with_provenance(corpus_store: ox.Store) -> None:
    query = f"""
        PREFIX org: <http://www.w3.org/ns/org#> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT (COUNT(DISTINCT ?company) AS ?n) (COUNT(DISTINCT ?filing) AS ?f) WHERE {{
            ?m a <{IG.Directorship}> ; org:member <{node_iri(BOTHA)}> ; org:organization ?company ;
               prov:wasDerivedFrom ?filing .
            ?filing a <{IG.Filing}> .
        }}"""
    row = next(iter(corpus_store.query(query, use_default_graph_as_union=True)))
    assert int(row["n"].value) >= 7
    assert int(row["f"].value) >= int(row["n"].value)


def test_corpus_reid_hoffman_has_several_attorneys_in_fact(corpus_store: ox.Store) -> None:
    query = f"""
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT DISTINCT ?attorney WHERE {{
            ?hoffman <http://www.w3.org/2000/01/rdf-schema#label> ?name . FILTER(CONTAINS(LCASE(?name), "hoffman"))
            ?attorney prov:actedOnBehalfOf ?hoffman ; prov:qualifiedDelegation ?poa .
            ?poa a <{IG.PowerOfAttorney}> ; prov:agent ?hoffman ; <{IG.attorney}> ?attorney .
        }}"""
    assert len(list(corpus_store.query(query, use_default_graph_as_union=True))) >= 2


def test_corpus_trig_has_a_graph_per_filing(corpus_tables: GraphTables) -> None:
    store = ox.Store()
    store.load(_export(corpus_tables, "trig"), ox.RdfFormat.TRIG)
    graphs = {g.value for g in store.named_graphs()}
    filings = corpus_tables.nodes["Filing"]["id"].tolist()
    assert graphs == {GRAPH_NS + "entities"} | {GRAPH_NS + f for f in filings}
    rdf_type, filing_cls = ox.NamedNode(RDF.type), ox.NamedNode(IG.Filing)
    for q in store.quads_for_pattern(None, rdf_type, filing_cls):
        assert q.graph_name.value == GRAPH_NS + q.subject.value.split("/id/", 1)[1]


_EXPORT_SCRIPT = """
import hashlib, io, sys
from pathlib import Path
from insidergraph.graph.build import build_graph
from insidergraph.graph.exporters import export
from insidergraph.loaders.xml import parse
tables = build_graph(parse(p) for p in sorted(Path(sys.argv[1]).glob("*.xml")))
for fmt in ("turtle", "trig"):
    buf = io.BytesIO(); export(tables, fmt, buf); print(fmt, hashlib.sha256(buf.getvalue()).hexdigest())
"""


def test_corpus_exports_are_byte_identical_across_runs(corpus: Path, corpus_tables: GraphTables,
                                                       corpus_turtle: bytes) -> None:
    # Another process with another hash seed: set and dict order must not leak into the bytes.
    seed = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
    env = {**os.environ, "PYTHONHASHSEED": seed}
    run = subprocess.run([sys.executable, "-c", _EXPORT_SCRIPT, str(corpus / "xml")], env=env, capture_output=True,
                         text=True, check=True)
    assert f"turtle {hashlib.sha256(corpus_turtle).hexdigest()}" in run.stdout
    assert f"trig {hashlib.sha256(_export(corpus_tables, 'trig')).hexdigest()}" in run.stdout
