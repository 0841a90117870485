"""Shortest paths for ``connection``, shared by the engines that have no path search.

Of all shortest paths the canonical one is the path whose list of node ids is smallest:
a breadth-first search from the target gives every node's distance to it, then a walk
from the source takes at each step the smallest-id neighbour one step closer. The
embedded Cypher finds the same path with ``ALL SHORTEST`` and ``ORDER BY``.

>>> adj = {"a": ["c", "b"], "b": ["a", "d"], "c": ["a", "d"], "d": ["b", "c"]}
>>> canonical_path("a", "d", lambda n: adj[n])
['a', 'b', 'd']
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from insidergraph.backends.oxigraph.engine import OxigraphEngine

#: The longest path looked for (the Cypher files say ``1..30``).
MAX_HOPS = 30


def canonical_path(source: str, target: str, neighbours: Callable[[str], Iterable[str]]) -> list[str] | None:
    """The smallest (by node ids) shortest path from ``source`` to ``target``, or None."""
    if source == target:
        return None
    dist = {target: 0}
    queue = deque([target])
    while queue and source not in dist:
        node = queue.popleft()
        if dist[node] >= MAX_HOPS:
            break
        for n in neighbours(node):
            if n not in dist:
                dist[n] = dist[node] + 1
                queue.append(n)
    if source not in dist:
        return None
    path = [source]
    while path[-1] != target:
        here = dist[path[-1]]
        path.append(min(n for n in neighbours(path[-1]) if dist.get(n) == here - 1))
    return path


def sparql_connection(engine: OxigraphEngine, query: Any, bound: dict[str, Any]) -> list[list[Any]]:
    """``connection`` on SPARQL: ``connection.rq`` gives one node's neighbours (bound by
    substitution), ``connection-node.rq`` finds the end nodes; the walk is :func:`canonical_path`.

    ``query`` is the registry's :class:`~insidergraph.queries.registry.NamedQuery`, typed
    ``Any`` as in every engine's ``run_named``: the backends sit below the queries.
    """
    import pyoxigraph as ox

    find = query.text("sparql", part="node")
    step = query.text("sparql")
    ends = []
    for side in ("source", "target"):
        _, rows = engine.run_text(find, {"key_cik": bound[f"{side}_by_cik"], "key_id": bound[f"{side}_by_id"]})
        if not rows:
            return []
        ends.append(rows[0][0])
    info: dict[str, tuple[Any, Any]] = {}
    edges: dict[str, list[tuple[str, str, str]]] = {}

    def neighbours(iri: str) -> list[str]:
        if iri not in edges:
            _, rows = engine.run_text(step, {"node": ox.NamedNode(iri)})
            edges[iri] = [(r[0], r[3], r[4]) for r in rows]
            for r in rows:
                info[r[0]] = (r[1], r[2])
        return [e[0] for e in edges[iri]]

    # Node IRIs share one prefix, so ordering IRIs orders node ids.
    path = canonical_path(ends[0], ends[1], neighbours)
    if path is None:
        return []
    # Every node of the path was listed as a neighbour of the next or previous one, so
    # ``info`` already holds its name and CIK.
    out = []
    for hop, (x, y) in enumerate(itertools.pairwise(path), 1):
        kinds = sorted({(rel, direction) for other, rel, direction in edges[x] if other == y})
        for rel, direction in kinds:
            out.append([hop, info[x][0], info[x][1], rel, direction, info[y][0], info[y][1]])
    return out
