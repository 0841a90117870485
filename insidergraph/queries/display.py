"""Query answers as a table a person reads on a terminal (``--format table``).

Display only: CSV, JSON and the library keep every value as the query gave it. Rules, by
column name and value, so that a query added to the registry is shown the same way
without a word of its own:

- headers in words: ``_`` as a space, ``cik`` as ``CIK`` (:func:`header`);
- numbers right-aligned with thousands separators; money (a column named with ``price``,
  ``value``, ``amount``, ``cost`` or ``proceeds``) with two decimals; other numbers whole
  when they are, else up to four decimals (:func:`number`);
- list cells one item per line, rows then ruled apart;
- roles in words (``OFFICER_OF: CEO`` as ``officer: Chief Executive Officer``) and titles
  (a column named with ``title``, not a security's) spelled out, by
  :mod:`insidergraph.graph.words`;
- an accession is a terminal hyperlink (OSC 8) to its filing index on EDGAR, built by
  :func:`insidergraph.graph.ids.edgar_filing_url` from the row's issuer CIK (``issuer_cik``,
  else ``cik``, else the first ``*_cik`` column); where the terminal shows no hyperlinks it
  is the accession as text. A row with no CIK has no link.

>>> header("shared_count"), header("issuer_a_cik"), column_kind("avg_sale_price"), column_kind("net_shares")
('shared count', 'issuer A CIK', 'money', 'quantity')
>>> number(1221454168.3370001, "money"), number(3395707.0, ""), number(0.125, "")
('1,221,454,168.34', '3,395,707', '0.125')
"""

from __future__ import annotations

import math
import re
import sys
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

import click

from insidergraph.graph.ids import edgar_filing_url
from insidergraph.graph.words import display_title, role_text_in_words

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

#: Words of a header shown otherwise than in lower case.
_HEADER_WORDS: dict[str, str] = {"cik": "CIK", "ciks": "CIKs", "a": "A", "b": "B", "id": "ID", "ids": "IDs",
                                 "10b5": "10b5", "pct": "%"}
#: Whole headers with words of their own.
_HEADERS: dict[str, str] = {"direct_indirect": "direct/indirect", "span_start": "from", "span_end": "until",
                            "aff10b5one": "10b5-1 plan"}
#: Words that make a column money (two decimals), unless a word of _NOT_MONEY is there too.
_MONEY = frozenset({"price", "prices", "value", "values", "amount", "amounts", "cost", "proceeds"})
_NOT_MONEY = frozenset({"count", "n", "number", "pct", "percent", "ratio", "fraction", "share"})
_SPLIT = re.compile(r"[^a-z0-9]+")


def _words(column: str) -> list[str]:
    """A column name's words in lower case, up to ``per`` (``price_per_share`` is a price)."""
    words = [w for w in _SPLIT.split(column.lower()) if w]
    return words[: words.index("per")] if "per" in words else words


def header(column: str) -> str:
    """A column's header in words.

    >>> header("person_name"), header("span_start"), header("issuer_ciks"), header("type(r)")
    ('person name', 'from', 'issuer CIKs', 'type(r)')
    """
    if column in _HEADERS:
        return _HEADERS[column]
    if not re.fullmatch(r"[A-Za-z0-9_]+", column):
        return column  # an expression (ad-hoc Cypher's ``type(r)``) is shown as written
    return " ".join(_HEADER_WORDS.get(w.lower(), w) for w in column.split("_") if w)


def column_kind(column: str) -> str:
    """``money`` (two decimals), ``quantity`` (shares: whole or up to four decimals) or ``""``.

    >>> [column_kind(c) for c in ("price", "total_value", "price_per_share", "value_count", "shares_owned")]
    ['money', 'money', 'money', '', 'quantity']
    """
    words = set(_words(column))
    if words & _MONEY and not words & _NOT_MONEY:
        return "money"
    return "quantity" if "shares" in words else ""


def is_number(value: Any) -> bool:
    """Whether a cell is a number (a bool is not one).

    >>> is_number(3), is_number(2.5), is_number(Decimal("1.1")), is_number(True), is_number("3")
    (True, True, True, False, False)
    """
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def number(value: int | float | Decimal, kind: str) -> str:
    """A number as shown: thousands separators; money with two decimals; else whole when it
    is, up to four decimals when not.

    >>> number(5, "money"), number(Decimal("12.345"), "money"), number(-1500, ""), number(2.12345, "quantity")
    ('5.00', '12.35', '-1,500', '2.1235')
    >>> number(float("nan"), ""), number(float("inf"), "")
    ('', 'inf')
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "" if math.isnan(value) else str(value)
    if kind == "money":
        # Half up, as people round money (format() alone rounds half to even: 12.345 -> 12.34).
        return f"{Decimal(str(value)).quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"
    if isinstance(value, int) or value == int(value):
        return f"{int(value):,}"
    return f"{Decimal(str(value)).quantize(Decimal('0.0001'), ROUND_HALF_UP):,.4f}".rstrip("0").rstrip(".")


def _item(value: Any, kind: str, title: bool) -> str:
    """One value (a cell, or an item of a list cell) as text."""
    if value is None:
        return ""
    if is_number(value):
        return number(value, kind)
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    role = role_text_in_words(text)
    if role is not None:
        return role
    return display_title(text) if title else text


def _list_items(values: list[Any], kind: str, title: bool) -> list[str]:
    """The items of a list cell as text; a list of roles once each as shown (``OFFICER_OF: CEO``
    and ``OFFICER_OF: Chief Executive Officer`` are one role in words).

    >>> _list_items(["OFFICER_OF: CEO", "OFFICER_OF: Chief Executive Officer", "DIRECTOR_OF"], "", False)
    ['officer: Chief Executive Officer', 'director']
    >>> _list_items(["Acme", "Acme"], "", False)
    ['Acme', 'Acme']
    """
    shown = [_item(v, kind, title) for v in values]
    if values and all(isinstance(v, str) and role_text_in_words(v) is not None for v in values):
        return list(dict.fromkeys(shown))
    return shown


def _cik_column(columns: list[str]) -> str | None:
    """The column whose CIK an accession's link is built with."""
    for name in ("issuer_cik", "cik"):
        if name in columns:
            return name
    return next((c for c in columns if c.endswith("_cik")), None)


def _is_accession(column: str) -> bool:
    return column == "accession" or column.endswith("_accession")


def _is_title(column: str) -> bool:
    """Whether a column holds officers' titles (``title``, ``officer_title``), not a security's.

    >>> _is_title("title"), _is_title("officer_titles"), _is_title("security_title"), _is_title("underlying_title")
    (True, True, False, False)
    """
    words = _words(column)
    return bool(words) and words[-1] in ("title", "titles") and (len(words) == 1 or "officer" in words)


def _cells(row: tuple[Any, ...], columns: list[str], cik_at: int | None) -> list[Text]:
    """One row's cells as rich text (never markup: a name with brackets stays as filed)."""
    from rich.style import Style
    from rich.text import Text

    cells: list[Text] = []
    for column, value in zip(columns, row):
        kind, title = column_kind(column), _is_title(column)
        if isinstance(value, list):
            cells.append(Text("\n".join(_list_items(value, kind, title))))
            continue
        text = _item(value, kind, title)
        url = None
        if _is_accession(column) and text and cik_at is not None and row[cik_at]:
            url = edgar_filing_url(text, str(row[cik_at]))
        cells.append(Text(text, style=Style(link=url)) if url else Text(text))
    return cells


def table(df: pd.DataFrame) -> Table:
    """The rows of ``df`` as a rich table by the rules of this module."""
    from rich.table import Table

    columns = [str(c) for c in df.columns]
    cik = _cik_column(columns)
    cik_at = columns.index(cik) if cik is not None else None
    numeric = {c: bool(df[c].map(lambda v: v is not None and not is_number(v)).sum() == 0
                       and df[c].map(is_number).any()) for c in df.columns}
    lists = any(df[c].map(lambda v: isinstance(v, list)).any() for c in df.columns)
    out = Table(show_lines=lists)
    for c in df.columns:
        if numeric[c]:
            out.add_column(header(str(c)), justify="right", no_wrap=True)
        else:
            out.add_column(header(str(c)), overflow="fold")
    for row in df.itertuples(index=False):
        out.add_row(*_cells(tuple(row), columns, cik_at))
    return out


def render(df: pd.DataFrame, console: Console) -> str:
    """The table as ``console`` would print it (styles and links only on a terminal)."""
    with console.capture() as captured:
        console.print(table(df))
    return captured.get()


def show(df: pd.DataFrame, total: int) -> None:
    """Print ``df`` as a table on stdout, through a pager when stdout (and stdin) is a
    terminal and the table is taller than it; the row count on stderr.

    ``total`` is the number of rows before ``--limit``. The width is the terminal's, or
    ``COLUMNS`` (80 when neither says).
    """
    from rich.console import Console

    console = Console(highlight=False)
    text = render(df, console)
    tall = text.count("\n") > console.height - 1
    if tall and sys.stdout.isatty() and sys.stdin.isatty():
        # color None: click then runs less with LESS=-R (unless the user set LESS), so that
        # styles and links pass through; another pager gets the text without styles.
        click.echo_via_pager(text, color=None)
    else:
        click.echo(text, nl=False, color=console.is_terminal)
    rows = f"{total:,} row{'s' if total != 1 else ''}"
    click.echo(rows if len(df) == total else f"{len(df)} of {rows} (--limit {len(df)})", err=True)


__all__ = ["column_kind", "header", "is_number", "number", "render", "show", "table"]
