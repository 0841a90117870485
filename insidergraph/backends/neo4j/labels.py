"""The label of each node id, in Arrow, for grouping relationships by their ends' labels.

The planner reaches this only through :func:`label_index` and the two members of
:class:`LabelIndex`; the one owner of ids and labels (``insidergraph/graph/ids.py``) can
replace :class:`_Labels` there, in one line.

>>> index = label_index([("A", pa.chunked_array([["a1", "a2"]])), ("B", pa.chunked_array([["b1"]]))])
>>> index.names, index.codes(pa.chunked_array([["b1", "a2", "x"]]), ["A"]).to_pylist()
(['A', 'B'], [1, 0, None])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


class LabelIndex(Protocol):
    """What the planner asks of the node ids: their labels, as indexes into :attr:`names`."""

    @property
    def names(self) -> Sequence[str]:
        """The labels, in the order the nodes were given."""

    def codes(self, ids: pa.ChunkedArray, likely: Iterable[str] = ()) -> pa.ChunkedArray:
        """Index into :attr:`names` of each id's label (null for an id of no node)."""


def label_index(nodes: Iterable[tuple[str, pa.ChunkedArray]]) -> LabelIndex:
    """The labels of the node ids: ``(label, ids)`` per node table, in the schema's order."""
    labels = _Labels()
    for label, ids in nodes:
        labels.add(label, ids)
    return labels


class _Labels:
    """The label of every node id, for grouping relationships by their endpoints' labels in Arrow."""

    def __init__(self) -> None:
        self.ids: list[pa.ChunkedArray] = []
        self.names: list[str] = []
        self._all: pa.ChunkedArray | None = None
        self._codes: pa.Array | None = None

    def add(self, label: str, ids: pa.ChunkedArray) -> None:
        self.ids.append(ids)
        self.names.append(label)
        self._all = None

    def codes(self, ids: pa.ChunkedArray, likely: Iterable[str] = ()) -> pa.ChunkedArray:
        """Index into :attr:`names` of each id's label (null for an id of no node).

        The ``likely`` labels (the schema's for that end) are tried first, each against its
        own ids; only ids found in none of them are looked up among all node ids. (Each
        lookup builds a hash table of the ids it searches, so the small sets save most.)

        >>> labels = _Labels()
        >>> labels.add("A", pa.chunked_array([["a1", "a2"]]))
        >>> labels.add("B", pa.chunked_array([["b1"]]))
        >>> labels.codes(pa.chunked_array([["b1", "a2", "x"]]), ["A"]).to_pylist()
        [1, 0, None]
        """
        codes = pa.nulls(len(ids), type=pa.int32())
        for label in likely:
            if label in self.names:
                k = self.names.index(label)
                codes = pc.if_else(pc.is_in(ids, value_set=self.ids[k]), pa.scalar(k, pa.int32()), codes)
        if codes.null_count:
            if self._all is None:
                self._all = pa.chunked_array([c for ids_ in self.ids for c in ids_.chunks], type=pa.string())
                sizes = [len(ids_) for ids_ in self.ids]
                self._codes = pa.array(np.repeat(np.arange(len(sizes), dtype=np.int32), sizes))
            codes = pc.coalesce(codes, pc.take(self._codes, pc.index_in(ids, value_set=self._all)))
        return codes
