"""Neo4j when things go wrong: a killed loader, a server that dies mid-load, a URI of the
wrong protocol, a text of several statements. Each gives one line, and nothing waits long."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import neo4j_db
import pytest
from click.testing import CliRunner, Result

from insidergraph.backends import store_engines
from insidergraph.backends.neo4j.load import (
    MARKER_LABEL,
    Neo4jConfig,
    connect,
    counts,
    load,
)
from insidergraph.cli import cli
from insidergraph.errors import Neo4jError
from insidergraph.graph.store import Store
from insidergraph.loaders.xml import parse

ROOT = Path(__file__).resolve().parents[1]
DEV_SERVER = ROOT / "scripts" / "neo4j-dev-server"


@pytest.fixture(scope="module")
def store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    s = Store(tmp_path_factory.mktemp("neo4j-faults") / "store")
    s.add((parse(p) for p in sorted((corpus / "xml").glob("*.xml"))[:120]), engines=store_engines())
    return s


@pytest.fixture
def empty(neo4j_env: dict[str, str]) -> Iterator[Neo4jConfig]:
    cfg = neo4j_db.config(neo4j_env)
    neo4j_db.clear(cfg)
    yield cfg


def _cypher(cfg: Neo4jConfig, query: str) -> list[dict[str, object]]:
    driver = connect(cfg)
    try:
        return [r.data() for r in driver.execute_query(query, database_=cfg.database).records]
    finally:
        driver.close()


def _one_error_line(result: Result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 1, result.output
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


_KILLED_LOAD = """
import os, signal, sys
from insidergraph.backends.neo4j.load import Neo4jConfig, load
from insidergraph.graph.store import Store

def hook(kind, name, index):
    if kind == "edges" and index == 1:
        os.kill(os.getpid(), signal.SIGKILL)  # as `kill -9` would: no cleanup runs

load(Store(sys.argv[1]).tables(), Neo4jConfig.from_env(), batch_size=50, on_batch=hook, workers=1)
"""


@pytest.mark.neo4j
def test_a_rerun_after_the_loader_was_killed_is_not_refused(empty: Neo4jConfig, store: Store,
                                                            neo4j_env: dict[str, str]) -> None:
    env = dict(os.environ, **{k: v for k, v in neo4j_env.items() if k.startswith("NEO4J_")})
    killed = subprocess.run([sys.executable, "-c", _KILLED_LOAD, str(store.path)], env=env, timeout=300, check=False)
    assert killed.returncode == -signal.SIGKILL
    claims = _cypher(empty, f"MATCH (m:{MARKER_LABEL} {{state: 'loading'}}) RETURN m.pid AS pid, m.host AS host")
    assert claims and all(c["pid"] for c in claims)  # the dead loader's claims are still there
    summary = load(store.tables(), empty)  # at once: their owner process is gone
    assert "diff" in summary.paths.values()
    assert counts(empty) == store.tables().counts()


@pytest.mark.neo4j
def test_a_live_claim_on_another_host_says_when_it_counts_as_abandoned(empty: Neo4jConfig, store: Store) -> None:
    _cypher(empty, f"CREATE (:{MARKER_LABEL} {{key: 'nodes/Person', state: 'loading', run: 'other', "
                   "host: 'elsewhere.invalid', pid: 4242, seen: datetime().epochSeconds - 20})")
    with pytest.raises(Neo4jError) as err:
        load(store.tables(), empty)
    message = str(err.value)
    assert "process 4242 on elsewhere.invalid" in message
    seconds = int(message.split(", or in ")[1].split(" s,")[0])
    assert 95 <= seconds <= 100 and "counts as abandoned" in message


@pytest.mark.neo4j
def test_a_server_that_dies_mid_load_is_reported_as_gone(store: Store, tmp_path: Path,
                                                        neo4j_env: dict[str, str]) -> None:
    # A throw-away server of our own, killed while the load writes its nodes.
    directory = tmp_path / "doomed-neo4j"
    started = subprocess.run([str(DEV_SERVER), "start", "--dir", str(directory)], capture_output=True, text=True,
                             timeout=300, stdin=subprocess.DEVNULL, check=False)
    assert started.returncode == 0, started.stderr
    try:
        settings = dict(line.split("=", 1) for line in started.stdout.split())
        cfg = neo4j_db.config(settings)
        pid = int((directory / "neo4j.pid").read_text())

        def kill_server(kind: str, name: str, index: int) -> None:
            if kind == "nodes" and index == 1:
                os.kill(pid, signal.SIGKILL)

        with pytest.raises(Neo4jError, match=r"Neo4j server at .* went away during the load .*run the load again"):
            load(store.tables(), cfg, batch_size=20, on_batch=kill_server, workers=2)
    finally:
        subprocess.run([str(DEV_SERVER), "stop", "--dir", str(directory)],
                       capture_output=True, timeout=120, check=False)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.parametrize("uri", ["http://127.0.0.1:7474", "https://example.invalid", "localhost:7687"])
@pytest.mark.parametrize("command", [["neo4j", "load"], ["query", "interlocks", "--engine", "neo4j"],
                                     ["cypher", "--engine", "neo4j", "RETURN 1"]])
def test_a_uri_that_is_not_bolt_gives_one_line(store: Store, uri: str, command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--store", str(store.path)], env={"NEO4J_URI": uri})
    line = _one_error_line(result)
    assert f"bad Neo4j URI {uri!r}" in line and "bolt://" in line and "neo4j://" in line


@pytest.mark.neo4j
def test_several_statements_on_neo4j_are_named_as_such(neo4j_env: dict[str, str], store: Store) -> None:
    env = {k: v for k, v in neo4j_env.items() if k.startswith("NEO4J_")}
    for text in ("RETURN 1; RETURN 2", "MATCH (n) RETURN count(n);\nMATCH (m) RETURN m"):
        result = CliRunner().invoke(cli, ["cypher", "--engine", "neo4j", "--store", str(store.path), text], env=env)
        assert "one Cypher statement at a time" in _one_error_line(result)
    # A syntax error is the server's first line, not its caret diagram.
    result = CliRunner().invoke(cli, ["cypher", "--engine", "neo4j", "--store", str(store.path), "RETURN 1 RETURN 2"],
                                env=env)
    line = _one_error_line(result)
    assert "RETURN" in line and line.strip() != "Error: ^"
    ok = CliRunner().invoke(cli, ["cypher", "--engine", "neo4j", "--store", str(store.path), "--format", "csv",
                                  "RETURN 1 AS one;"], env=env)
    assert ok.exit_code == 0 and ok.stdout.splitlines() == ["one", "1"]
