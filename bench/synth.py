"""Synthetic EDGAR-like insider filings at any size, as ownershipDocument XML, deterministic by seed.

The population is drawn first (issuers, some renamed over the years; directors whose
board counts follow a heavy tail; officers with titles; funds that are 10% owners of
several issuers; in-house and law-firm attorneys-in-fact who sign for many insiders),
then filings are streamed one by one: Forms 3, 4, 5 and some 4/A, with transactions,
holdings and footnotes, in the element structure of real X0306 and X0508 documents.
Nothing here is copied from a real filing; names are drawn from generic word lists.

Every file name carries a distinct accession (``0009999999-24-000001__ACME__F4__SYN.xml``),
so ``insidergraph.loaders.xml.parse`` reads it back as a filing of its own. The same
``(n, seed)`` always gives the same bytes.

>>> name, xml = next(generate(10, seed=1))
>>> name.endswith("__SYN.xml"), xml.startswith(b'<?xml version="1.0"?>')
(True, True)

Command line (files are sharded 10,000 to a directory, so 1,000,000 filings stay workable)::

    python bench/synth.py --filings 100000 --seed 7 --out /tmp/synth
    python bench/synth.py --filings 36000 --seed 7 --format form345 --out /tmp/synth-zips
    python bench/synth.py --filings 100000 --seed 8 --accession-agent 9000000 --out /tmp/synth2
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

__all__ = ["AGENT", "MAX_AGENT", "SHARD_SIZE", "generate", "main", "write", "write_form345"]

#: Files per shard directory written by :func:`write`.
SHARD_SIZE = 10_000
#: The accessions' default filer-agent prefix (0009999999-24-000001, ...).
AGENT = 9_999_999
#: The largest filer-agent prefix (ten digits).
MAX_AGENT = 9_999_999_999

_START = date(2005, 1, 3).toordinal()
_END = date(2024, 12, 31).toordinal()
# ISO strings of every day in range, so formatting a date is one list lookup.
_BASE = _START - 4000
_ISO = [date.fromordinal(d).isoformat() for d in range(_BASE, _END + 4000)]
_X0508_FROM = date(2023, 4, 1).toordinal()

# --- word lists (generic, made up for this file) ---------------------------------------

_FIRST = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard "
    "Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty "
    "Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle "
    "Kenneth Carol Kevin Amanda Brian Dorothy George Melissa Timothy Deborah Ronald Stephanie Edward "
    "Rebecca Jason Sharon Jeffrey Laura Ryan Cynthia Jacob Kathleen Gary Amy Nicholas Angela Eric "
    "Shirley Jonathan Anna Stephen Brenda Larry Pamela Justin Emma Scott Nicole Brandon Helen Benjamin "
    "Samantha Samuel Katherine Gregory Christine Alexander Debra Frank Rachel Patrick Carolyn Raymond "
    "Janet Jack Catherine Dennis Maria Jerry Heather Tyler Diane Aaron Ruth Jose Julie Adam Olivia "
    "Nathan Joyce Henry Virginia Douglas Victoria Zachary Kelly Peter Lauren Kyle Christina Ethan Joan "
    "Walter Evelyn Noah Judith Jeremy Megan Christian Andrea Keith Cheryl Roger Hannah Terry Jacqueline "
    "Gerald Martha Harold Gloria Sean Teresa Austin Ann Carl Sara Arthur Madison Lawrence Frances Dylan "
    "Kathryn Jesse Janice Jordan Jean Bryan Abigail Billy Alice Joe Judy Bruce Sophia Gabriel Grace "
    "Logan Denise Albert Amber Willie Doris Alan Marilyn Juan Danielle Wayne Beverly Elijah Isabella "
    "Randy Theresa Roy Diana Vincent Natalie Ralph Brittany Eugene Charlotte Russell Marie Bobby Kayla "
    "Mason Alexis Philip Lori Priya Wei Hiroshi Ana Luis Ingrid Rajesh Mei Omar Fatima Lars Sofia"
).split()
_LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
    "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker "
    "Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper "
    "Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James "
    "Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez "
    "Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez "
    "Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole "
    "Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens "
    "Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker "
    "Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz "
    "Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice "
    "Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley "
    "Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham "
    "Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffmann "
    "Lindqvist Okafor Tanaka Kowalski Novak Haddad Iyer Sato Becker Dubois Rossi Larsen OConnor"
).split()
_CO_A = (
    "Apex Blue Cedar Summit Harbor Granite Silver Northern Pacific Atlantic Vertex Meridian Pioneer "
    "Evergreen Crescent Beacon Falcon Horizon Liberty Keystone Sterling Orion Quantum Redwood Sapphire "
    "Tidewater Union Vantage Willow Zenith Aurora Bright Coastal Delta Eagle Frontier Golden Heritage "
    "Ironwood Juniper Kestrel Lakeshore Magnolia Nova Oakmont Prairie Ridge Sequoia Trident Unity Valor"
).split()
_CO_B = (
    "Therapeutics Systems Bancorp Networks Energy Foods Semiconductor Software Pharmaceuticals Financial "
    "Industries Labs Robotics Retail Media Biosciences Logistics Materials Instruments Brands Health "
    "Devices Analytics Minerals Airlines Insurance Motors Realty Genomics Payments"
).split()
_CO_FORM = ("Inc.", "Corp", "Corporation", "Holdings, Inc.", "Group, Inc.", "Co.", "Inc", "Ltd.")
_FUND_A = ("Capital Partners", "Ventures", "Growth Equity", "Opportunity", "Investors", "Value Partners")
_STREETS = ("Main Street", "Market Street", "Sand Hill Road", "Park Avenue", "Elm Street", "Broadway",
            "Congress Avenue", "University Avenue", "Lake Shore Drive", "Peachtree Street")
_CITIES = (("MENLO PARK", "CA", "94025"), ("NEW YORK", "NY", "10022"), ("BOSTON", "MA", "02116"),
           ("AUSTIN", "TX", "78701"), ("CHICAGO", "IL", "60611"), ("SEATTLE", "WA", "98101"),
           ("SAN FRANCISCO", "CA", "94105"), ("ATLANTA", "GA", "30309"), ("DENVER", "CO", "80202"),
           ("GREENWICH", "CT", "06830"), ("PALO ALTO", "CA", "94301"), ("MIAMI", "FL", "33131"))
_OFFICER_TITLES = (
    ("Chief Executive Officer", 3), ("President and CEO", 2), ("Chief Financial Officer", 3),
    ("EVP, Chief Financial Officer", 1), ("General Counsel and Secretary", 2), ("SVP, General Counsel", 1),
    ("Chief Operating Officer", 2), ("Chief Technology Officer", 2), ("EVP, Sales", 1),
    ("SVP, Chief Accounting Officer", 1), ("Chief People Officer", 1), ("EVP, Strategy", 1),
    ("Principal Accounting Officer", 1), ("Chief Marketing Officer", 1), ("See Remarks", 1),
)

_DIRECTOR_BOARDS = ((1, 0.72), (2, 0.13), (3, 0.06), (4, 0.035), (5, 0.02), (6, 0.01), (7, 0.007),
                    (8, 0.004), (9, 0.002), (10, 0.0015), (12, 0.0008), (15, 0.0004))


def _esc(text: str) -> str:
    # Only the characters XML text content requires; names are escaped once when drawn.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- the population ---------------------------------------------------------------------


@dataclass(slots=True)
class _Issuer:
    cik: str
    eras: list[tuple[int, str, str]]  # (from day, escaped name, ticker), by day
    classes: tuple[str, ...]
    price: float
    active: tuple[int, int]
    city: tuple[str, str, str]
    attorneys: list[tuple[int, int]] = field(default_factory=list)  # (from day, attorney index)

    def at(self, day: int) -> tuple[str, str]:
        name, ticker = self.eras[0][1], self.eras[0][2]
        for start, n, t in self.eras:
            if day >= start:
                name, ticker = n, t
        return name, ticker

    def attorney(self, day: int) -> int:
        pick = self.attorneys[0][1]
        for start, a in self.attorneys:
            if day >= start:
                pick = a
        return pick


@dataclass(slots=True)
class _Owner:
    cik: str
    names: tuple[str, ...]  # escaped rptOwnerName spellings; the first is the usual one
    display: str  # escaped "First Last", as signatures name the owner
    entity: bool
    street: str
    city: tuple[str, str, str]
    self_signs: bool


@dataclass(slots=True)
class _Seat:
    owner: int
    issuer: int
    start: int
    end: int
    director: bool
    officer_title: str | None
    ten_percent: bool
    partner: int | None = None  # a fund's general partner, filing jointly


@dataclass(slots=True)
class _Attorney:
    name: str  # escaped
    short: str | None  # spelling without the middle initial, used now and then
    style: int


@dataclass(slots=True)
class Population:
    """Everything a filing may name; drawn once per ``(n, seed)``."""

    issuers: list[_Issuer]
    owners: list[_Owner]
    seats: list[_Seat]
    attorneys: list[_Attorney]
    cum_weights: list[float]


class _Names:
    """Draws person names without repeating a (first, middle, last) triple."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[tuple[str, str, str]] = set()

    def person(self) -> tuple[str, str, str]:
        rng = self.rng
        while True:
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            middle = chr(65 + rng.randrange(26)) if rng.random() < 0.7 else ""
            key = (first, middle, last)
            if key not in self.used or len(self.used) > 2_000_000:
                self.used.add(key)
                return key


def _ticker(rng: random.Random, taken: set[str], name: str) -> str:
    base = "".join(w[0] for w in name.split()[:2]).upper()
    while True:
        t = base + "".join(chr(65 + rng.randrange(26)) for _ in range(rng.choice((1, 2, 2))))
        if t not in taken:
            taken.add(t)
            return t


def _company_name(rng: random.Random) -> str:
    return f"{rng.choice(_CO_A)} {rng.choice(_CO_B)} {rng.choice(_CO_FORM)}"


def population(n: int, seed: int) -> Population:
    """Draw issuers, insiders, funds, attorneys and their seats for ``n`` filings.

    >>> p = population(1000, 3)
    >>> len(p.issuers) >= 12 and len(p.seats) > len(p.issuers)
    True
    """
    rng = random.Random(f"insidergraph-synth-population:{seed}")
    n_issuers = max(12, n // 160)
    names = _Names(rng)
    tickers: set[str] = set()
    next_cik = [1_900_001]

    def cik() -> str:
        # Synthetic CIKs above today's real range, spaced irregularly like real ones.
        next_cik[0] += rng.randrange(1, 40)
        return f"{next_cik[0]:010d}"

    span = _END - _START
    issuers: list[_Issuer] = []
    for _ in range(n_issuers):
        name = _company_name(rng)
        listed = _START + (0 if rng.random() < 0.55 else rng.randrange(int(span * 0.7)))
        gone = _END if rng.random() < 0.8 else min(_END, listed + 700 + rng.randrange(span))
        eras = [(listed, _esc(name), _ticker(rng, tickers, name))]
        if rng.random() < 0.07 and gone - listed > 1500:
            # Renamed: same CIK under a new name (and usually a new ticker), like Square -> Block.
            new = _company_name(rng)
            when = listed + 500 + rng.randrange(gone - listed - 1000)
            eras.append((when, _esc(new), _ticker(rng, tickers, new) if rng.random() < 0.75 else eras[0][2]))
        classes = ("Class A Common Stock", "Class B Common Stock") if rng.random() < 0.12 else ("Common Stock",)
        issuers.append(_Issuer(cik(), eras, classes, math.exp(rng.gauss(3.2, 1.0)), (listed, gone),
                               rng.choice(_CITIES)))

    owners: list[_Owner] = []

    def person() -> int:
        first, middle, last = names.person()
        parts = [last, first] + ([middle] if middle else [])
        filed = " ".join(parts)
        filed = filed.upper() if rng.random() < 0.7 else filed
        spellings = [filed]
        if rng.random() < 0.04:
            # One CIK filed under two spellings, as "Brin Sergey" and "Sergey Brin" are.
            spellings.append(" ".join([first] + ([middle] if middle else []) + [last]))
        display = " ".join([first] + ([middle + "."] if middle else []) + [last])
        owners.append(_Owner(cik(), tuple(_esc(s) for s in spellings), _esc(display), False,
                             f"{rng.randrange(1, 9999)} {rng.choice(_STREETS)}", rng.choice(_CITIES),
                             rng.random() < 0.25))
        return len(owners) - 1

    def tenures(lo: int, hi: int, mean_years: float) -> list[tuple[int, int]]:
        out, day = [], lo
        while day < hi:
            length = int(365 * max(1.0, rng.expovariate(1 / mean_years)))
            out.append((day, min(hi, day + length)))
            day += length + rng.randrange(0, 90)
        return out

    seats: list[_Seat] = []
    director_slots: list[tuple[int, int, int]] = []  # (issuer, start, end) awaiting a director
    officer_people: list[int] = []
    for ii, iss in enumerate(issuers):
        lo, hi = iss.active
        for _ in range(rng.randrange(5, 12)):
            director_slots.extend((ii, s, e) for s, e in tenures(lo, hi, 7.0))
        titles = [t for t, w in _OFFICER_TITLES for _ in range(w)]
        for k in range(rng.randrange(3, 8)):
            title = "Chief Executive Officer" if k == 0 else rng.choice(titles)
            for s, e in tenures(lo, hi, 5.0):
                pid = person()
                officer_people.append(pid)
                # Most CEOs also sit on their own board.
                seats.append(_Seat(pid, ii, s, e, k == 0 and rng.random() < 0.8, title, False))

    # Directors: board counts with a heavy tail, hubs first so they find distinct boards.
    rng.shuffle(director_slots)
    values = [v for v, _ in _DIRECTOR_BOARDS]
    cum: list[float] = []
    total = 0.0
    for _, w in _DIRECTOR_BOARDS:
        total += w
        cum.append(total)
    counts: list[int] = []
    need = len(director_slots)
    while need > 0:
        k = values[bisect_right(cum, rng.random() * total)]
        counts.append(k)
        need -= k
    counts.sort(reverse=True)
    reusable = officer_people[:]
    rng.shuffle(reusable)
    for k in counts:
        # About one director in ten is an executive elsewhere.
        pid = reusable.pop() if reusable and rng.random() < 0.1 else person()
        boards: set[int] = set()
        deferred = []
        while director_slots and len(boards) < k:
            slot = director_slots.pop()
            if slot[0] in boards:
                deferred.append(slot)
                if len(deferred) > 50:
                    break
                continue
            boards.add(slot[0])
            seats.append(_Seat(pid, slot[0], slot[1], slot[2], True, None, False))
        director_slots.extend(deferred)

    # Funds: entity owners, each a 10% owner of several issuers, filing with their GP.
    n_funds = max(3, n_issuers // 8)
    for _ in range(n_funds):
        root = f"{rng.choice(_CO_A)} {rng.choice(_FUND_A)}"
        roman = rng.choice(("II", "III", "IV", "V", "VI", "VII"))
        city = rng.choice(_CITIES)
        street = f"{rng.randrange(1, 3000)} {rng.choice(_STREETS)}"
        owners.append(_Owner(cik(), (_esc(f"{root} Fund {roman}, L.P.".upper()),), _esc(f"{root} Fund {roman}, L.P."),
                             True, street, city, True))
        fund = len(owners) - 1
        owners.append(_Owner(cik(), (_esc(f"{root} Management {roman}, LLC".upper()),),
                             _esc(f"{root} Management {roman}, LLC"), True, street, city, True))
        gp = len(owners) - 1
        for ii in rng.sample(range(n_issuers), min(n_issuers, rng.randrange(2, 7))):
            lo, hi = issuers[ii].active
            s = lo + rng.randrange(max(1, hi - lo))
            seats.append(_Seat(fund, ii, s, min(hi, s + 365 * rng.randrange(1, 8)), False, None, True, gp))

    # Attorneys-in-fact: law-firm attorneys serve many issuers, in-house ones serve one.
    attorneys: list[_Attorney] = []

    def attorney() -> int:
        first, middle, last = names.person()
        full = f"{first} {middle}. {last}" if middle else f"{first} {last}"
        attorneys.append(_Attorney(_esc(full), _esc(f"{first} {last}") if middle else None, rng.randrange(5)))
        return len(attorneys) - 1

    firm = [attorney() for _ in range(max(3, n_issuers // 25))]
    for iss in issuers:
        lo, hi = iss.active
        for s, _e in tenures(lo, hi, 6.0):
            a = rng.choice(firm) if rng.random() < 0.35 else attorney()
            iss.attorneys.append((s, a))

    # Officers trade most, funds in bursts, directors mostly at annual grants.
    cum_weights: list[float] = []
    acc = 0.0
    for seat in seats:
        years = max(0.3, (seat.end - seat.start) / 365)
        rate = 2.5 if seat.officer_title else 4.0 if seat.ten_percent else 1.2
        acc += years * rate
        cum_weights.append(acc)
    return Population(issuers, owners, seats, attorneys, cum_weights)


# --- filings ----------------------------------------------------------------------------

_FN_WAVG = ("The price reported in Column 4 is a weighted average price. These shares were sold in multiple "
            "transactions at prices ranging from ${lo:.2f} to ${hi:.2f}, inclusive. The reporting person undertakes "
            "to provide to the issuer, any security holder of the issuer, or the staff of the Securities and "
            "Exchange Commission, upon request, full information regarding the number of shares sold at each "
            "separate price within the ranges set forth in this footnote.")
_FN_PLAN = ("The transactions reported on this Form 4 were effected pursuant to a Rule 10b5-1 trading plan "
            "adopted by the reporting person on {d}.")
_FN_RSU = ("Represents restricted stock units (&quot;RSUs&quot;). Each RSU represents a contingent right to receive "
           "one share of the Issuer's {cls}. The RSUs vest in {q} equal quarterly installments, subject to the "
           "reporting person's continued service.")
_FN_TAX = "Shares withheld by the Issuer to satisfy tax withholding obligations upon the vesting of RSUs."
_FN_TRUST = "The shares are held by the {last} Family Trust, of which the reporting person is a trustee."
_FN_FUND = ("The shares are held of record by {fund}. {gp} is the general partner of {fund} and may be deemed "
            "to share voting and investment power over these shares. Each reporting person disclaims beneficial "
            "ownership except to the extent of its pecuniary interest therein.")
_FN_OPT = "The option vests as to 25% of the shares on the first anniversary of the grant date and monthly thereafter."
_FN_GIFT = "Bona fide gift to a charitable organization for no consideration."


class _Doc:
    """Accumulates one document's text; footnotes are numbered in order of first use."""

    __slots__ = ("new", "notes", "parts")

    def __init__(self, new: bool) -> None:
        self.parts: list[str] = []
        self.notes: list[str] = []
        self.new = new  # X0508 drops empty optional elements that X0306 writes out

    def note(self, text: str) -> str:
        self.notes.append(text)
        return f"F{len(self.notes)}"

    def value(self, tag: str, v: str | None, fns: tuple[str, ...] = (), indent: str = "            ") -> None:
        ref = "".join(f'\n{indent}    <footnoteId id="{f}"/>' for f in fns)
        if v is None and not fns:
            if not self.new:
                self.parts.append(f"{indent}<{tag}>\n{indent}    <value></value>\n{indent}</{tag}>\n")
            return
        body = f"\n{indent}    <value>{v}</value>" if v is not None else ""
        self.parts.append(f"{indent}<{tag}>{body}{ref}\n{indent}</{tag}>\n")


def _num(x: float) -> str:
    return str(round(x))


def _row(doc: _Doc, derivative: bool, holding: bool, title: str, day: int | None, code: str | None,
         shares: float | None, price: float | None, ad: str | None, after: float, di: str,
         nature: str | None = None, nature_fn: tuple[str, ...] = (), price_fn: tuple[str, ...] = (),
         code_fn: tuple[str, ...] = (), exercise: float | None = None, exercisable: int | None = None,
         expires: int | None = None, underlying: str | None = None, form: str = "4",
         title_fn: tuple[str, ...] = ()) -> None:
    p = doc.parts
    tag = ("derivative" if derivative else "nonDerivative") + ("Holding" if holding else "Transaction")
    p.append(f"        <{tag}>\n")
    doc.value("securityTitle", title, title_fn)
    if derivative:
        doc.value("conversionOrExercisePrice", None if exercise is None else f"{exercise:.2f}")
    if not holding:
        assert day is not None and code is not None and shares is not None and ad is not None
        doc.value("transactionDate", _ISO[day - _BASE])
        if not doc.new:
            p.append("            <deemedExecutionDate></deemedExecutionDate>\n")
        ref = "".join(f'\n                <footnoteId id="{f}"/>' for f in code_fn)
        p.append(f"            <transactionCoding>\n                <transactionFormType>{form}</transactionFormType>\n"
                 f"                <transactionCode>{code}</transactionCode>\n"
                 f"                <equitySwapInvolved>0</equitySwapInvolved>{ref}\n            </transactionCoding>\n")
        if not doc.new:
            p.append("            <transactionTimeliness>\n                <value></value>\n"
                     "            </transactionTimeliness>\n")
        p.append("            <transactionAmounts>\n")
        doc.value("transactionShares", _num(shares), indent="                ")
        doc.value("transactionPricePerShare", None if price is None else f"{price:.4f}".rstrip("0").rstrip("."),
                  price_fn, indent="                ")
        doc.value("transactionAcquiredDisposedCode", ad, indent="                ")
        p.append("            </transactionAmounts>\n")
    if derivative:
        doc.value("exerciseDate", None if exercisable is None else _ISO[exercisable - _BASE])
        doc.value("expirationDate", None if expires is None else _ISO[expires - _BASE])
        p.append("            <underlyingSecurity>\n")
        doc.value("underlyingSecurityTitle", underlying, indent="                ")
        doc.value("underlyingSecurityShares", _num(shares if shares is not None else after), indent="                ")
        p.append("            </underlyingSecurity>\n")
    p.append("            <postTransactionAmounts>\n")
    doc.value("sharesOwnedFollowingTransaction", _num(after), indent="                ")
    p.append("            </postTransactionAmounts>\n            <ownershipNature>\n")
    doc.value("directOrIndirectOwnership", di, indent="                ")
    if nature is not None:
        doc.value("natureOfOwnership", nature, nature_fn, indent="                ")
    p.append(f"            </ownershipNature>\n        </{tag}>\n")


def _owner_xml(o: _Owner, seat: _Seat, rng: random.Random, ten_percent: bool) -> str:
    name = o.names[0] if len(o.names) == 1 or rng.random() < 0.8 else o.names[1]
    city, state, zip_code = o.city
    title = seat.officer_title if not ten_percent else None
    officer = title is not None
    rel = (f"            <isDirector>{int(seat.director and not ten_percent)}</isDirector>\n"
           f"            <isOfficer>{int(officer)}</isOfficer>\n"
           f"            <isTenPercentOwner>{int(ten_percent)}</isTenPercentOwner>\n"
           f"            <isOther>0</isOther>\n")
    if officer:
        rel += f"            <officerTitle>{title}</officerTitle>\n"
    return (f"    <reportingOwner>\n        <reportingOwnerId>\n            <rptOwnerCik>{o.cik}</rptOwnerCik>\n"
            f"            <rptOwnerName>{name}</rptOwnerName>\n        </reportingOwnerId>\n"
            f"        <reportingOwnerAddress>\n            <rptOwnerStreet1>{o.street}</rptOwnerStreet1>\n"
            f"            <rptOwnerStreet2></rptOwnerStreet2>\n            <rptOwnerCity>{city}</rptOwnerCity>\n"
            f"            <rptOwnerState>{state}</rptOwnerState>\n"
            f"            <rptOwnerZipCode>{zip_code}</rptOwnerZipCode>\n"
            f"            <rptOwnerStateDescription></rptOwnerStateDescription>\n        </reportingOwnerAddress>\n"
            f"        <reportingOwnerRelationship>\n{rel}        </reportingOwnerRelationship>\n"
            "    </reportingOwner>\n")


def _signature(pop: Population, iss: _Issuer, o: _Owner, day: int, rng: random.Random) -> str:
    if o.self_signs and rng.random() < 0.95:
        return f"/s/ {o.display}"
    a = pop.attorneys[iss.attorney(day)]
    name = a.short if a.short is not None and rng.random() < 0.15 else a.name
    style = a.style if rng.random() < 0.9 else rng.randrange(5)
    if style == 0:
        return f"/s/ {name}, Attorney-in-Fact"
    if style == 1:
        return f"/s/ {name}, Attorney-in-Fact for {o.display}"
    if style == 2:
        return f"{name} as attorney-in-fact for {o.display}"
    if style == 3:
        return f"/s/ {name}, by power of attorney"
    return f"By: {name}, Attorney-in-fact For: {o.display}"


def _entity_signature(pop: Population, seat: _Seat, iss: _Issuer, o: _Owner, day: int, rng: random.Random) -> str:
    att = pop.attorneys[iss.attorney(day)].name
    if rng.random() < 0.5:
        return f"/s/ {att}, Attorney-in-Fact for {o.display}"
    if seat.partner is not None and o is pop.owners[seat.owner]:
        partner = pop.owners[seat.partner].display
        return f"{o.display}, By: {partner}, its General Partner, By: /s/ {att}, Attorney-in-Fact"
    return f"{o.display}, By: /s/ {att}, Attorney-in-Fact"


def _body(doc: _Doc, pop: Population, seat: _Seat, iss: _Issuer, day: int, form: str, rng: random.Random) -> None:
    """The two tables of a filing, by form and by the kind of insider."""
    owner = pop.owners[seat.owner]
    years = (day - _START) / 365.0
    px = iss.price * math.exp(0.06 * years + 0.25 * math.sin(years * 1.7 + iss.price))
    common = iss.classes[0]
    held = 10 ** rng.uniform(3.3, 6.2) if not seat.ten_percent else 10 ** rng.uniform(6.5, 8.0)
    nd_open = "    <nonDerivativeTable>\n"
    nd_close = "    </nonDerivativeTable>\n"
    p = doc.parts
    if form == "3":
        if rng.random() < 0.1 and not seat.ten_percent:
            return
        p.append(nd_open)
        _row(doc, False, True, common, None, None, None, None, None, held, "D")
        if rng.random() < 0.25:
            fn = doc.note(_FN_TRUST.format(last=owner.display.split()[-1]))
            _row(doc, False, True, common, None, None, None, None, None, held * rng.uniform(0.1, 2), "I",
                 "By Trust", (fn,))
        p.append(nd_close)
        if rng.random() < 0.6:
            p.append("    <derivativeTable>\n")
            fn = doc.note(_FN_OPT)
            for _ in range(rng.randrange(1, 4)):
                grant = day - rng.randrange(100, 2000)
                _row(doc, True, True, "Stock Option (Right to Buy)", None, None, None, None, None,
                     held * rng.uniform(0.05, 0.5), "D", exercise=px * rng.uniform(0.3, 1.1),
                     exercisable=max(_START, grant + 365), expires=grant + 3650, underlying=common, title_fn=(fn,))
            p.append("    </derivativeTable>\n")
        return
    if form == "5":
        p.append(nd_open)
        fn = doc.note(_FN_GIFT)
        for _ in range(rng.randrange(1, 3)):
            gift = held * rng.uniform(0.001, 0.02)
            held -= gift
            _row(doc, False, False, common, day - rng.randrange(0, 300), "G", gift, 0.0, "D", held, "D",
                 code_fn=(fn,), form="5")
        p.append(nd_close)
        return
    # Forms 4 and 4/A.
    kind = "fund" if seat.ten_percent else "officer" if seat.officer_title else "director"
    p.append(nd_open)
    derivative: list[tuple[str, float, float]] = []
    if kind == "fund":
        code = rng.choice(("S", "S", "P", "J"))
        fn = doc.note(_FN_FUND.format(fund=owner.display, gp=pop.owners[seat.partner].display
                                      if seat.partner is not None else owner.display))
        for k in range(rng.randrange(1, 5)):
            amount = held * rng.uniform(0.001, 0.03)
            held += amount if code == "P" else -amount
            _row(doc, False, False, common, day - k, code, amount, 0.0 if code == "J" else px * rng.uniform(0.97, 1.03),
                 "A" if code == "P" else "D", held, "I", "See Footnote", (fn,))
    elif kind == "officer" and rng.random() < 0.7:
        plan = None
        if rng.random() < 0.6:
            plan = doc.note(_FN_PLAN.format(d=_ISO[max(0, day - _BASE - rng.randrange(60, 400))]))
        if rng.random() < 0.35:
            opt = held * rng.uniform(0.02, 0.1)
            strike = px * rng.uniform(0.2, 0.8)
            _row(doc, False, False, common, day, "M", opt, strike, "A", held + opt, "D")
            held += opt
            derivative.append(("M", opt, strike))
        for _ in range(rng.randrange(1, 5)):
            sold = held * rng.uniform(0.002, 0.05)
            held -= sold
            lo = px * rng.uniform(0.97, 0.995)
            wavg = doc.note(_FN_WAVG.format(lo=lo, hi=px * rng.uniform(1.005, 1.03)))
            _row(doc, False, False, common, day, "S", sold, px * rng.uniform(0.98, 1.02), "D", held, "D",
                 price_fn=(wavg,), code_fn=(plan,) if plan else ())
    else:
        # Annual equity grant, with shares withheld for taxes on vesting now and then.
        grant = 10 ** rng.uniform(2.5, 4.3)
        fn = doc.note(_FN_RSU.format(cls=common, q=rng.choice((4, 8, 12, 16))))
        held += grant
        _row(doc, False, False, common, day, "A", grant, 0.0, "A", held, "D", code_fn=(fn,))
        if rng.random() < 0.4:
            tax = grant * rng.uniform(0.25, 0.45)
            held -= tax
            _row(doc, False, False, common, day, "F", tax, px, "D", held, "D", code_fn=(doc.note(_FN_TAX),))
        if kind == "officer" and rng.random() < 0.5:
            derivative.append(("A", grant * rng.uniform(1, 4), px))
    if rng.random() < 0.2:
        fn = doc.note(_FN_TRUST.format(last=owner.display.split()[-1]))
        _row(doc, False, True, common, None, None, None, None, None, 10 ** rng.uniform(3, 6), "I", "By Trust", (fn,))
    p.append(nd_close)
    if derivative:
        p.append("    <derivativeTable>\n")
        for code, amount, strike in derivative:
            grant = day - rng.randrange(400, 3000) if code == "M" else day
            _row(doc, True, False, "Stock Option (Right to Buy)", day, code, amount, 0.0,
                 "D" if code == "M" else "A", amount * rng.uniform(0, 3), "D", exercise=strike,
                 exercisable=max(_START, grant + 365), expires=grant + 3650, underlying=common)
        p.append("    </derivativeTable>\n")


def generate(n: int, seed: int = 0, agent: int = AGENT) -> Iterator[tuple[str, bytes]]:
    """Yield ``(file name, XML bytes)`` for ``n`` synthetic filings, the same for the same seed.

    ``agent`` is the 10-digit filer-agent prefix of the accessions (counting down from it
    past 999,999 filings a year): give a second population another one, far enough from the
    first (say 9,000,000), and its filings are added to a store beside the first, not taken
    for the same filings.

    >>> a = [x for _, x in generate(5, seed=2)]
    >>> a == [x for _, x in generate(5, seed=2)]
    True
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not 1 + n // 999_999 <= agent <= MAX_AGENT:
        raise ValueError(f"agent must be a 10-digit prefix from {1 + n // 999_999} to {MAX_AGENT}, got {agent}")
    pop = population(n, seed)
    rng = random.Random(f"insidergraph-synth-filings:{seed}")
    seats, cw = pop.seats, pop.cum_weights
    total = cw[-1]
    per_year: dict[int, int] = {}
    for _ in range(n):
        seat = seats[bisect_right(cw, rng.random() * total)]
        iss = pop.issuers[seat.issuer]
        r = rng.random()
        if r < 0.07:
            form, day = "3", seat.start + rng.randrange(0, 10)
        elif r < 0.10:
            form = "5"
            year = date.fromordinal(seat.start + rng.randrange(max(1, seat.end - seat.start))).year
            day = date(year, 12, 31).toordinal()
        elif r < 0.13:
            form, day = "4/A", seat.start + rng.randrange(max(1, seat.end - seat.start))
        else:
            form, day = "4", seat.start + rng.randrange(max(1, seat.end - seat.start))
        day = min(day, _END)
        signed = day + rng.randrange(0, 3)
        issuer_name, ticker = iss.at(day)
        new = day >= _X0508_FROM

        doc = _Doc(new)
        head = ['<?xml version="1.0"?>\n<ownershipDocument>\n\n'
                f'    <schemaVersion>{"X0508" if new else "X0306"}</schemaVersion>\n\n'
                f"    <documentType>{form}</documentType>\n\n"
                f"    <periodOfReport>{_ISO[day - _BASE]}</periodOfReport>\n\n"]
        if form == "4/A":
            head.append(f"    <dateOfOriginalSubmission>{_ISO[signed - _BASE]}</dateOfOriginalSubmission>\n\n")
        if form != "3":
            head.append("    <notSubjectToSection16>0</notSubjectToSection16>\n\n")
        head.append(f"    <issuer>\n        <issuerCik>{iss.cik}</issuerCik>\n"
                    f"        <issuerName>{issuer_name}</issuerName>\n"
                    f"        <issuerTradingSymbol>{ticker}</issuerTradingSymbol>\n    </issuer>\n\n")
        owners = [pop.owners[seat.owner]]
        head.append(_owner_xml(owners[0], seat, rng, seat.ten_percent))
        if seat.partner is not None:
            owners.append(pop.owners[seat.partner])
            head.append(_owner_xml(owners[1], seat, rng, True))
        if new and form != "3":
            head.append("\n    <aff10b5One>0</aff10b5One>\n")
        head.append("\n")
        _body(doc, pop, seat, iss, day, form, rng)
        tail = ["\n    <footnotes>\n"]
        for i, text in enumerate(doc.notes, 1):
            tail.append(f'        <footnote id="F{i}">{text}</footnote>\n')
        tail.append("    </footnotes>\n\n")
        if form == "4/A":
            tail.append("    <remarks>This amendment corrects the number of shares reported in Table I.</remarks>\n\n")
        elif seat.officer_title == "See Remarks":
            tail.append(f"    <remarks>Chief Strategy Officer of {issuer_name}</remarks>\n\n")
        else:
            tail.append("    <remarks></remarks>\n\n")
        for o in owners:
            text = _entity_signature(pop, seat, iss, o, day, rng) if o.entity else _signature(pop, iss, o, day, rng)
            tail.append(f"    <ownerSignature>\n        <signatureName>{text}</signatureName>\n"
                        f"        <signatureDate>{_ISO[signed - _BASE]}</signatureDate>\n    </ownerSignature>\n")
        tail.append("</ownershipDocument>\n")

        # A distinct accession per filing: a synthetic agent prefix, the year, a counter.
        yy = date.fromordinal(signed).year % 100
        c = per_year.get(yy, 0)
        per_year[yy] = c + 1
        accession = f"{agent - c // 999_999:010d}-{yy:02d}-{c % 999_999 + 1:06d}"
        fname = f"{accession}__{ticker}__F{form.replace('/', '')}__SYN.xml"
        yield fname, "".join(head + doc.parts + tail).encode()


def write(n: int, seed: int, out: Path, shard_size: int = SHARD_SIZE, agent: int = AGENT) -> int:
    """Write ``n`` filings under ``out/00000/``, ``out/00001/``, ...; returns bytes written.

    Generation runs at 20,000-40,000 filings/s in memory; on disk, creating one file per
    filing bounds the rate (about 4,000-9,000 files/s on this machine's disk).
    """
    written = 0
    shard_dir: Path | None = None
    for i, (name, data) in enumerate(generate(n, seed, agent)):
        if i % shard_size == 0:
            shard_dir = out / f"{i // shard_size:05d}"
            shard_dir.mkdir(parents=True, exist_ok=True)
        assert shard_dir is not None
        (shard_dir / name).write_bytes(data)
        written += len(data)
    return written


#: Parsed filings held before they are spilled to disk, quarter by quarter (write_form345).
SPILL_FILINGS = 50_000


def write_form345(n: int, seed: int, out: Path, agent: int = AGENT) -> list[Path]:
    """Write the same ``n`` filings as SEC's quarterly data sets, ``out/<YYYY>q<Q>_form345.zip``,
    one zip a quarter of filing date (the signature date: synthetic filings have no EDGAR
    header). Each filing is read back with insidergraph's XML loader and written by
    ``export --format form345``'s writer, so the zips hold what the XML says, rounded as SEC
    rounds. Returns the zips written, in quarter order.

    The generator draws days at random, so a quarter's filings come all through the run:
    they are spilled to disk as the store's own filing tables (:class:`FilingCodec`, every
    :data:`SPILL_FILINGS` filings), and each quarter is read back and written alone, so
    memory stays bounded at any ``n`` (2,700,000 filings make 80 quarters).
    """
    import shutil
    import tempfile
    import zipfile

    from insidergraph.graph.export_form345 import write_dataset
    from insidergraph.graph.filing_tables import FilingCodec
    from insidergraph.loaders.xml import parse_bytes
    from insidergraph.model import Filing

    codec = FilingCodec(Filing)
    out.mkdir(parents=True, exist_ok=True)
    spill = Path(tempfile.mkdtemp(prefix="synth-form345-", dir=out))
    pending: dict[str, list[Filing]] = {}
    parts: dict[str, int] = {}

    def flush() -> None:
        for quarter, filings in pending.items():
            folder = spill / quarter / f"{parts.get(quarter, 0):06d}"
            folder.mkdir(parents=True)
            codec.write(folder, filings)
            parts[quarter] = parts.get(quarter, 0) + 1
        pending.clear()

    for held, (name, data) in enumerate(generate(n, seed, agent), start=1):
        filing = parse_bytes(data, name)
        filed = filing.signatures[0].date if filing.signatures else filing.period_of_report
        assert filed is not None
        pending.setdefault(f"{filed.year}q{(filed.month - 1) // 3 + 1}", []).append(
            replace(filing, filing_date=filed))
        if held % SPILL_FILINGS == 0:
            flush()
    flush()
    zips = []
    for quarter in sorted(parts):
        quarter_filings: list[Filing] = []
        for folder in sorted((spill / quarter).iterdir()):
            quarter_filings += codec.decode(codec.read(folder, set(codec.schemas())))
        shutil.rmtree(spill / quarter)
        target = out / f"{quarter}_form345.zip"
        with tempfile.TemporaryDirectory(prefix="synth-form345-") as tmp:
            write_dataset(quarter_filings, tmp)
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
                for tsv in sorted(Path(tmp).iterdir()):
                    zf.write(tsv, tsv.name)
        zips.append(target)
    spill.rmdir()
    return zips


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python bench/synth.py --filings N --seed S --out DIR``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--filings", type=int, default=10_000, help="number of filings (default 10000)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--out", type=Path, help="output directory; without it, only generate and time")
    ap.add_argument("--shard-size", type=int, default=SHARD_SIZE, help="files per sub-directory")
    ap.add_argument("--format", choices=("xml", "form345"), default="xml",
                    help="xml: one ownershipDocument file per filing (default); form345: SEC's quarterly "
                    "data set zips, <YYYY>q<Q>_form345.zip")
    ap.add_argument("--accession-agent", type=int, default=AGENT,
                    help=f"10-digit prefix of the accessions (default {AGENT}); another one makes a second "
                    "population whose filings a store adds beside the first")
    args = ap.parse_args(argv)
    if not 1 + args.filings // 999_999 <= args.accession_agent <= MAX_AGENT:
        ap.error(f"--accession-agent {args.accession_agent}: not a 10-digit prefix from "
                 f"{1 + args.filings // 999_999} to {MAX_AGENT}")
    t0 = time.perf_counter()
    if args.out is None:
        size = sum(len(x) for _, x in generate(args.filings, args.seed, args.accession_agent))
    elif args.format == "form345":
        zips = write_form345(args.filings, args.seed, args.out, args.accession_agent)
        size = sum(z.stat().st_size for z in zips)
    else:
        size = write(args.filings, args.seed, args.out, args.shard_size, args.accession_agent)
    dt = time.perf_counter() - t0
    print(f"{args.filings} filings, {size / 1e6:.1f} MB in {dt:.2f} s: {args.filings / dt:,.0f} filings/s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
