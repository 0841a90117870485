"""Benchmark of the graph build step: filings/s and peak memory, from already parsed filings.

The real corpus (``../shared/corpus/xml``) is parsed once (its parse rate is printed for
reference), then repeated until the wanted size: copy ``k`` of a filing gets its own
accession and every CIK shifted by ``k * 10,000,000``, so each copy is a distinct set of
filings, issuers and owners (names stay, as name-keyed signers would in a larger market).
Each size runs in a fresh subprocess, so its peak RSS (``ru_maxrss``) is its own.

    python bench/build.py                       # 10k, 50k, 100k filings
    python bench/build.py --sizes 20000 --profile 50000

Targets (issue 4): >= 20,000 filings/s for the build, < 1 GB per 100,000 filings.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from insidergraph.loaders.model import Filing, ReportingOwner, Signature

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "xml"
CIK_SHIFT = 10_000_000  # above every real CIK today, so shifted CIKs never meet real ones


def parse_corpus(corpus: Path = CORPUS) -> tuple[list[Filing], float]:
    """Parse every XML file of the corpus; returns the filings and the parse rate (filings/s)."""
    from insidergraph.loaders.xml import parse

    paths = sorted(corpus.glob("*.xml"))
    if not paths:
        raise SystemExit(f"no XML filings in {corpus}")
    t0 = time.perf_counter()
    filings = [parse(p) for p in paths]
    return filings, len(filings) / (time.perf_counter() - t0)


def _cik(cik: str | None, k: int) -> str | None:
    if cik is None or k == 0:
        return cik
    return f"{int(cik) + k * CIK_SHIFT:010d}" if cik.isdigit() else f"{cik}-{k}"


def _owner(o: ReportingOwner, k: int) -> ReportingOwner:
    return replace(o, cik=_cik(o.cik, k))


def _signature(s: Signature, k: int) -> Signature:
    return replace(s, on_behalf_of_cik=_cik(s.on_behalf_of_cik, k)) if s.on_behalf_of_cik else s


def replicate(base: list[Filing], n: int) -> Iterator[Filing]:
    """``n`` filings: the corpus repeated, each copy with its own accessions and CIKs.

    Table rows are shared between copies (they are frozen), which is what a real build
    of that many parsed filings would hold anyway: one row object per row.
    """
    for i in range(n):
        k, j = divmod(i, len(base))
        f = base[j]
        # The copy number replaces the filer-agent prefix's leading zeros; filings
        # without an accession get a synthetic one, so content hashing is not benchmarked.
        acc = f"{k:03d}{f.accession[3:]}" if f.accession else f"{k:03d}9999999-99-{j:06d}"
        yield replace(
            f,
            accession=acc,
            issuer=replace(f.issuer, cik=_cik(f.issuer.cik, k)),
            reporting_owners=tuple(_owner(o, k) for o in f.reporting_owners),
            signatures=tuple(_signature(s, k) for s in f.signatures),
        )


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(n: int) -> dict[str, float]:
    """Run one size in this process: returns rates and memory as a dict."""
    from insidergraph.graph.build import build_graph

    base, parse_rate = parse_corpus()
    filings = list(replicate(base, n))
    gc.collect()
    rss_before = _rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    graph = build_graph(filings)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    counts = graph.counts()
    return {
        "filings": n,
        "distinct_filings": counts["nodes"]["Filing"],
        "build_s": dt,
        "build_rate": n / dt,
        "build_cpu_s": cpu,
        "build_cpu_rate": n / cpu,
        "parse_rate": parse_rate,
        "rss_before_build_mb": rss_before,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "nodes": sum(counts["nodes"].values()),
        "edges": sum(counts["edges"].values()),
    }


def profile(n: int, top: int = 20) -> str:
    """cProfile of ``build_graph`` on ``n`` replicated filings: top functions by own and total time."""
    from insidergraph.graph.build import build_graph

    base, _ = parse_corpus()
    filings = list(replicate(base, n))
    prof = cProfile.Profile()
    prof.enable()
    build_graph(filings)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Run every size in its own subprocess and print one line per size."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,50000,100000", help="comma-separated filing counts")
    ap.add_argument("--profile", type=int, metavar="N", help="also print a cProfile of build_graph at N filings")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child)))
        return 0
    # CPU-time rates are printed beside wall-clock ones: on a shared 2-core machine the
    # wall clock also measures whoever else is running.
    print(f"{'filings':>8} {'distinct':>8} {'build s':>8} {'build/s':>9} {'cpu/s':>9} {'parse/s':>8} "
          f"{'RSS in MB':>10} {'peak MB':>8} {'build MB':>8} {'nodes':>9} {'edges':>9}")
    for n in (int(s) for s in args.sizes.split(",")):
        proc = subprocess.run([sys.executable, __file__, "--child", str(n)], capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        r = json.loads(proc.stdout)
        print(f"{r['filings']:>8} {r['distinct_filings']:>8} {r['build_s']:>8.2f} {r['build_rate']:>9,.0f} {r['build_cpu_rate']:>9,.0f} "
              f"{r['parse_rate']:>8,.0f} {r['rss_before_build_mb']:>10,.0f} {r['peak_rss_mb']:>8,.0f} "
              f"{r['peak_rss_mb'] - r['rss_before_build_mb']:>8,.0f} {r['nodes']:>9,} {r['edges']:>9,}", flush=True)
    if args.profile:
        print(profile(args.profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
