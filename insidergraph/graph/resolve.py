"""Entity resolution: who each filing's issuer, owners and signers are, as node ids.

A pure step: :func:`resolve` reads the filings and returns a :class:`Resolution` (the
parties and what each filing's names resolved to); it emits nothing. The rules, in order:

1. **CIK first.** A reporting owner or issuer with a CIK is one node per CIK, whatever names
   it was filed under (all kept as ``aliases``). A CIK that is ever an issuer, or whose names
   mostly read as an entity, is a ``Company``; otherwise a ``Person``.
2. **Rendered forms carry no CIK.** An owner without a CIK joins a CIK owner of the same
   issuer only when exactly one has the same normalised name; an issuer without a CIK joins a
   CIK issuer only when its ticker, or else its normalised name, names exactly one. Anything
   else is a name-keyed node flagged ``unresolved``.
3. **Signers** have no CIK: a signer whose name equals an owner's name exactly (case and
   spacing aside; an exact name two owners share joins neither) is that owner; any other
   signer is a Person keyed by :func:`~insidergraph.loaders.names.person_key` (case,
   punctuation and initials aside). A signature naming no person (no signer, or the issuer's
   own name) resolves to no node.

Powers of attorney resolve to (grantor, attorney) pairs: the grantor is the node of the
power's ``grantor_cik``, else the only owner of the filing it came with, else the owner or
signer of its name; attorneys are signers (an entity named as attorney joins only an owner of
exactly that name). An amendment resolves to the filing it corrects where exactly one fits.

>>> from insidergraph.model import Issuer, Source
>>> f = Filing(accession="1", document_type="4", issuer=Issuer(cik="0000000001", name="ACME"),
...            source=Source(path="1.xml", format="xml"))
>>> resolve({"filing/1": f}).issuer_of
{'filing/1': 'company/0000000001'}
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from insidergraph.graph.ids import accession_filing_id, party_id, slug
from insidergraph.loaders.names import owner_kind, person_key
from insidergraph.model import Filing, PowerOfAttorney, ReportingOwner, Signature

_SPACE = re.compile(r"\s+")


def exact_name(text: str) -> str:
    """A name compared "exactly": only case and spacing are ignored.

    >>> exact_name("  Jane   doe ")
    'JANE DOE'
    """
    return _SPACE.sub(" ", text).strip().upper()


@dataclass
class Party:
    """A Person or Company as resolution found it: its names and what it was seen as."""

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
        """Count a filed name; the display name of the latest filing is the node's name."""
        if name:
            self.names[name] += 1
        if display:
            self.names[display] += 0
        if display and order >= self.latest:
            self.latest, self.name = order, display

    @property
    def aliases(self) -> list[str]:
        """Every name it was filed under, sorted."""
        return sorted(set(self.names) | ({self.name} if self.name else set()))


@dataclass(frozen=True)
class Grant:
    """A power of attorney resolved: the grantor's and the attorney's node ids."""

    grantor: str
    attorney: str
    power: PowerOfAttorney


@dataclass
class Resolution:
    """What :func:`resolve` found. Every filing id is a key of ``issuer_of``, ``owners_of`` and ``signers_of``."""

    #: Owners and issuers by node id: one per CIK, then the unresolved name-keyed ones.
    parties: dict[str, Party]
    #: Filing id to the node id of its issuer.
    issuer_of: dict[str, str]
    #: Filing id to the node ids of its reporting owners, in the filing's order.
    owners_of: dict[str, list[str]]
    #: Filing id to, per signature, the signer's node id (``None``: the signature names no person).
    signers_of: dict[str, list[str | None]]
    #: Signers that are no owner: name-keyed Persons, by node id.
    signers: dict[str, Party]
    #: Amendment id to the id of the filing it corrects.
    amends: dict[str, str]
    #: Powers of attorney, in the order of their filings (then the standalone ones).
    grants: list[Grant]


def resolve(filings: dict[str, Filing], powers: list[PowerOfAttorney] | None = None) -> Resolution:
    """Resolve the parties of ``filings`` (by filing id, in id order) and of standalone ``powers``."""
    return _Resolver(filings).run(powers or [])


def _order(f: Filing, fid: str) -> tuple[Any, ...]:
    return (f.period_of_report or date.min, f.filing_date or date.min, fid)


class _CikIndex:
    """Who the CIK-less parties can join: issuers by ticker and name, owners by issuer and name.

    Only filings without CIKs (rendered forms) need these: each index is built the first time
    such a filing asks for it, from every filing with CIKs.
    """

    def __init__(self, filings: dict[str, Filing], pkey: Any) -> None:
        self.filings, self.pkey = filings, pkey
        self._by_ticker: dict[str, set[str]] | None = None
        self._by_name: dict[str, set[str]] = defaultdict(set)
        self._owners: dict[tuple[str, str], set[str]] | None = None

    def issuer(self, f: Filing) -> str | None:
        """The CIK of the one CIK issuer with the filing's ticker, else with its normalised name."""
        if self._by_ticker is None:
            self._by_ticker = defaultdict(set)
            for g in self.filings.values():
                if g.issuer.cik and g.issuer.ticker:
                    self._by_ticker[g.issuer.ticker.upper()].add(g.issuer.cik)
                if g.issuer.cik and g.issuer.name:
                    self._by_name[self.pkey(g.issuer.name)].add(g.issuer.cik)
        cands = self._by_ticker.get((f.issuer.ticker or "").upper(), set()) or self._by_name.get(
            self.pkey(f.issuer.name or ""), set())
        return next(iter(cands)) if len(cands) == 1 else None

    def owner(self, issuer_cik: str, o: ReportingOwner) -> str | None:
        """The CIK of the one CIK owner of the issuer with the owner's normalised name."""
        if self._owners is None:
            self._owners = defaultdict(set)
            for g in self.filings.values():
                if not g.issuer.cik:
                    continue
                for other in g.reporting_owners:
                    if other.cik:
                        for n in (other.name, other.display_name):
                            self._owners[(g.issuer.cik, self.pkey(n))].add(other.cik)
        cands = self._owners.get((issuer_cik, self.pkey(o.name)), set()) | self._owners.get(
            (issuer_cik, self.pkey(o.display_name)), set())
        return next(iter(cands)) if len(cands) == 1 else None


class _Resolver:
    def __init__(self, filings: dict[str, Filing]) -> None:
        self.filings = filings
        self.entities: dict[str, Party] = {}  # by CIK
        self.unresolved: dict[str, Party] = {}  # by node id
        self.signers: dict[str, Party] = {}
        # Names repeat across a person's filings; normalising each once saves a regex pass per use.
        self._keys: dict[str, str] = {}
        self._exact: dict[str, str] = {}
        # Each spelling of a signer resolved once: its node id, and its signer Party unless an owner.
        self._signer_of: dict[str, tuple[str, Party | None]] = {}

    def pkey(self, name: str) -> str:
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = person_key(name)
        return key

    def exact(self, name: str) -> str:
        key = self._exact.get(name)
        if key is None:
            key = self._exact[name] = exact_name(name)
        return key

    def run(self, powers: list[PowerOfAttorney]) -> Resolution:
        self._collect_ciks()
        issuer_of, owners_of = self._parties()
        parties = {party_id(p.label, p.cik): p for p in self.entities.values()} | self.unresolved
        exact_owner = self._exact_owners(owners_of)
        signers_of = {fid: self._signers(f, exact_owner) for fid, f in self.filings.items()}
        grants = self._grants(powers, owners_of, exact_owner)
        return Resolution(parties=parties, issuer_of=issuer_of, owners_of=owners_of, signers_of=signers_of,
                          signers={nid: p for nid, p in self.signers.items() if nid not in parties},
                          amends=amendments(self.filings, issuer_of, owners_of), grants=grants)

    # -- rule 1: CIK first -----------------------------------------------------------------
    def _cik_party(self, cik: str, label_hint: str) -> Party:
        ent = self.entities.get(cik)
        if ent is None:
            ent = self.entities[cik] = Party(label_hint, cik)
        return ent

    def _collect_ciks(self) -> None:
        for fid, f in self.filings.items():
            order = _order(f, fid)
            if f.issuer.cik:
                ent = self._cik_party(f.issuer.cik, "Company")
                ent.is_issuer = True
                ent.seen(f.issuer.name, f.issuer.name, order)
                if f.issuer.ticker and order >= ent.ticker_order:
                    ent.ticker, ent.ticker_order = f.issuer.ticker, order
            for o in f.reporting_owners:
                if o.cik:
                    ent = self._cik_party(o.cik, "Person")
                    ent.is_owner = True
                    ent.seen(o.name, o.display_name, order)
                    if o.kind == "entity":
                        ent.entity_votes += 1
                    else:
                        ent.person_votes += 1
        for ent in self.entities.values():
            ent.label = "Company" if ent.is_issuer or ent.entity_votes > ent.person_votes else "Person"
            if not ent.name:
                ent.name = next(iter(sorted(ent.names)), ent.cik or "")

    # -- rule 2: parties without a CIK -----------------------------------------------------
    def _parties(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        """Node ids of each filing's issuer and owners, joining CIK-less parties where unambiguous."""
        index = _CikIndex(self.filings, self.pkey)
        # One node id string per entity, shared by every filing that names it.
        ids = {cik: party_id(ent.label, cik) for cik, ent in self.entities.items()}
        issuer_of: dict[str, str] = {}
        owners_of: dict[str, list[str]] = {}
        for fid, f in self.filings.items():
            issuer_cik = f.issuer.cik if f.issuer.cik is not None else index.issuer(f)
            if issuer_cik is not None:
                issuer_of[fid] = ids[issuer_cik]
            else:
                key = slug(f.issuer.name or f.issuer.ticker or fid)
                ent = self._unresolved("Company", key, f.issuer.name, f.issuer.name, _order(f, fid))
                ent.is_issuer = True
                ent.ticker = ent.ticker or f.issuer.ticker
                issuer_of[fid] = party_id("Company", key=key)
            owner_ids = []
            for o in f.reporting_owners:
                cik = o.cik
                if cik is None and issuer_cik is not None:
                    cik = index.owner(issuer_cik, o)
                if cik is not None:
                    owner_ids.append(ids[cik])
                else:
                    label = "Company" if o.kind == "entity" else "Person"
                    key = slug(self.pkey(o.name) if label == "Person" else o.name)
                    ent = self._unresolved(label, key, o.name, o.display_name, _order(f, fid))
                    ent.is_owner = True
                    owner_ids.append(party_id(label, key=key))
            owners_of[fid] = owner_ids
        return issuer_of, owners_of

    def _unresolved(self, label: str, key: str, name: str | None, display: str | None,
                    order: tuple[Any, ...]) -> Party:
        nid = party_id(label, key=key)
        ent = self.unresolved.get(nid)
        if ent is None:
            ent = self.unresolved[nid] = Party(label, None, unresolved=True)
        ent.seen(name, display, order)
        return ent

    # -- rule 3: signers -------------------------------------------------------------------
    def _exact_owners(self, owners_of: dict[str, list[str]]) -> dict[str, str]:
        """The owner of each exact name; an ambiguous exact name (two owners) joins neither."""
        exact_sets: dict[str, set[str]] = defaultdict(set)
        for fid, f in self.filings.items():
            for o, oid in zip(f.reporting_owners, owners_of[fid]):
                for n in (o.name, o.display_name):
                    exact_sets[self.exact(n)].add(oid)
        return {k: next(iter(v)) for k, v in exact_sets.items() if len(v) == 1}

    def _signers(self, f: Filing, exact_owner: dict[str, str]) -> list[str | None]:
        """Per signature of ``f`` its signer's node id, or ``None`` when it names no person."""
        out: list[str | None] = []
        for s in f.signatures:
            name = s.signer
            out.append(self._signer(name, exact_owner) if name and names_a_person(f, s, self.exact) else None)
        return out

    def _signer(self, name: str, exact_owner: dict[str, str]) -> str:
        """The node id of a person who signs: an owner of exactly that name, else a name-keyed signer
        (whose count of that spelling goes up by one)."""
        known = self._signer_of.get(name)
        if known is None:
            owner = exact_owner.get(self.exact(name))
            if owner is not None:
                known = self._signer_of[name] = (owner, None)
            else:
                nid = party_id("Person", key=slug(self.pkey(name) or self.exact(name)))
                ent = self.signers.get(nid)
                if ent is None:
                    ent = self.signers[nid] = Party("Person", None)
                known = self._signer_of[name] = (nid, ent)
        if known[1] is not None:
            known[1].names[name] += 1
        return known[0]

    # -- powers of attorney ----------------------------------------------------------------
    def _grants(self, standalone: list[PowerOfAttorney], owners_of: dict[str, list[str]],
                exact_owner: dict[str, str]) -> list[Grant]:
        ids = {cik: party_id(ent.label, cik) for cik, ent in self.entities.items()}
        powers: list[tuple[PowerOfAttorney, str | None]] = [
            (p, fid) for fid, f in self.filings.items() for p in f.powers_of_attorney]
        powers += [(p, accession_filing_id(p.accession) if p.accession else None) for p in standalone]
        out = []
        for p, fid in powers:
            grantor = ids.get(p.grantor_cik) if p.grantor_cik else None
            if grantor is None and fid in owners_of and len(set(owners_of[fid])) == 1:
                grantor = owners_of[fid][0]
            if grantor is None and p.grantor:
                grantor = self._party(p.grantor, exact_owner)
            if grantor is None:
                continue
            for name in p.attorneys:
                attorney = self._party(name, exact_owner)
                if attorney is not None and attorney != grantor:
                    out.append(Grant(grantor, attorney, p))
        return out

    def _party(self, name: str, exact_owner: dict[str, str]) -> str | None:
        """The node of a person named in a power of attorney (an owner, else a signer); None for a
        non-owner entity."""
        owner = exact_owner.get(self.exact(name))
        if owner is not None:
            return owner
        if owner_kind(name) == "entity":
            return None
        return self._signer(name, exact_owner)


def names_a_person(f: Filing, s: Signature, exact: Any = exact_name) -> bool:
    """Whether a signature names a person: it has a signer, and not the issuer's own name.

    (A placeholder, an exhibit reference or the issuer's name stays on the filing as text.)
    """
    name = s.signer
    return bool(name) and not (f.issuer.name and exact(name) == exact(f.issuer.name))


def amendments(
    filings: dict[str, Filing], issuer_of: dict[str, str], owners_of: dict[str, list[str]]
) -> dict[str, str]:
    """Amendment id to the id of the filing it corrects, where exactly one candidate fits.

    The original is a filing of the same issuer, owners and base form, filed on the
    amendment's date of original submission, or failing that of the same period.
    """
    amended_ids = [fid for fid, f in filings.items() if f.is_amendment]
    # Only an amended issuer's filings can be originals: the others need no key.
    amended = {issuer_of[fid] for fid in amended_ids}
    originals: dict[tuple[str, str, tuple[str, ...]], list[str]] = defaultdict(list)
    for fid, f in filings.items():
        if not f.is_amendment and issuer_of[fid] in amended:
            originals[(issuer_of[fid], f.document_type, tuple(sorted(owners_of[fid])))].append(fid)
    out: dict[str, str] = {}
    for fid in amended_ids:
        f = filings[fid]
        cands = originals.get((issuer_of[fid], f.document_type.removesuffix("/A"), tuple(sorted(owners_of[fid]))), [])
        picked = [c for c in cands if f.date_of_original_submission
                  and filings[c].filing_date == f.date_of_original_submission]
        if not picked:
            picked = [c for c in cands if filings[c].period_of_report == f.period_of_report]
        if len(picked) == 1:
            out[fid] = picked[0]
    return out
