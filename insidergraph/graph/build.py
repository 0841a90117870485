"""Filings become one graph: entities resolved, roles as spans, every fact traced to its filing.

Two steps, each in modules of its own:

1. **Resolution** (:mod:`insidergraph.graph.resolve`), a pure step: who each filing's issuer,
   owners and signers are, as node ids (CIK first; CIK-less parties join a CIK node only when
   unambiguous; signers by name), which filing an amendment corrects, who granted which power
   of attorney to whom.
2. **Emission**, one module per family of tables, each returning named columns checked against
   the schema (:mod:`insidergraph.graph.columns`): the parties and their roles, signatures
   and powers (:mod:`~insidergraph.graph.emit_parties`), the filings
   (:mod:`~insidergraph.graph.emit_filings`), the rows (:mod:`~insidergraph.graph.emit_rows`),
   their securities (:mod:`~insidergraph.graph.emit_securities`) and footnotes
   (:mod:`~insidergraph.graph.emit_footnotes`). Every id comes from :mod:`insidergraph.graph.ids`.

Emission is column-wise: per filing only list extensions; the row tables (Transaction,
Holding, Footnote and their edges, about 85% of all rows) are then made for all filings at
once with numpy and Arrow, as compact tables whose node references are indexes into arrays
of node ids (see :class:`~insidergraph.graph.tables.CompactTable`). The tables are those of
the golden files (``tests/test_graph_golden.py``).

>>> from insidergraph.graph.build import build_graph
>>> build_graph([]).counts()["nodes"]["Filing"]
0
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from insidergraph.graph.columns import ColumnsError
from insidergraph.graph.emit_filings import (
    Tables,
    filing_frame,
    filing_tables,
    superseded,
)
from insidergraph.graph.emit_footnotes import footnote_tables
from insidergraph.graph.emit_parties import (
    grant_tables,
    party_tables,
    role_tables,
    signature_tables,
)
from insidergraph.graph.emit_rows import row_layout, row_tables
from insidergraph.graph.emit_securities import security_tables
from insidergraph.graph.ids import filing_id, slug
from insidergraph.graph.precedence import prefer
from insidergraph.graph.resolve import exact_name, resolve
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES
from insidergraph.graph.tables import GraphTables
from insidergraph.model import Filing, PowerOfAttorney

__all__ = ["GraphBuilder", "build_graph", "exact_name", "filing_id", "gc_paused", "release_memory", "slug"]


class GraphBuilder:
    """Accumulates filings, then :meth:`tables` resolves entities and emits the graph.

    >>> b = GraphBuilder()
    >>> b.tables().counts()["edges"]["DIRECTOR_OF"]
    0
    """

    def __init__(self) -> None:
        self.filings: dict[str, Filing] = {}
        self.powers: dict[tuple[str | None, str | None, str | None], PowerOfAttorney] = {}

    def add_power(self, power: PowerOfAttorney) -> bool:
        """Add a standalone power of attorney (an EX-24 exhibit file); returns whether it is new.

        One exhibit is one power, wherever it was read from: it is keyed by accession and
        document name (or by path when it has neither).
        """
        key = (power.accession, power.document, None if power.accession or power.source is None else power.source.path)
        if key in self.powers:
            return False
        self.powers[key] = power
        return True

    def add(self, filing: Filing) -> bool:
        """Add one filing; returns whether it changed anything.

        A second copy of a filing changes nothing, unless :func:`~insidergraph.graph.precedence.prefer`
        picks it: the XML or ``.txt`` of an accession replaces its data-set row, and the
        complete-submission file of an accession whose bare XML came first brings the
        filing date and the other documents, and replaces it.
        """
        fid = filing_id(filing)
        known = self.filings.get(fid)
        if known is not None and prefer(known, filing) is known:
            return False
        self.filings[fid] = filing
        return True

    def tables(self) -> GraphTables:
        """Resolve entities and build every node and edge table."""
        with gc_paused():
            return assemble(self.filings, list(self.powers.values()))

    def release(self) -> None:
        """Forget every filing and power added (the tables made from them stay valid), and
        hand the memory they held back to the system (:func:`release_memory`).

        >>> b = GraphBuilder()
        >>> b.release(); len(b.filings)
        0
        """
        self.filings.clear()
        self.powers.clear()
        release_memory()


def release_memory() -> None:
    """Hand freed heap memory back to the system, where the C library can (glibc).

    Python frees the objects of a million parsed filings, but an interpreter arena that still
    holds one live object stays (so the loaders' memo caches are emptied first: see
    :func:`insidergraph.loaders.clear_caches`), and glibc keeps the pages of its heap for
    later allocations unless asked. The engines that load next (ladybug, pyoxigraph) allocate
    through their own paths, so without this the process's peak is their sum.

    >>> release_memory()
    """
    from insidergraph.loaders import clear_caches

    clear_caches()
    # Some of what the filings leave is in reference cycles, and builds run with the
    # collector paused (gc_paused): collect them now, once.
    gc.collect()
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return  # not glibc: nothing to ask
    trim(0)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a block (reference counting still frees all).

    Parsed filings and graph rows form no reference cycles, yet millions of fresh tuples
    set off full collections again and again, each rescanning the whole heap (measured:
    about half of building the tables, 40% of reading 100,000 filings).

    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_graph(filings: Iterable[Filing | PowerOfAttorney]) -> GraphTables:
    """Build the graph tables from parsed filings (and standalone powers of attorney).

    >>> build_graph([]).counts()["edges"]["SIGNED"]
    0
    """
    builder = GraphBuilder()
    for f in filings:
        if isinstance(f, PowerOfAttorney):
            builder.add_power(f)
        else:
            builder.add(f)
    return builder.tables()


def assemble(filings: dict[str, Filing], powers: list[PowerOfAttorney] | None = None) -> GraphTables:
    """Resolve the parties of ``filings`` (by filing id) and emit every table of the schema.

    >>> assemble({}).counts()["edges"]["FOOTNOTED_BY"]
    0
    """
    filings = dict(sorted(filings.items()))
    res = resolve(filings, powers)
    frame = filing_frame(filings, res)
    built: Tables = {}
    built.update(party_tables(res))
    built.update(role_tables(frame, res))
    built.update(signature_tables(frame, res))
    built.update(grant_tables(res))
    built.update(filing_tables(frame, res))
    layout = row_layout(frame)
    built.update(row_tables(layout, frame, superseded(frame, res)))
    built.update(security_tables(layout, frame))
    built.update(footnote_tables(layout, frame))
    missing = [f"{kind} {name}" for kind, names in (("nodes", NODE_TYPES), ("edges", EDGE_TYPES))
               for name in names if (kind, name) not in built]
    if missing:
        raise ColumnsError(f"the schema declares tables no emitter makes: {', '.join(missing)}")
    return GraphTables.from_arrow({label: built[("nodes", label)] for label in NODE_TYPES},
                                  {rel: built[("edges", rel)] for rel in EDGE_TYPES})
