"""Visualization exports: GraphML, GEXF and Cytoscape.js read back, bytes are stable,
interlock weights are right, and the interactive page really draws in Chromium."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

import lxml.html
import networkx as nx
import pytest
from browser import find_chromium, render

from insidergraph.errors import ExportError
from insidergraph.graph.export_viz import write_cytoscape, write_gexf, write_html
from insidergraph.graph.exporters import EXPORTERS, VIEWS, export
from insidergraph.graph.tables import GraphTables
from insidergraph.graph.views import view_graph

YELP = "company/0001345016"
AFFIRM = "company/0001820953"
OTHER = "company/0000000009"
LEVCHIN = "person/0001539853"
RABOIS = "person/0001539865"
DOE = "person/0000000001"
ROE = "person/0000000002"

XML_READERS: dict[str, Callable[[io.BytesIO], nx.Graph]] = {"graphml": nx.read_graphml, "gexf": nx.read_gexf}
VISUAL = sorted(name for name, e in EXPORTERS.items() if e.kind == "visual")


def _span(eid: str, src: str, dst: str, **extra: Any) -> dict[str, Any]:
    row = {"id": eid, "src": src, "dst": dst, "first_period": dt.date(2012, 3, 1), "last_period": dt.date(2013, 5, 28)}
    row.update(accessions=["0001209191-12-014769", "0001209191-13-029698"], filing_count=2, **extra)
    return row


@pytest.fixture(scope="module")
def small() -> GraphTables:
    """Two issuers sharing two directors, a third sharing one; officers and owners that must not interlock."""
    people = [
        {"id": LEVCHIN, "cik": "0001539853", "name": "Levchin Max R", "aliases": ["Levchin Max R", "Max R Levchin"]},
        {"id": RABOIS, "cik": "0001539865", "name": "Rabois Keith", "aliases": ["Rabois Keith"]},
        # Markup in a name must reach the page as text, never end the embedded JSON.
        {"id": DOE, "cik": "0000000001", "name": "Doe </script><b>Jane</b>", "aliases": []},
        {"id": ROE, "cik": "0000000002", "name": "Roe Rick"},
    ]
    companies = [
        {"id": YELP, "cik": "0001345016", "name": "YELP INC", "ticker": "YELP", "is_issuer": True},
        {"id": AFFIRM, "cik": "0001820953", "name": "Affirm Holdings, Inc.", "ticker": "AFRM", "is_issuer": True},
        {"id": OTHER, "cik": "0000000009", "name": "Other Co", "ticker": "OTH", "is_issuer": True},
    ]
    edges = {
        "DIRECTOR_OF": [
            _span("d1", LEVCHIN, YELP),
            _span("d2", LEVCHIN, AFFIRM),
            _span("d3", RABOIS, YELP),
            _span("d4", RABOIS, AFFIRM),
            _span("d5", RABOIS, OTHER),
            _span("d6", DOE, OTHER),
        ],
        # Roe is an officer of two issuers and Doe a 10% owner of two: neither is an interlock.
        "OFFICER_OF": [_span("o1", ROE, OTHER, title="CEO"), _span("o2", ROE, YELP, title="CFO")],
        "TEN_PERCENT_OWNER_OF": [_span("t1", DOE, YELP), _span("t2", DOE, AFFIRM)],
        "ATTORNEY_IN_FACT_FOR": [
            {"id": "a1", "src": ROE, "dst": DOE, "first_date": dt.date(2020, 1, 1), "accessions": ["x"],
             "filing_count": 1}
        ],
        "FILED": [{"id": "f1", "src": DOE, "dst": "filing/x"}],
        "ABOUT": [{"id": "b1", "src": "filing/x", "dst": OTHER}],
    }
    nodes = {
        "Person": people,
        "Company": companies,
        "Filing": [{"id": "filing/x", "accession": "x", "document_type": "4", "filing_date": dt.date(2020, 1, 2)}],
    }
    return GraphTables.from_rows(nodes, edges)


@pytest.fixture(scope="module")
def xml_files(corpus: Path) -> list[Path]:
    return sorted((corpus / "xml").glob("*.xml"))


@pytest.fixture(scope="module")
def corpus_graph(xml_files: list[Path]) -> GraphTables:
    from insidergraph.graph.build import build_graph
    from insidergraph.loaders.xml import parse

    return build_graph(parse(p) for p in xml_files)


def _write(writer: Callable[[GraphTables, Any, str], None], tables: GraphTables, view: str) -> bytes:
    buf = io.BytesIO()
    writer(tables, buf, view)
    return buf.getvalue()


# --- views ---------------------------------------------------------------------------


def test_interlock_weight_counts_shared_directors_only(small: GraphTables) -> None:
    g = view_graph(small, "interlocks")
    assert not g.is_directed()
    weights = {tuple(sorted((a, b))): d["weight"] for a, b, d in g.edges(data=True)}
    # Officer Roe (Yelp, Other) and 10% owner Doe (Yelp, Affirm) add nothing.
    assert weights == {(YELP, AFFIRM): 2, (OTHER, YELP): 1, (OTHER, AFFIRM): 1}
    assert g.edges[YELP, AFFIRM]["directors"] == "Levchin Max R; Rabois Keith"
    assert g.edges[YELP, AFFIRM]["director_ids"] == f"{LEVCHIN}; {RABOIS}"
    assert g.nodes[OTHER]["board_size"] == 2 and g.nodes[YELP]["weighted_degree"] == 3


def test_people_issuers_keeps_roles_and_attorneys_only(small: GraphTables) -> None:
    g = view_graph(small, "people-issuers")
    assert {d["type"] for _, d in g.nodes(data=True)} == {"Person", "Company"}
    assert g.number_of_nodes() == 7
    assert sorted(d["relationship"] for _, _, d in g.edges(data=True)) == sorted(
        ["DIRECTOR_OF"] * 6 + ["OFFICER_OF"] * 2 + ["TEN_PERCENT_OWNER_OF"] * 2 + ["ATTORNEY_IN_FACT_FOR"]
    )


def test_full_view_attributes_are_scalars_for_graphml_and_gexf(small: GraphTables) -> None:
    g = view_graph(small, "full")
    assert g.number_of_nodes() == 8 and g.number_of_edges() == 13
    yelp = g.nodes[YELP]
    assert (yelp["label"], yelp["type"], yelp["ticker"], yelp["cik"], yelp["degree"]) == (
        "YELP INC", "Company", "YELP", "0001345016", 4
    )
    assert g.nodes[LEVCHIN]["aliases"] == "Levchin Max R; Max R Levchin"
    assert "aliases" not in g.nodes[DOE]  # an empty list is absent, not ""
    d1 = g.edges[LEVCHIN, YELP, "DIRECTOR_OF:d1"]
    assert d1["first_period"] == "2012-03-01" and d1["accessions"] == "0001209191-12-014769; 0001209191-13-029698"
    for _, data in g.nodes(data=True):
        assert all(isinstance(v, (str, int, bool)) for v in data.values())
    for *_, data in g.edges(data=True, keys=True):
        assert all(isinstance(v, (str, int, bool)) for v in data.values())


def test_dangling_edge_is_an_error_not_a_bare_node() -> None:
    tables = GraphTables.from_rows({}, {"FILED": [{"id": "f", "src": "person/1", "dst": "filing/1"}]})
    with pytest.raises(ExportError, match="person/1"):
        view_graph(tables, "full")


def test_edges_of_two_types_may_share_a_table_id() -> None:
    """A director who is also a 10% owner: both edges are ``src|dst`` in their own tables."""
    nodes = {"Person": [{"id": DOE, "name": "Doe"}], "Company": [{"id": YELP, "name": "YELP INC"}]}
    both = {rel: [{"id": f"{DOE}|{YELP}", "src": DOE, "dst": YELP}] for rel in ("DIRECTOR_OF", "TEN_PERCENT_OWNER_OF")}
    g = view_graph(GraphTables.from_rows(nodes, both), "people-issuers")
    assert g.number_of_edges() == 2
    ids = [e.get("id") for e in ET.fromstring(_write(write_gexf, GraphTables.from_rows(nodes, both), "full")).iter()
           if e.tag.endswith("}edge")]
    assert len(ids) == len(set(ids)) == 2


def test_duplicate_edge_id_within_a_type_is_an_error() -> None:
    nodes = {"Person": [{"id": DOE, "name": "Doe"}], "Company": [{"id": YELP, "name": "YELP INC"}]}
    dup = {"OFFICER_OF": [{"id": "o", "src": DOE, "dst": YELP, "title": t} for t in ("EVP, CFO", "EVP & CFO")]}
    with pytest.raises(ExportError, match="share the id o"):
        view_graph(GraphTables.from_rows(nodes, dup), "full")


def test_unknown_view_is_refused(small: GraphTables) -> None:
    with pytest.raises(ExportError, match="unknown view"):
        export(small, "graphml", io.BytesIO(), view="boards")


# --- file formats --------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("fmt", sorted(XML_READERS))
def test_xml_formats_read_back_with_the_same_counts(small: GraphTables, fmt: str, view: str) -> None:
    expected = view_graph(small, view)
    back = XML_READERS[fmt](io.BytesIO(_write(EXPORTERS[fmt].writer(), small, view)))
    assert (back.number_of_nodes(), back.number_of_edges()) == (expected.number_of_nodes(), expected.number_of_edges())
    assert set(back.nodes) == set(expected.nodes)
    label = back.nodes[YELP].get("label", YELP)
    assert (label, back.nodes[YELP]["type"], back.nodes[YELP]["ticker"]) == ("YELP INC", "Company", "YELP")


def test_gexf_has_no_date_stamp(small: GraphTables) -> None:
    root = ET.fromstring(_write(write_gexf, small, "full"))
    namespace = root.tag.partition("}")[0] + "}"
    meta = root.find(f"{namespace}meta")
    assert meta is not None and "lastmodifieddate" not in meta.attrib


def test_interlock_weight_survives_graphml_and_gexf(small: GraphTables) -> None:
    for fmt, reader in XML_READERS.items():
        back = reader(io.BytesIO(_write(EXPORTERS[fmt].writer(), small, "interlocks")))
        assert float(back.edges[YELP, AFFIRM]["weight"]) == 2.0, fmt


@pytest.mark.parametrize("view", VIEWS)
def test_cytoscape_json_round_trips_through_networkx(small: GraphTables, view: str) -> None:
    expected = view_graph(small, view)
    data = json.loads(_write(write_cytoscape, small, view))
    back = nx.cytoscape_graph(data)
    assert back.is_directed() == expected.is_directed()
    assert set(back.nodes) == set(expected.nodes)
    assert sorted((u, v) for u, v, *_ in back.edges) == sorted((u, v) for u, v, *_ in expected.edges)
    assert back.nodes[YELP]["degree"] == expected.nodes[YELP]["degree"]


@pytest.mark.parametrize("fmt", VISUAL)
@pytest.mark.parametrize("view", VIEWS)
def test_bytes_are_identical_across_two_runs(small: GraphTables, fmt: str, view: str) -> None:
    writer = EXPORTERS[fmt].writer()
    assert _write(writer, small, view) == _write(writer, small, view)


def test_html_embeds_library_with_its_licence_and_escapes_markup(small: GraphTables) -> None:
    page = _write(write_html, small, "full").decode()
    assert "The Cytoscape Consortium" in page and "Permission is hereby granted" in page
    assert page.count("</script>") == 3  # library, data, app: the name's "</script>" was escaped
    assert "<script src" not in page and "<link" not in page  # nothing fetched: the page works offline


# --- the real corpus -----------------------------------------------------------------


def _director_pairs_from_xml(xml_files: list[Path]) -> dict[tuple[str, str], set[str]]:
    """Interlocks computed straight from the XML, independently of the loader and builder."""

    def text(el: ET.Element | None) -> str:
        return (el.text or "").strip() if el is not None else ""

    boards: dict[str, set[str]] = defaultdict(set)
    for path in xml_files:
        root = ET.parse(path).getroot()
        issuer = text(root.find("issuer/issuerCik")).zfill(10)
        for owner in root.iter("reportingOwner"):
            if text(owner.find("reportingOwnerRelationship/isDirector")).lower() in ("1", "true"):
                boards[text(owner.find("reportingOwnerId/rptOwnerCik")).zfill(10)].add(issuer)
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for director, issuers in boards.items():
        for pair in combinations(sorted(issuers), 2):
            pairs[pair].add(director)
    return pairs


def test_corpus_yelp_and_affirm_share_levchin_and_rabois(corpus_graph: GraphTables) -> None:
    g = view_graph(corpus_graph, "interlocks")
    edge = g.edges[YELP, AFFIRM]
    assert edge["weight"] == 2
    assert set(edge["director_ids"].split("; ")) == {LEVCHIN, RABOIS}


def test_corpus_interlocks_match_the_xml(corpus_graph: GraphTables, xml_files: list[Path]) -> None:
    expected = _director_pairs_from_xml(xml_files)
    g = view_graph(corpus_graph, "interlocks")
    got = {
        tuple(sorted((a.rsplit("/", 1)[1], b.rsplit("/", 1)[1]))):
            {d.rsplit("/", 1)[1] for d in data["director_ids"].split("; ")}
        for a, b, data in g.edges(data=True)
    }
    assert got == expected
    assert all(data["weight"] == len(data["director_ids"].split("; ")) for *_, data in g.edges(data=True))


@pytest.mark.parametrize("view", VIEWS)
def test_corpus_graphml_and_gexf_read_back(corpus_graph: GraphTables, view: str) -> None:
    expected = view_graph(corpus_graph, view)
    assert expected.number_of_edges() > 0
    for fmt, reader in XML_READERS.items():
        back = reader(io.BytesIO(_write(EXPORTERS[fmt].writer(), corpus_graph, view)))
        assert (back.number_of_nodes(), back.number_of_edges()) == (
            expected.number_of_nodes(), expected.number_of_edges()
        ), fmt


def test_corpus_people_issuers_counts_match_the_tables(corpus_graph: GraphTables) -> None:
    g = view_graph(corpus_graph, "people-issuers")
    counts = corpus_graph.counts()
    assert g.number_of_nodes() == counts["nodes"]["Person"] + counts["nodes"]["Company"]
    rels = ("DIRECTOR_OF", "OFFICER_OF", "TEN_PERCENT_OWNER_OF", "OTHER_RELATION_TO", "ATTORNEY_IN_FACT_FOR")
    assert g.number_of_edges() == sum(counts["edges"][r] for r in rels)


def test_corpus_full_view_keeps_every_row(corpus_graph: GraphTables) -> None:
    g = view_graph(corpus_graph, "full")
    counts = corpus_graph.counts()
    assert g.number_of_nodes() == sum(counts["nodes"].values())
    assert g.number_of_edges() == sum(counts["edges"].values())


_SUBPROCESS = """
import sys
from pathlib import Path
from insidergraph.graph.build import build_graph
from insidergraph.graph.exporters import export
from insidergraph.loaders.xml import parse
tables = build_graph(parse(p) for p in sorted(Path(sys.argv[1]).glob("*.xml")))
for fmt in ("graphml", "gexf", "cytoscape", "html"):
    for view in ("people-issuers", "interlocks"):
        with open(Path(sys.argv[2]) / f"{view}.{fmt}", "wb") as out:
            export(tables, fmt, out, view)
"""


def test_corpus_bytes_identical_across_processes(corpus: Path, tmp_path: Path) -> None:
    """Two processes with different hash seeds (set orders differ) write the same bytes."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        out.mkdir()
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-c", _SUBPROCESS, str(corpus / "xml"), str(out)], check=True, env=env)
        outs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert len(outs[0]) == 8 and outs[0] == outs[1]  # the pages too: same layout, same index


# --- the page in a real browser ------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> str:
    return find_chromium()


def _render(chromium: str, page: Path, profile: Path, **fragment: str) -> lxml.html.HtmlElement:
    return render(chromium, page, profile, **fragment)


def _page(tmp_path: Path, tables: GraphTables, view: str) -> Path:
    path = tmp_path / f"{view}.html"
    path.write_bytes(_write(write_html, tables, view))
    return path


def test_page_draws_every_node_and_edge(chromium: str, small: GraphTables, tmp_path: Path) -> None:
    dom = _render(chromium, _page(tmp_path, small, "full"), tmp_path / "profile")
    status = dom.get_element_by_id("status")
    assert status.get("data-state") == "drawn"
    assert status.get("data-rendered") == "true"  # the canvas renderer painted a frame
    assert (status.get("data-nodes"), status.get("data-edges")) == ("8", "13")
    assert dom.xpath("//div[@id='cy']//canvas")
    assert dom.xpath("//div[@id='legend']/span[@class='node']/text()") == ["Person", "Company", "Filing"]
    # Each role its own style: attorneys-in-fact no longer look like directors.
    assert dom.xpath("//div[@id='legend']/span[@class='edge']/text()") == [
        "director", "officer", "10% owner", "attorney-in-fact"
    ]


def test_page_search_highlights_and_click_shows_properties(chromium: str, small: GraphTables, tmp_path: Path) -> None:
    dom = _render(chromium, _page(tmp_path, small, "people-issuers"), tmp_path / "profile", search="max r", select=DOE)
    status = dom.get_element_by_id("status")
    assert status.get("data-matches") == "1"  # found by an alias, not the display name
    props = dom.get_element_by_id("props")
    assert props.get("data-shown") == DOE
    cells = [td.text_content() for td in props.iter("td")]
    assert cells[cells.index("name") + 1] == "Doe </script><b>Jane</b>"  # shown as text, not markup
    assert not props.xpath(".//b")


def test_corpus_interlocks_page_shows_the_yelp_affirm_edge(
    chromium: str, corpus_graph: GraphTables, tmp_path: Path
) -> None:
    expected = view_graph(corpus_graph, "interlocks")
    edge_id = expected.edges[YELP, AFFIRM]["id"]
    dom = _render(chromium, _page(tmp_path, corpus_graph, "interlocks"), tmp_path / "profile", select=edge_id)
    status = dom.get_element_by_id("status")
    assert (status.get("data-state"), status.get("data-rendered")) == ("drawn", "true")
    assert (int(status.get("data-nodes")), int(status.get("data-edges"))) == (
        expected.number_of_nodes(), expected.number_of_edges()
    )
    cells = [td.text_content() for td in dom.get_element_by_id("props").iter("td")]
    assert cells[cells.index("weight") + 1] == "2"
    assert sorted(cells[cells.index("directors") + 1].split("; ")) == sorted(
        expected.edges[YELP, AFFIRM]["directors"].split("; ")
    )
