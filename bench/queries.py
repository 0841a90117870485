"""Benchmark of the named queries on synthetic EDGAR-scale data, per engine.

Synthetic ownership XML from ``bench/synth.py`` (deterministic by seed) is parsed in
memory and built into a store (graph tables, embedded ladybug and pyoxigraph engines);
the script prints the build time by stage, the store's size on disk by part, and the time
of ``shared-directors`` and ``interlocks`` on each engine: the first run (opening the
engine included) and the best of ``--repeat`` warm runs.

    python bench/queries.py                      # 20,000 filings
    python bench/queries.py --filings 200000 --keep /tmp/bench-store
    python bench/queries.py --reuse --keep /tmp/bench-store --baseline HEAD~3   # A/B of the query files

Targets (issue 5): at 1,000,000 filings, under 1 s per query on the embedded Cypher and
SPARQL engines, and a build under 10 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

QUERIES = ("shared-directors", "interlocks")


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def build(n: int, seed: int, path: Path) -> dict[str, float]:
    """Generate, parse and build ``n`` synthetic filings into a store at ``path``; stage times."""
    from insidergraph.backends import Backend, store_engines
    from insidergraph.graph.store import Store
    from insidergraph.loaders.xml import parse_bytes

    from synth import generate

    times: dict[str, float] = {}
    t0 = time.perf_counter()
    filings = [parse_bytes(xml, name) for name, xml in generate(n, seed)]
    times["generate + parse XML"] = time.perf_counter() - t0

    write = Backend.write

    def timed(backend: Any, store: Any, tables: Any, change: Any = None) -> tuple[str, str]:
        t = time.perf_counter()
        done = write(backend, store, tables, change)
        times[f"engine: {backend.name}"] = time.perf_counter() - t
        return done

    Backend.write = timed  # type: ignore[method-assign,assignment]
    try:
        t0 = time.perf_counter()
        _, _, tables = Store(path).add(filings, engines=store_engines())
        total = time.perf_counter() - t0
    finally:
        Backend.write = write  # type: ignore[method-assign]
    times["graph tables + pickles"] = total - sum(v for k, v in times.items() if k.startswith("engine:"))
    times["build total (store.add)"] = total
    counts = tables.counts()
    print(f"graph: {sum(counts['nodes'].values()):,} nodes, {sum(counts['edges'].values()):,} edges; "
          f"DIRECTOR_OF {counts['edges']['DIRECTOR_OF']:,}, Person {counts['nodes']['Person']:,}, "
          f"Company {counts['nodes']['Company']:,}")
    return times


def time_queries(path: Path, engines: list[str], repeat: int, names: tuple[str, ...] = QUERIES) -> None:
    from insidergraph.backends import close_all
    from insidergraph.graph.store import Store
    from insidergraph.queries import run

    store = Store(path)
    print(f"\n{'query':<18} {'engine':<9} {'rows':>7} {'first run':>10} {'best warm':>10}")
    for name in names:
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


class _TextAt:
    """A named query whose text comes from another git revision (the A/B baseline)."""

    def __init__(self, query: Any, rev: str) -> None:
        self._query, self._rev = query, rev

    def __getattr__(self, name: str) -> Any:
        return getattr(self._query, name)

    def text(self, dialect: str, bound: dict[str, Any] | None = None) -> str:
        # The baseline's one text per dialect, whatever the options (the current registry
        # may pick NAME.undated.cypher without date options).
        suffix = "rq" if dialect == "sparql" else "cypher"
        path = f"insidergraph/queries/{self._query.name}.{suffix}"
        root = Path(__file__).resolve().parent.parent
        return subprocess.run(["git", "show", f"{self._rev}:{path}"], cwd=root, check=True,
                              capture_output=True, text=True).stdout


def time_baseline(path: Path, engines: list[str], repeat: int, rev: str) -> None:
    """Time the query texts of git revision ``rev`` against the current ones on the same
    store, alternating, so that both see the same machine load (best of ``repeat`` each)."""
    from insidergraph.backends import open_engine
    from insidergraph.graph.store import Store
    from insidergraph.queries import normalise
    from insidergraph.queries.registry import QUERIES as REGISTRY

    store = Store(path)
    print(f"\n{'query':<18} {'engine':<9} {'rows':>7} {'baseline ' + rev:>16} {'current':>9} {'speed-up':>9}")
    for name in QUERIES:
        current = REGISTRY[name]
        baseline = _TextAt(current, rev)
        bound = current.bind({})
        for engine_name in (e for e in engines if e in ("cypher", "sparql")):
            engine = open_engine(engine_name, store)
            best = {"baseline": float("inf"), "current": float("inf")}
            rows = {}
            for _ in range(repeat):
                for label, query in (("baseline", baseline), ("current", current)):
                    t0 = time.perf_counter()
                    rows[label] = engine.run_named(query, bound)
                    best[label] = min(best[label], time.perf_counter() - t0)
            frames = [normalise(current, rows[label]) for label in ("baseline", "current")]
            same = "" if frames[0].equals(frames[1]) else "  (rows differ!)"
            print(f"{name:<18} {engine_name:<9} {len(rows['current']):>7,} {best['baseline']:>15.3f}s "
                  f"{best['current']:>8.3f}s {best['baseline'] / best['current']:>8.2f}x{same}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--filings", type=int, default=20_000, help="synthetic filings (default 20000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--engines", default="cypher,sparql,networkx", help="comma-separated engines")
    ap.add_argument("--repeat", type=int, default=3, help="warm runs per query (best is shown)")
    ap.add_argument("--keep", type=Path, help="build the store here and keep it (default: a temp dir)")
    ap.add_argument("--reuse", action="store_true", help="time the queries on an existing --keep store")
    ap.add_argument("--queries", default=",".join(QUERIES),
                    help="comma-separated named queries, run without options (default: the board queries)")
    ap.add_argument("--baseline", metavar="REV",
                    help="also time the query files of git revision REV on the same store (A/B, alternating)")
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
        engines = [e for e in args.engines.split(",") if e]
        time_queries(path, engines, args.repeat, tuple(q for q in args.queries.split(",") if q))
        if args.baseline:
            time_baseline(path, engines, args.repeat, args.baseline)
    finally:
        if args.keep is None:
            shutil.rmtree(path.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
