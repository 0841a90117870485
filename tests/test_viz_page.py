"""The page of the real corpus in real headless Chromium: search finds Roelof Botha in both
views, his panel lists the boards his filings report, the time slider shows exactly the
roles whose span contains the date, and two openings draw the same positions. Also the
export side: GEXF's intervals are the roles' spans, GraphML carries the look, lone nodes do
not overprint, the full view is refused and ego networks are what they say."""

from __future__ import annotations

import io
import json
import math
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from browser import DevTools, find_chromium, render, state
from click.testing import CliRunner

from insidergraph.cli import cli
from insidergraph.graph.export_viz import viz_graph, write_gexf, write_graphml, write_html
from insidergraph.graph.ids import view_edge_key
from insidergraph.graph.schema import ROLE_TYPES
from insidergraph.graph.tables import GraphTables

BOTHA = "person/0001222287"
MONGODB = "company/0001441816"
XOOM = "company/0001315657"
DATE = "2019-06-30"


@pytest.fixture(scope="module")
def chromium() -> str:
    return find_chromium()


@pytest.fixture(scope="module")
def xml_files(corpus: Path) -> list[Path]:
    return sorted((corpus / "xml").glob("*.xml"))


@pytest.fixture(scope="module")
def tables(xml_files: list[Path]) -> GraphTables:
    from insidergraph.graph.build import build_graph
    from insidergraph.loaders.xml import parse

    return build_graph(parse(p) for p in xml_files)


@pytest.fixture(scope="module")
def pages(tables: GraphTables, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    out = {}
    for view in ("people-issuers", "interlocks"):
        buf = io.BytesIO()
        write_html(tables, buf, view)
        out[view] = folder / f"{view}.html"
        out[view].write_bytes(buf.getvalue())
    return out


def _text(el: ET.Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def _director_seats_from_xml(xml_files: list[Path], owner_cik: str) -> dict[str, tuple[str, str]]:
    """(first, last) period of report of each board the owner's filings say they sat on."""
    periods: dict[str, list[str]] = defaultdict(list)
    for path in xml_files:
        root = ET.parse(path).getroot()
        for owner in root.iter("reportingOwner"):
            if _text(owner.find("reportingOwnerId/rptOwnerCik")).zfill(10) != owner_cik:
                continue
            if _text(owner.find("reportingOwnerRelationship/isDirector")).lower() in ("1", "true"):
                issuer = "company/" + _text(root.find("issuer/issuerCik")).zfill(10)
                periods[issuer].append(_text(root.find("periodOfReport")))
    return {issuer: (min(p), max(p)) for issuer, p in periods.items()}


def _rows(df: Any) -> list[dict[str, Any]]:
    return list(df.to_dict("records")) if len(df) else []


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else ""


def _role_spans(tables: GraphTables) -> dict[str, tuple[str, str]]:
    """Each dated role's and attorney's span straight from the tables, by view edge key."""
    spans = {}
    for rel in (*ROLE_TYPES, "ATTORNEY_IN_FACT_FOR"):
        for row in _rows(tables.edges[rel]):
            if rel == "ATTORNEY_IN_FACT_FOR":
                begin, end = _iso(row["first_date"]), _iso(row["last_date"])
            else:
                begin = _iso(row["first_period"]) or _iso(row["first_filed"])
                end = _iso(row["last_period"]) or _iso(row["last_filed"])
            if begin or end:
                spans[view_edge_key(rel, str(row["id"]))] = (begin or end, end or begin)
    return spans


# --- in Chromium ---------------------------------------------------------------------


@pytest.mark.parametrize("view", ["people-issuers", "interlocks"])
def test_search_finds_botha_in_both_views(
    chromium: str, pages: dict[str, Path], tables: GraphTables, xml_files: list[Path], tmp_path: Path, view: str
) -> None:
    dom = render(chromium, pages[view], tmp_path / "profile", search="Botha", debug="1")
    assert dom.get_element_by_id("status").get("data-matches") == "1"
    assert [li.get("data-id") for li in dom.get_element_by_id("results")] == [BOTHA]
    marked = state(dom)["matches"]
    if view == "people-issuers":
        assert marked == [BOTHA]
    else:
        # People are not nodes here: his boards (those that interlock) are marked instead.
        boards = set(_director_seats_from_xml(xml_files, "0001222287"))
        assert set(marked) == boards & set(viz_graph(tables, "interlocks").nodes) and len(marked) >= 2


@pytest.mark.parametrize("view", ["people-issuers", "interlocks"])
def test_botha_panel_reads_his_boards_spans_attorneys_and_filings(
    chromium: str, pages: dict[str, Path], tables: GraphTables, xml_files: list[Path], tmp_path: Path, view: str
) -> None:
    dom = render(chromium, pages[view], tmp_path / "profile", select=BOTHA)
    props = dom.get_element_by_id("props")
    assert (props.get("data-shown"), props.get("data-kind")) == (BOTHA, "Person")
    rows = props.xpath(".//table[@class='boards']//tr")
    boards = {tr.get("data-company"): (tr.get("data-start"), tr.get("data-end")) for tr in rows}
    assert boards == _director_seats_from_xml(xml_files, "0001222287")
    names = {str(r["id"]): r["name"] for r in _rows(tables.nodes["Company"])}
    assert {tr.get("data-company"): tr.xpath("./td[1]")[0].text_content() for tr in rows} == {
        c: names[c] for c in boards
    }
    # His Form 3 for MongoDB was signed by an attorney-in-fact (MANIFEST: "/s/ Jung Yeon Son").
    attorneys = [tr.xpath("./td[1]")[0].text_content() for tr in props.xpath(".//table[@class='attorneys']//tr")]
    assert "Jung Yeon Son" in attorneys
    hrefs = props.xpath(".//ul[@class='filings']//a/@href")
    assert ("https://www.sec.gov/Archives/edgar/data/1441816/000089924317024441/0000899243-17-024441-index.htm"
            in hrefs)


def _boards_from_xml(xml_files: list[Path]) -> dict[str, dict[str, tuple[str, str]]]:
    """Each issuer's directors with the (first, last) period of report naming them one."""
    periods: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in xml_files:
        root = ET.parse(path).getroot()
        issuer = "company/" + _text(root.find("issuer/issuerCik")).zfill(10)
        for owner in root.iter("reportingOwner"):
            if _text(owner.find("reportingOwnerRelationship/isDirector")).lower() in ("1", "true"):
                cik = _text(owner.find("reportingOwnerId/rptOwnerCik")).zfill(10)
                periods[issuer][cik].append(_text(root.find("periodOfReport")))
    return {i: {c: (min(p), max(p)) for c, p in d.items()} for i, d in periods.items()}


def test_company_panel_shows_board_over_time_and_interlocked_companies(
    chromium: str, pages: dict[str, Path], xml_files: list[Path], tmp_path: Path
) -> None:
    dom = render(chromium, pages["interlocks"], tmp_path / "profile", select=MONGODB)
    props = dom.get_element_by_id("props")
    assert (props.get("data-shown"), props.get("data-kind")) == (MONGODB, "Company")
    boards = _boards_from_xml(xml_files)
    rows = props.xpath(".//table[@class='board']//tr")
    got = {tr.get("data-person").rsplit("/", 1)[1]: (tr.get("data-start"), tr.get("data-end")) for tr in rows}
    assert got == boards[MONGODB]
    assert [tr.get("data-start") for tr in rows] == sorted(tr.get("data-start") for tr in rows)  # over time
    expected = {other for other, seats in boards.items() if other != MONGODB and set(seats) & set(boards[MONGODB])}
    assert {tr.get("data-company") for tr in props.xpath(".//table[@class='interlocks']//tr")} == expected


def test_time_slider_shows_the_roles_whose_span_contains_the_date(
    chromium: str, pages: dict[str, Path], tables: GraphTables, xml_files: list[Path], tmp_path: Path
) -> None:
    dom = render(chromium, pages["people-issuers"], tmp_path / "profile", asof=DATE, debug="1")
    assert dom.get_element_by_id("asof-label").text_content() == DATE
    visible = set(state(dom)["visible_edges"])
    expected = {key for key, (begin, end) in _role_spans(tables).items() if begin <= DATE <= end}
    assert visible == expected and 0 < len(visible) < len(viz_graph(tables, "people-issuers").edges)
    assert dom.get_element_by_id("status").get("data-visible-edges") == str(len(expected))
    seats = _director_seats_from_xml(xml_files, "0001222287")
    assert seats[MONGODB][0] <= DATE <= seats[MONGODB][1] and not seats[XOOM][1] >= DATE
    assert view_edge_key("DIRECTOR_OF", f"{BOTHA}|{MONGODB}") in visible
    assert view_edge_key("DIRECTOR_OF", f"{BOTHA}|{XOOM}") not in visible


def test_time_slider_in_interlocks_keeps_boards_shared_on_that_date(
    chromium: str, pages: dict[str, Path], tables: GraphTables, tmp_path: Path
) -> None:
    dom = render(chromium, pages["interlocks"], tmp_path / "profile", asof=DATE, debug="1")
    seats: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for row in _rows(tables.edges["DIRECTOR_OF"]):
        seats[str(row["src"])][str(row["dst"])] = (_iso(row["first_period"]), _iso(row["last_period"]))
    expected = set()
    for boards in seats.values():
        on = sorted(c for c, (begin, end) in boards.items() if begin <= DATE <= end)
        expected.update(f"interlock/{a}/{b}" for a, b in combinations(on, 2))
    assert set(state(dom)["visible_edges"]) == expected and expected


def test_page_draws_the_same_positions_on_every_opening(
    chromium: str, pages: dict[str, Path], tables: GraphTables, tmp_path: Path
) -> None:
    first = state(render(chromium, pages["people-issuers"], tmp_path / "one", debug="1"))["positions"]
    second = state(render(chromium, pages["people-issuers"], tmp_path / "two", debug="1"))["positions"]
    assert first == second
    graph = viz_graph(tables, "people-issuers")
    assert first == {n: [d["x"], d["y"]] for n, d in graph.nodes(data=True)}


def test_page_labels_the_largest_nodes_only(chromium: str, pages: dict[str, Path], tmp_path: Path) -> None:
    status = render(chromium, pages["people-issuers"], tmp_path / "profile").get_element_by_id("status")
    # 322 nodes: the 17 largest (5%) are candidates, less those whose label would overprint a
    # larger node's (font metrics decide how many); the rest only on hover or zoomed in.
    assert 8 <= int(status.get("data-labelled")) <= 17 and status.get("data-zoom-labels") == "false"


@pytest.fixture
def devtools(chromium: str, tmp_path: Path) -> Iterator[DevTools]:
    tools = DevTools(chromium, str(tmp_path / "profile"), "1400,1000")
    yield tools
    tools.close()


#: A JavaScript function of an element: the viewport point at its centre, or null.
_CENTRE = ("(function (e) { if (!e) return null; var r = e.getBoundingClientRect(); "
           "return [r.x + r.width / 2, r.y + r.height / 2]; })")


def test_typing_botha_and_clicking_his_result_opens_his_boards(
    devtools: DevTools, pages: dict[str, Path], xml_files: list[Path]
) -> None:
    """Mouse and keyboard events, not deep links: in the interlocks view, where he is no node."""
    devtools.open(pages["interlocks"].as_uri(), 1400, 1000)
    devtools.click(*devtools.evaluate(_CENTRE + "(document.getElementById('search'))"))
    devtools.type("Botha")
    result = devtools.wait_for(_CENTRE + "(document.querySelector('#results li'))")
    assert devtools.evaluate("document.querySelector('#results li').dataset.id") == BOTHA
    devtools.click(*result)
    rows = devtools.wait_for("Array.from(document.querySelectorAll('#props table.boards tr'))"
                             ".map(function (tr) { return [tr.dataset.company, tr.dataset.start, tr.dataset.end]; })")
    assert {c: (b, e) for c, b, e in rows} == _director_seats_from_xml(xml_files, "0001222287")


def test_clicking_the_slider_track_shows_the_roles_of_the_date_it_lands_on(
    devtools: DevTools, pages: dict[str, Path], tables: GraphTables
) -> None:
    devtools.open(pages["people-issuers"].as_uri() + "#debug=1", 1400, 1000)
    x, y = devtools.evaluate(_CENTRE + "(document.getElementById('asof'))")
    width = devtools.evaluate("document.getElementById('asof').getBoundingClientRect().width")
    devtools.click(x + width * 0.1, y)  # 60% along the track
    date = devtools.wait_for("(function (t) { return t === 'all dates' ? null : t; })"
                             "(document.getElementById('asof-label').textContent)")
    assert date and date[:2] in ("19", "20")
    visible = set(json.loads(devtools.evaluate("document.getElementById('debug').textContent"))["visible_edges"])
    assert visible == {key for key, (begin, end) in _role_spans(tables).items() if begin <= date <= end} and visible


# --- exports -------------------------------------------------------------------------


def test_gexf_is_dynamic_and_each_role_interval_is_its_span(tables: GraphTables, xml_files: list[Path]) -> None:
    buf = io.BytesIO()
    write_gexf(tables, buf, "people-issuers")
    back = nx.read_gexf(io.BytesIO(buf.getvalue()))
    assert back.graph["mode"] == "dynamic"
    spans = _role_spans(tables)
    got = {d["id"]: (d["start"], d["end"]) for *_, d in back.edges(data=True, keys=True) if "start" in d}
    assert got == spans
    mongodb = got[view_edge_key("DIRECTOR_OF", f"{BOTHA}|{MONGODB}")]
    assert mongodb == _director_seats_from_xml(xml_files, "0001222287")[MONGODB]
    # A node lives as long as its (all dated) edges: Botha from his first role to his last.
    botha = [span for key, span in spans.items() if BOTHA in key]
    lifetime = (min(b for b, _ in botha), max(e for _, e in botha))
    assert (back.nodes[BOTHA]["start"], back.nodes[BOTHA]["end"]) == lifetime
    viz = back.nodes[BOTHA]["viz"]
    assert viz["color"] == {"r": 31, "g": 119, "b": 180, "a": 1.0} and viz["size"] > 10 and "position" in viz
    root = ET.fromstring(buf.getvalue())
    assert root.find(".//{http://www.gexf.net/1.2draft}graph").get("timeformat") == "date"


def test_graphml_carries_colour_size_position_and_line_style(tables: GraphTables) -> None:
    buf = io.BytesIO()
    write_graphml(tables, buf, "people-issuers")
    back = nx.read_graphml(io.BytesIO(buf.getvalue()))
    node = back.nodes[BOTHA]
    assert (node["color"], node["r"], node["g"], node["b"]) == ("#1f77b4", 31, 119, 180)
    assert isinstance(node["x"], float) and isinstance(node["size"], float)
    styles = {d["relationship"]: (d["color"], d["line_style"]) for *_, d in back.edges(data=True, keys=True)}
    assert styles["ATTORNEY_IN_FACT_FOR"] == ("#9467bd", "dashed") and styles["DIRECTOR_OF"] == ("#2ca02c", "solid")


@pytest.mark.parametrize("view", ["people-issuers", "interlocks"])
def test_lone_nodes_do_not_overprint(tables: GraphTables, view: str) -> None:
    graph = viz_graph(tables, view)
    lone = [n for n in graph if graph.degree(n) == 0]
    assert lone
    for a in lone:
        for b in graph:
            if a != b:
                da, db = graph.nodes[a], graph.nodes[b]
                gap = math.dist((da["x"], da["y"]), (db["x"], db["y"]))
                assert gap >= (da["size"] + db["size"]) / 2 + 20, (a, b)


@pytest.fixture(scope="module")
def store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from insidergraph.backends import store_engines
    from insidergraph.graph.store_build import build_store

    path = tmp_path_factory.mktemp("store") / "store"
    build_store([str(corpus / "xml")], path, engines=store_engines())
    return path


def _export(store: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["export", "--store", str(store), *args])


def test_full_page_is_refused_with_a_way_out(store: Path, tmp_path: Path) -> None:
    result = _export(store, "--format", "html", "-o", str(tmp_path / "full.html"))
    assert result.exit_code == 1 and not (tmp_path / "full.html").exists()
    assert result.stderr == (
        "Error: the full view has 8,979 nodes, more than a page can draw readably (2,000): choose --view "
        "people-issuers or --view interlocks, or an ego network with --issuer or --person (and --depth N)\n"
    )


def test_ego_network_of_tesla_is_tesla_and_its_neighbours(store: Path, tables: GraphTables, tmp_path: Path) -> None:
    out = tmp_path / "tesla.gexf"
    result = _export(store, "--format", "gexf", "--issuer", "Tesla", "--depth", "1", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    full = nx.MultiDiGraph(viz_graph(tables, "full")).to_undirected()
    tesla = "company/0001318605"
    assert set(nx.read_gexf(out).nodes) == {tesla, *full.neighbors(tesla)}
    assert result.stderr.endswith(f"1 step from {tesla}): {len(set(full.neighbors(tesla))) + 1:,} nodes, "
                                  f"{nx.read_gexf(out).number_of_edges():,} edges\n")


def test_ego_network_of_a_person_in_interlocks_is_built_from_their_boards(
    store: Path, tables: GraphTables, xml_files: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "botha.graphml"
    result = _export(store, "--format", "graphml", "--view", "interlocks", "--person", "roelof botha",
                     "--depth", "0", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    boards = set(_director_seats_from_xml(xml_files, "0001222287")) & set(viz_graph(tables, "interlocks").nodes)
    assert set(nx.read_graphml(out).nodes) == boards and len(boards) >= 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--person", "smith"], "Error: {store}: 'smith' matches 2 persons; give a CIK, a node id or more of the "
         "name:\n  Bradford L Smith (CIK 0001193119): MICROSOFT CORP\n  Darla M Smith (CIK 0001674334): ADVANCED MICRO "
         "DEVICES INC\n"),
        (["--person", "zzyzx"], "Error: {store}: no person matches 'zzyzx' (a CIK, a node id, a name or part of "
         "one)\n"),
        (["--issuer", "NOPE"], "Error: {store}: no company matches 'NOPE' (a CIK, a ticker, a node id, a name or part "
         "of one)\n"),
        (["--depth", "2"], "Error: --depth needs --issuer or --person: the centre of the ego network\n"),
    ],
)
def test_ego_options_refuse_what_names_nothing(store: Path, tmp_path: Path, args: list[str], message: str) -> None:
    # The one resolver of every entity option (insidergraph.queries.resolve) answers here too.
    result = _export(store, "--format", "gexf", *args, "-o", str(tmp_path / "x.gexf"))
    assert (result.exit_code, result.stderr) == (1, message.format(store=store))
