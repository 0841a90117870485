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
from insidergraph.queries.resolve import resolve_entities

if TYPE_CHECKING:
    import pandas as pd

    from insidergraph.graph.store import Store


def _store(store: Store | str | Path) -> Store:
    from insidergraph.graph.store import Store

    return store if isinstance(store, Store) else Store(store)


def run(name: str, store: Store | str | Path, engine: str = "cypher", **params: Any) -> pd.DataFrame:
    """Run the named query ``name`` on ``store`` with one engine; rows as a DataFrame.

    Parameters use the registry's names (``min_boards=3``, ``as_of=date(2020, 1, 1)``).
    An entity option (``person="levchin"``, ``issuer="Tesla"``) is resolved to one node of
    the store first (:mod:`insidergraph.queries.resolve`), whichever engine answers; one
    that names no node, or several, is a :class:`~insidergraph.errors.QueryError`.
    """
    return answer_frame(list(get(name).columns), run_rows(name, store, engine, **params))


def answer_frame(columns: list[str], rows: list[list[Any]]) -> pd.DataFrame:
    """An answer's rows as the DataFrame the library returns: every column of Python objects
    (no type inferred, so a count stays an ``int`` and a missing value ``None``).

    >>> answer_frame(["n"], [[1], [None]])["n"].tolist()
    [1, None]
    """
    import pandas as pd

    return pd.DataFrame(rows, columns=columns, dtype=object)


def run_rows(name: str, store: Store | str | Path, engine: str = "cypher", **params: Any) -> list[list[Any]]:
    """The rows :func:`run` puts in its DataFrame (columns ``get(name).columns``), without
    pandas: what ``insidergraph query NAME`` writes as CSV or JSON, in a process that then
    never imports pandas (a third of its time at 100,000 filings)."""
    from insidergraph.backends import open_engine

    query = get(name)
    values = query.values(params)
    where = _store(store)
    answering = open_engine(engine, where)  # a missing local store or engine says so first
    bound = query.bind(resolve_entities(query, values, where, engine))
    return normal_rows(query, answering.run_named(query, bound))


def run_text(text: str, store: Store | str | Path, engine: str = "cypher",
             params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run an ad-hoc query (Cypher on ``cypher``, SPARQL on ``sparql``) with bound parameters.

    A parameter the text uses and ``params`` lacks is a :class:`QueryError` naming it
    (:func:`check_parameters`), not an empty answer.
    """
    columns, rows = text_rows(text, store, engine, params)
    return answer_frame(columns, [[_plain(v) for v in r] for r in rows])


def text_rows(text: str, store: Store | str | Path, engine: str = "cypher",
              params: dict[str, Any] | None = None) -> tuple[list[str], list[list[Any]]]:
    """The columns and rows of an ad-hoc query as :func:`run_text` runs it, the values in the
    engine's own Python types (dates as :class:`~datetime.date`, for the Python API's dtypes).

    A parameter the text uses and ``params`` lacks is a :class:`QueryError` naming it
    (:func:`check_parameters`), not an empty answer.
    """
    from insidergraph.backends import LANGUAGE, open_engine

    answering = open_engine(engine, _store(store))
    check_parameters(LANGUAGE[engine], text, params or {})
    return answering.run_text(text, params or {})


def check_parameters(language: str, text: str, params: dict[str, Any]) -> None:
    """Refuse a ``cypher`` or ``sparql`` text that uses a parameter ``params`` does not give
    (Cypher ``$name``; SPARQL ``$name``: see :func:`insidergraph.backends.guard.parameters`).

    >>> check_parameters("cypher", "MATCH (p) WHERE p.cik = $cik RETURN p", {"cik": "1"})
    >>> check_parameters("cypher", "MATCH (p) WHERE p.cik = $cik AND p.name = $name RETURN p", {})
    Traceback (most recent call last):
    ...
    insidergraph.errors.QueryError: the query uses $cik and $name, which are not given: add --param cik=VALUE --param name=VALUE
    """  # noqa: E501 (a doctest's expected error is its one-line message)
    from insidergraph.backends.guard import parameters

    missing = [name for name in parameters(language, text) if name not in params]
    if missing:
        uses = " and ".join(", ".join(f"${n}" for n in missing).rsplit(", ", 1))
        verb = "is" if len(missing) == 1 else "are"
        add = " ".join(f"--param {n}=VALUE" for n in missing)
        raise QueryError(f"the query uses {uses}, which {verb} not given: add {add}")


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
    return answer_frame(list(query.columns), normal_rows(query, rows))


def normal_rows(query: NamedQuery, rows: list[list[Any]]) -> list[list[Any]]:
    """The rows of :func:`normalise`'s DataFrame, as lists.

    >>> from insidergraph.queries.registry import QUERIES
    >>> normal_rows(QUERIES["shared-directors"], [["1", "Jane", 2.0, ["b", "a"], ["B", "A"]]])
    [['1', 'Jane', 2, ['a', 'b'], ['A', 'B']]]
    """
    kinds = {c: "float" for c in query.float_columns} | {c: "date" for c in query.date_columns}
    position = {c: i for i, c in enumerate(query.columns)}
    groups = [[position[c] for c in group] for group in query.list_columns]
    in_lists = {i for group in groups for i in group}
    scalars = [(i, kinds.get(c, "")) for i, c in enumerate(query.columns) if i not in in_lists]
    rounded = [(position[c], digits) for c, digits in query.rounded]
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
        for i, digits in rounded:
            if rec[i] is not None:
                rec[i] = round(rec[i], digits) + 0.0  # + 0.0: -0.0 reads as 0.0
        out.append(rec)
    return out


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


__all__ = ["QUERIES", "answer_frame", "check_parameters", "get", "normal_rows", "normalise", "run", "run_rows",
           "run_text", "text_rows"]
