"""Visualization exports: GraphML, GEXF, Cytoscape.js JSON and a self-contained page.

Each writer takes the graph tables, a binary stream and a view name (see
:mod:`insidergraph.graph.views`) and writes with networkx's own writers, so the
files open in yEd, Gephi and Cytoscape. The output is byte-identical across runs:
the view graph is built in sorted order and the GEXF date stamp is removed.

>>> import io
>>> from insidergraph.graph.tables import GraphTables
>>> buf = io.BytesIO()
>>> write_graphml(GraphTables.empty(), buf, "full")
(0, 0)
>>> buf.getvalue().startswith(b"<?xml")
True
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any, BinaryIO

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from insidergraph.errors import ExportError
from insidergraph.graph.tables import GraphTables
from insidergraph.graph.views import view_graph


def _size(graph: nx.Graph[str]) -> tuple[int, int]:
    return graph.number_of_nodes(), graph.number_of_edges()


def write_graphml(tables: GraphTables, out: BinaryIO, view: str) -> tuple[int, int]:
    """Write ``view`` of ``tables`` as GraphML (yEd, Cytoscape desktop, Gephi); (nodes, edges) written."""
    graph = view_graph(tables, view)
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


def write_gexf(tables: GraphTables, out: BinaryIO, view: str) -> tuple[int, int]:
    """Write ``view`` of ``tables`` as GEXF 1.2 (Gephi); (nodes, edges) written."""
    writer = _StableGEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    graph = view_graph(tables, view)
    writer.add_graph(graph)
    writer.write(out)
    return _size(graph)


def cytoscape_json(tables: GraphTables, view: str) -> dict[str, Any]:
    """The Cytoscape.js elements JSON of ``view`` (``networkx.cytoscape_data``)."""
    data: dict[str, Any] = nx.cytoscape_data(view_graph(tables, view))
    data["data"] = [["view", view]]
    return data


def _elements(data: dict[str, Any]) -> tuple[int, int]:
    return len(data["elements"]["nodes"]), len(data["elements"]["edges"])


def write_cytoscape(tables: GraphTables, out: BinaryIO, view: str) -> tuple[int, int]:
    """Write ``view`` of ``tables`` as Cytoscape.js JSON (reads back with ``networkx.cytoscape_graph``);
    (nodes, edges) written."""
    data = cytoscape_json(tables, view)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1)
    out.write(text.encode("utf-8") + b"\n")
    return _elements(data)


def _static(name: str) -> str:
    return (resources.files("insidergraph.graph") / "static" / name).read_text(encoding="utf-8")


def write_html(tables: GraphTables, out: BinaryIO, view: str) -> tuple[int, int]:
    """Write ``view`` of ``tables`` as one HTML page that draws it with Cytoscape.js.

    The page needs no network: the library (MIT, licence header kept) and the graph
    are embedded. Nodes are coloured by type and sized by degree; a search box
    highlights names; clicking shows a node's or edge's properties.
    """
    library = _static("cytoscape.min.js")
    if "</script" in library.lower():
        raise ExportError("the bundled cytoscape.min.js contains '</script' and cannot be embedded")
    data = cytoscape_json(tables, view)
    graph = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # "<" escaped as \u003c keeps any "</script>" or "<!--" in filing text from ending the block.
    graph = graph.replace("<", "\\u003c")
    page = (
        _static("viz.html")
        .replace("__VIEW__", html.escape(view))
        .replace("/*__CYTOSCAPE__*/", library)
        .replace("__GRAPH_JSON__", graph)
    )
    out.write(page.encode("utf-8"))
    return _elements(data)
