"""The named queries in pandas and networkx, over the graph tables in memory.

Each function takes the :class:`~insidergraph.backends.networkx.graph.Graph` (the
tables it declares it reads, :func:`~insidergraph.backends.networkx.graph.reads`, which the
networkx engine reads from the store for it) and the bound values of
:meth:`~insidergraph.queries.registry.NamedQuery.bind` and returns rows in the order the
Cypher and SPARQL files give; the definitions (spans, ``--overlapping``, tie-breaks) are
those of :mod:`insidergraph.queries.registry`.

>>> from insidergraph.graph.tables import GraphTables
>>> shared_directors(Graph(GraphTables.empty()), min_boards=2, use_as_of=False, as_of=None, overlapping=False)
[]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from itertools import pairwise
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from insidergraph.backends.networkx.graph import SPAN, Graph, reads
from insidergraph.backends.paths import canonical_path
from insidergraph.graph.schema import ROLE_TYPES
from insidergraph.queries.registry import NO_DATE

#: The columns most queries read of a person or company: its id, CIK and name.
NAMES = ("id", "cik", "name")
_ROLE_EXTRA = {"OFFICER_OF": ("title",), "OTHER_RELATION_TO": ("text",)}
_BOARDS = reads({"Person": NAMES, "Company": NAMES}, {"DIRECTOR_OF": SPAN})


def indexed(df: pd.DataFrame) -> pd.DataFrame:
    """The frame indexed by its ``id`` column (kept as a column too)."""
    return df.set_index("id", drop=False)


def candidates(g: Graph, label: str, cik: str, node_id: str, text: str) -> pd.DataFrame:
    """The persons or companies (by id) that keys may match: every one when matched by text
    (a part of a name, a ticker), else only those with the node id or the CIK, read alone."""
    if text:
        return g.persons if label == "Person" else g.companies
    return indexed(g.select("nodes", label, (pc.field("id") == node_id) | (pc.field("cik") == cik)))


def _overlap(s1: date | None, e1: date | None, s2: date | None, e2: date | None) -> bool:
    if None in (s1, e1, s2, e2):
        return False
    return s1 <= e2 and s2 <= e1  # type: ignore[operator]


def _lists(keys: Iterable[Any], items: Iterable[Any]) -> dict[Any, list[Any]]:
    """The items of each key, keys in order of first appearance (``groupby(sort=False)``'s
    groups, without its per-group Python calls).

    >>> _lists(["b", "a", "b"], [1, 2, 3])
    {'b': [1, 3], 'a': [2]}
    """
    out: dict[Any, list[Any]] = {}
    for k, v in zip(keys, items):
        out.setdefault(k, []).append(v)
    return out


def _grouped(pairs: pd.DataFrame, key: str, item: str, names: pd.DataFrame) -> pd.DataFrame:
    """Distinct (key, item) pairs grouped: count, CIK list and name list of the items."""
    pairs = pairs[[key, item]].drop_duplicates()
    ciks = names["cik"].to_dict()
    labels = names["name"].to_dict()
    lists = _lists(pairs[key], pairs[item])
    grouped = pd.DataFrame({key: list(lists), item: list(lists.values())}, dtype=object)
    grouped["n"] = grouped[item].map(len)
    grouped["ciks"] = grouped[item].map(lambda ids: [ciks[i] or "" for i in ids])
    grouped["names"] = grouped[item].map(lambda ids: [labels[i] or "" for i in ids])
    return grouped


def _ranked(df: pd.DataFrame, by: list[str], ascending: list[bool]) -> pd.DataFrame:
    return df.sort_values(by, ascending=ascending, kind="stable") if len(df) else df


@_BOARDS
def shared_directors(g: Graph, min_boards: int, use_as_of: bool, as_of: date, overlapping: bool) -> list[list[Any]]:
    """Persons on the boards of at least ``min_boards`` issuers."""
    seats = g.director_seats(use_as_of, as_of)
    if overlapping:
        pairs = seats.merge(seats, on="src", suffixes=("", "_2"))
        keep = [
            d != d2 and _overlap(s, e, s2, e2)
            for d, d2, s, e, s2, e2 in zip(pairs["dst"], pairs["dst_2"], pairs["start"], pairs["end"],
                                           pairs["start_2"], pairs["end_2"])
        ]
        seats = pairs[keep]
    grouped = _grouped(seats, "src", "dst", g.companies)
    grouped = _ranked(grouped[grouped["n"] >= min_boards], ["n", "src"], [False, True])
    # Dicts, not .at per row (slow at a hundred thousand rows).
    person = dict(zip(g.persons["id"], zip(g.persons["cik"], g.persons["name"])))
    return [[*person[p], n, ciks, names]
            for p, n, ciks, names in zip(grouped["src"], grouped["n"], grouped["ciks"], grouped["names"])]


@_BOARDS
def interlocks(g: Graph, min_shared: int, use_as_of: bool, as_of: date, overlapping: bool,
               max_boards: int) -> list[list[Any]]:
    """Issuer pairs sharing directors."""
    seats = g.director_seats(use_as_of, as_of)
    boards = seats.groupby("src")["dst"].nunique()
    keep = boards[(boards >= 2) & ((max_boards == 0) | (boards <= max_boards))].index
    seats = seats[seats["src"].isin(keep)]
    pairs = seats.merge(seats, on="src", suffixes=("_a", "_b"))
    pairs = pairs[pairs["dst_a"] < pairs["dst_b"]]
    if overlapping:
        keep_pairs = [_overlap(*v) for v in zip(pairs["start_a"], pairs["end_a"], pairs["start_b"], pairs["end_b"])]
        pairs = pairs[np.array(keep_pairs, dtype=bool)]
    pairs = pairs[["dst_a", "dst_b", "src"]].drop_duplicates()
    names = g.persons["name"].to_dict()
    lists = _lists(zip(pairs["dst_a"], pairs["dst_b"]), pairs["src"])
    grouped = pd.DataFrame({"dst_a": [a for a, _ in lists], "dst_b": [b for _, b in lists],
                            "src": list(lists.values())}, dtype=object)
    grouped["n"] = grouped["src"].map(len)
    grouped = _ranked(grouped[grouped["n"] >= min_shared], ["n", "dst_a", "dst_b"], [False, True, True])
    company = dict(zip(g.companies["id"], zip(g.companies["cik"], g.companies["name"])))
    return [[*company[a], *company[b], n, [names[p] or "" for p in ps]]
            for a, b, n, ps in zip(grouped["dst_a"], grouped["dst_b"], grouped["n"], grouped["src"])]


@reads({"Company": NAMES}, {"TEN_PERCENT_OWNER_OF": ("src", "dst")})
def co_owners(g: Graph, min_issuers: int) -> list[list[Any]]:
    """Entity owners that were 10% owners of at least ``min_issuers`` issuers."""
    df = g.t.edges["TEN_PERCENT_OWNER_OF"]
    df = df[df["src"].isin(g.companies.index) & df["dst"].isin(g.companies.index)]
    grouped = _grouped(df, "src", "dst", g.companies)
    grouped = _ranked(grouped[grouped["n"] >= min_issuers], ["n", "src"], [False, True])
    c = g.companies
    return [[c.at[o, "cik"], c.at[o, "name"], n, ciks, names]
            for o, n, ciks, names in zip(grouped["src"], grouped["n"], grouped["ciks"], grouped["names"])]


def _matches(cik: str | None, node_id: str, name: str | None, aliases: Any, key_cik: str, key_id: str,
             text: str) -> bool:
    if cik == key_cik or node_id == key_id:
        return True
    if not text:
        return False
    return text in (name or "").lower() or any(text in a.lower() for a in (aliases or ()))


@reads({"Person": (*NAMES, "aliases"), "Company": NAMES},
       {rel: (*SPAN, "filing_count", *_ROLE_EXTRA.get(rel, ())) for rel in ROLE_TYPES})
def insider_roles(g: Graph, person_by_cik: str, person_by_id: str, person_by_text: str) -> list[list[Any]]:
    """Every role of the matching persons (only their role edges are read)."""
    p = candidates(g, "Person", person_by_cik, person_by_id, person_by_text)
    chosen = {i for i, c, n, a in zip(p["id"], p["cik"], p["name"], p["aliases"])
              if _matches(c, i, n, a, person_by_cik, person_by_id, person_by_text)}
    seats = {rel: g.seats(rel, chosen) for rel in ROLE_TYPES}
    companies = indexed(g.rows("nodes", "Company", "id", {d for df in seats.values() for d in df["dst"]}))
    rows = []
    for rel, df in seats.items():
        df = df[df["dst"].isin(companies.index)]
        extra = df["title"] if rel == "OFFICER_OF" else df["text"] if rel == "OTHER_RELATION_TO" else [None] * len(df)
        for src, dst, title, start, end, count in zip(df["src"], df["dst"], extra, df["start"], df["end"],
                                                      df["filing_count"]):
            rows.append((src, start or NO_DATE, dst, rel, title or "",
                         [p.at[src, "cik"], p.at[src, "name"], rel, title, companies.at[dst, "cik"],
                          companies.at[dst, "name"], start, end, count]))
    rows.sort(key=lambda r: r[:5])
    return [r[5] for r in rows]


_HELD = ("id", "filing_id", "seq", "shares_owned_following", "superseded", "direct_indirect", "nature_of_ownership")


@reads({"Person": NAMES, "Company": (*NAMES, "ticker"), "Security": ("id", "issuer_id", "title"),
        "Filing": ("id", "period_of_report"), "Transaction": _HELD, "Holding": _HELD},
       {**{rel: ("src", "dst", *_ROLE_EXTRA.get(rel, ())) for rel in ROLE_TYPES},
        "IN_SECURITY": ("src", "dst"), "TRANSACTED": ("src", "dst"), "HOLDS": ("src", "dst")})
def issuer_insiders(g: Graph, issuer_by_cik: str, issuer_by_id: str, issuer_by_text: str) -> list[list[Any]]:
    """Insiders of the matching issuer, their roles and their latest holding per security and
    ownership form (direct, or indirect of each nature); only the issuer's rows are read."""
    c = candidates(g, "Company", issuer_by_cik, issuer_by_id, issuer_by_text)
    issuers = {i for i, cik, t in zip(c["id"], c["cik"], c["ticker"])
               if cik == issuer_by_cik or i == issuer_by_id or (issuer_by_text and (t or "").upper() == issuer_by_text)}
    roles = _roles_at(g, issuers)
    securities = indexed(g.rows("nodes", "Security", "issuer_id", issuers))
    latest = _latest_holdings(g, set(roles), securities)
    e = indexed(pd.concat([g.rows("nodes", label, "id", roles) for label in ("Person", "Company")]))
    out = []
    for owner in sorted(roles):
        held = sorted(((s, di, nat), v) for (o, s, di, nat), v in latest.items() if o == owner)
        base = [e.at[owner, "cik"], e.at[owner, "name"], sorted(roles[owner])]
        if not held:
            out.append([*base, None, None, None, None, None])
        for (sec, _, _), (key, shares, di, nature) in held:
            out.append([*base, securities.at[sec, "title"], float(shares), di, nature, key[0]])
    return out


def _roles_at(g: Graph, issuers: set[str]) -> dict[str, set[str]]:
    """owner -> the roles (``OFFICER_OF: title``, ``OTHER_RELATION_TO: text``) they held at the issuers."""
    roles: dict[str, set[str]] = {}
    for rel in ROLE_TYPES:
        df = g.rows("edges", rel, "dst", issuers)
        extra = df["title"] if rel == "OFFICER_OF" else df["text"] if rel == "OTHER_RELATION_TO" else [None] * len(df)
        for src, text in zip(df["src"], extra):
            roles.setdefault(src, set()).add(rel if text is None else f"{rel}: {text}")
    return roles


def _latest_holdings(g: Graph, owners: set[str], securities: pd.DataFrame) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """(owner, security, D/I, nature) -> ((period, filing, seq), shares, D/I, nature) of the latest row."""
    in_sec = g.rows("edges", "IN_SECURITY", "dst", set(securities.index))
    sec_of = dict(zip(in_sec["src"], in_sec["dst"]))
    picked = []
    for label, rel in (("Transaction", "TRANSACTED"), ("Holding", "HOLDS")):
        owned = g.rows("edges", rel, "src", owners)
        owned = owned[owned["dst"].isin(sec_of.keys())]  # rows of the issuer's securities only
        picked.append((owned, indexed(g.rows("nodes", label, "id", set(owned["dst"])))))
    held_in = {f for _, by_id in picked for f in by_id["filing_id"]}
    filings = g.rows("nodes", "Filing", "id", held_in).set_index("id")["period_of_report"].to_dict()
    latest: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for owned, by_id in picked:
        for owner, row_id in zip(owned["src"], owned["dst"]):
            sec = sec_of[row_id]
            row = by_id.loc[row_id]
            period = filings.get(row["filing_id"])
            if period is None or row["shares_owned_following"] is None or row.get("superseded") is True:
                continue
            key = (period, row["filing_id"], row["seq"])
            form = (owner, sec, row["direct_indirect"] or "", row["nature_of_ownership"] or "")
            if form not in latest or key > latest[form][0]:
                latest[form] = (key, row["shares_owned_following"], row["direct_indirect"], row["nature_of_ownership"])
    return latest


def _signed_as_attorney(g: Graph) -> pd.DataFrame:
    """The SIGNED edges of attorney-in-fact signatures (``attorney_in_fact`` true, not null)."""
    return g.select("edges", "SIGNED", pc.field("attorney_in_fact") == True)  # noqa: E712 (an expression)


def _about(g: Graph, filings: Iterable[str]) -> dict[str, str]:
    """filing id -> issuer id, of these filings only."""
    df = g.rows("edges", "ABOUT", "src", set(filings))
    return dict(zip(df["src"], df["dst"]))


_ATTORNEYS = {"ATTORNEY_IN_FACT_FOR": ("src", "dst"), "SIGNED": ("src", "dst", "attorney_in_fact"),
              "ABOUT": ("src", "dst"), "GRANTED_POWER_OF_ATTORNEY": ("src", "dst")}


@reads({"Person": NAMES, "Company": NAMES}, _ATTORNEYS)
def attorney_network(g: Graph, min_insiders: int) -> list[list[Any]]:
    """Attorneys-in-fact ranked by insiders and issuers signed for, beside the powers granted to them."""
    aif = g.t.edges["ATTORNEY_IN_FACT_FOR"]
    names = g.entities["name"].to_dict()
    signed = _signed_as_attorney(g)
    about = _about(g, signed["dst"])
    films_of = _lists(signed["src"], signed["dst"])  # once, not a scan of every signature per attorney
    granted = g.t.edges["GRANTED_POWER_OF_ATTORNEY"]
    grantors: dict[str, set[str]] = {}
    powers: dict[str, int] = {}
    for src, dst in zip(granted["src"], granted["dst"]):
        grantors.setdefault(dst, set()).add(src)
        powers[dst] = powers.get(dst, 0) + 1
    signed_for: dict[str, set[str]] = {
        cast(str, a): set(ins) for a, ins in aif.groupby("src", sort=False)["dst"]}
    # Attorneys who hold a power but signed for no one count 0 insiders (kept by --min-insiders 0).
    attorneys = set(signed_for) | {a for a in grantors if a in g.entities.index}
    rows = []
    for a in attorneys:
        ins = signed_for.get(a, set())
        if len(ins) < min_insiders:
            continue
        films: set[str] = set(films_of.get(a, ()))
        issuers = {about[f] for f in films if f in about and about[f] in g.companies.index}
        films = {f for f in films if f in about and about[f] in g.companies.index}
        by = grantors.get(a, set())
        rows.append((-len(ins), -len(issuers), a, [
            names[a], len(ins), len(issuers), len(films), sorted({names[i] for i in ins}),
            sorted({names[i] for i in issuers}), powers.get(a, 0), len(by), sorted({names[i] for i in by}),
            len(ins - by),
        ]))
    rows.sort(key=lambda r: r[:3])
    return [r[3] for r in rows]


@reads({"Person": NAMES, "Company": NAMES}, dict.fromkeys((*ROLE_TYPES, "ATTORNEY_IN_FACT_FOR"), ("src", "dst")))
def connection(g: Graph, source_by_cik: str, source_by_id: str, source_by_text: str, target_by_cik: str,
               target_by_id: str, target_by_text: str) -> list[list[Any]]:
    """The canonical shortest path between two persons or companies, one row per edge."""
    e = g.entities
    ends = []
    for cik, node_id in ((source_by_cik, source_by_id), (target_by_cik, target_by_id)):
        found = sorted(i for i, c in zip(e["id"], e["cik"]) if c == cik or i == node_id)
        if not found:
            return []
        ends.append(found[0])
    adj = g.adjacency
    path = canonical_path(ends[0], ends[1], lambda n: [x[0] for x in adj.get(n, ())])
    if path is None:
        return []
    out = []
    for hop, (x, y) in enumerate(pairwise(path), 1):
        for rel, direction in sorted({(r, d) for other, r, d in adj[x] if other == y}):
            out.append([hop, e.at[x, "name"], e.at[x, "cik"], rel, direction, e.at[y, "name"], e.at[y, "cik"]])
    return out


_NOT_KEY = re.compile(r"[^a-z0-9]")
#: Spelled-out company suffixes and their abbreviation, replaced in this order in every engine.
COMPANY_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("corporation", "corp"), ("incorporated", "inc"), ("company", "co"), ("limited", "ltd"),
)


def company_key(name: str) -> str:
    """The key a power's scope is matched on: lower case, letters and digits only, suffixes abbreviated.

    >>> company_key("Microsoft Corporation") == company_key("MICROSOFT CORP")
    True
    >>> company_key("Yelp! Inc.")
    'yelpinc'
    """
    key = _NOT_KEY.sub("", name.lower())
    for long, short in COMPANY_SUFFIXES:
        key = key.replace(long, short)
    return key


def _scope_covers(scope: Any, issuer_keys: set[str]) -> bool:
    """A power's scope covers the issuer: not stated (empty), or one of its companies is the issuer."""
    return not len(scope) or any(company_key(x) in issuer_keys for x in scope)


def _in_force(grant: Any, others: list[Any], issuer_keys: set[str], day: date | None) -> bool:
    """The grant is dated on or before ``day`` (either undated: yes), covers the issuer, and no power
    of the same grantor that revokes prior ones and covers the issuer was signed after it, by ``day``."""
    if grant.date is not None and day is not None and grant.date > day:
        return False
    if not _scope_covers(grant.scope, issuer_keys):
        return False
    return not any(r.revokes_prior and r.date is not None and grant.date is not None and day is not None
                   and grant.date < r.date <= day and _scope_covers(r.scope, issuer_keys) for r in others)


def _earliest_signatures(signed: pd.DataFrame) -> dict[tuple[str, str], date | None]:
    """(signer, filing) -> the earliest date of those signatures (None when none is dated)."""
    first: dict[tuple[str, str], date | None] = {}
    for a, f, day in zip(signed["src"], signed["dst"], signed["date"]):
        known = first.get((a, f))
        # An undated signature counts only while no dated one is known (min() skips nulls).
        if (a, f) not in first or (day is not None and (known is None or day < known)):
            first[(a, f)] = day
    return first


def _name_keys(companies: pd.DataFrame) -> dict[str, set[str]]:
    """company id -> the keys (:func:`company_key`) of its name and aliases."""
    return {i: {company_key(n) for n in [name, *(aliases or ())] if n}
            for i, name, aliases in zip(companies["id"], companies["name"], companies["aliases"])}


def _signed_for(aif: pd.DataFrame) -> dict[tuple[str, str], list[str]]:
    """(attorney, filing id) -> the owners the attorney signed that filing for, in edge order."""
    out: dict[tuple[str, str], list[str]] = {}
    for src, dst, accessions in zip(aif["src"], aif["dst"], aif["accessions"]):
        for acc in accessions:
            out.setdefault((src, f"filing/{acc}"), []).append(dst)
    return out


@reads({"Person": NAMES, "Company": (*NAMES, "aliases"), "Filing": ("id", "accession")},
       {"SIGNED": ("src", "dst", "date", "attorney_in_fact"), "ABOUT": ("src", "dst"), "FILED": ("src", "dst"),
        "ATTORNEY_IN_FACT_FOR": ("src", "dst", "accessions"),
        "GRANTED_POWER_OF_ATTORNEY": ("src", "dst", "date", "scope", "revokes_prior")})
def unauthorized_signatures(g: Graph) -> list[list[Any]]:
    """Attorney-in-fact signatures that no power of attorney in the store authorizes."""
    signed = _signed_as_attorney(g)
    signed = signed[signed["src"].isin(g.entities.index)]
    about = _about(g, signed["dst"])
    filers: dict[str, list[str]] = {}
    filed = g.rows("edges", "FILED", "dst", set(signed["dst"]))
    for src, dst in zip(filed["src"], filed["dst"]):
        filers.setdefault(dst, []).append(src)
    signed_for = _signed_for(g.t.edges["ATTORNEY_IN_FACT_FOR"])
    grants: dict[str, list[Any]] = {}
    for row in g.t.edges["GRANTED_POWER_OF_ATTORNEY"].itertuples(index=False):
        grants.setdefault(str(row.src), []).append(row)
    fil = g.rows("nodes", "Filing", "id", set(signed["dst"])).set_index("id")["accession"].to_dict()
    # Dicts, not .at per signature (slow at a hundred thousand), and each issuer's keys once.
    c, e = g.companies, g.entities
    company = dict(zip(c["id"], zip(c["cik"], c["name"])))
    issuer_keys = _name_keys(c)
    entity = dict(zip(e["id"], zip(e["cik"], e["name"])))
    rows = []
    for (a, f), day in _earliest_signatures(signed).items():
        issuer = about.get(f)
        if issuer is None or issuer not in company:
            continue
        keys = issuer_keys[issuer]
        owners: list[str | None] = list(dict.fromkeys(signed_for.get((a, f), [])))
        for o in owners or [None]:
            # No owner named: any filer's power would do.
            grantors = [o] if o is not None else list(dict.fromkeys(filers.get(f, [])))
            mine = [(w, x) for w in grantors for x in grants.get(w, ()) if x.dst == a]
            if any(_in_force(x, grants[w], keys, day) for w, x in mine):
                continue
            rows.append(((a, f, o or ""), [
                entity[a][1], entity[o][0] if o else None, entity[o][1] if o else None,
                *company[issuer], fil.get(f), day, len(mine),
            ]))
    rows.sort(key=lambda r: r[0])
    return [r[1] for r in rows]
