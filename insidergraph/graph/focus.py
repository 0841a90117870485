"""An ego network of a view: the nodes within ``depth`` steps of an issuer or a person.

``export --issuer``, ``--person`` and ``--depth`` land here. Each names its entity by a
node id, a CIK, a ticker (issuers) or a name (a name, alias, or every word of it, case
aside); a name that matches several is refused with the candidates, a name that matches
none says so. In the ``interlocks`` view, where people are not nodes, a person stands for
the boards they sat on.

>>> from insidergraph.graph.tables import GraphTables
>>> t = GraphTables.from_rows(
...     {"Person": [{"id": "person/0000000001", "cik": "0000000001", "name": "Doe Jane"}],
...      "Company": [{"id": "company/0000000009", "cik": "0000000009", "name": "ACME", "ticker": "ACM"}]}, {})
>>> resolve_entity(t, "acm", "Company"), resolve_entity(t, "1", "Person"), resolve_entity(t, "jane doe", "Person")
('company/0000000009', 'person/0000000001', 'person/0000000001')
>>> resolve_entity(t, "Roe", "Person")
Traceback (most recent call last):
...
insidergraph.errors.ExportError: no person matches 'Roe' (give a CIK, a name or a node id)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import networkx as nx

from insidergraph.errors import ExportError
from insidergraph.graph.tables import GraphTables

#: How many candidates an ambiguous name lists.
_SHOWN = 10


@dataclass(frozen=True, slots=True)
class Focus:
    """The centres of an ego network (node ids) and its radius in steps."""

    centres: tuple[str, ...]
    depth: int = 1


def _words(text: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in text.lower()).split()


def _names(row: dict[str, Any]) -> list[str]:
    aliases = row.get("aliases")
    return [str(row.get("name") or ""), *(str(a) for a in (aliases if aliases is not None else []))]


def _candidate(row: dict[str, Any]) -> str:
    return f"{row.get('name')} (CIK {row.get('cik') or 'none'}, {row['id']})"


def resolve_entity(tables: GraphTables, text: str, label: str) -> str:
    """The node id of the ``label`` (``Person`` or ``Company``) that ``text`` names."""
    df = tables.nodes[label]
    rows = cast(list[dict[str, Any]], df.to_dict("records")) if len(df) else []
    wanted = text.strip()
    kind = "person" if label == "Person" else "issuer"
    tests: list[Callable[[dict[str, Any]], bool]] = [
        lambda r: str(r["id"]) == wanted,
        lambda r: wanted.isdigit() and str(r.get("cik") or "") == wanted.zfill(10),
        lambda r: label == "Company" and str(r.get("ticker") or "").lower() == wanted.lower(),
        lambda r: any(n.lower() == wanted.lower() for n in _names(r)),
        lambda r: bool(_words(wanted)) and any(set(_words(wanted)) <= set(_words(n)) for n in _names(r)),
    ]
    for test in tests:
        hits = sorted((r for r in rows if test(r)), key=lambda r: str(r["id"]))
        if len(hits) == 1:
            return str(hits[0]["id"])
        if hits:
            listed = "; ".join(_candidate(r) for r in hits[:_SHOWN])
            more = f" and {len(hits) - _SHOWN} more" if len(hits) > _SHOWN else ""
            raise ExportError(f"{wanted!r} names {len(hits)} {kind}s: {listed}{more}; give a CIK or a node id")
    raise ExportError(f"no {kind} matches {wanted!r} (give a CIK, {'a ticker, ' if kind == 'issuer' else ''}"
                      "a name or a node id)")


def focus_of(tables: GraphTables, issuer: str | None, person: str | None, depth: int | None) -> Focus | None:
    """The :class:`Focus` that the export options ask for, or ``None`` for the whole view.

    >>> focus_of(GraphTables.empty(), None, None, None) is None
    True
    """
    if issuer is None and person is None:
        if depth is not None:
            raise ExportError("--depth needs --issuer or --person: the centre of the ego network")
        return None
    if depth is not None and depth < 0:
        raise ExportError(f"--depth must be 0 or more, not {depth}")
    centres = [resolve_entity(tables, text, label) for text, label in ((issuer, "Company"), (person, "Person"))
               if text is not None]
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
