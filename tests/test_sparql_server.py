"""The store loaded into two real SPARQL servers (Fuseki and the Oxigraph server, started by
scripts/sparql-dev-server, as scripts/test does): every named query gives the embedded
engine's rows there, loads replace, hostile values stay values, and every way a server
fails is one line."""

from __future__ import annotations

import http.server
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner
from test_sparql_substitute import HOSTILE

from insidergraph.backends import open_engine, store_engines
from insidergraph.backends.sparql_server.client import SparqlClient
from insidergraph.backends.sparql_server.engine import SparqlServerEngine
from insidergraph.backends.sparql_server.load import Quads, load, quads, store_graphs
from insidergraph.cli import cli
from insidergraph.graph.rdf_emit import ENTITIES_GRAPH, triples
from insidergraph.graph.rdf_ntriples import NTriplesFormatter
from insidergraph.graph.store import Store
from insidergraph.graph.store_build import build_store
from insidergraph.ontology import GRAPH_NS
from insidergraph.queries import normalise, run
from insidergraph.queries.registry import QUERIES

from test_queries import CASES

SERVERS = ("fuseki", "oxigraph")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def servers() -> dict[str, dict[str, str]]:
    """Each server's endpoints and the environment its requests need (credentials)."""
    if "FUSEKI_QUERY_URL" not in os.environ or "OXIGRAPH_QUERY_URL" not in os.environ:
        message = "FUSEKI_*/OXIGRAPH_* unset: start them with scripts/sparql-dev-server (scripts/test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    out = {}
    for name in SERVERS:
        key = name.upper()
        env = dict(os.environ)
        env.pop("SPARQL_USER", None)
        env.pop("SPARQL_PASSWORD", None)
        if f"{key}_USER" in os.environ:
            env.update(SPARQL_USER=os.environ[f"{key}_USER"], SPARQL_PASSWORD=os.environ[f"{key}_PASSWORD"])
        out[name] = {"query": os.environ[f"{key}_QUERY_URL"], "update": os.environ[f"{key}_UPDATE_URL"],
                     "gsp": os.environ[f"{key}_GSP_URL"], "env": env}  # type: ignore[dict-item]
    return out


@pytest.fixture(scope="module")
def store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("server-store") / "store"
    build_store([str(corpus / "xml")], path, engines=store_engines())
    return Store(path)


def _count(server: dict[str, Any]) -> int:
    client = SparqlClient(server["query"], env=server["env"])
    try:
        return int(client.query(COUNT)["results"]["bindings"][0]["n"]["value"])
    finally:
        client.close()


def _load(store: Store, server: dict[str, Any], *extra: str) -> str:
    result = CliRunner().invoke(cli, ["sparql", "load", "--store", str(store.path), "--endpoint", server["gsp"],
                                      "--no-progress", *extra], env=server["env"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def loaded(store: Store, servers: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Both servers loaded once: their quad counts."""
    counts = {}
    for name, server in servers.items():
        # --query-endpoint: graphs an earlier run left on a reused server (filings this
        # store no longer has) go, so the counts below are this store's.
        line = _load(store, server, "--query-endpoint", server["query"])
        assert line.startswith("loaded ") and " graphs into " in line and " stale graph" in line
        counts[name] = _count(server)
    return counts


@pytest.fixture(scope="module")
def embedded(store: Store) -> dict[int, pd.DataFrame]:
    return {i: run(name, store, engine="sparql", **params) for i, (name, params) in enumerate(CASES)}


def test_the_servers_hold_every_quad_of_the_store_once(store: Store, loaded: dict[str, int]) -> None:
    distinct = len({(line, graph) for graph, lines in quads(store) for line in lines.to_pylist()})
    assert distinct > 100_000
    assert loaded == {"fuseki": distinct, "oxigraph": distinct}


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("case", range(len(CASES)),
                         ids=[f"{n}-{'-'.join(map(str, p.values())) or 'default'}" for n, p in CASES])
def test_every_named_query_gives_the_embedded_rows(servers: dict[str, dict[str, Any]], loaded: dict[str, int],
                                                   embedded: dict[int, pd.DataFrame], server: str,
                                                   case: int) -> None:
    name, params = CASES[case]
    query = QUERIES[name]
    engine = SparqlServerEngine(None, servers[server]["query"], env=servers[server]["env"])
    try:
        got = normalise(query, engine.run_named(query, query.bind(params)))
    finally:
        engine.close()
    assert len(embedded[case]) > 0
    assert got.to_dict("records") == embedded[case].to_dict("records")


def test_the_cli_gives_the_embedded_rows(store: Store, servers: dict[str, dict[str, Any]],
                                         loaded: dict[str, int]) -> None:
    args = ["query", "interlocks", "--min-shared", "2", "--format", "csv"]
    embedded = CliRunner().invoke(cli, [*args, "--store", str(store.path)])
    for server in servers.values():
        got = CliRunner().invoke(cli, [*args, "--endpoint", server["query"]], env=server["env"])
        assert got.exit_code == 0, got.output
        assert got.output == embedded.output and "Levchin" in got.output


def test_entity_options_are_resolved_in_the_store_beside_the_server(store: Store, servers: dict[str, dict[str, Any]],
                                                                    loaded: dict[str, int]) -> None:
    # A name or a ticker is resolved from the store's tables, whichever engine answers.
    for args in (["insider-roles", "--person", "levchin"], ["issuer-insiders", "--issuer", "Tesla"],
                 ["connection", "--source", "levchin", "--target", "botha"]):
        args = ["query", *args, "--store", str(store.path), "--format", "csv"]
        embedded = CliRunner().invoke(cli, args)
        for server in servers.values():
            got = CliRunner().invoke(cli, [*args, "--endpoint", server["query"]], env=server["env"])
            assert (got.exit_code, got.stdout) == (0, embedded.stdout), got.output
            assert got.stdout.count("\n") > 1


@pytest.mark.parametrize("server", SERVERS)
def test_a_second_load_replaces(store: Store, servers: dict[str, dict[str, Any]], loaded: dict[str, int],
                                server: str) -> None:
    _load(store, servers[server])
    assert _count(servers[server]) == loaded[server]


@pytest.mark.parametrize("server", SERVERS)
def test_hostile_values_are_values(store: Store, servers: dict[str, dict[str, Any]], loaded: dict[str, int],
                                   server: str) -> None:
    engine = SparqlServerEngine(None, servers[server]["query"], env=servers[server]["env"])
    try:
        for value in HOSTILE:
            for name, option in (("insider-roles", "person"), ("issuer-insiders", "issuer")):
                query = QUERIES[name]
                # The embedded engine's own rows (``run`` would refuse a value naming nothing).
                bound = query.bind({option: value})
                expected = normalise(query, open_engine("sparql", store).run_named(query, bound))
                got = normalise(query, engine.run_named(query, query.bind({option: value})))
                assert got.to_dict("records") == expected.to_dict("records"), (name, value)
            columns, rows = engine.run_text("SELECT ?v ?x WHERE { BIND(CONCAT(?v, '!') AS ?x) }", {"v": value})
            assert (columns, rows) == (["v", "x"], [[value, value + "!"]])
    finally:
        engine.close()
    assert _count(servers[server]) == loaded[server]


def _cli_error(args: list[str], env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


class _Handler(http.server.BaseHTTPRequestHandler):
    """A real HTTP server that answers a page of HTML (``/html``) or nothing for a while."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.startswith("/slow"):
            time.sleep(3)
        body = b"<html><body>Welcome</body></html>"
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (--timeout), as the test means it to. Unhandled, the server
            # thread prints a traceback to sys.stderr, which may then be a later test's
            # CliRunner capture (seen: appended to a `sparql load` summary line).
            pass

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def web() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_server_failures_are_one_line(store: Store, servers: dict[str, dict[str, Any]], loaded: dict[str, int],
                                      web: str) -> None:
    query = ["sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"]
    fuseki, oxigraph = servers["fuseki"], servers["oxigraph"]
    assert "cannot reach the server" in _cli_error([*query, "--endpoint", "http://127.0.0.1:9/query"])
    wrong = dict(fuseki["env"], SPARQL_PASSWORD="wrong")
    assert "refused the credentials" in _cli_error(["query", "co-owners", "--endpoint", fuseki["query"]], wrong)
    assert "refused the credentials" in _cli_error(
        ["sparql", "load", "--store", str(store.path), "--endpoint", fuseki["gsp"], "--no-progress"], wrong)
    assert "no answer within 0.5 s (--timeout)" in _cli_error([*query, "--endpoint", web + "/slow", "--timeout", "0.5"])
    assert "not SPARQL JSON" in _cli_error([*query, "--endpoint", web + "/html"])
    refused = _cli_error(["sparql", "load", "--store", str(store.path), "--endpoint", oxigraph["query"],
                          "--protocol", "update", "--no-progress"])
    assert "refused the update" in refused
    assert "not an absolute IRI" in _cli_error(["sparql", "load", "--store", str(store.path), "--endpoint",
                                                oxigraph["gsp"], "--graph", "urn x>"])
    bad_iri = [*query, "-p", "x:iri=https://e.org/a>b", "--endpoint", oxigraph["query"]]
    assert "is not a valid iri" in _cli_error(bad_iri)
    assert _count(oxigraph) == loaded["oxigraph"]


def test_a_load_holds_a_range_of_filings_at_a_time_not_the_store(store: Store) -> None:
    fmt = NTriplesFormatter()
    expected = sorted((line, graph) for batch in triples(store.tables(), graphs=True)
                      for line, graph in zip(fmt.lines(batch).to_pylist(), batch.column("g").to_pylist(),
                                             strict=True))
    text = sum(len(line) for line, _ in expected)
    base = pa.total_allocated_bytes()
    pieces = Quads(store, chunk=5_000, part_filings=50)
    got, started, peak, last = [], [], 0, None
    for graph, lines in pieces:
        peak = max(peak, pa.total_allocated_bytes() - base)
        assert 0 < len(lines) <= 5_000
        if graph != last:
            started.append(graph)
            last = graph
        got.extend((line, graph) for line in lines.to_pylist())
    # Every triple once under its graph; a graph's pieces one after the other (its PUT comes once).
    assert sorted(got) == expected and pieces.total == len(expected)
    assert len(started) == len(set(started)) == store.manifest()["filings"] + 1
    assert peak < text / 2, (peak, text)  # the store's N-Triples text is never all held at once


@pytest.mark.parametrize("protocol", ["gsp", "update", "quads"])
@pytest.mark.parametrize("server", SERVERS)
def test_a_reload_drops_the_graphs_of_filings_no_longer_in_the_store(
        store: Store, servers: dict[str, dict[str, Any]], loaded: dict[str, int], server: str, protocol: str) -> None:
    where = servers[server]
    gone, other = GRAPH_NS + "filing/0000000000-00-000001", "https://example.org/not-insidergraph"
    writer = SparqlClient(where["update"], env=where["env"])
    try:
        writer.update(f"INSERT DATA {{ GRAPH <{gone}> {{ <urn:a> <urn:b> 'stale' }} "
                      f"GRAPH <{other}> {{ <urn:a> <urn:b> 'kept' }} }}")
        assert _count(where) == loaded[server] + 2
        endpoint = where["update"] if protocol == "update" else where["gsp"]
        dropper = ["--update-endpoint", where["update"]] if protocol == "quads" else []
        result = CliRunner().invoke(cli, ["sparql", "load", "--store", str(store.path), "--endpoint", endpoint,
                                          "--protocol", protocol, *dropper, "--query-endpoint", where["query"],
                                          "--no-progress"], env=where["env"])
        assert result.exit_code == 0, result.output
        assert result.output.strip().endswith("; dropped 1 stale graph")
        asker = SparqlClient(where["query"], env=where["env"])
        try:
            left = asker.query("SELECT ?g WHERE { GRAPH ?g { <urn:a> <urn:b> ?o } }")["results"]["bindings"]
        finally:
            asker.close()
        assert [row["g"]["value"] for row in left] == [other]  # another namespace is left alone
        assert _count(where) == loaded[server] + 1
    finally:
        writer.update(f"DROP SILENT GRAPH <{other}> ; DROP SILENT GRAPH <{gone}>")
        writer.close()
    assert _count(where) == loaded[server]


@pytest.mark.parametrize("server", SERVERS)
def test_a_load_by_quads_replaces_each_graph_across_batches(
        store: Store, servers: dict[str, dict[str, Any]], loaded: dict[str, int], server: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    where = servers[server]
    filing = str(store_graphs(store)[1])
    writer = SparqlClient(where["update"], env=where["env"])
    try:
        # A triple the store lacks, in a filing's graph and in the entities graph: a
        # replacing load leaves neither.
        writer.update(f"INSERT DATA {{ GRAPH <{filing}> {{ <urn:a> <urn:b> 'stray' }} "
                      f"GRAPH <{ENTITIES_GRAPH}> {{ <urn:a> <urn:b> 'stray' }} }}")
        assert _count(where) == loaded[server] + 2
        for key in ("SPARQL_USER", "SPARQL_PASSWORD"):
            monkeypatch.delenv(key, raising=False)
            if key in where["env"]:
                monkeypatch.setenv(key, where["env"][key])
        # Batches of 2,000 triples: the entities graph spans many requests, and only the
        # first of them may drop it.
        summary = load(store, where["gsp"], protocol="quads", update_endpoint=where["update"], batch=2_000)
        assert summary.graphs == len(store_graphs(store)) and summary.triples > 100_000
        assert _count(where) == loaded[server]
        asker = SparqlClient(where["query"], env=where["env"])
        try:
            stray = asker.query("SELECT ?g WHERE { GRAPH ?g { <urn:a> <urn:b> ?o } }")["results"]["bindings"]
        finally:
            asker.close()
        assert stray == []
    finally:
        writer.update(f"DELETE DATA {{ GRAPH <{filing}> {{ <urn:a> <urn:b> 'stray' }} "
                      f"GRAPH <{ENTITIES_GRAPH}> {{ <urn:a> <urn:b> 'stray' }} }}")
        writer.close()
    assert _count(where) == loaded[server]


def test_a_load_by_quads_without_an_update_endpoint_is_one_line(store: Store) -> None:
    message = _cli_error(["sparql", "load", "--store", str(store.path), "--endpoint", "http://127.0.0.1:9/store",
                          "--protocol", "quads"])
    assert message == ("Error: --protocol quads needs --update-endpoint URL: the graphs it replaces are "
                       "dropped by SPARQL Update")


@pytest.mark.parametrize("server", SERVERS)
def test_an_empty_server_answer_about_a_name_the_local_store_lacks_is_one_line(
        store: Store, servers: dict[str, dict[str, Any]], loaded: dict[str, int], server: str,
        tmp_path: Path) -> None:
    where = servers[server]
    for how in (["--endpoint", where["query"]], ["--engine", "sparql-server"]):
        env = dict(where["env"], SPARQL_ENDPOINT=where["query"])
        args = ["query", "issuer-insiders", *how, "--format", "csv"]
        message = _cli_error([*args, "--issuer", "NOPE", "--store", str(store.path)], env)
        assert message == (f"Error: {store.path}: no company matches 'NOPE' "
                           "(a CIK, a ticker, a node id, a name or part of one)")
        known = CliRunner().invoke(cli, [*args, "--issuer", "YELP", "--store", str(store.path)], env=env)
        assert known.exit_code == 0 and "Rabois" in known.output
        # No local store to look a ticker up in: refused in one line, not an empty answer.
        bare = _cli_error([*args, "--issuer", "NOPE", "--store", str(tmp_path / "none")], env)
        assert bare.startswith("Error: --issuer 'NOPE': a name or ticker is resolved from a store's tables"), bare


def test_the_ad_hoc_text_still_runs_on_the_store(store: Store) -> None:
    result = CliRunner().invoke(cli, ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--store",
                                      str(store.path), "--format", "csv"])
    assert result.exit_code == 0 and int(result.output.splitlines()[1]) > 100_000


def test_one_named_graph_and_sparql_update(store: Store, servers: dict[str, dict[str, Any]],
                                           loaded: dict[str, int]) -> None:
    # Last: it adds a graph to the Oxigraph server, then drops it again.
    server = servers["oxigraph"]
    graph = "https://example.org/insiders"
    _load(store, server, "--graph", graph)
    client = SparqlClient(server["query"], env=server["env"])
    try:
        one = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        first = int(client.query(one)["results"]["bindings"][0]["n"]["value"])
        assert first == len({line for _, lines in quads(store, graph) for line in lines.to_pylist()})
        update = CliRunner().invoke(cli, ["sparql", "load", "--store", str(store.path), "--endpoint", server["update"],
                                          "--protocol", "update", "--graph", graph, "--no-progress"], env=server["env"])
        assert update.exit_code == 0, update.output
        assert int(client.query(one)["results"]["bindings"][0]["n"]["value"]) == first
    finally:
        SparqlClient(server["update"], env=server["env"]).update(f"DROP SILENT GRAPH <{graph}>")
        client.close()
    assert _count(server) == loaded["oxigraph"]
