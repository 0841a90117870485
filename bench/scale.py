"""Benchmark of a whole ``insidergraph build`` from XML files on disk, and of the two heavy
queries on the store it writes: what a user at EDGAR scale waits for.

The build runs exactly as ``insidergraph build DIR --store STORE --sparql SCOPE`` does
(:func:`insidergraph.graph.store_build.build_store`); the script only wraps the store's stages to
print when each ends, with the process's peak memory so far. Then ``shared-directors`` and
``interlocks`` run on the embedded Cypher and SPARQL engines (first run, opening the engine
included, and the best of two warm runs), through :func:`insidergraph.queries.run`, so the
time includes turning the rows into the DataFrame a user gets.

    python bench/synth.py --filings 1000000 --seed 7 --out /tmp/syn1m     # 82 s, 5.9 GB
    python bench/scale.py /tmp/syn1m --store /tmp/s1m --sparql relations
    python bench/scale.py --queries-only --store /tmp/s1m
    python bench/scale.py /tmp/syn1m --store /tmp/s1m --first 998000   # then 2,000 added to it
    python bench/scale.py /tmp/syn100k --store /tmp/s100k-10 --parts 10   # then bench/compare_stores.py
    python bench/synth.py --filings 2000 --seed 8 --accession-agent 9000000 --out /tmp/add2k
    python bench/scale.py /tmp/add2k --store /tmp/s100k --add           # a day's filings added

Targets (issue 5): at 1,000,000 filings a build under 10 minutes on this 2-core machine and
under 1 s per query on the embedded Cypher and SPARQL engines.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import time
from pathlib import Path
from typing import Any

QUERIES = ("shared-directors", "interlocks")
T0 = time.perf_counter()


def stamp(message: str) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{time.perf_counter() - T0:8.1f} s  {message}  (peak RSS {peak:,} MB)", flush=True)


def build(files: list[Path], store: Path, sparql: str, fresh: bool = True) -> None:
    """Build ``store`` from ``files`` as the CLI does, printing each stage as it ends
    (``fresh``: from an empty store; else added to the store there)."""
    import insidergraph.graph.store as sm
    from insidergraph.backends import Backend, store_engines

    write_generation, write_outputs = sm.Store._write_generation, sm.Store._write_outputs

    def generation_stage(self: Any, gen: Any, old: Any, new: Any, builder: Any, *rest: Any) -> Any:
        stamp(f"read back the store and parsed {len(new[0]):,} new filings")
        tables = write_generation(self, gen, old, new, builder, *rest)
        stamp("generation flushed and switched")
        return tables

    def outputs_stage(self: Any, tables: Any, change: Any) -> Any:
        what = "from scratch" if change is None else f"{change.rows():,} rows changed of {change.total:,}"
        stamp(f"graph tables ready ({what})")
        written = write_outputs(self, tables, change)
        stamp(f"Parquet tables and engines written (side by side): {written}")
        return written

    import insidergraph.graph.diff as dm

    compare = dm.diff  # the store imports it when it diffs, so patching the module's name times it

    def diff_stage(*args: Any) -> Any:
        stamp("filing tables written, graph tables built")
        return compare(*args)

    sm.Store._write_generation, sm.Store._write_outputs = generation_stage, outputs_stage  # type: ignore[method-assign]
    dm.diff = diff_stage  # type: ignore[assignment]
    write = Backend.write

    def timed(backend: Any, st: Any, tables: Any, change: Any = None) -> Any:
        t = time.perf_counter()
        done = write(backend, st, tables, change)
        stamp(f"  engine {backend.name} {done[1]} in {time.perf_counter() - t:.1f} s")
        return done

    Backend.write = timed  # type: ignore[method-assign]
    if fresh:
        shutil.rmtree(store, ignore_errors=True)
    start = time.perf_counter()
    from insidergraph.graph.store_build import build_store

    result = build_store([str(f) for f in files], store, sparql=sparql, engines=store_engines())
    stamp(f"build done in {time.perf_counter() - start:.1f} s: {result.read:,} read, {result.added:,} added, "
          f"{len(result.failed)} failed; load average {os.getloadavg()[0]:.2f}")
    sm.Store._write_generation, sm.Store._write_outputs = write_generation, write_outputs  # type: ignore[method-assign]
    dm.diff = compare  # type: ignore[assignment]
    Backend.write = write  # type: ignore[method-assign]
    gen = sm.Store(store).generation_dir
    for part in sorted(p for p in gen.rglob("*") if p.is_dir() and p.parent in (gen, gen / "engines")):
        size = sum(f.stat().st_size for f in part.rglob("*") if f.is_file())
        print(f"          {part.relative_to(gen)}: {size / 1e9:.2f} GB")


def queries(store: Path) -> None:
    from insidergraph.graph.store import Store
    from insidergraph.queries import run

    st = Store(store)
    for name in QUERIES:
        for engine in ("cypher", "sparql"):
            times = []
            for _ in range(3):
                t = time.perf_counter()
                rows = run(name, st, engine=engine)
                times.append(time.perf_counter() - t)
            print(f"{name:17s} {engine:7s} {len(rows):7,} rows  first {times[0]:.2f} s  warm {min(times[1:]):.2f} s",
                  flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", type=Path, nargs="?", help="folder of filings (bench/synth.py --out)")
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--sparql", choices=("full", "relations", "none"), default="full")
    parser.add_argument("--queries-only", action="store_true")
    parser.add_argument("--first", type=int, help="build the first N files (sorted), then add the rest to it")
    parser.add_argument("--add", action="store_true", help="add the files to the store there (not from scratch)")
    parser.add_argument("--parts", type=int, help="build the files (sorted) in this many parts, one after another")
    args = parser.parse_args()
    if not args.queries_only:
        if args.files is None:
            parser.error("give the folder of filings, or --queries-only")
        files = sorted(p for p in args.files.rglob("*") if p.is_file())
        if args.parts:
            size = -(-len(files) // args.parts)
            for k, start in enumerate(range(0, len(files), size)):
                print(f"part {k + 1} of {args.parts}: files {start + 1:,} to {min(start + size, len(files)):,}")
                build(files[start : start + size], args.store, args.sparql, fresh=k == 0)
        elif args.first is None:
            build([args.files], args.store, args.sparql, fresh=not args.add)
        else:
            build(files[: args.first], args.store, args.sparql)
            build(files[args.first :], args.store, args.sparql, fresh=False)
    queries(args.store)


if __name__ == "__main__":
    main()
