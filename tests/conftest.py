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
