"""The label of each node id, in Arrow, for grouping relationships by their ends' labels.

The planner reaches this only through :func:`label_index` and the two members of
:class:`LabelIndex`. The label of an id comes from the one owner of ids and labels,
:mod:`insidergraph.graph.ids`; this module adds only whether the node is in the store.

>>> index = label_index([("Person", pa.chunked_array([["person/1"]])), ("Company", pa.chunked_array([["company/1"]]))])
>>> index.names, index.codes(pa.chunked_array([["company/1", "person/1", "person/2"]])).to_pylist()
(['Person', 'Company'], [1, 0, None])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc

from insidergraph.graph.ids import label_codes
from insidergraph.graph.schema import NODE_TYPES


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

        The label is read from the id by :mod:`insidergraph.graph.ids` (an id of no known
        label is its ``UnknownIdError``); each id is then looked up among the ids of its own
        label only, so an id of a node that is not in the store is null. (Each lookup builds
        a hash table of the ids it searches, so the small per-label sets save most.)
        ``likely`` is accepted for the planner's call and not needed: the id says its label.

        >>> labels = _Labels()
        >>> labels.add("Person", pa.chunked_array([["person/1", "person/2"]]))
        >>> labels.add("Company", pa.chunked_array([["company/1"]]))
        >>> labels.codes(pa.chunked_array([["company/1", "person/2", "person/9", "filing/1"]])).to_pylist()
        [1, 0, None, None]
        """
        schema = list(NODE_TYPES)
        here = [self.names.index(label) if label in self.names else None for label in schema]
        codes = pc.take(pa.array(here, pa.int32()), pa.chunked_array(label_codes(ids)))
        for k in pc.unique(codes.drop_null()).to_pylist():
            mine = pc.equal(codes, pa.scalar(k, pa.int32()))
            missing = pc.and_(mine, pc.invert(pc.is_in(ids, value_set=self.ids[k])))
            codes = pc.if_else(missing, pa.scalar(None, pa.int32()), codes)
        return codes
