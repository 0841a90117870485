"""The Neo4j the loader talks to: reachable, authenticated, and able to do what loading needs.

Runs against the server named by ``NEO4J_URI``/``NEO4J_USER``/``NEO4J_PASSWORD``,
which ``.ci/run`` starts with ``scripts/neo4j-dev-server``. Without ``NEO4J_URI``
these tests fail in CI (``CI`` set) and skip elsewhere::

    eval "$(scripts/neo4j-dev-server start --dir /tmp/neo4j-dev --export)"
    pytest -m neo4j tests/test_neo4j_server.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import neo4j
import pytest

pytestmark = pytest.mark.neo4j

REPO = Path(__file__).resolve().parents[1]
DEV_SERVER = REPO / "scripts" / "neo4j-dev-server"


def _missing(message: str) -> NoReturn:
    """Fail in CI, where Neo4j must always be there; skip on a developer's machine."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    user: str
    password: str


@pytest.fixture(scope="module")
def settings() -> Neo4jSettings:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        _missing("NEO4J_URI is unset: start a server with scripts/neo4j-dev-server start --dir DIR")
    return Neo4jSettings(
        uri=uri, user=os.environ.get("NEO4J_USER", "neo4j"), password=os.environ.get("NEO4J_PASSWORD", "")
    )


@pytest.fixture(scope="module")
def driver(settings: Neo4jSettings) -> Iterator[neo4j.Driver]:
    with neo4j.GraphDatabase.driver(settings.uri, auth=(settings.user, settings.password)) as drv:
        yield drv


@pytest.fixture
def label(driver: neo4j.Driver) -> Iterator[str]:
    """A label no other test uses, with its nodes and constraints removed afterwards."""
    name = f"IgServerProbe{uuid.uuid4().hex[:12]}"
    yield name
    driver.execute_query(f"MATCH (n:`{name}`) DETACH DELETE n")
    records, _, _ = driver.execute_query(
        "SHOW CONSTRAINTS YIELD name, labelsOrTypes WHERE $label IN labelsOrTypes RETURN name", label=name
    )
    for record in records:
        driver.execute_query(f"DROP CONSTRAINT `{record['name']}`")


def test_server_answers_a_parameterised_query_with_the_given_credentials(driver: neo4j.Driver) -> None:
    records, _, _ = driver.execute_query("RETURN $a * $b AS product", a=6, b=7)
    assert records[0]["product"] == 42
    info = driver.get_server_info()
    assert info.agent.startswith("Neo4j/5."), info.agent


def test_wrong_password_is_refused(settings: Neo4jSettings) -> None:
    with neo4j.GraphDatabase.driver(settings.uri, auth=(settings.user, settings.password + "-wrong")) as bad, \
            pytest.raises(neo4j.exceptions.AuthError):
        bad.verify_connectivity()


def test_default_database_is_neo4j(driver: neo4j.Driver) -> None:
    records, _, _ = driver.execute_query(
        "SHOW DEFAULT DATABASE YIELD name", database_="system"
    )
    assert [r["name"] for r in records] == ["neo4j"]


def test_unwind_merge_on_a_unique_key_is_idempotent_and_the_constraint_holds(
    driver: neo4j.Driver, label: str
) -> None:
    driver.execute_query(
        f"CREATE CONSTRAINT `{label}_id` IF NOT EXISTS FOR (n:`{label}`) REQUIRE n.id IS UNIQUE"
    )
    rows = [{"id": f"cik-{i}", "name": f"Owner {i}"} for i in range(50)]
    merge = f"UNWIND $rows AS row MERGE (n:`{label}` {{id: row.id}}) SET n.name = row.name"
    first = driver.execute_query(merge, rows=rows).summary.counters
    second = driver.execute_query(merge, rows=rows).summary.counters
    assert (first.nodes_created, second.nodes_created) == (50, 0)
    records, _, _ = driver.execute_query(f"MATCH (n:`{label}`) RETURN count(n) AS c")
    assert records[0]["c"] == 50
    with pytest.raises(neo4j.exceptions.ConstraintError):
        driver.execute_query(f"CREATE (:`{label}` {{id: 'cik-0'}})")


def test_load_csv_reads_a_file_copied_into_the_import_directory(driver: neo4j.Driver, label: str) -> None:
    import_dir = os.environ.get("NEO4J_IMPORT_DIR")
    if not import_dir:
        _missing("NEO4J_IMPORT_DIR is unset: scripts/neo4j-dev-server start prints it")
    name = f"{label}.csv"
    target = Path(import_dir) / name
    target.write_text("id,shares\nA,100.5\nB,7\nA,2\n", encoding="utf-8")
    try:
        driver.execute_query(
            f"LOAD CSV WITH HEADERS FROM $url AS row "
            f"MERGE (n:`{label}` {{id: row.id}}) "
            f"SET n.shares = coalesce(n.shares, 0) + toFloat(row.shares)",
            url=f"file:///{name}",
        )
    finally:
        target.unlink()
    records, _, _ = driver.execute_query(
        f"MATCH (n:`{label}`) RETURN n.id AS id, n.shares AS shares ORDER BY id"
    )
    assert [(r["id"], r["shares"]) for r in records] == [("A", 102.5), ("B", 7.0)]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DEV_SERVER), *args], capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, check=False
    )


def test_dev_server_lifecycle_start_refuse_second_start_stop(tmp_path: Path) -> None:
    """Start, a second start in the same DIR is refused, stop, and stop again is harmless."""
    built = (REPO / "scripts" / "neo4j-dev-server-java" / "target" / "neo4j-dev-server.stamp").is_file()
    if not os.environ.get("CI") and not built:
        pytest.skip("launcher not built yet: run scripts/neo4j-dev-server start once (needs Maven)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _missing("java is not installed")
    directory = tmp_path / "server"
    started = _run("start", "--dir", str(directory))
    try:
        assert started.returncode == 0, started.stderr
        env = dict(line.split("=", 1) for line in started.stdout.splitlines())
        assert set(env) == {"NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_IMPORT_DIR"}
        assert env["NEO4J_URI"].startswith("bolt://127.0.0.1:")
        with neo4j.GraphDatabase.driver(env["NEO4J_URI"], auth=(env["NEO4J_USER"], env["NEO4J_PASSWORD"])) as drv:
            assert drv.execute_query("RETURN 1 AS one").records[0]["one"] == 1

        again = _run("start", "--dir", str(directory))
        assert again.returncode == 1
        assert "already running" in again.stderr
        assert again.stdout == ""
    finally:
        stopped = _run("stop", "--dir", str(directory))
    assert stopped.returncode == 0, stopped.stderr
    assert "stopped pid" in stopped.stderr
    assert not (directory / "neo4j.pid").exists()
    with neo4j.GraphDatabase.driver(env["NEO4J_URI"], auth=(env["NEO4J_USER"], env["NEO4J_PASSWORD"])) as drv, \
            pytest.raises(neo4j.exceptions.ServiceUnavailable):
        drv.verify_connectivity()
    second_stop = _run("stop", "--dir", str(directory))
    assert second_stop.returncode == 0
    assert "no server running" in second_stop.stderr
