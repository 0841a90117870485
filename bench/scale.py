"""Benchmark of a whole ``insidergraph build`` from XML files on disk, and of the two heavy
queries on the store it writes: what a user at EDGAR scale waits for.

The build runs exactly as ``insidergraph build DIR --store STORE --sparql SCOPE`` does
(:func:`insidergraph.graph.store.build_store`); the script only wraps the store's stages to
print when each ends, with the process's peak memory so far. Then ``shared-directors`` and
``interlocks`` run on the embedded Cypher and SPARQL engines (first run, opening the engine
included, and the best of two warm runs), through :func:`insidergraph.queries.run`, so the
time includes turning the rows into the DataFrame a user gets.

    python bench/synth.py --filings 1000000 --seed 7 --out /tmp/syn1m     # 82 s, 5.9 GB
    python bench/scale.py /tmp/syn1m --store /tmp/s1m --sparql relations
    python bench/scale.py --queries-only --store /tmp/s1m

Targets (issue 5): at 1,000,000 filings a build under 10 minutes on this 2-core machine and
under 1 s per query on the embedded Cypher and SPARQL engines.
"""

from __future__ import annotations

import argparse
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


def build(files: Path, store: Path, sparql: str) -> None:
    """Build ``store`` from ``files`` as the CLI does, printing each stage as it ends."""
    import insidergraph.graph.store as sm
    import insidergraph.queries.engines.writers  # noqa: F401 (registers the engine writers)

    write_filings, write_outputs = sm.Store._write_filings, sm.Store._write_outputs

    def filings_stage(self: Any, new: list[Any]) -> None:
        stamp(f"read and parsed {len(new):,} filings")
        write_filings(self, new)
        stamp("filings pickled")

    def outputs_stage(self: Any, tables: Any) -> None:
        stamp("graph tables built")
        write_outputs(self, tables)
        stamp("Parquet tables and engines written (side by side)")

    sm.Store._write_filings, sm.Store._write_outputs = filings_stage, outputs_stage  # type: ignore[method-assign]
    for name, writer in list(sm.ENGINE_WRITERS.items()):
        def timed(st: Any, tables: Any, writer: Any = writer, name: str = name) -> None:
            t = time.perf_counter()
            writer(st, tables)
            stamp(f"  engine {name} written in {time.perf_counter() - t:.1f} s")
        sm.ENGINE_WRITERS[name] = timed
    shutil.rmtree(store, ignore_errors=True)
    result = sm.build_store([str(files)], store, sparql=sparql)
    stamp(f"build done: {result.read:,} read, {result.added:,} added, {len(result.failed)} failed")
    for part in sorted(p for p in store.rglob("*") if p.is_dir() and p.parent in (store, store / "engines")):
        size = sum(f.stat().st_size for f in part.rglob("*") if f.is_file())
        print(f"          {part.relative_to(store)}: {size / 1e9:.2f} GB")


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
    args = parser.parse_args()
    if not args.queries_only:
        if args.files is None:
            parser.error("give the folder of filings, or --queries-only")
        build(args.files, args.store, args.sparql)
    queries(args.store)


if __name__ == "__main__":
    main()
