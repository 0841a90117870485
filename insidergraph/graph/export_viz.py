"""Visualization exports: GraphML, GEXF, Cytoscape.js JSON and a self-contained page.

Each writer takes the graph tables, a binary stream, a view name (see
:mod:`insidergraph.graph.views`) and optionally a :class:`~insidergraph.graph.focus.Focus`
(an ego network), and writes with networkx's own writers, so the files open in yEd,
Gephi and Cytoscape. Every format carries the look of :mod:`insidergraph.graph.viz_style`:
GEXF as ``viz:`` colours, sizes, positions and edge shapes, in dynamic mode with each
dated edge's span as its ``start``/``end`` (Gephi's timeline) and each node whose edges
are all dated living from the first to the last of them; GraphML as plain ``x``,
``y``, ``size``, ``color`` (``#rrggbb``), ``r``/``g``/``b`` and ``line_style`` attributes
(yEd's Properties Mapper, Cytoscape's style passthrough, Gephi's importer). The output is
byte-identical across runs: the view graph is built in sorted order, the layout is seeded
and the GEXF date stamp is removed.

>>> import io
>>> from insidergraph.graph.tables import GraphTables
>>> buf = io.BytesIO()
>>> write_graphml(GraphTables.empty(), buf, "full")
(0, 0)
>>> buf.getvalue().startswith(b"<?xml")
True
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from insidergraph.errors import ExportError
from insidergraph.graph.focus import Focus, ego
from insidergraph.graph.tables import GraphTables
from insidergraph.graph.views import view_graph
from insidergraph.graph.viz_page import cytoscape_json, write_page
from insidergraph.graph.viz_style import director_spans, styled

#: Most nodes the page draws: past it a graph is a hairball, slow to open and unreadable.
PAGE_LIMIT = 2000


def _size(graph: nx.Graph[str]) -> tuple[int, int]:
    return graph.number_of_nodes(), graph.number_of_edges()


def viz_graph(tables: GraphTables, view: str, focus: Focus | None = None, limit: int | None = None) -> nx.Graph[str]:
    """The styled graph of ``view`` (within ``focus``); more than ``limit`` nodes is an error.

    >>> viz_graph(GraphTables.empty(), "people-issuers").number_of_nodes()
    0
    """
    graph = view_graph(tables, view)
    if focus is not None:
        boards: dict[str, list[str]] = {}
        for person, issuer in sorted(director_spans(tables)):
            boards.setdefault(person, []).append(issuer)
        graph = ego(graph, focus, boards)
    if limit is not None and graph.number_of_nodes() > limit:
        raise ExportError(
            f"the {view} view has {graph.number_of_nodes():,} nodes, more than a page can draw readably "
            f"({limit:,}): choose --view people-issuers or --view interlocks, or an ego network with "
            "--issuer or --person (and --depth N)"
        )
    return styled(graph, tables)


def write_graphml(tables: GraphTables, out: BinaryIO, view: str, focus: Focus | None = None) -> tuple[int, int]:
    """Write ``view`` of ``tables`` as GraphML (yEd, Cytoscape desktop, Gephi); (nodes, edges) written."""
    graph = viz_graph(tables, view, focus)
    nx.write_graphml(graph, out, encoding="utf-8", prettyprint=True)
    return _size(graph)


class _StableGEXFWriter(GEXFWriter):
    """networkx's GEXF writer without the ``lastmodifieddate`` stamp of today's date."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        meta = self.xml.find("meta")
        if meta is not None:
            # The stamp is optional in GEXF 1.2; dropping it keeps the bytes stable.
            meta.attrib.pop("lastmodifieddate", None)


def gexf_graph(graph: nx.Graph[str]) -> nx.Graph[str]:
    """A copy of a styled graph with its look as GEXF's ``viz`` data and its spans as
    ``start``/``end``: the form networkx's GEXF writer turns into ``viz:`` elements and a
    dynamic graph. GEXF's y axis points up, so y is negated to draw as the page does."""
    out = graph.copy()
    for _, data in out.nodes(data=True):
        viz: dict[str, Any] = {"color": {"r": data.pop("r"), "g": data.pop("g"), "b": data.pop("b"), "a": 1.0},
                               "size": data.pop("size")}
        data.pop("color")
        if "x" in data:
            viz["position"] = {"x": data.pop("x"), "y": -data.pop("y") + 0.0, "z": 0.0}
        data["viz"] = viz
    for *_, data in out.edges(data=True):
        r, g, b = (int(data["color"][k:k + 2], 16) for k in (1, 3, 5))
        data["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}, "shape": data.pop("line_style"),
                       "thickness": float(data.get("weight", 1))}
        data.pop("color")
    _node_intervals(out)
    if any("start" in data for *_, data in out.edges(data=True)):
        out.graph["mode"] = "dynamic"
    return out


def _node_intervals(graph: nx.Graph[str]) -> None:
    """A node whose every edge is dated lives from its first edge's start to its last edge's
    end, so Gephi's timeline shows people and boards come and go with their roles; a node
    with an undated edge (or none) stays for the whole timeline."""
    begins: dict[str, list[str]] = {}
    ends: dict[str, list[str]] = {}
    undated: set[str] = set()
    for u, v, data in graph.edges(data=True):
        for node in (u, v):
            if "start" in data:
                begins.setdefault(node, []).append(str(data["start"]))
                ends.setdefault(node, []).append(str(data["end"]))
            else:
                undated.add(node)
    for node, data in graph.nodes(data=True):
        if node in begins and node not in undated:
            data.update(start=min(begins[node]), end=max(ends[node]))


def write_gexf(tables: GraphTables, out: BinaryIO, view: str, focus: Focus | None = None) -> tuple[int, int]:
    """Write ``view`` of ``tables`` as GEXF 1.2 (Gephi), dynamic when edges have spans;
    (nodes, edges) written."""
    writer = _StableGEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    graph = viz_graph(tables, view, focus)
    writer.add_graph(gexf_graph(graph))
    writer.write(out)
    return _size(graph)


def _elements(data: dict[str, Any]) -> tuple[int, int]:
    return len(data["elements"]["nodes"]), len(data["elements"]["edges"])


def write_cytoscape(tables: GraphTables, out: BinaryIO, view: str, focus: Focus | None = None) -> tuple[int, int]:
    """Write ``view`` of ``tables`` as Cytoscape.js JSON (reads back with ``networkx.cytoscape_graph``);
    (nodes, edges) written."""
    data = cytoscape_json(viz_graph(tables, view, focus), view)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1)
    out.write(text.encode("utf-8") + b"\n")
    return _elements(data)


def write_html(tables: GraphTables, out: BinaryIO, view: str, focus: Focus | None = None) -> tuple[int, int]:
    """Write ``view`` of ``tables`` as one HTML page that draws it with Cytoscape.js
    (:mod:`insidergraph.graph.viz_page`); a view of more than :data:`PAGE_LIMIT` nodes is
    refused."""
    graph = viz_graph(tables, view, focus, limit=PAGE_LIMIT)
    write_page(tables, graph, view, out)
    return _size(graph)
