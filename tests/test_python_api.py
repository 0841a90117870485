"""The Python API on the real corpus: what ``insidergraph.parse`` and ``insidergraph.open``
give equals what the CLI prints, in DataFrames whose dtypes are real (issue 15, item 4)."""

from __future__ import annotations

import doctest
import json
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import neo4j_db
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import insidergraph
from insidergraph.cli import cli
from insidergraph.errors import QueryError, StoreError
from insidergraph.model import Filing
from insidergraph.queries.registry import QUERIES

from test_queries import CASES

README = Path(__file__).resolve().parents[1] / "README.md"
STRING = "string[pyarrow]"
LIST = "list<item: string>[pyarrow]"
AMD = "0000002488-24-000005"  # a Form 4 of AMD's, one owner: Lisa Su's 2024 exercise and sales


def _dtype(column: pd.Series[Any]) -> str:
    """The dtype's name, ``string[pyarrow]`` for pandas' Arrow strings (pandas 3 prints it ``string``)."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and dtype.na_value is pd.NA:
        return STRING
    return str(dtype)


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def store_path(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus XML built by the CLI, as the README's first command does."""
    path = tmp_path_factory.mktemp("api") / "insidergraph-store"
    code, _, err = _cli("build", str(corpus / "xml"), "--store", str(path))
    assert code == 0, err
    return path


@pytest.fixture(scope="module")
def store(store_path: Path) -> Any:
    return insidergraph.open(store_path)


@pytest.fixture(scope="module")
def parsed(corpus: Path) -> Any:
    return insidergraph.parse(corpus / "xml")


def _plain(value: Any) -> Any:
    """A cell of a typed frame as the CLI's JSON writes it."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, list | np.ndarray):
        return [_plain(v) for v in value]
    return value


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{c: _plain(v) for c, v in zip(df.columns, row)} for row in df.astype(object).itertuples(index=False)]


# --- parse ------------------------------------------------------------------------------


def test_parse_reads_the_corpus_and_keeps_a_bad_file_apart(corpus: Path, tmp_path: Path) -> None:
    bad = tmp_path / "letter.xml"
    bad.write_text("<letter>Dear shareholder</letter>\n")
    result = insidergraph.parse([corpus / "xml", bad])
    assert repr(result) == "ParseResult(filings=633, powers=0, errors=1)"
    assert all(isinstance(f, Filing) for f in result.filings)
    # The error is the line `insidergraph parse` prints for that file, and nothing else is lost.
    code, _, err = _cli("parse", str(bad))
    assert code == 1 and err == f"{result.errors[0]}\n"
    assert result.errors[0].path == str(bad)


def test_parse_gives_the_powers_of_attorney_apart_and_says_which_exhibits_have_no_text(corpus: Path) -> None:
    result = insidergraph.parse(str(corpus / "exhibits"))
    assert (len(result.filings), len(result.powers), len(result.errors)) == (0, 40, 2)
    assert sum(1 for p in result.powers if p.attorneys) == 39  # Thiel's to Palantir names its attorneys in an image
    assert {Path(e.path).name for e in result.errors} == {
        "0001062993-21-005990__exhibit24-1.htm", "0001062993-21-005990__exhibit24-2.htm"}
    assert all("without text" in e.message for e in result.errors)


def test_parse_frames_have_real_dtypes(parsed: Any) -> None:
    frames = parsed.frames()
    tx, owners, filings, sigs = frames["transactions"], frames["owners"], frames["filings"], frames["signatures"]
    assert {c: _dtype(tx[c]) for c in ("accession", "row", "transaction_date", "shares", "price_per_share",
                                          "equity_swap_involved", "transaction_code")} == {
        "accession": STRING, "row": "Int64", "transaction_date": "datetime64[s]", "shares": "float64",
        "price_per_share": "float64", "equity_swap_involved": "boolean", "transaction_code": STRING}
    assert _dtype(owners["is_director"]) == "boolean" and _dtype(owners["owner_index"]) == "Int64"
    assert _dtype(filings["period_of_report"]) == "datetime64[s]" and _dtype(filings["n_owners"]) == "Int64"
    assert _dtype(sigs["date"]) == "datetime64[s]" and _dtype(sigs["attorney_in_fact"]) == "boolean"
    assert not any(_dtype(df[c]) == "object" for df in frames.values() for c in df.columns)
    # What pandas can do with them now: dates compare, amounts sum, flags filter.
    amd = tx[tx["accession"] == AMD]
    assert (amd["transaction_date"] >= pd.Timestamp("2024-01-01")).all()
    assert amd["price_per_share"].max() == 146.56
    # An empty frame has the same dtypes as a full one.
    empty = insidergraph.parse([]).frames()
    assert all((empty[n].dtypes == frames[n].dtypes).all() for n in frames)


def test_parse_frames_equal_the_filed_values_and_exact_keeps_the_decimals(corpus: Path, parsed: Any) -> None:
    # The rows of `insidergraph parse` (JSON lines, numbers read as Decimal) against the frames.
    code, out, _ = _cli("parse", str(corpus / "xml"))
    assert code == 0
    rows = []
    for line in out.splitlines():
        filing = json.loads(line, parse_float=Decimal, parse_int=Decimal)
        for table in ("non_derivative", "derivative"):
            for i, row in enumerate(filing[table]):
                if row["type"] == "transaction":
                    rows.append((filing["accession"], table, i, row["transaction_date"], row["shares"],
                                 row["price_per_share"]))
    exact = parsed.frames(exact=True)["transactions"]
    assert exact["shares"].dtype == object and isinstance(exact["shares"].dropna().iloc[0], Decimal)
    columns = ["accession", "table", "row", "transaction_date", "shares", "price_per_share"]
    mine = [tuple(_plain(v) for v in row) for row in exact[columns].astype(object).itertuples(index=False)]
    assert sorted(mine, key=str) == sorted(rows, key=str)
    floats = parsed.frames()["transactions"]
    assert floats["shares"].sum() == pytest.approx(float(sum(r[4] for r in rows if r[4] is not None)))


# --- the store ----------------------------------------------------------------------------


def _kinds_ok(df: pd.DataFrame, name: str) -> None:
    q = QUERIES[name]
    lists = {c for group in q.list_columns for c in group}
    for c in df.columns:
        expected = ("Int64" if c in q.int_columns else "boolean" if c in q.bool_columns
                    else "float64" if c in q.float_columns
                    else "datetime64[s]" if c in q.date_columns else LIST if c in lists else STRING)
        assert _dtype(df[c]) == expected, (name, c)


@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_query_rows_equal_the_cli_json_and_have_real_dtypes(store: Any, store_path: Path, name: str,
                                                            params: dict[str, Any]) -> None:
    df = store.query(name, **params)
    args = [f"--{k.replace('_', '-')}" if v is True else f"--{k.replace('_', '-')}={v}" for k, v in params.items()]
    code, out, err = _cli("query", name, *args, "--store", str(store_path), "--format", "json")
    assert code == 0, err
    assert _records(df) == json.loads(out)
    _kinds_ok(df, name)


def test_every_whole_number_column_is_declared_so_that_an_empty_answer_has_it_as_int(store: Any) -> None:
    for name, params in CASES:
        df = store.query(name, engine="networkx", **params)
        ints = [c for c in df.columns if df[c].notna().any() and all(isinstance(v, int) for v in df[c].dropna())]
        assert set(ints) <= set(QUERIES[name].int_columns), (name, ints)
    empty = store.query("shared-directors", min_boards=99)
    assert empty.empty and _dtype(empty["issuer_count"]) == "Int64"
    assert _dtype(empty["issuer_ciks"]) == LIST and _dtype(empty["person_name"]) == STRING


def test_every_engine_gives_the_same_typed_frame(store: Any) -> None:
    for name, params in CASES[:12]:
        cypher = store.query(name, **params)
        for engine in ("sparql", "networkx"):
            pd.testing.assert_frame_equal(store.query(name, engine=engine, **params), cypher)


def test_query_options_take_python_values(store: Any) -> None:
    as_text = store.query("shared-directors", as_of="2021-03-01", overlapping=True)
    pd.testing.assert_frame_equal(store.query("shared-directors", as_of=date(2021, 3, 1), overlapping=True), as_text)
    roles = store.query("insider-roles", person="levchin")
    assert set(roles["issuer_cik"]) >= {"0001345016", "0001820953"}  # Yelp, Affirm
    assert roles["span_start"].min() < roles["span_end"].max()


def test_a_wrong_name_option_or_engine_is_one_clear_error(store: Any, tmp_path: Path) -> None:
    with pytest.raises(QueryError, match=r"^no named query 'shared-director'; choose from attorney-network, "):
        store.query("shared-director")
    with pytest.raises(QueryError, match=r"^shared-directors: unknown parameter\(s\) min_board$"):
        store.query("shared-directors", min_board=3)
    with pytest.raises(QueryError, match=r"^--min-boards: 'three' is not a valid int$"):
        store.query("shared-directors", min_boards="three")
    with pytest.raises(QueryError, match=r"^unknown engine 'kuzu'; choose from cypher, neo4j, networkx, sparql"):
        store.query("shared-directors", engine="kuzu")
    with pytest.raises(QueryError, match=r"^the sparql engine does not run Cypher; choose from cypher, neo4j$"):
        store.cypher("MATCH (p:Person) RETURN p.name", engine="sparql")
    with pytest.raises(StoreError, match=re.escape(f"{tmp_path}: no insidergraph store here")):
        insidergraph.Store(tmp_path)


def test_cypher_and_sparql_give_the_cli_rows_typed_by_their_values(store: Any, store_path: Path) -> None:
    text = ("MATCH (p:Person)-[r:DIRECTOR_OF]->(c:Company) WHERE p.cik = $cik "
            "RETURN c.name AS issuer, r.filing_count AS filings, r.first_period AS since ORDER BY issuer")
    df = store.cypher(text, cik="0001539853")
    assert {c: _dtype(df[c]) for c in df.columns} == {"issuer": STRING, "filings": "Int64",
                                                         "since": "datetime64[s]"}
    code, out, _ = _cli("cypher", text, "--param", "cik=0001539853", "--store", str(store_path), "--format", "json")
    assert code == 0 and _records(df) == json.loads(out) and len(df) >= 2
    query = ("PREFIX ig: <https://w3id.org/insidergraph/ontology#> PREFIX org: <http://www.w3.org/ns/org#> "
             "SELECT ?cik (COUNT(?c) AS ?seats) (MIN(?start) AS ?since) WHERE { ?m org:member ?p ; "
             "org:organization ?c ; ig:spanStart ?start . ?p ig:cik ?cik } GROUP BY ?cik "
             "ORDER BY DESC(?seats) ?cik LIMIT 5")
    sparql = store.sparql(query)
    code, out, _ = _cli("sparql", query, "--store", str(store_path), "--format", "json")
    assert code == 0 and _records(sparql) == json.loads(out) and len(sparql) == 5
    assert {c: _dtype(sparql[c]) for c in sparql.columns} == {"cik": STRING, "seats": "Int64",
                                                              "since": "datetime64[s]"}
    assert sparql["cik"].iloc[0] == "0001222287"  # Botha: the most seats


@pytest.mark.neo4j
def test_neo4j_gives_the_same_typed_frames(store: Any, store_path: Path, neo4j_env: dict[str, str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    env = {k: neo4j_env[k] for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD")}
    neo4j_db.clear(neo4j_db.config(env))  # the server is shared: start from empty
    loaded = CliRunner().invoke(cli, ["neo4j", "load", "--store", str(store_path), "--no-progress"], env=env)
    assert loaded.exit_code == 0, loaded.output
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    served = insidergraph.open(store_path, engine="neo4j")
    for name, params in CASES:
        pd.testing.assert_frame_equal(served.query(name, **params), store.query(name, **params))
    text = "MATCH (p:Person) WHERE p.cik = $cik RETURN p.name AS name, size(p.aliases) AS aliases"
    pd.testing.assert_frame_equal(served.cypher(text, cik="0001222287"), store.cypher(text, cik="0001222287"))


def test_frames_are_the_graph_tables_typed_and_exact_on_demand(store: Any, store_path: Path) -> None:
    frames = store.frames()
    counts = json.loads(next(store_path.glob("gen-*/graph/counts.json")).read_text())
    assert {n: len(df) for n, df in frames.items()} == {**counts["nodes"], **counts["edges"]}
    person, tx, seat = frames["Person"], frames["Transaction"], frames["DIRECTOR_OF"]
    assert _dtype(person["aliases"]) == LIST and _dtype(person["unresolved"]) == "boolean"
    assert _dtype(tx["price_per_share"]) == "float64" and _dtype(tx["seq"]) == "Int64"
    assert _dtype(seat["first_period"]) == "datetime64[s]" and _dtype(seat["filing_count"]) == "Int64"
    exact = store.frames(exact=True)["Transaction"]
    filed = {p for p in store.parsed().frames(exact=True)["transactions"]["price_per_share"] if p is not None}
    assert {p for p in exact["price_per_share"] if p is not None} == filed
    assert store.parsed().frames()["transactions"].shape[0] == counts["nodes"]["Transaction"]


def test_networkx_views_are_the_export_views(store: Any) -> None:
    interlocks = store.networkx("interlocks")
    rows = store.query("interlocks")
    assert isinstance(interlocks, nx.Graph) and interlocks.number_of_edges() == len(rows)
    pairs = {frozenset((interlocks.nodes[a]["cik"], interlocks.nodes[b]["cik"])) for a, b in interlocks.edges}
    assert pairs == {frozenset(p) for p in zip(rows["issuer_a_cik"], rows["issuer_b_cik"])}
    people = store.networkx()
    assert isinstance(people, nx.MultiDiGraph)
    assert {d["type"] for _, d in people.nodes(data=True)} == {"Person", "Company"}


# --- the package and the README -------------------------------------------------------------


def test_importing_the_package_loads_no_pandas_until_the_api_is_asked_for() -> None:
    code = ("import sys, insidergraph; names = set(dir(insidergraph)); before = 'pandas' in sys.modules; "
            "insidergraph.parse; print(before, 'pandas' in sys.modules, sorted(names & set(insidergraph.API)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    # Naming the API imports no pandas either now (the store opens without it); running it does.
    assert out.strip() == "False False ['ParseResult', 'Store', 'open', 'parse']"


def _python_block() -> tuple[str, int]:
    """The example of the README's Python section and the line it starts on (0-based)."""
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Python\n.*?(?=^## )", text, flags=re.DOTALL | re.MULTILINE)
    assert section, "README.md has no `## Python` section"
    block = re.search(r"^```python\n(.*?)^```", section.group(0), flags=re.DOTALL | re.MULTILINE)
    assert block, "README.md's Python section has no ```python example"
    return block.group(1), text.count("\n", 0, section.start() + block.start(1))


def test_the_readme_python_example_runs(store_path: Path, corpus: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # Run where the README's commands run: beside ../shared, with the store the README builds.
    here = tmp_path / "insidergraph"
    here.mkdir()
    (tmp_path / "shared").symlink_to(corpus.parent)
    (here / "insidergraph-store").symlink_to(store_path)
    monkeypatch.chdir(here)
    example, line = _python_block()
    test = doctest.DocTestParser().get_doctest(example, {}, "README.md#python", str(README), line)
    out: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=out.append)
    assert runner.failures == 0, "".join(out)
    assert runner.tries >= 8
