"""One hierarchy for every error insidergraph raises on user input.

The CLI turns any :class:`InsiderGraphError` into one line on stderr and exit status 1.

>>> str(ParseError("a.xml", "not an ownershipDocument", line=3))
'a.xml:3: not an ownershipDocument'
"""

from __future__ import annotations


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
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


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
