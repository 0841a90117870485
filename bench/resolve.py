"""Benchmark of entity resolution (``--person`` as a CIK, node id, name or part of a name)
on a synthetic store, against the same query bound to the node id without resolution.

For one person of the store, ``insider-roles`` on the embedded Cypher engine: the baseline
is the engine's own run with the node id bound (no resolution); then ``run()`` with each
form of the value, cold (the Person and Company columns read from Parquet and indexed) and
warm (read once per store generation, so a loop over people pays it once). Ratios are to
the baseline of the same run; the load average is printed at the start and the end.

    python bench/resolve.py                                   # 20,000 filings
    python bench/resolve.py --filings 200000 --keep /tmp/resolve-bench
    python bench/resolve.py --reuse --keep /tmp/resolve-bench
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _forms(store: Any) -> dict[str, str]:
    """A person with a CIK and roles, as each form a value may take (the part: unique)."""
    from insidergraph.queries import resolve
    from insidergraph.queries.resolve import entities

    known = entities(store)
    roles = {src for src, _ in known._roles()} if known._roles else set()  # a bench may read inside
    for node in sorted((n for n in known._nodes if n.cik and n.id in roles), key=lambda n: n.id):
        part = node.name.lower()[1:-1]
        try:
            if known.resolve(part, ("Person",)).id != node.id:
                continue
        except resolve.QueryError:
            continue
        return {"CIK": node.cik.lstrip("0") or "0", "node id": node.id, "name": node.name, "part of name": part}
    raise SystemExit("no person with a unique part of a name in this store")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--filings", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None, help="Build the store here and keep it.")
    parser.add_argument("--reuse", action="store_true", help="Use the store already at --keep.")
    args = parser.parse_args()

    from insidergraph.backends import open_engine
    from insidergraph.graph.store import Store
    from insidergraph.queries import QUERIES, run
    from insidergraph.queries import resolve as resolve_module

    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    path = args.keep or Path(tempfile.mkdtemp(prefix="resolve-bench-")) / "store"
    if not args.reuse:
        from queries import build

        build(args.filings, args.seed, path)
    store = Store(path)
    forms = _forms(store)
    query = QUERIES["insider-roles"]
    engine = open_engine("cypher", store)
    bound = query.bind({"person": forms["node id"]})
    engine.run_named(query, bound)  # the engine opened, as for every timing below
    base = _best(lambda: engine.run_named(query, bound), args.repeat)
    print(f"baseline (node id bound, no resolution): {base * 1000:.1f} ms")
    for form, value in forms.items():
        resolve_module._CACHE.clear()  # cold: the tables read again
        t = time.perf_counter()
        rows = run("insider-roles", store, person=value)
        cold = time.perf_counter() - t
        warm = _best(lambda v=value: run("insider-roles", store, person=v), args.repeat)  # type: ignore[misc]
        print(f"{form:>13} {value!r:<28} rows {len(rows):>3}  cold {cold / base:6.1f}x  warm {warm / base:5.1f}x")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
