"""The query commands of the CLI: ``query NAME``, ``queries``, ``cypher`` and ``sparql``.

Kept beside the registry they read; :mod:`insidergraph.cli` adds them to the group. Only
click and the (light) registries are imported here; engines load inside the commands.

``--param name=value`` binds a string; ``name:int=5``, ``name:float=1.5``,
``name:bool=true``, ``name:date=2021-01-01`` and (SPARQL) ``name:iri=https://...`` bind
other types. SPARQL binds through substitutions, so the query must project each
parameter variable (``SELECT ?x ?cik WHERE { ... }``).

>>> parse_param("as_of:date=2021-01-01")
('as_of', datetime.date(2021, 1, 1))
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from insidergraph.backends import BACKENDS
from insidergraph.console import say, store_option
from insidergraph.errors import QueryError
from insidergraph.queries.registry import QUERIES, NamedQuery

if TYPE_CHECKING:
    import pandas as pd

_FORMATS = ["table", "csv", "json"]
#: What both engines accept as a parameter (Cypher ``$name``, SPARQL ``?name``).
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _bool(value: str) -> bool:
    if value.lower() not in ("true", "false", "1", "0"):
        raise ValueError(value)
    return value.lower() in ("true", "1")


def _iri(value: str) -> Any:
    import pyoxigraph as ox

    return ox.NamedNode(value)


#: The types ``--param name:type=value`` binds (no type, or ``string``, is ``str``); ``iri``
#: only means something to SPARQL.
PARAM_TYPES: dict[str, Callable[[str], Any]] = {
    "str": str, "int": int, "float": float, "bool": _bool, "date": date.fromisoformat, "iri": _iri,
}


def parse_param(text: str) -> tuple[str, Any]:
    """``name[:type]=value`` as (name, typed value).

    >>> parse_param("n:int=5"), parse_param("flag:bool=true"), parse_param("cik=0001")
    (('n', 5), ('flag', True), ('cik', '0001'))
    >>> parse_param("n:int=five")
    Traceback (most recent call last):
    ...
    insidergraph.errors.QueryError: --param 'n:int=five': 'five' is not a valid int
    """
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise QueryError(f"--param {text!r}: expected name=value")
    name, _, typ = key.partition(":")
    if not _NAME.fullmatch(name):
        raise QueryError(f"--param {text!r}: {name!r} is not a parameter name (letters, digits and _, "
                         "not starting with a digit)")
    convert = PARAM_TYPES.get("str" if typ in ("", "string") else typ)
    if convert is None:
        raise QueryError(f"--param {text!r}: unknown type {typ!r} ({', '.join(PARAM_TYPES)})")
    try:
        return name, convert(value)
    except ValueError:
        raise QueryError(f"--param {text!r}: {value!r} is not a valid {typ}") from None


def _cell(value: Any, sep: str) -> Any:
    if isinstance(value, list):
        return sep.join("" if v is None else str(v) for v in value)
    return value


#: First characters that make a spreadsheet read a text cell as a formula (OWASP, CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell for CSV meant for spreadsheets: text that a spreadsheet would run as a formula
    gets a leading single quote (OWASP's advice); numbers, negative ones included, stay numbers.

    >>> csv_cell("=SUM(A1)"), csv_cell("-1"), csv_cell(-1.5), csv_cell(["@a", "b"])
    ("'=SUM(A1)", "'-1", -1.5, "'@a; b")
    """
    value = _cell(value, "; ")
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def emit(df: pd.DataFrame, fmt: str | None, limit: int | None = None) -> None:
    """:func:`emit_rows` of a DataFrame's columns and rows (an ad-hoc query's, a server's)."""
    emit_rows([str(c) for c in df.columns], df.to_numpy(dtype=object).tolist(), fmt, limit)


def _csv_column(values: list[Any]) -> list[Any]:
    """One column of CSV cells (after :func:`csv_cell`) as pandas' ``to_csv`` writes that
    column of an object DataFrame mapped by :func:`csv_cell`: its cells are inferred to one
    type first, so numbers with a float or a missing value among them are written as floats
    (``2.0``), and a missing value (None, NaN) is an empty cell.

    >>> _csv_column([1, None]), _csv_column([1.5, 2]), _csv_column([3, 4]), _csv_column(["a", 1, None])
    (['1.0', ''], ['1.5', '2.0'], ['3', '4'], ['a', 1, ''])
    """
    gone = [_missing(v) for v in values]
    present = [v for v, g in zip(values, gone) if not g]
    # Numbers only (an int beyond 64 bits keeps the column of objects, as pandas does).
    if present and all(type(v) is float or (type(v) is int and -(1 << 63) <= v < (1 << 63)) for v in present):
        if len(present) == len(values) and all(type(v) is int for v in present):
            return [str(v) for v in values]
        import numpy as np  # already imported with pyarrow; its text of a float is pandas'

        text = np.array([np.nan if g else float(v) for v, g in zip(values, gone)]).astype(str).tolist()
        return ["" if g else t for t, g in zip(text, gone)]
    return ["" if g else v for v, g in zip(values, gone)]


def _missing(value: Any) -> bool:
    """None or NaN: what pandas writes as an empty cell."""
    return value is None or (type(value) is float and value != value)


def emit_rows(columns: list[str], rows: list[list[Any]], fmt: str | None, limit: int | None = None) -> None:
    """Write rows as a table (default on a terminal), CSV (default otherwise) or JSON;
    with ``limit``, only the first ``limit`` rows.

    CSV cells that a spreadsheet would read as formulas are prefixed (:func:`csv_cell`), and
    each column is written as pandas writes that column of an object DataFrame
    (:func:`_csv_column`), without importing pandas; JSON and the library keep every value
    exactly. The table is for reading (:mod:`insidergraph.queries.display`: numbers, roles,
    titles and links in words).

    >>> emit_rows(["a", "n"], [["=x", 1], ["b", 2]], "json", limit=1)
    [
      {
        "a": "=x",
        "n": 1
      }
    ]
    """
    fmt = fmt or ("table" if sys.stdout.isatty() else "csv")
    total = len(rows)
    if limit is not None:
        rows = rows[:limit]
    if fmt == "table":
        from insidergraph.queries import answer_frame
        from insidergraph.queries.display import show

        show(answer_frame(columns, rows), total)
    elif fmt == "json":
        import json

        records = [dict(zip(columns, row)) for row in rows]
        click.echo(json.dumps(records, indent=2, ensure_ascii=False, default=str))
    else:
        import csv

        cells = [_csv_column([csv_cell(row[i]) for row in rows]) for i in range(len(columns))]
        # CRLF ends rows (RFC 4180): then a cell holding a bare CR is quoted too, not cut in two.
        writer = csv.writer(sys.stdout, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows(zip(*cells))


def _common(func: click.Command, engines: list[str]) -> click.Command:
    """``--store``, ``--engine`` (the first of ``engines`` by default), ``--format`` and ``--limit``."""
    func = click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N",
                        help="Only the first N rows (of the answer's own order), in every format.")(func)
    func = click.option("--format", "fmt", type=click.Choice(_FORMATS), default=None,
                        help="Output: table (default on a terminal), csv (default otherwise) or json.")(func)
    func = click.option("--engine", type=click.Choice(engines), default=engines[0], show_default=True,
                        help="Query engine.")(func)
    result: click.Command = store_option(func)
    return result


#: One ``insidergraph query NAME`` example per named query, shown in its ``--help``
#: (``tests/test_docs.py`` checks that every query of the registry has one and that it parses).
EXAMPLES: dict[str, tuple[str, ...]] = {
    "shared-directors": ("insidergraph query shared-directors --min-boards 3 --as-of 2021-03-01 "
                         "--store insidergraph-store",
                         "insidergraph query shared-directors --overlapping --engine sparql --format json"),
    "interlocks": ("insidergraph query interlocks --overlapping --max-boards 5 --engine sparql --format json",
                   "insidergraph query interlocks --min-shared 2 --as-of 2020-06-30 --store insidergraph-store"),
    "insider-roles": ("insidergraph query insider-roles --person levchin --store insidergraph-store",
                      "insidergraph query insider-roles --person 'Elon Musk' --engine sparql",
                      "insidergraph query insider-roles --person 1222287 --engine networkx --format csv"),
    "issuer-insiders": ("insidergraph query issuer-insiders --issuer YELP --store insidergraph-store",
                        "insidergraph query issuer-insiders --issuer Tesla --engine sparql",
                        "insidergraph query issuer-insiders --issuer 1318605 --engine cypher --format json"),
    "co-owners": ("insidergraph query co-owners --min-issuers 2 --store insidergraph-store",
                  "insidergraph query co-owners --min-issuers 1 --engine sparql --format csv"),
    "attorney-network": ("insidergraph query attorney-network --min-insiders 2 --store insidergraph-store",
                         "insidergraph query attorney-network --engine neo4j --format json"),
    "unauthorized-signatures": ("insidergraph query unauthorized-signatures --store insidergraph-store",
                                "insidergraph query unauthorized-signatures --engine sparql --format csv"),
    "connection": ("insidergraph query connection --source levchin --target botha --store insidergraph-store",
                   "insidergraph query connection --source 1539853 --target 1222287 --engine networkx",
                   "insidergraph query connection --source company/0001345016 --target 1861449 --format json"),
    "insider-trades": ("insidergraph query insider-trades --person levchin --issuer YELP --codes P,S "
                       "--store insidergraph-store",
                       "insidergraph query insider-trades --issuer 1318605 --since 2022-01-01 --until 2022-12-31 "
                       "--engine sparql --format csv"),
    "insider-summary": ("insidergraph query insider-summary --days 90 --store insidergraph-store",
                        "insidergraph query insider-summary --issuer TSLA --since 2022-01-01 --until 2022-12-31 "
                        "--person musk --engine networkx --format json"),
}


def _examples(lines: tuple[str, ...]) -> str:
    """A help paragraph of example command lines, kept as written (click's ``\\b``)."""
    return "\b\nExample" + ("s" if len(lines) > 1 else "") + ":\n" + "\n".join(f"  {line}" for line in lines)


def _server_options(cmd: click.Command, what: str) -> click.Command:
    """``--endpoint URL`` and ``--timeout S``: run on a SPARQL server instead of the store."""
    cmd.params.append(click.Option(
        ["--endpoint"], metavar="URL", default=None,
        help=f"Run {what} on this SPARQL server's query endpoint (filled by `insidergraph sparql load`) "
             "instead of the store; credentials from SPARQL_USER / SPARQL_PASSWORD."))
    cmd.params.append(click.Option(
        ["--timeout"], type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
        help="Seconds to wait for the server's answer (with --endpoint)."))
    return cmd


def _on_server(query: NamedQuery, store: str, endpoint: str, timeout: float, given: dict[str, Any]) -> list[list[Any]]:
    """A named query's rows (:func:`~insidergraph.queries.normal_rows`) from the SPARQL server at
    ``endpoint``, entity options resolved in ``store`` when there is one."""
    from insidergraph.backends.sparql_server.engine import SparqlServerEngine
    from insidergraph.graph.store import Store
    from insidergraph.queries import normal_rows
    from insidergraph.queries.resolve import resolve_entities

    bound = query.bind(resolve_entities(query, query.values(given), Store(store), "sparql-server"))
    engine = SparqlServerEngine(None, endpoint, timeout)
    try:
        return normal_rows(query, engine.run_named(query, bound))
    finally:
        engine.close()


def _with_server(lines: tuple[str, ...]) -> tuple[str, ...]:
    """The examples and the first of them run on a SPARQL server (``--endpoint``), its
    first rows only (``--limit``): so every named query's help shows both options.

    >>> _with_server(("insidergraph query co-owners --min-issuers 2 --store s --engine sparql",))[1]
    'insidergraph query co-owners --min-issuers 2 --endpoint http://127.0.0.1:7878/query --timeout 30 --limit 20'
    """
    if not lines:
        return lines
    first = re.sub(r" --(store|engine|format|limit) \S+", "", lines[0])
    return (*lines, f"{first} --endpoint http://127.0.0.1:7878/query --timeout 30 --limit 20")


def _named_command(query: NamedQuery) -> click.Command:
    def callback(store: str, engine: str, fmt: str | None, limit: int | None, endpoint: str | None,
                 timeout: float, **params: Any) -> None:
        from insidergraph.queries import run_rows

        given = {k: v for k, v in params.items() if v is not None and v is not False}
        if endpoint:
            emit_rows(list(query.columns), _on_server(query, store, endpoint, timeout, given), fmt, limit)
            return
        emit_rows(list(query.columns), run_rows(query.name, store, engine=engine, **given), fmt, limit)

    help_text = f"{query.description}\n\n{query.details}\n\n{_examples(_with_server(EXAMPLES.get(query.name, ())))}"
    cmd = click.Command(query.name, callback=callback, help=help_text, short_help=query.description)
    cmd = _common(cmd, list(BACKENDS))  # every engine answers named queries; the registry's first by default
    cmd = _server_options(cmd, "the query")
    for p in reversed(query.params):
        if p.type == "bool":
            opt = click.Option([p.option, p.name], is_flag=True, default=False, show_default=False, help=p.help)
        else:
            kind = {"int": int, "date": str, "str": str}[p.type]
            opt = click.Option([p.option, p.name], type=kind, required=p.required, default=None, show_default=False,
                               help=p.help + (f" [default: {p.default}]" if p.default not in (None, False) else ""))
        cmd.params.insert(0, opt)
    return cmd


class QueryGroup(click.Group):
    """``insidergraph query NAME``: one subcommand per named query in the registry, each
    registered as a command, so that click answers a mistyped name with the closest ones
    ("Did you mean 'shared-directors'?") as it does a mistyped option."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for q in QUERIES.values():
            self.add_command(_named_command(q))


@click.group("query", cls=QueryGroup)
def query() -> None:
    """Run a named query (see `insidergraph queries`); the same rows from every engine.

    \b
    Examples:
      insidergraph query shared-directors --min-boards 3 --store insidergraph-store
      insidergraph query interlocks --engine sparql --format json
    """


@click.command("queries")
def queries() -> None:
    """List the named queries with their parameters and output columns.

    \b
    Example:
      insidergraph queries
    """
    for q in QUERIES.values():
        click.echo(f"{q.name}: {q.description}")
        for p in q.params:
            extra = " (required)" if p.required else f" (default {p.default})" if p.default not in (None,) else ""
            click.echo(f"    {p.option} {p.type.upper()}{extra}  {p.help}")
        click.echo(f"    columns: {', '.join(q.columns)}")


#: What ``insidergraph cypher`` and ``insidergraph sparql`` say they do, and their examples.
_ADHOC_HELP: dict[str, tuple[str, tuple[str, ...]]] = {
    "cypher": (
        ("Run an ad-hoc Cypher query on the store (ladybug dialect), parameters bound by the engine. "
         "Only statements that read the graph run: writes, COPY, LOAD FROM, INSTALL, ATTACH and "
         "settings are refused."),
        ("insidergraph cypher 'MATCH (p:Person) WHERE p.cik = $cik RETURN p.name' --param cik=0001494730",
         "insidergraph cypher 'MATCH (c:Company) RETURN count(*) AS n' --engine neo4j --format json",
         "insidergraph cypher 'MATCH (p:Person)-[r]->(c:Company) RETURN p.name, label(r) AS role, c.name' --limit 20",
         "insidergraph cypher --recover --store insidergraph-store"),
    ),
    "sparql": (
        ("Run an ad-hoc SPARQL query on the store (named graphs merged), parameters bound by "
         "substitution: project each parameter variable. Updates and SERVICE are refused. "
         "`insidergraph sparql load` (the first word) writes the store into a SPARQL server instead: "
         "see `insidergraph sparql load --help`."),
        (("insidergraph sparql 'PREFIX ig: <https://w3id.org/insidergraph/ontology#> "
          "SELECT ?p ?cik WHERE { ?p ig:cik ?cik }' -p cik=0001494730 --format csv"),
         "insidergraph sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' --engine sparql --store insidergraph-store",
         "insidergraph sparql 'SELECT ?s ?p ?o WHERE { ?s ?p ?o }' --limit 20 --format table",
         ("insidergraph sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' "
          "--endpoint http://127.0.0.1:7878/query --timeout 30"),
         "insidergraph sparql load --store insidergraph-store --endpoint http://127.0.0.1:7878/store"),
    ),
}


def _adhoc(language: str) -> click.Command:
    engines = sorted(name for name, backend in BACKENDS.items() if backend.language == language)

    def callback(text: str | None, store: str, engine: str, fmt: str | None, limit: int | None,
                 param: tuple[str, ...], recover: bool = False, endpoint: str | None = None,
                 timeout: float = 60.0) -> None:
        from insidergraph.queries import run_text

        if recover:
            from insidergraph.backends.ladybug.engine import recover as recover_db
            from insidergraph.graph.store import Store

            say(recover_db(Store(store)))
            if text is None:
                return
        if text is None:
            raise click.UsageError(f"Missing argument 'TEXT' (the {language.capitalize()} query).")
        params = dict(parse_param(p) for p in param)
        if endpoint:
            emit(_text_on_server(text, endpoint, timeout, params), fmt, limit)
            return
        emit(run_text(text, store, engine=engine, params=params), fmt, limit)

    help_text, examples = _ADHOC_HELP[language]
    types = ", ".join(t + " (default)" * (t == "str") for t in PARAM_TYPES if t != "iri" or language == "sparql")
    cls = SparqlCommand if language == "sparql" else click.Command
    cmd = cls(language, callback=callback,
              help=f"{help_text}\n\n--param name[:type]=value, type one of {types}.\n\n{_examples(examples)}")
    cmd.params.append(click.Argument(["text"], required=language != "cypher"))
    cmd = _common(cmd, engines)
    cmd.params.append(click.Option(["--param", "-p", "param"], multiple=True, help="name[:type]=value (repeatable)."))
    if language == "cypher":
        cmd.params.append(click.Option(
            ["--recover"], is_flag=True,
            help="Complete a checkpoint that an interrupted write left pending in the store's Cypher "
                 "database (opens it for writing once), then run TEXT if given."))
    else:
        cmd = _server_options(cmd, "TEXT")
    return cmd


def _text_on_server(text: str, endpoint: str, timeout: float, params: dict[str, Any]) -> pd.DataFrame:
    """An ad-hoc query's rows from the SPARQL server at ``endpoint``."""
    from insidergraph.backends.sparql_server.engine import SparqlServerEngine
    from insidergraph.queries import answer_frame, check_parameters

    check_parameters("sparql", text, params)
    engine = SparqlServerEngine(None, endpoint, timeout)
    try:
        columns, rows = engine.run_text(text, params)
    finally:
        engine.close()
    cells = [[v.isoformat() if isinstance(v, date) else v for v in row] for row in rows]
    return answer_frame(columns, cells)


class SparqlCommand(click.Command):
    """``insidergraph sparql TEXT`` with one subcommand, ``load``, taken as such only when it
    is the first word (no SPARQL query is the word ``load`` alone)."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        if args and args[0] == "load":
            from insidergraph.queries.sparql_load import sparql_load

            return sparql_load.make_context("sparql load", list(args[1:]), parent=parent, **extra)
        return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        if ctx.command is not self:  # the context of ``load``
            return ctx.command.invoke(ctx)
        return super().invoke(ctx)


cypher = _adhoc("cypher")
sparql = _adhoc("sparql")

__all__ = ["cypher", "emit", "emit_rows", "parse_param", "queries", "query", "sparql"]
