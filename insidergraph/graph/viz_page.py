"""The interactive page: one self-contained HTML file that draws a styled view with
Cytoscape.js (MIT, embedded with its licence header, so the page needs no network).

Beside the graph the page embeds an index of the roles that touch the view's nodes (each
with its span and its filings, linked to their EDGAR index pages by
:func:`~insidergraph.graph.ids.edgar_filing_url`) and of the attorneys-in-fact who signed
for them, so a person's panel lists their boards, roles, attorneys and filings, a company's
its board over time, insiders and interlocked companies, the search finds people in the
``interlocks`` view (where they are not nodes), and the time slider shows the view as of a
date. The page draws the positions computed in Python (:mod:`insidergraph.graph.viz_style`),
so the same page always looks the same.

>>> import io
>>> from insidergraph.graph.export_viz import viz_graph
>>> from insidergraph.graph.tables import GraphTables
>>> buf = io.BytesIO()
>>> write_page(GraphTables.empty(), viz_graph(GraphTables.empty(), "interlocks"), "interlocks", buf)
>>> b"<script src" in buf.getvalue()
False
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any, BinaryIO, cast

import networkx as nx
import pandas as pd

from insidergraph.errors import ExportError
from insidergraph.graph.ids import accession_filing_id, edgar_filing_url
from insidergraph.graph.schema import ROLE_TYPES
from insidergraph.graph.tables import GraphTables
from insidergraph.graph.views import scalar
from insidergraph.graph.viz_style import EDGE_STYLES, NODE_COLOURS, edge_span, legend


def _rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    if not len(df):
        return []
    rows = cast(list[dict[str, Any]], df.to_dict("records"))
    # Dates as ISO text, lists as lists of text: what the page and edge_span read.
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()} for row in rows]


def _entity(row: dict[str, Any], label: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": str(row.get("name") or row["id"]), "type": label}
    for key in ("cik", "ticker"):
        if row.get(key):
            entry[key] = str(row[key])
    aliases = scalar(row.get("aliases"), "string[]")
    if aliases:
        entry["aliases"] = aliases
    return entry


def _links(accessions: Any, cik: str | None) -> list[list[str]]:
    """``[accession, EDGAR address]`` pairs, sorted; the address is empty without an issuer CIK."""
    found = sorted({str(a) for a in (accessions if accessions is not None else [])})
    return [[a, (edgar_filing_url(a, cik) or "") if cik else ""] for a in found]


def _role_word(rel: str, row: dict[str, Any]) -> str:
    word = EDGE_STYLES[rel][0]
    detail = row.get("title") if rel == "OFFICER_OF" else row.get("text") if rel == "OTHER_RELATION_TO" else None
    return f"{word}: {detail}" if detail else word


def _roles(tables: GraphTables, shown: set[str], companies: dict[str, dict[str, Any]]) -> list[list[Any]]:
    """``[person, company, type, words, begin, end, filings]`` of each role touching ``shown``."""
    roles: list[list[Any]] = []
    for rel in ROLE_TYPES:
        for row in _rows(tables.edges[rel]):
            src, dst = str(row["src"]), str(row["dst"])
            if src not in shown and dst not in shown:
                continue
            span = edge_span(rel, row) or ("", "")
            cik = companies.get(dst, {}).get("cik")
            roles.append([src, dst, rel, _role_word(rel, row), span[0], span[1], _links(row.get("accessions"), cik)])
    return sorted(roles, key=lambda r: (r[0], r[1], r[2], r[3]))


def _attorneys(tables: GraphTables, wanted: set[str], companies: dict[str, dict[str, Any]]) -> list[list[Any]]:
    """``[attorney, principal, begin, end, filings]`` of each power of attorney touching ``wanted``."""
    # An attorney's filings link to the issuer each one is about.
    issuer_cik = {str(r["src"]): companies.get(str(r["dst"]), {}).get("cik") for r in _rows(tables.edges["ABOUT"])}
    attorneys: list[list[Any]] = []
    for row in _rows(tables.edges["ATTORNEY_IN_FACT_FOR"]):
        src, dst = str(row["src"]), str(row["dst"])
        if not wanted & {src, dst}:
            continue
        span = edge_span("ATTORNEY_IN_FACT_FOR", row) or ("", "")
        accessions = sorted({str(a) for a in row.get("accessions") or []})
        links = [[a, edgar_filing_url(a, cik) if (cik := issuer_cik.get(accession_filing_id(a))) else ""]
                 for a in accessions]
        attorneys.append([src, dst, span[0], span[1], links])
    return sorted(attorneys, key=lambda a: (a[0], a[1]))


def page_index(tables: GraphTables, graph: nx.Graph[str]) -> dict[str, Any]:
    """The roles and attorneys that touch ``graph``'s nodes (or the people in those roles),
    and the people and companies they name.

    >>> page_index(GraphTables.empty(), nx.Graph())
    {'entities': {}, 'roles': [], 'attorneys': []}
    """
    rows = {label: {str(r["id"]): r for r in _rows(tables.nodes[label])} for label in ("Person", "Company")}
    shown = set(graph.nodes)
    roles = _roles(tables, shown, rows["Company"])
    attorneys = _attorneys(tables, shown | {r[0] for r in roles}, rows["Company"])
    named = shown | {r[0] for r in roles} | {r[1] for r in roles}
    named |= {a[0] for a in attorneys} | {a[1] for a in attorneys}
    entities = {nid: _entity(rows[label][nid], label) for label in ("Person", "Company")
                for nid in sorted(named) if nid in rows[label]}
    return {"entities": entities, "roles": roles, "attorneys": attorneys}


def cytoscape_json(graph: nx.Graph[str], view: str) -> dict[str, Any]:
    """The Cytoscape.js elements JSON of a styled ``graph`` (``networkx.cytoscape_data``),
    each node with its ``position``."""
    data: dict[str, Any] = nx.cytoscape_data(graph)
    data["data"] = [["view", view]]
    for node in data["elements"]["nodes"]:
        if "x" in node["data"]:
            node["position"] = {"x": node["data"]["x"], "y": node["data"]["y"]}
    return data


def _static(name: str) -> str:
    return (resources.files("insidergraph.graph") / "static" / name).read_text(encoding="utf-8")


def write_page(tables: GraphTables, graph: nx.Graph[str], view: str, out: BinaryIO) -> None:
    """Write the page of the styled ``graph`` (a view of ``tables``) to ``out``."""
    library = _static("cytoscape.min.js")
    if "</script" in library.lower():
        raise ExportError("the bundled cytoscape.min.js contains '</script' and cannot be embedded")
    data = cytoscape_json(graph, view)
    types = {str(d.get("type")) for _, d in graph.nodes(data=True)}
    data.update(index=page_index(tables, graph), legend=legend(graph),
                node_colours=[[t, c] for t, c in NODE_COLOURS.items() if t in types])
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # "<" escaped as \u003c keeps any "</script>" or "<!--" in filing text from ending the block.
    text = text.replace("<", "\\u003c")
    page = (
        _static("viz.html")
        .replace("__VIEW__", html.escape(view))
        .replace("/*__CYTOSCAPE__*/", library)
        .replace("__GRAPH_JSON__", text)
    )
    out.write(page.encode("utf-8"))
