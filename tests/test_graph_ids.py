"""Node ids and their labels (``insidergraph.graph.ids``): every id the builder makes, and the errors."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from test_graph_golden import adversarial_filings

from insidergraph.backends import store_engines
from insidergraph.backends.ladybug.engine import write as write_ladybug
from insidergraph.graph import ids
from insidergraph.graph.build import build_graph
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES
from insidergraph.graph.store import Store
from insidergraph.graph.tables import GraphTables
from insidergraph.model import DerivativeRow, Filing, Issuer, ReportingOwner, Source


def test_every_node_id_the_builder_makes_names_its_table_and_every_edge_a_declared_pair() -> None:
    g = build_graph(adversarial_filings())
    for label in NODE_TYPES:
        column = g.to_arrow("nodes", label).column("id")
        assert len(column), label
        assert set(ids.labels(column).to_pylist()) == {label}
        assert {ids.label_of(i) for i in column.to_pylist()} == {label}
    for rel, edge in EDGE_TYPES.items():
        table = g.to_arrow("edges", rel)
        codes = ids.pair_codes(rel, table.column("src"), table.column("dst")).to_pylist()
        assert [edge.pairs[k] for k in codes] == [
            (ids.label_of(s), ids.label_of(d))
            for s, d in zip(table.column("src").to_pylist(), table.column("dst").to_pylist())]


def test_an_id_of_no_label_is_an_error_in_python_and_in_arrow() -> None:
    for bad in ("share/1", "person", "", "Person/1"):
        with pytest.raises(ids.UnknownIdError, match="no node id"):
            ids.label_of(bad)
    with pytest.raises(ids.UnknownIdError, match="'share/2'"):
        ids.labels(pa.chunked_array([["person/1"], ["share/2"]]))
    with pytest.raises(ids.UnknownIdError, match="None"):
        ids.labels(pa.array(["person/1", None]))
    with pytest.raises(ids.UnknownIdError, match="'person'"):
        ids.labels(pa.array(["person/1", "person"]))


def test_a_derivative_security_of_an_unresolved_issuer_is_derivative() -> None:
    # The id's issuer part has a slash of its own (company/n/<key>): the table tag is read from the row.
    f = Filing(accession="1", document_type="4", issuer=Issuer(cik=None, name="Nowhere Co"),
               source=Source(path="1.html", format="html"),
               reporting_owners=(ReportingOwner(cik=None, name="DOE JANE", display_name="Jane Doe", kind="person"),),
               derivative=(DerivativeRow(type="holding", security_title="Option", underlying_title="Common Stock"),))
    securities = build_graph([f]).to_arrow("nodes", "Security").to_pylist()
    assert [(s["id"], s["derivative"]) for s in securities] == [
        ("security/n/nowhere-co/d/option", True), ("security/n/nowhere-co/nd/common-stock", False)]


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "store")
    s.add([Filing(accession="1", document_type="4", issuer=Issuer(cik="0000000001", name="ACME CORP"),
                  source=Source(path="1.xml", format="xml"),
                  reporting_owners=(ReportingOwner(cik="0000000011", name="DOE JANE", display_name="Jane Doe",
                                                   kind="person"),))], engines=store_engines())
    return s


@pytest.mark.parametrize(("rel", "src", "dst", "message"), [
    ("FILED", "share/1", "filing/1", "'share/1' is no node id"),
    # A pair of labels the type does not join was once left out of the database silently.
    ("ABOUT", "person/1", "company/1", "ABOUT edge 'person/1' -> 'company/1': ABOUT joins no Person to a Company"),
])
def test_the_cypher_writer_refuses_an_edge_whose_ends_it_cannot_place(store: Store, rel: str, src: str, dst: str,
                                                                       message: str) -> None:
    tables = GraphTables.from_rows(
        {"Person": [{"id": "person/1"}], "Filing": [{"id": "filing/1"}], "Company": [{"id": "company/1"}]},
        {rel: [{"id": f"{src}|{dst}", "src": src, "dst": dst}]})
    with pytest.raises(ids.UnknownIdError, match=message.replace("|", r"\|")):
        write_ladybug(store, tables)


def test_the_cypher_writer_refuses_a_node_in_another_labels_table(store: Store) -> None:
    tables = GraphTables.from_rows({"Person": [{"id": "company/1"}]}, {})
    with pytest.raises(ids.UnknownIdError, match="'company/1' is in the Person table but is the id of a Company"):
        write_ladybug(store, tables)
