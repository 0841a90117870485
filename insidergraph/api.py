"""The Python API a notebook uses: ``insidergraph.parse``, ``insidergraph.open`` and ``insidergraph.Store``.

What the CLI does, as calls that give Python objects and DataFrames with real dtypes
(:mod:`insidergraph.loaders.dtypes`): text ``string[pyarrow]``, counts ``Int64``, dates
``datetime64[s]``, amounts ``float64`` (the exact :class:`~decimal.Decimal` with
``exact=True`` where the store or the filing has it), lists Arrow-backed. The CLI's CSV and
JSON come from the same rows, untyped (:func:`insidergraph.queries.run`).

The package names these lazily (``insidergraph/__init__.py``): importing ``insidergraph``
loads neither pandas nor an engine, and this module sits above the queries it asks
(``tests/test_architecture.py``).

>>> import insidergraph
>>> insidergraph.parse([])
ParseResult(filings=0, powers=0, errors=0)
>>> [str(e) for e in insidergraph.parse("/no/such/file.xml").errors]
['/no/such/file.xml: cannot read: No such file or directory']
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from insidergraph.backends import BACKENDS, LANGUAGE
from insidergraph.errors import ParseError, QueryError
from insidergraph.graph.store import DEFAULT_STORE
from insidergraph.graph.store import Store as DiskStore
from insidergraph.loaders.dtypes import Kind, arrow_frame, typed_frame
from insidergraph.model import Filing, PowerOfAttorney

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from insidergraph.queries.registry import NamedQuery

PathArg = str | os.PathLike[str]

__all__ = ["ParseResult", "Store", "open", "parse"]


@dataclass(frozen=True, repr=False)
class ParseResult:
    """What :func:`parse` read: the filings, the standalone powers of attorney (EX-24
    exhibit files) and the files that could not be read, apart.

    >>> ParseResult().frames()["transactions"].empty
    True
    """

    filings: tuple[Filing, ...] = ()
    powers: tuple[PowerOfAttorney, ...] = ()
    errors: tuple[ParseError, ...] = ()

    def frames(self, *, exact: bool = False) -> dict[str, pd.DataFrame]:
        """The filings as DataFrames (:func:`insidergraph.loaders.frames.to_frames`):
        ``filings``, ``owners``, ``transactions``, ``holdings``, ``footnotes``,
        ``footnote_refs`` and ``signatures``; amounts as ``Decimal`` with ``exact``."""
        from insidergraph.loaders.frames import to_frames

        return to_frames(self.filings, exact=exact)

    def __repr__(self) -> str:
        return f"ParseResult(filings={len(self.filings)}, powers={len(self.powers)}, errors={len(self.errors)})"


def parse(paths: PathArg | Iterable[PathArg]) -> ParseResult:
    """Parse every file under ``paths`` (a file, a folder read recursively, a data set zip,
    or a list of them), as ``insidergraph parse`` does: a file that fails is in ``errors``
    (a :class:`~insidergraph.errors.ParseError` naming it) and the others are still read.

    >>> result = parse(["/no/such/file.xml"])
    >>> result.filings, result.errors[0].path
    ((), '/no/such/file.xml')
    """
    from insidergraph.loaders.detect import iter_path, iter_paths

    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    filings: list[Filing] = []
    powers: list[PowerOfAttorney] = []
    errors: list[ParseError] = []
    for path in iter_paths(items):
        try:
            for item in iter_path(path, powers=True):  # one filing per file, many per data set
                if isinstance(item, ParseError):
                    errors.append(item)
                elif isinstance(item, PowerOfAttorney):
                    powers.append(item)
                else:
                    filings.append(item)
        except Exception as err:  # noqa: BLE001
            # As `insidergraph parse`: a loader bug on odd input must not lose the other
            # files; it is reported with its type, as that file's error.
            errors.append(ParseError(path, f"internal error ({type(err).__name__}: {err})"))
    return ParseResult(tuple(filings), tuple(powers), tuple(errors))


def _kinds(query: NamedQuery) -> dict[str, Kind]:
    """The kind of each column of a named query's rows the registry declares (the others,
    text, are told from their values)."""
    kinds: dict[str, Kind] = {c: "list" for group in query.list_columns for c in group}
    kinds.update(dict.fromkeys(query.float_columns, "float"))
    kinds.update(dict.fromkeys(query.date_columns, "date"))
    kinds.update(dict.fromkeys(query.int_columns, "int"))
    kinds.update(dict.fromkeys(query.bool_columns, "bool"))
    return kinds


def _engine(name: str, language: str | None = None) -> str:
    """``name`` checked against the registry of engines (and their language, if given)."""
    choices = sorted(n for n, lang in LANGUAGE.items() if language in (None, lang))
    if name not in BACKENDS:
        raise QueryError(f"unknown engine {name!r}; choose from {', '.join(choices)}")
    if language is not None and LANGUAGE[name] != language:
        raise QueryError(f"the {name} engine does not run {language.capitalize()}; choose from {', '.join(choices)}")
    return name


class Store:
    """A store that ``insidergraph build`` wrote, opened for questions.

    ``engine`` answers :meth:`query` (every engine gives the same rows) and, when it speaks
    the language, :meth:`cypher` or :meth:`sparql`; each call can name another. The store on
    disk is :attr:`on_disk` (:class:`insidergraph.graph.store.Store`).

    >>> import tempfile
    >>> Store(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    insidergraph.errors.StoreError: /...: no insidergraph store here (run `insidergraph build PATH --store /...`)
    """

    def __init__(self, path: PathArg = DEFAULT_STORE, *, engine: str = "cypher") -> None:
        self.on_disk = DiskStore(os.fspath(path))
        self.engine = _engine(engine)
        if BACKENDS[self.engine].local:
            # A missing, old or damaged store says so now, not at the first query (a server's
            # engine needs no local store: its graph is on the server).
            self.on_disk.manifest()

    @property
    def path(self) -> str:
        """The store's directory, as given."""
        return str(self.on_disk.path)

    def __repr__(self) -> str:
        return f"Store({self.path!r}, engine={self.engine!r})"

    def query(self, name: str, /, *, engine: str | None = None, **params: Any) -> pd.DataFrame:
        """The rows of the named query ``name`` (``insidergraph queries`` lists them), with
        its options as keywords: ``query("shared-directors", min_boards=3, as_of="2021-03-01")``.

        The rows are those of ``insidergraph query NAME``; counts are ``Int64``, dates
        ``datetime64[s]``, lists Arrow-backed, whatever the engine.
        """
        from insidergraph.queries import get, run

        query = get(name)
        rows = run(query.name, self.on_disk, engine=_engine(engine or self.engine), **params)
        return typed_frame({c: rows[c].tolist() for c in rows.columns}, _kinds(query))

    def cypher(self, text: str, /, *, engine: str | None = None, **params: Any) -> pd.DataFrame:
        """An ad-hoc Cypher query (``insidergraph cypher``), ``$name`` bound to ``name=value``;
        each column's dtype follows its values. ``engine``: ``cypher`` or ``neo4j``."""
        return self._text(text, "cypher", engine, params)

    def sparql(self, text: str, /, *, engine: str | None = None, **params: Any) -> pd.DataFrame:
        """An ad-hoc SPARQL query (``insidergraph sparql``), ``?name`` bound to ``name=value``
        (project each parameter variable); ``engine``: ``sparql`` or ``sparql-server``."""
        return self._text(text, "sparql", engine, params)

    def _text(self, text: str, language: str, engine: str | None, params: dict[str, Any]) -> pd.DataFrame:
        from insidergraph.queries import text_rows

        own = self.engine if LANGUAGE[self.engine] == language else language
        columns, rows = text_rows(text, self.on_disk, _engine(engine or own, language), params)
        return typed_frame([(c, [r[i] for r in rows]) for i, c in enumerate(columns)], {})

    def frames(self, *, exact: bool = False) -> dict[str, pd.DataFrame]:
        """The graph tables as DataFrames, by node label (``Person``, ``Company``, ...) then
        edge type (``DIRECTOR_OF``, ...): the columns of ``insidergraph.graph.schema``,
        ``decimal`` ones as ``float64``, or as ``Decimal`` with ``exact``."""
        from insidergraph.graph.tables import edge_props, node_props

        tables = self.on_disk.tables()
        out: dict[str, pd.DataFrame] = {}
        for kind, names, props in (("nodes", tables.nodes, node_props), ("edges", tables.edges, edge_props)):
            for name in list(names):
                decimals = [p.name for p in props(name) if p.type == "decimal"]
                out[name] = arrow_frame(tables.to_arrow(kind, name), decimals, exact)
        return out

    def parsed(self) -> ParseResult:
        """The filings and standalone powers of attorney the store holds, as :func:`parse`
        gives them (no errors: what failed was never added); ``.frames()`` for DataFrames."""
        return ParseResult(tuple(self.on_disk.filings()), tuple(self.on_disk.powers_of_attorney()))

    def networkx(self, view: str = "people-issuers") -> nx.Graph[str]:
        """The graph of a view of ``insidergraph export --view``: ``people-issuers`` (persons
        and companies, role and attorney edges: a ``MultiDiGraph``), ``interlocks`` (issuers
        joined by shared directors) or ``full``."""
        from insidergraph.graph.views import view_graph

        return view_graph(self.on_disk.tables(), view)


def open(path: PathArg = DEFAULT_STORE, *, engine: str = "cypher") -> Store:  # noqa: A001 (as shelve.open: the API's name)
    """The store at ``path`` (``Store(path)``), as ``shelve.open`` and ``tarfile.open`` are
    named: ``insidergraph.open("insidergraph-store").query("shared-directors")``.

    >>> open("/no/such/store")
    Traceback (most recent call last):
    ...
    insidergraph.errors.StoreError: /no/such/store: no insidergraph store here (run `insidergraph build PATH --store /no/such/store`)
    """  # noqa: E501 (a doctest's expected error is its one-line message)
    return Store(path, engine=engine)
