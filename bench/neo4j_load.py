"""Benchmark: loading a synthetic graph of 1,000,000+ relationships into a real Neo4j.

Needs a running server (``eval "$(scripts/neo4j-dev-server start --dir /tmp/n4j)"``)
and prints, for two or three batch sizes, nodes/s and relationships/s of the batched
``UNWIND ... MERGE`` load into an empty database, then the same for the CSV bulk path
(the files ``neo4j export-csv`` writes, read by ``LOAD CSV`` on the server, since
``neo4j-admin`` is not shipped on Maven Central).

    python bench/neo4j_load.py --filings 60000 --batch-sizes 2000,10000,25000
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import generate  # noqa: E402

from insidergraph.graph.build import GraphBuilder  # noqa: E402
from insidergraph.graph.neo4j_csv import export_csv, load_csv_statements  # noqa: E402
from insidergraph.graph.neo4j_load import Neo4jConfig, connect, counts, load  # noqa: E402
from insidergraph.loaders.xml import parse_bytes  # noqa: E402


def clear(cfg: Neo4jConfig) -> None:
    """Empty the database (constraints stay)."""
    driver = connect(cfg)
    with driver.session(database=cfg.database) as s:
        # Relationships first, in modest transactions: a DETACH DELETE of well-connected
        # nodes in large batches exceeds the server's transaction memory pool.
        s.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS").consume()
        s.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    driver.close()


def csv_load(cfg: Neo4jConfig, import_dir: Path, tables: object) -> float:
    """Export CSV into the server's import folder and LOAD CSV it; returns seconds."""
    out = import_dir / "bench-csv"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    export_csv(tables, out)  # type: ignore[arg-type]
    driver = connect(cfg)
    with driver.session(database=cfg.database) as s:
        for statement in load_csv_statements("file:///bench-csv", rows_per_transaction=20000):
            s.run(statement).consume()
    driver.close()
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--filings", type=int, default=60_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--batch-sizes", default="2000,10000,25000")
    ap.add_argument("--workers", default="1,2", help="comma-separated session counts to compare")
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
    for workers in [int(w) for w in args.workers.split(",")]:
        for size in [int(s) for s in args.batch_sizes.split(",")]:
            clear(cfg)
            t = time.perf_counter()
            load(tables, cfg, batch_size=size, workers=workers)
            dt = time.perf_counter() - t
            assert counts(cfg) == c, "load lost or duplicated rows"
            print(f"batched MERGE, {workers} worker(s), batch {size:>6}: {dt:7.1f} s  {n_nodes / dt:9.0f} nodes/s  "
                  f"{n_rels / dt:9.0f} rels/s (overall {(n_nodes + n_rels) / dt:9.0f} rows/s)")
    t = time.perf_counter()
    load(tables, cfg, batch_size=10000)
    print(f"second load (all MATCHed, nothing created): {time.perf_counter() - t:.1f} s")

    import_dir = os.environ.get("NEO4J_IMPORT_DIR")
    if import_dir:
        clear(cfg)
        dt = csv_load(cfg, Path(import_dir), tables)
        print(f"CSV bulk path (export + LOAD CSV): {dt:7.1f} s  {n_nodes / dt:9.0f} nodes/s  {n_rels / dt:9.0f} rels/s")
    else:
        print("CSV bulk path skipped: NEO4J_IMPORT_DIR is not set")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
