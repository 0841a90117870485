"""``insidergraph sparql load``: the command over
:func:`insidergraph.backends.sparql_server.load.load` (reached through ``insidergraph
sparql``, whose first word ``load`` names it).

>>> from click.testing import CliRunner
>>> "--endpoint" in CliRunner().invoke(sparql_load, ["--help"]).output
True
"""

from __future__ import annotations

import click

from insidergraph.console import progress_option, store_option, wants_progress


@click.command("load")
@store_option
@click.option("--endpoint", metavar="URL", required=True,
              help="The server's Graph Store endpoint (its update endpoint with --protocol update).")
@click.option("--graph", metavar="IRI", default=None,
              help="Load everything into this one named graph (default: a graph per filing, as the TriG export).")
@click.option("--protocol", type=click.Choice(["gsp", "update", "quads"]), default="gsp", show_default=True,
              help="Graph Store HTTP Protocol (PUT, then POST, a request per graph); SPARQL Update (DROP SILENT "
                   "GRAPH, INSERT DATA) for a server that offers only that; or quads: many graphs a request, "
                   "POSTed as N-Quads to the dataset's Graph Store endpoint after an update drops them "
                   "(needs --update-endpoint; Fuseki loads ten times faster so).")
@click.option("--update-endpoint", metavar="URL", default=None, envvar="SPARQL_UPDATE_ENDPOINT", show_envvar=True,
              help="The server's update endpoint, through which --protocol quads drops the graphs it replaces "
                   "(and the stale ones).")
@click.option("--batch", type=click.IntRange(min=1), default=None, metavar="N",
              help="Triples per request (default 50,000; 500,000 by --protocol quads, as every request is a "
                   "write transaction, which a TDB2 database grows by).")
@click.option("--query-endpoint", metavar="URL", default=None, envvar="SPARQL_ENDPOINT", show_envvar=True,
              help="The server's query endpoint: list the graphs already there and drop those of filings the "
                   "store no longer holds (a graph per filing only; other namespaces are left alone).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds to wait for each request.")
@progress_option()
def sparql_load(store: str, endpoint: str, graph: str | None, protocol: str, update_endpoint: str | None,
                batch: int | None, query_endpoint: str | None, timeout: float, progress: bool | None) -> None:
    """Write the store's triples into a SPARQL 1.1 server, replacing the graphs they go in.

    The triples are those of the embedded SPARQL store, in batches; credentials come from
    SPARQL_USER and SPARQL_PASSWORD only. A second load leaves the server as the first did;
    with --query-endpoint, graphs of filings no longer in the store are dropped too.

    \b
    Examples:
      insidergraph sparql load --store insidergraph-store --endpoint http://127.0.0.1:7878/store
      insidergraph sparql load --endpoint http://127.0.0.1:7878/store --query-endpoint http://127.0.0.1:7878/query
      SPARQL_USER=admin SPARQL_PASSWORD=secret insidergraph sparql load --endpoint http://127.0.0.1:3030/ds/data --graph https://example.org/insiders --timeout 120
      insidergraph sparql load --endpoint http://127.0.0.1:7878/update --protocol update --no-progress
      insidergraph sparql load --endpoint http://127.0.0.1:3030/ds/data --protocol quads --update-endpoint http://127.0.0.1:3030/ds/update
    """  # noqa: E501 (example lines are shown as written)
    from insidergraph.backends.sparql_server.load import load
    from insidergraph.graph.store import Store

    summary = load(Store(store), endpoint, graph=graph, protocol=protocol, timeout=timeout,
                   progress=wants_progress(progress), query_endpoint=query_endpoint,
                   update_endpoint=update_endpoint, batch=batch)
    click.echo(summary.line())


__all__ = ["sparql_load"]
