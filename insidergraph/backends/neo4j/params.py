"""A batch's parameters from its Arrow rows, and a table's digest (no server needed).

>>> batch = pa.table({"id": ["f1"], "src": ["h1"], "dst": ["n1"], "field": [None]})
>>> create_params(batch, "edges", "FOOTNOTED_BY")
{'p0': ['f1'], 'p1': [None], 'src': ['h1'], 'dst': ['n1']}
>>> merge_params(batch, "edges", "FOOTNOTED_BY")
{'rows': [{'id': 'f1', 'src': 'h1', 'dst': 'n1', 'props': {}}]}
"""

from __future__ import annotations

import hashlib
from typing import Any

import pyarrow as pa

from insidergraph.backends.neo4j.statements import props


def python_column(table: pa.Table, name: str, typ: str) -> list[Any]:
    """One Arrow column as Python values ready for Bolt.

    >>> from decimal import Decimal
    >>> python_column(pa.table({"x": [Decimal("1.5"), None]}), "x", "decimal")
    [1.5, None]
    """
    values: list[Any] = table.column(name).to_pylist()
    if typ == "decimal":
        # Neo4j has no decimal type: amounts go as floats (the exact text stays in the store and RDF).
        return [None if v is None else float(v) for v in values]
    return values


def create_params(batch: pa.Table, kind: str, name: str) -> dict[str, list[Any]]:
    """A CREATE batch as one list per column (``$p0``, ``$p1``, ..., ``$src``, ``$dst``), nulls kept in place.

    Column lists are packed and sent without a map per row; CREATE stores no property
    whose value is null, so the nodes and relationships are the same as from row maps.
    """
    cols = {f"p{k}": python_column(batch, p.name, p.type) for k, p in enumerate(props(kind, name))}
    if kind == "edges":
        cols["src"] = batch.column("src").to_pylist()
        cols["dst"] = batch.column("dst").to_pylist()
    return cols


def row_maps(batch: pa.Table, kind: str, name: str) -> list[dict[str, Any]]:
    """A MERGE batch as maps: a node's properties, or ``{id, src, dst[, props]}`` per relationship.

    Absent values are left out of the maps, so ``SET ... += `` leaves a property that the
    store lacks as it is in the database.

    >>> row_maps(pa.table({"id": ["n1"], "filing_id": ["f1"], "footnote_id": ["F1"], "text": [None]}),
    ...          "nodes", "Footnote")
    [{'id': 'n1', 'filing_id': 'f1', 'footnote_id': 'F1'}]
    """
    names = [p.name for p in props(kind, name)]
    cols = [python_column(batch, p.name, p.type) for p in props(kind, name)]
    if kind == "nodes":
        return [{k: v for k, v in zip(names, values) if v is not None} for values in zip(*cols)]
    srcs, dsts = batch.column("src").to_pylist(), batch.column("dst").to_pylist()
    if len(names) == 1:
        return [{"id": i, "src": s, "dst": d} for i, s, d in zip(cols[0], srcs, dsts)]
    return [
        {"id": i, "src": s, "dst": d, "props": {k: v for k, v in zip(names[1:], values) if v is not None}}
        for i, s, d, *values in zip(cols[0], srcs, dsts, *cols[1:])
    ]


def merge_params(batch: pa.Table, kind: str, name: str) -> dict[str, list[dict[str, Any]]]:
    """A MERGE batch's parameters: ``$rows``, the :func:`row_maps`."""
    return {"rows": row_maps(batch, kind, name)}


def digest(table: pa.Table) -> str:
    """SHA-256 of a table's Arrow IPC bytes: equal digests mean equal content.

    (Different chunking of the same content may digest differently; that only costs the
    diff path where skipping would have done.)

    >>> digest(pa.table({"id": ["a"]})) == digest(pa.table({"id": ["a"]})) != digest(pa.table({"id": ["b"]}))
    True
    """
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue()).hexdigest()
