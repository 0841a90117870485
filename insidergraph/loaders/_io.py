"""Reading a source (path, ``-`` for stdin, or an open binary file) into bytes, once.

>>> import io
>>> read_source(io.BytesIO(b"<a/>"))
(b'<a/>', '<stream>')
"""

from __future__ import annotations

import codecs
import os
import re
import sys
from typing import IO, Union

from insidergraph.errors import ParseError

#: What the loaders' ``parse`` functions accept.
SourceLike = Union[str, "os.PathLike[str]", IO[bytes]]

STDIN = "-"


def read_source(source: SourceLike) -> tuple[bytes, str]:
    """Return the bytes of ``source`` and the path to report in errors and ``Source.path``."""
    if hasattr(source, "read"):
        data = source.read()
        name = getattr(source, "name", None)
        return data, name if isinstance(name, str) else "<stream>"
    path = os.fspath(source)
    if path == STDIN:
        return sys.stdin.buffer.read(), STDIN
    try:
        with open(path, "rb") as handle:
            return handle.read(), path
    except IsADirectoryError:
        raise ParseError(path, "is a directory") from None
    except OSError as err:
        raise ParseError(path, f"cannot read: {err.strerror or err}") from None


# Byte-order marks (UTF-32 first: its little-endian mark starts with UTF-16's) and the
# first bytes of "<?" in UTF-16 without a mark.
_WIDE: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (b"<\x00?\x00", "utf-16-le", "UTF-16"),
    (b"\x00<\x00?", "utf-16-be", "UTF-16"),
)
_ENCODING_DECL = re.compile(r"""\A(<\?xml\b[^>]*?)\s+encoding\s*=\s*(?:"[^"]*"|'[^']*')""")


def to_utf8(data: bytes, path: str) -> bytes:
    """``data`` re-encoded as UTF-8 when it is UTF-16 or UTF-32 (by its byte-order mark, or
    a UTF-16 ``<?xml``), with the XML declaration's ``encoding`` dropped; else unchanged.

    Every loader then sees one encoding, so that sniffing, the DOCTYPE check and line
    numbers work alike for all.

    >>> to_utf8('<?xml version="1.0" encoding="UTF-16"?><a/>'.encode("utf-16"), "a.xml")
    b'<?xml version="1.0"?><a/>'
    >>> to_utf8(b"plain", "a.xml")
    b'plain'
    """
    found = next(((codec, name) for mark, codec, name in _WIDE if data.startswith(mark)), None)
    if found is None:
        return data
    codec, name = found
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as err:
        raise ParseError(path, f"starts as {name} but is not valid {name} at byte {err.start}: "
                               f"{err.reason}", 1) from None
    text = text.removeprefix("\ufeff")
    return _ENCODING_DECL.sub(r"\1", text, count=1).encode("utf-8")


def reject_nul(data: bytes, path: str) -> None:
    """A NUL byte means a binary or corrupted file: no form holds one.

    >>> reject_nul(b"ab\\ncd\\x00", "x.txt")
    Traceback (most recent call last):
    ...
    insidergraph.errors.ParseError: x.txt:2: NUL character (a binary or corrupted file)
    """
    at = data.find(b"\x00")
    if at >= 0:
        raise ParseError(path, "NUL character (a binary or corrupted file)", line_of(data, at))


def line_of(data: bytes, offset: int) -> int:
    """1-based line number of byte ``offset``, counting LF, CRLF and lone CR as line ends.

    >>> line_of(b"a\\r\\nb\\rc\\nd", 7)
    4
    """
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
