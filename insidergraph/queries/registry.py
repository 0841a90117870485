"""The named queries: one registry of names, parameters and output columns.

Each named query has three implementations that must give the same rows in the same
order: ``NAME.cypher`` (the embedded ``ladybug`` dialect; ``neo4j/NAME.cypher`` where
Neo4j's Cypher differs), ``NAME.rq`` (SPARQL over the RDF export) and a networkx/pandas
function in :mod:`insidergraph.queries.nx_queries`. The CLI's choices and options come
from :data:`QUERIES`; this module imports nothing heavy, so ``--help`` stays fast.

Parameters are always bound by the engine, never pasted into query text. :meth:`NamedQuery.bind`
turns user values into the engine-neutral bound values the query files use: no value is
ever null (ladybug cannot type a null parameter), so an absent date becomes a flag
(``use_as_of``) beside a placeholder date, an absent string becomes ``""``, and an
optional person or issuer not given becomes ``any_person``/``any_issuer`` (match every one).

Time spans: a role edge holds from ``coalesce(first_period, first_filed)`` to
``coalesce(last_period, last_filed)`` (the first and last period of report of the filings
that state it). ``--as-of D`` keeps the seats whose span contains D (both ends inclusive;
a seat without dates never matches). ``--overlapping`` keeps, for each person, only the
director seats whose span intersects the span of another of that person's seats (on a
different issuer; both spans inclusive), after the ``--as-of`` filter. For ``interlocks``
it is stricter: a director links issuers A and B only when the seats at A and at B
intersect. For ``shared-directors`` with ``--min-boards`` above 2, a person counts every
seat that overlaps some other seat, which need not all be held on one day.

>>> sorted(QUERIES)[:3]
['attorney-network', 'co-owners', 'connection']
>>> QUERIES["shared-directors"].bind({"min_boards": 3})["use_as_of"]
False
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any, Literal

from insidergraph.errors import QueryError
from insidergraph.queries.trade_codes import CODE_TABLE, codes_key, one_window

ParamType = Literal["int", "date", "bool", "str"]
_DIGITS = re.compile(r"^\d{1,10}$")
#: Placeholder bound for an absent date (its ``use_*`` flag is false); never compared.
NO_DATE = date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a named query: its option name, type, default and help.

    ``entity`` declares an option that names a person or company: the node labels its value
    may name (``("Person",)``). Such a value is a CIK, a ticker, a node id or a name, which
    :func:`insidergraph.queries.resolve.resolve_entities` turns into one node id before the
    query runs. A parameter called ``person``, ``issuer``, ``source`` or ``target`` is one
    even undeclared (:data:`ENTITY_NAMES`), so that a new query's ``--person`` resolves too.

    >>> Param("person", "str").labels, Param("min_boards", "int").labels
    (('Person',), ())
    """

    name: str
    type: ParamType
    default: Any = None
    help: str = ""
    required: bool = False
    entity: tuple[str, ...] = ()

    @property
    def option(self) -> str:
        """The CLI option: ``min_boards`` is ``--min-boards``."""
        return "--" + self.name.replace("_", "-")

    @property
    def labels(self) -> tuple[str, ...]:
        """The node labels an entity option may name (none: not an entity option)."""
        return self.entity or ENTITY_NAMES.get(self.name, ())


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A named query: what it answers, its parameters and its output columns.

    ``list_columns`` are columns whose cells are lists; each tuple is a group of lists
    that run in parallel (``issuer_ciks`` and ``issuer_names``), sorted together by the
    first, so that every engine's lists compare equal whatever order it collected them in.
    """

    name: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    list_columns: tuple[tuple[str, ...], ...] = ()
    float_columns: tuple[str, ...] = ()
    date_columns: tuple[str, ...] = ()
    #: Columns of whole numbers (counts): ``Int64`` in the Python API's frames, even when empty.
    int_columns: tuple[str, ...] = ()
    #: Columns of flags: ``boolean`` in the Python API's frames.
    bool_columns: tuple[str, ...] = ()
    details: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: ``(column, digits)``: amounts every engine adds in its own order (doubles, or exact
    #: decimals in SPARQL), rounded alike so that the last bits of a sum do not tell them apart.
    rounded: tuple[tuple[str, int], ...] = ()

    def param(self, name: str) -> Param:
        """The parameter called ``name``."""
        return next(p for p in self.params if p.name == name)

    def twin(self) -> Callable[..., list[list[Any]]]:
        """The query as a function over the tables in memory (the networkx engine's), from
        :mod:`insidergraph.queries.nx_queries` (the trades' in :mod:`~insidergraph.queries.nx_trades`),
        as :meth:`text` gives the other engines theirs.

        >>> QUERIES["shared-directors"].twin().__name__, QUERIES["insider-trades"].twin().__module__
        ('shared_directors', 'insidergraph.queries.nx_trades')
        """
        from insidergraph.queries import nx_queries, nx_trades

        name = self.name.replace("-", "_")
        return getattr(nx_trades if hasattr(nx_trades, name) else nx_queries, name)  # type: ignore[no-any-return]

    def text(self, dialect: str, bound: dict[str, Any] | None = None, part: str = "") -> str:
        """The query text: ``cypher`` (ladybug), ``neo4j`` (falls back to ``cypher``) or ``sparql``.

        ``part`` names a helper query of a SPARQL one (``connection-node.rq`` is the ``node``
        part of ``connection``), so that an engine reads every text through its query.

        Given the ``bound`` values, a Cypher query without its date options (``use_as_of``
        and ``overlapping`` both false) is read from ``NAME.undated.cypher`` where there is
        one: the same query without the span predicates. ladybug evaluates a predicate such
        as ``NOT $use_as_of OR (...)`` on every seat even when the option is off, which made
        shared-directors 5x and interlocks 1.3x slower at 1,000,000 filings.
        ``tests/test_queries.py`` checks that both texts give the same rows.

        >>> q = QUERIES["shared-directors"]
        >>> "$as_of" in q.text("cypher"), "$as_of" in q.text("cypher", q.bind({}))
        (True, False)
        """
        pkg = resources.files("insidergraph.queries")
        if dialect == "sparql":
            return pkg.joinpath(f"{self.name}{'-' + part if part else ''}.rq").read_text("utf-8")
        if bound is not None and not bound.get("use_as_of") and not bound.get("overlapping"):
            undated = pkg.joinpath(f"{self.name}.undated.cypher")
            if undated.is_file():
                return undated.read_text("utf-8")
        if dialect == "neo4j":
            own = pkg.joinpath("neo4j", f"{self.name}.cypher")
            if own.is_file():
                return own.read_text("utf-8")
        return pkg.joinpath(f"{self.name}.cypher").read_text("utf-8")

    def values(self, given: dict[str, Any]) -> dict[str, Any]:
        """User values checked and typed, defaults filled in (``None`` for an absent optional)."""
        unknown = set(given) - {p.name for p in self.params}
        if unknown:
            raise QueryError(f"{self.name}: unknown parameter(s) {', '.join(sorted(unknown))}")
        out: dict[str, Any] = {}
        for p in self.params:
            raw = given.get(p.name)
            if raw is None:
                if p.required:
                    raise QueryError(f"{self.name}: {p.option} is required")
                out[p.name] = p.default
                continue
            out[p.name] = coerce(p, raw)
        return out

    def bind(self, given: dict[str, Any]) -> dict[str, Any]:
        """The bound values every engine's query text uses (never null).

        >>> b = QUERIES["insider-roles"].bind({"person": "1494730"})
        >>> b["person_by_cik"], b["person_by_text"]
        ('0001494730', '')
        """
        v = self.values(given)
        check = self.extra.get("check")
        if check is not None:
            check(self, v)
        bound: dict[str, Any] = {}
        for p in self.params:
            value = v[p.name]
            if p.type == "date":
                bound[f"use_{p.name}"] = value is not None
                bound[p.name] = value if value is not None else NO_DATE
            elif p.type == "int":
                bound[p.name] = int(value) if value is not None else 0
            elif p.type == "bool":
                bound[p.name] = bool(value)
            elif p.labels:
                keys: dict[str, Any] = _entity_keys(p.name, "" if value is None else str(value), p.labels)
                if not p.required:  # an optional entity not given matches every one
                    keys[f"any_{p.name}"] = value is None
                bound.update(keys)
            elif p.name == "codes":
                bound["codes"] = codes_key(value or "")
                bound["code_table"] = CODE_TABLE
            else:
                bound[p.name] = "" if value is None else str(value)
        return bound


def coerce(p: Param, raw: Any) -> Any:
    """One user value as the parameter's type, or a :class:`QueryError` naming the option."""
    try:
        if p.type == "int":
            return int(raw)
        if p.type == "date":
            return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        if p.type == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        return str(raw)
    except (TypeError, ValueError):
        raise QueryError(f"{p.option}: {raw!r} is not a valid {p.type}") from None


#: The entity options known by name (see :class:`Param`): the labels each may name.
ENTITY_NAMES: dict[str, tuple[str, ...]] = {
    "person": ("Person",), "issuer": ("Company",), "source": ("Person", "Company"), "target": ("Person", "Company"),
}


def _entity_keys(name: str, value: str, labels: tuple[str, ...]) -> dict[str, str]:
    """The bound values of an entity option: ``NAME_by_cik``, ``NAME_by_id`` and ``NAME_by_text``.

    :func:`~insidergraph.queries.run` binds the node id the value resolved to (so only
    ``NAME_by_id`` matches anything); an engine handed a value unresolved (a server with no
    store beside it) matches the CIK, the node id, or else a part of a person's name or an
    issuer's ticker, as the query files say. An absent value matches nothing.
    """
    value = value.strip()
    cik = value.zfill(10) if _DIGITS.match(value) else ""
    text = ""
    if not cik and "/" not in value:
        # A reporting person may be a company (insider-trades), yet is matched by name.
        by_name, by_ticker = name == "person" or labels == ("Person",), name == "issuer" or labels == ("Company",)
        text = value.lower() if by_name else value.upper() if by_ticker else ""
    return {f"{name}_by_cik": cik, f"{name}_by_id": value, f"{name}_by_text": text}


def entity_help(labels: tuple[str, ...], what: str) -> str:
    """The help of an entity option naming ``what``.

    >>> entity_help(("Company",), "the issuer")
    'CIK, ticker, node id or name of the issuer (part of a name will do when it names one).'
    """
    ticker = " ticker," if "Company" in labels else ""
    return f"CIK,{ticker} node id or name of {what} (part of a name will do when it names one)."


_EITHER = ("Person", "Company")
_AS_OF = Param(
    "as_of", "date", None,
    "Only director seats whose span (first to last period of report of the filings stating the seat, "
    "filing dates without one) contains this date (YYYY-MM-DD).",
)
_OVERLAPPING_SEATS = Param(
    "overlapping", "bool", False,
    "Only seats held at the same time: a seat counts when its span intersects the span of another of the "
    "person's seats (inclusive; undated seats never do).",
)
_OVERLAPPING_PAIRS = Param(
    "overlapping", "bool", False,
    "Only seats held at the same time: a director links two issuers only when the seats at both intersect "
    "in time (inclusive; undated seats never do).",
)
_OWNER = Param("person", "str", None, entity_help(("Person", "Company"), "the reporting person (a person or an "
                                                  "entity owner)") + " Default: every one.",
               entity=("Person", "Company"))
_ISSUER = Param("issuer", "str", None, entity_help(("Company",), "the issuer") + " Default: every one.")
_SINCE = Param("since", "date", None, "Only transactions on or after this date (YYYY-MM-DD).")
_UNTIL = Param("until", "date", None, "Only transactions on or before this date (YYYY-MM-DD).")
_TRADE_ROWS = (
    "Transactions: Transaction rows (Tables I and II) whose filing no amendment superseded, one row per "
    "reporting owner of the filing (joint filers each get the row)."
)
_TRADES = NamedQuery(
    "insider-trades",
    "Every transaction of a reporting person and/or issuer: date, code in words, shares, price, value, "
    "holding after, 10b5-1 flag and accession.",
    (_OWNER, _ISSUER, _SINCE, _UNTIL,
     Param("codes", "str", None, "Only these transaction codes, comma-separated (P,S: open-market purchases "
           "and sales; the README lists every code).")),
    (
        "transaction_date", "person_cik", "person_name", "issuer_cik", "issuer_name", "security", "code",
        "code_description", "acquired_disposed", "shares", "price", "value", "shares_owned_following",
        "direct_indirect", "aff10b5one", "accession",
    ),
    float_columns=("shares", "price", "value", "shares_owned_following"),
    date_columns=("transaction_date",),
    bool_columns=("aff10b5one",),
    rounded=(("value", 2),),
    details=(
        _TRADE_ROWS + " code_description: the code's meaning in the form's instructions "
        "(insidergraph.model.TRANSACTION_CODES). value: shares times price (as doubles), rounded half up to the "
        "cent (none without both). "
        "aff10b5one: the filing's Rule 10b5-1 box (filings before April 2023 have none). Rows by transaction "
        "date (undated first), reporting person id, filing id, Table I before Table II, row number."
    ),
)
_SUMMARY = NamedQuery(
    "insider-summary",
    "Open-market buying and selling (codes P and S) per reporting person and issuer over a window: shares, "
    "value, net, average prices, insiders buying, 10b5-1 share of sales.",
    (_OWNER, _ISSUER,
     Param("days", "int", None, "The last N days of the store: from its latest transaction date minus N-1 days "
           "to that date (not with --since/--until)."),
     _SINCE, _UNTIL),
    (
        "person_cik", "person_name", "issuer_cik", "issuer_name", "window_start", "window_end", "buy_count",
        "sell_count", "shares_bought", "shares_sold", "value_bought", "value_sold", "net_shares", "net_value",
        "avg_buy_price", "avg_sell_price", "insiders_buying", "sales_10b5_1_share",
    ),
    float_columns=("shares_bought", "shares_sold", "value_bought", "value_sold", "net_shares", "net_value",
                   "avg_buy_price", "avg_sell_price", "sales_10b5_1_share"),
    date_columns=("window_start", "window_end"),
    int_columns=("buy_count", "sell_count", "insiders_buying"),
    rounded=(("shares_bought", 6), ("shares_sold", 6), ("net_shares", 6), ("value_bought", 2), ("value_sold", 2),
             ("net_value", 2), ("avg_buy_price", 4),
             ("avg_sell_price", 4), ("sales_10b5_1_share", 4)),
    extra={"check": one_window},
    details=(
        _TRADE_ROWS + " Only Table I rows coded P (buys) or S (sells) dated in the window count; a person and "
        "issuer with none have no row. The window: --days N (the N days up to the latest transaction date of "
        "the store), or --since/--until (either may be open); window_start and window_end echo it. Shares "
        "absent count 0; value: the sum of the rows' values (as insider-trades gives them, in cents, so "
        "every engine adds the same integers); avg_buy_price: value bought over "
        "the shares of the priced buys (likewise for sells). net: bought minus sold. insiders_buying: the "
        "reporting persons with a buy of the issuer in the window, whoever --person names (cluster buying). "
        "sales_10b5_1_share: the part of the shares sold in filings that tick the 10b5-1 box. Rows by "
        "issuer id, then reporting person id."
    ),
)

QUERIES: dict[str, NamedQuery] = {
    q.name: q
    for q in (
        NamedQuery(
            "shared-directors",
            "Persons who were directors of at least --min-boards distinct issuers.",
            (Param("min_boards", "int", 2, "Least number of distinct issuers."), _AS_OF, _OVERLAPPING_SEATS),
            ("person_cik", "person_name", "issuer_count", "issuer_ciks", "issuer_names"),
            list_columns=(("issuer_ciks", "issuer_names"),),
            int_columns=("issuer_count",),
            details="Rows by issuer_count descending, then person id.",
        ),
        NamedQuery(
            "interlocks",
            "Pairs of issuers that share at least --min-shared directors.",
            (
                Param("min_shared", "int", 1, "Least number of shared directors."),
                _AS_OF,
                _OVERLAPPING_PAIRS,
                Param("max_boards", "int", 0, "Leave out persons on more than K boards (0: no limit)."),
            ),
            (
                "issuer_a_cik", "issuer_a_name", "issuer_b_cik", "issuer_b_name", "shared_count",
                "shared_directors",
            ),
            list_columns=(("shared_directors",),),
            int_columns=("shared_count",),
            details="Issuer A has the smaller node id. Rows by shared_count descending, then A and B.",
        ),
        NamedQuery(
            "insider-roles",
            "Every role of a person (CIK, node id or name): issuer, title and span.",
            (Param("person", "str", None, entity_help(("Person",), "the person"), required=True,
                   entity=("Person",)),),
            (
                "person_cik", "person_name", "role", "title", "issuer_cik", "issuer_name", "span_start",
                "span_end", "filing_count",
            ),
            date_columns=("span_start", "span_end"),
            int_columns=("filing_count",),
            details="Rows by person id, span start (undated first), issuer id, role, title.",
        ),
        NamedQuery(
            "issuer-insiders",
            "Every insider of an issuer (CIK, ticker, node id or name), their roles, and latest holding per "
            "security and ownership form.",
            (Param("issuer", "str", None, entity_help(("Company",), "the issuer"), required=True,
                   entity=("Company",)),),
            (
                "insider_cik", "insider_name", "roles", "security", "shares_owned", "direct_indirect",
                "nature_of_ownership", "as_of",
            ),
            list_columns=(("roles",),),
            float_columns=("shares_owned",),
            date_columns=("as_of",),
            details=(
                "The latest holding of a security, per ownership form (direct, or indirect of each nature "
                "of ownership, as filed), is the shares owned following the last row (highest sequence) "
                "that reports that security in that form in the insider's latest filing reporting it so (by "
                "period of report, then filing id); superseded holdings are skipped. An insider with no "
                "such row has one row with an empty security. Rows by insider id, security id, form "
                "(D before I), then nature."
            ),
        ),
        NamedQuery(
            "attorney-network",
            "Attorneys-in-fact ranked by how many insiders and issuers they signed for, beside the powers of "
            "attorney granted to them.",
            (Param("min_insiders", "int", 1, "Least number of insiders signed for (0: also attorneys who hold "
                   "a power but signed for no one)."),),
            (
                "attorney_name", "insider_count", "issuer_count", "filing_count", "insider_names",
                "issuer_names", "power_count", "grantor_count", "grantor_names", "insiders_without_power",
            ),
            list_columns=(("insider_names",), ("issuer_names",), ("grantor_names",)),
            int_columns=("insider_count", "issuer_count", "filing_count", "power_count", "grantor_count",
                         "insiders_without_power"),
            details=(
                "Attorneys: persons who signed for an owner (ATTORNEY_IN_FACT_FOR) or were granted a power of "
                "attorney (GRANTED_POWER_OF_ATTORNEY). Insiders: the owners the attorney signed for. Issuers "
                "and filings: those of the filings the attorney signed as attorney-in-fact. power_count: the "
                "powers naming the attorney (EX-24 exhibits, in submissions or standalone); grantor_count and "
                "grantor_names: who granted them; insiders_without_power: insiders signed for who granted the "
                "attorney no power on file (whatever its date or issuer; see unauthorized-signatures). Rows by "
                "insider_count, issuer_count (both descending), then attorney id."
            ),
        ),
        NamedQuery(
            "unauthorized-signatures",
            "Attorney-in-fact signatures that no power of attorney in the store authorizes (the compliance "
            "question).",
            (),
            (
                "attorney_name", "owner_cik", "owner_name", "issuer_cik", "issuer_name", "accession",
                "signature_date", "powers_on_file",
            ),
            date_columns=("signature_date",),
            int_columns=("powers_on_file",),
            details=(
                "A signature: an attorney's attorney-in-fact signatures on a filing (SIGNED, dated by the "
                "earliest), for each owner it was made for (ATTORNEY_IN_FACT_FOR naming the filing); when it "
                "names no owner of the filing, one row with an empty owner, checked against every reporting "
                "owner. It is authorized when a power of attorney (GRANTED_POWER_OF_ATTORNEY) from that owner "
                "to the signer (a) was signed on or before the signature (either undated: yes), (b) covers "
                "the filing's issuer (no companies stated, or one whose name matches the issuer's name or an "
                "alias: lower case, letters and digits only, corporation/incorporated/company/limited "
                "abbreviated) and (c) was not revoked: no power of the same grantor that revokes prior "
                "powers and covers the issuer was signed after it and on or before the signature. "
                "powers_on_file: the powers from the owner (or the filing's owners) to the signer whatever "
                "their date and issuer (0: none at all). Rows by attorney id, filing id, owner id."
            ),
        ),
        NamedQuery(
            "connection",
            "The shortest path between two persons or companies through role and attorney edges.",
            (
                Param("source", "str", None, entity_help(_EITHER, "the first person or company"), required=True,
                      entity=_EITHER),
                Param("target", "str", None, entity_help(_EITHER, "the second person or company"), required=True,
                      entity=_EITHER),
            ),
            ("hop", "from_name", "from_cik", "relationship", "direction", "to_name", "to_cik"),
            int_columns=("hop",),
            details=(
                "Edges: DIRECTOR_OF, OFFICER_OF, TEN_PERCENT_OWNER_OF, OTHER_RELATION_TO and "
                "ATTORNEY_IN_FACT_FOR, either way. Of all shortest paths, the one whose list of node ids "
                "is smallest. One row per edge between consecutive nodes (direction -> when the edge "
                "points from 'from' to 'to'); rows by hop, relationship, direction. No row: no path."
            ),
        ),
        NamedQuery(
            "co-owners",
            "Entity owners (companies, funds) that were 10% owners of at least --min-issuers issuers.",
            (Param("min_issuers", "int", 2, "Least number of distinct issuers."),),
            ("owner_cik", "owner_name", "issuer_count", "issuer_ciks", "issuer_names"),
            list_columns=(("issuer_ciks", "issuer_names"),),
            int_columns=("issuer_count",),
            details="Rows by issuer_count descending, then owner id.",
        ),
        _TRADES,
        _SUMMARY,
    )
}


def get(name: str) -> NamedQuery:
    """The named query, or a :class:`QueryError` listing the names."""
    try:
        return QUERIES[name]
    except KeyError:
        raise QueryError(f"no named query {name!r}; choose from {', '.join(sorted(QUERIES))}") from None


__all__ = ["ENTITY_NAMES", "NO_DATE", "QUERIES", "NamedQuery", "Param", "coerce", "entity_help", "get"]
