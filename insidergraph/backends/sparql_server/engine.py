"""Named and ad-hoc SPARQL on a SPARQL 1.1 server (``--endpoint URL``, or
``SPARQL_ENDPOINT`` for ``--engine sparql-server``).

The server holds the graph that ``insidergraph sparql load`` wrote; its default graph must
be the union of the named graphs (Fuseki: ``tdb:unionDefaultGraph``; Oxigraph:
``--union-default-graph``), as the embedded store reads them, or the load must name one
graph (``--graph``) that is the server's default. The named queries are the same ``.rq``
texts the embedded engine runs, their parameters written in by
:func:`~insidergraph.backends.sparql_server.substitute.substitute`; ``connection`` walks
the graph with :func:`~insidergraph.backends.paths.sparql_connection`, as there.

>>> python({"type": "literal", "value": "3", "datatype": "http://www.w3.org/2001/XMLSchema#integer"})
3
>>> SparqlServerEngine(None, endpoint=None, env={}).endpoint
Traceback (most recent call last):
...
insidergraph.backends.sparql_server.client.SparqlServerError: no SPARQL endpoint: give --endpoint URL (or set SPARQL_ENDPOINT)
"""  # noqa: E501 (a doctest's expected output is one line)

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from typing import Any, cast

from insidergraph.backends.sparql_server.client import DEFAULT_TIMEOUT, SparqlClient, SparqlServerError, solutions
from insidergraph.backends.sparql_server.substitute import projection, substitute

_XSD = "http://www.w3.org/2001/XMLSchema#"
#: Separator of GROUP_CONCAT lists in the .rq files (as the embedded engine splits them).
LIST_SEP = "\u001f"


def python(cell: dict[str, Any] | None) -> Any:
    """A SPARQL JSON term as the Python value the embedded engine gives for it."""
    if cell is None:
        return None
    kind, text = cell.get("type"), cell.get("value")
    if kind == "uri":
        return text
    if kind == "bnode":
        return f"_:{text}"
    if kind == "boolean":  # an ASK's answer
        return bool(text)
    dt = str(cell.get("datatype", "")).removeprefix(_XSD)
    try:
        if dt in ("integer", "int", "long", "nonNegativeInteger"):
            return int(text)  # type: ignore[arg-type]
        if dt in ("decimal", "double", "float"):
            return float(text)  # type: ignore[arg-type]
        if dt == "boolean":
            return text in ("true", "1")
        if dt == "date":
            return date.fromisoformat(str(text))
    except (TypeError, ValueError):
        return text
    return text


class SparqlServerEngine:
    """SPARQL on a server; the store is not read (the server holds the graph)."""

    name = "sparql-server"

    def __init__(self, store: Any, endpoint: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        endpoint = endpoint or env.get("SPARQL_ENDPOINT")
        if not endpoint:
            raise SparqlServerError("no SPARQL endpoint: give --endpoint URL (or set SPARQL_ENDPOINT)")
        self.endpoint = endpoint
        self._client = SparqlClient(endpoint, timeout, env)

    def close(self) -> None:
        self._client.close()

    def _select(self, text: str, params: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
        return solutions(self._client.query(substitute(text, params)))

    def run_text(self, text: str, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
        """Run a SPARQL query with the parameters written in (and left out of the projection);
        updates and ``SERVICE`` are refused, as on the embedded engine."""
        from insidergraph.backends.guard import check_sparql

        check_sparql(text)
        columns, rows = self._select(text, params)
        out = [[python(row.get(c)) for c in columns] for row in rows]
        # The embedded engine's substitutions answer a projected parameter with its value:
        # the server's text left it out of the projection, so it is put back in its place.
        projected = projection(text)
        given = [c for c in projected if c in params and c not in columns]
        if given:
            values = {c: getattr(params[c], "value", params[c]) for c in given}
            at = {c: i for i, c in enumerate(columns)}
            columns = [c for c in projected if c in at or c in values]
            out = [[values[c] if c in values else row[at[c]] for c in columns] for row in out]
        return columns, out

    def run_named(self, query: Any, bound: dict[str, Any]) -> list[list[Any]]:
        if query.name == "connection":
            from insidergraph.backends.paths import sparql_connection

            return sparql_connection(cast(Any, self), query, bound)
        _, found = self._select(query.text("sparql"), bound)
        columns = list(query.columns)
        rows = [[python(row.get(c)) for c in columns] for row in found]
        lists = [j for j, c in enumerate(columns) if any(c in group for group in query.list_columns)]
        for row in rows:
            for j in lists:
                row[j] = [] if row[j] in (None, "") else str(row[j]).split(LIST_SEP)
        return rows


__all__ = ["LIST_SEP", "SparqlServerEngine", "python"]
