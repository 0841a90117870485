"""The ``insidergraph`` command: thin click commands over the library.

Each command parses its options, makes one library call, and turns the library's
:class:`~insidergraph.errors.InsiderGraphError` into one ``Error: ...`` line and exit
status 1 (:mod:`insidergraph.console` holds those helpers, the progress bars and the
options shared by every command). Heavy modules are imported inside the commands, and the
choices and defaults read from their registries when first shown, so ``--help`` stays fast.
The query commands live in :mod:`insidergraph.queries.commands`, ``fetch`` and ``update`` in
:mod:`insidergraph.edgar.commands`.

>>> from click.testing import CliRunner
>>> CliRunner().invoke(cli, ["--help"]).exit_code
0
"""

from __future__ import annotations

import sys
from typing import Any

import click

from insidergraph import __version__
from insidergraph.console import (
    ErrorGroup,
    RegistryChoice,
    exit_if,
    progress_option,
    say,
    store_option,
    wants_progress,
)


@click.group(cls=ErrorGroup)
@click.version_option(__version__, prog_name="insidergraph")
def cli() -> None:
    """Turn SEC insider filings (Forms 3, 4, 5) into a knowledge graph of who sits where.

    \b
    Examples:
      insidergraph build ../shared/corpus/xml --store insidergraph-store
      insidergraph query shared-directors --store insidergraph-store
      insidergraph --version
    """


@cli.command("parse")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "table"]),
    default=None,
    help="Output format (default: table on a terminal, jsonl otherwise).",
)
@click.option("--strict", is_flag=True, help="Stop at the first file that fails.")
def parse_command(paths: tuple[str, ...], fmt: str | None, strict: bool) -> None:
    """Parse PATHS (files, folders recursively, - for stdin) and print one filing per line.

    Files that fail are reported on stderr as `path:line: what is wrong`; the others
    still come out, and the exit status is 1 when any failed.

    \b
    Examples:
      insidergraph parse ../shared/corpus/xml --format jsonl > filings.jsonl
      insidergraph parse 2024q3_form345.zip --format table --strict
    """
    from insidergraph.loaders.parse_run import run_parse

    fmt = fmt or ("table" if sys.stdout.isatty() else "jsonl")
    try:
        failed = run_parse(paths, fmt, strict, on_error=say)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other Unix tools do.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    exit_if(failed)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@store_option
@click.option("--strict", is_flag=True, help="Stop at the first file that fails.")
@progress_option()
@click.option(
    "--sparql",
    type=RegistryChoice("insidergraph.graph.store:SPARQL_SCOPES"),
    default=None,
    help="What the embedded SPARQL store holds: every triple (full, the default for a new store); "
    "relations: no transactions, holdings or footnotes (a third of the triples, for large stores); "
    "none: no SPARQL store. Default: what the store was built with.",
)
def build(paths: tuple[str, ...], store: str, strict: bool, progress: bool | None, sparql: str | None) -> None:
    """Parse PATHS (files, folders, -) and add them to the graph store.

    Building again with more filings adds them; a filing already in the store changes
    nothing. Files that fail are reported on stderr; the rest still go in.

    \b
    Examples:
      insidergraph build ../shared/corpus/xml ../shared/corpus/txt --store insidergraph-store --strict
      insidergraph build 2024q1_form345.zip edgar --store big-store --sparql relations --no-progress
    """
    from insidergraph.backends import store_engines
    from insidergraph.graph.store import Store
    from insidergraph.graph.store_build import build_store

    result = build_store(paths, store, on_error=lambda err: say(str(err)), strict=strict,
                         progress=wants_progress(progress), sparql=sparql, engines=store_engines())
    exit_if(result.read == 0 and not Store(store).exists())  # every file failed (each said why): no store made
    click.echo(result.summary())
    exit_if(result.failed)


@cli.command()
@store_option
# form345 is not a graph exporter: it writes the store's filings as SEC's TSV files, into a folder.
@click.option("--format", "fmt", required=True, type=RegistryChoice("insidergraph.graph.exporters:EXPORTERS",
              extra=("form345",), sort=True), help="Export format.")
@click.option("-o", "--output", default="-", show_default=True, help="Output file, or - for stdout.")
@click.option(
    "--view",
    default="full",
    show_default=True,
    type=RegistryChoice("insidergraph.graph.exporters:VIEWS"),
    help="Which part of the graph (visual formats).",
)
@click.option("--issuer", default=None, help="Only the ego network of this issuer: CIK, ticker, name or node id.")
@click.option("--person", default=None, help="Only the ego network of this person: CIK, name or node id.")
@click.option("--depth", type=int, default=None,
              help="Steps from --issuer/--person the ego network reaches  [default: 1]")
def export(store: str, fmt: str, output: str, view: str, issuer: str | None, person: str | None,
           depth: int | None) -> None:
    """Export the graph as RDF or for visualization (GraphML, GEXF, Cytoscape JSON, HTML),
    or its filings as SEC's data set files (form345: -o names a folder).

    Says on stderr what it wrote. The HTML page, or more than 1 MB of anything else, is
    not written to a terminal: use -o FILE, or a pipe. The page refuses a view of more than
    2,000 nodes: choose a smaller --view, or the ego network of an --issuer or a --person
    (the nodes within --depth steps; in the interlocks view a person stands for their boards).

    \b
    Examples:
      insidergraph export --store insidergraph-store --format turtle -o graph.ttl
      insidergraph export --format html --view people-issuers -o graph.html
      insidergraph export --format html --view full --issuer TSLA --depth 1 -o tesla.html
      insidergraph export --format gexf --view people-issuers --person "Roelof Botha" --depth 2 -o botha.gexf
      insidergraph export --format form345 --output quarter/
    """
    from insidergraph.graph.exporters import EXPORTERS
    from insidergraph.graph.store import Store

    if fmt == "form345":
        from insidergraph.graph.export_form345 import export_store

        say(export_store(Store(store), output))
        return
    from insidergraph.graph.focus import focus_of
    from insidergraph.queries.resolve import entities

    on_disk = Store(store)
    tables = on_disk.tables()
    exporter = EXPORTERS[fmt]
    # The one resolver of every entity option: a CIK, a ticker, a node id or a name.
    if issuer is not None:
        issuer = entities(on_disk).resolve(issuer, ("Company",)).id
    if person is not None:
        person = entities(on_disk).resolve(person, ("Person",)).id
    focus = focus_of(tables, issuer, person, depth)
    if output == "-":
        size = _export_stdout(tables, fmt, view, focus)
        where = "stdout"
    else:
        size = _export_file(tables, fmt, view, output, focus)
        where = output
    shown = f"{exporter.name}, view {view}" if exporter.kind == "visual" else exporter.name
    if focus is not None:
        shown += f", {focus.depth} step{'s' if focus.depth != 1 else ''} from {', '.join(focus.centres)}"
    say(f"wrote {where} ({shown}): {size[0]:,} nodes, {size[1]:,} edges")


#: Most bytes of an export written to a terminal (more is a file's job, as git pages long output).
_TERMINAL_BYTES = 1_000_000


def _export_stdout(tables: Any, fmt: str, view: str, focus: Any = None) -> tuple[int, int]:
    import io

    from insidergraph.errors import ExportError
    from insidergraph.graph.exporters import EXPORTERS
    from insidergraph.graph.exporters import export as run_export

    if not sys.stdout.isatty():
        size = run_export(tables, fmt, sys.stdout.buffer, view, focus)
        sys.stdout.buffer.flush()
        return size
    name = EXPORTERS[fmt].name
    if name == "html":
        raise ExportError("an HTML page is not for a terminal: write it to a file with -o FILE (or pipe it)")
    buffer = io.BytesIO()
    size = run_export(tables, fmt, buffer, view, focus)
    if buffer.tell() > _TERMINAL_BYTES:
        raise ExportError(f"the {name} export is {buffer.tell():,} bytes, too much for a terminal: "
                          "write it to a file with -o FILE (or pipe it)")
    sys.stdout.buffer.write(buffer.getvalue())
    sys.stdout.buffer.flush()
    return size


def _export_file(tables: Any, fmt: str, view: str, output: str, focus: Any = None) -> tuple[int, int]:
    import os
    from pathlib import Path

    from insidergraph.errors import ExportError
    from insidergraph.graph.exporters import export as run_export

    folder = Path(output).parent
    if not folder.is_dir():
        raise ExportError(f"{output}: cannot write: the folder {folder} does not exist")
    tmp = output + ".partial"
    try:
        with open(tmp, "wb") as fh:
            size = run_export(tables, fmt, fh, view, focus)
        os.replace(tmp, output)
    except OSError as err:
        raise ExportError(f"{output}: cannot write: {err.strerror or err}") from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return size


def _neo4j_options(func: Any) -> Any:
    for option in reversed(
        [
            click.option("--uri", envvar="NEO4J_URI", default="bolt://localhost:7687", show_default=True,
                         help="Bolt URI [env NEO4J_URI]."),
            click.option("--user", envvar="NEO4J_USER", default="neo4j", show_default=True,
                         help="User [env NEO4J_USER]."),
            click.option("--password", envvar="NEO4J_PASSWORD", default="", help="Password [env NEO4J_PASSWORD]."),
            click.option("--database", envvar="NEO4J_DATABASE", default="neo4j", show_default=True,
                         help="Database [env NEO4J_DATABASE]."),
        ]
    ):
        func = option(func)
    return func


@cli.group(cls=ErrorGroup)
def neo4j() -> None:
    """Load the graph into a Neo4j server, or write CSV files for neo4j-admin import.

    \b
    Examples:
      insidergraph neo4j load --store insidergraph-store
      insidergraph neo4j export-csv --store insidergraph-store neo4j-import/
    """


@neo4j.command("load")
@store_option
@_neo4j_options
@click.option("--batch-size", default=5000, show_default=True, type=click.IntRange(min=1),
              help="Rows per UNWIND ... CREATE/MERGE transaction.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="Sessions writing batches at once.")
@click.option("--merge", "always_merge", is_flag=True,
              help="MERGE every row, ignoring the load markers (slower; for a database edited by hand).")
@progress_option(plural=True)
def neo4j_load(store: str, uri: str, user: str, password: str, database: str, batch_size: int,
               workers: int, always_merge: bool, progress: bool | None) -> None:
    """Load the store into Neo4j: constraints first, then CREATE or MERGE batches; safe to repeat or resume.

    Unchanged tables are skipped, empty ones CREATEd, the rest get their missing rows
    CREATEd and present ones MERGEd, decided per table from markers kept in the database.

    \b
    Examples:
      NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=secret insidergraph neo4j load --store insidergraph-store
      insidergraph neo4j load --uri neo4j+s://abc.databases.neo4j.io --user neo4j --password secret --database neo4j
      insidergraph neo4j load --batch-size 5000 --workers 1 --merge --no-progress
    """
    import logging

    from insidergraph.backends.neo4j.load import Neo4jConfig, load
    from insidergraph.graph.store import Store

    # The driver logs each retried deadlock of concurrent batches; they are expected and retried.
    logging.getLogger("neo4j").addHandler(logging.NullHandler())
    tables = Store(store).tables()
    summary = load(tables, Neo4jConfig(uri, user, password, database), batch_size=batch_size,
                   progress=wants_progress(progress),
                   workers=workers, always_merge=always_merge)
    click.echo(summary.line())


@neo4j.command("export-csv")
@store_option
@click.argument("out", type=click.Path(file_okay=False))
def neo4j_export_csv(store: str, out: str) -> None:
    """Write CSV files for `neo4j-admin database import full` into OUT and print the command.

    \b
    Example:
      insidergraph neo4j export-csv --store insidergraph-store neo4j-import/
    """
    from insidergraph.backends.neo4j.csv_export import command_line, export_csv
    from insidergraph.graph.store import Store

    click.echo(command_line(export_csv(Store(store).tables(), out)))


def _add_query_commands() -> None:
    from insidergraph.queries.commands import cypher, queries, query, sparql

    for command in (query, queries, cypher, sparql):
        cli.add_command(command)


_add_query_commands()


def _add_edgar_commands() -> None:
    from insidergraph.edgar.commands import fetch_command, update_command

    cli.add_command(fetch_command)
    cli.add_command(update_command)


_add_edgar_commands()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="insidergraph")


if __name__ == "__main__":
    main()
