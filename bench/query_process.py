"""Whole ``insidergraph query NAME --store S`` processes, as a user runs them, best of N.

Each query runs as a new process per engine (start-up, imports, opening the store and the
engine, the query, the CSV on stdout), beside two baselines of the same run: the bare
interpreter starting with ``import insidergraph`` (what no command can avoid), and,
given ``--baseline REV``, the same commands on that commit (a ``git worktree`` of it, run
with this interpreter). The outputs of both are compared byte for byte.

    python bench/query_process.py --store /tmp/qp-store --repeat 5
    python bench/query_process.py --store /tmp/qp-store --baseline 0fe9173~1 --engines cypher,sparql
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load() -> str:
    """The machine's load average (1, 5, 15 minutes)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def best(argvs: list[tuple[list[str], Path]], repeat: int) -> list[tuple[float, str]]:
    """For each ``(argv, cwd)``, the best wall time of ``repeat`` runs and the digest of its
    stdout; the commands take turns, so that a change in the machine's load hits them alike."""
    times: list[list[float]] = [[] for _ in argvs]
    digests = [""] * len(argvs)
    for _ in range(repeat):
        for k, (argv, cwd) in enumerate(argvs):
            env = {**os.environ, "PYTHONPATH": str(cwd)}  # the tree's own insidergraph
            start = time.perf_counter()
            out = subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True).stdout
            times[k].append(time.perf_counter() - start)
            digests[k] = hashlib.sha256(out).hexdigest()[:12]
    return [(min(t), d) for t, d in zip(times, digests)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True, help="a built store")
    ap.add_argument("--queries", default="shared-directors,interlocks")
    ap.add_argument("--engines", default="cypher,sparql")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--baseline", help="a commit to run the same commands on (git worktree)")
    args = ap.parse_args()
    print(f"load average at start: {_load()}")
    py = sys.executable
    ((bare, _),) = best([([py, "-c", "import insidergraph"], ROOT)], args.repeat)
    print(f"baseline: python -c 'import insidergraph'  {bare:.3f} s")
    trees = [("now", ROOT)]
    tmp = None
    if args.baseline:
        tmp = Path(tempfile.mkdtemp(prefix="qp-base-"))
        subprocess.run(["git", "worktree", "add", "--detach", str(tmp / "tree"), args.baseline],
                       cwd=ROOT, check=True, capture_output=True)
        trees.insert(0, (args.baseline, tmp / "tree"))
    try:
        print("| query | engine | " + " | ".join(name for name, _ in trees) + " | vs import |" +
              (" speed-up | same output |" if args.baseline else ""))
        for query in args.queries.split(","):
            for engine in args.engines.split(","):
                argv = [py, "-m", "insidergraph.cli", "query", query, "--store", args.store, "--engine", engine]
                cells = best([(argv, tree) for _, tree in trees], args.repeat)
                now = cells[-1][0]
                times = " | ".join(f"{t:.3f} s" for t, _ in cells)
                row = f"| {query} | {engine} | {times} | {now / bare:.1f}x |"
                if args.baseline:
                    row += f" {cells[0][0] / now:.2f}x | {cells[0][1] == cells[-1][1]} |"
                print(row, flush=True)
    finally:
        if tmp is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(tmp / "tree")], cwd=ROOT, check=False)
    print(f"load average at end: {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
