"""``insidergraph update``: fetch what was filed since the store's last day, then add it.

The store remembers, under one key ``fetch`` of its manifest, the last day it has seen
(``through``) and the CIKs and tickers it was made from; :func:`read_fetch_state` and
:func:`write_fetch_state` are the only code that touches that key.

>>> import tempfile
>>> read_fetch_state(tempfile.mkdtemp())
{}
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from insidergraph.edgar.fetching import DEFAULT_OUT, FetchResult, fetch
from insidergraph.errors import InsiderGraphError

FETCH_KEY = "fetch"


def read_fetch_state(store: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``fetch`` entry of the store's manifest (``{}`` for a new store or one never updated)."""
    manifest = Path(store) / "manifest.json"
    if not manifest.is_file():
        return {}
    state = json.loads(manifest.read_text()).get(FETCH_KEY)
    return dict(state) if isinstance(state, dict) else {}


def write_fetch_state(store: str | os.PathLike[str], state: dict[str, Any]) -> None:
    """Set the ``fetch`` entry of the store's manifest, leaving the rest as it is."""
    manifest = Path(store) / "manifest.json"
    data = json.loads(manifest.read_text())
    data[FETCH_KEY] = state
    partial = manifest.with_name(".manifest.json.partial")
    partial.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(partial, manifest)


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

    def parsed() -> Iterable[Any]:
        for path in sorted(str(p) for p in fetched.paths.values()):
            try:
                yield parse_path(path)
            except InsiderGraphError as err:
                result.parse_failures.append(str(err))
                if on_error is not None:
                    on_error(str(err))

    result.offered, result.added, _ = Store(Path(store)).add(parsed())
    # Only a run that got everything moves the last day on; otherwise the next one retries it.
    through = end if not fetched.failures and not result.parse_failures else start
    write_fetch_state(store, {"through": through.isoformat(), "ciks": cik_list, "tickers": ticker_list})
    return result
