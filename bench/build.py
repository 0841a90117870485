"""Benchmark of the graph build step: filings/s and peak memory, from already parsed filings.

The real corpus (``../shared/corpus/xml``) is parsed once (its parse rate is printed for
reference), then repeated until the wanted size: copy ``k`` of a filing gets its own
accession and every CIK shifted by ``k * 10,000,000``, so each copy is a distinct set of
filings, issuers and owners (names stay, as name-keyed signers would in a larger market).
Each size runs in a fresh subprocess, so its peak RSS (``ru_maxrss``) is its own.

Besides the build itself, each child then asks for every table once with ``to_arrow`` (what
``write`` and the engines do; the builder keeps compact tables and materializes on demand), so
that no cost is hidden from the build figures: ``arrow s`` and ``peak+arrow MB``.

``--baseline REV`` runs every size also on the package as committed at ``REV`` (extracted with
``git archive`` into a temporary folder), alternating the two ``--rounds`` times in one run: on
a shared machine only ratios measured side by side mean anything.

    python bench/build.py                       # 10k, 50k, 100k filings
    python bench/build.py --sizes 100000 --baseline 25051aa --rounds 3
    python bench/build.py --sizes 20000 --profile 50000

Targets (issue 4): >= 20,000 filings/s for the build, < 1 GB per 100,000 filings.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from insidergraph.model import Filing, ReportingOwner, Signature

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


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(n: int) -> dict[str, float]:
    """Run one size in this process: returns rates and memory as a dict."""
    from insidergraph.graph.build import build_graph
    from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES

    base, parse_rate = parse_corpus()
    filings = list(replicate(base, n))
    gc.collect()
    rss_before = _rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    graph = build_graph(filings)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _peak_mb()
    rss_after = _rss_mb()
    counts = graph.counts()
    # Every table once as Arrow, one at a time, as write() does; peak memory includes it.
    t1 = time.perf_counter()
    for kind, names in (("nodes", NODE_TYPES), ("edges", EDGE_TYPES)):
        for name in names:
            table = graph.to_arrow(kind, name)
            del table
    arrow_s = time.perf_counter() - t1
    return {
        "filings": n,
        "distinct_filings": counts["nodes"]["Filing"],
        "build_s": dt,
        "build_rate": n / dt,
        "build_cpu_s": cpu,
        "build_cpu_rate": n / cpu,
        "parse_rate": parse_rate,
        "rss_before_build_mb": rss_before,
        "rss_after_build_mb": rss_after,
        "peak_rss_mb": peak,
        "arrow_s": arrow_s,
        "peak_with_arrow_mb": _peak_mb(),
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


def _baseline_tree(rev: str, out: str) -> str:
    """The package as committed at ``rev``, extracted into the folder ``out`` (returned)."""
    root = Path(__file__).resolve().parents[1]
    archive = subprocess.run(["git", "-C", str(root), "archive", rev, "insidergraph"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", out], input=archive.stdout, check=True)
    return out


def _run_child(n: int, package: str | None) -> dict[str, float]:
    env = dict(os.environ)
    if package is not None:  # import insidergraph from there instead of the working tree
        env["PYTHONPATH"] = package + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, __file__, "--child", str(n)], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    """Run every size in its own subprocess and print one line per size (and per baseline run)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,50000,100000", help="comma-separated filing counts")
    ap.add_argument("--baseline", metavar="REV", help="also run the package as committed at this git revision")
    ap.add_argument("--rounds", type=int, default=1, help="runs of each size (alternating with the baseline)")
    ap.add_argument("--profile", type=int, metavar="N", help="also print a cProfile of build_graph at N filings")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child)))
        return 0
    with tempfile.TemporaryDirectory(prefix="insidergraph-baseline-") as tmp:
        sides: list[tuple[str, str | None]] = [("working tree", None)]
        if args.baseline:
            sides.append((args.baseline, _baseline_tree(args.baseline, tmp)))
        _table(args.sizes, args.rounds, sides)
    if args.profile:
        print(profile(args.profile))
    return 0


def _table(sizes: str, rounds: int, sides: list[tuple[str, str | None]]) -> None:
    """One line per size, round and side (working tree, baseline)."""
    # CPU-time rates are printed beside wall-clock ones: on a shared 2-core machine the
    # wall clock also measures whoever else is running. "build MB" is the peak less the
    # RSS before the build (interpreter, libraries, parsed filings); "kept MB" the RSS the
    # build leaves (its tables, and freed memory the allocators keep).
    print(f"{'code':>12} {'filings':>8} {'build s':>8} {'build/s':>9} {'cpu/s':>9} {'RSS in MB':>10} "
          f"{'peak MB':>8} {'build MB':>8} {'kept MB':>8} {'arrow s':>8} {'peak+arrow MB':>13} "
          f"{'nodes':>9} {'edges':>9}")
    for n in (int(s) for s in sizes.split(",")):
        for _ in range(rounds):
            for name, package in sides:
                r = _run_child(n, package)
                arrow = (f"{r['arrow_s']:>8.2f} {r['peak_with_arrow_mb']:>13,.0f}" if "arrow_s" in r
                         else f"{'':>8} {'':>13}")
                print(f"{name[:12]:>12} {r['filings']:>8} {r['build_s']:>8.2f} {r['build_rate']:>9,.0f} "
                      f"{r['build_cpu_rate']:>9,.0f} {r['rss_before_build_mb']:>10,.0f} {r['peak_rss_mb']:>8,.0f} "
                      f"{r['peak_rss_mb'] - r['rss_before_build_mb']:>8,.0f} "
                      f"{r.get('rss_after_build_mb', float('nan')) - r['rss_before_build_mb']:>8,.0f} {arrow} "
                      f"{r['nodes']:>9,} {r['edges']:>9,}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
