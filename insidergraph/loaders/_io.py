"""Reading a source (path, ``-`` for stdin, or an open binary file) into bytes, once.

>>> import io
>>> read_source(io.BytesIO(b"<a/>"))
(b'<a/>', '<stream>')
"""

from __future__ import annotations

import os
import sys
from typing import IO, Union

from insidergraph.errors import ParseError

#: What the loaders' ``parse`` functions accept.
SourceLike = Union[str, "os.PathLike[str]", IO[bytes]]

STDIN = "-"


def read_source(source: SourceLike) -> tuple[bytes, str]:
    """Return the bytes of ``source`` and the path to report in errors and ``Source.path``."""
    if hasattr(source, "read"):
        data = source.read()  # type: ignore[union-attr]
        name = getattr(source, "name", None)
        return data, name if isinstance(name, str) else "<stream>"
    path = os.fspath(source)  # type: ignore[arg-type]
    if path == STDIN:
        return sys.stdin.buffer.read(), STDIN
    try:
        with open(path, "rb") as handle:
            return handle.read(), path
    except IsADirectoryError:
        raise ParseError(path, "is a directory") from None
    except OSError as err:
        raise ParseError(path, f"cannot read: {err.strerror or err}") from None


def line_of(data: bytes, offset: int) -> int:
    """1-based line number of byte ``offset``, counting LF, CRLF and lone CR as line ends.

    >>> line_of(b"a\\r\\nb\\rc\\nd", 7)
    4
    """
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
