"""The filing family: ``Filing`` nodes, ``AMENDS``, ``FILED`` and ``ABOUT``, and the frame every emitter indexes.

:class:`FilingFrame` holds the filings in id order with what the column-wise emitters share:
the filing ids and keys as Arrow arrays (node references are indexes into them), each
filing's issuer, each (filing, distinct owner) pair, and one :class:`RankCache`.

>>> from insidergraph.graph.resolve import resolve
>>> frame = filing_frame({}, resolve({}))
>>> sorted(filing_tables(frame, resolve({})))
[('edges', 'ABOUT'), ('edges', 'AMENDS'), ('edges', 'FILED'), ('nodes', 'Filing')]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

import numpy as np
import pyarrow as pa

from insidergraph.graph.columns import (
    ColumnsError,
    compact_edges,
    edge_table,
    ints,
    node_table,
    np_ints,
    refs,
    strings,
)
from insidergraph.graph.ids import edge_id, filing_key
from insidergraph.graph.resolve import Resolution
from insidergraph.graph.schema import NODE_TYPES
from insidergraph.graph.tables import RankCache, Source
from insidergraph.model import Filing

Tables = dict[tuple[str, str], Source]


@dataclass
class FilingFrame:
    """The filings in id order, as the column-wise emitters index them."""

    ids: list[str]
    filings: list[Filing]
    #: Filing ids and keys (the id less ``filing/``) as Arrow, in the order of ``ids``.
    fids: pa.Array
    fkeys: pa.Array
    #: Per filing, the node id of its issuer.
    issuers: list[str]
    #: Each (filing, distinct owner) pair: the filing's index and the owner's index in ``owner_ids``.
    filed_fidx: np.ndarray
    filed_owner: np.ndarray
    owner_ids: pa.Array
    #: Ranks of node id arrays, shared by every table that sorts by them.
    ranks: RankCache


def filing_frame(filings: dict[str, Filing], res: Resolution) -> FilingFrame:
    """The frame of ``filings`` (by id, in id order) as ``res`` resolved them."""
    ids = list(filings)
    owner_ids: list[str] = []
    index: dict[str, int] = {}
    filed_fidx, filed_owner = ints(), ints()
    for i, fid in enumerate(ids):
        owners = res.owners_of[fid]
        for oid in dict.fromkeys(owners) if len(owners) > 1 else owners:
            ox = index.get(oid)
            if ox is None:
                ox = index[oid] = len(owner_ids)
                owner_ids.append(oid)
            filed_fidx.append(i)
            filed_owner.append(ox)
    return FilingFrame(
        ids=ids, filings=list(filings.values()), fids=pa.array(ids, pa.string()),
        fkeys=pa.array([filing_key(fid) for fid in ids], pa.string()), issuers=[res.issuer_of[fid] for fid in ids],
        filed_fidx=np_ints(filed_fidx), filed_owner=np_ints(filed_owner), owner_ids=pa.array(owner_ids, pa.string()),
        ranks=RankCache(),
    )


def superseded(frame: FilingFrame, res: Resolution) -> list[bool]:
    """Per filing, whether an amendment with rows of its own replaced its rows."""
    by_id = dict(zip(frame.ids, frame.filings))
    replaced = {orig for amendment, orig in res.amends.items()
                if by_id[amendment].non_derivative or by_id[amendment].derivative}
    return [fid in replaced for fid in frame.ids]


def filing_tables(frame: FilingFrame, res: Resolution) -> Tables:
    """``Filing`` nodes and the ``AMENDS``, ``FILED`` and ``ABOUT`` edges."""
    amends = sorted(res.amends.items())
    return {
        ("nodes", "Filing"): _filing_nodes(frame, res),
        ("edges", "AMENDS"): edge_table("AMENDS", {"id": [edge_id(a, o) for a, o in amends],
                                                   "src": [a for a, _o in amends], "dst": [o for _a, o in amends]}),
        ("edges", "FILED"): compact_edges("FILED", refs(frame.filed_owner, frame.owner_ids),
                                          refs(frame.filed_fidx, frame.fids), frame.ranks),
        ("edges", "ABOUT"): compact_edges("ABOUT", frame.fids, strings(frame.issuers), frame.ranks),
    }


def _filing_nodes(frame: FilingFrame, res: Resolution) -> pa.Table:
    """The Filing nodes, a column at a time: a column the schema declares is the filing's field of
    that name (``source_*`` from its source), unless made here."""
    signature_dates: list[date | None] = []
    unsigned: list[list[str]] = []
    for fid, f in zip(frame.ids, frame.filings):
        dates = [s.date for s in f.signatures if s.date]
        signature_dates.append(min(dates) if dates else None)
        # A signature that names no person stays on the filing, as its text.
        unsigned.append([s.text.strip() for s, signer in zip(f.signatures, res.signers_of[fid])
                         if signer is None and s.text.strip()])
    columns: dict[str, list[Any]] = {"id": frame.ids, "signature_date": signature_dates,
                                     "unsigned_signatures": unsigned}
    for name in NODE_TYPES["Filing"].columns:
        if name not in columns:
            path = name.replace("source_", "source.")
            if path.split(".")[0] not in Filing.__dataclass_fields__:
                raise ColumnsError(f"Filing: column {name} is declared but is no field of a filing, and not made")
            columns[name] = list(map(attrgetter(path), frame.filings))
    return node_table("Filing", columns)
