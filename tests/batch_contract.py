"""The contract every batch command keeps on bad input, as test helpers.

Run ``insidergraph parse`` or ``build`` in-process (click's CliRunner, stdout and stderr
apart) and check: no traceback, exit status 1 when a file failed, exactly one stderr line
per bad file naming it, and every good file's filing still out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from insidergraph.cli import cli

_SUMMARY = re.compile(r"filings read (\d+), added (\d+), failed (\d+)")


@dataclass
class Run:
    """What one command did."""

    code: int
    stdout: str
    stderr: str

    @property
    def errors(self) -> list[str]:
        return self.stderr.splitlines()

    def records(self) -> list[dict[str, Any]]:
        """The JSON lines of a ``parse`` run (every one must be valid JSON)."""
        return [json.loads(line, parse_float=Decimal) for line in self.stdout.splitlines()]

    def summary(self) -> tuple[int, int, int]:
        """``(read, added, failed)`` of a ``build`` run."""
        m = _SUMMARY.search(self.stdout)
        assert m, self.stdout
        return int(m.group(1)), int(m.group(2)), int(m.group(3))


def invoke(*args: str) -> Run:
    """``insidergraph ARGS`` in-process; any exception but SystemExit fails the test."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"insidergraph {' '.join(args)[:200]} raised") from result.exception
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    return Run(result.exit_code, result.stdout, result.stderr)


def error_line(run: Run, path: Path | str, *needles: str, line: int | None = None) -> str:
    """The one stderr line about ``path``; it must hold each of ``needles`` (and ``line``)."""
    prefix = f"{path}:" if line is None else f"{path}:{line}:"
    mine = [e for e in run.errors if e.startswith(f"{path}:")]
    assert len(mine) == 1, (path, run.errors)
    assert mine[0].startswith(prefix), (prefix, mine[0])
    for needle in needles:
        assert needle in mine[0], (needle, mine[0])
    assert "internal error" not in mine[0], mine[0]
    return mine[0]


def parsed_paths(run: Run) -> list[str]:
    """The source path of every filing a ``parse`` run printed, in order."""
    return [r["source"]["path"] for r in run.records()]


def check_parse(folder: Path, bad: dict[Path, tuple[str, ...]], good: list[Path]) -> Run:
    """``parse FOLDER``: one line per bad file holding its needles, every good file out, exit 1."""
    run = invoke("parse", "--format", "jsonl", str(folder))
    assert run.code == (1 if bad else 0), run.errors
    assert len(run.errors) == len(bad), run.errors
    for path, needles in bad.items():
        error_line(run, path, *needles)
    out = parsed_paths(run)
    for path in good:
        assert str(path) in out, (path, run.errors)
    return run


def check_build(folder: Path, store: Path, bad: dict[Path, tuple[str, ...]], good: list[Path],
                sparql: str = "none") -> Run:
    """``build FOLDER --store STORE``: the same lines as ``parse``, the good files added, exit 1.

    ``sparql`` is the store's ``--sparql`` (none by default: the SPARQL load costs most of
    a small build and reads the same tables).
    """
    run = invoke("build", str(folder), "--store", str(store), "--no-progress", "--sparql", sparql)
    assert run.code == (1 if bad else 0), run.errors
    assert len(run.errors) == len(bad), run.errors
    for path, needles in bad.items():
        error_line(run, path, *needles)
    read, added, failed = run.summary()
    assert failed == len(bad) and read == len(good) and added == len(good), run.stdout
    return run
