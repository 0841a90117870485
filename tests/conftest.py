"""Shared fixtures: the real-filing corpus beside the repository.

In CI (``CI`` set) a missing ``../shared`` is a failure, never a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """Path of ``../shared``; fails in CI when it is missing, skips elsewhere."""
    if not (SHARED / "corpus").is_dir():
        message = f"{SHARED} is missing: the corpus tests need ../shared beside the repository"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED


@pytest.fixture(scope="session")
def corpus(shared: Path) -> Path:
    """Path of ``../shared/corpus``."""
    return shared / "corpus"


@pytest.fixture(scope="session")
def neo4j_env() -> dict[str, str]:
    """Connection settings of the real Neo4j that ``scripts/test`` starts.

    In CI a missing server is a failure, never a skip.
    """
    env = {k: os.environ[k] for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD") if k in os.environ}
    if "NEO4J_URI" not in env:
        message = "NEO4J_URI is not set: start a server with scripts/neo4j-dev-server (scripts/test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    env.setdefault("NEO4J_USER", "neo4j")
    env.setdefault("NEO4J_PASSWORD", "")
    if "NEO4J_IMPORT_DIR" in os.environ:
        env["NEO4J_IMPORT_DIR"] = os.environ["NEO4J_IMPORT_DIR"]
    return env
