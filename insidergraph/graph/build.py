"""Filings become one graph: entities resolved, roles as spans, every fact traced to its filing.

Entity resolution, in order:

1. **CIK first.** A reporting owner or issuer with a CIK is one node per CIK, whatever
   names it was filed under (all kept as ``aliases``). A CIK that is ever an issuer, or
   whose names mostly read as an entity, is a ``Company``; otherwise a ``Person``.
2. **Owners without a CIK** (rendered forms) join a CIK node only when exactly one
   CIK owner of the same issuer has the same normalised name; otherwise they get a
   name-keyed node flagged ``unresolved``.
3. **Signers** have no CIK: a signer whose name equals an owner's name exactly (case and
   spacing aside) is that owner; any other signer is a Person keyed by
   :func:`~insidergraph.loaders.names.person_key` (case, punctuation and initials aside).

Emission is column-wise: per filing only list extensions; the row tables (Transaction,
Holding, Footnote and their edges, about 85% of all rows) are then made for all filings at
once with numpy and Arrow, as compact tables whose node references are indexes into arrays
of node ids (see :class:`~insidergraph.graph.tables.CompactTable`). The tables are exactly
those of the first, row-wise builder (``tests/test_graph_golden.py``).

>>> from insidergraph.graph.build import build_graph
>>> build_graph([]).counts()["nodes"]["Filing"]
0
"""

from __future__ import annotations

import gc
import hashlib
import re
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import chain
from operator import attrgetter, methodcaller
from typing import Any, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from insidergraph.graph.precedence import prefer
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES
from insidergraph.graph.tables import (
    _ARROW, CompactTable, GraphTables, Join, RankCache, Source, arrow_schema, edge_props, node_props, records_table,
    sort_order,
)
from insidergraph.model import Filing, NonDerivativeRow, PowerOfAttorney
from insidergraph.loaders.names import owner_kind, person_key

_SLUG = re.compile(r"[^a-z0-9]+")
_SPACE = re.compile(r"\s+")

def slug(text: str) -> str:
    """A lower-case, hyphenated key for IDs; a short hash when nothing alphanumeric is left.

    >>> slug("Class A Common Stock")
    'class-a-common-stock'
    """
    s = _SLUG.sub("-", text.lower()).strip("-")
    return s[:80] if s else "h" + hashlib.sha1(text.encode()).hexdigest()[:12]


def exact_name(text: str) -> str:
    """A name compared "exactly": only case and spacing are ignored."""
    return _SPACE.sub(" ", text).strip().upper()


def filing_id(filing: Filing) -> str:
    """``filing/<accession>``, or ``filing/h/<hash>`` of the content when there is no accession.

    The hash leaves out where the filing was read from, so the same content read from two
    paths is one filing.
    """
    if filing.accession:
        return f"filing/{filing.accession}"
    digest = hashlib.sha1(repr(replace(filing, source=replace(filing.source, path="", line=None))).encode())
    return f"filing/h/{digest.hexdigest()[:20]}"


def _span_update(span: dict[str, Any], period: date | None, filed: date | None, accession: str) -> None:
    for key, value, pick in (
        ("first_period", period, min),
        ("last_period", period, max),
        ("first_filed", filed, min),
        ("last_filed", filed, max),
    ):
        if value is not None:
            span[key] = value if span.get(key) is None else pick(span[key], value)
    span["_acc"].add(accession)


@dataclass
class _Entity:
    label: str
    cik: str | None
    names: Counter[str] = field(default_factory=Counter)
    latest: tuple[Any, ...] = ()
    ticker_order: tuple[Any, ...] = ()
    name: str = ""
    ticker: str | None = None
    is_issuer: bool = False
    is_owner: bool = False
    unresolved: bool = False
    entity_votes: int = 0
    person_votes: int = 0

    def seen(self, name: str | None, display: str | None, order: tuple[Any, ...]) -> None:
        if name:
            self.names[name] += 1
        if display:
            self.names[display] += 0
        if display and order >= self.latest:
            self.latest, self.name = order, display


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
        key = (power.accession, power.document, None if power.accession else power.source and power.source.path)
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
        # Millions of fresh tuples would set off full collections again and again; none of
        # them form cycles, so collecting during the build is pure cost (about half of it).
        enabled = gc.isenabled()
        gc.disable()
        try:
            return _Assembly(self.filings, list(self.powers.values())).run()
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


class _Assembly:
    """One pass of resolution and emission over a fixed set of filings."""

    def __init__(self, filings: dict[str, Filing], powers: list[PowerOfAttorney] | None = None) -> None:
        self.filings = dict(sorted(filings.items()))
        self.powers = powers or []
        self.entities: dict[str, _Entity] = {}
        # Small tables (entities, roles, signatures, securities) as tuples in column order;
        # the large row-derived tables are built column-wise by _RowEmitter.
        self.nodes: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        self.edges: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        self.unresolved: dict[str, _Entity] = {}
        # Names repeat across a person's filings; normalising each once saves a regex pass per use.
        self._keys: dict[str, str] = {}
        self._exact: dict[str, str] = {}

    @staticmethod
    def _order(f: Filing, fid: str) -> tuple[Any, ...]:
        return (f.period_of_report or date.min, f.filing_date or date.min, fid)

    def _person_key(self, name: str) -> str:
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = person_key(name)
        return key

    def _exact_name(self, name: str) -> str:
        key = self._exact.get(name)
        if key is None:
            key = self._exact[name] = exact_name(name)
        return key

    # -- resolution ------------------------------------------------------------------
    def _cik_entity(self, cik: str, label_hint: str) -> _Entity:
        ent = self.entities.get(cik)
        if ent is None:
            ent = self.entities[cik] = _Entity(label_hint, cik)
        return ent

    def run(self) -> GraphTables:
        self._collect_ciks()
        issuer_of, owners_of = self._resolve_parties()
        self._emit_entities()
        built = self._emit_filings(issuer_of, owners_of)
        nodes: dict[str, Source] = {}
        edges: dict[str, Source] = {}
        for label in NODE_TYPES:
            nodes[label] = built.pop(("nodes", label), None) or records_table(self.nodes.pop(label, []), node_props(label))
        for rel in EDGE_TYPES:
            edges[rel] = built.pop(("edges", rel), None) or records_table(self.edges.pop(rel, []), edge_props(rel))
        return GraphTables.from_arrow(nodes, edges)

    def _collect_ciks(self) -> None:
        for fid, f in self.filings.items():
            order = self._order(f, fid)
            if f.issuer.cik:
                ent = self._cik_entity(f.issuer.cik, "Company")
                ent.is_issuer = True
                ent.seen(f.issuer.name, f.issuer.name, order)
                if f.issuer.ticker and order >= ent.ticker_order:
                    ent.ticker, ent.ticker_order = f.issuer.ticker, order
            for o in f.reporting_owners:
                if o.cik:
                    ent = self._cik_entity(o.cik, "Person")
                    ent.is_owner = True
                    ent.seen(o.name, o.display_name, order)
                    if o.kind == "entity":
                        ent.entity_votes += 1
                    else:
                        ent.person_votes += 1
        for ent in self.entities.values():
            if ent.is_issuer or ent.entity_votes > ent.person_votes:
                ent.label = "Company"
            else:
                ent.label = "Person"
            if not ent.name:
                ent.name = next(iter(sorted(ent.names)), ent.cik or "")

    def _node_id(self, ent: _Entity, key: str | None = None) -> str:
        prefix = "person" if ent.label == "Person" else "company"
        return f"{prefix}/{ent.cik}" if ent.cik else f"{prefix}/n/{key}"

    def _resolve_parties(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        """Node ids of each filing's issuer and owners, joining CIK-less parties where unambiguous."""
        pkey = self._person_key
        # Only filings without CIKs (rendered forms) need these indexes: each is built the
        # first time such a filing asks for it, from every filing with CIKs.
        by_ticker: dict[str, set[str]] = defaultdict(set)
        by_issuer_name: dict[str, set[str]] = defaultdict(set)
        owners_at: dict[tuple[str, str], set[str]] = defaultdict(set)
        built: set[str] = set()

        def index(which: str) -> None:
            built.add(which)
            for f in self.filings.values():
                if not f.issuer.cik:
                    continue
                if which == "issuers":
                    if f.issuer.ticker:
                        by_ticker[f.issuer.ticker.upper()].add(f.issuer.cik)
                    if f.issuer.name:
                        by_issuer_name[pkey(f.issuer.name)].add(f.issuer.cik)
                    continue
                for o in f.reporting_owners:
                    if o.cik:
                        for n in (o.name, o.display_name):
                            owners_at[(f.issuer.cik, pkey(n))].add(o.cik)

        # One node id string per entity, shared by every filing that names it.
        ids = {cik: self._node_id(ent) for cik, ent in self.entities.items()}
        issuer_of: dict[str, str] = {}
        owners_of: dict[str, list[str]] = {}
        for fid, f in self.filings.items():
            issuer_cik = f.issuer.cik
            if issuer_cik is None:
                if "issuers" not in built:
                    index("issuers")
                cands = by_ticker.get((f.issuer.ticker or "").upper(), set()) or by_issuer_name.get(
                    pkey(f.issuer.name or ""), set()
                )
                issuer_cik = next(iter(cands)) if len(cands) == 1 else None
            if issuer_cik is not None:
                issuer_of[fid] = ids[issuer_cik]
            else:
                key = slug(f.issuer.name or f.issuer.ticker or fid)
                ent = self._unresolved("Company", key, f.issuer.name, f.issuer.name, self._order(f, fid))
                ent.is_issuer = True
                ent.ticker = ent.ticker or f.issuer.ticker
                issuer_of[fid] = f"company/n/{key}"
            owner_ids = []
            for o in f.reporting_owners:
                cik = o.cik
                if cik is None and issuer_cik is not None:
                    if "owners" not in built:
                        index("owners")
                    cands = owners_at.get((issuer_cik, pkey(o.name)), set()) | owners_at.get(
                        (issuer_cik, pkey(o.display_name)), set()
                    )
                    cik = next(iter(cands)) if len(cands) == 1 else None
                if cik is not None:
                    owner_ids.append(ids[cik])
                else:
                    label = "Company" if o.kind == "entity" else "Person"
                    key = slug(pkey(o.name) if label == "Person" else o.name)
                    ent = self._unresolved(label, key, o.name, o.display_name, self._order(f, fid))
                    ent.is_owner = True
                    owner_ids.append(self._node_id(ent, key))
            owners_of[fid] = owner_ids
        return issuer_of, owners_of

    def _unresolved(self, label: str, key: str, name: str | None, display: str | None, order: tuple[Any, ...]) -> _Entity:
        nid = f"{'person' if label == 'Person' else 'company'}/n/{key}"
        ent = self.unresolved.get(nid)
        if ent is None:
            ent = self.unresolved[nid] = _Entity(label, None, unresolved=True)
        ent.seen(name, display, order)
        return ent

    # -- emission --------------------------------------------------------------------
    def _entity_row(self, nid: str, ent: _Entity) -> None:
        aliases = sorted(set(ent.names) | ({ent.name} if ent.name else set()))
        # Tuples in the registry's column order (see schema.NODE_TYPES).
        if ent.label == "Person":
            self.nodes["Person"].append((nid, ent.cik, ent.name, aliases, person_key(ent.name), ent.unresolved))
        else:
            self.nodes["Company"].append((nid, ent.cik, ent.name, aliases, ent.ticker, ent.is_issuer, ent.is_owner,
                                          ent.unresolved))

    def _emit_entities(self) -> None:
        for ent in self.entities.values():
            self._entity_row(self._node_id(ent), ent)
        for nid, ent in self.unresolved.items():
            self._entity_row(nid, ent)

    def _signer_id(self, signer: str, exact_owner: dict[str, str], signers: dict[str, _Entity]) -> tuple[str, _Entity | None]:
        """The signer's node id, and its signer entity when it is not an owner."""
        owner = exact_owner.get(self._exact_name(signer))
        if owner is not None:
            return owner, None
        key = self._person_key(signer) or self._exact_name(signer)
        nid = f"person/n/{slug(key)}"
        ent = signers.get(nid)
        if ent is None:
            ent = signers[nid] = _Entity("Person", None)
        return nid, ent

    def _amendments(self, issuer_of: dict[str, str], owners_of: dict[str, list[str]]) -> dict[str, str]:
        """Amendment id to the id of the filing it corrects, where exactly one candidate fits.

        The original is a filing of the same issuer, owners and base form, filed on the
        amendment's date of original submission, or failing that of the same period.
        """
        amendments = [fid for fid, f in self.filings.items() if f.is_amendment]
        # Only an amended issuer's filings can be originals: the others need no key.
        amended = {issuer_of[fid] for fid in amendments}
        originals: dict[tuple[str, str, tuple[str, ...]], list[str]] = defaultdict(list)
        for fid, f in self.filings.items():
            if not f.is_amendment and issuer_of[fid] in amended:
                originals[(issuer_of[fid], f.document_type, tuple(sorted(owners_of[fid])))].append(fid)
        out: dict[str, str] = {}
        for fid in amendments:
            f = self.filings[fid]
            cands = originals.get((issuer_of[fid], f.document_type.removesuffix("/A"), tuple(sorted(owners_of[fid]))), [])
            picked = [c for c in cands if f.date_of_original_submission
                      and self.filings[c].filing_date == f.date_of_original_submission]
            if not picked:
                picked = [c for c in cands if self.filings[c].period_of_report == f.period_of_report]
            if len(picked) == 1:
                out[fid] = picked[0]
        return out

    def _emit_filings(self, issuer_of: dict[str, str], owners_of: dict[str, list[str]]) -> dict[tuple[str, str], Source]:
        """Every filing's rows; returns the large tables (the small ones go to self.nodes/edges)."""
        roles: dict[tuple[str, str, str, str], list[Any]] = {}
        aif: dict[tuple[str, str], dict[str, Any]] = {}
        signers: dict[str, _Entity] = {}
        owner_nodes = {r[0] for r in self.nodes["Person"]} | {r[0] for r in self.nodes["Company"]}

        # Exact names of every owner, for signers that are owners themselves; an
        # ambiguous exact name (two CIKs) joins neither.
        exact_sets: dict[str, set[str]] = defaultdict(set)
        for fid, f in self.filings.items():
            for o, oid in zip(f.reporting_owners, owners_of[fid]):
                for n in (o.name, o.display_name):
                    exact_sets[self._exact_name(n)].add(oid)
        exact_owner = {k: next(iter(v)) for k, v in exact_sets.items() if len(v) == 1}

        amends = self._amendments(issuer_of, owners_of)
        replaced = {orig for amendment, orig in amends.items()
                    if self.filings[amendment].non_derivative or self.filings[amendment].derivative}
        for amendment, orig in sorted(amends.items()):
            self.edges["AMENDS"].append((f"{amendment}|{orig}", amendment, orig))

        rows = _RowEmitter()
        # SIGNED, column-wise: signer id, filing index, signature number, the signature.
        signed: tuple[list[Any], ...] = ([], [], [], [])
        sig_src, sig_fidx, sig_idx, sig_obj = signed
        signer_of: dict[str, tuple[str, _Entity | None]] = {}
        role_text: dict[str | None, tuple[str | None, str]] = {None: (None, "")}
        signature_dates: list[date | None] = [None] * len(self.filings)
        unsigned: list[list[str]] = [[] for _ in self.filings]

        def role(rtype: str, oid: str, issuer: str, extra: str | None, period: date | None, filed: date | None,
                 accession: str) -> None:
            known = role_text.get(extra)
            if known is None:
                clean = _SPACE.sub(" ", extra).strip()  # type: ignore[arg-type]
                # Titles that differ only in case or punctuation are one role.
                known = role_text[extra] = (clean, slug(clean) if clean else "")
            k = (rtype, oid, issuer, known[1])
            span = roles.get(k)
            if span is None:
                # first/last period, first/last filed, accessions, text of the first statement
                span = roles[k] = [None, None, None, None, set(), known[0]]
            if period is not None:
                if span[0] is None or period < span[0]:
                    span[0] = period
                if span[1] is None or period > span[1]:
                    span[1] = period
            if filed is not None:
                if span[2] is None or filed < span[2]:
                    span[2] = filed
                if span[3] is None or filed > span[3]:
                    span[3] = filed
            span[4].add(accession)

        for i, (fid, f) in enumerate(self.filings.items()):
            fkey = fid.removeprefix("filing/")
            issuer = issuer_of[fid]
            owner_ids = owners_of[fid]
            owners = list(dict.fromkeys(owner_ids)) if len(owner_ids) > 1 else owner_ids
            accession = f.accession or fkey
            period, filed = f.period_of_report, f.filing_date
            for o, oid in zip(f.reporting_owners, owner_ids):
                rel = o.relationship
                # Box 5 order: director, officer (title), 10% owner, other (text).
                if rel.is_director:
                    role("DIRECTOR_OF", oid, issuer, None, period, filed, accession)
                if rel.is_officer:
                    role("OFFICER_OF", oid, issuer, rel.officer_title or None, period, filed, accession)
                if rel.is_ten_percent_owner:
                    role("TEN_PERCENT_OWNER_OF", oid, issuer, None, period, filed, accession)
                if rel.is_other:
                    role("OTHER_RELATION_TO", oid, issuer, rel.other_text or None, period, filed, accession)

            if f.signatures:
                sig_dates = [s.date for s in f.signatures if s.date]
                if sig_dates:
                    signature_dates[i] = min(sig_dates)
            for idx, s in enumerate(f.signatures):
                name = s.signer
                if not name or (f.issuer.name and self._exact_name(name) == self._exact_name(f.issuer.name)):
                    # No person signed by that text (a placeholder, an exhibit reference, the
                    # issuer's name): it stays on the filing, as text.
                    if s.text.strip():
                        unsigned[i].append(s.text.strip())
                    continue
                known_signer = signer_of.get(name)
                if known_signer is None:
                    known_signer = signer_of[name] = self._signer_id(name, exact_owner, signers)
                sid, ent = known_signer
                if ent is not None:
                    ent.names[name] += 1
                sig_src.append(sid)
                sig_fidx.append(i)
                sig_idx.append(idx)
                sig_obj.append(s)
                if not s.attorney_in_fact or s.on_behalf_of is None:
                    continue
                target = None
                for o, oid in zip(f.reporting_owners, owner_ids):
                    if (s.on_behalf_of_cik and o.cik == s.on_behalf_of_cik) or o.name == s.on_behalf_of:
                        target = oid
                        break
                if target is None or target == sid:
                    continue
                rec = aif.get((sid, target))
                if rec is None:
                    rec = aif[(sid, target)] = {"_acc": set(), "first_date": None, "last_date": None}
                if s.date:
                    rec["first_date"] = min(filter(None, (rec["first_date"], s.date)))
                    rec["last_date"] = max(filter(None, (rec["last_date"], s.date)))
                rec["_acc"].add(accession)

            rows.filing(i, f, fkey, owners, issuer, fid in replaced)

        built = rows.finish(list(self.filings))
        built[("nodes", "Filing")] = _filing_table(list(self.filings), list(self.filings.values()), signature_dates,
                                                   unsigned)
        self._powers_of_attorney(owners_of, exact_owner, signers)
        built[("edges", "SIGNED")] = _signed_table(rows.filing_ids, signed, rows.ranks)
        self.nodes["Security"].extend(rows.security_rows)
        self.edges["ISSUED_BY"].extend(rows.issued_by)
        self.edges["CONVERTS_INTO"].extend(rows.converts_into)
        self._finish(roles, aif, signers, owner_nodes)
        return built

    def _powers_of_attorney(self, owners_of: dict[str, list[str]], exact_owner: dict[str, str],
                            signers: dict[str, _Entity]) -> None:
        """GRANTED_POWER_OF_ATTORNEY edges, grantor to attorney, from every power in the store.

        The grantor is the node of ``grantor_cik``, else the only owner of the filing the power
        came with (same accession), else the owner or signer of that name. Attorneys are signers
        (merged by the same normalised name as those who sign); an entity named as attorney
        ("Reinvent Sponsor LLC") joins only an owner of exactly that name.
        """
        ids = {cik: self._node_id(ent) for cik, ent in self.entities.items()}
        powers = [(p, fid) for fid, f in self.filings.items() for p in f.powers_of_attorney]
        powers += [(p, f"filing/{p.accession}" if p.accession else None) for p in self.powers]
        seen: set[str] = set()
        for p, fid in powers:
            grantor = ids.get(p.grantor_cik) if p.grantor_cik else None
            if grantor is None and fid in owners_of and len(set(owners_of[fid])) == 1:
                grantor = owners_of[fid][0]
            if grantor is None and p.grantor:
                grantor = self._party(p.grantor, exact_owner, signers)
            if grantor is None:
                continue
            for name in p.attorneys:
                attorney = self._party(name, exact_owner, signers)
                if attorney is None or attorney == grantor:
                    continue
                eid = f"{grantor}|{attorney}|{p.accession or p.document or slug(p.source.path if p.source else '')}"
                if eid in seen:
                    continue
                seen.add(eid)
                self.edges["GRANTED_POWER_OF_ATTORNEY"].append(
                    (eid, grantor, attorney, p.accession, p.date_signed, list(p.companies), p.revokes_prior,
                     p.document))

    def _party(self, name: str, exact_owner: dict[str, str], signers: dict[str, _Entity]) -> str | None:
        """The node of a person named in a power of attorney (an owner, else a signer); None for a
        non-owner entity."""
        owner = exact_owner.get(self._exact_name(name))
        if owner is not None:
            return owner
        if owner_kind(name) == "entity":
            return None
        nid, ent = self._signer_id(name, exact_owner, signers)
        if ent is not None:
            ent.names[name] += 1
        return nid

    def _finish(self, roles: dict[tuple[str, str, str, str], list[Any]], aif: dict[tuple[str, str], dict[str, Any]],
                signers: dict[str, _Entity], owner_nodes: set[str]) -> None:
        # Tuples in the registry's column order: id, src, dst, [title | text], the span, accessions, count.
        for (rtype, src, dst, key), (p0, p1, f0, f1, acc, text) in roles.items():
            accs = sorted(acc)
            head: tuple[Any, ...] = (f"{src}|{dst}" + (f"|{key}" if key else ""), src, dst)
            if rtype in ("OFFICER_OF", "OTHER_RELATION_TO"):
                head += (text,)
            self.edges[rtype].append(head + (p0, p1, f0, f1, accs, len(accs)))
        for (src, dst), rec in aif.items():
            accs = sorted(rec["_acc"])
            self.edges["ATTORNEY_IN_FACT_FOR"].append(
                (f"{src}|{dst}", src, dst, rec["first_date"], rec["last_date"], accs, len(accs)))
        for nid, ent in signers.items():
            if nid in owner_nodes:
                continue
            best = sorted(ent.names.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            self.nodes["Person"].append((nid, None, best, sorted(ent.names), person_key(best), False))


def _filing_table(ids: list[str], filings: list[Filing], signature_dates: list[date | None],
                  unsigned: list[list[str]]) -> pa.Table:
    """The Filing nodes, a column at a time (``filings`` in id order)."""
    columns: dict[str, list[Any]] = {"id": ids, "signature_date": signature_dates, "unsigned_signatures": unsigned}
    props = node_props("Filing")
    for p in props:
        if p.name not in columns:
            columns[p.name] = list(map(attrgetter(p.name.replace("source_", "source.")), filings))
    table = pa.Table.from_arrays([pa.array(columns.pop(p.name), _ARROW[p.type]) for p in props],
                                 schema=arrow_schema(props))
    order = sort_order(table.column("id").combine_chunks())
    return table if order is None else table.take(order)


def _signed_table(fids: pa.Array, signed: tuple[list[Any], ...], ranks: RankCache) -> CompactTable:
    """SIGNED edges (id ``signer|filing|n``) from the signer ids, filing indexes, numbers and signatures."""
    src, fidx, idx, sigs = signed
    number = pa.array(idx, pa.int64()).cast(pa.string())
    return _edges("SIGNED", _strings(src), _refs(np.array(fidx, dtype=np.int32), fids), ranks,
                  date=pa.array(list(map(_DATE, sigs)), pa.date32()), text=pa.array(list(map(_TEXT, sigs)), pa.string()),
                  attorney_in_fact=pa.array(list(map(_AIF, sigs)), pa.bool_()), id_parts=(number,))


def _ints() -> array:
    """A growable C int array: 4 bytes an entry, where a list of ints costs 8 plus the int."""
    return array("i")


def _np(values: array) -> np.ndarray:
    return np.frombuffer(values, dtype=np.int32) if len(values) else np.zeros(0, np.int32)


def _refs(indices: np.ndarray | pa.Array, dictionary: pa.Array) -> pa.DictionaryArray:
    """References into an array of strings (node ids, say): 4 bytes each, decoded on materialization."""
    if not isinstance(indices, pa.Array):
        indices = pa.array(indices, pa.int32())
    elif indices.type != pa.int32():
        indices = indices.cast(pa.int32())
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def _dedup(values: list[Any]) -> pa.DictionaryArray:
    """Strings as a dictionary array: repeated texts (boilerplate footnotes, titles) stored once."""
    index: dict[Any, int] = {}
    codes = [None if v is None else index.setdefault(v, len(index)) for v in values]
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(list(index), pa.string()))


def _strings(values: list[Any]) -> pa.Array:
    """A string column, dictionary-encoded when its values repeat enough to pay for it."""
    arr = pa.array(values, pa.string())
    encoded = arr.dictionary_encode()
    return encoded if 2 * len(encoded.dictionary) < len(arr) else arr


def _values(kind: str, values: list[Any]) -> pa.Array:
    """One value column of a row table: decimals as their exact text, repeated strings encoded once.

    A column with no value at all (a field no filing used) is made without converting it.
    """
    # (Not for decimals: list.count compares with ==, which for Decimal goes through the
    # numbers ABCs; the conversion below skips their None anyway.)
    if kind != "decimal" and values.count(None) == len(values):
        return pa.nulls(len(values), _ARROW[kind])
    if kind == "decimal":
        return pa.array([None if v is None else str(v) for v in values], pa.string())
    if kind == "string":
        return _strings(values)
    return pa.array(values, _ARROW[kind])


def _edges(rel: str, src: Any, dst: Any, ranks: RankCache, **extra: Any) -> CompactTable:
    """An edge table whose id is ``src|dst`` (then the ``extra`` id parts), rows sorted by id."""
    parts = (src, dst, *extra.pop("id_parts", ()))
    columns = {"id": Join("|", parts), "src": src, "dst": dst, **extra}
    return CompactTable(arrow_schema(edge_props(rel)), columns, len(src)).sorted_by_id(ranks)


class _Stream:
    """The rows of one table of the form (I non-derivative, II derivative), filing after filing."""

    def __init__(self) -> None:
        self.rows: list[Any] = []
        self.counts: list[int] = []  # rows of each filing

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


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenated ranges ``starts[k] .. starts[k] + counts[k] - 1``."""
    total = int(counts.sum())
    offsets = np.cumsum(counts) - counts
    return np.repeat(starts - offsets, counts) + np.arange(total, dtype=np.int64)


class _RowEmitter:
    """The hot path: table rows, their securities and footnotes, collected column by column.

    Per filing only list extensions are Python work; ids, edge ends, footnote references,
    sorting and the value columns are made once for all rows with numpy and Arrow.
    """

    def __init__(self) -> None:
        self.nd, self.d = _Stream(), _Stream()
        self.ranks = RankCache()  # ranks of node ids, shared by every table that sorts by them
        self.filing_ids = pa.array([], pa.string())
        self.fkeys: list[str] = []
        self.issuers: list[str] = []
        self.issuer_ids: list[str] = []
        self.superseded: list[bool] = []
        self.owner_ids: list[str] = []
        self.owner_index: dict[str, int] = {}
        self.filed_fidx, self.filed_owner = _ints(), _ints()
        self.note_counts: list[int] = []
        self.note_ids: list[str] = []
        self.note_texts: list[str | None] = []
        self.security_rows: list[tuple[Any, ...]] = []
        self.issued_by: list[tuple[Any, ...]] = []
        self.converts_into: list[tuple[Any, ...]] = []

    def filing(self, i: int, f: Filing, fkey: str, owners: list[str], issuer: str, superseded: bool) -> None:
        """Collect filing ``i`` (filings come in id order)."""
        self.fkeys.append(fkey)
        self.issuers.append(issuer)
        self.superseded.append(superseded)
        index = self.owner_index
        for oid in owners:
            ox = index.get(oid)
            if ox is None:
                ox = index[oid] = len(self.owner_ids)
                self.owner_ids.append(oid)
            self.filed_fidx.append(i)
            self.filed_owner.append(ox)
        notes = f.footnotes
        self.note_counts.append(len(notes))
        if notes:
            self.note_ids.extend(notes)
            self.note_texts.extend(notes.values())
        self.nd.rows.extend(f.non_derivative)
        self.nd.counts.append(len(f.non_derivative))
        self.d.rows.extend(f.derivative)
        self.d.counts.append(len(f.derivative))

    def _securities(self, titles: pa.Array, n_nd: int, issuer_of_row: np.ndarray) -> tuple[pa.Array, np.ndarray]:
        """Security node ids and, per row (Table I then II), the index of its security or -1.

        ``titles`` holds the security titles of every row, then the underlying titles of the
        Table II rows. A security is one issuer's class by normalised title; its title is
        the most frequent spelling among its rows and the underlying titles of Table II rows
        that name a security. Rows are grouped by integer keys (issuer, table, title code),
        so only each distinct key is Python work.
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
        sids: list[str] = []
        sid_index: dict[str, int] = {}
        issuer_of: list[str] = []
        spellings: list[Counter[str]] = []
        sec_of_key = np.empty(len(keys), dtype=np.int64)
        issuers = self.issuer_ids
        # Each distinct title is normalised once, each issuer's id part taken once.
        cleaned = [_SPACE.sub(" ", title).strip() for title in dictionary]
        slugs = [slug(clean) for clean in cleaned]
        issuer_parts = [issuer.split("/", 1)[1] for issuer in issuers]
        for k, (key, count) in enumerate(zip(keys.tolist(), counts.tolist())):
            rest, code = divmod(key, width)
            issuer, is_derivative = rest // 2, rest % 2 == 1
            clean = cleaned[code]
            sid = f"security/{issuer_parts[issuer]}/{'d' if is_derivative else 'nd'}/{slugs[code]}"
            s = sid_index.get(sid)
            if s is None:
                s = sid_index[sid] = len(sids)
                sids.append(sid)
                issuer_of.append(issuers[issuer])
                spellings.append(Counter())
            spellings[s][clean] += count
            sec_of_key[k] = s
        sec_of_row = np.full(n, -1, dtype=np.int64)
        n_rows = int(has_row.sum())
        sec_of_row[has_row] = sec_of_key[inverse[:n_rows]]
        under_sec = sec_of_key[inverse[n_rows:]]
        pairs = np.unique(np.stack([sec_of_row[n_nd:][has_under], under_sec]), axis=1) if len(under_sec) else np.zeros((2, 0), np.int64)
        converts = sorted((sids[a], sids[b]) for a, b in zip(pairs[0].tolist(), pairs[1].tolist()))

        for sid, issuer, counts_by_title in zip(sids, issuer_of, spellings):
            title = sorted(counts_by_title.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            self.security_rows.append((sid, issuer, title, sid.split("/")[2] == "d"))
            self.issued_by.append((f"{sid}|{issuer}", sid, issuer))
        self.converts_into = [(f"{src}|{dst}", src, dst) for src, dst in converts]
        return pa.array(sids, pa.string()), sec_of_row

    def finish(self, filing_ids: list[str]) -> dict[tuple[str, str], Source]:
        """Every row-derived table, sorted by id: rows, footnotes, and the edges that touch them."""
        nd, d = self.nd, self.d
        n_nd, n_d = len(nd.rows), len(d.rows)
        n = n_nd + n_d
        fids = self.filing_ids = pa.array(filing_ids, pa.string())
        fkeys = pa.array(self.fkeys, pa.string())
        owner_ids = pa.array(self.owner_ids, pa.string())
        out: dict[tuple[str, str], Source] = {}
        ranks = self.ranks

        # Table I rows then Table II rows: row r of the II stream is n_nd + r here.
        nd_fidx, nd_seq, nd_counts, nd_starts = nd.layout()
        d_fidx, d_seq, d_counts, d_starts = d.layout()
        fidx = np.concatenate([nd_fidx, d_fidx])
        seq = pa.array(np.concatenate([nd_seq, d_seq]))
        tag = np.concatenate([np.zeros(n_nd, np.int32), np.ones(n_d, np.int32)])
        types = pa.array(list(map(_TYPE, nd.rows)) + list(map(_TYPE, d.rows)), pa.string())
        is_tx = pc.equal(types, "transaction").to_numpy(zero_copy_only=False)
        del types
        row_ids = Join("/", (
            _refs(np.where(is_tx, 0, 1).astype(np.int32), pa.array(["transaction", "holding"])),
            _refs(fidx, fkeys), _refs(tag, pa.array(["nd", "d"])), seq.cast(pa.string()),
        )).evaluate()

        # Securities, from the titles of every row and the underlying titles of Table II rows.
        titles = pa.array(list(map(_TITLE, nd.rows)) + list(map(_TITLE, d.rows)) + list(map(_UNDERLYING, d.rows)),
                          pa.string())
        issuer_index = {iss: k for k, iss in enumerate(dict.fromkeys(self.issuers))}
        self.issuer_ids = list(issuer_index)
        filing_issuer = np.array([issuer_index[iss] for iss in self.issuers], dtype=np.int64)
        sec_ids, sec_of_row = self._securities(titles, n_nd, filing_issuer[fidx])
        del titles

        # Owner edges: every row of a filing, for each of its owners.
        filed_fidx, filed_owner = _np(self.filed_fidx), _np(self.filed_owner)
        own_row = np.concatenate([_ranges(nd_starts[filed_fidx], nd_counts[filed_fidx]),
                                  _ranges(d_starts[filed_fidx], d_counts[filed_fidx]) + n_nd])
        own_owner = np.concatenate([np.repeat(filed_owner, nd_counts[filed_fidx]), np.repeat(filed_owner, d_counts[filed_fidx])])
        row_rank = ranks.ranks(row_ids)
        all_rows = nd.rows + d.rows
        for label, rel, mask in (("Transaction", "TRANSACTED", is_tx), ("Holding", "HOLDS", ~is_tx)):
            pos = np.flatnonzero(mask).astype(np.int32)
            pos = pos[np.argsort(row_rank[pos], kind="stable")]
            take = pa.array(pos)
            cols: dict[str, Any] = {
                "id": _refs(take, row_ids), "filing_id": _refs(fidx[pos], fids),
                "table": _refs(tag[pos], pa.array(["non_derivative", "derivative"])), "seq": seq.take(take)}
            # The rows themselves in id order, so each value column is made in its final order.
            rows = list(map(all_rows.__getitem__, pos.tolist()))
            in_table_ii = np.flatnonzero(tag[pos] == 1).tolist()
            table_ii = list(map(rows.__getitem__, in_table_ii))
            for p in node_props(label)[4:4 + len(_ROW_FIELDS)]:
                get = attrgetter(p.name)
                if p.name in _ND_FIELDS:
                    values = list(map(get, rows))
                else:  # a Table II field: missing on Table I rows
                    values = [None] * len(rows)
                    for k, v in zip(in_table_ii, map(get, table_ii)):
                        values[k] = v
                cols[p.name] = _values(p.type, values)
            del rows, table_ii, values
            if label == "Holding":
                cols["superseded"] = pa.array(self.superseded, pa.bool_()).take(pa.array(fidx[pos]))
            out[("nodes", label)] = CompactTable(arrow_schema(node_props(label)), cols, len(pos))
            out[("edges", rel)] = _edges(rel, _refs(own_owner[mask[own_row]], owner_ids),
                                         _refs(own_row[mask[own_row]], row_ids), ranks)
        del all_rows

        out[("edges", "REPORTED_IN")] = _edges(
            "REPORTED_IN", _refs(np.arange(n, dtype=np.int32), row_ids), _refs(fidx, fids), ranks)
        has_sec = np.flatnonzero(sec_of_row >= 0)
        out[("edges", "IN_SECURITY")] = _edges(
            "IN_SECURITY", _refs(has_sec.astype(np.int32), row_ids), _refs(sec_of_row[has_sec].astype(np.int32), sec_ids), ranks)
        del sec_of_row

        # Footnotes: defined ones and those only referenced, one node per filing and id.
        note_fidx = np.repeat(np.arange(len(self.note_counts), dtype=np.int64), np.array(self.note_counts, dtype=np.int64))
        n_def = len(note_fidx)
        nd_refs, d_refs = nd.footnote_refs(), d.footnote_refs()
        ref_row = np.concatenate([nd_refs[0], d_refs[0] + n_nd])
        ref_field = pa.array(nd_refs[1] + d_refs[1], pa.string()).dictionary_encode()
        field = _refs(np.repeat(ref_field.indices.to_numpy(), np.concatenate([nd_refs[3], d_refs[3]])), ref_field.dictionary)
        # Footnote ids as integer codes, so that a reference finds its filing's footnote by key.
        distinct = set(self.note_ids)
        distinct.update(nd_refs[2], d_refs[2])
        code_of = {fn_id: k for k, fn_id in enumerate(sorted(distinct))}  # sorted: no hash order
        n_refs = len(nd_refs[2]) + len(d_refs[2])
        keys = np.fromiter(map(code_of.__getitem__, chain(self.note_ids, nd_refs[2], d_refs[2])), dtype=np.int64,
                           count=n_def + n_refs)
        dictionary = pa.array(list(code_of), pa.string())
        del nd_refs, d_refs, distinct, code_of
        width = max(len(dictionary), 1)
        ref_keys = fidx[ref_row].astype(np.int64) * width + keys[n_def:]
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
        note_texts = _dedup(self.note_texts + [None] * len(undefined))
        del dictionary, keys, def_keys, ref_keys
        notes = Join("/", ("footnote", _refs(note_fidx, fkeys), note_ids)).evaluate()
        take = pa.array(np.argsort(ranks.ranks(notes), kind="stable").astype(np.int32))
        out[("nodes", "Footnote")] = CompactTable(arrow_schema(node_props("Footnote")), {
            "id": _refs(take, notes), "filing_id": _refs(note_fidx, fids).take(take),
            "footnote_id": note_ids.take(take), "text": note_texts.take(take),
        }, len(notes))
        out[("edges", "HAS_FOOTNOTE")] = _edges(
            "HAS_FOOTNOTE", _refs(note_fidx, fids), _refs(np.arange(len(notes), dtype=np.int32), notes), ranks)
        out[("edges", "FOOTNOTED_BY")] = _edges(
            "FOOTNOTED_BY", _refs(ref_row, row_ids), _refs(ref_note, notes), ranks, field=field, id_parts=(field,))

        out[("edges", "FILED")] = _edges("FILED", _refs(filed_owner, owner_ids), _refs(filed_fidx, fids), ranks)
        out[("edges", "ABOUT")] = _edges("ABOUT", fids, _strings(self.issuers), ranks)
        return out


_TYPE = attrgetter("type")
_FOOTNOTES = attrgetter("footnotes")
_TITLE, _UNDERLYING = attrgetter("security_title"), attrgetter("underlying_title")
#: The value fields of a row, in table order (after id, filing_id, table, seq).
_ROW_FIELDS = tuple(p.name for p in NODE_TYPES["Transaction"].props[4:])
_DATE, _TEXT, _AIF = attrgetter("date"), attrgetter("text"), attrgetter("attorney_in_fact")
_VALUES = methodcaller("values")
#: Fields a Table I row has (a Table II row has them all).
_ND_FIELDS = frozenset(f for f in NonDerivativeRow.__dataclass_fields__)
