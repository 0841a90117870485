"""EDGAR's listings of filings: form indexes, submissions JSON, the ticker map, and their URLs.

A ``form.idx`` (daily or quarterly) lists one line per filing *and entity*; its column
widths changed over the years, so a line is read by pattern from its right end (file
name, date, CIK), never by fixed columns:

>>> line = (b"4           667, L.P.                       1551139     20200318    "
...         b"edgar/data/1551139/0001638599-20-000321.txt")
>>> [(e.form, e.cik, e.accession, str(e.filed)) for e in parse_form_idx(line)]
[('4', '1551139', '0001638599-20-000321', '2020-03-18')]
>>> index_urls("https://www.sec.gov", date(2024, 6, 28), date(2024, 7, 1), today=date(2025, 1, 1))[0]
'https://www.sec.gov/Archives/edgar/daily-index/2024/QTR2/form.20240628.idx'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from insidergraph.errors import InsiderGraphError

#: The ownership forms, as EDGAR's indexes and submissions JSON spell them.
OWNERSHIP_FORMS: tuple[str, ...] = ("3", "3/A", "4", "4/A", "5", "5/A")

_IDX_LINE = re.compile(
    rb"^(?P<left>\S.*?)\s+(?P<cik>\d{1,10})\s+(?P<date>\d{4}-?\d{2}-?\d{2})\s+"
    rb"(?P<file>edgar/data/\d+/(?P<acc>\d{10}-\d{2}-\d{6})\.txt)\s*$"
)
_ACCESSION = re.compile(r"^\d{10}-\d{2}-\d{6}$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One filing as a listing names it: its accession, the entity it is listed under, form and day."""

    accession: str
    cik: str
    form: str
    filed: date | None


def _day(text: str) -> date | None:
    digits = text.replace("-", "")
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def parse_form_idx(data: bytes) -> Iterator[Entry]:
    """Every filing line of a ``form.idx``; the header and dashes are no filing lines and are skipped."""
    for raw in data.splitlines():
        m = _IDX_LINE.match(raw)
        if m is None:
            continue
        left = m.group("left").decode("latin-1").strip()
        # The form type is the first column; ownership form types hold no space, and the
        # company name is set off by at least two spaces in every width EDGAR used.
        form = re.split(r"\s{2,}", left, maxsplit=1)[0]
        yield Entry(m.group("acc").decode(), m.group("cik").decode(), form, _day(m.group("date").decode()))


def _json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as err:
        raise InsiderGraphError(f"{what}: not valid JSON ({err})") from None


def _columns(block: Any, cik: str, what: str) -> Iterator[Entry]:
    if not isinstance(block, dict):
        raise InsiderGraphError(f"{what}: no filing columns")
    accessions, forms, days = (block.get(k) or [] for k in ("accessionNumber", "form", "filingDate"))
    if not (len(accessions) == len(forms) == len(days)):
        raise InsiderGraphError(f"{what}: the columns accessionNumber, form and filingDate differ in length")
    for acc, form, day in zip(accessions, forms, days):
        if isinstance(acc, str) and _ACCESSION.match(acc):
            yield Entry(acc, cik, str(form), _day(str(day)))


def parse_submissions(data: bytes, cik: str, what: str = "submissions") -> tuple[list[Entry], list[str]]:
    """The filings of ``filings.recent`` and the names of the older pages in ``filings.files``.

    >>> doc = b'{"cik": "1", "filings": {"recent": {"accessionNumber": ["0000000001-24-000001"],'
    >>> doc += b' "form": ["4"], "filingDate": ["2024-01-02"]},'
    >>> doc += b' "files": [{"name": "CIK0000000001-submissions-001.json"}]}}'
    >>> entries, pages = parse_submissions(doc, "1")
    >>> entries[0].form, pages
    ('4', ['CIK0000000001-submissions-001.json'])
    """
    doc = _json(data, what)
    filings = doc.get("filings") if isinstance(doc, dict) else None
    if not isinstance(filings, dict):
        raise InsiderGraphError(f"{what}: no \"filings\" object")
    entries = list(_columns(filings.get("recent"), cik, what))
    pages = [f["name"] for f in filings.get("files") or [] if isinstance(f, dict) and isinstance(f.get("name"), str)]
    return entries, pages


def parse_submissions_page(data: bytes, cik: str, what: str = "submissions page") -> list[Entry]:
    """The filings of an older page (the same columns as ``filings.recent``, at the top level)."""
    return list(_columns(_json(data, what), cik, what))


def parse_tickers(data: bytes) -> dict[str, str]:
    """``company_tickers.json`` as ticker (upper case) -> CIK (10 digits).

    >>> parse_tickers(b'{"0": {"cik_str": 1318605, "ticker": "TSLA", "title": "Tesla, Inc."}}')
    {'TSLA': '0001318605'}
    """
    doc = _json(data, "company_tickers.json")
    rows = doc.values() if isinstance(doc, dict) else []
    return {
        str(r["ticker"]).upper(): f"{int(r['cik_str']):010d}"
        for r in rows
        if isinstance(r, dict) and "ticker" in r and str(r.get("cik_str", "")).isdigit()
    }


def cik10(value: str) -> str:
    """A CIK as the 10 digits of EDGAR's file names, or an error naming it.

    >>> cik10("1318605")
    '0001318605'
    """
    text = value.strip()
    if not text.isdigit() or len(text) > 10:
        raise InsiderGraphError(f"CIK {value!r} is not a number of at most 10 digits")
    return f"{int(text):010d}"


def quarter(day: date) -> int:
    """The calendar quarter of ``day`` (1 to 4)."""
    return (day.month - 1) // 3 + 1


def _quarter_bounds(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    return start, end


def index_urls(base: str, since: date, until: date, today: date) -> list[str]:
    """The index files that list every filing of ``since``..``until``: the quarterly
    ``full-index`` for each whole quarter already over, the daily index for each weekday
    of the rest (EDGAR publishes none for weekends)."""
    urls: list[str] = []
    day = since
    while day <= until:
        q_start, q_end = _quarter_bounds(day.year, quarter(day))
        if day == q_start and q_end <= until and q_end < today:
            urls.append(f"{base}/Archives/edgar/full-index/{day.year}/QTR{quarter(day)}/form.idx")
            day = q_end + timedelta(days=1)
            continue
        if day.weekday() < 5:
            urls.append(f"{base}/Archives/edgar/daily-index/{day.year}/QTR{quarter(day)}/form.{day:%Y%m%d}.idx")
        day += timedelta(days=1)
    return urls


def submissions_url(base: str, cik: str) -> str:
    """Where the submissions JSON of ``cik`` is."""
    return f"{base}/submissions/CIK{cik10(cik)}.json"


def filing_url(base: str, cik: str, accession: str) -> str:
    """The complete submission of ``accession`` in the folder of ``cik``.

    >>> filing_url("https://www.sec.gov", "0001318605", "0000899243-22-035394")
    'https://www.sec.gov/Archives/edgar/data/1318605/000089924322035394/0000899243-22-035394.txt'
    """
    return f"{base}/Archives/edgar/data/{int(cik)}/{accession.replace('-', '')}/{accession}.txt"


def parse_quarters(spec: str) -> list[tuple[int, int]]:
    """``2024q3`` or ``2006q1:2025q3`` as (year, quarter) pairs, or an error naming the spec.

    >>> parse_quarters("2024q4:2025q1")
    [(2024, 4), (2025, 1)]
    """
    pattern = re.compile(r"(\d{4})q([1-4])", re.IGNORECASE)
    parts = spec.strip().split(":")
    found = [pattern.fullmatch(p.strip()) for p in parts]
    if len(parts) > 2 or not all(found):
        raise InsiderGraphError(f"--datasets {spec!r}: expected a quarter like 2024q3 or a range like 2006q1:2025q3")
    pairs = [(int(m.group(1)), int(m.group(2))) for m in found if m]
    first, last = pairs[0], pairs[-1]
    if last < first:
        raise InsiderGraphError(f"--datasets {spec!r}: the range ends before it starts")
    out: list[tuple[int, int]] = []
    year, q = first
    while (year, q) <= last:
        out.append((year, q))
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out
