"""How a view looks, decided once for every viewer: colours, sizes, line styles, spans and
a seeded layout, written by the GraphML, GEXF and Cytoscape writers and drawn by the page.

:func:`styled` adds plain attributes to a view graph (see :mod:`insidergraph.graph.views`):
each node gets ``x``, ``y`` (a layout computed here, so every viewer and every opening of
the page shows the same picture), ``size`` (by degree), ``color`` (``#rrggbb`` by type) and
``r``/``g``/``b`` (the same colour as Gephi's GraphML importer reads it); each edge gets
``color``, ``line_style`` and ``role`` (a word for its relationship: attorneys-in-fact,
directors, officers and 10% owners each look different) and, when it has dates, ``start``
and ``end`` and ``spans``. A role's span is its first and last period of report (or filing
date when it has none); an attorney's its first and last signature. An interlock of two
issuers has one span per shared director who sat on both boards at once (the overlap of
the two seats, ISO 8601 intervals joined by ``"; "``); ``start``/``end`` enclose them, and
an interlock whose directors never overlapped has none.

The layout (of views up to :data:`LAYOUT_LIMIT` nodes) lays out each connected component
with networkx's Kamada-Kawai layout (small ones) or seeded spring layout, scaled by its
size, and packs the components in rows, largest first; lone nodes go on a grid below them,
spaced so that no two overprint.

>>> g = nx.MultiDiGraph()
>>> g.add_node("person/1", type="Person", degree=1)
>>> g.add_node("company/2", type="Company", degree=1)
>>> _ = g.add_edge("person/1", "company/2", key="DIRECTOR_OF:e", relationship="DIRECTOR_OF",
...                first_period="2012-03-01", last_period="2013-05-28")
>>> s = styled(g)
>>> s.nodes["company/2"]["color"], s.edges["person/1", "company/2", "DIRECTOR_OF:e"]["spans"]
('#d62728', '2012-03-01/2013-05-28')
>>> styled(g).nodes(data="x") == s.nodes(data="x")
True
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

import networkx as nx

from insidergraph.graph.tables import GraphTables

#: Node colours by node type.
NODE_COLOURS: dict[str, str] = {
    "Person": "#1f77b4", "Company": "#d62728", "Security": "#2ca02c", "Filing": "#7f7f7f",
    "Transaction": "#ff7f0e", "Holding": "#bcbd22", "Footnote": "#9467bd",
}

#: Each relationship's word, colour and line style (``solid``, ``dashed``, ``dotted``: the
#: names GEXF's ``viz:shape`` and Cytoscape.js's ``line-style`` share).
EDGE_STYLES: dict[str, tuple[str, str, str]] = {
    "DIRECTOR_OF": ("director", "#2ca02c", "solid"),
    "OFFICER_OF": ("officer", "#ff7f0e", "solid"),
    "TEN_PERCENT_OWNER_OF": ("10% owner", "#8c564b", "dotted"),
    "OTHER_RELATION_TO": ("other relation", "#17becf", "solid"),
    "ATTORNEY_IN_FACT_FOR": ("attorney-in-fact", "#9467bd", "dashed"),
    "SHARES_DIRECTORS_WITH": ("shared directors", "#2ca02c", "solid"),
}
_OTHER_EDGE = ("", "#bbbbbb", "solid")

#: The columns a relationship's span is read from, first set wins (begin, end).
_SPAN_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ATTORNEY_IN_FACT_FOR": (("first_date",), ("last_date",)),
    **{rel: (("first_period", "first_filed"), ("last_period", "last_filed"))
       for rel in ("DIRECTOR_OF", "OFFICER_OF", "TEN_PERCENT_OWNER_OF", "OTHER_RELATION_TO")},
}

#: The layout's seed: the same view is always drawn the same.
SEED = 1729
#: Model units between neighbours; also the lone nodes' grid pitch (node sizes stay below it).
UNIT = 80.0
MIN_SIZE, MAX_SIZE = 10.0, 48.0
#: Most nodes a view is laid out for: past it a force layout takes minutes, and the tools
#: that open such a file (Gephi, Cytoscape) lay it out themselves, so no positions are written.
LAYOUT_LIMIT = 2000
#: Components above this size get fewer layout iterations (the sparse solver, scipy's).
_BIG_COMPONENT = 500
#: Components up to this size are laid out by Kamada-Kawai (quadratic in memory, cubic in time).
_KAMADA_KAWAI = 150

Span = tuple[str, str]


def rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as three integers.

    >>> rgb("#1f77b4")
    (31, 119, 180)
    """
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def edge_span(rel: str, attrs: dict[str, Any]) -> Span | None:
    """The (begin, end) ISO dates of an edge of type ``rel`` from its attributes; ``None``
    when it has no date.

    >>> edge_span("OFFICER_OF", {"first_filed": "2020-01-02", "last_period": "2021-06-30"})
    ('2020-01-02', '2021-06-30')
    >>> edge_span("FILED", {}) is None
    True
    """
    begin_cols, end_cols = _SPAN_COLUMNS.get(rel, ((), ()))
    begin = next((str(attrs[c]) for c in begin_cols if attrs.get(c)), None)
    end = next((str(attrs[c]) for c in end_cols if attrs.get(c)), None)
    if begin is None and end is None:
        return None
    return (begin or cast(str, end), end or cast(str, begin))


def merged(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans joined, in order.

    >>> merged([("2015-01-01", "2016-01-01"), ("2012-01-01", "2013-01-01"), ("2015-06-01", "2017-01-01")])
    [('2012-01-01', '2013-01-01'), ('2015-01-01', '2017-01-01')]
    """
    out: list[Span] = []
    for begin, end in sorted(spans):
        if out and begin <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((begin, end))
    return out


def director_spans(tables: GraphTables) -> dict[tuple[str, str], Span]:
    """Each director seat's span, by (director id, issuer id)."""
    df = tables.edges["DIRECTOR_OF"]
    spans: dict[tuple[str, str], Span] = {}
    for row in cast(list[dict[str, Any]], df.to_dict("records")) if len(df) else []:
        attrs = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
        span = edge_span("DIRECTOR_OF", attrs)
        if span is not None:
            spans[(str(row["src"]), str(row["dst"]))] = span
    return spans


def _interlock_spans(a: str, b: str, director_ids: str, seats: dict[tuple[str, str], Span]) -> list[Span]:
    overlaps: list[Span] = []
    for director in director_ids.split("; "):
        sa, sb = seats.get((director, a)), seats.get((director, b))
        if sa and sb and max(sa[0], sb[0]) <= min(sa[1], sb[1]):
            overlaps.append((max(sa[0], sb[0]), min(sa[1], sb[1])))
    return merged(overlaps)


def _style_edges(graph: nx.Graph[str], tables: GraphTables | None) -> None:
    seats = director_spans(tables) if tables is not None and not graph.is_directed() else {}
    for u, v, data in graph.edges(data=True):
        rel = str(data.get("relationship", ""))
        role, colour, line = EDGE_STYLES.get(rel, _OTHER_EDGE)
        data.update(role=role or rel.lower().replace("_", " "), color=colour, line_style=line)
        if rel == "SHARES_DIRECTORS_WITH":
            spans = _interlock_spans(u, v, str(data.get("director_ids", "")), seats)
        else:
            span = edge_span(rel, data)
            spans = [span] if span else []
        if spans:
            data.update(start=spans[0][0], end=max(s[1] for s in spans), spans="; ".join(f"{a}/{b}" for a, b in spans))


def _component_layout(graph: nx.Graph[str], nodes: list[str]) -> dict[str, tuple[float, float]]:
    """One component's positions, centred on (0, 0), spread in proportion to its size."""
    # A fresh graph, not graph.subgraph(): a subgraph view iterates its nodes in set order,
    # which changes with the hash seed, and the seeded layout depends on the node order.
    wanted = set(nodes)
    sub: nx.Graph[str] = nx.Graph()
    sub.add_nodes_from(nodes)
    sub.add_edges_from(sorted((u, v) if u < v else (v, u) for u, v in graph.edges(nodes) if v in wanted))
    if len(nodes) <= _KAMADA_KAWAI:
        # Kamada-Kawai keeps graph distances as drawn distances, so a clique of boards does not
        # collapse onto itself as it does under a spring layout; it starts from a circle: no seed.
        raw = nx.kamada_kawai_layout(sub)
    else:
        raw = nx.spring_layout(sub, seed=SEED, iterations=100 if len(nodes) < _BIG_COMPONENT else 40)
    radius = UNIT * math.sqrt(len(nodes))
    return {n: (float(raw[n][0]) * radius, float(raw[n][1]) * radius) for n in nodes}


def layout(graph: nx.Graph[str]) -> dict[str, tuple[float, float]]:
    """Seeded positions of every node: components packed in rows, lone nodes on a grid.

    >>> pos = layout(nx.empty_graph(["a", "b", "c"]))
    >>> sorted(pos.values())
    [(0.0, 0.0), (80.0, 0.0), (160.0, 0.0)]
    """
    simple: nx.Graph[str] = nx.Graph()
    simple.add_nodes_from(graph.nodes)  # the view's sorted order, so the seed means the same
    simple.add_edges_from((u, v) for u, v, *_ in graph.edges)
    components = sorted((sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c[0]))
    groups = [_component_layout(simple, c) for c in components if len(c) > 1]
    lone = [c[0] for c in components if len(c) == 1]
    area = sum((2 * UNIT * math.sqrt(len(g))) ** 2 for g in groups) + len(lone) * UNIT**2
    width = max([math.sqrt(area) * 1.3, UNIT * 3] + [2 * UNIT * math.sqrt(len(g)) for g in groups])
    pos: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for group in groups:
        xs, ys = [p[0] for p in group.values()], [p[1] for p in group.values()]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        if x > 0 and x + w > width:  # start a new row
            x, y, row_height = 0.0, y + row_height + UNIT, 0.0
        for node, (px, py) in group.items():
            pos[node] = (x + px - min(xs), y + py - min(ys))
        x += w + UNIT
        row_height = max(row_height, h)
    top = y + row_height + UNIT if groups else 0.0
    columns = max(1, int(width // UNIT))
    for k, node in enumerate(lone):
        pos[node] = (UNIT * (k % columns), top + UNIT * (k // columns))
    return {n: (round(px, 1) + 0.0, round(py, 1) + 0.0) for n, (px, py) in pos.items()}


def styled(graph: nx.Graph[str], tables: GraphTables | None = None) -> nx.Graph[str]:
    """``graph`` with the look attributes added (in place, and returned); ``tables`` gives
    the director seats an interlock's spans are read from."""
    weighted = not graph.is_directed()
    degree = {n: int(d.get("weighted_degree" if weighted else "degree", d.get("degree", 0)) or 0)
              for n, d in graph.nodes(data=True)}
    top = max([1, *degree.values()])
    positions = layout(graph) if graph.number_of_nodes() <= LAYOUT_LIMIT else {}
    for node, data in graph.nodes(data=True):
        colour = NODE_COLOURS.get(str(data.get("type")), "#999999")
        r, g, b = rgb(colour)
        size = MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(degree[node] / top)
        data.update(size=round(size, 1), color=colour, r=r, g=g, b=b)
        if node in positions:
            data.update(x=positions[node][0], y=positions[node][1])
    _style_edges(graph, tables)
    return graph


def legend(graph: nx.Graph[str]) -> list[dict[str, str]]:
    """The edge styles that occur in ``graph``, in :data:`EDGE_STYLES` order."""
    present: dict[str, int] = defaultdict(int)
    for *_, data in graph.edges(data=True):
        present[str(data.get("relationship"))] += 1
    return [{"relationship": rel, "role": role, "color": colour, "line_style": line}
            for rel, (role, colour, line) in EDGE_STYLES.items() if present.get(rel)]
