"""Loader for SEC ``ownershipDocument`` XML (Forms 3, 4, 5 and amendments, X0101 to X0609).

This module turns bytes into a tree; :mod:`insidergraph.loaders.xml_document` walks the
tree once with tag -> action tables (no XPath), which keeps parsing within a few times
the cost of ``lxml.etree.fromstring`` itself. Parsing is safe: no DTD loading, no entity
expansion, no network, no file or URL ever opened (a DOCTYPE's SYSTEM path is not read);
a DOCTYPE that declares entities (XXE, "billion laughs") is rejected before lxml sees it,
and a reference to an entity that only an external DTD could define is an error, never a
silently empty value. Amounts, dates and CIKs must be within
:mod:`insidergraph.loaders.bounds`. UTF-16 and UTF-32 documents (with
a byte-order mark) are read as such.

>>> f = parse_bytes(b'''<ownershipDocument><schemaVersion>X0508</schemaVersion>
... <documentType>4</documentType><periodOfReport>2021-09-30-05:00</periodOfReport>
... <issuer><issuerCik>1318605</issuerCik><issuerName>Tesla, Inc.</issuerName></issuer>
... </ownershipDocument>''', "0000899243-21-038212.xml")
>>> f.accession, f.issuer.cik, f.period_of_report.isoformat()
('0000899243-21-038212', '0001318605', '2021-09-30')
"""

from __future__ import annotations

import re
from typing import Any, cast

from lxml import etree

from insidergraph.errors import ParseError
from insidergraph.loaders._io import SourceLike, line_of, read_source, to_utf8
from insidergraph.loaders.xml_document import DOCUMENT_TYPES, accession_from_path, document
from insidergraph.loaders.xml_fields import Bad
from insidergraph.model import Filing, SourceFormat

__all__ = ["DOCUMENT_TYPES", "accession_from_path", "parse", "parse_bytes"]

ROOT = "ownershipDocument"

_LINE_COLUMN = re.compile(r",? line \d+, column \d+$")


class _RefuseExternal(etree.Resolver):
    """Answers every request for an external DTD or entity with nothing, so that no file
    or URL is opened even if some parser option asked libxml2 to load one."""

    def resolve(self, url: str | None, pubid: str | None, context: object) -> Any:
        return self.resolve_string("", context)


# One parser for the process. The first four settings make parsing safe; the rest make
# it lean: blank text between elements (the indentation) is never read, and dropping it
# halves libxml2's work. Values are stripped anyway, so no content is lost.
# ``collect_ids=False`` must never come back: lxml implements it by setting a bit of
# libxml2's ``loadsubset``, and any non-zero ``loadsubset`` makes libxml2 load the
# DOCTYPE's external subset (``SYSTEM "/etc/passwd"`` was opened, ``"/dev/stdin"`` hung).
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    huge_tree=False,
    load_dtd=False,
    remove_comments=True,
    remove_pis=True,
    remove_blank_text=True,
)
_PARSER.resolvers.add(_RefuseExternal())
# libxml2's messages for its safety limits name an option the user cannot set.
_LIMIT_MESSAGES = (
    (re.compile(r"Excessive depth in document: (\d+)"), "elements nested deeper than {0} levels"),
    (re.compile(r"(?:Huge input lookup|Buffer size limit exceeded|xmlSAX2Characters: huge text node"
                r"|AttValue length too long|Resource limit exceeded)"),
     "a value, attribute or name longer than libxml2's limit of 10,000,000 bytes"),
)


# --- entry points -------------------------------------------------------------------


def _strip_namespaces(root: Any) -> None:
    """Every element's tag without its namespace, in place."""
    # Rare in EDGAR; done as a separate pass so un-namespaced documents pay nothing.
    for el in root.iter():
        tag = el.tag
        if isinstance(tag, str) and tag[:1] == "{":
            el.tag = tag.split("}", 1)[1]


def _reject_entities(data: bytes, path: str, line_offset: int) -> None:
    """Refuse a DOCTYPE that declares entities, at the DOCTYPE's line."""
    start = data.find(b"<!DOCTYPE")
    if start >= 0 and data.find(b"<!ENTITY", start) >= 0:
        raise ParseError(
            path,
            "DOCTYPE declares entities; refused (entity expansion and external entities are unsafe)",
            line_of(data, start) + line_offset,
        )


def parse_bytes(
    data: bytes,
    path: str,
    *,
    line_offset: int = 0,
    fmt: SourceFormat = "xml",
    source_line: int | None = None,
) -> Filing:
    """Parse the bytes of one ownershipDocument; ``path`` names it in errors and ``Source``.

    ``line_offset`` is added to every line number reported, for XML embedded in a
    larger file (an EDGAR submission), whose own lines are then reported.

    >>> parse_bytes(b"<html/>", "x.xml")
    Traceback (most recent call last):
    ...
    insidergraph.errors.ParseError: x.xml:1: root element is <html>, expected <ownershipDocument>
    """
    data = to_utf8(data, path)
    if not data or data.isspace():
        raise ParseError(path, "empty file, expected an ownershipDocument XML", 1 + line_offset)
    if b"\r" in data:
        # libxml2 does not count lone CRs as line ends; XML treats CR, CRLF and LF alike,
        # so normalising keeps the content and makes the reported lines the file's lines.
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"<!DOCTYPE" in data:
        _reject_entities(data, path, line_offset)
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as err:
        message = _LINE_COLUMN.sub("", (err.msg or "malformed XML").strip())
        for pattern, plain in _LIMIT_MESSAGES:
            if m := pattern.search(message):
                message = plain.format(*m.groups())
                break
        line = (err.lineno or 1) + line_offset
        raise ParseError(path, f"malformed XML: {message}", line) from None
    # A parsed element's tag is its name, a str (the stubs give the setter's wider union).
    tag = cast(str, root.tag)
    if tag[:1] == "{":
        _strip_namespaces(root)
        tag = cast(str, root.tag)
    if tag != ROOT:
        raise ParseError(
            path,
            f"root element is <{tag}>, expected <{ROOT}>",
            (root.sourceline or 1) + line_offset,
        )
    try:
        return document(root, path, fmt, source_line)
    except Bad as err:
        line = getattr(err, "sourceline", None) or root.sourceline or 1
        raise ParseError(path, str(err), line + line_offset) from None


def parse(source: SourceLike) -> Filing:
    """Parse an ownershipDocument XML file (path, ``-`` for stdin, or open binary file).

    >>> import io
    >>> parse(io.BytesIO(b"<ownershipDocument><documentType>3</documentType></ownershipDocument>")).document_type
    '3'
    """
    data, path = read_source(source)
    return parse_bytes(data, path)
