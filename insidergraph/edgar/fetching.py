"""``insidergraph fetch`` as a library call: select filings, download what is missing.

>>> import tempfile
>>> result = fetch(tempfile.mkdtemp(), user_agent="Jane Doe jane@example.com")
Traceback (most recent call last):
...
insidergraph.errors.InsiderGraphError: nothing to fetch: give --cik, --ticker, --since/--until or --datasets
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

from insidergraph.edgar import index
from insidergraph.edgar.client import EdgarClient, EdgarError, NotFound, check_user_agent
from insidergraph.edgar.index import OWNERSHIP_FORMS, Entry
from insidergraph.edgar.limits import DEFAULT_PAUSE, DEFAULT_RATE, DEFAULT_TIMEOUT
from insidergraph.edgar.mirror import FilingError, Mirror, check_submission
from insidergraph.errors import InsiderGraphError

DEFAULT_EDGAR_URL = "https://www.sec.gov"
DEFAULT_SUBMISSIONS_URL = "https://data.sec.gov"
DEFAULT_DATA_URL = "https://www.sec.gov/files/structureddata/data/insider-transactions-data-sets"
DEFAULT_OUT = "edgar"


@dataclass(frozen=True, slots=True)
class Failure:
    """One thing that could not be fetched: an accession (or the CIK, ticker, index or data set)."""

    key: str
    message: str

    def line(self) -> str:
        """``accession: what went wrong``."""
        return f"{self.key}: {self.message}"


@dataclass
class FetchResult:
    """What the summary line says, and where each selected filing now is."""

    found: int = 0
    fetched: int = 0
    present: int = 0
    failures: list[Failure] = field(default_factory=list)
    #: Every selected filing in the mirror after the run (fetched or already there), by accession.
    paths: dict[str, Path] = field(default_factory=dict)
    #: The latest filing date among the selected filings.
    latest: date | None = None

    @property
    def failed(self) -> int:
        return len(self.failures)

    def summary(self) -> str:
        """One line: found, fetched, already present, failed.

        >>> FetchResult(found=3, fetched=1, present=2).summary()
        'found 3, fetched 1, already present 2, failed 0'
        """
        return f"found {self.found}, fetched {self.fetched}, already present {self.present}, failed {self.failed}"


@dataclass(frozen=True, slots=True)
class Urls:
    """Where EDGAR is: SEC's hosts unless a mirror, a proxy or a test server stands in."""

    edgar: str = DEFAULT_EDGAR_URL
    submissions: str = DEFAULT_SUBMISSIONS_URL
    data: str = DEFAULT_DATA_URL

    @classmethod
    def resolve(cls, edgar: str | None = None, data: str | None = None, submissions: str | None = None) -> Urls:
        """Arguments first, then ``INSIDERGRAPH_EDGAR_URL`` / ``_SUBMISSIONS_URL`` / ``_DATA_URL``.
        A stand-in for www.sec.gov serves the submissions JSON too, unless told otherwise.

        >>> Urls.resolve("http://127.0.0.1:8080/").submissions
        'http://127.0.0.1:8080'
        """
        env = os.environ.get
        e = (edgar or env("INSIDERGRAPH_EDGAR_URL") or "").rstrip("/")
        s = (submissions or env("INSIDERGRAPH_SUBMISSIONS_URL") or e or DEFAULT_SUBMISSIONS_URL).rstrip("/")
        d = (data or env("INSIDERGRAPH_DATA_URL") or DEFAULT_DATA_URL).rstrip("/")
        return cls(e or DEFAULT_EDGAR_URL, s, d)


def resolve_user_agent(value: str | None) -> str:
    """``value``, else ``SEC_USER_AGENT``, else ``EDGAR_IDENTITY`` (edgartools' name), checked."""
    return check_user_agent(value or os.environ.get("SEC_USER_AGENT") or os.environ.get("EDGAR_IDENTITY"))


def parse_forms(forms: Iterable[str] | str | None) -> tuple[str, ...]:
    """The ownership form types asked for (all six by default).

    >>> parse_forms("4, 4/a")
    ('4', '4/A')
    """
    if forms is None:
        return OWNERSHIP_FORMS
    items = forms.split(",") if isinstance(forms, str) else [p for f in forms for p in f.split(",")]
    wanted = tuple(dict.fromkeys(f.strip().upper() for f in items if f.strip()))
    bad = [f for f in wanted if f not in OWNERSHIP_FORMS]
    if bad or not wanted:
        raise InsiderGraphError(
            f"--forms: {', '.join(bad) or 'nothing'} is not a Form 3, 4 or 5 type (one of {', '.join(OWNERSHIP_FORMS)})"
        )
    return wanted


@dataclass
class _Run:
    client: EdgarClient
    urls: Urls
    mirror: Mirror
    forms: tuple[str, ...]
    since: date | None
    until: date | None
    workers: int
    result: FetchResult = field(default_factory=FetchResult)

    def wanted(self, e: Entry) -> bool:
        if e.form not in self.forms:
            return False
        if e.filed is None:
            return self.since is None and self.until is None
        return (self.since is None or e.filed >= self.since) and (self.until is None or e.filed <= self.until)

    def fail(self, key: str, message: str) -> None:
        self.result.failures.append(Failure(key, message))


def fetch(
    out: str | os.PathLike[str] = DEFAULT_OUT,
    *,
    user_agent: str | None = None,
    ciks: Iterable[str] = (),
    tickers: Iterable[str] = (),
    since: date | None = None,
    until: date | None = None,
    forms: Iterable[str] | str | None = None,
    datasets: Iterable[str] = (),
    rate: int = DEFAULT_RATE,
    pause_on_block: float = DEFAULT_PAUSE,
    edgar_url: str | None = None,
    data_url: str | None = None,
    submissions_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    attempts: int = 4,
    backoff: float = 1.0,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    stderr: TextIO | None = None,
    today: date | None = None,
) -> FetchResult:
    """Download the selected Forms 3/4/5 into the mirror ``out``; see the module and the README.

    ``ciks``/``tickers`` select every filing where that CIK is the issuer or a reporting
    owner; without them ``since``/``until`` select every filing of those days. ``progress``
    is called with (done, to do) after each filing.
    """
    agent = resolve_user_agent(user_agent)  # before anything else: no UA, no request
    cik_list, ticker_list, quarters = _selection(ciks, tickers, datasets, since, until)
    wanted_forms = parse_forms(forms)
    workers = workers or max(4, rate)
    client = EdgarClient(agent, rate=rate, pause_on_block=pause_on_block, timeout=timeout, attempts=attempts,
                         backoff=backoff, connections=workers, stderr=stderr)
    run = _Run(client, Urls.resolve(edgar_url, data_url, submissions_url), Mirror(out), wanted_forms,
               since, until, workers)
    with client, ThreadPoolExecutor(max_workers=workers, thread_name_prefix="insidergraph-fetch") as pool:
        selected = _select(run, pool, cik_list, ticker_list, today)
        _download(run, pool, selected, progress)
        for year, q in quarters:
            _dataset(run, f"{year}q{q}_form345.zip")
    run.result.failures.sort(key=lambda f: (f.key, f.message))
    return run.result


def _selection(ciks: Iterable[str], tickers: Iterable[str], datasets: Iterable[str], since: date | None,
               until: date | None) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """The CIKs, tickers and data-set quarters asked for, checked with the days before any request.

    >>> _selection(["1318605"], [" tsla "], ["2024q4"], None, None)
    (['0001318605'], ['TSLA'], [(2024, 4)])
    >>> _selection([], [], [], None, date(2024, 1, 2))
    Traceback (most recent call last):
    ...
    insidergraph.errors.InsiderGraphError: --until without --since: give the first day too
    """
    cik_list, ticker_list = [index.cik10(c) for c in ciks], [t.strip().upper() for t in tickers]
    quarters = [q for spec in datasets for q in index.parse_quarters(spec)]
    if not (cik_list or ticker_list or since or until or quarters):
        raise InsiderGraphError("nothing to fetch: give --cik, --ticker, --since/--until or --datasets")
    if until is not None and since is None and not (cik_list or ticker_list):
        raise InsiderGraphError("--until without --since: give the first day too")
    if since and until and until < since:
        raise InsiderGraphError(f"--until {until} is before --since {since}")
    return cik_list, ticker_list, quarters


def _select(run: _Run, pool: ThreadPoolExecutor, ciks: list[str], tickers: list[str],
            today: date | None) -> dict[str, Entry]:
    """The filings selected, by accession: those of the CIKs and tickers, else of the days' indexes."""
    selected: dict[str, Entry] = {}
    if ciks or tickers:
        _select_by_cik(run, pool, ciks + _tickers_to_ciks(run, tickers), selected)
    elif run.since or run.until:
        _select_by_index(run, pool, today or date.today(), selected)
    return selected


def _tickers_to_ciks(run: _Run, tickers: list[str]) -> list[str]:
    if not tickers:
        return []
    url = f"{run.urls.edgar}/files/company_tickers.json"
    try:
        table = index.parse_tickers(run.client.get(url))
    except InsiderGraphError as err:
        raise InsiderGraphError(f"{url}: {err}") from None
    found = []
    for ticker in tickers:
        if ticker in table:
            found.append(table[ticker])
        else:
            run.fail(ticker, "no such ticker in company_tickers.json")
    return found


def _entries_of_cik(run: _Run, cik: str) -> list[Entry]:
    url = index.submissions_url(run.urls.submissions, cik)
    entries, pages = index.parse_submissions(run.client.get(url), cik, url)
    for page in pages:
        page_url = f"{run.urls.submissions}/submissions/{page}"
        entries += index.parse_submissions_page(run.client.get(page_url), cik, page_url)
    return entries


def _select_by_cik(run: _Run, pool: ThreadPoolExecutor, ciks: list[str], selected: dict[str, Entry]) -> None:
    def one(cik: str) -> tuple[list[Entry], Failure | None]:
        try:
            return _entries_of_cik(run, cik), None
        except NotFound:
            return [], Failure(f"CIK{cik}", "no such CIK on EDGAR (its submissions JSON is not found, 404)")
        except InsiderGraphError as err:
            return [], Failure(f"CIK{cik}", f"submissions JSON: {err}")

    for entries, failure in pool.map(one, list(dict.fromkeys(ciks))):
        if failure is not None:
            run.result.failures.append(failure)
        for e in entries:
            if run.wanted(e):
                selected.setdefault(e.accession, e)


def _select_by_index(run: _Run, pool: ThreadPoolExecutor, today: date, selected: dict[str, Entry]) -> None:
    since = run.since or today
    until = min(run.until or today, today)

    def one(url: str) -> tuple[list[Entry], Failure | None]:
        try:
            return list(index.parse_form_idx(run.client.get(url))), None
        except NotFound:
            # No daily index for a weekend or holiday, nor for today before EDGAR writes it.
            return [], None if "/daily-index/" in url else Failure(url, "index not found on EDGAR (404)")
        except InsiderGraphError as err:
            return [], Failure(url, str(err))

    for entries, failure in pool.map(one, index.index_urls(run.urls.edgar, since, until, today)):
        if failure is not None:
            run.result.failures.append(failure)
        for e in entries:
            if run.wanted(e):
                selected.setdefault(e.accession, e)  # listed once per entity: fetched once


def _download(run: _Run, pool: ThreadPoolExecutor, selected: dict[str, Entry],
              progress: Callable[[int, int], None] | None) -> None:
    result = run.result
    result.found += len(selected)
    days = [e.filed for e in selected.values() if e.filed]
    result.latest = max(days) if days else None
    present = run.mirror.scan()
    todo = []
    for acc in sorted(selected):
        if acc in present:
            result.present += 1
            result.paths[acc] = present[acc]
        else:
            todo.append(selected[acc])

    def one(e: Entry) -> tuple[Entry, Path | None, str]:
        url = index.filing_url(run.urls.edgar, e.cik, e.accession)
        try:
            data = run.client.get(url)
            check_submission(data)
            return e, run.mirror.write_filing(e.cik, e.accession, data), ""
        except EdgarError as err:
            return e, None, err.message
        except FilingError as err:
            return e, None, str(err)

    # The workers only download and write; the counting happens here, in one thread.
    for done, (e, path, problem) in enumerate(pool.map(one, todo), start=1):
        if path is None:
            run.fail(e.accession, problem)
        else:
            result.paths[e.accession] = path
            result.fetched += 1
        if progress is not None:
            progress(done, len(todo))


def _dataset(run: _Run, name: str) -> None:
    result = run.result
    result.found += 1
    if run.mirror.dataset_path(name).is_file():
        result.present += 1
        return
    try:
        data = run.client.get(f"{run.urls.data}/{name}")
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise FilingError("not a zip archive")
        run.mirror.write_dataset(name, data)
        result.fetched += 1
    except EdgarError as err:
        run.fail(name, err.message)
    except FilingError as err:
        run.fail(name, str(err))
