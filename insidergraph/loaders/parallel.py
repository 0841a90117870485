"""Parse many files on several cores, in input order, one bad file never stopping the rest.

Parsing is CPU-bound Python, so threads do not help; worker processes each parse a
chunk of paths and send the filings back pickled. Small inputs stay in this process:
starting workers costs more than it saves below a few hundred files.

>>> [(p, type(x).__name__) for p, x in parse_many(["/no/such/file.xml"])]
[('/no/such/file.xml', 'ParseError')]
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Iterable, Iterator

from insidergraph.errors import InsiderGraphError, ParseError
from insidergraph.loaders._io import STDIN
from insidergraph.loaders.model import Filing

#: Below this many files ``jobs=None`` parses in-process.
PARALLEL_MIN_FILES = 500
#: Paths per task sent to a worker: large enough to amortise the round trip, small
#: enough that results stream back while the rest is parsed.
CHUNK = 64

Outcome = tuple[str, "Filing | InsiderGraphError"]


def default_jobs(n_files: int) -> int:
    """Worker count for ``n_files`` when the user did not say: every core, for large inputs.

    >>> default_jobs(10)
    1
    """
    if n_files < PARALLEL_MIN_FILES:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8))


def parse_one(path: str) -> Outcome:
    """Parse one path; any failure comes back as an error naming the file, never raised.

    >>> parse_one("/no/such/file.xml")[1].message.startswith("cannot read")
    True
    """
    from insidergraph.loaders.detect import parse_path

    try:
        return path, parse_path(path)
    except InsiderGraphError as err:
        return path, err
    except Exception as err:  # noqa: BLE001
        # A loader bug on odd input must not stop the batch or hide which file caused it.
        return path, ParseError(path, f"internal error ({type(err).__name__}: {err})")


def parse_many(paths: Iterable[str], jobs: int | None = None) -> Iterator[Outcome]:
    """``(path, Filing or error)`` for every path, in the order given.

    ``jobs`` worker processes parse (``None``: :func:`default_jobs`; ``1``: this process).
    Standard input (``-``) is always read here, as workers cannot share it.
    """
    items = list(paths)
    n = default_jobs(len(items)) if jobs is None else max(1, jobs)
    if n == 1 or len(items) < 2:
        for p in items:
            yield parse_one(p)
        return
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    # fork: workers inherit the imported loaders instead of importing them again.
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ctx.Pool(n) as pool:
        for chunk, results in zip(chunks, pool.imap(_parse_chunk_or_stdin, chunks)):
            for p, outcome in zip(chunk, results):
                yield outcome if outcome is not None else parse_one(p)


def _parse_chunk_or_stdin(paths: list[str]) -> list[Outcome | None]:
    # None marks stdin, which the parent reads itself in order.
    return [None if p == STDIN else parse_one(p) for p in paths]


__all__ = ["parse_many", "parse_one", "default_jobs", "PARALLEL_MIN_FILES"]
