"""The networkx engine's ``insider-trades`` and ``insider-summary``, over the tables in memory.

Definitions as in :mod:`insidergraph.queries.registry` and the Cypher files: rows of
superseded filings left out, one row per reporting owner of a filing, values in cents
(``floor(shares * price * 100 + 0.5)`` on doubles, as the Cypher engines compute them).

>>> from insidergraph.graph.tables import GraphTables
>>> from insidergraph.queries.registry import QUERIES
>>> insider_trades(Graph(GraphTables.empty()), **QUERIES["insider-trades"].bind({"codes": "P"}))
[]
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

import pandas as pd
import pyarrow.compute as pc

from insidergraph.backends.networkx.graph import Graph, one_of, reads
from insidergraph.model import TRANSACTION_CODES
from insidergraph.queries.nx_queries import NAMES, _matches, candidates, indexed

#: The Transaction columns the two queries read.
_ROW_COLUMNS = ("id", "filing_id", "table", "seq", "security_title", "transaction_date", "transaction_code",
                "acquired_disposed", "shares", "price_per_share", "shares_owned_following", "direct_indirect")
#: What both queries read: over a store, the Transaction rows of the owners, issuers and
#: window asked (filtered as the file is read), and the filings and names of those rows.
_TRADES = reads({"Person": (*NAMES, "aliases"), "Company": (*NAMES, "aliases", "ticker"),
                 "Filing": ("id", "aff10b5one", "accession"), "Transaction": (*_ROW_COLUMNS, "superseded")},
                {"ABOUT": ("src", "dst"), "TRANSACTED": ("src", "dst")})
#: Rows no amendment superseded (``superseded`` false or null).
_CURRENT = pc.field("superseded").is_null() | (pc.field("superseded") == False)  # noqa: E712 (an expression)


@dataclass(frozen=True, slots=True)
class _Keys:
    """What an owner or issuer is matched on (the bound ``*_by_*`` values and ``any_*``)."""

    any: bool
    cik: str
    node_id: str
    text: str


def _float(text: Any) -> float | None:
    return None if text is None else float(text)


def _cents(shares: float | None, price: float | None) -> float | None:
    """Shares times price in cents, rounded half up, on doubles (as every engine does it)."""
    if shares is None or price is None:
        return None
    return float(math.floor(shares * price * 100 + 0.5))


def _chosen(g: Graph, keys: _Keys, owners: bool) -> set[str] | None:
    """The ids of the owners (persons and companies) or issuers the keys match; None: every one."""
    if keys.any:
        return None
    if owners:
        nodes = pd.concat([candidates(g, label, keys.cik, keys.node_id, keys.text) for label in ("Person", "Company")])
        return {i for i, c, n, a in zip(nodes["id"], nodes["cik"], nodes["name"], nodes["aliases"])
                if _matches(c, i, n, a, keys.cik, keys.node_id, keys.text)}
    nodes = candidates(g, "Company", keys.cik, keys.node_id, keys.text)
    return {i for i, c, t in zip(nodes["id"], nodes["cik"], nodes["ticker"])
            if c == keys.cik or i == keys.node_id or (keys.text and (t or "").upper() == keys.text)}


def _rows(g: Graph, person: _Keys, issuer: _Keys,
          where: pc.Expression | None = None) -> Iterator[tuple[str, dict[str, Any], str, dict[str, Any]]]:
    """(owner id, transaction, issuer id, filing) of every transaction not superseded (and kept
    by ``where``), for the owners and issuers the keys match. Only the Transaction rows those
    select are read, and only the edges and filings of those rows."""
    owners, issuers = _chosen(g, person, True), _chosen(g, issuer, False)
    keep = _CURRENT if where is None else _CURRENT & where
    by = None
    if owners is not None:
        by = g.rows("edges", "TRANSACTED", "src", owners)
        keep = keep & one_of("id", set(by["dst"]))
    if issuers is not None:
        keep = keep & one_of("filing_id", set(g.rows("edges", "ABOUT", "dst", issuers)["src"]))
    table = indexed(g.select("nodes", "Transaction", keep))
    rows = cast(dict[str, dict[str, Any]], table.to_dict("index"))
    if owners is None and issuers is None and where is None:  # every row: whole tables
        by, about_edges, filing_nodes = g.t.edges["TRANSACTED"], g.t.edges["ABOUT"], g.t.nodes["Filing"]
    else:
        ids = set(table["filing_id"])
        by = g.rows("edges", "TRANSACTED", "dst", rows) if by is None else by
        about_edges, filing_nodes = g.rows("edges", "ABOUT", "src", ids), g.rows("nodes", "Filing", "id", ids)
    about = dict(zip(about_edges["src"], about_edges["dst"]))
    filings = cast(dict[str, dict[str, Any]],
                   filing_nodes.set_index("id")[["aff10b5one", "accession"]].to_dict("index"))
    companies = set(g.companies.index)
    for owner, row_id in zip(by["src"], by["dst"]):
        t = rows.get(row_id)
        if t is None or (owners is not None and owner not in owners):
            continue
        company = about.get(t["filing_id"])
        if company is None or company not in companies or (issuers is not None and company not in issuers):
            continue
        yield owner, t, company, filings[t["filing_id"]]


def _names(g: Graph, ids: set[str]) -> dict[str, tuple[Any, Any]]:
    """node id -> (CIK, name) of these persons and companies (a dict: ``.at`` per row is slow)."""
    e = pd.concat([g.rows("nodes", label, "id", ids) for label in ("Person", "Company")])
    return dict(zip(e["id"], zip(e["cik"], e["name"])))


def _window_filter(start: date | None, end: date | None) -> pc.Expression | None:
    """The transaction dates within the window's bounds, as :func:`_in` keeps them (None: no bound)."""
    day = pc.field("transaction_date")
    if start is None and end is None:
        return None
    if start is None or end is None:
        return day >= start if end is None else day <= end
    return (day >= start) & (day <= end)


def _keys(name: str, bound: dict[str, Any]) -> _Keys:
    return _Keys(bound[f"any_{name}"], bound[f"{name}_by_cik"], bound[f"{name}_by_id"], bound[f"{name}_by_text"])


def _in(day: date | None, start: date | None, end: date | None) -> bool:
    """The day is within the window's bounds (an open bound: yes; an undated row: only without bounds)."""
    if start is None and end is None:
        return True
    return day is not None and (start is None or day >= start) and (end is None or day <= end)


def _and(a: pc.Expression | None, b: pc.Expression | None) -> pc.Expression | None:
    return b if a is None else a if b is None else a & b


@_TRADES
def insider_trades(g: Graph, **bound: Any) -> list[list[Any]]:
    """Every transaction of the matching reporting persons and issuers, in the window and codes asked."""
    start = bound["since"] if bound["use_since"] else None
    end = bound["until"] if bound["use_until"] else None
    codes = bound["codes"]
    # The window and codes filter the read too; the loop checks them again, as the definition.
    where = _and(_window_filter(start, end), one_of("transaction_code", codes.strip(",").split(",")) if codes else None)
    found = []
    for owner, t, company, f in _rows(g, _keys("person", bound), _keys("issuer", bound), where):
        code = t["transaction_code"]
        if not _in(t["transaction_date"], start, end) or (codes and f",{code}," not in codes):
            continue
        found.append((owner, t, company, f))
    names = _names(g, {x for owner, _, company, _ in found for x in (owner, company)})
    out = []
    for owner, t, company, f in found:
        code = t["transaction_code"]
        shares, price = _float(t["shares"]), _float(t["price_per_share"])
        cents = _cents(shares, price)
        key = (t["transaction_date"] or date(1900, 1, 1), owner, t["filing_id"], t["table"] != "non_derivative",
               t["seq"])
        out.append((key, [
            t["transaction_date"], *names[owner], *names[company],
            t["security_title"], code, TRANSACTION_CODES.get(code or ""), t["acquired_disposed"], shares, price,
            None if cents is None else cents / 100, _float(t["shares_owned_following"]), t["direct_indirect"],
            f["aff10b5one"], f["accession"],
        ]))
    out.sort(key=lambda r: r[0])
    return [r[1] for r in out]


def _window(g: Graph, bound: dict[str, Any]) -> tuple[date | None, date | None]:
    """The window's first and last day: the last ``days`` of the store, or the dates given."""
    if bound["days"] > 0:
        t = g.select("nodes", "Transaction", _CURRENT & pc.field("transaction_date").is_valid(),
                     ("transaction_date", "superseded"))
        dates = [d for d, s in zip(t["transaction_date"], t["superseded"]) if d is not None and s is not True]
        if not dates:
            return None, None
        latest = max(dates)
        return latest - timedelta(days=bound["days"] - 1), latest
    return (bound["since"] if bound["use_since"] else None), (bound["until"] if bound["use_until"] else None)


def _open_market(g: Graph, issuer: _Keys, start: date | None,
                 end: date | None) -> Iterator[tuple[str, dict[str, Any], str, dict[str, Any]]]:
    """The P and S rows of Table I in the window, of every owner at the matching issuers."""
    where = _and((pc.field("table") == "non_derivative") & one_of("transaction_code", ("P", "S")),
                 _window_filter(start, end))
    for owner, t, company, f in _rows(g, _Keys(True, "", "", ""), issuer, where):
        if (t["table"] == "non_derivative" and t["transaction_code"] in ("P", "S")
                and _in(t["transaction_date"], start, end)):
            yield owner, t, company, f


@_TRADES
def insider_summary(g: Graph, **bound: Any) -> list[list[Any]]:
    """Open-market buys and sells per reporting person and issuer in the window."""
    start, end = _window(g, bound)
    persons = _chosen(g, _keys("person", bound), True)
    buyers: dict[str, set[str]] = {}
    # Per (issuer, owner): counts, shares, cents and priced shares of buys [0] and sells [1], shares sold in a plan.
    sums: dict[tuple[str, str], list[Any]] = {}
    for owner, t, company, f in _open_market(g, _keys("issuer", bound), start, end):
        if t["transaction_code"] == "P":
            buyers.setdefault(company, set()).add(owner)  # whoever --person names
        if persons is not None and owner not in persons:
            continue
        s = sums.setdefault((company, owner), [[0, 0.0, 0.0, 0.0], [0, 0.0, 0.0, 0.0], 0.0])
        side = s[0] if t["transaction_code"] == "P" else s[1]
        shares = _float(t["shares"])
        cents = _cents(shares, _float(t["price_per_share"]))
        side[0] += 1
        side[1] += shares or 0.0
        if cents is not None:
            side[2] += cents
            side[3] += shares or 0.0
        if t["transaction_code"] == "S" and f["aff10b5one"] is True:
            s[2] += shares or 0.0
    names = _names(g, {x for pair in sums for x in pair})
    out = []
    for (company, owner), (buy, sell, in_plan) in sorted(sums.items()):
        out.append([
            *names[owner], *names[company], start, end,
            buy[0], sell[0], buy[1], sell[1], buy[2] / 100, sell[2] / 100, buy[1] - sell[1], (buy[2] - sell[2]) / 100,
            buy[2] / 100 / buy[3] if buy[3] > 0 else None, sell[2] / 100 / sell[3] if sell[3] > 0 else None,
            len(buyers.get(company, ())), in_plan / sell[1] if sell[1] > 0 else None,
        ])
    return out


__all__ = ["insider_summary", "insider_trades"]
