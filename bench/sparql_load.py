"""Benchmark of the SPARQL store's load: N-Triples text from the tables, and pyoxigraph's bulk load.

Synthetic filings from ``bench/synth.py`` (deterministic by seed) are built once into a
store (``--sparql none``, so that building costs nothing of what is measured). Then, in a
fresh subprocess per measurement, the store's tables are read and two things are timed:
``text`` (reading the whole :class:`NTriplesReader` into nothing: the Python/Arrow part)
and ``load`` (the oxigraph backend's ``write``: text, bulk load, optimize).

``--baseline REV`` runs the same measurements on the package as committed at ``REV``
(extracted with ``git archive``), alternating the two ``--rounds`` times in one run: on a
shared machine only ratios measured side by side mean anything.

    python bench/sparql_load.py --filings 20000 --baseline main --rounds 3
    python bench/sparql_load.py --scope relations
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

_CHILD = r"""
import json, sys, time
from insidergraph.graph.store import Store
try:
    from insidergraph.graph.rdf_ntriples import NTriplesReader
    def reader(t, scope): return NTriplesReader(t, row_level=scope == "full")
except ImportError:  # the package before the mapping moved to the schema
    from insidergraph.graph.export_rdf import NTriplesReader
    def reader(t, scope): return NTriplesReader(t, scope=scope)
from insidergraph.backends.oxigraph import engine

store = Store(sys.argv[1]); scope = sys.argv[2]
store.sparql_scope = lambda: scope
tables = store.tables()
t0 = time.perf_counter(); r = reader(tables, scope); n = 0
while chunk := r.read(1 << 20):
    n += len(chunk)
text = time.perf_counter() - t0
t0 = time.perf_counter(); engine.write(store, tables); load = time.perf_counter() - t0
print(json.dumps({"text_s": text, "load_s": load, "mb": n / 1e6}))
"""


def _measure(pythonpath: str, store: Path, scope: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": pythonpath}
    out = subprocess.run([sys.executable, "-c", _CHILD, str(store), scope], env=env, check=True,
                         capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def _extract(rev: str, into: Path) -> Path:
    root = Path(__file__).resolve().parents[1]
    archive = subprocess.run(["git", "-C", str(root), "archive", rev, "insidergraph"], check=True, capture_output=True)
    into.mkdir(parents=True, exist_ok=True)
    tar = into / "rev.tar"
    tar.write_bytes(archive.stdout)
    with tarfile.open(tar) as fh:
        fh.extractall(into, filter="data")
    return into


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--filings", type=int, default=20_000, help="synthetic filings (default 20000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scope", choices=("full", "relations"), default="full")
    ap.add_argument("--baseline", help="git revision to compare with")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)

    from insidergraph.backends import store_engines
    from insidergraph.graph.store import Store
    from insidergraph.loaders.xml import parse_bytes

    from synth import generate

    here = str(Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        t0 = time.perf_counter()
        filings = [parse_bytes(xml, name) for name, xml in generate(args.filings, args.seed)]
        Store(store).add(filings, sparql="none", engines=store_engines())
        print(f"{args.filings:,} filings built in {time.perf_counter() - t0:.1f} s; scope {args.scope}")
        versions = {"this": here}
        if args.baseline:
            versions[args.baseline] = str(_extract(args.baseline, Path(tmp) / "base"))
        best: dict[str, dict[str, float]] = {}
        ratios: dict[str, list[float]] = {"text_s": [], "load_s": []}
        for r in range(args.rounds):
            # Alternate which goes first, so that a load that rises or falls favours neither.
            order = list(versions.items()) if r % 2 == 0 else list(versions.items())[::-1]
            got: dict[str, dict[str, float]] = {}
            for name, path in order:
                m = got[name] = _measure(path, store, args.scope)
                print(f"round {r + 1} {name:>10}: text {m['text_s']:6.2f} s ({m['mb']:.0f} MB)  "
                      f"load {m['load_s']:6.2f} s  load avg {os.getloadavg()[0]:.2f}")
                best[name] = {k: min(v, best.get(name, m)[k]) for k, v in m.items()}
            if args.baseline:
                for k, v in ratios.items():
                    v.append(got["this"][k] / got[args.baseline][k])
        if args.baseline:
            b, t = best[args.baseline], best["this"]
            print(f"best of {args.rounds}: text {t['text_s']:.2f} s vs {b['text_s']:.2f} s "
                  f"(ratio {t['text_s'] / b['text_s']:.2f}); load {t['load_s']:.2f} s vs {b['load_s']:.2f} s "
                  f"(ratio {t['load_s'] / b['load_s']:.2f})")
            print("median of the rounds' ratios (this / baseline): "
                  + ", ".join(f"{k[:-2]} {statistics.median(v):.2f}" for k, v in ratios.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
