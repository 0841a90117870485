"""Benchmark: loading a synthetic graph of 1,000,000+ relationships into a real Neo4j.

Needs a running server (``eval "$(scripts/neo4j-dev-server start --dir /tmp/n4j --export)"``).
The figures depend on the server's memory: the dev server's defaults (1 GB heap, 256 MB page
cache) are smaller than the store these loads leave (about 750 MB) and than what a Neo4j on
the same machine takes when neo4j.conf sets no memory (the JVM's default heap, a quarter of
RAM; a page cache computed from the free memory, about half of it);
``NEO4J_DEV_HEAP=4g NEO4J_DEV_PAGECACHE_MB=2048`` before ``start`` gives it room. The first
line printed says what the server has.
Every figure comes from one run, against the baseline measured in that run: the batched
``UNWIND ... MERGE`` of every row (``--merge``, what the loader did for every load before
it kept per-table markers). Then, into an empty database each time:

- the first load (CREATE path) at each batch size, with each number of sessions;
- a second load of the same graph (every table skipped by its marker);
- a load broken off halfway through the relationships, then resumed (diff path), against
  the same resume done by MERGE;
- optionally (``--csv``) the CSV files of ``neo4j export-csv`` read by ``LOAD CSV``.

Each first-load configuration runs ``--repeat`` times (default 2) so one noisy figure is
not trusted. The first line of each gives relationships (and nodes) over the whole load,
nodes included; the second splits the load at its first relationship batch (every node is
written by then) into a node phase and a relationship phase, each with its own rate. The
baseline runs in one session; the reloads and resumes in the loader's default number of
sessions.

    python bench/neo4j_load.py --filings 70000 --batch-sizes 5000,10000,20000,50000 --workers 1,2
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contextlib

from insidergraph.backends.neo4j.csv_export import export_csv, load_csv_statements
from insidergraph.backends.neo4j.load import Neo4jConfig, connect, counts, load
from insidergraph.backends.neo4j.statements import clear_statements
from insidergraph.graph.build import GraphBuilder
from insidergraph.graph.tables import GraphTables
from insidergraph.loaders.xml import parse_bytes

from synth import generate


def clear(cfg: Neo4jConfig) -> None:
    """Empty the database, load markers included (constraints stay)."""
    driver = connect(cfg)
    with driver.session(database=cfg.database) as s:
        for statement in clear_statements(10_000):
            s.run(statement).consume()
    driver.close()


def server_line(cfg: Neo4jConfig) -> str:
    """Version, heap and page cache of the server, so each run says what it was measured on."""
    driver = connect(cfg)
    try:
        version = driver.execute_query("CALL dbms.components() YIELD versions, edition "
                                       "RETURN versions[0] + ' ' + edition AS v",
                                       database_=cfg.database).records[0]["v"]
        heap = driver.execute_query("CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes "
                                    "RETURN attributes.HeapMemoryUsage.value.properties.max AS b",
                                    database_=cfg.database).records[0]["b"]
        cache = driver.execute_query("SHOW SETTINGS YIELD name, value WHERE name = 'server.memory.pagecache.size' "
                                     "RETURN value", database_=cfg.database).records[0]["value"]
    finally:
        driver.close()
    return f"server: Neo4j {version}, heap max {heap / 2**30:.1f} GiB, page cache {cache}"


def csv_load(cfg: Neo4jConfig, import_dir: Path, tables: GraphTables) -> float:
    """Export CSV into the server's import folder and LOAD CSV it; returns seconds."""
    out = import_dir / "bench-csv"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    export_csv(tables, out)
    driver = connect(cfg)
    with driver.session(database=cfg.database) as s:
        for statement in load_csv_statements("file:///bench-csv", rows_per_transaction=20000):
            s.run(statement).consume()
    driver.close()
    return time.perf_counter() - t0


class _Halfway(Exception):
    """Raised by the batch hook to break a load off."""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--filings", type=int, default=70_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--batch-sizes", default="5000,10000,20000,50000")
    ap.add_argument("--workers", default="1,2", help="comma-separated session counts to compare")
    ap.add_argument("--baseline-batch", type=int, default=5000, help="batch size of the MERGE baseline")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each first-load configuration")
    ap.add_argument("--csv", action="store_true", help="also time the CSV + LOAD CSV path")
    args = ap.parse_args()
    cfg = Neo4jConfig.from_env()

    t0 = time.perf_counter()
    builder = GraphBuilder()
    for name, data in generate(args.filings, args.seed):
        builder.add(parse_bytes(data, name))
    tables = builder.tables()
    c = tables.counts()
    n_nodes, n_rels = sum(c["nodes"].values()), sum(c["edges"].values())
    print(f"synthetic graph: {args.filings} filings, {n_nodes} nodes, {n_rels} relationships "
          f"(generated, parsed and built in {time.perf_counter() - t0:.1f} s)")
    logging.getLogger("neo4j").addHandler(logging.NullHandler())
    print(server_line(cfg), f"; load average {os.getloadavg()[0]:.2f} at the start", sep="")

    def timed(label: str, baseline: float | None = None, **kw: Any) -> float:
        clear(cfg)
        # Every node is written before the first relationship batch is handed out, so the
        # first relationship batch splits the load into its node and relationship phases.
        edges_from: list[float] = []

        def phase_mark(kind: str, name: str, index: int) -> None:
            if kind == "edges" and not edges_from:
                edges_from.append(time.perf_counter())

        t = time.perf_counter()
        summary = load(tables, cfg, on_batch=phase_mark, **kw)
        end = time.perf_counter()
        dt = end - t
        assert counts(cfg) == c, "load lost or duplicated rows"
        ratio = f"  {baseline / dt:5.2f}x baseline" if baseline else "  (baseline)"
        split = end if not edges_from else edges_from[0]
        print(f"{label:44} {dt:7.1f} s  {n_nodes / dt:9.0f} nodes/s  {n_rels / dt:9.0f} rels/s{ratio}  "
              f"[{', '.join(sorted(set(summary.paths.values())))}]  load average {os.getloadavg()[0]:.1f}\n"
              f"{'':44}   phases: nodes {split - t:5.1f} s ({n_nodes / (split - t):7.0f} nodes/s), "
              f"relationships {end - split:5.1f} s ({n_rels / max(end - split, 1e-9):7.0f} rels/s)", flush=True)
        return dt

    base = min(timed(f"MERGE every row (baseline), 1 session, batch {args.baseline_batch}",
                     batch_size=args.baseline_batch, workers=1, always_merge=True) for _ in range(args.repeat))
    for workers in [int(w) for w in args.workers.split(",")]:
        for size in [int(s) for s in args.batch_sizes.split(",")]:
            for _ in range(args.repeat):
                timed(f"first load, {workers} session(s), batch {size}", base, batch_size=size, workers=workers)
    base = min(base, timed(f"MERGE every row (baseline again), batch {args.baseline_batch}", base,
                           batch_size=args.baseline_batch, workers=1, always_merge=True))

    t = time.perf_counter()
    summary = load(tables, cfg, batch_size=args.baseline_batch)
    assert set(summary.paths.values()) == {"skip"}
    print(f"second load of the same graph (every table skipped): {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    load(tables, cfg, batch_size=args.baseline_batch, always_merge=True)
    print(f"second load with --merge (every row MATCHed): {time.perf_counter() - t:.1f} s")

    # Resume after a break halfway through the relationships: diff path against MERGE.
    half = n_rels // 2
    for always_merge in (False, True):
        clear(cfg)
        seen = [0]

        def hook(kind: str, name: str, index: int, seen: list[int] = seen) -> None:
            if kind == "edges":
                seen[0] += 1
                if seen[0] * args.baseline_batch >= half:
                    raise _Halfway

        with contextlib.suppress(_Halfway):
            load(tables, cfg, batch_size=args.baseline_batch, on_batch=hook)
        missing = n_rels - sum(counts(cfg)["edges"].values())
        t = time.perf_counter()
        load(tables, cfg, batch_size=args.baseline_batch, always_merge=always_merge)
        dt = time.perf_counter() - t
        assert counts(cfg) == c
        how = "--merge" if always_merge else "diff path"
        print(f"resume of a load broken off with {missing} relationships missing, {how}: {dt:.1f} s "
              f"({missing / dt:.0f} missing rels/s)", flush=True)

    import_dir = os.environ.get("NEO4J_IMPORT_DIR")
    if args.csv and import_dir:
        clear(cfg)
        dt = csv_load(cfg, Path(import_dir), tables)
        print(f"CSV bulk path (export + LOAD CSV): {dt:7.1f} s  {n_nodes / dt:9.0f} nodes/s  {n_rels / dt:9.0f} rels/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
