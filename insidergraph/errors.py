r"""One hierarchy for every error insidergraph raises on user input.

The CLI turns any :class:`InsiderGraphError` into one line on stderr and exit status 1.
A :class:`ParseError` always prints as exactly one line, whatever the path or the
message hold (control characters are escaped, a long message is cut).

>>> str(ParseError("a.xml", "not an ownershipDocument", line=3))
'a.xml:3: not an ownershipDocument'
>>> print(ParseError("a\nb.xml", "bad value 'x\x00y'\n"))
a\nb.xml: bad value 'x\x00y'
"""

from __future__ import annotations

import re

#: The longest message a ParseError prints: a 20 MB value echoed back helps nobody.
MAX_MESSAGE = 400
# Line breaks and other control characters would split the one line a bad file gets.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    r"""``text`` as one printable line: control characters escaped, cut at ``limit``.

    >>> print(one_line("a\tb\r\nc"))
    a\tb\r\nc
    >>> len(one_line("x" * 10_000, 50))
    50
    """
    text = _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return text


def shown(value: str, limit: int = 40) -> str:
    """A filed value quoted for an error message, cut so that a huge one stays readable.

    >>> print(shown("1" * 100, 8))
    '11111111'... (100 characters)
    >>> print(shown("abc"))
    'abc'
    """
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... ({len(value)} characters)"


class InsiderGraphError(Exception):
    """Root of every error insidergraph raises for bad input, stores or servers."""


class ParseError(InsiderGraphError):
    """A file could not be read as an insider filing."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __reduce__(self) -> tuple[type, tuple[str, str, int | None]]:
        # Pickled as its parts, so that errors from parser worker processes keep path and line.
        return (type(self), (self.path, self.message, self.line))

    def __str__(self) -> str:
        # One line whatever the path or the message hold (a name with a newline, libxml2's
        # messages ending in one, a value full of control characters).
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return one_line(where, MAX_MESSAGE) + ": " + one_line(self.message.strip())


class UnknownFormatError(ParseError):
    """The content is no Form 3/4/5 in any format a loader reads."""


class StoreError(InsiderGraphError):
    """The on-disk store is missing, incomplete or of another version."""


class QueryError(InsiderGraphError):
    """A query failed; the message is the engine's own."""


class ExportError(InsiderGraphError):
    """An export could not be written."""


class Neo4jError(InsiderGraphError):
    """Neo4j could not be reached, refused the credentials, or lacks the database."""
