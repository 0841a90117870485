# The row-wise graph builder of commit 25051aa, unchanged: the oracle of tests/test_graph_golden.py.
# noqa: the project's lint and type rules do not apply to this frozen copy.
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

>>> from insidergraph.graph.build import build_graph
>>> build_graph([]).counts()["nodes"]["Filing"]
0
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from operator import attrgetter
from datetime import date
from typing import Any, Iterable

from insidergraph.graph.tables import GraphTables
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES
from insidergraph.model import Filing
from insidergraph.loaders.names import owner_kind, person_key

_SLUG = re.compile(r"[^a-z0-9]+")
_SPACE = re.compile(r"\s+")

#: Row value columns in the order of the Transaction and Holding tables (after id, filing_id, table, seq).
_ROW_FIELDS: tuple[str, ...] = tuple((
    "security_title transaction_date deemed_execution_date transaction_form_type transaction_code "
    "equity_swap_involved transaction_timeliness shares price_per_share acquired_disposed "
    "shares_owned_following value_owned_following direct_indirect nature_of_ownership exercise_price "
    "transaction_total_value exercisable_date expiration_date underlying_title underlying_shares underlying_value"
).split())


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


def _richness(f: Filing) -> tuple[int, int]:
    """What a copy of a filing tells beyond the ownership XML: header dates, other documents."""
    return (f.filing_date is not None, len(f.documents))


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

    def add(self, filing: Filing) -> bool:
        """Add one filing; returns whether it changed anything.

        A second copy of a filing changes nothing, unless it tells more: the
        complete-submission file of an accession whose bare XML came first brings the
        filing date and the other documents, and replaces it.
        """
        fid = filing_id(filing)
        known = self.filings.get(fid)
        if known is not None and _richness(known) >= _richness(filing):
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
            return _Assembly(self.filings).run()
        finally:
            if enabled:
                gc.enable()


def build_graph(filings: Iterable[Filing]) -> GraphTables:
    """Build the graph tables from parsed filings.

    >>> build_graph([]).counts()["edges"]["SIGNED"]
    0
    """
    builder = GraphBuilder()
    for f in filings:
        builder.add(f)
    return builder.tables()


class _Assembly:
    """One pass of resolution and emission over a fixed set of filings."""

    def __init__(self, filings: dict[str, Filing]) -> None:
        self.filings = dict(sorted(filings.items()))
        self.entities: dict[str, _Entity] = {}
        self.nodes: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        self.edges: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        self._columns = {("nodes", k): v.columns for k, v in NODE_TYPES.items()}
        self._columns.update({("edges", k): v.columns for k, v in EDGE_TYPES.items()})
        self.unresolved: dict[str, _Entity] = {}

    @staticmethod
    def _order(f: Filing, fid: str) -> tuple[Any, ...]:
        return (f.period_of_report or date.min, f.filing_date or date.min, fid)

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
        self._emit_filings(issuer_of, owners_of)
        return GraphTables.from_records(self.nodes, self.edges)

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
        by_ticker: dict[str, set[str]] = defaultdict(set)
        by_issuer_name: dict[str, set[str]] = defaultdict(set)
        owners_at: dict[tuple[str, str], set[str]] = defaultdict(set)
        for fid, f in self.filings.items():
            if f.issuer.cik:
                if f.issuer.ticker:
                    by_ticker[f.issuer.ticker.upper()].add(f.issuer.cik)
                if f.issuer.name:
                    by_issuer_name[person_key(f.issuer.name)].add(f.issuer.cik)
                for o in f.reporting_owners:
                    if o.cik:
                        for n in (o.name, o.display_name):
                            owners_at[(f.issuer.cik, person_key(n))].add(o.cik)

        issuer_of: dict[str, str] = {}
        owners_of: dict[str, list[str]] = {}
        for fid, f in self.filings.items():
            order = self._order(f, fid)
            issuer_cik = f.issuer.cik
            if issuer_cik is None:
                cands = by_ticker.get((f.issuer.ticker or "").upper(), set()) or by_issuer_name.get(
                    person_key(f.issuer.name or ""), set()
                )
                issuer_cik = next(iter(cands)) if len(cands) == 1 else None
            if issuer_cik is not None:
                issuer_of[fid] = self._node_id(self.entities[issuer_cik])
            else:
                key = slug(f.issuer.name or f.issuer.ticker or fid)
                ent = self._unresolved("Company", key, f.issuer.name, f.issuer.name, order)
                ent.is_issuer = True
                ent.ticker = ent.ticker or f.issuer.ticker
                issuer_of[fid] = f"company/n/{key}"
            ids = []
            for o in f.reporting_owners:
                cik = o.cik
                if cik is None and issuer_cik is not None:
                    cands = owners_at.get((issuer_cik, person_key(o.name)), set()) | owners_at.get(
                        (issuer_cik, person_key(o.display_name)), set()
                    )
                    cik = next(iter(cands)) if len(cands) == 1 else None
                if cik is not None:
                    ids.append(self._node_id(self.entities[cik]))
                else:
                    label = "Company" if o.kind == "entity" else "Person"
                    key = slug(person_key(o.name) if label == "Person" else o.name)
                    ent = self._unresolved(label, key, o.name, o.display_name, order)
                    ent.is_owner = True
                    ids.append(self._node_id(ent, key))
            owners_of[fid] = ids
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
        if ent.label == "Person":
            self._add("nodes", "Person", id=nid, cik=ent.cik, name=ent.name, aliases=aliases,
                      name_key=person_key(ent.name), unresolved=ent.unresolved)
        else:
            self._add("nodes", "Company", id=nid, cik=ent.cik, name=ent.name, aliases=aliases,
                      ticker=ent.ticker, is_issuer=ent.is_issuer, is_owner=ent.is_owner, unresolved=ent.unresolved)

    def _emit_entities(self) -> None:
        for ent in self.entities.values():
            self._entity_row(self._node_id(ent), ent)
        for nid, ent in self.unresolved.items():
            self._entity_row(nid, ent)

    def _signer_id(self, signer: str, exact_owner: dict[str, str], signers: dict[str, _Entity]) -> str:
        owner = exact_owner.get(exact_name(signer))
        if owner is not None:
            return owner
        key = person_key(signer) or exact_name(signer)
        nid = f"person/n/{slug(key)}"
        ent = signers.get(nid)
        if ent is None:
            ent = signers[nid] = _Entity("Person", None)
        ent.names[signer] += 1
        return nid

    def _add(self, kind: str, table: str, /, **values: Any) -> None:
        """Append one row given by column name; the hot paths append tuples directly."""
        cols = self._columns[(kind, table)]
        (self.nodes if kind == "nodes" else self.edges)[table].append(tuple(values.get(c) for c in cols))

    def _amendments(self, issuer_of: dict[str, str], owners_of: dict[str, list[str]]) -> dict[str, str]:
        """Amendment id to the id of the filing it corrects, where exactly one candidate fits.

        The original is a filing of the same issuer, owners and base form, filed on the
        amendment's date of original submission, or failing that of the same period.
        """
        originals: dict[tuple[str, str, tuple[str, ...]], list[str]] = defaultdict(list)
        for fid, f in self.filings.items():
            if not f.is_amendment:
                originals[(issuer_of[fid], f.document_type, tuple(sorted(owners_of[fid])))].append(fid)
        out: dict[str, str] = {}
        for fid, f in self.filings.items():
            if not f.is_amendment:
                continue
            cands = originals.get((issuer_of[fid], f.document_type.removesuffix("/A"), tuple(sorted(owners_of[fid]))), [])
            picked = [c for c in cands if f.date_of_original_submission
                      and self.filings[c].filing_date == f.date_of_original_submission]
            if not picked:
                picked = [c for c in cands if self.filings[c].period_of_report == f.period_of_report]
            if len(picked) == 1:
                out[fid] = picked[0]
        return out

    def _emit_filings(self, issuer_of: dict[str, str], owners_of: dict[str, list[str]]) -> None:
        roles: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        aif: dict[tuple[str, str], dict[str, Any]] = {}
        signers: dict[str, _Entity] = {}
        owner_nodes = {r[0] for r in self.nodes["Person"]} | {r[0] for r in self.nodes["Company"]}

        # Exact names of every owner, for signers that are owners themselves; an
        # ambiguous exact name (two CIKs) joins neither.
        exact_sets: dict[str, set[str]] = defaultdict(set)
        for fid, f in self.filings.items():
            for o, oid in zip(f.reporting_owners, owners_of[fid]):
                for n in (o.name, o.display_name):
                    exact_sets[exact_name(n)].add(oid)
        exact_owner = {k: next(iter(v)) for k, v in exact_sets.items() if len(v) == 1}

        amends = self._amendments(issuer_of, owners_of)
        replaced = {orig for amendment, orig in amends.items()
                    if self.filings[amendment].non_derivative or self.filings[amendment].derivative}
        for amendment, orig in sorted(amends.items()):
            self._add("edges", "AMENDS", id=f"{amendment}|{orig}", src=amendment, dst=orig)

        rows = _RowEmitter(self)
        for fid, f in self.filings.items():
            fkey = fid.removeprefix("filing/")
            issuer = issuer_of[fid]
            owners = list(dict.fromkeys(owners_of[fid]))
            accession = f.accession or fkey
            sig_dates = [s.date for s in f.signatures if s.date]
            # Signatures that name no person (or name the issuer) stay on the filing as text.
            unsigned = [s.text.strip() for s in f.signatures if s.text.strip() and (
                not s.signer or (f.issuer.name and exact_name(s.signer) == exact_name(f.issuer.name)))]
            self._add(
                "nodes", "Filing",
                id=fid, accession=f.accession, document_type=f.document_type, schema_version=f.schema_version,
                period_of_report=f.period_of_report, filing_date=f.filing_date,
                signature_date=min(sig_dates) if sig_dates else None,
                date_of_original_submission=f.date_of_original_submission, aff10b5one=f.aff10b5one,
                not_subject_to_section16=f.not_subject_to_section16,
                no_securities_owned=f.no_securities_owned, remarks=f.remarks,
                source_path=f.source.path, source_format=f.source.format, unsigned_signatures=unsigned,
            )
            self.edges["ABOUT"].append((f"{fid}|{issuer}", fid, issuer))
            for oid in owners:
                self.edges["FILED"].append((f"{oid}|{fid}", oid, fid))

            for o, oid in zip(f.reporting_owners, owners_of[fid]):
                rel = o.relationship
                for flag, rtype, extra in (
                    (rel.is_director, "DIRECTOR_OF", None),
                    (rel.is_officer, "OFFICER_OF", rel.officer_title),
                    (rel.is_ten_percent_owner, "TEN_PERCENT_OWNER_OF", None),
                    (rel.is_other, "OTHER_RELATION_TO", rel.other_text),
                ):
                    if not flag:
                        continue
                    text = _SPACE.sub(" ", extra).strip() if extra else None
                    # Titles that differ only in case or punctuation are one role.
                    k = (rtype, oid, issuer, slug(text) if text else "")
                    span = roles.get(k)
                    if span is None:
                        span = roles[k] = {"_acc": set(), "_text": text}
                    _span_update(span, f.period_of_report, f.filing_date, accession)

            for i, s in enumerate(f.signatures):
                name = s.signer
                if not name or (f.issuer.name and exact_name(name) == exact_name(f.issuer.name)):
                    continue
                sid = self._signer_id(name, exact_owner, signers)
                self._add("edges", "SIGNED", id=f"{sid}|{fid}|{i}", src=sid, dst=fid, date=s.date, text=s.text,
                          attorney_in_fact=s.attorney_in_fact)
                if not s.attorney_in_fact or s.on_behalf_of is None:
                    continue
                target = None
                for o, oid in zip(f.reporting_owners, owners_of[fid]):
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

            rows.filing(f, fid, fkey, owners, issuer, fid in replaced)

        rows.finish()
        self._grants(owners_of, exact_owner, signers)
        self._finish(roles, aif, signers, owner_nodes)

    def _grants(self, owners_of: dict[str, list[str]], exact_owner: dict[str, str], signers: dict[str, _Entity]) -> None:
        """GRANTED_POWER_OF_ATTORNEY, one power at a time (added with issue 14's EX-24 loader)."""
        def party(name: str) -> str | None:
            if exact_name(name) in exact_owner:
                return exact_owner[exact_name(name)]
            return None if owner_kind(name) == "entity" else self._signer_id(name, exact_owner, signers)

        for fid, f in self.filings.items():
            for p in f.powers_of_attorney:
                grantor = owners_of[fid][0] if len(set(owners_of[fid])) == 1 else (party(p.grantor) if p.grantor else None)
                if grantor is None:
                    continue
                for name in p.attorneys:
                    attorney = party(name)
                    eid = f"{grantor}|{attorney}|{p.accession or p.document}"
                    if attorney is None or attorney == grantor or any(e[0] == eid for e in self.edges["GRANTED_POWER_OF_ATTORNEY"]):
                        continue
                    self._add("edges", "GRANTED_POWER_OF_ATTORNEY", id=eid, src=grantor, dst=attorney,
                              accession=p.accession, date=p.date_signed, scope=list(p.companies),
                              revokes_prior=p.revokes_prior, document=p.document)

    def _finish(self, roles: dict[tuple[str, str, str, str], dict[str, Any]], aif: dict[tuple[str, str], dict[str, Any]],
                signers: dict[str, _Entity], owner_nodes: set[str]) -> None:
        for (rtype, src, dst, key), span in roles.items():
            accs = sorted(span.pop("_acc"))
            text = span.pop("_text")
            self._add("edges", rtype, id=f"{src}|{dst}" + (f"|{key}" if key else ""), src=src, dst=dst,
                      accessions=accs, filing_count=len(accs), title=text, text=text, **span)
        for (src, dst), rec in aif.items():
            accs = sorted(rec.pop("_acc"))
            self._add("edges", "ATTORNEY_IN_FACT_FOR", id=f"{src}|{dst}", src=src, dst=dst, accessions=accs,
                      filing_count=len(accs), **rec)
        for nid, ent in signers.items():
            if nid in owner_nodes:
                continue
            best = sorted(ent.names.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            self._add("nodes", "Person", id=nid, cik=None, name=best, aliases=sorted(ent.names),
                      name_key=person_key(best), unresolved=False)


class _RowEmitter:
    """The hot path: table rows, their securities and footnotes, appended as tuples."""

    def __init__(self, asm: "_Assembly") -> None:
        self.asm = asm
        self.securities: dict[tuple[str, bool, str], str] = {}
        self.security_issuer: dict[str, str] = {}
        self.titles: dict[str, Counter[str]] = defaultdict(Counter)
        self.converts: set[tuple[str, str]] = set()
        self.footnotes_seen: set[str] = set()

    def _security(self, issuer: str, title: str, derivative: bool) -> str:
        key = (issuer, derivative, title)
        sid = self.securities.get(key)
        if sid is None:
            clean = _SPACE.sub(" ", title).strip()
            sid = f"security/{issuer.split('/', 1)[1]}/{'d' if derivative else 'nd'}/{slug(clean)}"
            self.securities[key] = sid
            self.security_issuer[sid] = issuer
        self.titles[sid][title] += 1
        return sid

    def _footnote(self, fkey: str, fid: str, fn_id: str, text: str | None) -> str:
        nid = f"footnote/{fkey}/{fn_id}"
        if nid not in self.footnotes_seen:
            self.footnotes_seen.add(nid)
            self.asm.nodes["Footnote"].append((nid, fid, fn_id, text))
            self.asm.edges["HAS_FOOTNOTE"].append((f"{fid}|{nid}", fid, nid))
        return nid

    def filing(self, f: Filing, fid: str, fkey: str, owners: list[str], issuer: str, superseded: bool) -> None:
        nodes, edges = self.asm.nodes, self.asm.edges
        seen, footnoted = self.footnotes_seen, edges["FOOTNOTED_BY"]
        for fn_id, text in f.footnotes.items():
            self._footnote(fkey, fid, fn_id, text)
        for table, tag, rows, values_of in (
            ("non_derivative", "nd", f.non_derivative, _nd_values),
            ("derivative", "d", f.derivative, _d_values),
        ):
            derivative = tag == "d"
            for seq, row in enumerate(rows, 1):
                values = values_of(row)
                if row.type == "transaction":
                    nid = f"transaction/{fkey}/{tag}/{seq}"
                    nodes["Transaction"].append((nid, fid, table, seq) + values)
                    owned = edges["TRANSACTED"]
                else:
                    nid = f"holding/{fkey}/{tag}/{seq}"
                    nodes["Holding"].append((nid, fid, table, seq) + values + (superseded,))
                    owned = edges["HOLDS"]
                for oid in owners:
                    owned.append((f"{oid}|{nid}", oid, nid))
                edges["REPORTED_IN"].append((f"{nid}|{fid}", nid, fid))
                if row.security_title:
                    sec = self._security(issuer, row.security_title, derivative)
                    edges["IN_SECURITY"].append((f"{nid}|{sec}", nid, sec))
                    if derivative and row.underlying_title:  # type: ignore[union-attr]
                        under = self._security(issuer, row.underlying_title, False)  # type: ignore[union-attr]
                        self.converts.add((sec, under))
                if row.footnotes:
                    # The loader's order is deterministic and the table is sorted by id: no sort here.
                    for fld, ids in row.footnotes.items():
                        for fn_id in ids:
                            fn = f"footnote/{fkey}/{fn_id}"
                            if fn not in seen:  # a reference to a footnote the filing does not define
                                self._footnote(fkey, fid, fn_id, None)
                            footnoted.append((f"{nid}|{fn}|{fld}", nid, fn, fld))

    def finish(self) -> None:
        for sid, issuer in self.security_issuer.items():
            counts: Counter[str] = Counter()
            for raw, n in self.titles[sid].items():
                counts[_SPACE.sub(" ", raw).strip()] += n
            title = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            self.asm.nodes["Security"].append((sid, issuer, title, sid.split("/")[2] == "d"))
            self.asm.edges["ISSUED_BY"].append((f"{sid}|{issuer}", sid, issuer))
        for src, dst in sorted(self.converts):
            self.asm.edges["CONVERTS_INTO"].append((f"{src}|{dst}", src, dst))


_ND_GETTER = attrgetter(*_ROW_FIELDS[:14])
_D_GETTER = attrgetter(*_ROW_FIELDS)
_ND_PAD = (None,) * (len(_ROW_FIELDS) - 14)


def _nd_values(row: Any) -> tuple[Any, ...]:
    return _ND_GETTER(row) + _ND_PAD  # type: ignore[no-any-return]


def _d_values(row: Any) -> tuple[Any, ...]:
    return _D_GETTER(row)  # type: ignore[no-any-return]
