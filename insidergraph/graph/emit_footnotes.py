"""The footnotes' family: ``Footnote`` nodes, ``HAS_FOOTNOTE`` and the rows' ``FOOTNOTED_BY``.

One node per filing and footnote id: those the filing defines, and those its rows only
reference (a node without text). A reference is an edge from the row to the footnote, with
the ``field`` of the row it annotates.

>>> from insidergraph.graph.resolve import resolve
>>> from insidergraph.graph.emit_filings import filing_frame
>>> from insidergraph.graph.emit_rows import row_layout
>>> frame = filing_frame({}, resolve({}))
>>> sorted(name for _kind, name in footnote_tables(row_layout(frame), frame))
['FOOTNOTED_BY', 'Footnote', 'HAS_FOOTNOTE']
"""

from __future__ import annotations

from itertools import chain

import numpy as np
import pyarrow as pa

from insidergraph.graph.columns import compact_edges, compact_table, dedup, refs
from insidergraph.graph.emit_filings import FilingFrame, Tables
from insidergraph.graph.emit_rows import RowLayout
from insidergraph.graph.ids import footnote_ids


def footnote_tables(layout: RowLayout, frame: FilingFrame) -> Tables:
    """Footnotes defined by the filings or referenced by their rows, and the edges to them."""
    note_counts = [len(f.footnotes) for f in frame.filings]
    note_keys = [k for f in frame.filings for k in f.footnotes]
    note_texts = [t for f in frame.filings for t in f.footnotes.values()]
    note_fidx = np.repeat(np.arange(len(note_counts), dtype=np.int64), np.array(note_counts, dtype=np.int64))
    n_def, n_nd = len(note_fidx), layout.n_nd
    nd_refs, d_refs = layout.nd.footnote_refs(), layout.d.footnote_refs()
    ref_row = np.concatenate([nd_refs[0], d_refs[0] + n_nd])
    ref_field = pa.array(nd_refs[1] + d_refs[1], pa.string()).dictionary_encode()
    field = refs(np.repeat(ref_field.indices.to_numpy(), np.concatenate([nd_refs[3], d_refs[3]])), ref_field.dictionary)
    # Footnote ids as integer codes, so that a reference finds its filing's footnote by key.
    distinct = set(note_keys)
    distinct.update(nd_refs[2], d_refs[2])
    code_of = {fn_id: k for k, fn_id in enumerate(sorted(distinct))}  # sorted: no hash order
    n_refs = len(nd_refs[2]) + len(d_refs[2])
    keys = np.fromiter(map(code_of.__getitem__, chain(note_keys, nd_refs[2], d_refs[2])), dtype=np.int64,
                       count=n_def + n_refs)
    dictionary = pa.array(list(code_of), pa.string())
    del nd_refs, d_refs, distinct, code_of
    width = max(len(dictionary), 1)
    ref_keys = layout.fidx[ref_row].astype(np.int64) * width + keys[n_def:]
    def_keys = note_fidx * width + keys[:n_def]
    by_key = np.argsort(def_keys, kind="stable")
    found_at = np.minimum(np.searchsorted(def_keys[by_key], ref_keys), max(n_def - 1, 0))
    found = (def_keys[by_key][found_at] == ref_keys) if n_def else np.zeros(len(ref_keys), dtype=bool)
    ref_note = np.where(found, by_key[found_at] if n_def else 0, -1)
    # A reference to a footnote the filing does not define: a footnote node without text.
    undefined = np.unique(ref_keys[~found])
    ref_note[~found] = n_def + np.searchsorted(undefined, ref_keys[~found])
    note_fidx = np.concatenate([note_fidx, undefined // width]).astype(np.int32)
    note_ids = dictionary.take(pa.array(np.concatenate([keys[:n_def], undefined % width])))
    texts = dedup(note_texts + [None] * len(undefined))
    del dictionary, keys, def_keys, ref_keys
    notes = footnote_ids(refs(note_fidx, frame.fkeys), note_ids)
    take = pa.array(np.argsort(frame.ranks.ranks(notes), kind="stable").astype(np.int32))
    ranks = frame.ranks
    return {
        ("nodes", "Footnote"): compact_table("nodes", "Footnote", {
            "id": refs(take, notes), "filing_id": refs(note_fidx, frame.fids).take(take),
            "footnote_id": note_ids.take(take), "text": texts.take(take)}, len(notes)),
        ("edges", "HAS_FOOTNOTE"): compact_edges(
            "HAS_FOOTNOTE", refs(note_fidx, frame.fids), refs(np.arange(len(notes), dtype=np.int32), notes), ranks),
        ("edges", "FOOTNOTED_BY"): compact_edges(
            "FOOTNOTED_BY", refs(ref_row, layout.ids), refs(ref_note, notes), ranks, field=field, id_parts=(field,)),
    }
