"""The on-disk store that ``insidergraph build`` writes and every query reads.

Layout of a store directory::

    manifest.json          format version, filing count, table counts
    filings/NNNNNN.pickle  the parsed filings, one chunk per build that added any
    powers/NNNNNN.pickle   standalone powers of attorney (EX-24 exhibit files), likewise
    graph/nodes/*.parquet  the graph tables (see insidergraph.graph.tables)
    graph/edges/*.parquet
    engines/...            embedded query engines built from the tables

Building again adds the new filings; a filing already in the store (same accession,
or the same content without one) changes nothing. The graph is rebuilt from all
filings, so entity resolution always sees everything.

>>> import tempfile
>>> store = Store(tempfile.mkdtemp())
>>> store.exists()
False
"""

from __future__ import annotations

import gc
import json
import pickle
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from insidergraph.errors import InsiderGraphError, StoreError
from insidergraph.graph.build import GraphBuilder
from insidergraph.graph.tables import GraphTables
from insidergraph.loaders.model import Filing, PowerOfAttorney

#: 2: the SPARQL store states ig:directorOf and span dates that the named queries read, and
#: the manifest records the SPARQL scope; a format-1 store would answer them with nothing.
FORMAT_VERSION = 2
DEFAULT_STORE = "insidergraph-store"
#: What the embedded SPARQL store holds (``insidergraph build --sparql``): ``full`` is every
#: triple of the RDF export; ``relations`` leaves out the row-level facts (transactions,
#: holdings, footnotes and the edges to them: about two thirds of the triples, and of the
#: build time at scale), which stay in the tables, the Cypher engine and the exports;
#: ``none`` builds no SPARQL store.
SPARQL_SCOPES: tuple[str, ...] = ("full", "relations", "none")
#: Filings per pickle file: the pickler remembers every object it has written to a file,
#: so one file for a million filings would carry gigabytes of that bookkeeping.
FILINGS_PER_CHUNK = 20_000

#: Writers run after the tables are written: ``(store, tables) -> None``. Embedded
#: engines register here so that ``build`` fills them too.
ENGINE_WRITERS: dict[str, Callable[["Store", GraphTables], None]] = {}


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


class Store:
    """A store directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._sparql: str | None = None  # set by add() for the engine writers

    @property
    def graph_dir(self) -> Path:
        return self.path / "graph"

    @property
    def engines_dir(self) -> Path:
        return self.path / "engines"

    def exists(self) -> bool:
        """True when a build has written this store."""
        return (self.path / "manifest.json").is_file()

    def manifest(self) -> dict[str, object]:
        """The manifest, or a :class:`StoreError` naming the directory when there is none."""
        if not self.exists():
            raise StoreError(f"{self.path}: no insidergraph store here (run `insidergraph build PATH --store {self.path}`)")
        data: dict[str, object] = json.loads((self.path / "manifest.json").read_text())
        if data.get("format") != FORMAT_VERSION:
            raise StoreError(
                f"{self.path}: store format {data.get('format')} was written by another version of insidergraph "
                f"(this one reads format {FORMAT_VERSION}); delete it and build it again from the filings"
            )
        return data

    def filings(self) -> list[Filing]:
        """Every filing in the store, in the order they were added."""
        out: list[Filing] = []
        for chunk in sorted((self.path / "filings").glob("*.pickle")):
            with chunk.open("rb") as fh:
                out.extend(pickle.load(fh))
        return out

    def powers_of_attorney(self) -> list[PowerOfAttorney]:
        """Every standalone power of attorney (EX-24 exhibit file) in the store, in the order added.

        Powers that came inside a submission are on their filing (``Filing.powers_of_attorney``).
        """
        out: list[PowerOfAttorney] = []
        for chunk in sorted((self.path / "powers").glob("*.pickle")):
            with chunk.open("rb") as fh:
                out.extend(pickle.load(fh))
        return out

    def tables(self) -> GraphTables:
        """The graph tables."""
        self.manifest()
        return GraphTables.read(self.graph_dir)

    def sparql_scope(self) -> str:
        """What the embedded SPARQL store holds: ``full``, ``relations`` or ``none``
        (see :data:`insidergraph.graph.export_rdf.SPARQL_SCOPES`); ``full`` for a new store."""
        if not self.exists():
            return self._sparql or "full"
        engines = self.manifest().get("engines")
        return self._sparql or (engines.get("sparql", "full") if isinstance(engines, dict) else "full")

    def add(self, filings: Iterable[Filing | PowerOfAttorney], sparql: str | None = None) -> tuple[int, int, GraphTables]:
        """Add filings, rebuild the graph and engines; returns (offered, added, tables).

        "Added" counts filings that changed the store: new ones, and richer copies of
        known ones (see :meth:`GraphBuilder.add`). ``sparql`` sets what the SPARQL store
        holds (``full``, ``relations``, ``none``); ``None`` keeps the store's choice.
        """
        if sparql is not None and sparql not in SPARQL_SCOPES:
            raise StoreError(f"{self.path}: unknown SPARQL scope {sparql!r} (one of {', '.join(SPARQL_SCOPES)})")
        before = self.sparql_scope() if self.exists() else None
        self._sparql = sparql or before or "full"
        with _gc_paused():
            builder = GraphBuilder()
            for f in self.filings():
                builder.add(f)
            for p in self.powers_of_attorney():
                builder.add_power(p)
            new: list[Filing] = []
            new_powers: list[PowerOfAttorney] = []
            offered = 0
            for f in filings:
                offered += 1
                if isinstance(f, PowerOfAttorney):
                    if builder.add_power(f):
                        new_powers.append(f)
                elif builder.add(f):
                    new.append(f)
            if not new and not new_powers and self.exists() and self._sparql == before:
                return offered, 0, self.tables()
            self._write_filings(new)
            if new_powers:
                self._write_filings(new_powers, "powers")  # type: ignore[arg-type]
            added = len(new) + len(new_powers)
            del new
            n_filings = len(builder.filings)
            tables = builder.tables()
            del builder  # the filings are on disk; the tables are all that is needed now
            self._write_outputs(tables)
            manifest = {"format": FORMAT_VERSION, "filings": n_filings, "counts": tables.counts(),
                        "engines": {"sparql": self._sparql}}
            (self.path / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        return offered, added, tables

    def _write_filings(self, new: list[Filing], folder: str = "filings") -> None:
        chunks = self.path / folder
        chunks.mkdir(parents=True, exist_ok=True)
        index = len(list(chunks.glob("*.pickle")))
        for start in range(0, len(new), FILINGS_PER_CHUNK):
            target = chunks / f"{index:06d}.pickle"
            partial = target.with_suffix(".partial")
            with partial.open("wb") as fh:
                pickle.dump(new[start : start + FILINGS_PER_CHUNK], fh, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(target)  # a build broken off mid-write leaves no half chunk to read
            index += 1

    def _write_outputs(self, tables: GraphTables) -> None:
        """The Parquet tables and every embedded engine, written side by side.

        They only read ``tables`` and spend most of their time in native code (Arrow,
        ladybug, oxigraph) that releases the GIL, so on two cores the build takes about
        as long as its slowest writer instead of their sum.
        """
        import insidergraph.queries.engines.writers  # noqa: F401 (registers the embedded engines)
        from insidergraph.queries.engines import close_all

        close_all()  # an engine open in this process must not read files being replaced
        jobs: list[Callable[[], None]] = [partial(tables.write, self.graph_dir)]
        jobs += [partial(writer, self, tables) for writer in ENGINE_WRITERS.values()]
        with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="insidergraph-write") as pool:
            futures = [pool.submit(job) for job in jobs]
        for future in futures:
            future.result()  # the first failure, with its own message


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Parsed filings and graph rows form no reference cycles, yet millions of them make
    # the cyclic collector rescan the whole heap again and again (measured: 40% of the
    # time of reading 100,000 filings). Reference counting still frees everything.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_store(
    paths: Iterable[str],
    store: str | Path = DEFAULT_STORE,
    on_error: Callable[[InsiderGraphError], None] | None = None,
    strict: bool = False,
    progress: bool = False,
    sparql: str | None = None,
) -> BuildResult:
    """Parse every input (files, folders, ``-``) and add it to the store.

    A file that fails is reported through ``on_error`` and the rest still go in;
    ``strict`` stops at the first failure instead. ``sparql`` is what the embedded
    SPARQL store holds (see :meth:`Store.add`).

    >>> import tempfile
    >>> build_store([], tempfile.mkdtemp()).read
    0
    """
    from insidergraph.loaders.detect import iter_paths, parse_document

    result = BuildResult()
    files = list(iter_paths(list(paths)))

    def parsed() -> Iterable[Filing | PowerOfAttorney]:
        bar = _progress(len(files)) if progress else None
        try:
            for path in files:
                try:
                    yield parse_document(path)
                except InsiderGraphError as err:
                    if strict:
                        raise
                    result.failed.append(str(err))
                    if on_error:
                        on_error(err)
                finally:
                    if bar is not None:
                        bar[0].advance(bar[1])
        finally:
            if bar is not None:
                bar[0].stop()

    result.read, result.added, tables = Store(store).add(parsed(), sparql=sparql)
    result.counts = tables.counts()
    return result


def _progress(total: int):  # type: ignore[no-untyped-def]
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = bar.add_task("parsing filings", total=total)
    bar.start()
    return bar, task


__all__ = ["Store", "build_store", "BuildResult", "ENGINE_WRITERS", "DEFAULT_STORE"]
