"""Headless Chromium for the page tests and the screenshot script: find it, load a page and
read its DOM after its scripts ran."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import time
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


def _onto_3_and_4(read_end: int, write_end: int) -> None:
    """In the child: the pipe ends as fds 3 and 4, copied above 9 first so that neither
    overwrites the other when one of them already is 3 or 4."""
    high_read, high_write = fcntl.fcntl(read_end, fcntl.F_DUPFD, 10), fcntl.fcntl(write_end, fcntl.F_DUPFD, 10)
    os.dup2(high_read, 3)
    os.dup2(high_write, 4)


class DevTools:
    """Chromium driven over ``--remote-debugging-pipe`` (JSON messages ended by NUL on file
    descriptors 3 and 4): no port, no websocket library."""

    def __init__(self, chromium: str, profile: str, size: str) -> None:
        ours_in, theirs_out = os.pipe()  # Chromium writes replies to its fd 4
        theirs_in, ours_out = os.pipe()  # and reads commands from its fd 3
        self.process = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size}", "--remote-debugging-pipe",
             "about:blank"],
            pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=lambda: _onto_3_and_4(theirs_in, theirs_out),
        )
        os.close(theirs_in)
        os.close(theirs_out)
        self.reader, self.writer = os.fdopen(ours_in, "rb"), os.fdopen(ours_out, "wb")
        self.next_id = 0
        self.buffer = b""
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t["targetId"] for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page, flatten=True)["sessionId"]

    def call(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its reply (events in between are dropped)."""
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self.writer.write(json.dumps(message).encode() + b"\0")
        self.writer.flush()
        while True:
            while b"\0" not in self.buffer:
                chunk = self.reader.read1(1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed the pipe")
                self.buffer += chunk
            raw, _, self.buffer = self.buffer.partition(b"\0")
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def evaluate(self, expression: str) -> Any:
        reply = self.call("Runtime.evaluate", session=True, expression=expression, awaitPromise=True,
                          returnByValue=True)
        return reply["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30.0) -> Any:
        """The value of ``expression`` once it is truthy, polled every 50 ms."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.05)

    def click(self, x: float, y: float) -> None:
        """A left click at viewport point (x, y), as a mouse would make it."""
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", session=True, type=kind, x=x, y=y, button="left", clickCount=1)

    def type(self, text: str) -> None:
        """Type ``text`` into the focused element, as a keyboard would."""
        self.call("Input.insertText", session=True, text=text)

    def open(self, url: str, width: int, height: int) -> None:
        """Load ``url`` in a ``width`` x ``height`` viewport and wait until its page has painted."""
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        self.call("Page.enable", session=True)
        self.call("Page.navigate", session=True, url=url)
        self.evaluate(PAINTED)

    def close(self) -> None:
        """Ask the browser to quit (so its helper processes let go of the profile), and wait."""
        with contextlib.suppress(RuntimeError, OSError):  # already gone: the pipe closed with it
            self.call("Browser.close")
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.reader.close()
        self.writer.close()



#: Resolves once the page says its canvas painted, and two animation frames later.
PAINTED = """new Promise(function (done) {
  (function wait() {
    var s = document.getElementById("status");
    if (s && s.dataset.rendered === "true") requestAnimationFrame(function () { requestAnimationFrame(done); });
    else setTimeout(wait, 50);
  })();
}).then(function () { return true; })"""
