"""Benchmark of the SPARQL servers: the load rate into each, and each named query's time
there beside the embedded pyoxigraph engine, measured in the same run.

Synthetic filings from ``bench/synth.py`` (deterministic by seed) are built into a store;
``scripts/sparql-dev-server`` starts Fuseki and the Oxigraph server on 127.0.0.1 (stopped
however the run ends). For each server: the first ``insidergraph sparql load`` (triples/s)
and a second one (which replaces every graph), then every named query without a required
option, and ``insider-roles`` / ``issuer-insiders`` for the first person and ticker of the
store: the best of ``--repeat`` runs, as a ratio to the embedded engine's best. A query a
server fails (``--timeout``) or answers with other rows than the embedded engine is
reported on its line and makes the exit status 1; the run goes on. SIGTERM stops the
servers too.

``--servers`` picks the servers (and their order), ``--protocol update`` loads by SPARQL
Update, ``--protocol quads`` by N-Quads to the dataset, ``--graph IRI`` loads everything
into one named graph (for the servers of ``--graph-for``), ``--store DIR`` keeps the
synthetic store to reuse in a later run.

    python bench/sparql_server.py                       # 5,000 filings
    python bench/sparql_server.py --filings 20000 --repeat 3
    python bench/sparql_server.py --filings 100000 --repeat 1 --servers oxigraph --store /tmp/s100k
    python bench/sparql_server.py --servers fuseki --graph https://example.org/all --heap 4g
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "sparql-dev-server"
SERVERS = ("oxigraph", "fuseki")


def start_servers(directory: Path, servers: list[str], timeout: float) -> dict[str, str]:
    """Start ``servers``; their settings as a dict of the printed lines."""
    env: dict[str, str] = {}
    for server in servers:
        out = subprocess.run([sys.executable, str(SCRIPT), "start", "--dir", str(directory), "--only", server,
                              "--timeout", str(timeout)], check=True, capture_output=True, text=True,
                             timeout=timeout + 600).stdout  # a first Fuseki start fetches its jars
        for line in out.split():
            key, _, value = line.partition("=")
            env[key] = value
    return env


def stop_servers(directory: Path) -> None:
    """Stop whatever servers run in ``directory`` (SIGKILL after 60 s)."""
    subprocess.run([sys.executable, str(SCRIPT), "stop", "--dir", str(directory), "--timeout", "60"],
                   check=False, timeout=300)


def peak_rss(directory: Path, server: str) -> str:
    """The server process's peak resident memory so far (VmHWM), or ``?``."""
    try:
        pid = (directory / server / "pid").read_text().strip()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return f"{int(line.split()[1]) / 1024:,.0f} MB"
    except (OSError, ValueError):
        pass
    return "?"


def disk(directory: Path, server: str) -> str:
    """What the server's folder (its database) takes on disk."""
    size = sum(p.stat().st_size for p in (directory / server).rglob("*") if p.is_file())
    return f"{size / 1e9:,.2f} GB"


def _interrupted(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # so the servers are stopped by the finally below


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
    ap.add_argument("--servers", default=",".join(SERVERS),
                    help=f"comma-separated servers to run, in order (default {','.join(SERVERS)})")
    ap.add_argument("--protocol", choices=("gsp", "update", "quads"), default="gsp",
                    help="how `sparql load` writes: Graph Store protocol a graph a request, SPARQL Update, "
                         "or N-Quads to the dataset after an update's drops (default gsp)")
    ap.add_argument("--graph", metavar="IRI",
                    help="load everything into this one named graph (default: a graph per filing)")
    ap.add_argument("--graph-for", metavar="SERVERS", default="",
                    help="comma-separated servers that --graph applies to (default: all)")
    ap.add_argument("--batch", type=int, help="triples per request (default: `sparql load`'s for the protocol)")
    ap.add_argument("--loads", type=int, default=2, help="loads into each server, each timed (default 2)")
    ap.add_argument("--timeout", type=float, default=600.0,
                    help="seconds each request (a load's batch, a query) may take (default 600)")
    ap.add_argument("--heap", help="Fuseki's JVM heap, e.g. 4g (FUSEKI_DEV_HEAP; default the script's 1g)")
    ap.add_argument("--store", type=Path, metavar="DIR",
                    help="keep the synthetic store in DIR and reuse it when it is there (default: a temporary one)")
    args = ap.parse_args(argv)
    servers = [s for s in args.servers.split(",") if s]
    unknown = sorted(set(servers) - set(SERVERS))
    if unknown or not servers:
        ap.error(f"--servers: unknown {', '.join(unknown) or '(none)'}; choose from {', '.join(SERVERS)}")
    graph_for = set(args.graph_for.split(",")) - {""} or set(servers)
    if args.heap:
        os.environ["FUSEKI_DEV_HEAP"] = args.heap

    from queries import build

    from insidergraph.backends.sparql_server.client import SparqlServerError
    from insidergraph.backends.sparql_server.engine import SparqlServerEngine
    from insidergraph.backends.sparql_server.load import load
    from insidergraph.graph.store import Store
    from insidergraph.queries import normalise, run
    from insidergraph.queries.registry import QUERIES

    signal.signal(signal.SIGTERM, _interrupted)
    print(f"load average {_loadavg()} at the start; {args.filings:,} synthetic filings; "
          f"servers {','.join(servers)}, protocol {args.protocol}"
          + (f", one graph <{args.graph}> for {','.join(sorted(graph_for))}" if args.graph else ""), flush=True)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="bench-sparql-") as tmp:
        path = args.store if args.store is not None else Path(tmp) / "store"
        if args.store is not None and Store(path).exists():
            print(f"reusing the store {path}", flush=True)
        else:
            t0 = time.perf_counter()
            build(args.filings, args.seed, path)
            print(f"store built in {time.perf_counter() - t0:.1f} s", flush=True)
        store = Store(path)
        todo = cases(store)
        embedded = {}
        for name, params in todo:
            embedded[name] = best(args.repeat, lambda n=name, p=params: run(n, store, engine="sparql", **p))
            print(f"embedded {name}: {embedded[name][0]:.3f} s, {embedded[name][1]} rows", flush=True)
        home = Path(tmp) / "servers"
        try:
            env = start_servers(home, servers, 180.0)
            for server in servers:
                key = server.upper()
                creds = {"SPARQL_USER": env[f"{key}_USER"], "SPARQL_PASSWORD": env[f"{key}_PASSWORD"]} \
                    if f"{key}_USER" in env else {}
                os.environ.update(creds)
                endpoint = env[f"{key}_UPDATE_URL" if args.protocol == "update" else f"{key}_GSP_URL"]
                dropper = env[f"{key}_UPDATE_URL"] if args.protocol == "quads" else None
                graph = args.graph if server in graph_for else None
                for attempt in range(1, args.loads + 1):
                    summary = load(store, endpoint, graph=graph, protocol=args.protocol, timeout=args.timeout,
                                   update_endpoint=dropper, batch=args.batch)
                    print(f"{server} load {attempt}: {summary.line()}; load average {_loadavg()}; "
                          f"server peak RSS {peak_rss(home, server)}; on disk {disk(home, server)}", flush=True)
                engine = SparqlServerEngine(None, env[f"{key}_QUERY_URL"], timeout=args.timeout)
                for name, params in todo:
                    query = QUERIES[name]
                    base, base_rows = embedded[name]
                    try:
                        took, rows = best(args.repeat,
                                          lambda q=query, p=params, e=engine: normalise(q, e.run_named(q, q.bind(p))))
                    except SparqlServerError as err:
                        failures += 1
                        print(f"{server} {name}: FAILED ({err}); embedded {base:.3f} s", flush=True)
                        continue
                    mark = "" if rows == base_rows else f" ROWS DIFFER: embedded {base_rows}"
                    failures += rows != base_rows
                    print(f"{server} {name}: {took:.3f} s, embedded {base:.3f} s ({_ratio(took, base)}), "
                          f"{rows} rows{mark}", flush=True)
                engine.close()
                print(f"{server} peak RSS {peak_rss(home, server)}", flush=True)
                for k in creds:
                    os.environ.pop(k)
        finally:
            stop_servers(home)
    print(f"load average {_loadavg()} at the end", flush=True)
    return 1 if failures else 0


def _ratio(took: float, base: float) -> str:
    """``took`` as a multiple of ``base``, or as how many times faster when under half.

    >>> _ratio(3.0, 1.0), _ratio(0.25, 9.0)
    ('3.0x', '36.0x faster')
    """
    if base <= 0 or took <= 0:
        return "n/a"
    return f"{took / base:.1f}x" if took * 2 >= base else f"{base / took:.1f}x faster"


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    sys.exit(main())
