"""The backends: one package per engine, each holding its writer and its query engine,
found through one declarative registry, :data:`BACKENDS`.

An engine answers named queries (:meth:`Engine.run_named`, given the query and its bound
values from :meth:`~insidergraph.queries.registry.NamedQuery.bind`) and ad-hoc queries in
its own language (:meth:`Engine.run_text`). Rows come back as lists in the order of the
columns; :func:`insidergraph.queries.normalise` turns them into one DataFrame shape.

Backends are resolved lazily from their ``"module:attribute"`` names, so a command that
does not query loads no engine; adding one is one package and one entry here. The CLI's
``--engine`` choices and ``build``'s writers (:func:`store_engines`) both come from this
registry.

>>> sorted(ENGINES)
['cypher', 'neo4j', 'networkx', 'sparql', 'sparql-server']
>>> [b.name for b in BACKENDS.values() if b.writer]
['cypher', 'sparql']
>>> BACKENDS["neo4j"].local
False
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from insidergraph.errors import QueryError, StoreError

if TYPE_CHECKING:
    from insidergraph.graph.diff import GraphChange
    from insidergraph.graph.store import Engines, Store
    from insidergraph.graph.tables import GraphTables


@dataclass(frozen=True)
class Backend:
    """One engine: what answers its queries and, for an embedded one, what writes it.

    ``engine`` and ``writer`` are ``"module:attribute"`` names, imported on first use.
    ``local`` says whether the engine reads the local store (``neo4j`` reads a server).
    """

    name: str
    language: str
    engine: str
    writer: str | None = None
    local: bool = True

    def engine_class(self) -> Callable[[Any], Engine]:
        """The engine's class, imported now."""
        return _resolve(self.engine)  # type: ignore[no-any-return]

    def write(self, store: Store, tables: GraphTables, change: GraphChange | None = None) -> tuple[str, str]:
        """Write this backend's files in ``store`` for ``tables`` (embedded ones only): from
        scratch, or by updating the previous generation's with ``change``. Returns the
        backend's name and how it was written (``rebuilt``, ``updated``, ``none``)."""
        if self.writer is None:
            raise StoreError(f"the {self.name} backend has no files in a store")
        return self.name, str(_resolve(self.writer)(store, tables, change))


def _resolve(target: str) -> Any:
    module, _, attribute = target.partition(":")
    return getattr(import_module(module), attribute)


#: Every backend, by the name ``--engine`` takes.
BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in (
        Backend("cypher", "cypher", "insidergraph.backends.ladybug.engine:LadybugEngine",
                writer="insidergraph.backends.ladybug.engine:write"),
        Backend("sparql", "sparql", "insidergraph.backends.oxigraph.engine:OxigraphEngine",
                writer="insidergraph.backends.oxigraph.engine:write"),
        Backend("networkx", "python", "insidergraph.backends.networkx.engine:NetworkxEngine"),
        Backend("neo4j", "cypher", "insidergraph.backends.neo4j.engine:Neo4jEngine", local=False),
        Backend("sparql-server", "sparql", "insidergraph.backends.sparql_server.engine:SparqlServerEngine",
                local=False),
    )
}

#: Engine name -> ``"module:Class"`` (read from :data:`BACKENDS`).
ENGINES: dict[str, str] = {name: b.engine for name, b in BACKENDS.items()}

#: Language of each engine's ad-hoc queries (``insidergraph cypher`` / ``insidergraph sparql``).
LANGUAGE: dict[str, str] = {name: b.language for name, b in BACKENDS.items()}


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
    insidergraph.errors.QueryError: unknown engine 'nope'; choose from cypher, neo4j, networkx, sparql, sparql-server
    """
    backend = BACKENDS.get(name)
    if backend is None:
        raise QueryError(f"unknown engine {name!r}; choose from {', '.join(sorted(BACKENDS))}")
    if not backend.local:  # the server holds the graph; no local store is needed
        return backend.engine_class()(store)
    # A missing or stale store is a StoreError naming the directory; so is an empty one,
    # which would answer every query with a header and no rows.
    if store.manifest().get("filings") == 0:
        raise StoreError(f"{store.path}: the store holds no filings; add some with "
                         f"`insidergraph build PATH --store {store.path}`")
    stamp = store.stamp()  # the live generation: a new build is a new one
    key = (name, str(Path(store.path).resolve()), stamp)
    engine = _OPEN.get(key)
    if engine is None:
        _refuse_stale(store)
        for old in [k for k in _OPEN if k[:2] == key[:2]]:
            _close(_OPEN.pop(old))
        engine = _OPEN[key] = backend.engine_class()(store)
    return engine


def _refuse_stale(store: Store) -> None:
    """A graph an older insidergraph wrote (a table without a column the schema has since
    gained) is named in one line, on every engine, instead of the engines' own errors."""
    from insidergraph.graph.store_checks import stale_table

    stale = stale_table(store.graph_dir)
    if stale is not None:
        raise StoreError(f"{store.path}: its graph was written by an older insidergraph ({stale} is missing); run "
                         f"`insidergraph build PATH... --store {store.path}` (any filings) to rebuild its graph")


def writers() -> list[Backend]:
    """The backends whose files ``build`` writes into a store, in registry order."""
    return [b for b in BACKENDS.values() if b.writer]


def store_engines() -> Engines:
    """The embedded engines :meth:`~insidergraph.graph.store.Store.add` writes (every
    backend with a writer) and what closes the engines open in this process: the store is
    below the backends and is handed them by whoever adds to it (``build``, ``update``).

    >>> len(store_engines().writers)
    2
    """
    from insidergraph.graph.store import Engines

    return Engines(tuple(b.write for b in writers()), close_all)


def _close(engine: Engine) -> None:
    close = getattr(engine, "close", None)
    if close is not None:
        close()


def close_all() -> None:
    """Close every open engine (before a store is rebuilt in the same process)."""
    while _OPEN:
        _close(_OPEN.popitem()[1])


__all__ = ["BACKENDS", "ENGINES", "LANGUAGE", "Backend", "Engine", "close_all", "open_engine", "store_engines",
           "writers"]
