"""What a person reads on a terminal (issue 15, item 3): the tables of ``query``, ``cypher``
and ``sparql`` rendered at a fixed width through click's runner, line for line, on real
corpus rows; CSV and JSON left exactly as they were; ``--limit``; the EDGAR links; and the
pager in a real terminal (tmux), opened only when the table is taller than the screen.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from lxml import etree

from insidergraph.backends import store_engines
from insidergraph.cli import cli
from insidergraph.graph.store import Store
from insidergraph.graph.store_build import build_store
from insidergraph.graph.words import ABBREVIATIONS, display_title
from insidergraph.queries import run, run_text
from insidergraph.queries.commands import csv_cell

#: Elon Musk's roles at 120 columns: roles in words, titles spelled out (``CEO`` and ``Chief
#: Executive Officer`` alike, ``Pres, Prod Architect & Chairmn`` in full), counts as integers
#: right-aligned, CIKs and dates never cut.
MUSK_AT_120 = """\
┏━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━┓
┃            ┃             ┃           ┃               ┃            ┃               ┃            ┃            ┃ filing ┃
┃ person CIK ┃ person name ┃ role      ┃ title         ┃ issuer CIK ┃ issuer name   ┃ from       ┃ until      ┃  count ┃
┡━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━┩
│ 0001494730 │ Elon Musk   │ director  │               │ 0001318605 │ Tesla, Inc.   │ 2009-12-04 │ 2025-09-12 │     77 │
│ 0001494730 │ Elon Musk   │ officer   │ Chief         │ 0001318605 │ Tesla, Inc.   │ 2009-12-04 │ 2025-09-12 │     74 │
│            │             │           │ Executive     │            │               │            │            │        │
│            │             │           │ Officer       │            │               │            │            │        │
│ 0001494730 │ Elon Musk   │ 10% owner │               │ 0001318605 │ Tesla, Inc.   │ 2009-12-04 │ 2025-09-12 │     76 │
│ 0001494730 │ Elon Musk   │ officer   │ President,    │ 0001318605 │ Tesla, Inc.   │ 2010-06-28 │ 2010-06-28 │      1 │
│            │             │           │ Product       │            │               │            │            │        │
│            │             │           │ Architect and │            │               │            │            │        │
│            │             │           │ Chairman      │            │               │            │            │        │
│ 0001494730 │ Elon Musk   │ officer   │ President,    │ 0001318605 │ Tesla, Inc.   │ 2010-07-02 │ 2010-07-02 │      1 │
│            │             │           │ Product       │            │               │            │            │        │
│            │             │           │ Architect and │            │               │            │            │        │
│            │             │           │ Director      │            │               │            │            │        │
│ 0001494730 │ Elon Musk   │ officer   │ Chief         │ 0001318605 │ Tesla, Inc.   │ 2011-06-08 │ 2011-06-08 │      1 │
│            │             │           │ Executive     │            │               │            │            │        │
│            │             │           │ Officer       │            │               │            │            │        │
│ 0001494730 │ Elon Musk   │ director  │               │ 0001408356 │ SOLARCITY     │ 2012-12-12 │ 2012-12-26 │      3 │
│            │             │           │               │            │ CORP          │            │            │        │
│ 0001494730 │ Elon Musk   │ 10% owner │               │ 0001408356 │ SOLARCITY     │ 2012-12-12 │ 2012-12-26 │      3 │
│            │             │           │               │            │ CORP          │            │            │        │
│ 0001494730 │ Elon Musk   │ director  │               │ 0001766363 │ Endeavor      │ 2021-04-29 │ 2022-06-13 │      3 │
│            │             │           │               │            │ Group         │            │            │        │
│            │             │           │               │            │ Holdings,     │            │            │        │
│            │             │           │               │            │ Inc.          │            │            │        │
└────────────┴─────────────┴───────────┴───────────────┴────────────┴───────────────┴────────────┴────────────┴────────┘
"""

#: The two first rows of shared-directors at 100 columns: list cells one item per line (no
#: ", " inside "MongoDB, Inc."), the rows ruled apart.
SHARED_DIRECTORS_AT_100 = """\
┏━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ person CIK ┃ person name  ┃ issuer count ┃ issuer CIKs ┃ issuer names            ┃
┡━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ 0001222287 │ Roelof Botha │            8 │ 0001315657  │ XOOM Corp               │
│            │              │              │ 0001441816  │ MongoDB, Inc.           │
│            │              │              │ 0001475115  │ Eventbrite, Inc.        │
│            │              │              │ 0001512673  │ Block, Inc.             │
│            │              │              │ 0001604821  │ Natera, Inc.            │
│            │              │              │ 0001804591  │ 23andMe Holding Co.     │
│            │              │              │ 0001810806  │ Unity Software Inc.     │
│            │              │              │ 0001861449  │ Bird Global, Inc.       │
├────────────┼──────────────┼──────────────┼─────────────┼─────────────────────────┤
│ 0001519339 │ Reid Hoffman │            6 │ 0000789019  │ MICROSOFT CORP          │
│            │              │              │ 0001271024  │ LINKEDIN CORP           │
│            │              │              │ 0001439404  │ ZYNGA INC               │
│            │              │              │ 0001819848  │ Joby Aviation, Inc.     │
│            │              │              │ 0001828105  │ Hippo Holdings Inc.     │
│            │              │              │ 0001828108  │ Aurora Innovation, Inc. │
└────────────┴──────────────┴──────────────┴─────────────┴─────────────────────────┘
"""

#: Peter Thiel's sale of 15,653,541 Palantir shares (accession 0000899243-21-007468).
PALANTIR = "0000899243-21-007468"
_TRADE = ("MATCH (t:Transaction)-[:REPORTED_IN]->(f:Filing)-[:ABOUT]->(c:Company) "
          "WHERE f.accession = $acc AND t.shares = 15653541 "
          "RETURN f.accession AS accession, c.cik AS issuer_cik, t.transaction_code AS code, "
          "t.shares AS shares, t.price_per_share AS price, t.shares * t.price_per_share AS value")
#: An OSC 8 hyperlink: ESC ] 8 ; params ; URL ESC \\ text ESC ] 8 ; ; ESC \\.
_LINK = re.compile(r"\x1b\]8;[^;]*;([^\x1b]*)\x1b\\([^\x1b]*)\x1b\]8;;\x1b\\")


@pytest.fixture(scope="session")
def store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The corpus XML built once into a store with every embedded engine."""
    path = tmp_path_factory.mktemp("tables-store") / "store"
    build_store([str(corpus / "xml")], path, engines=store_engines())
    return Store(path)


def _cli(store: Store, *args: str, columns: int = 100, env: dict[str, str | None] | None = None) -> Result:
    """The CLI at a fixed terminal width (rich reads ``COLUMNS``); stdout is no terminal."""
    environment: dict[str, str | None] = {"COLUMNS": str(columns), "LINES": "50", "FORCE_COLOR": None,
                                          "NO_COLOR": None, "TTY_COMPATIBLE": None, **(env or {})}
    result = CliRunner(env=environment).invoke(cli, [*args, "--store", str(store.path)])
    assert result.exit_code == 0, result.output
    return result


def test_insider_roles_of_musk_read_as_words(store: Store) -> None:
    result = _cli(store, "query", "insider-roles", "--person", "musk", "--format", "table", columns=120)
    assert result.stdout == MUSK_AT_120
    assert result.stderr == "9 rows\n"
    # The filed titles stay in the answer itself.
    filed = set(run("insider-roles", store, person="musk")["title"].dropna())
    assert {"CEO", "Chief Executive Officer", "Pres, Prod Architect & Chairmn"} <= filed


def test_shared_directors_list_cells_one_item_per_line(store: Store) -> None:
    result = _cli(store, "query", "shared-directors", "--limit", "2", "--format", "table")
    assert result.stdout == SHARED_DIRECTORS_AT_100
    assert result.stderr == "2 of 8 rows (--limit 2)\n"


def test_issuer_insiders_roles_in_words_once_each_the_filed_ones_in_json(store: Store) -> None:
    table = _cli(store, "query", "issuer-insiders", "--issuer", "TSLA", "--format", "table", columns=200).stdout
    musk = next(line for line in table.splitlines() if "Elon Musk" in line)
    assert "│ director" in musk and "5,099,901 │" in table
    block = table[table.index(musk):].split("├")[0]
    roles = [cell.split("│")[3].strip() for cell in block.splitlines()]
    assert [r for r in roles if r] == ["director", "officer: Chief Executive Officer",
                                       "officer: President, Product Architect and Chairman",
                                       "officer: President, Product Architect and Director", "10% owner"]
    records = json.loads(_cli(store, "query", "issuer-insiders", "--issuer", "TSLA", "--format", "json").stdout)
    filed = next(r["roles"] for r in records if r["insider_name"] == "Elon Musk")
    assert filed == ["DIRECTOR_OF", "OFFICER_OF: CEO", "OFFICER_OF: Chief Executive Officer",
                     "OFFICER_OF: Pres, Prod Architect & Chairmn", "OFFICER_OF: Pres,Prod Architect & Director",
                     "TEN_PERCENT_OWNER_OF"]


def _xml_trade(corpus: Path) -> tuple[str, str]:
    """The shares and price of Thiel's sale as the XML states them."""
    path = next((corpus / "xml").glob(f"{PALANTIR}__*.xml"))
    root = etree.parse(str(path)).getroot()
    for row in root.iter("nonDerivativeTransaction"):
        shares = row.findtext("transactionAmounts/transactionShares/value")
        if shares == "15653541":
            return shares, str(row.findtext("transactionAmounts/transactionPricePerShare/value"))
    raise AssertionError("the sale is not in the XML")


def test_money_has_two_decimals_on_a_terminal_and_stays_exact_in_csv_and_json(store: Store, corpus: Path) -> None:
    shares, price = _xml_trade(corpus)
    assert (shares, price) == ("15653541", "25.0578")
    args = ("cypher", _TRADE, "-p", f"acc={PALANTIR}")
    table = _cli(store, *args, "--format", "table").stdout.splitlines()
    assert table[1] == "┃ accession            ┃ issuer CIK ┃ code ┃     shares ┃ price ┃          value ┃"
    assert table[3] == "│ 0000899243-21-007468 │ 0001321655 │ S    │ 15,653,541 │ 25.06 │ 392,243,299.67 │"
    value = float(shares) * float(price)
    records = json.loads(_cli(store, *args, "--format", "json").stdout)
    assert records == [{"accession": PALANTIR, "issuer_cik": "0001321655", "code": "S", "shares": float(shares),
                        "price": float(price), "value": value}]
    csv = _raw(_cli(store, *args, "--format", "csv"))
    assert csv == ("accession,issuer_cik,code,shares,price,value\r\n"
                   f"{PALANTIR},0001321655,S,15653541.0,25.0578,{value!r}\r\n")


def _raw(result: Result) -> str:
    """stdout as written (``Result.stdout`` turns CRLF, which CSV rows end with, into LF)."""
    return result.stdout_bytes.decode()


def _expected_csv(df: pd.DataFrame) -> str:
    return str(df.map(csv_cell).to_csv(index=False, lineterminator="\r\n"))


@pytest.mark.parametrize(("args", "name", "params"), [
    (("query", "issuer-insiders", "--issuer", "TSLA"), "issuer-insiders", {"issuer": "TSLA"}),
    (("query", "shared-directors"), "shared-directors", {}),
])
def test_csv_and_json_keep_the_values_of_the_python_api(store: Store, args: tuple[str, ...], name: str,
                                                        params: dict[str, Any]) -> None:
    df = run(name, store, **params)
    assert _raw(_cli(store, *args, "--format", "csv")) == _expected_csv(df)
    records = json.loads(_cli(store, *args, "--format", "json").stdout)
    assert records == json.loads(json.dumps([dict(zip(df.columns, row)) for row in df.itertuples(index=False)]))
    # The limit is the first rows of the same answer, in every format.
    assert _raw(_cli(store, *args, "--format", "csv", "--limit", "3")) == _expected_csv(df.head(3))
    assert json.loads(_cli(store, *args, "--format", "json", "--limit", "3").stdout) == records[:3]


def test_limit_on_cypher_and_sparql_and_a_bad_limit(store: Store) -> None:
    text = "MATCH (p:Person) WHERE p.cik IS NOT NULL RETURN p.cik AS cik ORDER BY cik"
    everyone = run_text(text, store)
    out = _raw(_cli(store, "cypher", text, "--format", "csv", "--limit", "4"))
    assert out == _expected_csv(everyone.head(4))
    sparql = ("PREFIX ig: <https://w3id.org/insidergraph/ontology#> "
              "SELECT ?cik WHERE { ?p a ig:Person ; ig:cik ?cik } ORDER BY ?cik")
    assert json.loads(_cli(store, "sparql", sparql, "--format", "json", "--limit", "2").stdout) == [
        {"cik": c} for c in everyone["cik"].head(2)]
    table = _cli(store, "sparql", sparql, "--format", "table", "--limit", "0")
    assert table.stderr == f"0 of {len(everyone)} rows (--limit 0)\n"
    bad = CliRunner().invoke(cli, ["cypher", text, "--limit", "-1", "--store", str(store.path)])
    assert bad.exit_code == 2 and "Invalid value for '--limit'" in bad.stderr


def test_a_narrow_terminal_wraps_names_between_words_and_never_cuts_a_cik(store: Store) -> None:
    # Ten columns in 80: the headers fold, the cells' words and CIKs stay whole.
    table = _cli(store, "query", "attorney-network", "--limit", "1", "--format", "table", columns=80).stdout
    assert all(len(line) == 80 for line in table.splitlines())
    words = {w for line in table.splitlines() for cell in line.split("│") for w in cell.split()}
    row = run("attorney-network", store).iloc[0]
    assert {w for name in [row["attorney_name"], *row["insider_names"]] for w in name.split()} <= words
    interlocks = _cli(store, "query", "interlocks", "--format", "table", columns=80).stdout
    ciks = set(run("interlocks", store)[["issuer_a_cik", "issuer_b_cik"]].to_numpy().ravel())
    assert ciks <= {cell.strip() for line in interlocks.splitlines() for cell in line.split("│")}


def test_every_accession_links_to_its_edgar_filing_index(store: Store) -> None:
    # FORCE_COLOR makes rich treat the runner's output as a terminal: styles and links on.
    result = _cli(store, "query", "unauthorized-signatures", "--limit", "2", "--format", "table",
                  env={"FORCE_COLOR": "1", "TERM": "xterm-256color"})
    assert _LINK.findall(result.stdout) == [
        ("https://www.sec.gov/Archives/edgar/data/1318605/000089924321044060/0000899243-21-044060-index.htm",
         "0000899243-21-044060"),
        ("https://www.sec.gov/Archives/edgar/data/1318605/000089924321044077/0000899243-21-044077-index.htm",
         "0000899243-21-044077"),
    ]
    # Not a terminal: the accession as text, no escape at all.
    plain = _cli(store, "query", "unauthorized-signatures", "--limit", "2", "--format", "table").stdout
    assert "\x1b" not in plain and "0000899243-21-044060" in plain


def test_every_officer_title_of_the_corpus_is_spelled_out(store: Store) -> None:
    titles = run_text("MATCH ()-[r:OFFICER_OF]->() RETURN DISTINCT r.title AS t", store)["t"].dropna()
    assert len(titles) > 40
    for title in titles:
        shown = display_title(title)
        left = [w for w in re.findall(r"[A-Za-z]+", shown) if w.lower() in ABBREVIATIONS]
        assert not left, (title, shown)
        assert display_title(shown) == shown, title
    assert display_title("Chairman of the Board and CEO") == "Chairman of the Board and Chief Executive Officer"
    assert display_title("Senior VP, GC, CAO & Secretary") == (
        "Senior Vice President, General Counsel, Chief Accounting Officer and Secretary")


# -- the pager, in a real terminal --------------------------------------------------------
class Tmux:
    """One tmux server of its own (its socket in the test's directory), no user configuration,
    killed at the end."""

    def __init__(self, socket: Path) -> None:
        self.base = ["tmux", "-S", str(socket), "-f", "/dev/null"]

    def __call__(self, *args: str) -> str:
        done = subprocess.run([*self.base, *args], capture_output=True, text=True, timeout=30, check=False)
        assert done.returncode == 0, f"tmux {' '.join(args)}: {done.stderr}"
        return done.stdout

    def screen(self) -> list[str]:
        return self("capture-pane", "-p", "-t", "t").rstrip("\n").split("\n")

    def wait(self, what: str, ready: Callable[[list[str]], bool], seconds: float = 60) -> list[str]:
        """The screen once ``ready`` holds for it, polled until ``seconds`` have passed."""
        end = time.monotonic() + seconds
        while True:
            screen = self.screen()
            if ready(screen):
                return screen
            if time.monotonic() > end:
                raise AssertionError(f"waited {seconds}s for {what}; the screen:\n" + "\n".join(screen))
            time.sleep(0.2)

    def kill(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=30, check=False)


@pytest.fixture
def tmux(tmp_path: Path) -> Any:
    if shutil.which("tmux") is None or shutil.which("less") is None:
        message = "tmux and less are needed for the pager test (scripts/test installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    session = Tmux(tmp_path / "tmux.sock")
    yield session
    session.kill()


def _run_in_terminal(tmux: Tmux, store: Store, *args: str) -> None:
    """``insidergraph ARGS`` in a 100x24 terminal, with ``less`` as the pager; ``EXIT=<status>``
    is printed when it ends, and the terminal stays open after."""
    command = " ".join([
        "env", "-u", "COLUMNS", "-u", "LINES", "-u", "LESS", "-u", "FORCE_COLOR", "-u", "NO_COLOR",
        "PAGER=less", "TERM=screen", sys.executable, "-m", "insidergraph.cli", *args, "--store", str(store.path),
    ])
    tmux("new-session", "-d", "-s", "t", "-x", "100", "-y", "24", f"{command}; echo EXIT=$?; sleep 600")


def test_a_table_taller_than_the_terminal_opens_in_the_pager(tmux: Tmux, store: Store) -> None:
    _run_in_terminal(tmux, store, "query", "shared-directors")
    # less shows the first screenful and its prompt; the command has not ended.
    screen = tmux.wait("the pager", lambda s: len(s) == 24 and s[-1].startswith(":") and s[0].startswith("┏"))
    assert not any(line.startswith("EXIT=") for line in screen)
    # The first 23 lines of the very table the runner renders at the terminal's width.
    table = _cli(store, "query", "shared-directors", "--format", "table").stdout.splitlines()
    assert len(table) > 24
    assert screen[:23] == table[:23]
    assert "│ 0001222287 │ Roelof Botha " in screen[3]
    tmux("send-keys", "-t", "t", "q")
    after = tmux.wait("the command to end", lambda s: any(line.startswith("EXIT=") for line in s))
    assert "EXIT=0" in after and "8 rows" in after


def test_a_table_that_fits_is_printed_without_the_pager(tmux: Tmux, store: Store) -> None:
    _run_in_terminal(tmux, store, "query", "connection", "--source", "1539853", "--target", "1222287")
    screen = tmux.wait("the command to end", lambda s: any(line.startswith("EXIT=") for line in s))
    assert screen[: screen.index("EXIT=0") + 1] == [
        "┏━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━━┓",
        "┃ hop ┃ from name     ┃ from CIK   ┃ relationship ┃ direction ┃ to name      ┃ to CIK     ┃",
        "┡━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━━┩",
        "│   1 │ Max R Levchin │ 0001539853 │ director     │ ->        │ YELP INC     │ 0001345016 │",
        "│   1 │ Max R Levchin │ 0001539853 │ 10% owner    │ ->        │ YELP INC     │ 0001345016 │",
        "│   2 │ YELP INC      │ 0001345016 │ director     │ <-        │ Keith Rabois │ 0001539865 │",
        "│   3 │ Keith Rabois  │ 0001539865 │ director     │ ->        │ XOOM Corp    │ 0001315657 │",
        "│   4 │ XOOM Corp     │ 0001315657 │ director     │ <-        │ Roelof Botha │ 0001222287 │",
        "└─────┴───────────────┴────────────┴──────────────┴───────────┴──────────────┴────────────┘",
        "5 rows",
        "EXIT=0",
    ]
