"""An ego network of a view: the nodes within ``depth`` steps of an issuer or a person.

``export --issuer``, ``--person`` and ``--depth`` land here with node ids: the CLI resolves
what the user typed (a CIK, a ticker, a node id or a name) with the one resolver of every
entity option, :mod:`insidergraph.queries.resolve`. In the ``interlocks`` view, where
people are not nodes, a person stands for the boards they sat on.

>>> from insidergraph.graph.tables import GraphTables
>>> t = GraphTables.from_rows({"Company": [{"id": "company/0000000009", "name": "ACME"}]}, {})
>>> focus_of(t, "company/0000000009", None, 2)
Focus(centres=('company/0000000009',), depth=2)
>>> focus_of(t, "company/0000000001", None, None)
Traceback (most recent call last):
...
insidergraph.errors.ExportError: no issuer 'company/0000000001' in this store
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from insidergraph.errors import ExportError
from insidergraph.graph.tables import GraphTables


@dataclass(frozen=True, slots=True)
class Focus:
    """The centres of an ego network (node ids) and its radius in steps."""

    centres: tuple[str, ...]
    depth: int = 1


def _centre(tables: GraphTables, node_id: str, label: str) -> str:
    """``node_id``, checked to be a node of ``label`` in ``tables``."""
    if node_id not in set(tables.nodes.ids(label)):
        kind = "person" if label == "Person" else "issuer"
        raise ExportError(f"no {kind} {node_id!r} in this store")
    return node_id


def focus_of(tables: GraphTables, issuer: str | None, person: str | None, depth: int | None) -> Focus | None:
    """The :class:`Focus` that the export options ask for (node ids), or ``None`` for the whole view.

    >>> focus_of(GraphTables.empty(), None, None, None) is None
    True
    """
    if issuer is None and person is None:
        if depth is not None:
            raise ExportError("--depth needs --issuer or --person: the centre of the ego network")
        return None
    if depth is not None and depth < 0:
        raise ExportError(f"--depth must be 0 or more, not {depth}")
    centres = [_centre(tables, node_id, label) for node_id, label in ((issuer, "Company"), (person, "Person"))
               if node_id is not None]
    return Focus(tuple(centres), 1 if depth is None else depth)


def ego(graph: nx.Graph[str], focus: Focus, boards: dict[str, list[str]]) -> nx.Graph[str]:
    """The part of ``graph`` within ``focus.depth`` steps of its centres, degrees recounted.

    ``boards`` maps a person to the issuers they direct, the person's stand-ins where people
    are not nodes (the ``interlocks`` view).
    """
    undirected = graph.to_undirected(as_view=True)
    keep: set[str] = set()
    for centre in focus.centres:
        starts = [centre] if centre in graph else [b for b in boards.get(centre, []) if b in graph]
        if not starts:
            raise ExportError(f"{centre} is not in this view (and sits on no board in it); choose another --view")
        for start in starts:
            keep.update(nx.single_source_shortest_path_length(undirected, start, cutoff=focus.depth))
    # A fresh graph filled in the view's sorted order: a subgraph view would iterate its
    # nodes in set order, which changes with the hash seed, and the bytes with it.
    part = graph.__class__()
    part.add_nodes_from((n, dict(d)) for n, d in graph.nodes(data=True) if n in keep)
    if graph.is_multigraph():
        keyed: list[Any] = [(u, v, k, dict(d)) for u, v, k, d in graph.edges(keys=True, data=True)  # type: ignore[call-overload]
                            if u in keep and v in keep]
        part.add_edges_from(keyed)  # the stubs lack the (u, v, key, data) form
    else:
        part.add_edges_from((u, v, dict(d)) for u, v, d in graph.edges(data=True) if u in keep and v in keep)
    for node, degree in part.degree():
        part.nodes[node]["degree"] = int(degree)
    if not part.is_directed():
        for node in part:
            part.nodes[node]["weighted_degree"] = int(part.degree(node, weight="weight"))
    return part
