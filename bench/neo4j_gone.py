"""How long ``neo4j load`` takes to report a server that died mid-load, against a baseline commit.

Each round starts a throw-away server with ``scripts/neo4j-dev-server``, loads a store into
it, kills the server (SIGKILL) at the second node batch and times from the kill to the
loader's error. The baseline is the same loader from ``--baseline COMMIT`` (``git archive``
into a temporary folder, run in a process of its own), in the same run::

    python bench/neo4j_gone.py --store insidergraph-store --baseline 6a8aade

Prints one line per round and the load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_ROUND = """
import os, signal, sys, time
sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
sys.path.insert(0, sys.argv[1])
import logging
logging.getLogger("neo4j").addHandler(logging.NullHandler())
logging.getLogger("neo4j").propagate = False
from insidergraph.errors import Neo4jError
from insidergraph.backends.neo4j.load import Neo4jConfig, load
from insidergraph.graph.store import Store
uri, user, password, pid, store = sys.argv[2:7]
killed = []
def hook(kind, name, index):
    if kind == "nodes" and index == 1 and not killed:
        os.kill(int(pid), signal.SIGKILL)
        killed.append(time.monotonic())
try:
    load(Store(store).tables(), Neo4jConfig(uri, user, password), batch_size=20, on_batch=hook)
    print("no error")
except Neo4jError as err:
    print(f"{time.monotonic() - killed[0]:.1f}", err)
"""


def one_round(code: Path, store: str, work: Path) -> str:
    directory = work / "doomed"
    script = str(ROOT / "scripts" / "neo4j-dev-server")
    started = subprocess.run([script, "start", "--dir", str(directory)], capture_output=True, text=True,
                             timeout=300, check=True)
    try:
        env = dict(line.split("=", 1) for line in started.stdout.split())
        pid = (directory / "neo4j.pid").read_text().strip()
        out = subprocess.run([sys.executable, "-c", _ROUND, str(code), env["NEO4J_URI"], env["NEO4J_USER"],
                              env["NEO4J_PASSWORD"], pid, store],
                             capture_output=True, text=True, timeout=900, check=False)
        return out.stdout.strip() or out.stderr.strip().splitlines()[-1]
    finally:
        subprocess.run([script, "stop", "--dir", str(directory)], capture_output=True, timeout=120, check=False)
        shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True, help="a built store (a few hundred filings is plenty)")
    ap.add_argument("--baseline", required=True, help="commit whose loader is the baseline")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="insidergraph-gone-") as tmp:
        work = Path(tmp)
        base = work / "baseline"
        base.mkdir()
        archive = subprocess.run(["git", "archive", args.baseline, "insidergraph"], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        for i in range(args.repeat):
            for label, code in (("now", ROOT), (f"baseline {args.baseline}", base)):
                line = one_round(code, args.store, work)
                seconds = line.split(" ", 1)[0]
                print(f"round {i + 1} {label}: {seconds} s from the kill to the error ({line.split(' ', 1)[-1][:90]})")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")


if __name__ == "__main__":
    main()
