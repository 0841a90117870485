"""Query engines over a store, behind one small contract, in a registry keyed by name.

An engine answers named queries (:meth:`Engine.run_named`, given the query and its bound
values from :meth:`~insidergraph.queries.registry.NamedQuery.bind`) and ad-hoc queries in
its own language (:meth:`Engine.run_text`). Rows come back as lists in the order of the
columns; :func:`insidergraph.queries.normalise` turns them into one DataFrame shape.

Engines are resolved lazily from :data:`ENGINES` (``name -> "module:Class"``), so adding
one (say ``neo4j``) is one module and one line here; the CLI's ``--engine`` choices come
from this registry.

>>> sorted(ENGINES)
['cypher', 'neo4j', 'networkx', 'sparql']
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any, Protocol

from insidergraph.errors import QueryError, StoreError

#: Engine name -> ``"module:Class"``; the class is built with ``Class(store)``.
ENGINES: dict[str, str] = {
    "cypher": "insidergraph.queries.engines.ladybug:LadybugEngine",
    "sparql": "insidergraph.queries.engines.oxigraph:OxigraphEngine",
    "networkx": "insidergraph.queries.engines.nx:NetworkxEngine",
    "neo4j": "insidergraph.queries.engines.neo4j:Neo4jEngine",
}

#: Language of each engine's ad-hoc queries (``insidergraph cypher`` / ``insidergraph sparql``).
LANGUAGE: dict[str, str] = {"cypher": "cypher", "sparql": "sparql", "networkx": "python", "neo4j": "cypher"}


class Engine(Protocol):
    """What every engine provides.

    ``run_named`` returns rows whose columns are ``query.columns`` (values in the engine's
    own Python types; lists may come in any order inside a cell). ``run_text`` runs a
    query in the engine's language with parameters bound by the engine.
    """

    name: str

    def run_named(self, query: Any, bound: dict[str, Any]) -> list[list[Any]]: ...

    def run_text(self, text: str, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]: ...


_OPEN: dict[tuple[str, str, str], Engine] = {}


def open_engine(name: str, store: Any) -> Engine:
    """An engine over ``store`` (a :class:`~insidergraph.graph.store.Store`), reused while
    the store's manifest is unchanged.

    >>> open_engine("nope", None)
    Traceback (most recent call last):
    ...
    insidergraph.errors.QueryError: unknown engine 'nope'; choose from cypher, neo4j, networkx, sparql
    """
    if name not in ENGINES:
        raise QueryError(f"unknown engine {name!r}; choose from {', '.join(sorted(ENGINES))}")
    if name == "neo4j":  # the server holds the graph; no local store is needed
        module, _, cls = ENGINES[name].partition(":")
        return getattr(import_module(module), cls)(store)  # type: ignore[no-any-return]
    # A missing or stale store is a StoreError naming the directory; so is an empty one,
    # which would answer every query with a header and no rows.
    if store.manifest().get("filings") == 0:
        raise StoreError(f"{store.path}: the store holds no filings; add some with "
                         f"`insidergraph build PATH --store {store.path}`")
    stamp = store.stamp()  # the live generation: a new build is a new one
    key = (name, str(Path(store.path).resolve()), stamp)
    engine = _OPEN.get(key)
    if engine is None:
        for old in [k for k in _OPEN if k[:2] == key[:2]]:
            _close(_OPEN.pop(old))
        module, _, cls = ENGINES[name].partition(":")
        engine = _OPEN[key] = getattr(import_module(module), cls)(store)
    return engine


def _close(engine: Engine) -> None:
    close = getattr(engine, "close", None)
    if close is not None:
        close()


def close_all() -> None:
    """Close every open engine (before a store is rebuilt in the same process)."""
    while _OPEN:
        _close(_OPEN.popitem()[1])


__all__ = ["ENGINES", "LANGUAGE", "Engine", "open_engine", "close_all"]
