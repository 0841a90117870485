"""The CLI commands ``fetch`` and ``update``; :mod:`insidergraph.cli` adds them to the group.

>>> from click.testing import CliRunner
>>> CliRunner().invoke(fetch_command, ["--help"]).exit_code
0
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import click

from insidergraph.console import (
    Bars,
    RegistryOption,
    exit_if,
    progress_option,
    say,
    store_option,
    wants_progress,
)
from insidergraph.edgar.limits import DEFAULT_PAUSE, DEFAULT_RATE, DEFAULT_TIMEOUT, MAX_RATE

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _common(func: Any) -> Any:
    """The options ``fetch`` and ``update`` share: selection by CIK, the mirror, fair access."""
    options = [
        click.option("--cik", "ciks", multiple=True, help="A CIK, issuer or reporting owner (repeatable)."),
        click.option("--ticker", "tickers", multiple=True, help="A ticker, through company_tickers.json (repeatable)."),
        click.option("--since", type=_DATE, default=None, help="First filing day, YYYY-MM-DD."),
        click.option("--until", type=_DATE, default=None, help="Last filing day, YYYY-MM-DD (default: today)."),
        click.option("--out", cls=RegistryOption, registry="insidergraph.edgar.fetching:DEFAULT_OUT",
                     show_default=True, type=click.Path(file_okay=False),
                     help="The mirror folder (EDGAR's layout)."),
        click.option("--user-agent", default=None,
                     help='"Name email@domain", as SEC requires [env SEC_USER_AGENT or EDGAR_IDENTITY].'),
        click.option("--rate", default=DEFAULT_RATE, show_default=True, type=click.IntRange(1, MAX_RATE),
                     help="Requests in any one second, at most 10 (SEC's limit)."),
        click.option("--pause-on-block", default=DEFAULT_PAUSE, show_default=True, type=click.FloatRange(min=0),
                     help="Seconds every request waits after SEC answers 429 or its rate-threshold 403."),
        click.option("--timeout", default=DEFAULT_TIMEOUT, show_default=True, type=click.FloatRange(min=0.1),
                     help="Seconds to wait for an answer before trying again."),
        click.option("--edgar-url", envvar="INSIDERGRAPH_EDGAR_URL", default=None,
                     help="Base URL standing in for www.sec.gov and data.sec.gov [env INSIDERGRAPH_EDGAR_URL]."),
        click.option("--data-url", envvar="INSIDERGRAPH_DATA_URL", default=None,
                     help="Base URL of the quarterly data sets [env INSIDERGRAPH_DATA_URL]."),
        progress_option(),
    ]
    for option in reversed(options):
        func = option(func)
    return func


#: The one bar of ``fetch`` and ``update``: filings downloaded of those selected.
_BAR = "fetching filings"


def _report(failures: list[Any]) -> None:
    for failure in failures:
        say(failure.line())


@click.command("fetch")
@_common
@click.option("--forms", default=None, help="Form types, e.g. 4,4/A (default: 3, 3/A, 4, 4/A, 5, 5/A).")
@click.option("--datasets", "datasets", multiple=True,
              help="SEC's quarterly Insider Transactions Data Sets: 2024q3 or 2006q1:2025q3 (repeatable).")
def fetch_command(ciks: tuple[str, ...], tickers: tuple[str, ...], since: datetime | None, until: datetime | None,
                  out: str, user_agent: str | None, rate: int, pause_on_block: float, timeout: float,
                  edgar_url: str | None, data_url: str | None, progress: bool | None, forms: str | None,
                  datasets: tuple[str, ...]) -> None:
    """Download Forms 3/4/5 from EDGAR into the mirror OUT (EDGAR's layout; a filing present is never asked for).

    --cik/--ticker take every filing where the CIK is the issuer or a reporting owner;
    without them --since/--until take every filing of those days. At the end one line:
    found, fetched, already present, failed; each failure on its own line. Exit status 1
    when any failed.

    \b
    Examples:
      SEC_USER_AGENT="Jane Doe jane@example.com" insidergraph fetch --ticker TSLA
      insidergraph fetch --cik 0001494730 --forms 4,4/A --since 2021-01-01 --until 2021-12-31 --out edgar
      insidergraph fetch --datasets 2024q3 --user-agent "Jane Doe jane@example.com" --rate 5 --no-progress
      insidergraph fetch --since 2024-07-01 --edgar-url http://127.0.0.1:8080 --data-url http://127.0.0.1:8080/ds
      insidergraph fetch --ticker TSLA --timeout 60 --pause-on-block 600
    """
    from insidergraph.edgar.fetching import fetch

    with Bars(wants_progress(progress)) as bars:
        result = fetch(out, user_agent=user_agent, ciks=ciks, tickers=tickers, since=_day(since), until=_day(until),
                       forms=forms, datasets=datasets, rate=rate, pause_on_block=pause_on_block, edgar_url=edgar_url,
                       data_url=data_url, timeout=timeout, progress=bars.counter(_BAR))
    _report(result.failures)
    click.echo(result.summary())
    exit_if(result.failures)


@click.command("update")
@store_option
@_common
def update_command(store: str, ciks: tuple[str, ...], tickers: tuple[str, ...], since: datetime | None,
                   until: datetime | None, out: str, user_agent: str | None, rate: int, pause_on_block: float,
                   timeout: float, edgar_url: str | None, data_url: str | None, progress: bool | None) -> None:
    """Fetch every Form 3/4/5 filed since the last day the store has seen, and add them to the store.

    For the CIKs and tickers the store was updated with before (kept in its manifest), or
    those given, or else every filer. --since overrides the last day. Run twice, the
    second run fetches nothing new and changes nothing.

    \b
    Examples:
      insidergraph update --store insidergraph-store
      insidergraph update --store insidergraph-store --ticker TSLA --cik 0001494730 --since 2024-07-01
      insidergraph update --until 2024-12-31 --out edgar --user-agent "Jane Doe jane@example.com" --rate 5 --no-progress
      insidergraph update --timeout 60 --pause-on-block 600 --edgar-url http://127.0.0.1:8080 --data-url http://127.0.0.1:8080/ds
    """
    from insidergraph.edgar.fetching import resolve_user_agent
    from insidergraph.edgar.updating import update

    resolve_user_agent(user_agent)  # no User-Agent: one line, before the store is even read
    with Bars(wants_progress(progress)) as bars:
        result = update(store, out, since=_day(since), until=_day(until), ciks=ciks, tickers=tickers, on_error=say,
                        user_agent=user_agent, rate=rate, pause_on_block=pause_on_block, edgar_url=edgar_url,
                        data_url=data_url, timeout=timeout, progress=bars.counter(_BAR))
    _report(result.fetch.failures)
    click.echo(result.summary())
    exit_if(result.fetch.failures or result.parse_failures)
