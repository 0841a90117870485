"""Benchmark of the named queries on synthetic EDGAR-scale data, per engine.

Synthetic ownership XML from ``bench/synth.py`` (deterministic by seed) is parsed in
memory and built into a store (graph tables, embedded ladybug and pyoxigraph engines);
the script prints the build time by stage, the store's size on disk by part, and the time
of ``shared-directors`` and ``interlocks`` on each engine: the first run (opening the
engine included) and the best of ``--repeat`` warm runs.

    python bench/queries.py                      # 20,000 filings
    python bench/queries.py --filings 200000 --keep /tmp/bench-store

Targets (issue 5): at 1,000,000 filings, under 1 s per query on the embedded Cypher and
SPARQL engines, and a build under 10 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

QUERIES = ("shared-directors", "interlocks")


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def build(n: int, seed: int, path: Path) -> dict[str, float]:
    """Generate, parse and build ``n`` synthetic filings into a store at ``path``; stage times."""
    from synth import generate

    from insidergraph.graph.store import ENGINE_WRITERS, Store
    from insidergraph.loaders.xml import parse_bytes

    import insidergraph.queries.engines.writers  # noqa: F401 (registers the engine writers)

    times: dict[str, float] = {}
    t0 = time.perf_counter()
    filings = [parse_bytes(xml, name) for name, xml in generate(n, seed)]
    times["generate + parse XML"] = time.perf_counter() - t0

    def timed(name: str, writer: Callable[..., None]) -> Callable[..., None]:
        def run(store: Any, tables: Any) -> None:
            t = time.perf_counter()
            writer(store, tables)
            times[f"engine: {name}"] = time.perf_counter() - t
        return run

    saved = dict(ENGINE_WRITERS)
    for name, writer in saved.items():
        ENGINE_WRITERS[name] = timed(name, writer)
    try:
        t0 = time.perf_counter()
        _, _, tables = Store(path).add(filings)
        total = time.perf_counter() - t0
    finally:
        ENGINE_WRITERS.clear()
        ENGINE_WRITERS.update(saved)
    times["graph tables + pickles"] = total - sum(v for k, v in times.items() if k.startswith("engine:"))
    times["build total (store.add)"] = total
    counts = tables.counts()
    print(f"graph: {sum(counts['nodes'].values()):,} nodes, {sum(counts['edges'].values()):,} edges; "
          f"DIRECTOR_OF {counts['edges']['DIRECTOR_OF']:,}, Person {counts['nodes']['Person']:,}, "
          f"Company {counts['nodes']['Company']:,}")
    return times


def time_queries(path: Path, engines: list[str], repeat: int) -> None:
    from insidergraph.graph.store import Store
    from insidergraph.queries import run
    from insidergraph.queries.engines import close_all

    store = Store(path)
    print(f"\n{'query':<18} {'engine':<9} {'rows':>7} {'first run':>10} {'best warm':>10}")
    for name in QUERIES:
        for engine in engines:
            close_all()
            t0 = time.perf_counter()
            df = run(name, store, engine=engine)
            first = time.perf_counter() - t0
            best = float("inf")
            for _ in range(repeat):
                t0 = time.perf_counter()
                run(name, store, engine=engine)
                best = min(best, time.perf_counter() - t0)
            print(f"{name:<18} {engine:<9} {len(df):>7,} {first:>9.3f}s {best:>9.3f}s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--filings", type=int, default=20_000, help="synthetic filings (default 20000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--engines", default="cypher,sparql,networkx", help="comma-separated engines")
    ap.add_argument("--repeat", type=int, default=3, help="warm runs per query (best is shown)")
    ap.add_argument("--keep", type=Path, help="build the store here and keep it (default: a temp dir)")
    ap.add_argument("--reuse", action="store_true", help="time the queries on an existing --keep store")
    args = ap.parse_args(argv)

    path = args.keep or Path(tempfile.mkdtemp(prefix="ig-bench-")) / "store"
    try:
        if not args.reuse:
            if path.exists():
                shutil.rmtree(path)
            print(f"building {args.filings:,} synthetic filings (seed {args.seed}) into {path}")
            for stage, seconds in build(args.filings, args.seed, path).items():
                print(f"  {stage:<28} {seconds:8.1f} s")
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            print(f"  peak RSS {_mb(peak)}")
        print(f"store size {_mb(_size(path))}: " + ", ".join(
            f"{part} {_mb(_size(path / part))}" for part in ("filings", "graph", "engines/ladybug", "engines/oxigraph")
            if (path / part).exists()))
        time_queries(path, [e for e in args.engines.split(",") if e], args.repeat)
    finally:
        if args.keep is None:
            shutil.rmtree(path.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
