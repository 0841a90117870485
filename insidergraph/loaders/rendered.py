"""Read the form a reader sees: EDGAR's HTML rendering, its saved text, or a pre-2003 text filing.

One entry point for three variants, told apart by content:

* ``html``: EDGAR's rendering of the XML (``xslF345X0N``), see :mod:`.rendered_html`;
* ``rendered-text``: the plain text saved from such a page, see :mod:`.rendered_text`;
* ``legacy-text``: a typed Form 3/4/5 inside an SGML submission, see :mod:`.legacy_text`.

A rendering carries no CIK, so its issuer and owners keep ``cik=None``; the legacy SGML
header does name CIKs and they are used.

>>> filing = parse("form4-sonus-gruber-2004.txt")  # doctest: +SKIP
>>> filing.issuer.ticker, filing.source.format  # doctest: +SKIP
('SONS', 'rendered-text')
"""

from __future__ import annotations

import re

from insidergraph.errors import UnknownFormatError
from insidergraph.loaders._io import SourceLike, read_source
from insidergraph.model import Filing, SourceFormat

_HTML = re.compile(rb"<(?:html|table|body)\b", re.IGNORECASE)
_SGML = re.compile(rb"<SEC-(?:HEADER|DOCUMENT)>|<DOCUMENT>", re.IGNORECASE)
_TEXT_MARK = re.compile(rb"<TEXT>", re.IGNORECASE)
_BOX1 = re.compile(rb"Name\s+and\s+Address\s+of\s+Reporting\s+Person", re.IGNORECASE)
_TABLE1 = re.compile(rb"Table\s+I\s+-", re.IGNORECASE)
_XML_INSIDE = re.compile(rb"<ownershipDocument\b|<XML>", re.IGNORECASE)


def variant(data: bytes) -> SourceFormat | None:
    """Which of the three variants ``data`` is, or None when it is none of them.

    >>> variant(b"1. Name and Address of Reporting Person* X (Last) ... Table I - Non")
    'rendered-text'
    >>> variant(b"<ownershipDocument>...</ownershipDocument>") is None
    True
    """
    if _XML_INSIDE.search(data) or not _BOX1.search(data) or not _TABLE1.search(data):
        return None
    if _SGML.search(data) and _TEXT_MARK.search(data):
        return "legacy-text"
    if _HTML.search(data):
        return "html"
    return "rendered-text"


def sniff(data: bytes) -> bool:
    """True when ``data`` looks like a rendered or legacy-text Form 3, 4 or 5.

    >>> sniff(b"<ownershipDocument/>")
    False
    """
    return variant(data) is not None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Old SGML submissions and saved pages are often Latin-1.
        return data.decode("latin-1")


def parse_bytes(data: bytes, path: str) -> Filing:
    """Parse the content of one file; ``path`` is used for the source and error messages."""
    from insidergraph.loaders import legacy_text, rendered_form, rendered_html, rendered_text

    kind = variant(data)
    if kind is None:
        raise UnknownFormatError(path, "not a rendered Form 3, 4 or 5 (no box 1 'Name and Address "
                                       "of Reporting Person' and Table I)")
    if kind == "legacy-text":
        return legacy_text.parse_text(_decode(data), path)
    if kind == "html":
        return rendered_form.build_filing(rendered_html.read(data, path))
    return rendered_form.build_filing(rendered_text.read(_decode(data), path))


def parse(source: SourceLike | bytes) -> Filing:
    """Parse a path, ``-`` (stdin), an open binary file, or the bytes of a file."""
    if isinstance(source, bytes):
        return parse_bytes(source, "<bytes>")
    data, path = read_source(source)
    return parse_bytes(data, path)
