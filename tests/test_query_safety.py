"""Ad-hoc queries answer questions about the store and nothing else; outputs are safe to
open; bad requests get one line. Every refusal is checked for what did not happen too:
no file written, no request received, the store still readable."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from insidergraph.backends import store_engines
from insidergraph.cli import cli
from insidergraph.errors import QueryError
from insidergraph.graph.store import Store
from insidergraph.graph.store_build import build_store
from insidergraph.queries import run, run_text

WHY_CYPHER = "ad-hoc Cypher may only read the store's graph"
WHY_SPARQL = "ad-hoc SPARQL may only read the store's graph"


@pytest.fixture(scope="module")
def built(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small store of real filings, built once; tests that could damage it take a copy."""
    path = tmp_path_factory.mktemp("safety") / "store"
    files = sorted((corpus / "xml").glob("*.xml"))[:60]
    result = build_store([str(f) for f in files], path, engines=store_engines())
    assert result.added == 60
    return path


@pytest.fixture
def store(built: Path, tmp_path: Path) -> Iterator[Path]:
    from insidergraph.backends import close_all

    copy = tmp_path / "store"
    shutil.copytree(built, copy)
    yield copy
    close_all()  # each open ladybug database reserves 8 TB of address space: one copy at a time


def _cli(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _one_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def _ladybug_dir(store: Path) -> Path:
    from insidergraph.graph.store import Store

    return Store(store).engines_dir / "ladybug"


def _ladybug_files(store: Path) -> list[str]:
    return sorted(p.name for p in _ladybug_dir(store).iterdir())


# -- Cypher: read-only, and only reads --------------------------------------------------

def test_checkpoint_is_refused_and_every_later_query_still_runs(store: Path) -> None:
    before = run("shared-directors", store)
    line = _one_line(_cli("cypher", "--store", str(store), "CHECKPOINT"))
    assert "CHECKPOINT is refused" in line and WHY_CYPHER in line
    assert _ladybug_files(store) == ["graph.lbug"]  # no .wal, no .shadow left behind
    again = _cli("query", "shared-directors", "--store", str(store), "--format", "json")
    assert again.exit_code == 0, again.output
    assert [r["person_cik"] for r in json.loads(again.stdout)] == list(before["person_cik"])


def _leave_a_pending_checkpoint(store: Path) -> None:
    """What an interrupted write leaves: ladybug's own CHECKPOINT on a read-only database."""
    import warnings

    import ladybug as lb

    db = lb.Database(str(_ladybug_dir(store) / "graph.lbug"), read_only=True)
    conn = lb.Connection(db)
    with warnings.catch_warnings(), pytest.raises(RuntimeError):
        warnings.simplefilter("ignore")
        conn.execute("CHECKPOINT")
    conn.close()
    db.close()


def test_a_pending_checkpoint_gives_one_line_and_recover_completes_it(store: Path) -> None:
    expected = run("shared-directors", store).to_dict("records")
    from insidergraph.backends import close_all

    close_all()
    _leave_a_pending_checkpoint(store)
    assert "graph.lbug.wal" in _ladybug_files(store)
    for args in (("query", "shared-directors"), ("cypher", "MATCH (p:Person) RETURN count(*)")):
        line = _one_line(_cli(*args, "--store", str(store)))
        assert "checkpoint left pending" in line and f"cypher --recover --store {store}" in line
    recovered = _cli("cypher", "--recover", "--store", str(store))
    assert recovered.exit_code == 0, recovered.output
    assert "recovered" in recovered.stderr and _ladybug_files(store) == ["graph.lbug"]
    assert run("shared-directors", store).to_dict("records") == expected


REFUSED_CYPHER = [
    ("CREATE (:Person {id: 'person/x'})", "CREATE"),
    ("MERGE (p:Person {id: 'person/x'}) RETURN p", "MERGE"),
    ("MATCH (p:Person) SET p.name = 'x'", "SET"),
    ("MATCH (p:Person) DELETE p", "DELETE"),
    ("MATCH (p:Person) DETACH DELETE p", "DETACH"),
    ("MATCH (p:Person) REMOVE p.name", "REMOVE"),
    ("DROP TABLE Footnote", "DROP"),
    ("ALTER TABLE Person ADD x STRING", "ALTER"),
    ("CHECKPOINT", "CHECKPOINT"),
    ("BEGIN TRANSACTION", "BEGIN"),
    ("COPY Person FROM '/etc/passwd'", "COPY"),
    ("LOAD EXTENSION json", "LOAD"),
    ("INSTALL json", "INSTALL"),
    ("ATTACH '/tmp/other.lbug' AS other (dbtype lbug)", "ATTACH"),
    ("EXPORT DATABASE '/tmp/exported'", "EXPORT"),
    ("IMPORT DATABASE '/tmp/exported'", "IMPORT"),
    ("USE other", "USE"),
    ("CALL threads = 1", "CALL of a setting"),
    ("PROFILE MATCH (p:Person) RETURN p", "PROFILE"),
    ("match (p:Person) with p /* keywords in any case */ set p.name = 'x'", "SET"),
]


@pytest.mark.parametrize("text, keyword", REFUSED_CYPHER, ids=[k for _, k in REFUSED_CYPHER])
def test_cypher_that_writes_or_leaves_the_graph_is_refused(store: Path, text: str, keyword: str) -> None:
    before = (_ladybug_dir(store) / "graph.lbug").read_bytes()
    line = _one_line(_cli("cypher", "--store", str(store), text))
    assert f"{keyword} is refused" in line and WHY_CYPHER in line
    assert (_ladybug_dir(store) / "graph.lbug").read_bytes() == before
    assert _ladybug_files(store) == ["graph.lbug"]


def test_copy_to_writes_no_file_and_load_from_reads_none(store: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    line = _one_line(_cli("cypher", "--store", str(store), f"COPY (MATCH (p:Person) RETURN p.name) TO '{target}'"))
    assert "COPY is refused" in line and not target.exists()
    secret = tmp_path / "secret.csv"
    secret.write_text("user:x:0\n")
    for text in (f"LOAD FROM '{secret}' (file_format='csv', delim=':') RETURN *",
                 f"MATCH (p:Person) WITH p LIMIT 1 LOAD FROM '{secret}' RETURN *"):
        result = _cli("cypher", "--store", str(store), "--format", "csv", text)
        assert "LOAD is refused" in _one_line(result) and "user" not in result.stdout


def test_load_from_never_opens_the_file(store: Path, tmp_path: Path) -> None:
    # Opening a FIFO with no writer blocks: a query that opened it would never end.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = subprocess.run(
        [sys.executable, "-m", "insidergraph.cli", "cypher", "--store", str(store), f"LOAD FROM '{fifo}' RETURN *"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"Error: LOAD is refused: {WHY_CYPHER} (no writes, files, "
                                                  "extensions or network)"]


def test_several_statements_are_refused_before_any_runs(store: Path, tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    text = f"MATCH (p:Person) RETURN p.name LIMIT 1; COPY (RETURN 1) TO '{target}'"
    assert "one Cypher statement at a time" in _one_line(_cli("cypher", "--store", str(store), text))
    assert not target.exists()
    # A string that hides the separator differently from the engine still meets the engine's own check.
    assert "one Cypher statement at a time" in _one_line(
        _cli("cypher", "--store", str(store), "RETURN 1 AS a; RETURN 2 AS b"))


def test_the_engines_own_plan_refuses_what_the_keyword_check_would_miss(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from insidergraph.backends import guard

    monkeypatch.setattr(guard, "check_cypher", lambda text: None)
    target = tmp_path / "out.csv"
    data = tmp_path / "rows.csv"
    data.write_text("a,b\n1,2\n")
    for text, operator in [
        ("CHECKPOINT", "TRANSACTION"),
        (f"COPY (MATCH (p:Person) RETURN p.name) TO '{target}'", "COPY_TO"),
        ("INSTALL json FROM 'http://127.0.0.1:9/'", "INSTALL_EXTENSION"),
        (f"LOAD FROM '{data}' RETURN *", "table function READ_CSV"),
        ("CALL threads = 1", "STANDALONE_CALL"),
        ("BEGIN TRANSACTION", "TRANSACTION"),
    ]:
        with pytest.raises(QueryError, match=f"{operator}.* is refused|{operator} is refused"):
            run_text(text, store)
    assert not target.exists() and _ladybug_files(store) == ["graph.lbug"]


def _someone(store: Path) -> tuple[str, str]:
    row = run_text("MATCH (p:Person) WHERE p.cik IS NOT NULL RETURN p.cik AS cik, p.name AS name "
                   "ORDER BY p.id LIMIT 1", store).iloc[0]
    return row["cik"], row["name"]


def test_reading_queries_and_the_catalogue_still_run(store: Path) -> None:
    cik, name = _someone(store)
    rows = run_text("MATCH (p:Person) WHERE p.name = 'SET COPY LOAD' OR p.cik = $cik "
                    "RETURN p.name AS name // CREATE in a comment", store, params={"cik": cik})
    assert list(rows["name"]) == [name]
    tables = run_text("CALL show_tables() RETURN name", store)
    assert "Person" in set(tables["name"])
    assert run_text("UNWIND [1, 2] AS x RETURN x;", store)["x"].tolist() == [1, 2]


# -- nothing reaches the network ---------------------------------------------------------

@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on 127.0.0.1 that records every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(f"{self.command} {self.path}")
            body = b'{"head": {"vars": []}, "results": {"bindings": []}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET  # noqa: N815 (the stdlib handler looks up this name)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_the_http_server_fixture_does_record_requests(http_server: tuple[str, list[str]]) -> None:
    import urllib.request

    url, hits = http_server
    urllib.request.urlopen(url + "/probe", timeout=10).read()
    assert hits == ["GET /probe"]


def test_install_from_a_url_sends_nothing(store: Path, http_server: tuple[str, list[str]]) -> None:
    url, hits = http_server
    for text in (f"INSTALL json FROM '{url}/'", f"LOAD FROM '{url}/x.csv' RETURN *"):
        line = _one_line(_cli("cypher", "--store", str(store), text))
        assert "is refused" in line
    assert hits == []


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "select * where { ?s ?p ?o . service silent <{url}/sparql> { ?s ?p ?x } } limit 1",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } } } }",
    "SELECT * WHERE { \\u0053ERVICE <{url}/sparql> { ?s ?p ?o } }",
])
def test_sparql_service_is_refused_and_sends_nothing(store: Path, http_server: tuple[str, list[str]],
                                                     text: str) -> None:
    url, hits = http_server
    line = _one_line(_cli("sparql", "--store", str(store), text.replace("{url}", url)))
    assert "SERVICE is refused" in line and WHY_SPARQL in line
    assert hits == []


@pytest.mark.parametrize("text, keyword", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("LOAD <{url}/data.ttl>", "LOAD"),
    ("CLEAR ALL", "CLEAR"),
    ("DROP GRAPH <urn:g>", "DROP"),
    ("CREATE GRAPH <urn:g>", "CREATE"),
])
def test_sparql_updates_are_refused(store: Path, http_server: tuple[str, list[str]], text: str,
                                    keyword: str) -> None:
    url, hits = http_server
    line = _one_line(_cli("sparql", "--store", str(store), text.replace("{url}", url)))
    assert f"{keyword} is refused" in line
    assert hits == []


def test_sparql_keywords_inside_strings_iris_and_comments_are_not_refused(store: Path) -> None:
    text = ('PREFIX ig: <https://w3id.org/insidergraph/ontology#> '
            'SELECT ?service ?cik WHERE { ?p ig:cik ?cik . BIND("SERVICE INSERT" AS ?service) } # DELETE')
    cik, _ = _someone(store)
    result = _cli("sparql", "--store", str(store), "--format", "csv", "--param", f"cik={cik}", text)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["service,cik", f"SERVICE INSERT,{cik}"]


# -- parameters ---------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["sparql", "cypher"])
@pytest.mark.parametrize("param", ["a b}=x", "1a=2", "x-y:int=3", ":int=3", "a$=1"])
def test_a_bad_parameter_name_gives_one_line(store: Path, command: str, param: str) -> None:
    text = "SELECT ?x WHERE {}" if command == "sparql" else "RETURN 1"
    line = _one_line(_cli(command, "--store", str(store), "--param", param, text))
    assert "is not a parameter name" in line and repr(param) in line


# -- CSV for spreadsheets ----------------------------------------------------------------

def test_csv_cells_that_a_spreadsheet_would_run_are_prefixed_and_numbers_stay(store: Path) -> None:
    import csv
    import io

    text = ("RETURN '=HYPERLINK(\"http://x\")' AS eq, '+1' AS plus, '-2+3' AS minus, '@SUM(A1)' AS at, "
            "'\tx' AS tab, '\rx' AS cr, -3 AS negative, -2.5 AS negative_float, ['=1', 'b'] AS list, "
            "'plain' AS plain, 'a=b' AS inner")
    result = _cli("cypher", "--store", str(store), "--format", "csv", text)
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert row == {"eq": "'=HYPERLINK(\"http://x\")", "plus": "'+1", "minus": "'-2+3", "at": "'@SUM(A1)",
                   "tab": "'\tx", "cr": "'\rx", "negative": "-3", "negative_float": "-2.5", "list": "'=1; b",
                   "plain": "plain", "inner": "a=b"}
    exact = json.loads(_cli("cypher", "--store", str(store), "--format", "json", text).stdout)[0]
    assert exact["eq"] == '=HYPERLINK("http://x")' and exact["negative"] == -3 and exact["list"] == ["=1", "b"]
    assert run_text(text, store).iloc[0]["minus"] == "-2+3"


# -- exports -----------------------------------------------------------------------------

def test_export_into_a_missing_folder_gives_one_line_and_leaves_nothing(store: Path, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "dir" / "x.html"
    line = _one_line(_cli("export", "--store", str(store), "--format", "html", "-o", str(target)))
    assert str(target) in line and "does not exist" in line
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("fmt, view", [("html", "people-issuers"), ("turtle", "full"), ("gexf", "interlocks")])
def test_export_says_what_it_wrote(store: Path, tmp_path: Path, fmt: str, view: str) -> None:
    target = tmp_path / f"out.{fmt}"
    result = _cli("export", "--store", str(store), "--format", fmt, "--view", view, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0 and not list(tmp_path.glob("*.partial"))
    if fmt == "turtle":
        counts = Store(store).tables().counts()
        nodes, edges = sum(counts["nodes"].values()), sum(counts["edges"].values())
        shown = "turtle"
    else:
        from insidergraph.graph.views import view_graph

        graph = view_graph(Store(store).tables(), view)
        nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
        shown = f"{fmt}, view {view}"
    assert result.stderr.splitlines() == [f"wrote {target} ({shown}): {nodes:,} nodes, {edges:,} edges"]


def _on_a_terminal(args: list[str]) -> tuple[int, bytes, str]:
    """Run the CLI with stdout on a pseudo-terminal; (status, what reached it, stderr)."""
    import pty

    main, secondary = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "insidergraph.cli", *args], stdout=secondary,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        os.close(secondary)
        seen = bytearray()
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal closed: the process is done with it
                break
            if not chunk:
                break
            seen += chunk
        _, err = proc.communicate(timeout=120)
    finally:
        os.close(main)
    return proc.returncode, bytes(seen), err.decode()


def test_export_refuses_an_html_page_to_a_terminal_and_says_to_use_o(store: Path) -> None:
    status, seen, err = _on_a_terminal(["export", "--store", str(store), "--format", "html"])
    assert status == 1 and b"<html" not in seen.lower() and len(seen) == 0
    assert err.strip().splitlines() == ["Error: an HTML page is not for a terminal: write it to a file with "
                                        "-o FILE (or pipe it)"]


def test_a_small_export_still_goes_to_a_terminal(store: Path) -> None:
    status, seen, err = _on_a_terminal(["export", "--store", str(store), "--format", "gexf", "--view", "interlocks"])
    assert status == 0 and b"<gexf" in seen
    assert err.strip().startswith("wrote stdout (gexf, view interlocks): ")


def test_a_huge_export_is_refused_to_a_terminal(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    import insidergraph.cli as cli_module

    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(cli_module, "_TERMINAL_BYTES", 1000)
    out = Terminal(io.BytesIO(), encoding="utf-8")
    monkeypatch.setattr(cli_module.sys, "stdout", out)
    with pytest.raises(Exception) as err:
        cli_module._export_stdout(Store(store).tables(), "turtle", "full")
    assert "too much for a terminal: write it to a file with -o FILE" in str(err.value)
    assert out.buffer.getvalue() == b""  # type: ignore[attr-defined]


# -- stores that are not there -------------------------------------------------------------

def test_build_of_nothing_readable_writes_no_store_and_a_query_says_so(tmp_path: Path) -> None:
    target = tmp_path / "S"
    result = _cli("build", str(tmp_path / "nonexistent"), "--store", str(target))
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if line] == [
        f"{tmp_path / 'nonexistent'}: cannot read: No such file or directory"]
    assert not target.exists()
    for args in (("query", "shared-directors"), ("cypher", "RETURN 1"), ("sparql", "SELECT * {}")):
        line = _one_line(_cli(*args, "--store", str(target)))
        assert "no insidergraph store here" in line and str(target) in line


def test_a_query_on_a_store_without_filings_says_so(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    Store(target).add([], engines=store_engines())  # what a build of nothing left before
    for args in (("query", "shared-directors"), ("query", "interlocks", "--engine", "networkx"),
                 ("cypher", "MATCH (p:Person) RETURN p")):
        line = _one_line(_cli(*args, "--store", str(target)))
        assert "holds no filings" in line and str(target) in line
