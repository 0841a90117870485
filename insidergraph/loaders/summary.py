"""The ``insidergraph parse --format table`` view: one readable line per filing.

>>> from insidergraph.model import Filing, Issuer, Source
>>> summary_row(Filing(accession=None, document_type="4", issuer=Issuer(cik=None, name="X"),
...                    source=Source(path="a.xml", format="xml")))[:3]
('-', '4', '-')
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import IO

from insidergraph.model import Filing

HEADERS = ("accession", "form", "period", "issuer", "owners", "rows I/II", "signed by", "file")
_NO_WRAP = frozenset({"accession", "form", "period", "rows I/II"})


def _owners(filing: Filing) -> str:
    names = [o.display_name or o.name for o in filing.reporting_owners]
    if len(names) > 2:
        return f"{names[0]}, {names[1]} +{len(names) - 2}"
    return ", ".join(names)


def summary_row(filing: Filing) -> tuple[str, ...]:
    """The cells of ``filing``'s line in the table."""
    issuer = filing.issuer.name or "-"
    if filing.issuer.ticker:
        issuer = f"{issuer} ({filing.issuer.ticker})"
    signers = ", ".join(
        (s.signer or s.text) + (" (attorney-in-fact)" if s.attorney_in_fact else "")
        for s in filing.signatures
    )
    return (
        filing.accession or "-",
        filing.document_type,
        filing.period_of_report.isoformat() if filing.period_of_report else "-",
        issuer,
        _owners(filing) or "-",
        f"{len(filing.non_derivative)}/{len(filing.derivative)}",
        signers or "-",
        filing.source.path.replace("\\", "/").rsplit("/", 1)[-1],
    )


def print_table(filings: Iterable[Filing], file: IO[str] | None = None) -> None:
    """Print a rich table of ``filings`` (rich is imported here, not at start-up)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for header in HEADERS:
        table.add_column(header, no_wrap=header in _NO_WRAP)
    for filing in filings:
        table.add_row(*summary_row(filing))
    # Off a terminal rich would assume 80 columns and squeeze every cell to nothing.
    target = file if file is not None else sys.stdout
    width = None if target.isatty() else 200
    Console(file=target, width=width).print(table)
