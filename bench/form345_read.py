"""Reading one synthetic quarter of SEC's Insider Transactions Data Set (``parse_dataset``).

A quarter of about 36,000 filings (2024's size) is drawn by ``bench/synth.py``, read back with
the XML loader (timed: the per-file path the data set replaces), written as one data set zip by
``export --format form345``'s writer, then read three ways in this run:

* bare ``pyarrow.csv.read_csv`` of the zip's eight TSVs, all columns as strings: the baseline,
  the floor of any column-wise reader;
* ``insidergraph.loaders.form345.parse_dataset``: typed, joined, into ``Filing`` objects;
* the XML loader on the same filings' XML documents, in memory.

Each figure is the best of ``--repeat`` runs (CPU time of this process), quoted as a ratio to
the baseline, with the machine's load average::

    python bench/form345_read.py --filings 36000 --repeat 3
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from insidergraph.graph.export_form345 import write_dataset
from insidergraph.loaders.form345 import parse_dataset
from insidergraph.loaders.xml import parse_bytes


def _synth():  # type: ignore[no-untyped-def]
    path = Path(__file__).with_name("synth.py")
    spec = importlib.util.spec_from_file_location("insidergraph_bench_synth", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _best(fn: Callable[[], int], repeat: int) -> tuple[float, int]:
    best, out = float("inf"), 0
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t0)
    return best, out


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python bench/form345_read.py --filings N --repeat R``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--filings", type=int, default=36_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    docs = [(name, data) for name, data in _synth().generate(args.filings, args.seed)]
    with tempfile.TemporaryDirectory(prefix="form345-bench-") as tmp:
        target = Path(tmp) / "2024q3_form345.zip"
        filings = [parse_bytes(data, name) for name, data in docs]
        folder = Path(tmp) / "tsv"
        write_dataset(filings, folder)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for tsv in sorted(folder.iterdir()):
                zf.write(tsv, tsv.name)
        del filings

        def bare() -> int:
            rows = 0
            with zipfile.ZipFile(target) as zf:
                for info in zf.infolist():
                    data = zf.read(info)
                    names = data.split(b"\n", 1)[0].decode().split("\t")
                    table = pacsv.read_csv(
                        io.BytesIO(data),
                        parse_options=pacsv.ParseOptions(delimiter="\t", newlines_in_values=True),
                        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}),
                    )
                    rows += table.num_rows
            return rows

        def dataset() -> int:
            return sum(1 for _ in parse_dataset(target))

        def xml() -> int:
            return sum(1 for name, data in docs if parse_bytes(data, name))

        load = os.getloadavg()
        size = target.stat().st_size
        base, rows = _best(bare, args.repeat)
        ds, n = _best(dataset, args.repeat)
        xs, _ = _best(xml, args.repeat)
    print(f"{n:,} filings, {rows:,} TSV rows, zip {size / 1e6:.1f} MB; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'reader':<44} {'CPU s':>7} {'filings/s':>10} {'vs baseline':>11}")
    for label, secs in (("bare pyarrow read_csv, strings (baseline)", base), ("parse_dataset into Filing", ds),
                        ("XML loader, same filings, in memory", xs)):
        print(f"{label:<44} {secs:>7.2f} {n / secs:>10,.0f} {secs / base:>10.2f}x")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
