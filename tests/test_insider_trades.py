"""insider-trades and insider-summary against an independent reading of the raw XML (lxml),
on every engine; the transaction-code table against every code the corpus uses."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from lxml import etree

from insidergraph.backends import store_engines
from insidergraph.cli import cli
from insidergraph.errors import QueryError
from insidergraph.graph.store import Store
from insidergraph.graph.store_build import build_store
from insidergraph.model import TRANSACTION_CODES
from insidergraph.queries import run

ENGINES = ("cypher", "sparql", "networkx")
LEVCHIN, YELP, TESLA = "0001539853", "0001345016", "0001318605"
BERKSHIRE, BUFFETT, SNOWFLAKE = "0001067983", "0000315090", "0001640147"
_ACCESSION = re.compile(r"^(\d{10}-\d{2}-\d{6})__")


@dataclass(frozen=True)
class Trade:
    """One transaction row of one reporting owner, as the XML states it."""

    key: str  # the filing: its accession, else its file
    issuer: str
    owner: str
    table: int  # 0: Table I, 1: Table II
    seq: int
    day: str | None
    security: str | None
    code: str | None
    acquired_disposed: str | None
    shares: Decimal | None
    price: Decimal | None
    after: Decimal | None
    direct_indirect: str | None
    plan: bool | None
    accession: str | None


def _text(el: Any, path: str) -> str | None:
    found = el.find(path)
    if found is None or found.text is None or not found.text.strip():
        return None
    return str(found.text).strip()


def _number(el: Any, path: str) -> Decimal | None:
    text = _text(el, path)
    try:
        return None if text is None else Decimal(text)
    except InvalidOperation:
        return None


def _flag(text: str | None) -> bool | None:
    return None if text is None else text.lower() in ("1", "true")


def _filing(path: Path) -> tuple[dict[str, Any], list[Trade]]:
    """The filing's header facts and its transactions, one per reporting owner."""
    root = etree.parse(str(path)).getroot()
    m = _ACCESSION.match(path.name)
    accession = m.group(1) if m else None
    issuer = (_text(root, "issuer/issuerCik") or "").zfill(10)
    owners = sorted((_text(o, "reportingOwnerId/rptOwnerCik") or "").zfill(10)
                    for o in root.findall("reportingOwner"))
    head = {"key": accession or path.name, "issuer": issuer, "owners": tuple(owners),
            "type": _text(root, "documentType"), "period": _text(root, "periodOfReport")}
    plan = _flag(_text(root, "aff10b5One"))
    trades = []
    tables = ((0, "nonDerivativeTable/nonDerivativeTransaction"), (1, "derivativeTable/derivativeTransaction"))
    for table, tag in tables:
        for seq, row in enumerate(root.findall(tag), 1):
            day = _text(row, "transactionDate/value")
            for owner in owners:
                trades.append(Trade(
                    head["key"], issuer, owner, table, seq, day[:10] if day else None,
                    _text(row, "securityTitle/value"), _text(row, "transactionCoding/transactionCode"),
                    _text(row, "transactionAmounts/transactionAcquiredDisposedCode/value"),
                    _number(row, "transactionAmounts/transactionShares/value"),
                    _number(row, "transactionAmounts/transactionPricePerShare/value"),
                    _number(row, "postTransactionAmounts/sharesOwnedFollowingTransaction/value"),
                    _text(row, "ownershipNature/directOrIndirectOwnership/value"), plan, accession,
                ))
    return head, trades


@pytest.fixture(scope="module")
def xml_trades(corpus: Path) -> list[Trade]:
    """Every transaction of the XML corpus, less those of filings an amendment with rows replaced
    (the original: same issuer, base form, owners and period of report, the only one that fits)."""
    heads: dict[str, dict[str, Any]] = {}
    rows: dict[str, list[Trade]] = {}
    for path in sorted((corpus / "xml").glob("*.xml")):
        head, trades = _filing(path)
        if head["key"] not in heads:  # one filing, one copy
            heads[head["key"]], rows[head["key"]] = head, trades
    replaced = set()
    for key, head in heads.items():
        if head["type"].endswith("/A") and rows[key]:
            fits = [k for k, h in heads.items() if (h["issuer"], h["type"], h["owners"], h["period"])
                    == (head["issuer"], head["type"][:-2], head["owners"], head["period"])]
            if len(fits) == 1:
                replaced.add(fits[0])
    assert len(replaced) == 1  # the corpus has one amendment with rows (Jane Fraser's 4/A at Citigroup)
    return [t for key, trades in rows.items() if key not in replaced for t in trades]


@pytest.fixture(scope="module")
def store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("trades-store") / "store"
    build_store([str(corpus / "xml")], path, engines=store_engines())
    return Store(path)


def _answer(store: Store, name: str, **params: Any) -> pd.DataFrame:
    """The rows of every engine, checked identical; cypher's returned."""
    answers = {e: run(name, store, engine=e, **params) for e in ENGINES}
    for engine in ENGINES[1:]:
        assert answers[engine].to_dict("records") == answers["cypher"].to_dict("records"), engine
    return answers["cypher"]


def _cents(shares: Decimal | None, price: Decimal | None) -> Decimal | None:
    if shares is None or price is None:
        return None
    return (shares * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _fl(d: Decimal | None) -> float | None:
    return None if d is None else float(d)


def _expected_row(t: Trade) -> dict[str, Any]:
    fl = _fl
    value = _cents(t.shares, t.price)
    return {"transaction_date": t.day, "person_cik": t.owner, "issuer_cik": t.issuer, "security": t.security,
            "code": t.code, "code_description": TRANSACTION_CODES[t.code or ""],
            "acquired_disposed": t.acquired_disposed,
            "shares": fl(t.shares), "price": fl(t.price), "value": fl(value), "shares_owned_following": fl(t.after),
            "direct_indirect": t.direct_indirect, "aff10b5one": t.plan, "accession": t.accession}


def _compare_trades(got: pd.DataFrame, expected: list[Trade]) -> None:
    """The rows equal the XML's, in the query's order (date, owner, filing, table, row)."""
    assert len(got) == len(expected) > 0
    want = [_expected_row(t) for t in expected]
    # Rows of one owner on one day come filing by filing; the graph orders filings by id (the accession).
    want_sorted = sorted(want, key=lambda r: (r["transaction_date"] or "", r["person_cik"]))
    rows = got.drop(columns=["person_name", "issuer_name"]).to_dict("records")
    assert [(r["transaction_date"], r["person_cik"]) for r in rows] == \
        [(r["transaction_date"], r["person_cik"]) for r in want_sorted]

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["transaction_date"] or "", r["person_cik"], r["accession"] or "", r["security"] or "",
                r["code"] or "", r["shares"] or 0.0, r["shares_owned_following"] or 0.0)

    for g, w in zip(sorted(rows, key=key), sorted(want, key=key)):
        # The engines multiply doubles: on a product that ends in exactly half a cent they may round the
        # other way than the exact decimals do.
        assert g.pop("value") == pytest.approx(w.pop("value"), abs=0.0100001), g
        assert g == w


def test_levchin_at_yelp_is_every_transaction_his_filings_state(store: Store, xml_trades: list[Trade]) -> None:
    expected = [t for t in xml_trades if t.owner == LEVCHIN and t.issuer == YELP]
    got = _answer(store, "insider-trades", person="levchin", issuer="YELP")
    _compare_trades(got, expected)
    assert set(got["code"]) == {"C", "S"} and set(got["person_name"]) == {"Max R Levchin"}


def test_a_whole_issuer_is_every_transaction_of_its_filings(store: Store, xml_trades: list[Trade]) -> None:
    expected = [t for t in xml_trades if t.issuer == TESLA]
    got = _answer(store, "insider-trades", issuer="1318605")
    _compare_trades(got, expected)
    assert len({r for r in got["person_cik"]}) >= 3


def test_dates_and_codes_narrow_the_rows(store: Store, xml_trades: list[Trade]) -> None:
    expected = [t for t in xml_trades if t.issuer == TESLA and t.code in ("P", "S") and t.day
                and "2022-01-01" <= t.day <= "2022-12-31"]
    got = _answer(store, "insider-trades", issuer="TSLA", since="2022-01-01", until="2022-12-31", codes="s, P")
    _compare_trades(got, expected)


def test_the_berkshire_snowflake_position_is_a_holding_not_a_trade(store: Store, corpus: Path) -> None:
    head, trades = _filing(corpus / "xml" / "SNOW__F3__2020-09-18__BERKSHIRE-HATHAWAY-INC.xml")
    assert head["owners"] == (BUFFETT, BERKSHIRE) and trades == []
    for person in (BERKSHIRE, "berkshire", "buffett"):
        # An entity owner is a reporting person too: no error, and no row, as the Form 3 reports none.
        assert len(_answer(store, "insider-trades", person=person, issuer="SNOW")) == 0
        assert len(_answer(store, "insider-summary", person=person, issuer=SNOWFLAKE)) == 0
    held = run("issuer-insiders", store, issuer="SNOW")
    assert held.loc[held["insider_cik"] == BERKSHIRE, "shares_owned"].tolist() == [6125376.0]


def test_rows_an_amendment_replaced_are_left_out(store: Store, xml_trades: list[Trade], corpus: Path) -> None:
    original, first = _filing(corpus / "xml" / "C__F4__2025-10-22__Fraser-Jane-Nind.xml")
    amendment, second = _filing(corpus / "xml" / "C__F4A__2025-10-22__Fraser-Jane-Nind.xml")
    assert first and second and original["owners"] == amendment["owners"]
    got = _answer(store, "insider-trades", person=original["owners"][0], issuer=original["issuer"])
    _compare_trades(got, [t for t in xml_trades if t.owner == original["owners"][0] and t.issuer == original["issuer"]])
    assert len(got) == len(second)


def _expected_summary(trades: list[Trade], start: str | None, end: str | None) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (issuer, owner) the open-market sums of Table I, computed with exact decimals."""
    def inside(t: Trade) -> bool:
        return (start is None and end is None) or (t.day is not None and (start is None or t.day >= start)
                                                    and (end is None or t.day <= end))

    market = [t for t in trades if t.table == 0 and t.code in ("P", "S") and inside(t)]
    buyers: dict[str, set[str]] = defaultdict(set)
    for t in market:
        if t.code == "P":
            buyers[t.issuer].add(t.owner)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    zero = Decimal(0)
    for t in market:
        s = out.setdefault((t.issuer, t.owner), {"P": [0, zero, zero, zero], "S": [0, zero, zero, zero], "plan": zero})
        side = s[t.code or ""]
        side[0] += 1
        side[1] += t.shares or zero
        cents = _cents(t.shares, t.price)
        if cents is not None:
            side[2] += cents
            side[3] += t.shares or zero
        if t.code == "S" and t.plan:
            s["plan"] += t.shares or zero
    return {k: {"buy_count": s["P"][0], "sell_count": s["S"][0], "shares_bought": float(s["P"][1]),
                "shares_sold": float(s["S"][1]), "value_bought": float(s["P"][2]), "value_sold": float(s["S"][2]),
                "net_shares": float(s["P"][1] - s["S"][1]), "net_value": float(s["P"][2] - s["S"][2]),
                "avg_buy_price": float(s["P"][2] / s["P"][3]) if s["P"][3] else None,
                "avg_sell_price": float(s["S"][2] / s["S"][3]) if s["S"][3] else None,
                "insiders_buying": len(buyers[k[0]]),
                "sales_10b5_1_share": float(s["plan"] / s["S"][1]) if s["S"][1] else None}
            for k, s in out.items()}


def _compare_summary(got: pd.DataFrame, expected: dict[tuple[str, str], dict[str, Any]]) -> None:
    assert len(got) == len(expected) > 0
    assert list(got["issuer_cik"]) == sorted(got["issuer_cik"])  # issuer ids are company/CIK
    for row in got.to_dict("records"):
        want = expected[(row["issuer_cik"], row["person_cik"])]
        n = row["buy_count"] + row["sell_count"]
        for col, value in want.items():
            if col.startswith(("value", "net_value")):
                # A cent per row at most: see _compare_trades.
                assert row[col] == pytest.approx(value, abs=0.0100001 * n), (col, row)
            elif col.startswith("avg") and value is not None:
                assert row[col] == pytest.approx(value, abs=0.0001), (col, row)
            elif isinstance(value, float):
                assert row[col] == pytest.approx(value, rel=1e-12, abs=1e-4), (col, row)
            else:
                assert row[col] == value, (col, row)


def test_summary_of_a_year_of_one_issuer_is_the_xml_sums(store: Store, xml_trades: list[Trade]) -> None:
    expected = _expected_summary([t for t in xml_trades if t.issuer == TESLA], "2022-01-01", "2022-12-31")
    got = _answer(store, "insider-summary", issuer="TSLA", since="2022-01-01", until="2022-12-31")
    _compare_summary(got, expected)
    musk = got[got["person_name"] == "Elon Musk"].iloc[0]
    assert musk["sell_count"] > 100 and musk["value_sold"] > 1e10 and musk["buy_count"] == 0


def test_summary_of_the_whole_store_and_of_its_last_90_days(store: Store, xml_trades: list[Trade]) -> None:
    _compare_summary(_answer(store, "insider-summary"), _expected_summary(xml_trades, None, None))
    latest = max(t.day for t in xml_trades if t.day)
    start = (date.fromisoformat(latest) - timedelta(days=89)).isoformat()
    got = _answer(store, "insider-summary", days=90)
    _compare_summary(got, _expected_summary(xml_trades, start, latest))
    assert set(got["window_start"]) == {start} and set(got["window_end"]) == {latest}
    # Cluster buying: at least one issuer was bought by several insiders over the whole store.
    assert _answer(store, "insider-summary")["insiders_buying"].max() >= 2


def test_summary_of_levchin_at_yelp(store: Store, xml_trades: list[Trade]) -> None:
    expected = _expected_summary([t for t in xml_trades if t.issuer == YELP], None, None)
    got = _answer(store, "insider-summary", person=LEVCHIN, issuer=YELP)
    _compare_summary(got, {k: v for k, v in expected.items() if k[1] == LEVCHIN})
    assert got.iloc[0]["sell_count"] == 31 and got.iloc[0]["shares_sold"] == 1391356.0


def test_every_code_of_the_corpus_and_the_data_set_has_its_words(corpus: Path) -> None:
    assert sorted(TRANSACTION_CODES) == sorted("PSVADFIMCEHOXGLWZJKU")
    used: set[str] = set()
    for path in sorted((corpus / "xml").glob("*.xml")):
        used |= {str(c.text).strip() for c in etree.parse(str(path)).getroot().iter("transactionCode") if c.text}
    for name in ("DERIV_TRANS.tsv", "NONDERIV_TRANS.tsv"):
        table = corpus / "tsv" / "form345_2024q3_excerpt" / name
        if table.exists():  # the excerpt has no NONDERIV_TRANS
            with table.open(encoding="utf-8", newline="") as f:
                used |= {r["TRANS_CODE"].strip() for r in csv.DictReader(f, delimiter="\t") if r["TRANS_CODE"].strip()}
    assert {"P", "S", "A", "M", "C", "J"} <= used
    assert used <= set(TRANSACTION_CODES), used - set(TRANSACTION_CODES)
    assert all("|" not in w and "=" not in w for w in TRANSACTION_CODES.values())


@pytest.mark.parametrize("name, params, message", [
    ("insider-trades", {"codes": "P,Q"}, "--codes: 'Q' is not a transaction code"),
    ("insider-summary", {"days": 0}, "insider-summary: --days must be 1 or more, not 0"),
    ("insider-summary", {"days": 30, "until": "2024-01-01"}, "--days and --until are two windows; give one"),
    ("insider-trades", {"person": "nobody-at-all"}, "no person or company matches 'nobody-at-all'"),
])
def test_bad_options_are_query_errors(store: Store, name: str, params: dict[str, Any], message: str) -> None:
    with pytest.raises(QueryError, match=re.escape(message)):
        run(name, store, **params)


def test_cli_trades_as_csv_and_a_bad_window_as_one_line(store: Store) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["query", "insider-trades", "--store", str(store.path), "--person", "levchin",
                             "--issuer", "YELP", "--codes", "S", "--format", "csv"])
    assert ok.exit_code == 0, ok.output
    lines = ok.stdout.splitlines()
    assert lines[0].startswith("transaction_date,person_cik,person_name,issuer_cik,issuer_name,security,code,")
    assert len(lines) == 32 and all(",Open market or private sale of non-derivative or derivative security," in x
                                    for x in lines[1:])
    bad = runner.invoke(cli, ["query", "insider-summary", "--store", str(store.path), "--days", "90",
                              "--since", "2024-01-01"])
    assert bad.exit_code == 1
    assert bad.stderr == "Error: insider-summary: --days and --since are two windows; give one\n"
