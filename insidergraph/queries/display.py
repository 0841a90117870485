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

import numbers
import re
import sys
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

import click
import numpy as np

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
_HEADERS: dict[str, str] = {"direct_indirect": "direct or indirect", "span_start": "from", "span_end": "until",
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
    """Whether a cell is a number (numpy's too; a bool is not one, nor a missing value).

    >>> is_number(3), is_number(2.5), is_number(Decimal("1.1")), is_number(True), is_number("3")
    (True, True, True, False, False)
    """
    return isinstance(value, numbers.Number) and not isinstance(value, bool | np.bool_) and not _missing(value)


def _missing(value: Any) -> bool:
    """None, NaN, pandas' NA or NaT: an empty cell.

    >>> _missing(None), _missing(float("nan")), _missing(Decimal("NaN")), _missing(0), _missing("")
    (True, True, True, False, False)
    """
    if value is None:
        return True
    if isinstance(value, str | list | tuple | dict) or hasattr(value, "__len__"):
        return False
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value: Any, kind: str) -> str:
    """A number as shown: thousands separators; money with two decimals; else whole when it
    is, up to four decimals when not.

    >>> number(5, "money"), number(Decimal("12.345"), "money"), number(-1500, ""), number(2.12345, "quantity")
    ('5.00', '12.35', '-1,500', '2.1235')
    >>> number(float("nan"), ""), number(float("inf"), "")
    ('', 'inf')
    """
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    if not exact.is_finite():
        return "" if exact.is_nan() else str(value)
    if kind == "money":
        # Half up, as people round money (format() alone rounds half to even: 12.345 -> 12.34).
        return f"{exact.quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"
    if exact == exact.to_integral_value():
        return f"{int(exact):,}"
    return f"{exact.quantize(Decimal('0.0001'), ROUND_HALF_UP):,.4f}".rstrip("0").rstrip(".")


def _item(value: Any, kind: str, title: bool) -> str:
    """One value (a cell, or an item of a list cell) as text.

    >>> import pandas as pd
    >>> _item(np.int64(1234), "", False), _item(pd.NA, "", False), _item(pd.Timestamp("2021-03-01"), "", False)
    ('1,234', '', '2021-03-01')
    >>> _item(True, "", False), _item(np.bool_(False), "", False), _item("OTHER_RELATION_TO: See remarks", "", False)
    ('yes', 'no', 'other: See Remarks')
    """
    if _missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if is_number(value):
        return number(value, kind)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    role = role_text_in_words(text)
    if role is not None:
        return role
    return display_title(text) if title else text


def _as_list(value: Any) -> list[Any] | None:
    """A list cell's items (a list, a tuple, a numpy array), or None for a single value."""
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, np.ndarray):
        return list(value.tolist())
    return None


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
        items = _as_list(value)
        if items is not None:
            cells.append(Text("\n".join(_list_items(items, kind, title))))
            continue
        text = _item(value, kind, title)
        url = None
        if _is_accession(column) and text and cik_at is not None and row[cik_at]:
            url = edgar_filing_url(text, str(row[cik_at]))
        cells.append(Text(text, style=Style(link=url)) if url else Text(text))
    return cells


#: The longest cell without spaces that is kept on one line (an accession is 20 characters);
#: also the most a word of a text column is kept whole for (a long IRI folds).
_ATOMIC = 24


def _fill(start: list[int], target: list[int], room: int) -> list[int]:
    """Widths from ``start`` towards ``target`` within ``room`` in all, rising together
    (water-filling: a narrow column is whole before a wide one gets more), what is left over
    completing the columns nearest to their target first.

    >>> _fill([4, 4, 4], [8, 20, 6], 20), _fill([6, 8], [9, 30], 20)
    ([7, 7, 6], [9, 11])
    """
    def at(level: int) -> list[int]:
        return [max(s, min(t, level)) for s, t in zip(start, target)]

    level = min(start)
    while level < max(target) and sum(at(level + 1)) <= room:
        level += 1
    widths = at(level)
    left = room - sum(widths)
    for k in sorted(range(len(widths)), key=lambda k: (target[k] - widths[k], k)):
        more = max(0, min(left, target[k] - widths[k]))
        widths[k] += more
        left -= more
    return widths


#: The narrowest a text column is made before rich is left to narrow every column.
_NARROWEST = 4


def plan_widths(levels: list[list[int]], available: int) -> list[int] | None:
    """Column widths that fit ``available``, from ``levels`` of widths per column, narrowest
    first: the widest level that fits whole, each column then widened together towards the
    next level (water-filling: a narrow column reaches it first). ``None`` when not even the
    first fits (rich then narrows every column).

    The table's levels are: a fixed column's widest cell and a few characters of a text
    column; the longest word of a text column's cells; the longest header word too; a text
    column's widest line; a fixed column's header on one line. So the cells' words are kept
    whole before the headers' ones, and those before any line is; a fixed column's header
    is on one line only when every text column is.

    >>> levels = [[10, 4, 4], [10, 4, 5], [10, 6, 5], [10, 20, 8]]
    >>> plan_widths(levels, 60), plan_widths(levels, 25), plan_widths(levels, 20), plan_widths(levels, 18)
    ([10, 20, 8], [10, 7, 8], [10, 5, 5], [10, 4, 4])
    >>> plan_widths(levels, 17) is None
    True
    """
    if sum(levels[-1]) <= available:
        return list(levels[-1])
    for low, high in zip(levels[-2::-1], levels[:0:-1]):
        if sum(low) <= available:
            return _fill(low, high, available)
    return None


def _extent(texts: list[str], name: str) -> list[int]:
    """The levels of :func:`plan_widths` for a column of these cell texts and header."""
    lines = [line for t in texts for line in t.split("\n")]
    heading = [len(w) for w in name.split()]
    widest = max([len(line) for line in lines] + [len(name)])
    if texts and all(len(t) <= _ATOMIC and not any(ch.isspace() for ch in t) for t in texts):
        # Never wrapped: as wide as its widest cell, or its longest header word when there is room.
        cells = max(len(t) for t in texts)
        least = max([cells, *heading])
        return [cells, cells, least, least, max(widest, least)]
    words = min(max([len(w) for line in lines for w in line.split()] or [0]), _ATOMIC)
    least = min(max([words, *heading]), _ATOMIC)
    return [min(max(words, 1), _NARROWEST), words, least, max(widest, least), max(widest, least)]


def _numeric(values: list[Any]) -> bool:
    """Whether a column is numbers (empty cells aside), right-aligned then.

    >>> _numeric([1, None, 2.5]), _numeric([1, "a"]), _numeric([None])
    (True, False, False)
    """
    present = [v for v in values if not _missing(v)]
    return bool(present) and all(is_number(v) for v in present)


def table(df: pd.DataFrame, width: int = 80) -> Table:
    """The rows of ``df`` as a rich table ``width`` characters wide at most, by the rules of
    this module.

    Numbers are right-aligned. A column whose cells are all short and without spaces (CIKs,
    dates, accessions, numbers, codes) is never wrapped, and the others wrap between words
    where the terminal leaves them room (:func:`plan_widths`), so that a narrow terminal
    wraps the names and titles instead of cutting ``0001494730`` or ``Beckman`` in two.
    """
    from rich.table import Table

    columns = [str(c) for c in df.columns]
    cik = _cik_column(columns)
    cik_at = columns.index(cik) if cik is not None else None
    rows = [_cells(tuple(row), columns, cik_at) for row in df.itertuples(index=False)]
    names = [header(c) for c in columns]
    extents = [_extent([row[k].plain for row in rows if row[k].plain], names[k]) for k in range(len(columns))]
    # Each column takes a space either side and a rule: 3 characters, and 1 for the last rule.
    widths = plan_widths([list(level) for level in zip(*extents)], width - 3 * len(columns) - 1)
    out = Table(show_lines=any(_as_list(v) is not None for c in df.columns for v in df[c]))
    for k, c in enumerate(df.columns):
        out.add_column(names[k], justify="right" if _numeric(list(df[c])) else "left", overflow="fold",
                       width=widths[k] if widths else None)
    for row in rows:
        out.add_row(*row)
    return out


def render(df: pd.DataFrame, console: Console) -> str:
    """The table as ``console`` would print it (styles and links only on a terminal)."""
    with console.capture() as captured:
        console.print(table(df, console.width))
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
