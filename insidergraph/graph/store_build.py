"""``insidergraph build``: files and folders parsed, a bad file reported and passed over, the
rest added to a :class:`~insidergraph.graph.store.Store` at once.

>>> import tempfile
>>> build_store([], tempfile.mkdtemp(), engines=Engines()).summary().startswith("filings read 0")
True
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from insidergraph.errors import InsiderGraphError
from insidergraph.graph.store import DEFAULT_STORE, Engines, Store
from insidergraph.model import Filing, PowerOfAttorney


@dataclass
class BuildResult:
    """What one build did."""

    read: int = 0
    added: int = 0
    failed: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: filings read, failed, nodes and edges by type."""
        nodes = ", ".join(f"{k} {v}" for k, v in self.counts.get("nodes", {}).items())
        edges = ", ".join(f"{k} {v}" for k, v in self.counts.get("edges", {}).items() if v)
        return (
            f"filings read {self.read}, added {self.added}, failed {len(self.failed)}; "
            f"nodes: {nodes}; edges: {edges}"
        )


def build_store(
    paths: Iterable[str],
    store: str | Path = DEFAULT_STORE,
    on_error: Callable[[InsiderGraphError], None] | None = None,
    strict: bool = False,
    progress: bool = False,
    sparql: str | None = None,
    *,
    engines: Engines,
) -> BuildResult:
    """Parse every input (files, folders, ``-``) and add it to the store with ``engines``
    (:func:`insidergraph.backends.store_engines` for every embedded one).

    A file that fails is reported through ``on_error`` and the rest still go in;
    ``strict`` stops at the first failure instead. ``sparql`` is what the embedded
    SPARQL store holds (see :meth:`Store.add`). ``progress`` draws a bar on stderr.

    >>> import tempfile
    >>> build_store([], tempfile.mkdtemp(), engines=Engines()).read
    0
    """
    from insidergraph.console import Bars
    from insidergraph.loaders.detect import iter_path, iter_paths

    result = BuildResult()
    Store(store)._check_format()  # an old or damaged store says so before any file is read
    files = list(iter_paths(list(paths)))

    def parsed() -> Iterable[Filing | PowerOfAttorney]:
        with Bars(progress) as bars:
            bars.add("parsing filings", len(files))
            for path in files:
                try:
                    # One filing per file, many per data set.
                    for item in iter_path(path, powers=True, every_document=False):
                        if isinstance(item, InsiderGraphError):
                            if strict:
                                raise item
                            result.failed.append(str(item))
                            if on_error:
                                on_error(item)
                        else:
                            yield item
                finally:
                    bars.advance("parsing filings")

    stream = iter(parsed())
    first = next(stream, None)
    if first is None and not Store(store).exists():
        return result  # nothing could be read: no empty store is made for it
    filings = stream if first is None else itertools.chain([first], stream)
    result.read, result.added, tables = Store(store).add(filings, sparql=sparql, engines=engines)
    result.counts = tables.counts()
    return result


__all__ = ["BuildResult", "build_store"]
