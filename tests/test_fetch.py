"""`insidergraph fetch` / `update` against a real HTTP server on 127.0.0.1 (tests/edgar_server.py)
serving a miniature EDGAR built from ../shared/corpus. Every check reads the server's own log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

from insidergraph.backends import store_engines
from insidergraph.cli import cli
from insidergraph.edgar import fetch

from edgar_server import EdgarServer, max_per_window
from edgar_site import DATASET_PATH, SiteFiling, corpus_filings

UA = "Insidergraph Tests tests@example.com"
TSLA = "0001318605"
YELP = "0001345016"  # 20 filings: the smaller issuer that keeps the slower tests short
OWNER = "0001211060"  # a reporting owner (never an issuer) with Forms 3 and 4 on several boards
FILINGS = "/Archives/edgar/data/"


@pytest.fixture(scope="module")
def filings(corpus: Path) -> list[SiteFiling]:
    return corpus_filings(corpus)


@pytest.fixture()
def server(filings: list[SiteFiling], corpus: Path):  # type: ignore[no-untyped-def]
    with EdgarServer(filings, corpus=corpus, holidays=frozenset({date(2012, 12, 25)})) as s:
        yield s


def _mirror(out: Path) -> dict[str, Path]:
    return {p.name[:-4]: p for p in out.rglob("*.txt")}


def _fetched_paths(server: EdgarServer) -> list[str]:
    return [r.path for r in server.requests(FILINGS)]


def test_ticker_selects_every_filing_as_issuer_or_owner_once(server: EdgarServer, filings, tmp_path: Path) -> None:
    expected = {f.accession: f for f in filings if TSLA in f.ciks}
    result = fetch(tmp_path, user_agent=UA, tickers=["tsla"], edgar_url=server.url, rate=10)
    assert result.failures == []
    assert (result.found, result.fetched, result.present) == (len(expected), len(expected), 0)
    mirror = _mirror(tmp_path)
    assert set(mirror) == set(expected)
    for acc, path in mirror.items():
        assert path.read_bytes() == expected[acc].body
        assert path.parent.name == acc.replace("-", "")
    paths = _fetched_paths(server)
    assert len(paths) == len(set(paths)) == len(expected)  # each accession once, the 10-K never
    assert server.requests(f"/submissions/CIK{TSLA}-submissions-001.json")  # the older page was read
    assert server.requests("/files/company_tickers.json")
    assert all(r.headers.get("User-Agent") == UA for r in server.log)
    assert {r.headers.get("Connection") for r in server.log} == {"keep-alive"}
    again = fetch(tmp_path, user_agent=UA, tickers=["TSLA"], edgar_url=server.url, rate=10)
    assert (again.found, again.fetched, again.present) == (len(expected), 0, len(expected))
    assert len(_fetched_paths(server)) == len(expected)  # no request for a filing present


def test_owner_cik_and_forms_filter(server: EdgarServer, filings, tmp_path: Path) -> None:
    expected = {f.accession for f in filings if OWNER in f.ciks and f.form == "3"}
    assert len(expected) >= 3 and OWNER not in {f.ciks[0] for f in filings}
    result = fetch(tmp_path, user_agent=UA, ciks=[OWNER.lstrip("0")], forms="3", edgar_url=server.url, rate=10)
    assert result.failures == [] and result.found == len(expected)
    assert set(_mirror(tmp_path)) == expected
    assert {p.split("/")[-1][:-4] for p in _fetched_paths(server)} == expected


def test_date_range_from_daily_and_quarterly_indexes(server: EdgarServer, filings, tmp_path: Path) -> None:
    # December 2012: daily indexes in the older, narrower columns, Christmas without an index.
    dec = {f.accession for f in filings if date(2012, 12, 1) <= f.filed <= date(2012, 12, 31)}
    result = fetch(tmp_path / "a", user_agent=UA, since=date(2012, 12, 1), until=date(2012, 12, 31),
                   edgar_url=server.url, rate=10)
    assert result.failures == [] and set(_mirror(tmp_path / "a")) == dec
    daily = server.requests("/Archives/edgar/daily-index/2012/QTR4/")
    assert len(daily) == 21  # the weekdays of the month, the holiday's 404 included, no weekend
    # The whole of 2021 Q4 from the quarterly full-index (current columns), each filing once
    # although the index lists it once per entity.
    q4 = {f.accession for f in filings if date(2021, 10, 1) <= f.filed <= date(2021, 12, 31)}
    result = fetch(tmp_path / "b", user_agent=UA, since=date(2021, 10, 1), until=date(2021, 12, 31),
                   edgar_url=server.url, rate=10)
    assert result.failures == [] and set(_mirror(tmp_path / "b")) == q4
    assert [r.path for r in server.requests("/Archives/edgar/full-index/")] == [
        "/Archives/edgar/full-index/2021/QTR4/form.idx"]
    assert len(server.requests("/Archives/edgar/data/")) == len(dec) + len(q4)
    result = fetch(tmp_path / "c", user_agent=UA, since=date(2021, 10, 1), until=date(2021, 12, 31),
                   forms=["4/A"], edgar_url=server.url, rate=10)
    assert result.found == 0 and not result.failures


def test_rate_never_exceeded_across_threads(server: EdgarServer, filings, tmp_path: Path) -> None:
    server.latency = 0.05
    fetch(tmp_path, user_agent=UA, since=date(2021, 11, 1), until=date(2021, 11, 30), edgar_url=server.url, rate=10)
    assert len(server.log) > 40
    assert max_per_window(server.log) <= 10


def test_sustained_rate_with_slow_answers(server: EdgarServer, filings, tmp_path: Path) -> None:
    server.latency = 0.2
    result = fetch(tmp_path, user_agent=UA, ciks=[OWNER], edgar_url=server.url, rate=10)
    assert result.fetched == 40
    log = server.requests(FILINGS)
    span = log[-1].time - log[0].time
    # n requests at the full rate take (n - 1) / rate seconds after the first one.
    assert (len(log) - 1) / span >= 0.9 * 10, (len(log), span)
    assert max_per_window(server.log) <= 10


def _pick(filings: list[SiteFiling], n: int) -> list[SiteFiling]:
    return [f for f in filings if YELP in f.ciks][:n]


def test_faults_each_handled(server: EdgarServer, filings, tmp_path: Path) -> None:
    good_after = {"500": ("500", "503"), "reset": ("reset",), "slow": ("slow",), "truncate": ("truncate",),
                  "gzip": ("gzip",)}
    picked = _pick(filings, len(good_after) + 3)
    tries = {}
    for f, (name, faults) in zip(picked, good_after.items()):
        server.inject(server.filing_path(f), *faults)
        tries[f.accession] = len(faults) + (name != "gzip")
    missing, broken, down = picked[len(good_after):]
    server.inject(server.filing_path(missing), "404", sticky=True)
    server.inject(server.filing_path(broken), "broken-xml", sticky=True)
    server.inject(server.filing_path(down), "503", sticky=True)
    server.slow_seconds = 2.0
    result = fetch(tmp_path, user_agent=UA, tickers=["YELP"], edgar_url=server.url, rate=10, timeout=1.0,
                   backoff=0.05, attempts=4)
    by_acc = {f.key: f.message for f in result.failures}
    assert set(by_acc) == {missing.accession, broken.accession, down.accession}
    assert by_acc[missing.accession] == "not found on EDGAR (404)"
    assert by_acc[broken.accession].startswith("ownership XML does not parse: line ")
    assert by_acc[down.accession] == "server error 503 (after 4 attempts)"
    expected = {f.accession: f for f in filings if YELP in f.ciks}
    mirror = _mirror(tmp_path)
    assert set(mirror) == set(expected) - set(by_acc)  # every good filing, nothing of a bad one
    assert all(mirror[a].read_bytes() == expected[a].body for a in mirror)
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".partial")]
    counts = {a: sum(1 for p in _fetched_paths(server) if p.endswith(f"/{a}.txt")) for a in expected}
    for acc, n in tries.items():
        assert counts[acc] == n, acc
    assert counts[missing.accession] == 1 and counts[broken.accession] == 1 and counts[down.accession] == 4


@pytest.mark.parametrize("fault", ["429", "403"])
def test_block_pauses_every_request(server: EdgarServer, filings, tmp_path: Path, fault: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    target = _pick(filings, 5)[4]
    server.inject(server.filing_path(target), fault)
    result = fetch(tmp_path, user_agent=UA, tickers=["YELP"], edgar_url=server.url, rate=10, pause_on_block=1.0)
    assert result.failures == [] and target.accession in _mirror(tmp_path)
    first = next(r for r in server.log if r.path == server.filing_path(target))
    during = [r for r in server.log if first.time + 0.05 < r.time < first.time + 1.0]
    assert during == []  # nothing at all was sent during the pause
    assert len(server.requests(server.filing_path(target))) == 2
    err = capsys.readouterr().err
    assert err.count("pausing every request for 1 s") == 1


def test_cli_reports_failures_and_exits_1(server: EdgarServer, filings, tmp_path: Path) -> None:
    target = _pick(filings, 1)[0]
    server.inject(server.filing_path(target), "404", sticky=True)
    run = CliRunner().invoke(cli, ["fetch", "--ticker", "YELP", "--ticker", "NOSUCHTICKER", "--out", str(tmp_path),
                                   "--edgar-url", server.url, "--rate", "10"], env={"SEC_USER_AGENT": UA})
    assert run.exit_code == 1
    n = sum(YELP in f.ciks for f in filings)
    assert run.stdout.strip().splitlines()[-1] == f"found {n}, fetched {n - 1}, already present 0, failed 2"
    assert f"{target.accession}: not found on EDGAR (404)" in run.stderr.splitlines()
    assert "NOSUCHTICKER: no such ticker in company_tickers.json" in run.stderr.splitlines()


def test_datasets_downloaded_into_the_mirror(server: EdgarServer, tmp_path: Path) -> None:
    data_url = server.url + DATASET_PATH
    result = fetch(tmp_path, user_agent=UA, datasets=["2024q3:2024q4"], edgar_url=server.url, data_url=data_url)
    assert [f.line() for f in result.failures] == ["2024q4_form345.zip: not found on EDGAR (404)"]
    zips = sorted(p.name for p in (tmp_path / "datasets").iterdir())
    assert zips == ["2024q3_form345.zip"]
    again = fetch(tmp_path, user_agent=UA, datasets=["2024q3"], edgar_url=server.url, data_url=data_url)
    assert (again.present, again.fetched) == (1, 0)
    assert len(server.requests(DATASET_PATH)) == 2


def test_no_user_agent_no_request(server: EdgarServer, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SEC_USER_AGENT", "EDGAR_IDENTITY")}
    for command in (["fetch", "--ticker", "TSLA"], ["update", "--store", str(tmp_path / "s"), "--since", "2021-11-01"]):
        run = subprocess.run([sys.executable, "-m", "insidergraph.cli", *command, "--out", str(tmp_path / "m"),
                              "--edgar-url", server.url], env=env, capture_output=True, text=True, timeout=60)
        assert run.returncode == 1
        assert run.stderr.strip().splitlines() == [
            'Error: no User-Agent declared: SEC requires one; set SEC_USER_AGENT="Your Name you@example.com" '
            "(or EDGAR_IDENTITY, or pass --user-agent)"]
    assert server.log == []
    assert not (tmp_path / "m").exists()


def test_kill_9_then_rerun_completes(server: EdgarServer, filings, tmp_path: Path) -> None:
    server.latency = 0.05
    out = tmp_path / "m"
    cmd = [sys.executable, "-m", "insidergraph.cli", "fetch", "--ticker", "YELP", "--out", str(out),
           "--edgar-url", server.url, "--rate", "10", "--no-progress"]
    env = dict(os.environ, SEC_USER_AGENT=UA)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(server.requests(FILINGS)) < 8 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    expected = {f.accession for f in filings if YELP in f.ciks}
    half = set(_mirror(out))
    assert 0 < len(half) < len(expected)
    before = len(server.log)
    run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    files = list(out.rglob("*.txt"))
    assert len(files) == len({p.name for p in files}) == len(expected)  # complete, no duplicate
    assert {p.name[:-4] for p in files} == expected
    assert not [p for p in out.rglob("*") if "partial" in p.name]
    second = {r.path.split("/")[-1][:-4] for r in server.log[before:] if r.path.startswith(FILINGS)}
    assert not second & half  # nothing already present was asked for again
    assert run.stdout.strip() == (f"found {len(expected)}, fetched {len(expected) - len(half)}, "
                                  f"already present {len(half)}, failed 0")


def test_update_twice_then_a_new_day(filings, corpus: Path, tmp_path: Path) -> None:
    from insidergraph.graph.store import Store
    from insidergraph.graph.store_build import build_store

    november = [f for f in filings if f.filed <= date(2021, 11, 30)]
    december = [f for f in filings if date(2021, 12, 1) <= f.filed <= date(2021, 12, 3)]
    store, out = str(tmp_path / "store"), str(tmp_path / "edgar")
    env = {"SEC_USER_AGENT": UA}
    with EdgarServer(november, corpus=corpus) as server:
        common = ["--store", store, "--out", out, "--edgar-url", server.url, "--rate", "10"]
        first = CliRunner().invoke(cli, ["update", *common, "--since", "2021-11-01", "--until", "2021-11-30"], env=env)
        assert first.exit_code == 0, first.output
        n_nov = sum(date(2021, 11, 1) <= f.filed for f in november)
        assert f"store: filings offered {n_nov}, added {n_nov}, failed 0" in first.stdout
        manifest, generation = Store(store).manifest(), Store(store).stamp()
        before = len(server.log)
        second = CliRunner().invoke(cli, ["update", *common, "--until", "2021-11-30"], env=env)
        assert second.exit_code == 0, second.output
        assert "added 0" in second.stdout
        assert [r.path for r in server.log[before:]] == ["/Archives/edgar/daily-index/2021/QTR4/form.20211130.idx"]
        assert (Store(store).manifest(), Store(store).stamp()) == (manifest, generation)  # nothing changed
        server.publish(december)
        third = CliRunner().invoke(cli, ["update", *common, "--until", "2021-12-03"], env=env)
        assert third.exit_code == 0, third.output
        assert f"fetched {len(december)}," in third.stdout and f"added {len(december)}," in third.stdout
    assert {f.accession for f in Store(store).filings()} == {f.accession for f in november + december
                                                             if f.filed >= date(2021, 11, 1)}
    fresh = str(tmp_path / "fresh")
    build_store([out], fresh, engines=store_engines())
    a, b = Store(store), Store(fresh)
    assert a.tables().counts() == b.tables().counts()
    left = {p.relative_to(a.graph_dir): p.read_bytes() for p in sorted(a.graph_dir.rglob("*.parquet"))}
    right = {p.relative_to(b.graph_dir): p.read_bytes() for p in sorted(b.graph_dir.rglob("*.parquet"))}
    assert left and left == right  # the same graph, byte for byte, as a store built from scratch
    # A later `build` into the store keeps what `update` remembers.
    from insidergraph.edgar.updating import read_fetch_state

    build_store([str(corpus / "txt" / "0000899243-22-035394__TSLA__F4.txt")], store, engines=store_engines())
    assert read_fetch_state(store) == {"through": "2021-12-03", "ciks": [], "tickers": []}


def test_the_timeout_default_is_one_constant_for_fetch_update_and_the_client() -> None:
    import inspect

    from insidergraph.edgar.client import EdgarClient
    from insidergraph.edgar.fetching import fetch
    from insidergraph.edgar.limits import DEFAULT_TIMEOUT

    assert inspect.signature(fetch).parameters["timeout"].default == DEFAULT_TIMEOUT
    assert inspect.signature(EdgarClient).parameters["timeout"].default == DEFAULT_TIMEOUT
    for command in ("fetch", "update"):
        option = next(p for p in cli.commands[command].params if p.name == "timeout")
        assert option.default == DEFAULT_TIMEOUT
    assert "[default: 30.0; x>=0.1]" in CliRunner().invoke(cli, ["fetch", "--help"]).output
