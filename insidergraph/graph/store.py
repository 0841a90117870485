"""The on-disk store that ``insidergraph build`` writes and every query reads.

Layout of a store directory (format 3; nothing in it is executable: no pickles, only
Parquet, JSON and the engines' own files)::

    CURRENT                  the name of the live generation (one line, switched atomically)
    LOCK                     held (flock) by the one process writing the store; its PID
    gen-NNNNNN/              one generation: everything a build wrote
        manifest.json        format, schema digest, counts, engines, every file's size (and SHA-256)
        filings/CCCCCC/*.parquet   the parsed filings as tables of the model, one chunk per build
        graph/nodes/*.parquet      the graph tables (see insidergraph.graph.tables)
        graph/edges/*.parquet
        powers/CCCCCC/*.parquet    standalone powers of attorney (EX-24 exhibit files), likewise
        engines/ladybug/...        embedded query engines built from the tables
        engines/oxigraph/...

A build writes a new generation (earlier filing chunks are hard-linked, not copied),
flushes it, and only then renames ``CURRENT`` to point at it; a build killed at any
moment leaves the store as it was before or as it is after, and the next build sweeps
the leftovers. See :mod:`insidergraph.graph.store_files`.

Building again adds the new filings; a filing already in the store (same accession,
or the same content without one) changes nothing. The graph tables are recomputed from
all filings, so entity resolution always sees everything; the embedded engines get only
what changed (:mod:`insidergraph.graph.diff`): a copy of the previous generation's files,
updated in place, unless the change is a large share of the graph.

>>> import tempfile
>>> store = Store(tempfile.mkdtemp())
>>> store.exists()
False
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insidergraph.errors import StoreError
from insidergraph.graph import store_files as sf
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES, schema_digest
from insidergraph.graph.store_checks import size_problem, stale_table
from insidergraph.model import Filing, PowerOfAttorney

if TYPE_CHECKING:  # the builder, codec, Parquet and pandas load where a build or a read needs them
    import pyarrow as pa
    import pyarrow.compute as pc

    from insidergraph.graph.build import GraphBuilder
    from insidergraph.graph.diff import GraphChange
    from insidergraph.graph.tables import GraphTables

#: 3: filings as Parquet tables of the model in generations switched by ``CURRENT``
#: (format 2 kept pickles, which this version never loads).
FORMAT_VERSION = 3
DEFAULT_STORE = "insidergraph-store"
#: What the embedded SPARQL store holds (``insidergraph build --sparql``): ``full`` is every
#: triple of the RDF export; ``relations`` leaves out the row-level facts (transactions,
#: holdings, footnotes and the edges to them: about two thirds of the triples, and of the
#: build time at scale), which stay in the tables, the Cypher engine and the exports;
#: ``none`` builds no SPARQL store.
SPARQL_SCOPES: tuple[str, ...] = ("full", "relations", "none")
#: Filings per chunk folder: a chunk is encoded in memory at once, so a million filings
#: go in fifty steps of bounded size.
FILINGS_PER_CHUNK = 20_000
#: Manifest keys the store itself writes. Any other top-level key (``fetch``, say) belongs
#: to whoever set it with :meth:`Store.add` ``meta=`` and is carried over by later builds.
RESERVED_KEYS: frozenset[str] = frozenset(
    {"format", "filings", "counts", "engines", "files", "chunks", "power_chunks", "schema"}
)
#: Files whose SHA-256 the manifest records and reads check (the engines' files, gigabytes
#: at scale, are checked by size; their content by the engines themselves).
HASHED: tuple[str, ...] = ("filings/", "powers/", "graph/")


def _nothing() -> None:
    """No engine is open in this process."""


@dataclass(frozen=True)
class Engines:
    """The embedded engines a build writes beside the Parquet tables, and what closes the
    ones open in this process (an open engine holds the generation it read).

    The store sits below the backends (``graph/`` never imports ``backends/``), so whoever
    adds to a store hands them over: :func:`insidergraph.backends.store_engines` gives every
    embedded engine of the registry (what ``build`` and ``update`` pass), ``Engines()`` none
    (the filings and graph tables alone: the embedded engines of such a store do not open).
    Each writer writes its files in :attr:`Store.engines_dir` for the tables: rebuilt from
    them, or, handed the :class:`~insidergraph.graph.diff.GraphChange` from the previous
    generation, by updating a copy of that generation's files.

    >>> Engines().writers
    ()
    """

    writers: tuple[Callable[[Store, GraphTables, GraphChange | None], tuple[str, str]], ...] = ()
    close_all: Callable[[], None] = _nothing


class Store:
    """A store directory.

    Readers go through ``CURRENT`` to the live generation; :meth:`add` writes a new one.
    ``lock_timeout`` is how long :meth:`add` waits for another writer (``None``: as long
    as it takes; then one line naming the holder's PID).
    """

    def __init__(self, path: str | Path, lock_timeout: float | None = None) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._sparql: str | None = None  # set by add() for the engine writers
        self._staging: Path | None = None  # the generation being written, for the writers
        self._engines = Engines()  # set by add() for the generation it writes

    @property
    def generation_dir(self) -> Path:
        """The folder of the live generation (or of the one a build is writing)."""
        if self._staging is not None:
            return self._staging
        name = sf.pin(self.path)
        if name is None:
            raise StoreError(self._none_here())
        return self.path / name

    @property
    def graph_dir(self) -> Path:
        return self.generation_dir / "graph"

    @property
    def engines_dir(self) -> Path:
        return self.generation_dir / "engines"

    def exists(self) -> bool:
        """True when a build has written this store."""
        return sf.current_name(self.path) is not None

    def stamp(self) -> str:
        """The live generation's name: it changes with every build that changed the store."""
        return self.generation_dir.name

    def _none_here(self) -> str:
        return f"{self.path}: no insidergraph store here (run `insidergraph build PATH --store {self.path}`)"

    def _damaged(self, what: str) -> StoreError:
        if what.startswith(("graph/", "engines/")):
            fix = f"run `insidergraph build PATH... --store {self.path}` to rebuild it from its filings"
        else:
            fix = f"delete {self.path} and build it again from the filings"
        return StoreError(f"{self.path}: damaged store: {what}; {fix}")

    def _check_format(self) -> None:
        """One line for a store of an older format (never read: it kept pickles), or one
        that lost its ``CURRENT`` pointer."""
        if not (self.path / sf.CURRENT).is_file() and sf.has_generations(self.path):
            raise self._damaged(f"{sf.CURRENT} is missing")
        old = self.path / "manifest.json"
        if old.is_file() or (self.path / "filings").is_dir():
            try:
                version = json.loads(old.read_text()).get("format", "1 or 2")
            except (OSError, ValueError, AttributeError):
                version = "1 or 2"
            raise StoreError(
                f"{self.path}: store format {version} was written by an older insidergraph (its filings are "
                f"pickles, which this version never loads); delete it and build it again from the filings"
            )

    def manifest(self) -> dict[str, Any]:
        """The live manifest after checking every file it lists is there with its size;
        a :class:`StoreError` naming the store and what is wrong otherwise."""
        data = self._manifest_unchecked()
        gen = self.generation_dir
        for rel, entry in data["files"].items():
            problem = size_problem(gen / rel, entry)
            if problem:
                raise self._damaged(f"{rel} {problem}")
        return data

    def _manifest_unchecked(self) -> dict[str, Any]:
        self._check_format()
        if not self.exists():
            raise StoreError(self._none_here())
        gen = self.generation_dir
        if not gen.is_dir():
            raise self._damaged(f"the generation {gen.name} that {sf.CURRENT} names is missing")
        try:
            data = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise self._damaged(f"{gen.name}/manifest.json is missing") from None
        except (OSError, ValueError) as err:
            raise self._damaged(f"{gen.name}/manifest.json is unreadable ({str(err).splitlines()[0]})") from None
        if not isinstance(data, dict):
            raise self._damaged(f"{gen.name}/manifest.json is not a JSON object")
        if data.get("format") != FORMAT_VERSION:
            raise StoreError(
                f"{self.path}: store format {data.get('format')} was written by another version of insidergraph "
                f"(this one reads format {FORMAT_VERSION}); delete it and build it again from the filings"
            )
        if not isinstance(data.get("files"), dict) or not isinstance(data.get("chunks"), list):
            raise self._damaged(f"{gen.name}/manifest.json lacks its list of files")
        return data

    def _verify(self, data: dict[str, Any], prefix: str) -> None:
        """Size and SHA-256 of every listed file under ``prefix``."""
        gen = self.generation_dir
        for rel, entry in data["files"].items():
            if rel.startswith(prefix):
                problem = size_problem(gen / rel, entry)
                if not problem and "sha256" in entry and sf.sha256(gen / rel) != entry["sha256"]:
                    problem = "does not match its checksum (altered or damaged)"
                if problem:
                    raise self._damaged(f"{rel} {problem}")

    def filings(self) -> list[Filing]:
        """Every filing in the store, in the order they were added."""
        return self._documents(Filing, "filings", "chunks")

    def powers_of_attorney(self) -> list[PowerOfAttorney]:
        """Every standalone power of attorney (EX-24 exhibit file), in the order added.

        Powers that came inside a submission are on their filing (``Filing.powers_of_attorney``).
        """
        return self._documents(PowerOfAttorney, "powers", "power_chunks")

    def _documents(self, root: type, folder_name: str, key: str) -> list[Any]:
        """The ``root`` dataclasses kept as tables under ``folder_name``, chunk by chunk."""
        if not self.exists():
            self._check_format()
            return []
        from insidergraph.graph.filing_tables import FilingCodec

        data = self._manifest_unchecked()
        self._verify(data, f"{folder_name}/")
        codec = FilingCodec(root)
        names = set(codec.schemas())
        out: list[Any] = []
        for chunk in data.get(key, []):
            folder = self.generation_dir / folder_name / chunk
            listed = {rel.rsplit("/", 1)[1].removesuffix(".parquet") for rel in data["files"]
                      if rel.startswith(f"{folder_name}/{chunk}/")}
            if "filings" not in listed or listed - names:
                raise self._damaged(f"{folder_name}/{chunk} lacks tables or holds tables this version does not know")
            out.extend(codec.decode(codec.read(folder, listed), where=f"{self.path}: {folder_name}/{chunk}"))
        return out

    def tables(self) -> GraphTables:
        """The graph tables (every one checked against the manifest's checksum)."""
        from insidergraph.graph.tables import GraphTables

        data = self.manifest()
        self._verify(data, "graph/")
        for kind, names in (("nodes", NODE_TYPES), ("edges", EDGE_TYPES)):
            for name in names:
                if f"graph/{kind}/{name}.parquet" not in data["files"]:
                    raise self._damaged(f"graph/{kind}/{name}.parquet is not in the manifest")
        return GraphTables.read(self.graph_dir)

    def graph_table(self, kind: str, name: str, columns: tuple[str, ...] | None = None,
                    where: pc.Expression | None = None) -> pa.Table:
        """One graph table, checked as :meth:`tables` checks each (see :func:`~insidergraph.graph.tables.read_one`)."""
        rel = f"graph/{kind}/{name}.parquet"
        data = self.manifest()
        if rel not in data["files"]:
            raise self._damaged(f"{rel} is not in the manifest")
        self._verify(data, rel)
        from insidergraph.graph.tables import read_one

        return read_one(self.graph_dir, kind, name, columns, where)

    def sparql_scope(self) -> str:
        """What the embedded SPARQL store holds: ``full``, ``relations`` or ``none``
        (see :data:`insidergraph.graph.export_rdf.SPARQL_SCOPES`); ``full`` for a new store."""
        if self._sparql or not self.exists():
            return self._sparql or "full"
        engines = self.manifest().get("engines")
        return engines.get("sparql", "full") if isinstance(engines, dict) else "full"

    def add(self, filings: Iterable[Filing | PowerOfAttorney], sparql: str | None = None,
            meta: dict[str, Any] | None = None, *, engines: Engines) -> tuple[int, int, GraphTables]:
        """Add filings, rebuild the graph and ``engines``; returns (offered, added, tables).

        "Added" counts filings that changed the store: new ones, and richer copies of
        known ones (see :meth:`GraphBuilder.add`). ``sparql`` sets what the SPARQL store
        holds (``full``, ``relations``, ``none``); ``None`` keeps the store's choice.
        ``meta`` sets top-level manifest keys of the caller's own (not :data:`RESERVED_KEYS`).
        The store changes all at once or not at all; a failed build leaves it as it was.
        """
        if sparql is not None and sparql not in SPARQL_SCOPES:
            raise StoreError(f"{self.path}: unknown SPARQL scope {sparql!r} (one of {', '.join(SPARQL_SCOPES)})")
        bad = sorted(set(meta or {}) & RESERVED_KEYS)
        if bad:
            raise StoreError(f"{self.path}: manifest keys {', '.join(bad)} are the store's own")
        from insidergraph.graph.build import gc_paused

        self._check_format()
        engines.close_all()  # an engine open in this process holds the generation it read
        sf.unpin(self.path)
        with sf.WriteLock(self.path, self.lock_timeout), gc_paused():
            self._check_format()  # again, now that no other writer runs
            if not (self.path / sf.CURRENT).is_file():
                sf.switch(self.path, None)  # from now on, generations without CURRENT are damage
            sf.sweep(self.path, sf.current_name(self.path))
            result = self._add_locked(filings, sparql, meta or {}, engines)
            sf.unpin(self.path)
            sf.sweep(self.path, sf.current_name(self.path))
        return result

    def _add_locked(self, filings: Iterable[Filing | PowerOfAttorney], sparql: str | None,
                    meta: dict[str, Any], engines: Engines) -> tuple[int, int, GraphTables]:
        old: dict[str, Any] = {}
        intact = False
        if self.exists():
            old = self._manifest_unchecked()
            self._verify(old, "filings/")  # damaged filings: refuse (they cannot be rebuilt here)
            self._verify(old, "powers/")
            intact = self._outputs_intact(old)
        before = old.get("engines", {}).get("sparql") if old else None
        self._sparql = sparql or before or "full"
        builder, offered, new = self._offer(filings)
        kept = {k: v for k, v in old.items() if k not in RESERVED_KEYS}
        if (not new[0] and not new[1] and intact and self._sparql == before
                and all(kept.get(k) == v for k, v in meta.items())):
            self._sparql = None
            return offered, 0, self.tables()
        # The engines of an intact previous generation of the same scope, built for the same
        # declarations of the graph (schema_digest), are updated with what changed instead
        # of rebuilt.
        same_schema = old.get("schema") == schema_digest()
        previous = self.generation_dir if old and intact and same_schema and self._sparql == before else None
        gen = sf.new_generation(self.path)
        self._engines = engines
        added = len(new[0]) + len(new[1])
        try:
            tables = self._write_generation(gen, old, new, builder, {**kept, **meta}, previous)
        except BaseException as err:
            shutil.rmtree(gen, ignore_errors=True)
            if isinstance(err, OSError):
                raise StoreError(f"{self.path}: the build failed and the store is unchanged: {err}") from None
            raise
        finally:
            self._staging, self._sparql, self._engines = None, None, Engines()
        return offered, added, tables

    def _offer(self, filings: Iterable[Filing | PowerOfAttorney]
               ) -> tuple[GraphBuilder, int, tuple[list[Filing], list[PowerOfAttorney]]]:
        """A builder given the stored filings, then ``filings``: the builder, how many were
        offered, and the new filings and powers (those that changed it)."""
        from insidergraph.graph.build import GraphBuilder

        builder = GraphBuilder()
        for f in self.filings():
            builder.add(f)
        for p in self.powers_of_attorney():
            builder.add_power(p)
        new: tuple[list[Filing], list[PowerOfAttorney]] = ([], [])
        offered = 0
        for item in filings:
            offered += 1
            if isinstance(item, PowerOfAttorney):
                if builder.add_power(item):
                    new[1].append(item)
            elif builder.add(item):
                new[0].append(item)
        return builder, offered, new

    def _outputs_intact(self, data: dict[str, Any]) -> bool:
        try:
            self.manifest()
            self._verify(data, "graph/")
        except StoreError:
            return False  # rebuilt from the filings by this build
        return stale_table(self.graph_dir) is None  # an older insidergraph's graph: rebuilt too

    def _write_generation(self, gen: Path, old: dict[str, Any], new: tuple[list[Filing], list[PowerOfAttorney]],
                          builder: GraphBuilder, extra: dict[str, Any], previous: Path | None) -> GraphTables:
        """Everything of the new generation, flushed, then ``CURRENT`` switched to it."""
        from insidergraph.graph.diff import diff
        from insidergraph.graph.store_checks import refuse_duplicate_ids

        chunks = self._write_chunks(gen, old, Filing, "filings", "chunks", new[0])
        power_chunks = self._write_chunks(gen, old, PowerOfAttorney, "powers", "power_chunks", new[1])
        n_filings = len(builder.filings)
        tables = builder.tables()
        refuse_duplicate_ids(tables, builder)
        # The parsed filings (5 GB at a million) are stored and tables now: let them go before
        # the engines load, so that their memory and the engines' do not add up.
        for items in new:
            items.clear()
        builder.release()
        change = diff(previous / "graph", tables, previous) if previous is not None else None
        self._staging = gen
        written = self._write_outputs(tables, change)
        # How each engine was written (rebuilt or updated in place): a record, not state.
        manifest = {**extra, "format": FORMAT_VERSION, "schema": schema_digest(), "filings": n_filings,
                    "counts": tables.counts(),
                    "engines": {"sparql": self._sparql, "written": written}, "chunks": chunks,
                    **({"power_chunks": power_chunks} if power_chunks else {}),
                    "files": sf.entries(gen, HASHED)}
        (gen / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        sf.fsync_tree(gen)
        sf.switch(self.path, gen)
        return tables

    def _write_chunks(self, gen: Path, old: dict[str, Any], root: type, folder_name: str, key: str,
                      new: list[Any]) -> list[str]:
        """The earlier chunks of ``folder_name`` hard-linked into ``gen``, then ``new`` as more."""
        from insidergraph.graph.filing_tables import FilingCodec

        chunks = list(old.get(key, []))
        if chunks:
            sf.link_tree(self.generation_dir / folder_name, gen / folder_name)
        codec = FilingCodec(root)
        for start in range(0, len(new), FILINGS_PER_CHUNK):
            chunk = f"{len(chunks):06d}"
            folder = gen / folder_name / chunk
            folder.mkdir(parents=True)
            codec.write(folder, new[start : start + FILINGS_PER_CHUNK])
            chunks.append(chunk)
        return chunks

    def _write_outputs(self, tables: GraphTables, change: GraphChange | None) -> dict[str, str]:
        """The Parquet tables and every embedded engine, written side by side.

        They only read ``tables`` and spend most of their time in native code (Arrow,
        ladybug, oxigraph) that releases the GIL, so on two cores the build takes about
        as long as its slowest writer instead of their sum.
        """
        from concurrent.futures import ThreadPoolExecutor

        jobs: list[Callable[[], tuple[str, str] | None]] = [partial(tables.write, self.graph_dir)]
        jobs += [partial(write, self, tables, change) for write in self._engines.writers]
        with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="insidergraph-write") as pool:
            futures = [pool.submit(job) for job in jobs]
        written: dict[str, str] = {}
        for future in futures:
            done = future.result()  # the first failure, with its own message
            if done is not None:
                written[done[0]] = done[1]
        return written


__all__ = ["DEFAULT_STORE", "Engines", "Store"]
