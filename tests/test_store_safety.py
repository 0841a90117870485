"""A build killed at any moment, a full disk, two builds at once and damaged files: the
store is always exactly the before or the after state, and damage gets one line."""

from __future__ import annotations

import errno
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from insidergraph.backends import close_all, store_engines
from insidergraph.cli import cli
from insidergraph.errors import StoreError
from insidergraph.graph.store import Store
from insidergraph.queries import run

BUILD = [sys.executable, "-c", "from insidergraph.cli import main; main()", "build", "--no-progress"]


@pytest.fixture(scope="module")
def xml(corpus: Path) -> list[str]:
    return sorted(str(p) for p in (corpus / "xml").glob("*.xml"))


def _state(path: Path) -> tuple[Any, ...]:
    """What a store holds: its filings' and graph tables' checksums, checked to open."""
    store = Store(path)
    manifest = store.manifest()
    store.tables()
    close_all()
    rows = [run("shared-directors", store, engine=engine).values.tolist() for engine in ("cypher", "sparql")]
    close_all()
    digests = {k: v.get("sha256") for k, v in manifest["files"].items() if k.startswith(("filings/", "graph/"))}
    return manifest["filings"], tuple(sorted(digests.items())), repr(rows)


def _build(path: Path, files: list[str], *extra: str) -> None:
    result = CliRunner().invoke(cli, ["build", "--no-progress", "--store", str(path), *extra, *files])
    assert result.exit_code == 0, result.output


def test_a_build_killed_at_any_moment_leaves_the_before_or_the_after_state(xml: list[str], tmp_path: Path) -> None:
    # A small addition, so that the engines are updated in place (a copy of the previous
    # generation's files), the path every daily build takes.
    first, more = xml[:60], xml[60:80]
    path, after_path = tmp_path / "s", tmp_path / "after"
    _build(path, first)
    shutil.copytree(path, after_path)
    start = time.monotonic()
    _build(after_path, more)
    took = time.monotonic() - start
    before, after = _state(path), _state(after_path)
    assert before != after
    assert Store(after_path).manifest()["engines"]["written"] == {"cypher": "updated", "sparql": "updated"}
    rng = random.Random(11)
    seen = {"before": 0, "after": 0}
    for _ in range(20):
        proc = subprocess.Popen([*BUILD, "--store", str(path), *more], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, took * 1.5 + 0.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        state = _state(path)
        assert state in (before, after)
        seen["before" if state == before else "after"] += 1
        if state == after:  # start again from the before state for the next kill
            shutil.rmtree(path)
            _build(path, first)
    assert seen["before"] > 0
    _build(path, more)
    assert _state(path) == after
    assert [p.name for p in path.iterdir() if p.name.startswith(("gen-", "trash-"))] == [
        Store(path).generation_dir.name]


def test_a_full_disk_leaves_the_store_unchanged(xml: list[str], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow.parquet as pq

    import insidergraph.graph.store_files as sf

    path = tmp_path / "s"
    _build(path, xml[:20])
    before = _state(path)

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    # Parquet's writer, where the filings' chunks and the graph tables are written (the
    # store imports it inside the methods that write, so it is patched on its own module).
    points = [(pq, "write_table"), (sf, "switch"), (sf, "fsync_tree"), (sf, "link_tree")]
    for module, name in points:
        with monkeypatch.context() as m:
            m.setattr(module, name, full)
            with pytest.raises(StoreError, match="No space left on device") as err:
                Store(path).add((__import__("insidergraph.loaders.detect", fromlist=["x"]).parse_path(xml[25])
                                 for _ in [0]), engines=store_engines())
            assert "unchanged" in str(err.value) and len(str(err.value).splitlines()) == 1
        assert _state(path) == before, name
    _build(path, xml[20:30])
    assert _state(path) != before


def test_two_builds_at_once_end_as_one_build_of_both(xml: list[str], tmp_path: Path) -> None:
    path, ref = tmp_path / "s", tmp_path / "ref"
    _build(path, xml[:10])
    a, b = xml[10:40], xml[40:70]
    procs = [subprocess.Popen([*BUILD, "--store", str(path), *part], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for part in (a, b)]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    _build(ref, xml[:10])
    _build(ref, a + b)
    assert _state(path)[0] == _state(ref)[0] == 70
    assert [d for d in _state(path)[1] if d[0].startswith("graph/")] == [
        d for d in _state(ref)[1] if d[0].startswith("graph/")]


def test_a_second_writer_that_will_not_wait_stops_with_one_line(xml: list[str], tmp_path: Path) -> None:
    from insidergraph.graph import store_files as sf

    path = tmp_path / "s"
    _build(path, xml[:5])
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from insidergraph.graph.store_files import WriteLock; from pathlib import Path\n"
        f"with WriteLock(Path({str(path)!r})):\n print('held', flush=True); time.sleep(30)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreError, match=rf"PID {holder.pid}\b") as err:
            Store(path, lock_timeout=0.2).add([], engines=store_engines())
        assert len(str(err.value).splitlines()) == 1
    finally:
        holder.kill()
        holder.wait()
    with sf.WriteLock(path, timeout=5):  # released by the OS when the holder died
        pass


def _damage(path: Path, kind: str) -> None:
    if kind == "deleted":
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    else:
        data = path.read_bytes()
        path.write_bytes(bytes(random.Random(3).randrange(256) for _ in range(len(data))))  # same size


TARGETS = ["manifest.json", "filings/000000/filings.parquet", "graph/edges/DIRECTOR_OF.parquet",
           "graph/nodes/Person.parquet", "engines/ladybug/graph.lbug", "engines/oxigraph", "../CURRENT"]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("kind", ["garbage", "empty", "truncated", "deleted"])
def test_damage_gets_one_line_naming_the_store_and_no_answer(xml: list[str], tmp_path: Path,
                                                             target: str, kind: str) -> None:
    path = tmp_path / "s"
    _build(path, xml[:15])
    close_all()
    victim = Store(path).generation_dir / target
    if victim.is_dir() and kind != "deleted":
        victim = sorted(p for p in victim.iterdir() if p.suffix == ".sst")[0]
    if kind == "garbage" and target.startswith("engines"):
        kind = "truncated"  # engine files are checked by size; their bytes by the engines
    _damage(victim, kind)
    runner = CliRunner()
    # Same-size garbage is found by the checksums, which the commands reading those files
    # check (the Cypher and SPARQL answers come from the engines' own, intact files).
    checksum_only = kind == "garbage" and target.startswith(("filings", "graph"))
    engines = ["networkx"] if checksum_only else ["cypher", "sparql", "networkx"]
    if checksum_only and target.startswith("filings"):
        engines = []
    result = runner.invoke(cli, ["build", "--no-progress", "--store", str(path), *xml[15:17]])
    if not target.startswith(("graph", "engines")):  # damaged outputs are rebuilt from the filings
        lines = result.stderr.strip().splitlines()
        assert result.exit_code == 1 and len(lines) == 1 and str(path) in lines[0], result.output
        assert "damaged" in lines[0] or "generation" in lines[0], lines[0]
    else:
        assert result.exit_code == 0, result.output
        assert run("shared-directors", Store(path)).shape[0] > 0
        return
    for engine in engines:
        result = runner.invoke(cli, ["query", "shared-directors", "--store", str(path), "--engine", engine])
        lines = result.stderr.strip().splitlines()
        assert result.exit_code == 1 and len(lines) == 1, (engine, result.output)
        assert str(path) in lines[0] and ("build" in lines[0]), lines[0]
        close_all()
    if not engines:
        return
    result = runner.invoke(cli, ["export", "--store", str(path), "--format", "turtle", "-o", str(tmp_path / "x.ttl")])
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1


def test_a_failed_graph_build_leaves_the_store_untouched_and_later_builds_work(
        xml: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from insidergraph.graph.tables import GraphTables
    from insidergraph.loaders.detect import parse_path

    path = tmp_path / "s"
    _build(path, xml[:10])
    before = _state(path)
    f = parse_path(xml[12])
    crafted = replace(f, accession="0000000000-26-999999",
                      reporting_owners=(replace(f.reporting_owners[0], cik="0000000001|x"),))
    real = GraphTables.to_arrow

    def colliding(self: GraphTables, kind: str, name: str) -> Any:
        table = real(self, kind, name)
        if (kind, name) == ("edges", "FILED") and table.num_rows > 1:  # as a colliding id would
            ids = table.column("id").to_pylist()
            table = table.set_column(0, "id", __import__("pyarrow").array(
                [ids[0] + "0000000001|x" if i == 0 else ids[0] + "0000000001|x" if i == 1 else v
                 for i, v in enumerate(ids)]))
        return table

    monkeypatch.setattr(GraphTables, "to_arrow", colliding)
    with pytest.raises(StoreError) as err:
        Store(path).add([crafted], engines=store_engines())
    line = str(err.value)
    assert line.startswith("filing 0000000000-26-999999:") and "unchanged" in line and "\n" not in line
    monkeypatch.undo()
    assert _state(path) == before
    _build(path, xml[10:20])
    assert _state(path)[0] == 20
