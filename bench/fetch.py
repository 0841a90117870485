"""Benchmark of ``insidergraph fetch``: filings/s and the fullest one-second window, against
the local EDGAR of the tests (``tests/edgar_server.py``) with injected latency.

``--filings`` distinct filings (copies of the corpus filings with their own accessions,
all filed on one day) are fetched by date through that day's index, at ``--rate``, with
every answer delayed by ``--latency`` seconds. Figures come from the server's own request
log: filings per second from the first filing request to the last, and the largest count
of requests (of any kind) in any one-second window. The baseline, measured in the same
run, is the same client with one worker (one request at a time over a keep-alive
connection, as a plain loop would do) on ``--baseline-filings`` filings.

    python bench/fetch.py                         # 2,000 filings, 100 ms, --rate 10
    python bench/fetch.py --filings 300 --baseline-filings 100

The ceiling is ``--rate`` filings/s; no window may hold more than ``--rate`` requests.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from insidergraph.edgar import fetch  # noqa: E402

from edgar_server import EdgarServer, max_per_window  # noqa: E402
from edgar_site import corpus_filings, synthetic_filings  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
DAY = date(2024, 7, 1)


def one_run(n: int, latency: float, rate: int, workers: int | None) -> tuple[float, int, float]:
    """(filings/s, fullest window, wall seconds) of fetching ``n`` filings into a new mirror."""
    filings = synthetic_filings(corpus_filings(CORPUS), n, DAY)
    with EdgarServer(filings, latency=latency) as server, tempfile.TemporaryDirectory(prefix="bench-fetch-") as out:
        start = time.perf_counter()
        result = fetch(out, user_agent="insidergraph bench bench@example.com", since=DAY, until=DAY,
                       edgar_url=server.url, rate=rate, workers=workers, today=date(2025, 1, 1))
        wall = time.perf_counter() - start
        if result.fetched != n or result.failures:
            raise SystemExit(f"fetched {result.fetched} of {n}: {[f.line() for f in result.failures][:3]}")
        log = server.requests("/Archives/edgar/data/")
        span = log[-1].time - log[0].time
        return (len(log) - 1) / span if span else float("inf"), max_per_window(server.log), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--filings", type=int, default=2000)
    parser.add_argument("--baseline-filings", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--rate", type=int, default=10)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    base = one_run(args.baseline_filings, args.latency, args.rate, workers=1)
    print(f"baseline (1 worker): {args.baseline_filings} filings, {base[0]:.2f} filings/s, "
          f"fullest 1-s window {base[1]}, {base[2]:.1f} s")
    ours = one_run(args.filings, args.latency, args.rate, workers=None)
    print(f"fetch (default pool): {args.filings} filings, {ours[0]:.2f} filings/s, "
          f"fullest 1-s window {ours[1]} (limit {args.rate}), {ours[2]:.1f} s")
    print(f"ratio to baseline: {ours[0] / base[0]:.2f}x; share of the ceiling: {ours[0] / args.rate:.1%}")
    print(f"load average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
