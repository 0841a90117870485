"""The embedded SPARQL engine: an on-disk ``pyoxigraph`` store in the store.

:func:`write` (named in :data:`~insidergraph.backends.BACKENDS`) builds
it with ``bulk_load`` of N-Triples text that
:func:`~insidergraph.graph.rdf_ntriples.ntriples_lines` builds column-wise from the
batches of the one RDF emitter (:func:`~insidergraph.graph.rdf_emit.triples`, which the
exports read too): the triples of the RDF export, with no Python object per triple, in
pieces of :data:`BULK_TRIPLES` (what bounds the loader's memory), or updates the previous
generation's store with what a build changed (:mod:`insidergraph.backends.oxigraph.update`).
The SPARQL scope ``relations`` leaves out the types the schema marks row-level. All go in the default graph: measured on
100,000 synthetic filings, merging the per-filing named graphs made the load about 1.4x
and the named queries about 1.5-2x faster than querying their union (the TriG and N-Quads
exports keep the named graphs; every fact still points to its filings with
``prov:wasDerivedFrom``). ``optimize()`` after the bulk load compacts its many files:
without it queries ran 3-5x slower.

Parameters are bound with SPARQL substitutions (SEP-0007): a query names ``?min_boards``
and the engine pre-binds it to a typed literal; nothing is pasted into the text.

>>> literal(3).datatype.value
'http://www.w3.org/2001/XMLSchema#integer'
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyoxigraph as ox

from insidergraph.errors import QueryError, StoreError

if TYPE_CHECKING:
    from insidergraph.graph.diff import GraphChange
    from insidergraph.graph.store import Store
    from insidergraph.graph.tables import GraphTables

_XSD = "http://www.w3.org/2001/XMLSchema#"
#: Separator of GROUP_CONCAT lists in the .rq files (a control character no name holds).
LIST_SEP = "\u001f"


def store_path(store: Store) -> Path:
    """Where the pyoxigraph store lives."""
    return store.engines_dir / "oxigraph"


def write(store: Store, tables: GraphTables, change: GraphChange | None = None) -> str:
    """Write the pyoxigraph store of ``store`` for ``tables``: rebuilt from scratch, or,
    given a small ``change`` from the previous generation (of the same SPARQL scope), that
    generation's store updated in place (:mod:`insidergraph.backends.oxigraph.update`).
    Returns which: ``rebuilt``, ``updated`` or ``none`` (a store built with ``--sparql none``)."""
    path = store_path(store)
    shutil.rmtree(path, ignore_errors=True)
    scope = store.sparql_scope()
    if scope == "none":
        return "none"
    path.parent.mkdir(parents=True, exist_ok=True)
    if change is not None and change.small() and (change.previous / "engines" / "oxigraph").is_dir():
        from insidergraph.backends.oxigraph.update import update

        try:
            update(path, tables, change, row_level=scope == "full")
        except OSError as err:
            raise StoreError(f"{path}: pyoxigraph update failed: {err}") from err
        return "updated"
    try:
        ox_store = ox.Store(str(path))
        for text in _chunks(tables, row_level=scope == "full"):
            # lenient: the text is ours and its IRIs are percent-encoded by construction, so
            # the parser's IRI validation (about a third of its time) is skipped.
            ox_store.bulk_load(text, format=ox.RdfFormat.N_TRIPLES, lenient=True)
        ox_store.flush()
        ox_store.optimize()
        del ox_store  # releases the write lock before anyone opens it read-only
    except OSError as err:
        raise StoreError(f"{path}: pyoxigraph load failed: {err}") from err
    return "rebuilt"


#: Triples per ``bulk_load`` call. The bulk loader holds what one call gives it in memory
#: while it sorts it into files; measured on 28,000 synthetic filings (2.6 million triples),
#: one call peaked at 2.7 GB of the build's RSS, calls of 250,000 at 1.4 GB, in the same time.
BULK_TRIPLES = 250_000


def _chunks(tables: GraphTables, row_level: bool) -> Iterator[bytes]:
    """The N-Triples text of ``tables`` in pieces of about :data:`BULK_TRIPLES` triples."""
    from insidergraph.graph.rdf_ntriples import ntriples_lines, text_of

    held: list[pa.Array] = []
    count = 0
    for lines in ntriples_lines(tables, row_level=row_level):
        held.append(lines)
        count += len(lines)
        if count >= BULK_TRIPLES:
            yield text_of(pa.concat_arrays(held))
            held, count = [], 0
    if held:
        yield text_of(pa.concat_arrays(held))


def literal(value: Any) -> ox.Literal | ox.NamedNode:
    """A Python value as a typed RDF term for a substitution."""
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(_XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(_XSD + "double"))
    if isinstance(value, Decimal):
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "decimal"))
    if isinstance(value, date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(_XSD + "date"))
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value
    return ox.Literal(str(value))


def python(term: Any) -> Any:
    """An RDF term as a Python value: IRIs as strings, literals by datatype."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    dt = term.datatype.value.removeprefix(_XSD)
    text = term.value
    try:
        if dt in ("integer", "int", "long", "nonNegativeInteger"):
            return int(text)
        if dt in ("decimal", "double", "float"):
            return float(text)
        if dt == "boolean":
            return text in ("true", "1")
        if dt == "date":
            return date.fromisoformat(text)
    except ValueError:
        return text
    return text


class OxigraphEngine:
    """SPARQL over the store's pyoxigraph store (opened read-only)."""

    name = "sparql"

    def __init__(self, store: Store) -> None:
        path = store_path(store)
        self.scope = store.sparql_scope()
        if self.scope == "none":
            raise StoreError(
                f"{store.path}: this store was built without a SPARQL store (--sparql none); "
                "build it again with --sparql full or --sparql relations"
            )
        if not path.is_dir():
            raise StoreError(f"{store.path}: no SPARQL store in this store (run `insidergraph build` again)")
        try:
            self._store = ox.Store.read_only(str(path))
        except OSError as err:
            raise StoreError(f"{path}: cannot open the SPARQL store: {err}") from err

    def _query(self, text: str, params: dict[str, Any]) -> Any:
        if self.scope == "relations":
            _check_relations_only(text)
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): literal(v) for k, v in params.items()}
        try:
            return self._store.query(text, substitutions=subs)
        except (SyntaxError, OSError, ValueError, TypeError) as err:
            raise QueryError(str(err).strip().splitlines()[0]) from None

    def run_text(self, text: str, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
        """Run a SPARQL query with ``?name`` variables pre-bound to the parameters; updates
        and ``SERVICE`` calls are refused (see :mod:`insidergraph.backends.guard`)."""
        from insidergraph.backends.guard import check_sparql

        check_sparql(text)
        result = self._query(text, params)
        if isinstance(result, ox.QuerySolutions):
            columns = [v.value for v in result.variables]
            return columns, _rows(result, columns)
        if isinstance(result, ox.QueryBoolean):
            return ["ask"], [[bool(result)]]
        return ["subject", "predicate", "object"], [
            [python(t.subject), python(t.predicate), python(t.object)] for t in result
        ]

    def run_named(self, query: Any, bound: dict[str, Any]) -> list[list[Any]]:
        if query.name == "connection":
            from insidergraph.backends.paths import sparql_connection

            return sparql_connection(self, query, bound)
        text = query.text("sparql")
        used = {k: v for k, v in bound.items() if re.search(rf"\?{k}\b", text)}
        # Only the query's own columns are read: the parameters a query projects (so that
        # they can be substituted) would double the values turned into Python at 80,000 rows.
        rows = _rows(self._query(text, used), list(query.columns))
        lists = [j for j, c in enumerate(query.columns) if any(c in group for group in query.list_columns)]
        for row in rows:
            for j in lists:
                row[j] = _split(row[j])
        return rows


def _rows(result: ox.QuerySolutions, columns: list[str]) -> list[list[Any]]:
    """The solutions' values of ``columns`` as Python values."""
    variables = [ox.Variable(c) for c in columns]
    return [[python(sol[v]) for v in variables] for sol in result]


def _check_relations_only(text: str) -> None:
    """A query naming a row-level term on a ``relations`` store would find nothing: say so.

    >>> _check_relations_only("PREFIX ig: <https://w3id.org/insidergraph/ontology#> SELECT * { ?o ig:holds ?r }")
    Traceback (most recent call last):
    ...
    insidergraph.errors.QueryError: ig:holds is a row-level term, and this store's SPARQL graph was built with --sparql relations, which leaves rows and footnotes out; build it again with --sparql full, or use --engine cypher
    """  # noqa: E501 (a doctest's expected output is one line)
    from insidergraph.graph.rdf_mapping import row_only_terms

    prefixes: dict[str, list[str]] = {}
    for name, ns in re.findall(r"PREFIX\s+([\w.-]*):\s*<([^>]*)>", text, flags=re.IGNORECASE):
        prefixes.setdefault(ns, []).append(name)
    for iri in sorted(row_only_terms()):
        ns, local = re.match(r"(.*[#/])([^#/]*)$", iri).groups()  # type: ignore[union-attr]
        names = [f"{p}:{local}" for p in prefixes.get(ns, [])]
        if f"<{iri}>" in text or any(re.search(rf"(?<![\w:]){re.escape(n)}(?![\w-])", text) for n in names):
            shown = names[0] if names else f"<{iri}>"
            raise QueryError(
                f"{shown} is a row-level term, and this store's SPARQL graph was built with --sparql relations, "
                "which leaves rows and footnotes out; build it again with --sparql full, or use --engine cypher"
            )


def _split(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return str(value).split(LIST_SEP)
