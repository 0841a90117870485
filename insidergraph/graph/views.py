"""Views of the graph tables as networkx graphs, ready for visualization tools.

Three views, named in :data:`insidergraph.graph.exporters.VIEWS`:

* ``full``: every node and every edge (a ``MultiDiGraph``);
* ``people-issuers``: Person and Company nodes with the role edges (DIRECTOR_OF,
  OFFICER_OF, TEN_PERCENT_OWNER_OF, OTHER_RELATION_TO) and ATTORNEY_IN_FACT_FOR
  (a ``MultiDiGraph``);
* ``interlocks``: issuers with at least one director, joined by an undirected edge
  when they share directors; ``weight`` is the number of shared directors and
  ``directors`` their names. The data span many years, so two directors counted
  on one edge need not have sat on both boards at the same time.

Every attribute is a scalar, as GraphML and GEXF require: lists are joined with
``"; "``, dates become ISO strings, decimals stay exact text and absent values are
dropped. Each node carries ``label`` (its display name), ``type`` (its node label)
and ``degree`` (its number of edges in the view), so a tool can colour and size by
them; each edge carries ``label`` and ``relationship`` (its relationship type) and
``id``, the table's edge id prefixed with its type (``DIRECTOR_OF:<id>``), since
table ids are unique only within one relationship type.
Nodes and edges are inserted in sorted order, so every writer emits the same bytes
for the same tables.

>>> from insidergraph.graph.tables import GraphTables
>>> t = GraphTables.from_rows(
...     {"Person": [{"id": "person/1", "cik": "1", "name": "Doe Jane"}],
...      "Company": [{"id": "company/9", "cik": "9", "name": "ACME", "ticker": "ACM"}]},
...     {"DIRECTOR_OF": [{"id": "d1", "src": "person/1", "dst": "company/9",
...                       "accessions": ["a2", "a1"], "filing_count": 2}]})
>>> g = view_graph(t, "people-issuers")
>>> g.nodes["company/9"]
{'cik': '9', 'label': 'ACME', 'name': 'ACME', 'ticker': 'ACM', 'type': 'Company', 'degree': 1}
>>> g.edges["person/1", "company/9", "DIRECTOR_OF:d1"]["accessions"]
'a2; a1'
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from typing import Any, cast

import networkx as nx
import pandas as pd
import pyarrow as pa

from insidergraph.errors import ExportError
from insidergraph.graph.exporters import VIEWS
from insidergraph.graph.ids import check_labels, interlock_id, label_of, view_edge_key
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES, ROLE_TYPES, Prop
from insidergraph.graph.tables import GraphTables

Scalar = str | int | bool

#: Relationship types the ``people-issuers`` view keeps.
PEOPLE_ISSUER_EDGES: tuple[str, ...] = (*ROLE_TYPES, "ATTORNEY_IN_FACT_FOR")

#: Attribute names that GEXF or GraphML readers treat specially, so table columns
#: never overwrite them.
_RESERVED = frozenset({"id", "label", "type", "degree", "relationship", "key", "weight", "start", "end", "pid",
                       # The look :mod:`insidergraph.graph.viz_style` adds.
                       "x", "y", "size", "color", "r", "g", "b", "role", "line_style", "spans", "viz"})


def view_graph(tables: GraphTables, view: str) -> nx.Graph[str]:
    """The networkx graph of ``view`` (one of ``full``, ``people-issuers``, ``interlocks``).

    >>> view_graph(GraphTables.empty(), "interlocks").number_of_nodes()
    0
    """
    graph: nx.Graph[str]
    if view == "full":
        graph = _typed_graph(tables, list(NODE_TYPES), list(EDGE_TYPES))
    elif view == "people-issuers":
        graph = _typed_graph(tables, ["Person", "Company"], list(PEOPLE_ISSUER_EDGES))
    elif view == "interlocks":
        graph = _interlocks(tables)
    else:
        raise ExportError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")
    for node, degree in graph.degree():
        graph.nodes[node]["degree"] = int(degree)
    return graph


def scalar(value: Any, typ: str) -> Scalar | None:
    """``value`` of logical type ``typ`` as a GraphML/GEXF scalar; ``None`` means drop it.

    >>> scalar(["a", "b"], "string[]"), scalar(dt.date(2021, 1, 13), "date"), scalar(None, "int")
    ('a; b', '2021-01-13', None)
    """
    # The tables hold None for absent values; NaN/NA can still arrive from hand-made frames.
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if typ == "string[]":
        items = [str(v) for v in value]
        return "; ".join(items) if items else None
    if typ == "date":
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)
    if typ == "int":
        return int(value)
    if typ == "bool":
        return bool(value)
    return str(value)


def display_name(label: str, row: dict[str, Any]) -> str:
    """A short human name for a node row: its name, title, accession or footnote id.

    >>> display_name("Filing", {"id": "filing/x", "document_type": "4", "accession": "0001-21-1"})
    '4 0001-21-1'
    """
    def get(key: str) -> str:
        value = row.get(key)
        return "" if value is None else str(value)

    if label in ("Person", "Company"):
        text = get("name")
    elif label == "Security":
        text = get("title")
    elif label == "Filing":
        text = f"{get('document_type')} {get('accession') or get('id')}"
    elif label in ("Transaction", "Holding"):
        parts = [get("transaction_code"), get("shares"), get("security_title"), get("transaction_date")]
        text = " ".join(p for p in parts if p)
    elif label == "Footnote":
        text = f"{get('footnote_id')} ({get('filing_id')})"
    else:
        text = ""
    return text.strip() or get("id")


def _attrs(row: dict[str, Any], props: Iterable[Prop]) -> dict[str, Scalar]:
    out: dict[str, Scalar] = {}
    for prop in props:
        if prop.name in _RESERVED or prop.name in ("src", "dst"):
            continue
        value = scalar(row.get(prop.name), prop.type)
        if value is not None:
            out[prop.name] = value
    return out


def _rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], df.to_dict("records")) if len(df) else []


def _typed_graph(tables: GraphTables, labels: list[str], rels: list[str]) -> nx.MultiDiGraph[str]:
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    nodes: list[tuple[str, dict[str, Scalar]]] = []
    for label in labels:
        props = NODE_TYPES[label].props
        df = tables.nodes[label]
        # A node in another label's table would be exported with the wrong type.
        check_labels(label, pa.array([str(i) for i in df["id"]], pa.string()))
        for row in _rows(df):
            attrs = _attrs(row, props)
            attrs.update(label=display_name(label, row), type=label)
            nodes.append((str(row["id"]), dict(sorted(attrs.items()))))
    nodes.sort(key=lambda item: item[0])
    graph.add_nodes_from(nodes)

    edges: list[tuple[str, str, str, dict[str, Scalar]]] = []
    seen: set[str] = set()
    for rel in rels:
        props = EDGE_TYPES[rel].props
        for row in _rows(tables.edges[rel]):
            src, dst, eid = str(row["src"]), str(row["dst"]), str(row["id"])
            # A dangling edge is a builder bug; exporting it would invent a bare node.
            for end in (src, dst):
                if end not in graph:
                    raise ExportError(f"{rel} edge {eid} points at {end}, which is not a {'/'.join(labels)} node")
            # Table ids are unique per type only (a director who is also a 10% owner has
            # two edges with one id), and GEXF wants ids unique in the file.
            key = view_edge_key(rel, eid)
            if key in seen:
                raise ExportError(f"two {rel} edges share the id {eid}; the graph tables are inconsistent")
            seen.add(key)
            attrs = _attrs(row, props)
            attrs.update(id=key, label=rel, relationship=rel)
            edges.append((src, dst, key, dict(sorted(attrs.items()))))
    edges.sort(key=lambda item: (item[0], item[1], item[3]["relationship"], item[2]))
    graph.add_edges_from(edges)  # type: ignore[arg-type]  # the stubs lack the (u, v, key, data) form
    return graph


def _interlocks(tables: GraphTables) -> nx.Graph[str]:
    companies = {str(r["id"]): r for r in _rows(tables.nodes["Company"])}
    people = {str(r["id"]): r for r in _rows(tables.nodes["Person"])}
    boards: dict[str, set[str]] = defaultdict(set)  # director id -> issuer ids
    for row in _rows(tables.edges["DIRECTOR_OF"]):
        if str(row["dst"]) not in companies:
            raise ExportError(f"DIRECTOR_OF edge {row['id']} points at {row['dst']}, which is not a Company node")
        boards[str(row["src"])].add(str(row["dst"]))

    shared: dict[tuple[str, str], set[str]] = defaultdict(set)
    board_size: dict[str, int] = defaultdict(int)
    for director, issuers in boards.items():
        for issuer in issuers:
            board_size[issuer] += 1
        for pair in combinations(sorted(issuers), 2):
            shared[pair].add(director)

    def director_name(did: str) -> str:
        row = people.get(did) or companies.get(did)
        return display_name(label_of(did), row) if row else did

    graph: nx.Graph[str] = nx.Graph()
    props = NODE_TYPES["Company"].props
    for cid in sorted(board_size):
        row = companies[cid]
        attrs = _attrs(row, props)
        attrs.update(label=display_name("Company", row), type="Company", board_size=board_size[cid])
        graph.add_node(cid, **dict(sorted(attrs.items())))
    for (a, b), directors in sorted(shared.items()):
        ordered = sorted(directors, key=lambda d: (director_name(d), d))
        graph.add_edge(
            a,
            b,
            id=interlock_id(a, b),
            label=f"{len(ordered)} shared director{'s' if len(ordered) != 1 else ''}",
            relationship="SHARES_DIRECTORS_WITH",
            weight=len(ordered),
            directors="; ".join(director_name(d) for d in ordered),
            director_ids="; ".join(ordered),
        )
    for node in graph:
        graph.nodes[node]["weighted_degree"] = int(graph.degree(node, weight="weight"))
    return graph
