"""The row family, the hot path: ``Transaction`` and ``Holding`` nodes, ``TRANSACTED``, ``HOLDS``, ``REPORTED_IN``.

Per filing only list extensions are Python work (:func:`row_layout`); ids, edge ends, sorting
and the value columns are made once for all rows with numpy and Arrow. A value column is the
row field of the column's name (:data:`ROW_FIELDS`), so the columns follow the schema by name.
The layout is shared with the securities and footnotes of the rows.

>>> from insidergraph.graph.resolve import resolve
>>> from insidergraph.graph.emit_filings import filing_frame
>>> frame = filing_frame({}, resolve({}))
>>> sorted(name for _kind, name in row_tables(row_layout(frame), frame, []))
['HOLDS', 'Holding', 'REPORTED_IN', 'TRANSACTED', 'Transaction']
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from operator import attrgetter, methodcaller
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from insidergraph.graph.columns import (
    compact_edges,
    compact_table,
    ranges,
    refs,
    value_column,
)
from insidergraph.graph.emit_filings import FilingFrame, Tables
from insidergraph.graph.ids import row_ids
from insidergraph.graph.schema import NODE_TYPES
from insidergraph.model import DerivativeRow, NonDerivativeRow

#: The columns of a row table that are fields of the filed row (a Table II row has them all).
ROW_FIELDS: tuple[str, ...] = tuple(
    p.name for p in NODE_TYPES["Transaction"].props if p.name in DerivativeRow.__dataclass_fields__)
#: Fields a Table I row has.
_ND_FIELDS = frozenset(NonDerivativeRow.__dataclass_fields__)
#: The ``table`` column's value for Table I and Table II rows.
TABLE_NAMES = ("non_derivative", "derivative")

_TYPE = attrgetter("type")
_FOOTNOTES = attrgetter("footnotes")
_VALUES = methodcaller("values")


class RowStream:
    """The rows of one table of the form (I non-derivative, II derivative), filing after filing."""

    def __init__(self, rows_of: Any, filings: list[Any]) -> None:
        self.rows: list[Any] = []
        self.counts: list[int] = []  # rows of each filing
        for f in filings:
            rows = rows_of(f)
            self.rows.extend(rows)
            self.counts.append(len(rows))

    def layout(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per row its filing index and 1-based row number; per filing its row count and first row."""
        counts = np.array(self.counts, dtype=np.int64)
        starts = np.cumsum(counts) - counts
        fidx = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
        seq = np.arange(len(fidx), dtype=np.int64) - starts[fidx] + 1
        return fidx, seq, counts, starts

    def footnote_refs(self) -> tuple[np.ndarray, list[str], list[str], np.ndarray]:
        """Every footnote reference of the rows: row, field (one per field), footnote ids, ids per field."""
        # Iterated by map and chain (in C): a Python loop over 1.5 million references is not.
        notes = list(map(_FOOTNOTES, self.rows))
        fields_per_row = np.fromiter(map(len, notes), dtype=np.int64, count=len(notes))
        fields = list(chain.from_iterable(notes))
        ids = list(chain.from_iterable(map(_VALUES, notes)))
        per_field = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        rows = np.repeat(np.repeat(np.arange(len(notes), dtype=np.int64), fields_per_row), per_field)
        return rows, fields, list(chain.from_iterable(ids)), per_field


@dataclass
class RowLayout:
    """Every row of every filing: Table I rows, then Table II rows (row ``r`` of Table II is ``n_nd + r``)."""

    nd: RowStream
    d: RowStream
    #: Per row: its filing's index, 0 (Table I) or 1 (Table II), its number in its table, whether a transaction.
    fidx: np.ndarray
    tag: np.ndarray
    seq: pa.Array
    is_tx: np.ndarray
    #: Per row its node id.
    ids: pa.Array
    #: Per filing its Table I and Table II row counts and first rows.
    nd_counts: np.ndarray
    nd_starts: np.ndarray
    d_counts: np.ndarray
    d_starts: np.ndarray

    @property
    def n_nd(self) -> int:
        return len(self.nd.rows)

    def __len__(self) -> int:
        return len(self.nd.rows) + len(self.d.rows)


def row_layout(frame: FilingFrame) -> RowLayout:
    """The rows of the frame's filings, with their ids."""
    nd = RowStream(attrgetter("non_derivative"), frame.filings)
    d = RowStream(attrgetter("derivative"), frame.filings)
    nd_fidx, nd_seq, nd_counts, nd_starts = nd.layout()
    d_fidx, d_seq, d_counts, d_starts = d.layout()
    fidx = np.concatenate([nd_fidx, d_fidx])
    seq = pa.array(np.concatenate([nd_seq, d_seq]))
    tag = np.concatenate([np.zeros(len(nd.rows), np.int32), np.ones(len(d.rows), np.int32)])
    types = pa.array(list(map(_TYPE, nd.rows)) + list(map(_TYPE, d.rows)), pa.string())
    is_tx = pc.equal(types, "transaction").to_numpy(zero_copy_only=False)
    return RowLayout(nd=nd, d=d, fidx=fidx, tag=tag, seq=seq, is_tx=is_tx,
                     ids=row_ids(is_tx, refs(fidx, frame.fkeys), tag, seq),
                     nd_counts=nd_counts, nd_starts=nd_starts, d_counts=d_counts, d_starts=d_starts)


def row_tables(layout: RowLayout, frame: FilingFrame, superseded: list[bool]) -> Tables:
    """Transaction and Holding nodes in id order, the owners' edges to them and ``REPORTED_IN``.

    ``superseded``: per filing, whether an amendment replaced its rows (its transactions and
    holdings say so, so that no query counts a row twice).
    """
    ranks, n_nd = frame.ranks, layout.n_nd
    # Owner edges: every row of a filing, for each of its owners.
    filed = frame.filed_fidx
    own_row = np.concatenate([ranges(layout.nd_starts[filed], layout.nd_counts[filed]),
                              ranges(layout.d_starts[filed], layout.d_counts[filed]) + n_nd])
    own_owner = np.concatenate([np.repeat(frame.filed_owner, layout.nd_counts[filed]),
                                np.repeat(frame.filed_owner, layout.d_counts[filed])])
    row_rank = ranks.ranks(layout.ids)
    out: Tables = {}
    for label, rel, mask in (("Transaction", "TRANSACTED", layout.is_tx), ("Holding", "HOLDS", ~layout.is_tx)):
        pos = np.flatnonzero(mask).astype(np.int32)
        pos = pos[np.argsort(row_rank[pos], kind="stable")]
        columns = _row_columns(label, layout, frame, pos)
        columns["superseded"] = pa.array(superseded, pa.bool_()).take(pa.array(layout.fidx[pos]))
        out[("nodes", label)] = compact_table("nodes", label, columns, len(pos))
        mine = mask[own_row]
        out[("edges", rel)] = compact_edges(rel, refs(own_owner[mine], frame.owner_ids),
                                            refs(own_row[mine], layout.ids), ranks)
    out[("edges", "REPORTED_IN")] = compact_edges(
        "REPORTED_IN", refs(np.arange(len(layout), dtype=np.int32), layout.ids), refs(layout.fidx, frame.fids), ranks)
    return out


def _row_columns(label: str, layout: RowLayout, frame: FilingFrame, pos: np.ndarray) -> dict[str, Any]:
    """The columns of the rows ``pos`` (in id order): their ids and places, then each row field by name."""
    take = pa.array(pos)
    columns: dict[str, Any] = {
        "id": refs(take, layout.ids), "filing_id": refs(layout.fidx[pos], frame.fids),
        "table": refs(layout.tag[pos], pa.array(TABLE_NAMES)), "seq": layout.seq.take(take)}
    # The rows themselves in id order, so each value column is made in its final order.
    all_rows = layout.nd.rows + layout.d.rows
    rows = list(map(all_rows.__getitem__, pos.tolist()))
    del all_rows
    in_table_ii = np.flatnonzero(layout.tag[pos] == 1).tolist()
    table_ii = list(map(rows.__getitem__, in_table_ii))
    node = NODE_TYPES[label]
    for name in ROW_FIELDS:
        get = attrgetter(name)
        if name in _ND_FIELDS:
            values = list(map(get, rows))
        else:  # a Table II field: missing on Table I rows
            values = [None] * len(rows)
            for k, v in zip(in_table_ii, map(get, table_ii)):
                values[k] = v
        columns[name] = value_column(node.prop(name).type, values)
    return columns
