"""Benchmark of the SPARQL servers: the load rate into each, and each named query's time
there beside the embedded pyoxigraph engine, measured in the same run.

Synthetic filings from ``bench/synth.py`` (deterministic by seed) are built into a store;
``scripts/sparql-dev-server`` starts Fuseki and the Oxigraph server on 127.0.0.1 (stopped
however the run ends). For each server: the first ``insidergraph sparql load`` (triples/s)
and a second one (which replaces every graph), then every named query without a required
option, and ``insider-roles`` / ``issuer-insiders`` for the first person and ticker of the
store: the best of ``--repeat`` runs, as a ratio to the embedded engine's best.

    python bench/sparql_server.py                       # 5,000 filings
    python bench/sparql_server.py --filings 20000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "sparql-dev-server"


def start_servers(directory: Path) -> dict[str, str]:
    """Start both servers; their settings as a dict of the printed lines."""
    out = subprocess.run([sys.executable, str(SCRIPT), "start", "--dir", str(directory)], check=True,
                         capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.split())


def cases(store: Any) -> list[tuple[str, dict[str, Any]]]:
    """The named queries to time, with values for the options some require."""
    from insidergraph.queries.registry import QUERIES

    tables = store.tables()
    person = tables.to_arrow("nodes", "Person").column("cik").drop_null()[0].as_py()
    tickers = tables.to_arrow("nodes", "Company").column("ticker").drop_null()
    given = {"insider-roles": {"person": person}, "issuer-insiders": {"issuer": tickers[0].as_py()}}
    out = []
    for name, query in QUERIES.items():
        if name in given:
            out.append((name, given[name]))
        elif not any(p.required for p in query.params):
            out.append((name, {}))
    return out


def best(repeat: int, call: Any) -> tuple[float, int]:
    """The best time of ``repeat`` calls, and the rows of the last."""
    times, rows = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        rows = len(call())
        times.append(time.perf_counter() - t0)
    return min(times), rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--filings", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)

    from queries import build

    from insidergraph.backends.sparql_server.engine import SparqlServerEngine
    from insidergraph.backends.sparql_server.load import load
    from insidergraph.graph.store import Store
    from insidergraph.queries import normalise, run
    from insidergraph.queries.registry import QUERIES

    print(f"load average {os.getloadavg()[0]:.2f} at the start; {args.filings:,} synthetic filings")
    with tempfile.TemporaryDirectory(prefix="bench-sparql-") as tmp:
        path = Path(tmp) / "store"
        build(args.filings, args.seed, path)
        store = Store(path)
        todo = cases(store)
        embedded = {name: best(args.repeat, lambda n=name, p=params: run(n, store, engine="sparql", **p))
                    for name, params in todo}
        env = start_servers(Path(tmp) / "servers")
        try:
            for server in ("oxigraph", "fuseki"):
                key = server.upper()
                creds = {"SPARQL_USER": env[f"{key}_USER"], "SPARQL_PASSWORD": env[f"{key}_PASSWORD"]} \
                    if f"{key}_USER" in env else {}
                os.environ.update(creds)
                for attempt in ("first", "second"):
                    summary = load(store, env[f"{key}_GSP_URL"], timeout=600)
                    print(f"{server} {attempt} load: {summary.line()}")
                engine = SparqlServerEngine(None, env[f"{key}_QUERY_URL"], timeout=600)
                for name, params in todo:
                    query = QUERIES[name]
                    took, rows = best(args.repeat,
                                      lambda q=query, p=params, e=engine: normalise(q, e.run_named(q, q.bind(p))))
                    base, base_rows = embedded[name]
                    assert rows == base_rows, (server, name, rows, base_rows)
                    print(f"{server} {name}: {took:.3f} s, embedded {base:.3f} s ({took / base:.1f}x), {rows} rows")
                engine.close()
                for k in creds:
                    os.environ.pop(k)
        finally:
            subprocess.run([sys.executable, str(SCRIPT), "stop", "--dir", str(Path(tmp) / "servers")], check=False)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
