"""The parties' family: ``Person`` and ``Company`` nodes, the role spans, signatures and powers of attorney.

Every table is made from named columns (:mod:`insidergraph.graph.columns` checks them against
the schema). A role is one span per (type, owner, issuer, normalised title or text): the first
and last period of report and filing date, and the accessions that state it.

>>> from insidergraph.graph.resolve import resolve
>>> from insidergraph.graph.emit_filings import filing_frame
>>> res = resolve({})
>>> sorted(name for _kind, name in role_tables(filing_frame({}, res), res))
['DIRECTOR_OF', 'OFFICER_OF', 'OTHER_RELATION_TO', 'TEN_PERCENT_OWNER_OF']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any

import numpy as np
import pyarrow as pa

from insidergraph.graph.columns import (
    compact_edges,
    edge_table,
    node_table,
    refs,
    strings,
)
from insidergraph.graph.emit_filings import FilingFrame, Tables
from insidergraph.graph.ids import edge_id, filing_key, slug
from insidergraph.graph.resolve import Resolution
from insidergraph.graph.schema import ROLE_TYPES
from insidergraph.loaders.names import person_key
from insidergraph.model import Filing, Signature

_SPACE = re.compile(r"\s+")

#: Per role type (box 5 order): the flag of the owner's relationship that states it, and the
#: relationship's text field and the edge's column that keep its title or text.
ROLE_FIELDS: dict[str, tuple[str, str | None, str | None]] = {
    "DIRECTOR_OF": ("is_director", None, None),
    "OFFICER_OF": ("is_officer", "officer_title", "title"),
    "TEN_PERCENT_OWNER_OF": ("is_ten_percent_owner", None, None),
    "OTHER_RELATION_TO": ("is_other", "other_text", "text"),
}
assert tuple(ROLE_FIELDS) == ROLE_TYPES


def party_tables(res: Resolution) -> Tables:
    """``Person`` and ``Company`` nodes: every owner and issuer, then the signers that are no owner."""
    persons: dict[str, list[Any]] = {k: [] for k in ("id", "cik", "name", "aliases", "name_key", "unresolved")}
    companies: dict[str, list[Any]] = {k: [] for k in ("id", "cik", "name", "aliases", "ticker", "is_issuer",
                                                       "is_owner", "unresolved")}
    for nid, p in res.parties.items():
        row = {"id": nid, "cik": p.cik, "name": p.name, "aliases": p.aliases, "unresolved": p.unresolved}
        if p.label == "Person":
            row["name_key"] = person_key(p.name)
            target = persons
        else:
            row.update(ticker=p.ticker, is_issuer=p.is_issuer, is_owner=p.is_owner)
            target = companies
        for k, v in row.items():
            target[k].append(v)
    for nid, p in res.signers.items():
        # The spelling signed most often (then the first in order) names a signer.
        best = min(p.names.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        row = {"id": nid, "cik": None, "name": best, "aliases": sorted(p.names), "name_key": person_key(best),
               "unresolved": False}
        for k, v in row.items():
            persons[k].append(v)
    return {("nodes", "Person"): node_table("Person", persons), ("nodes", "Company"): node_table("Company", companies)}


@dataclass(slots=True)
class _Span:
    """One role's span, in the edge's column names."""

    text: str | None
    first_period: date | None = None
    last_period: date | None = None
    first_filed: date | None = None
    last_filed: date | None = None
    accessions: set[str] = field(default_factory=set)

    def add(self, period: date | None, filed: date | None, accession: str) -> None:
        if period is not None:
            if self.first_period is None or period < self.first_period:
                self.first_period = period
            if self.last_period is None or period > self.last_period:
                self.last_period = period
        if filed is not None:
            if self.first_filed is None or filed < self.first_filed:
                self.first_filed = filed
            if self.last_filed is None or filed > self.last_filed:
                self.last_filed = filed
        self.accessions.add(accession)


def _accession(fid: str, f: Filing) -> str:
    return f.accession or filing_key(fid)


def role_tables(frame: FilingFrame, res: Resolution) -> Tables:
    """The role edges: a span per (type, owner, issuer, title or text), as each filing's box 5 states it."""
    spans: dict[str, dict[tuple[str, str, str], _Span]] = {rtype: {} for rtype in ROLE_FIELDS}
    # Titles that differ only in case or punctuation are one role: (clean text, its key) per text.
    role_text: dict[str | None, tuple[str | None, str]] = {None: (None, "")}
    flags = [(spans[rtype], attrgetter(flag), text) for rtype, (flag, text, _column) in ROLE_FIELDS.items()]
    for fid, f, issuer in zip(frame.ids, frame.filings, frame.issuers):
        accession, period, filed = _accession(fid, f), f.period_of_report, f.filing_date
        for o, oid in zip(f.reporting_owners, res.owners_of[fid]):
            rel = o.relationship
            for of_type, flag, text in flags:
                if not flag(rel):
                    continue
                extra = (getattr(rel, text) or None) if text else None
                known = role_text.get(extra)
                if known is None:
                    clean = _SPACE.sub(" ", extra).strip()  # type: ignore[arg-type]
                    known = role_text[extra] = (clean, slug(clean) if clean else "")
                k = (oid, issuer, known[1])
                span = of_type.get(k)
                if span is None:
                    span = of_type[k] = _Span(known[0])  # the text of the first statement
                span.add(period, filed, accession)
    return {("edges", rtype): _role_table(rtype, spans[rtype]) for rtype in ROLE_FIELDS}


def _role_table(rtype: str, spans: dict[tuple[str, str, str], _Span]) -> pa.Table:
    text_column = ROLE_FIELDS[rtype][2]
    names = ["id", "src", "dst", "first_period", "last_period", "first_filed", "last_filed", "accessions",
             "filing_count"] + ([text_column] if text_column else [])
    columns: dict[str, list[Any]] = {k: [] for k in names}
    for (src, dst, key), span in spans.items():
        accs = sorted(span.accessions)
        row = {"id": edge_id(src, dst, *([key] if key else [])), "src": src, "dst": dst,
               "first_period": span.first_period, "last_period": span.last_period, "first_filed": span.first_filed,
               "last_filed": span.last_filed, "accessions": accs, "filing_count": len(accs)}
        if text_column:
            row[text_column] = span.text
        for k, v in row.items():
            columns[k].append(v)
    return edge_table(rtype, columns)


_DATE, _TEXT, _AIF = attrgetter("date"), attrgetter("text"), attrgetter("attorney_in_fact")


def signature_tables(frame: FilingFrame, res: Resolution) -> Tables:
    """``SIGNED`` (signer to filing, id ``signer|filing|n``) and ``ATTORNEY_IN_FACT_FOR`` (signer to owner)."""
    sig_src: list[str] = []
    sig_fidx: list[int] = []
    sig_idx: list[int] = []
    sigs: list[Any] = []
    aif: dict[tuple[str, str], dict[str, Any]] = {}
    for i, (fid, f) in enumerate(zip(frame.ids, frame.filings)):
        owner_ids = res.owners_of[fid]
        for idx, (s, sid) in enumerate(zip(f.signatures, res.signers_of[fid])):
            if sid is None:
                continue
            sig_src.append(sid)
            sig_fidx.append(i)
            sig_idx.append(idx)
            sigs.append(s)
            if not s.attorney_in_fact or s.on_behalf_of is None:
                continue
            target = _signed_for(f, owner_ids, s)
            if target is None or target == sid:
                continue
            rec = aif.get((sid, target))
            if rec is None:
                rec = aif[(sid, target)] = {"accessions": set(), "first_date": None, "last_date": None}
            if s.date:
                rec["first_date"] = min(filter(None, (rec["first_date"], s.date)))
                rec["last_date"] = max(filter(None, (rec["last_date"], s.date)))
            rec["accessions"].add(_accession(fid, f))
    number = pa.array(sig_idx, pa.int64()).cast(pa.string())
    signed = compact_edges(
        "SIGNED", strings(sig_src), refs(np.array(sig_fidx, dtype=np.int32), frame.fids), frame.ranks,
        date=pa.array(list(map(_DATE, sigs)), pa.date32()), text=pa.array(list(map(_TEXT, sigs)), pa.string()),
        attorney_in_fact=pa.array(list(map(_AIF, sigs)), pa.bool_()), id_parts=(number,))
    columns: dict[str, list[Any]] = {k: [] for k in ("id", "src", "dst", "first_date", "last_date", "accessions",
                                                      "filing_count")}
    for (src, dst), rec in aif.items():
        accs = sorted(rec["accessions"])
        row = {"id": edge_id(src, dst), "src": src, "dst": dst, "first_date": rec["first_date"],
               "last_date": rec["last_date"], "accessions": accs, "filing_count": len(accs)}
        for k, v in row.items():
            columns[k].append(v)
    return {("edges", "SIGNED"): signed, ("edges", "ATTORNEY_IN_FACT_FOR"): edge_table("ATTORNEY_IN_FACT_FOR", columns)}


def _signed_for(f: Filing, owner_ids: list[str], s: Signature) -> str | None:
    """The owner an attorney-in-fact signed for: by CIK where the signature gives one, else by name."""
    for o, oid in zip(f.reporting_owners, owner_ids):
        if (s.on_behalf_of_cik and o.cik == s.on_behalf_of_cik) or o.name == s.on_behalf_of:
            return oid
    return None


def grant_tables(res: Resolution) -> Tables:
    """``GRANTED_POWER_OF_ATTORNEY``, grantor to attorney: one edge per power (accession, document or path)."""
    columns: dict[str, list[Any]] = {k: [] for k in ("id", "src", "dst", "accession", "date", "scope",
                                                      "revokes_prior", "document")}
    seen: set[str] = set()
    for g in res.grants:
        p = g.power
        eid = edge_id(g.grantor, g.attorney, p.accession or p.document or slug(p.source.path if p.source else ""))
        if eid in seen:
            continue
        seen.add(eid)
        row = {"id": eid, "src": g.grantor, "dst": g.attorney, "accession": p.accession, "date": p.date_signed,
               "scope": list(p.companies), "revokes_prior": p.revokes_prior, "document": p.document}
        for k, v in row.items():
            columns[k].append(v)
    return {("edges", "GRANTED_POWER_OF_ATTORNEY"): edge_table("GRANTED_POWER_OF_ATTORNEY", columns)}
