"""Entity options resolved to one node of the store before a named query runs.

Every option of a named query that names a person or company (``--person``, ``--issuer``,
``--source``, ``--target``: a :class:`~insidergraph.queries.registry.Param` with ``labels``)
takes a CIK, a ticker, a node id or a name. :func:`resolve_entities` turns the value into
the node id it names, the same way whichever engine answers: it reads the store's Person
and Company tables (a few columns of two Parquet files), never an engine. The first of
these that finds anything decides:

1. the CIK (digits, with or without leading zeros);
2. the node id (``person/0001494730``, ``company/0001318605``);
3. the ticker, case aside (companies);
4. the normalised name, or an alias: for a person word order, case, punctuation and
   initials aside (:func:`~insidergraph.loaders.names.person_key`), for a company case,
   punctuation and "corporation"/"incorporated"/"company"/"limited" against their
   abbreviations aside (:func:`~insidergraph.queries.nx_queries.company_key`);
5. a part of the name or of an alias, case aside.

A step that finds more than one node is ambiguous (:class:`AmbiguousEntity`, listing them
with their CIKs and the issuers they hold roles at), with one exception: nodes without a CIK
that share their normalised name with exactly one node that has one (a signer the build
could not tie to the reporting owner, "Max R. Levchin" beside "Max R Levchin") give way to
it. Nothing found is a :class:`~insidergraph.errors.QueryError` naming the value.

>>> people = Entities([Node("person/0001", "Person", "0000000001", "Max R Levchin"),
...                    Node("person/n/levchin-max", "Person", None, "Max R. Levchin"),
...                    Node("person/0002", "Person", "0000000002", "Max Doe")])
>>> people.resolve("levchin", ("Person",)).id
'person/0001'
>>> people.resolve("1", ("Person",)).name
'Max R Levchin'
>>> people.resolve("max", ("Person",))
Traceback (most recent call last):
...
insidergraph.queries.resolve.AmbiguousEntity: 'max' matches 2 persons; give a CIK, a node id or more of the name:
  Max Doe (CIK 0000000002): no roles
  Max R Levchin (CIK 0000000001): no roles
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insidergraph.errors import QueryError, StoreError, one_line, shown

if TYPE_CHECKING:
    from insidergraph.graph.store import Store
    from insidergraph.queries.registry import NamedQuery

_DIGITS = re.compile(r"^\d{1,10}$")
#: Candidates listed for an ambiguous name, and issuers listed per candidate.
MAX_CANDIDATES, MAX_BOARDS = 20, 6
#: The edges that make a board: a role of an owner at an issuer.
ROLE_EDGES = ("DIRECTOR_OF", "OFFICER_OF", "TEN_PERCENT_OWNER_OF", "OTHER_RELATION_TO")


@dataclass(frozen=True, slots=True)
class Node:
    """A person or company as resolution sees it."""

    id: str
    label: str
    cik: str | None
    name: str
    aliases: tuple[str, ...] = ()
    ticker: str | None = None

    @property
    def key(self) -> str:
        """The normalised name (see the module's step 4)."""
        return _key(self.label, self.name)

    def keys(self) -> set[str]:
        """The normalised name and those of the aliases."""
        return {_key(self.label, n) for n in (self.name, *self.aliases) if n}


def _key(label: str, name: str) -> str:
    # Imported here: the CLI imports this module for --help, which needs neither.
    if label == "Person":
        from insidergraph.loaders.names import person_key

        return person_key(name)
    from insidergraph.queries.nx_queries import company_key

    return company_key(name)


class AmbiguousEntity(QueryError):
    """A value that names several nodes; ``candidates`` are them, as listed in the message."""

    def __init__(self, message: str, candidates: list[Node]) -> None:
        super().__init__(message)
        self.candidates = candidates


def _what(labels: Sequence[str], plural: bool = False) -> str:
    """``person``, ``company`` or ``person or company`` (``persons``... with ``plural``)."""
    words = [{"Person": "persons", "Company": "companies"}[x] if plural else x.lower() for x in labels]
    return " or ".join(words)


def _forms(labels: Sequence[str]) -> str:
    """What a value may be, said in a message."""
    ticker = ", a ticker" if "Company" in labels else ""
    return f"a CIK{ticker}, a node id, a name or part of one"


class Entities:
    """The persons and companies of one store, indexed for :meth:`resolve`.

    ``roles`` gives the (owner id, issuer id) pairs of the role edges, read only when a
    value is ambiguous (to list each candidate's boards); ``where`` starts every message.
    """

    def __init__(self, nodes: Iterable[Node], where: str = "",
                 roles: Callable[[], Iterable[tuple[str, str]]] | None = None) -> None:
        self.where = where
        self._nodes = list(nodes)
        self._roles = roles
        self._index: dict[str, dict[str, list[Node]]] = {}
        self._lowered: list[str] | None = None

    def _lookup(self, kind: str, key: str) -> list[Node]:
        """The nodes whose ``kind`` (``cik``, ``id``, ``ticker``, ``key``) is ``key``; each
        index is built on first use, so a CIK costs no name normalising."""
        index = self._index.get(kind)
        if index is None:
            index = self._index[kind] = defaultdict(list)
            for n in self._nodes:
                for v in _values(n, kind) - {""}:
                    index[v].append(n)
        return index.get(key, [])

    def _steps(self, text: str, labels: Sequence[str]) -> Iterable[list[Node]]:
        """The candidates of each step in turn (see the module's docstring)."""
        if _DIGITS.match(text):
            yield self._lookup("cik", text.zfill(10))
        yield self._lookup("id", text)
        yield self._lookup("ticker", text.upper())
        yield [n for label in labels for n in self._lookup("key", _key(label, text))]
        needle = text.lower()
        if needle and "\n" not in needle:
            if self._lowered is None:
                # Each node's names lower-cased once, one per line: a part of a name never holds a line break.
                self._lowered = ["\n".join((n.name, *n.aliases)).lower() for n in self._nodes]
            yield [n for n, names in zip(self._nodes, self._lowered) if needle in names]

    def resolve(self, value: str, labels: Sequence[str]) -> Node:
        """The one node of a label in ``labels`` that ``value`` names."""
        text = value.strip()
        for found in self._steps(text, labels):
            nodes = _prefer_cik(sorted({n.id: n for n in found if n.label in labels}.values(), key=_order))
            if len(nodes) == 1:
                return nodes[0]
            if nodes:
                raise AmbiguousEntity(self._ambiguous(value, labels, nodes), nodes)
        raise QueryError(f"{self.where}no {_what(labels)} matches {shown(value)} ({_forms(labels)})")

    def _ambiguous(self, value: str, labels: Sequence[str], nodes: list[Node]) -> str:
        boards = self._boards({n.id for n in nodes[:MAX_CANDIDATES]})
        lines = [f"{self.where}{shown(value)} matches {len(nodes)} {_what(labels, plural=True)}; "
                 "give a CIK, a node id or more of the name:"]
        for n in nodes[:MAX_CANDIDATES]:
            ident = ", ".join(x for x in (f"CIK {n.cik}" if n.cik else n.id, n.ticker or "") if x)
            held = boards.get(n.id, [])
            more = f" | {len(held) - MAX_BOARDS} more" if len(held) > MAX_BOARDS else ""
            # A company's roles are those it holds as an owner; an issuer alone holds none.
            roles = " | ".join(held[:MAX_BOARDS]) + more or ("no roles" if n.label == "Person" else "")
            # One line per candidate, whatever a filed name holds.
            lines.append(one_line(f"  {n.name} ({ident})" + (f": {roles}" if roles else ""), 1000))
        if len(nodes) > MAX_CANDIDATES:
            lines.append(f"  ... and {len(nodes) - MAX_CANDIDATES} more")
        return "\n".join(lines)

    def _boards(self, ids: set[str]) -> dict[str, list[str]]:
        """The names of the issuers each of ``ids`` holds a role at, sorted."""
        if self._roles is None:
            return {}
        names = {n.id: n.name for n in self._nodes if n.label == "Company"}
        held: dict[str, set[str]] = defaultdict(set)
        for src, dst in self._roles():
            if src in ids:
                held[src].add(names.get(dst) or dst)
        return {k: sorted(v, key=str.lower) for k, v in held.items()}


def _values(n: Node, kind: str) -> set[str]:
    """What node ``n`` is found by in the index ``kind``."""
    if kind == "key":
        return n.keys()
    if kind == "ticker":
        return {(n.ticker or "").upper()}
    return {(n.cik if kind == "cik" else n.id) or ""}


def _order(n: Node) -> tuple[str, str]:
    return (n.name.lower(), n.id)


def _prefer_cik(nodes: list[Node]) -> list[Node]:
    """``nodes`` without those that have no CIK and share their normalised name with exactly
    one that has one (see the module's docstring)."""
    if len(nodes) < 2:
        return nodes
    with_cik: dict[str, int] = defaultdict(int)
    for n in nodes:
        if n.cik:
            with_cik[n.key] += 1
    return [n for n in nodes if n.cik or with_cik[n.key] != 1]


_COLUMNS = {"Person": ["id", "cik", "name", "aliases"], "Company": ["id", "cik", "name", "aliases", "ticker"]}
#: The last store read: (path, generation) and its entities (a library user's loop asks again).
_CACHE: dict[tuple[str, str], Entities] = {}


def entities(store: Store) -> Entities:
    """The persons and companies of ``store``'s live generation, read once per generation."""
    key = (str(Path(store.path).resolve()), store.stamp())
    found = _CACHE.get(key)
    if found is None:
        _CACHE.clear()
        found = _CACHE[key] = _read(store)
    return found


def _parquet(path: Path, columns: list[str]) -> dict[str, list[Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path, columns=columns).to_pydict()  # type: ignore[no-any-return]
    except (OSError, pa.ArrowException) as err:
        raise StoreError(f"{path}: cannot read the graph table ({err}); build the store again") from None


def _read(store: Store) -> Entities:
    store.manifest()  # a missing, stale or damaged store says so first
    graph = store.graph_dir
    nodes: list[Node] = []
    for label, columns in _COLUMNS.items():
        path = graph / "nodes" / f"{label}.parquet"
        if not path.is_file():
            continue
        t = _parquet(path, columns)
        tickers = t.get("ticker", [None] * len(t["id"]))
        nodes += [Node(i, label, c, n or "", tuple(a or ()), k)
                  for i, c, n, a, k in zip(t["id"], t["cik"], t["name"], t["aliases"], tickers)]

    def roles() -> Iterable[tuple[str, str]]:
        for rel in ROLE_EDGES:
            path = graph / "edges" / f"{rel}.parquet"
            if path.is_file():
                t = _parquet(path, ["src", "dst"])
                yield from zip(t["src"], t["dst"])

    return Entities(nodes, f"{store.path}: ", roles)


def resolve_entities(query: NamedQuery, values: dict[str, Any], store: Store, engine: str = "cypher") -> dict[str, Any]:
    """``values`` (from :meth:`~insidergraph.queries.registry.NamedQuery.values`) with each
    entity option's value replaced by the id of the node it names in ``store``.

    A server engine (``neo4j``, ``sparql-server``) with no store beside it takes a CIK or a
    node id as given (the server matches them exactly); a name or a ticker is refused, since
    only the store's tables resolve one.
    """
    from insidergraph.backends import BACKENDS

    wanted = [p for p in query.params if p.labels and values.get(p.name) is not None]
    if not wanted:
        return values
    backend = BACKENDS.get(engine)
    if backend is not None and not backend.local and not store.exists():
        for p in wanted:
            text = str(values[p.name]).strip()
            if not (_DIGITS.match(text) or "/" in text):
                raise QueryError(f"{p.option} {shown(text)}: a name or ticker is resolved from a store's tables, "
                                 f"and there is no store at {store.path}; give --store DIR, or a CIK or a node id")
        return values
    known = entities(store)
    return values | {p.name: known.resolve(str(values[p.name]), p.labels).id for p in wanted}


__all__ = ["AmbiguousEntity", "Entities", "Node", "entities", "resolve_entities"]
