"""A real HTTP server on 127.0.0.1 serving a miniature EDGAR (see ``edgar_site``), with a
request log and faults injected per path. Tests start it as a fixture; ``bench/fetch.py``
imports it too.

    with EdgarServer(corpus_filings(corpus), corpus=corpus) as server:
        server.inject(server.filing_path(f), "503", "503")   # twice 503, then the filing
        fetch(..., edgar_url=server.url)
        server.requests("/Archives/edgar/data/")              # what reached the server

Faults (one consumed per request, in order; ``sticky=True`` keeps the last for good):
``429`` (no Retry-After), ``403`` (SEC's threshold page), ``500``/``503``, ``reset`` (the
connection is reset without an answer), ``slow`` (answers after ``slow_seconds``), ``truncate``
(half the body, short of its Content-Length, then the connection closes), ``gzip``,
``404``, ``broken-xml`` (the ownership XML loses its closing tag).
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import edgar_site as site
from edgar_site import SiteFiling

THRESHOLD_PAGE = (
    b'<html><head><title>SEC.gov | Request Rate Threshold Exceeded</title></head><body>'
    b"<h1>Your Request Originates from an Undeclared Automated Tool</h1>"
    b"<p>Request Rate Threshold Exceeded</p></body></html>"
)
_DAILY = re.compile(r"^/Archives/edgar/daily-index/(\d{4})/QTR([1-4])/form\.(\d{8})\.idx$")
_FULL = re.compile(r"^/Archives/edgar/full-index/(\d{4})/QTR([1-4])/form\.idx$")
_FILING = re.compile(r"^/Archives/edgar/data/(\d+)/(\d{18})/(\d{10}-\d{2}-\d{6})\.txt$")
_SUBMISSIONS = re.compile(r"^/submissions/(CIK\d{10})(-submissions-001)?\.json$")


@dataclass(frozen=True)
class Logged:
    """One request as it reached the server: monotonic time, path, headers."""

    time: float
    path: str
    headers: dict[str, str]


def max_per_window(log: list[Logged], window: float = 1.0) -> int:
    """The largest number of logged requests in any ``window`` seconds (the rate a client kept).

    >>> max_per_window([Logged(t, "/", {}) for t in (0.0, 0.5, 0.9, 1.2)])
    3
    """
    times = sorted(r.time for r in log)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


class EdgarServer:
    """The server; ``filings`` are what it publishes (``publish`` adds more while it runs)."""

    def __init__(self, filings: list[SiteFiling], corpus: Path | None = None, latency: float = 0.0,
                 slow_seconds: float = 3.0, holidays: frozenset[date] = frozenset()) -> None:
        self.latency = latency
        self.slow_seconds = slow_seconds
        self.holidays = holidays
        self.log: list[Logged] = []
        self._faults: dict[str, deque[str]] = {}
        self._sticky: dict[str, str] = {}
        self._lock = threading.Lock()
        self._static: dict[str, bytes] = {}
        if corpus is not None:
            self._static["/files/company_tickers.json"] = (corpus / "edgar" / "company_tickers.json").read_bytes()
            self._static[f"{site.DATASET_PATH}/2024q3_form345.zip"] = site.dataset_zip(corpus)
            self._template = json.loads((corpus / "edgar" / "submissions" / "CIK0000320193.json").read_text())
        else:
            self._template = {"cik": "", "filings": {}}
        self.filings: list[SiteFiling] = []
        self._cache: dict[str, bytes] = {}
        self.publish(filings)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.edgar = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # -- running -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> EdgarServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    # -- what it serves ------------------------------------------------------------------------

    def publish(self, filings: list[SiteFiling]) -> None:
        """Add filings to the site: their files, their CIKs' submissions JSON, the indexes."""
        with self._lock:
            known = {f.accession for f in self.filings}
            self.filings += [f for f in filings if f.accession not in known]
            self._by_cik: dict[str, list[SiteFiling]] = {}
            self._by_path: dict[str, SiteFiling] = {}
            for f in self.filings:
                for cik in f.ciks:
                    self._by_cik.setdefault(cik, []).append(f)
                    self._by_path[self.filing_path(f, cik)] = f
            self._cache.clear()

    @staticmethod
    def filing_path(f: SiteFiling, cik: str | None = None) -> str:
        """The path of ``f`` in the folder of ``cik`` (its issuer's by default)."""
        c = int(cik or f.ciks[0])
        return f"/Archives/edgar/data/{c}/{f.accession.replace('-', '')}/{f.accession}.txt"

    def inject(self, path: str, *faults: str, sticky: bool = False) -> None:
        """Answer the next requests of ``path`` with ``faults``, one each, then normally
        (or with the last fault for good when ``sticky``)."""
        with self._lock:
            self._faults.setdefault(path, deque()).extend(faults)
            if sticky:
                self._sticky[path] = faults[-1]

    def requests(self, prefix: str = "") -> list[Logged]:
        """The logged requests whose path starts with ``prefix``."""
        with self._lock:
            return [r for r in self.log if r.path.startswith(prefix)]

    def fault_for(self, path: str) -> str | None:
        with self._lock:
            queue = self._faults.get(path)
            if queue:
                return queue.popleft()
            return self._sticky.get(path)

    def body(self, path: str) -> bytes | None:
        """The answer to ``path``, or None for a 404."""
        with self._lock:
            if path in self._cache:
                return self._cache[path]
            data = self._route(path)
            if data is not None:
                self._cache[path] = data
            return data

    def _route(self, path: str) -> bytes | None:
        if path in self._static:
            return self._static[path]
        if _FILING.match(path):
            f = self._by_path.get(path)
            return f.body if f else None
        m = _SUBMISSIONS.match(path)
        if m:
            cik = m.group(1)[3:]
            if cik not in self._by_cik:
                return None
            main, older = site.submissions_json(self._template, cik, self._by_cik[cik])
            return older if m.group(2) else main
        m = _DAILY.match(path)
        if m:
            day = date(int(m.group(3)[:4]), int(m.group(3)[4:6]), int(m.group(3)[6:]))
            if day.weekday() >= 5 or day in self.holidays or f"{day:%Y}" != m.group(1):
                return None
            return site.form_idx([f for f in self.filings if f.filed == day], day)
        m = _FULL.match(path)
        if m:
            year, q = int(m.group(1)), int(m.group(2))
            rows = [f for f in self.filings if f.filed.year == year and (f.filed.month - 1) // 3 + 1 == q]
            return site.form_idx(rows, date(year, 3 * q - 2, 1), quarterly=True)
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as EDGAR
    server_version = "miniEDGAR"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass  # the server keeps its own log

    def do_GET(self) -> None:
        edgar: EdgarServer = self.server.edgar  # type: ignore[attr-defined]
        with edgar._lock:
            edgar.log.append(Logged(time.monotonic(), self.path, dict(self.headers.items())))
        fault = edgar.fault_for(self.path)
        if edgar.latency:
            time.sleep(edgar.latency)
        if fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if fault == "slow":
            time.sleep(edgar.slow_seconds)
        if fault in ("429", "403", "500", "503", "404"):
            body = THRESHOLD_PAGE if fault == "403" else f"error {fault}\n".encode()
            return self._send(int(fault), body)
        data = edgar.body(self.path)
        if data is None:
            return self._send(404, b"<Error><Code>NoSuchKey</Code></Error>\n")
        if fault == "broken-xml":
            data = data.replace(b"</ownershipDocument>", b"", 1)
        if fault == "truncate":
            return self._send(200, data, cut=len(data) // 2)
        self._send(200, site.gzipped(data) if fault == "gzip" else data, gzip=fault == "gzip")

    def _send(self, status: int, body: bytes, gzip: bool = False, cut: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if status != 403 else "text/html")
        self.send_header("Content-Length", str(len(body)))
        if gzip:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self.wfile.write(body if cut is None else body[:cut])
        if cut is not None:
            self.wfile.flush()
            self.close_connection = True
