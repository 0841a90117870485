"""Headless Chromium for the page tests and the screenshot script: find it, load a page and
read its DOM after its scripts ran."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import lxml.html
import pytest

#: Flags that keep a headless run quiet and self-contained (no network of its own, no profile reuse).
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
)


def find_chromium() -> str:
    """Path of Chromium; fails in CI when it is missing, skips elsewhere."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        message = "chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def url_of(page: Path, **fragment: str) -> str:
    """The page's file URL with ``fragment`` as its deep link (search, select, asof, debug)."""
    return page.as_uri() + ("#" + urlencode(fragment) if fragment else "")


def render(chromium: str, page: Path, profile: Path, size: str = "1200,800", **fragment: str) -> lxml.html.HtmlElement:
    """The DOM of ``page`` after its scripts ran in headless Chromium (a fresh ``profile``)."""
    cmd = [chromium, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size}",
           "--virtual-time-budget=10000", "--dump-dom", url_of(page, **fragment)]
    done = subprocess.run(cmd, capture_output=True, timeout=180, check=True)
    return lxml.html.fromstring(done.stdout)


def state(dom: lxml.html.HtmlElement) -> dict[str, Any]:
    """What a page opened with ``debug`` in its link wrote of its state: node positions, the
    visible edges, the matched nodes and the date."""
    found: dict[str, Any] = json.loads(dom.get_element_by_id("debug").text_content())
    return found
