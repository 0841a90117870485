"""What ``insidergraph parse`` does: parse every file, print each filing, report failures.

>>> import io
>>> out = io.StringIO()
>>> run_parse(["/no/such/file.xml"], "jsonl", False, on_error=print, out=out)
/no/such/file.xml: cannot read: No such file or directory
1
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import IO

from insidergraph.errors import ParseError
from insidergraph.loaders.detect import iter_path, iter_paths
from insidergraph.model import Filing


def run_parse(
    paths: Iterable[str],
    fmt: str,
    strict: bool,
    on_error: Callable[[str], None],
    out: IO[str] | None = None,
) -> int:
    """Parse ``paths`` and write them to ``out`` (stdout) as ``jsonl`` or ``table``.

    Each failure is passed to ``on_error`` as one ``path:line: message`` line; with
    ``strict`` the run stops there. Returns the number of files that failed.
    """
    out = out if out is not None else sys.stdout
    failed = 0
    table: list[Filing] = []
    if fmt == "jsonl":
        from insidergraph.loaders.jsonout import filing_to_json
    for path in iter_paths(paths):
        try:
            for filing in iter_path(path):  # one filing per file, many per data set
                if isinstance(filing, ParseError):
                    failed += 1
                    on_error(str(filing))
                    if strict:
                        break
                elif fmt == "jsonl":
                    out.write(filing_to_json(filing))
                    out.write("\n")
                else:
                    table.append(filing)
        except Exception as err:  # noqa: BLE001
            # A loader bug on odd input must not hide the other files' output; it is
            # still reported, with its type, and fails the run.
            failed += 1
            on_error(f"{path}: internal error ({type(err).__name__}: {err})")
        if strict and failed:
            break
    if fmt == "table" and table:
        from insidergraph.loaders.summary import print_table

        print_table(table, file=out)
    out.flush()
    return failed
