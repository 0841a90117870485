"""Whether two stores hold the same graph: every graph table's bytes, every triple of the
embedded SPARQL store and every row of the embedded Cypher database.

Used to check an incremental build against a build from scratch at scale (the tests do
the same on the corpus, ``tests/test_incremental.py``):

    python bench/scale.py /tmp/syn100k --store /tmp/s100k-10 --parts 10
    python bench/scale.py /tmp/syn100k --store /tmp/s100k-1
    python bench/compare_stores.py /tmp/s100k-10 /tmp/s100k-1

Exits 1 when they differ, naming what differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import ladybug as lb
import pyoxigraph as ox

from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES
from insidergraph.graph.store import Store


def triples(store: Store) -> set[str]:
    return {str(q) for q in ox.Store.read_only(str(store.engines_dir / "oxigraph"))}


def ladybug_rows(store: Store, name: str) -> list[str]:
    db = lb.Database(str(store.engines_dir / "ladybug" / "graph.lbug"), read_only=True)
    conn = lb.Connection(db)
    try:
        if name in NODE_TYPES:
            got = conn.execute(f"MATCH (n:{name}) RETURN n.*").get_all()
        else:
            got = conn.execute(f"MATCH (a)-[r:{name}]->(b) RETURN a.id, b.id, r.*").get_all()
        return sorted(map(repr, got))
    finally:
        conn.close()
        db.close()


def differences(a: Store, b: Store) -> list[str]:
    out = []
    for kind in ("nodes", "edges"):
        for f in sorted((a.graph_dir / kind).glob("*.parquet")):
            if f.read_bytes() != (b.graph_dir / kind / f.name).read_bytes():
                out.append(f"graph table {kind}/{f.name}")
    ta, tb = triples(a), triples(b)
    if ta != tb:
        out.append(f"SPARQL store: {len(ta - tb):,} triples only in the first, {len(tb - ta):,} only in the second")
    print(f"{len(ta):,} triples compared", flush=True)
    del ta, tb
    rows = 0
    for name in [*NODE_TYPES, *EDGE_TYPES]:
        ra, rb = ladybug_rows(a, name), ladybug_rows(b, name)
        rows += len(ra)
        if ra != rb:
            out.append(f"Cypher database: {name} ({len(ra):,} rows against {len(rb):,})")
    print(f"{rows:,} Cypher rows compared", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    args = parser.parse_args()
    found = differences(Store(args.first), Store(args.second))
    for line in found:
        print(f"differs: {line}")
    print("the stores are equal" if not found else f"{len(found)} differences")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
