"""The Neo4j backend's one-line error helpers: what the driver and the server say, as one line.

The driver's and the server's messages span lines (a stack of causes, the query text and a
caret under it); every error insidergraph reports is one line. These two are the only
places that pick that line, for the loader (:mod:`.connection`, :mod:`.runner`) and the
query engine (:mod:`.engine`) alike.

>>> driver_line(OSError("Failed to connect" + chr(10) + "  Connection refused  "))
'Connection refused'
>>> server_line("Invalid input 'x' (line 1, column 1)" + chr(10) + '"x"' + chr(10) + " ^")
"Invalid input 'x' (line 1, column 1)"
"""

from __future__ import annotations


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def driver_line(err: object) -> str:
    """The last non-blank line of a driver error (its innermost cause), else the error's type.

    >>> driver_line(ValueError(""))
    'ValueError'
    """
    lines = _lines(str(err))
    return lines[-1] if lines else type(err).__name__


def server_line(message: str) -> str:
    """The server's message without the query text and caret it quotes after the first line.

    >>> server_line("")
    'Neo4j refused the query'
    """
    lines = _lines(message)
    return lines[0] if lines else "Neo4j refused the query"
