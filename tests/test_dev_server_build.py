"""scripts/neo4j-dev-server builds its launcher with Maven without colour codes in the log."""

from __future__ import annotations

import os
import shutil
import types
from importlib.machinery import SourceFileLoader
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "neo4j-dev-server"


def _script() -> Any:
    module = types.ModuleType("neo4j_dev_server")
    module.__file__ = str(SCRIPT)
    SourceFileLoader("neo4j_dev_server", str(SCRIPT)).exec_module(module)
    return module


def test_the_launcher_build_writes_no_escape_codes(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    if shutil.which("mvn") is None:
        message = "mvn is not on PATH (scripts/neo4j-dev-server needs Maven)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = _script()
    # A copy of the launcher's sources, so the real build cache is left alone; ~/.m2 is shared.
    project = tmp_path / "neo4j-dev-server-java"
    shutil.copytree(server.JAVA_PROJECT, project, ignore=shutil.ignore_patterns("target"))
    server.JAVA_PROJECT, server.TARGET = project, project / "target"
    server.STAMP = server.TARGET / "neo4j-dev-server.stamp"
    server.ensure_built()
    out, err = capfd.readouterr()
    assert (server.TARGET / "lib").is_dir() and server.STAMP.is_file()
    assert "built in" in err
    assert "\x1b" not in out + err, repr(err)
