"""Benchmark of parsing: filings/s over the real corpus and the ratio to bare lxml.

Every file of ``../shared/corpus/xml`` and ``../shared/corpus/txt`` is read into memory
once; then, in this one process and on one core, each of these loops runs over all of
them, repeated until a round lasts at least ``--min-time`` seconds, best of ``--rounds``
(the loops take turns within each round). Loops are timed in CPU seconds of this
process (``time.process_time``), so that other work on a shared machine does not count:

* ``lxml``: a bare ``lxml.etree.fromstring(data)`` over the same ownership XML bytes
  (for a submission, its ``<XML>`` block): the reference of the targets;
* ``lxml (loader's parser)``: the same with the loader's parser settings (safe, and
  dropping blank text), to show what share of the time is libxml2's;
* ``parse``: :func:`insidergraph.loaders.detect.parse_bytes` (format sniffing, header,
  the whole typed :class:`~insidergraph.model.Filing`);
* ``parse+json``: the same plus :func:`~insidergraph.loaders.jsonout.filing_to_json`,
  i.e. what ``insidergraph parse`` does per file.

It also times ``insidergraph --help`` in a subprocess (best of 5).

    python bench/parse.py
    python bench/parse.py --rounds 7 --min-time 1.0

Targets (issue 2): >= 2,000 filings/s, parse+json <= 4x the lxml loop, --help < 0.3 s.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from insidergraph.loaders import detect
from insidergraph.loaders import xml as xml_loader
from insidergraph.loaders.jsonout import filing_to_json

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def load(corpus: Path) -> tuple[list[tuple[bytes, str]], list[bytes]]:
    """(file bytes, path) for every filing, and the ownership XML bytes of each."""
    files = [(p.read_bytes(), str(p)) for d in ("xml", "txt") for p in sorted((corpus / d).glob("*"))]
    if not files:
        raise SystemExit(f"no filings under {corpus}")
    xml_only = []
    for data, _ in files:
        start, end = data.find(b"<XML>"), data.find(b"</XML>")
        xml_only.append(data[start + 5 : end].strip() if start >= 0 else data)
    return files, xml_only


def _reps(loop: Callable[[], object], min_time: float) -> int:
    """How many calls of ``loop`` make one timed round of at least ``min_time`` seconds."""
    reps = 1
    while True:
        t0 = time.process_time()
        for _ in range(reps):
            loop()
        if time.process_time() - t0 >= min_time:
            return reps
        reps *= 2


def best_times(loops: list[Callable[[], object]], n: int, rounds: int, min_time: float) -> list[float]:
    """Best seconds per filing of each loop (each handles ``n`` filings per call).

    The loops take turns within every round, so that a change in machine load hits
    them alike and their ratios stay meaningful.
    """
    reps = [_reps(loop, min_time) for loop in loops]
    best = [float("inf")] * len(loops)
    for _ in range(rounds):
        for i, loop in enumerate(loops):
            t0 = time.process_time()
            for _ in range(reps[i]):
                loop()
            best[i] = min(best[i], (time.process_time() - t0) / (reps[i] * n))
    return best


def help_time(runs: int = 5) -> float | None:
    exe = shutil.which("insidergraph")
    if exe is None:
        return None
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([exe, "--help"], check=True, capture_output=True)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.5)
    args = parser.parse_args()

    files, xml_only = load(args.corpus)
    n = len(files)
    xml_parser = xml_loader._PARSER  # the same safe parser settings the loader uses

    def bare() -> None:
        for data in xml_only:
            etree.fromstring(data)

    def bare_loader_parser() -> None:
        for data in xml_only:
            etree.fromstring(data, xml_parser)

    def parse() -> None:
        for data, path in files:
            detect.parse_bytes(data, path)

    def parse_json() -> None:
        for data, path in files:
            filing_to_json(detect.parse_bytes(data, path))

    parse_json()  # warm up, and fail early on any file that does not parse
    t_bare, t_safe, t_parse, t_json = best_times(
        [bare, bare_loader_parser, parse, parse_json], n, args.rounds, args.min_time
    )
    size = sum(len(d) for d, _ in files)

    print(f"corpus: {n} filings ({size / 1e6:.1f} MB), Python {sys.version.split()[0]}, one process")
    print(f"lxml.etree.fromstring only : {1 / t_bare:8.0f} filings/s  {t_bare * 1e6:6.1f} us/filing")
    print(f"  with the loader's parser : {1 / t_safe:8.0f} filings/s  {t_safe * 1e6:6.1f} us/filing"
          f"  {t_safe / t_bare:.2f}x lxml")
    print(f"parse (typed Filing)       : {1 / t_parse:8.0f} filings/s  {t_parse * 1e6:6.1f} us/filing"
          f"  {t_parse / t_bare:.2f}x lxml")
    print(f"parse + JSON line          : {1 / t_json:8.0f} filings/s  {t_json * 1e6:6.1f} us/filing"
          f"  {t_json / t_bare:.2f}x lxml")
    seconds = help_time()
    if seconds is not None:
        print(f"insidergraph --help        : {seconds:.3f} s (best of 5, subprocess)")
    else:
        print("insidergraph --help        : console script not installed")


if __name__ == "__main__":
    main()
