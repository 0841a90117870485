"""Benchmark of the named queries on synthetic EDGAR-scale data, per engine.

Synthetic ownership XML from ``bench/synth.py`` (deterministic by seed) is parsed in
memory and built into a store (graph tables, embedded ladybug and pyoxigraph engines);
the script prints the build time by stage, the store's size on disk by part, and the time
of ``shared-directors`` and ``interlocks`` on each engine: the first run (opening the
engine included) and the best of ``--repeat`` warm runs.

    python bench/queries.py                      # 20,000 filings
    python bench/queries.py --filings 200000 --keep /tmp/bench-store
    python bench/queries.py --reuse --keep /tmp/bench-store --baseline HEAD~3   # A/B of the query files
    python bench/queries.py --reuse --keep /tmp/bench-store --engines networkx --processes main

``--processes REV`` times whole ``insidergraph query`` processes instead (start-up and the
engine's loading included, as a user waits for them), with each one's peak RSS: the code of
this tree against that of git revision ``REV`` (``git archive``), alternating, best of
``--repeat``, and says whether both printed the same rows. ``--cases`` lists the command lines;
``{person}`` and ``{issuer}`` stand for the person with the most director seats and one of
their issuers.

Targets (issue 5): at 1,000,000 filings, under 1 s per query on the embedded Cypher and
SPARQL engines, and a build under 10 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
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
#: The ``--processes`` cases: the board queries, and queries scoped to one person or issuer.
CASES = ("shared-directors; interlocks; insider-roles --person {person}; issuer-insiders --issuer {issuer}; "
         "insider-trades --person {person}; insider-summary --issuer {issuer} --days 365; attorney-network; "
         "unauthorized-signatures")


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


def _tree(rev: str, into: Path) -> Path:
    """The files of git revision ``rev`` extracted under ``into``."""
    root = Path(__file__).resolve().parent.parent
    archive = subprocess.run(["git", "archive", rev], cwd=root, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def _process(tree: Path, args: list[str], out: Path) -> tuple[float, int]:
    """Wall time and peak RSS (bytes) of one ``insidergraph query`` process running the code
    under ``tree``, its CSV written to ``out``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, "-c", "from insidergraph.cli import main; main()", "query", *args, "--format", "csv"]
    with out.open("wb") as sink:
        t0 = time.perf_counter()
        # Run from ``out``'s folder: ``python -c`` puts the working directory first on sys.path.
        proc = subprocess.Popen(cmd, env=env, cwd=out.parent, stdout=sink, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed under {tree}: {proc.stderr.read().decode() if proc.stderr else ''}")
    return wall, usage.ru_maxrss * 1024


def _scope(path: Path) -> dict[str, str]:
    """``{person}``: the CIK of the person with the most director seats; ``{issuer}``: their first issuer's."""
    import pyarrow.compute as pc

    from insidergraph.graph.store import Store

    store = Store(path)
    seats = store.graph_table("edges", "DIRECTOR_OF", ("src", "dst")).to_pandas()
    person = seats.groupby("src")["dst"].count().sort_values(ascending=False, kind="stable").index[0]
    issuer = sorted(seats.loc[seats["src"] == person, "dst"])[0]
    cik = {i: store.graph_table("nodes", label, ("id", "cik"), pc.field("id") == i).column("cik")[0].as_py()
           for label, i in (("Person", person), ("Company", issuer))}
    return {"person": cik[person], "issuer": cik[issuer]}


def time_processes(path: Path, engines: list[str], repeat: int, rev: str, cases: str) -> None:
    """Whole ``insidergraph query`` processes on the store, the code of git revision ``rev``
    against this tree's, alternating (best of ``repeat`` each), with their peak RSS."""
    scope = _scope(path)
    print(f"\nwhole processes; load average {Path('/proc/loadavg').read_text().split()[:3]} at the start")
    print(f"{'query':<48} {'engine':<9} {rev + ' s':>9} {'MB':>7} {'current s':>10} {'MB':>7} {'speed-up':>9} "
          f"{'memory':>7}")
    with tempfile.TemporaryDirectory(prefix="ig-bench-rev-") as tmp:
        (Path(tmp) / "rev").mkdir()
        trees = {"baseline": _tree(rev, Path(tmp) / "rev"), "current": Path(__file__).resolve().parent.parent}
        for case in (c.strip().format(**scope) for c in cases.split(";") if c.strip()):
            for engine in engines:
                args = [*case.split(), "--store", str(path), "--engine", engine]
                best = {k: (float("inf"), 0) for k in trees}
                for _ in range(repeat):
                    for label, tree in trees.items():
                        wall, rss = _process(tree, args, Path(tmp) / f"{label}.csv")
                        best[label] = (min(best[label][0], wall), max(best[label][1], rss))
                same = (Path(tmp) / "baseline.csv").read_bytes() == (Path(tmp) / "current.csv").read_bytes()
                (bt, bm), (ct, cm) = best["baseline"], best["current"]
                print(f"{case:<48} {engine:<9} {bt:>8.2f}s {bm / 1e6:>7,.0f} {ct:>9.2f}s {cm / 1e6:>7,.0f} "
                      f"{bt / ct:>8.2f}x {bm / cm:>6.2f}x{'' if same else '  (rows differ!)'}")
    print(f"load average {Path('/proc/loadavg').read_text().split()[:3]} at the end")


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
    ap.add_argument("--processes", metavar="REV",
                    help="instead, time whole `insidergraph query` processes of this tree against git revision "
                         "REV, with peak RSS")
    ap.add_argument("--cases", default=CASES, help="with --processes: `;`-separated query command lines "
                    "({person}, {issuer}: a director with the most seats and one of their issuers)")
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
        if args.processes:
            time_processes(path, engines, args.repeat, args.processes, args.cases)
            return 0
        time_queries(path, engines, args.repeat, tuple(q for q in args.queries.split(",") if q))
        if args.baseline:
            time_baseline(path, engines, args.repeat, args.baseline)
    finally:
        if args.keep is None:
            shutil.rmtree(path.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
