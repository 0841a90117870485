"""The transaction codes as the trade queries bind them, and their checks of options.

>>> codes_key("P")
',P,'
"""

from __future__ import annotations

from typing import Any

from insidergraph.errors import QueryError
from insidergraph.model import TRANSACTION_CODES

#: The transaction codes as one string every engine can look a code's words up in
#: (``codes|P=Open market...|S=...|``): SPARQL binds single values only, and the Cypher dialects
#: share no map lookup. No description holds ``|`` or ``=``; the head ``codes`` is there because
#: ladybug's ``split_part`` skips a leading empty part.
CODE_TABLE = "codes|" + "".join(f"{code}={words}|" for code, words in sorted(TRANSACTION_CODES.items()))


def codes_key(text: str) -> str:
    """``--codes`` (``P,S``: letters, commas) as the bound ``,P,S,``, or a :class:`QueryError`.

    >>> codes_key(" p, s "), codes_key("")
    (',P,S,', '')
    >>> codes_key("P,Q")
    Traceback (most recent call last):
    ...
    insidergraph.errors.QueryError: --codes: 'Q' is not a transaction code (one of A, C, D, E, F, G, H, I, J, K, L, M, O, P, S, U, V, W, X, Z)
    """  # noqa: E501 (a doctest's expected output is one line)
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    for code in codes:
        if code not in TRANSACTION_CODES:
            known = ", ".join(sorted(TRANSACTION_CODES))
            raise QueryError(f"--codes: {code!r} is not a transaction code (one of {known})")
    return "," + ",".join(codes) + "," if codes else ""


def one_window(query: Any, values: dict[str, Any]) -> None:
    """``--days`` counts back from the store's latest transaction: dates beside it would be two windows."""
    days = values.get("days")
    if days is None:
        return
    if days < 1:
        raise QueryError(f"{query.name}: --days must be 1 or more, not {days}")
    given = [p.option for p in query.params if p.type == "date" and values.get(p.name) is not None]
    if given:
        raise QueryError(f"{query.name}: --days and {' and '.join(given)} are two windows; give one")


__all__ = ["CODE_TABLE", "codes_key", "one_window"]
