"""``insidergraph update``: fetch what was filed since the store's last day, then add it.

The store remembers, under one key ``fetch`` of its manifest, the last day it has seen
(``through``) and the CIKs and tickers it was made from; :func:`read_fetch_state` and
:func:`fetch_meta` (what :meth:`Store.add` writes) are the only code that touches that key.

>>> import tempfile
>>> read_fetch_state(tempfile.mkdtemp())
{}
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from insidergraph.edgar.fetching import DEFAULT_OUT, FetchResult, fetch
from insidergraph.errors import InsiderGraphError

FETCH_KEY = "fetch"


def read_fetch_state(store: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``fetch`` entry of the store's manifest (``{}`` for a new store or one never updated)."""
    from insidergraph.graph.store import Store

    s = Store(Path(store))
    if not s.exists():
        return {}
    state = s.manifest().get(FETCH_KEY)
    return dict(state) if isinstance(state, dict) else {}


def fetch_meta(state: dict[str, Any]) -> dict[str, Any]:
    """The manifest keys that :meth:`Store.add` ``meta=`` writes for ``state``.

    >>> fetch_meta({"through": "2024-01-02"})
    {'fetch': {'through': '2024-01-02'}}
    """
    return {FETCH_KEY: state}


@dataclass
class UpdateResult:
    """The fetch, and what adding its filings to the store did."""

    fetch: FetchResult
    since: date
    until: date
    offered: int = 0
    added: int = 0
    parse_failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Two lines: the fetch summary, then the store's."""
        return (
            f"{self.fetch.summary()} ({self.since} to {self.until})\n"
            f"store: filings offered {self.offered}, added {self.added}, failed {len(self.parse_failures)}"
        )


def _last_filing_day(store: str | os.PathLike[str]) -> date | None:
    from insidergraph.graph.store import Store

    s = Store(Path(store))
    if not s.exists():
        return None
    days = [f.filing_date for f in s.filings() if f.filing_date]
    return max(days) if days else None


def update(
    store: str | os.PathLike[str],
    out: str | os.PathLike[str] = DEFAULT_OUT,
    *,
    since: date | None = None,
    until: date | None = None,
    ciks: Iterable[str] = (),
    tickers: Iterable[str] = (),
    on_error: Callable[[str], None] | None = None,
    today: date | None = None,
    **fetch_options: Any,
) -> UpdateResult:
    """Fetch every Form 3/4/5 filed from the store's last day (or ``since``) to ``until``
    (default today) for the store's CIKs and tickers (or all filers), then add them.

    The last day is fetched again (its index may have grown since); what is already in the
    mirror costs no request and what is already in the store changes nothing.
    """
    from insidergraph.backends import store_engines
    from insidergraph.graph.store import Store
    from insidergraph.loaders.detect import parse_path

    state = read_fetch_state(store)
    cik_list = list(ciks) or list(state.get("ciks", []))
    ticker_list = list(tickers) or list(state.get("tickers", []))
    start = since or (date.fromisoformat(state["through"]) if state.get("through") else _last_filing_day(store))
    if start is None:
        raise InsiderGraphError(f"{store}: the store has seen no day yet: give --since DATE")
    end = until or today or date.today()
    if end < start:
        raise InsiderGraphError(f"{store}: nothing to update: the store has seen up to {start}, after {end}")
    fetched = fetch(out, ciks=cik_list, tickers=ticker_list, since=start, until=end, today=today, **fetch_options)
    result = UpdateResult(fetched, start, end)

    filings = []
    for path in sorted(str(p) for p in fetched.paths.values()):
        try:
            filings.append(parse_path(path))
        except InsiderGraphError as err:
            result.parse_failures.append(str(err))
            if on_error is not None:
                on_error(str(err))
    # Only a run that got everything moves the last day on; otherwise the next one retries it.
    through = end if not fetched.failures and not result.parse_failures else start
    state = {"through": through.isoformat(), "ciks": cik_list, "tickers": ticker_list}
    # The new filings and the new state go into the store in one generation: a run killed
    # part-way leaves both as they were.
    result.offered, result.added, _ = Store(Path(store)).add(filings, meta=fetch_meta(state), engines=store_engines())
    return result
