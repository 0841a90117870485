"""Named queries over the store, answered by embedded Cypher, SPARQL or networkx.

>>> from insidergraph.queries import run                     # doctest: +SKIP
>>> run("shared-directors", "insidergraph-store", engine="cypher", min_boards=3)  # doctest: +SKIP
   person_cik   person_name  issuer_count  issuer_ciks  issuer_names
...

Every engine returns the same rows in the same order: each query orders its own rows;
:func:`normalise` only gives values one type (dates as ISO text, numbers as ``float`` or
``int``, list cells as Python lists with parallel lists sorted together).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insidergraph.errors import QueryError
from insidergraph.queries.registry import QUERIES, NamedQuery, get

if TYPE_CHECKING:
    import pandas as pd

    from insidergraph.graph.store import Store


def _store(store: Store | str | Path) -> Store:
    from insidergraph.graph.store import Store

    return store if isinstance(store, Store) else Store(store)


def run(name: str, store: Store | str | Path, engine: str = "cypher", **params: Any) -> pd.DataFrame:
    """Run the named query ``name`` on ``store`` with one engine; rows as a DataFrame.

    Parameters use the registry's names (``min_boards=3``, ``as_of=date(2020, 1, 1)``).
    """
    from insidergraph.backends import BACKENDS, open_engine

    query = get(name)
    bound = query.bind(params)
    where = _store(store)
    rows = open_engine(engine, where).run_named(query, bound)
    if not rows and (BACKENDS[engine].local or where.exists()):
        _refuse_unknown(where, bound, params)
    return normalise(query, rows)


def refuse_unknown(store: Store | str | Path, query: NamedQuery, params: dict[str, Any]) -> None:
    """For an empty answer from a server (Neo4j, a SPARQL endpoint): an error naming the
    person or issuer that no node of the local store matches, when there is a local store
    (its graph tables are there whatever engine answers); nothing without one, as the
    server's own graph is not searched.

    >>> refuse_unknown("no-such-store", QUERIES["insider-roles"], {"person": "nobody"})
    """
    where = _store(store)
    if where.exists():
        _refuse_unknown(where, query.bind(params), params)


#: What each entity parameter may name: ``(labels, how its text matches)``.
_NAMED: dict[str, tuple[tuple[str, ...], str]] = {
    "person": (("Person",), "name"), "issuer": (("Company",), "ticker"),
    "source": (("Person", "Company"), ""), "target": (("Person", "Company"), ""),
}


def _refuse_unknown(store: Store, bound: dict[str, Any], params: dict[str, Any]) -> None:
    """An empty answer about something the store does not hold is an error naming it, not
    a header with no rows (asked only when the answer is empty, so it costs nothing else).

    The test is looser than any query's own match (CIK, node id, a part of a name or
    alias, a ticker), so it never refuses a person or issuer the store holds.
    """
    for param, (labels, text_kind) in _NAMED.items():
        if f"{param}_by_id" not in bound:
            continue
        cik, node_id, text = (bound[f"{param}_by_{k}"] for k in ("cik", "id", "text"))
        tables = store.tables()
        if not any(_holds(tables.nodes[label], cik, node_id, text, text_kind) for label in labels):
            what = " or ".join(label.lower() for label in labels)
            raise QueryError(f"{store.path}: no {what} matches {params.get(param)!r} "
                             f"(a CIK, a node id{', part of a name' if text_kind == 'name' else ''}"
                             f"{', a ticker' if text_kind == 'ticker' else ''})")


def _holds(nodes: pd.DataFrame, cik: str, node_id: str, text: str, text_kind: str) -> bool:
    """Whether a node of ``nodes`` has the CIK or id, or the name part or ticker ``text``."""
    if (cik and (nodes["cik"] == cik).any()) or (nodes["id"] == node_id).any():
        return True
    if not text or not text_kind:
        return False
    if text_kind == "ticker":
        return bool((nodes["ticker"].fillna("").str.upper() == text).any())
    names = [str(n or "") for n in nodes["name"]] + [str(a) for al in nodes["aliases"] for a in (al or ())]
    return any(text in n.lower() for n in names)


def run_text(text: str, store: Store | str | Path, engine: str = "cypher",
             params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run an ad-hoc query (Cypher on ``cypher``, SPARQL on ``sparql``) with bound parameters."""
    import pandas as pd

    from insidergraph.backends import open_engine

    columns, rows = open_engine(engine, _store(store)).run_text(text, params or {})
    return pd.DataFrame([[_plain(v) for v in r] for r in rows], columns=columns, dtype=object)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from a missing value
        return None
    if kind == "float":
        return float(value)
    if kind == "date":
        return _plain(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return _plain(value)


def normalise(query: NamedQuery, rows: list[list[Any]]) -> pd.DataFrame:
    """Rows of any engine as one DataFrame shape (the row order is the engine's own).

    >>> from insidergraph.queries.registry import QUERIES
    >>> q = QUERIES["shared-directors"]
    >>> normalise(q, [["1", "Jane", 2.0, ["b", "a"], ["B", "A"]]]).iloc[0].tolist()
    ['1', 'Jane', 2, ['a', 'b'], ['A', 'B']]
    """
    import pandas as pd

    kinds = {c: "float" for c in query.float_columns} | {c: "date" for c in query.date_columns}
    position = {c: i for i, c in enumerate(query.columns)}
    groups = [[position[c] for c in group] for group in query.list_columns]
    in_lists = {i for group in groups for i in group}
    scalars = [(i, kinds.get(c, "")) for i, c in enumerate(query.columns) if i not in in_lists]
    out: list[list[Any]] = []
    # Tens of thousands of rows at scale: the common case (plain strings, no None) takes
    # the short ways, which give what the general ones would.
    for row in rows:
        rec = list(row)
        for group in groups:
            _sort_lists(rec, group)
        for i, kind in scalars:
            value = rec[i]
            # Strings (unless a float is due) and plain ints (counts) are already what _cell gives.
            if kind == "float" or (type(value) is not str and (type(value) is not int or kind)):
                rec[i] = _cell(value, kind)
        out.append(rec)
    return pd.DataFrame(out, columns=list(query.columns), dtype=object)


def _sorted_rows(ordered: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Parallel lists' items sorted together, by the first then the rest (None last)."""
    if any(None in t for t in ordered) or not all(type(x) is str for t in ordered for x in t):
        ordered.sort(key=lambda t: tuple((x is None, x if x is not None else "") for x in t))
    else:
        ordered.sort()
    return ordered


def _sort_lists(rec: list[Any], group: list[int]) -> None:
    """The list cells of ``rec`` at ``group`` (parallel lists) sorted together, in place.

    >>> rec = [["b", "a", None], ["y", "x", "z"]]
    >>> _sort_lists(rec, [0, 1]); rec
    [['a', 'b', None], ['x', 'y', 'z']]
    """
    if len(group) == 1:
        items = rec[group[0]] or []
        if all(type(x) is str for x in items):
            rec[group[0]] = sorted(items)
            return
    lists = [rec[i] or [] for i in group]
    if not all(type(x) is str for items in lists for x in items):
        lists = [[_plain(x) for x in items] for items in lists]
    ordered = _sorted_rows(list(zip(*lists)))
    for k, i in enumerate(group):
        rec[i] = [t[k] for t in ordered]


__all__ = ["QUERIES", "get", "normalise", "refuse_unknown", "run", "run_text"]
