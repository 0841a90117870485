"""Parsing on several processes gives exactly what one process gives, errors included."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from insidergraph.cli import cli
from insidergraph.errors import InsiderGraphError, ParseError
from insidergraph.loaders.detect import iter_paths
from insidergraph.loaders.parallel import parse_many

BAD = Path(__file__).parent / "fixtures" / "bad"


def _mixed(corpus: Path) -> list[str]:
    # Bad files spread between good ones, so that each lands in a different worker chunk.
    good = list(iter_paths([corpus / "xml", corpus / "txt"]))
    bad = sorted(str(p) for p in BAD.iterdir())
    out = list(good)
    for i, b in enumerate(bad):
        out.insert(37 + i * 101, b)
    return out


def test_workers_give_the_same_outcomes_in_the_same_order(corpus: Path) -> None:
    paths = _mixed(corpus)
    serial = list(parse_many(paths, jobs=1))
    parallel = list(parse_many(paths, jobs=2))
    assert [p for p, _ in parallel] == paths
    assert len(serial) == len(parallel) > 600
    errors = 0
    for (_, a), (_, b) in zip(serial, parallel):
        if isinstance(a, InsiderGraphError):
            errors += 1
            # Errors cross the process boundary with their type, path and line intact.
            assert type(a) is type(b) and str(a) == str(b)
            assert isinstance(b, ParseError) and b.path and b.line is not None
        else:
            assert a == b
    assert errors == len(list(BAD.iterdir()))


def test_parse_cli_output_does_not_depend_on_jobs(corpus: Path) -> None:
    paths = _mixed(corpus)
    runs = [CliRunner().invoke(cli, ["parse", "--jobs", j, *paths]) for j in ("1", "2")]
    assert runs[0].exit_code == runs[1].exit_code == 1
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout.count("\n") == len(paths) - len(list(BAD.iterdir()))
    assert runs[0].stderr == runs[1].stderr and runs[0].stderr.count("\n") == len(list(BAD.iterdir()))


def test_build_does_not_depend_on_jobs(corpus: Path, tmp_path: Path) -> None:
    paths = [str(corpus / "xml"), str(BAD / "truncated.xml")]
    summaries = []
    for j in ("1", "2"):
        result = CliRunner().invoke(cli, ["build", "--jobs", j, "--no-progress", "--store", str(tmp_path / j), *paths])
        assert result.exit_code == 1 and "truncated.xml:14:" in result.stderr
        summaries.append(result.stdout)
    assert summaries[0] == summaries[1] and "failed 1" in summaries[0]
    tables = sorted(p.relative_to(tmp_path / "1") for p in (tmp_path / "1" / "graph").rglob("*.parquet"))
    assert len(tables) > 20
    for rel in tables:
        assert pq.read_table(tmp_path / "1" / rel).equals(pq.read_table(tmp_path / "2" / rel)), rel
