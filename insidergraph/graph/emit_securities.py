"""The securities' family: ``Security`` nodes, ``ISSUED_BY``, ``CONVERTS_INTO`` and the rows' ``IN_SECURITY``.

A security is one issuer's class by normalised title: Table I and Table II titles are apart
(``security/<issuer>/nd/...`` and ``.../d/...``), and its title is the most frequent spelling
among its rows and the underlying titles of Table II rows that name a security of their own.

>>> from insidergraph.graph.resolve import resolve
>>> from insidergraph.graph.emit_filings import filing_frame
>>> from insidergraph.graph.emit_rows import row_layout
>>> frame = filing_frame({}, resolve({}))
>>> sorted(name for _kind, name in security_tables(row_layout(frame), frame))
['CONVERTS_INTO', 'IN_SECURITY', 'ISSUED_BY', 'Security']
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from insidergraph.graph.columns import compact_edges, edge_table, node_table, refs
from insidergraph.graph.emit_filings import FilingFrame, Tables
from insidergraph.graph.emit_rows import RowLayout
from insidergraph.graph.ids import edge_id, security_id, slug

_SPACE = re.compile(r"\s+")
_TITLE, _UNDERLYING = attrgetter("security_title"), attrgetter("underlying_title")


@dataclass
class _Securities:
    """The distinct securities, in the order first met."""

    ids: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    issuers: list[str] = field(default_factory=list)
    derivative: list[bool] = field(default_factory=list)
    spellings: list[Counter[str]] = field(default_factory=list)

    def add(self, issuer: str, derivative: bool, title_slug: str) -> int:
        sid = security_id(issuer, derivative, title_slug)
        s = self.index.get(sid)
        if s is None:
            s = self.index[sid] = len(self.ids)
            self.ids.append(sid)
            self.issuers.append(issuer)
            self.derivative.append(derivative)
            self.spellings.append(Counter())
        return s


def security_tables(layout: RowLayout, frame: FilingFrame) -> Tables:
    """Securities from the titles of every row and the underlying titles of Table II rows."""
    d_rows = layout.d.rows
    titles = pa.array(list(map(_TITLE, layout.nd.rows)) + list(map(_TITLE, d_rows)) + list(map(_UNDERLYING, d_rows)),
                      pa.string())
    issuer_index = {iss: k for k, iss in enumerate(dict.fromkeys(frame.issuers))}
    filing_issuer = np.array([issuer_index[iss] for iss in frame.issuers], dtype=np.int64)
    secs, sec_of_row, converts = _securities(titles, layout.n_nd, filing_issuer[layout.fidx], list(issuer_index))
    del titles
    title = [min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0] for counts in secs.spellings]
    sec_ids = pa.array(secs.ids, pa.string())
    has_sec = np.flatnonzero(sec_of_row >= 0)
    return {
        ("nodes", "Security"): node_table("Security", {"id": secs.ids, "issuer_id": secs.issuers, "title": title,
                                                       "derivative": secs.derivative}),
        ("edges", "ISSUED_BY"): edge_table("ISSUED_BY", {"id": [edge_id(s, i) for s, i in zip(secs.ids, secs.issuers)],
                                                         "src": secs.ids, "dst": secs.issuers}),
        ("edges", "CONVERTS_INTO"): edge_table("CONVERTS_INTO", {"id": [edge_id(a, b) for a, b in converts],
                                                                 "src": [a for a, _b in converts],
                                                                 "dst": [b for _a, b in converts]}),
        ("edges", "IN_SECURITY"): compact_edges(
            "IN_SECURITY", refs(has_sec.astype(np.int32), layout.ids),
            refs(sec_of_row[has_sec].astype(np.int32), sec_ids), frame.ranks),
    }


def _securities(titles: pa.Array, n_nd: int, issuer_of_row: np.ndarray,
                issuers: list[str]) -> tuple[_Securities, np.ndarray, list[tuple[str, str]]]:
    """The securities; per row (Table I then II) the index of its security or -1; the conversions.

    ``titles`` holds the security titles of every row, then the underlying titles of the
    Table II rows. Rows are grouped by integer keys (issuer, table, title code), so only each
    distinct key is Python work.
    """
    encoded = titles.dictionary_encode()
    dictionary = encoded.dictionary.to_pylist()
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    if "" in dictionary:  # an empty title names no security
        codes[codes == dictionary.index("")] = -1
    n = len(issuer_of_row)
    row_codes, under_codes = codes[:n], codes[n:]
    width = max(len(dictionary), 1)
    derivative = np.zeros(n, dtype=np.int64)
    derivative[n_nd:] = 1
    row_keys = (issuer_of_row * 2 + derivative) * width + row_codes
    has_row = row_codes >= 0
    # Underlying titles count only for Table II rows that name their own security too.
    has_under = has_row[n_nd:] & (under_codes >= 0)
    under_keys = (issuer_of_row[n_nd:] * 2) * width + under_codes
    # Hash-grouped (pandas' factorize): sorting the keys is not needed, their order is not used.
    inverse, keys = pd.factorize(np.concatenate([row_keys[has_row], under_keys[has_under]]))
    counts = np.bincount(inverse, minlength=len(keys))
    secs = _Securities()
    sec_of_key = np.empty(len(keys), dtype=np.int64)
    # Each distinct title is normalised once.
    cleaned = [_SPACE.sub(" ", title).strip() for title in dictionary]
    slugs = [slug(clean) for clean in cleaned]
    for k, (key, count) in enumerate(zip(keys.tolist(), counts.tolist())):
        rest, code = divmod(key, width)
        s = secs.add(issuers[rest // 2], rest % 2 == 1, slugs[code])
        secs.spellings[s][cleaned[code]] += count
        sec_of_key[k] = s
    sec_of_row = np.full(n, -1, dtype=np.int64)
    n_rows = int(has_row.sum())
    sec_of_row[has_row] = sec_of_key[inverse[:n_rows]]
    under_sec = sec_of_key[inverse[n_rows:]]
    pairs = (np.unique(np.stack([sec_of_row[n_nd:][has_under], under_sec]), axis=1) if len(under_sec)
             else np.zeros((2, 0), np.int64))
    converts = sorted((secs.ids[a], secs.ids[b]) for a, b in zip(pairs[0].tolist(), pairs[1].tolist()))
    return secs, sec_of_row, converts
