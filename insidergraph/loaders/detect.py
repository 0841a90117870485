"""Pick the loader for a file by its content, never by its name.

* an EDGAR complete submission (``<SEC-DOCUMENT>``, ``<SUBMISSION>``) holding an
  ownershipDocument -> :mod:`insidergraph.loaders.submission`;
* an ``ownershipDocument`` XML (or any other XML, which then fails with a clear
  "root element" error) -> :mod:`insidergraph.loaders.xml`;
* an HTML rendering, a rendered plain-text form or a legacy SGML text Form 3/4/5
  -> :mod:`insidergraph.loaders.rendered`;
* a quarterly Insider Transactions Data Set (a zip, or a folder holding SUBMISSION.tsv)
  -> :mod:`insidergraph.loaders.form345`, many filings from one path (:func:`iter_path`);
* anything else -> :class:`~insidergraph.errors.UnknownFormatError`.

>>> import io
>>> parse_path(io.BytesIO(b"Dear shareholder, ...")).document_type
Traceback (most recent call last):
...
insidergraph.errors.UnknownFormatError: <stream>:1: not a Form 3, 4 or 5: no ownershipDocument XML, EDGAR submission or rendered form found
"""  # noqa: E501 (a doctest's expected error is its one-line message)

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Literal, overload

from insidergraph.errors import ParseError, UnknownFormatError
from insidergraph.loaders import form345, submission, xml
from insidergraph.loaders._io import STDIN, SourceLike, read_source, reject_nul, to_utf8
from insidergraph.model import Filing, PowerOfAttorney

__all__ = [
    "iter_filings",
    "iter_path",
    "iter_paths",
    "parse_all",
    "parse_bytes",
    "parse_document",
    "parse_path",
    "sniff",
]

_HEAD = 4096
_BOMS = (b"\xef\xbb\xbf",)
# Words that only a Form 3, 4 or 5 carries, in its rendered or legacy text form.
_FORM_MARKERS = re.compile(
    rb"STATEMENT\s+OF\s+CHANGES\s+IN\s+BENEFICIAL\s+OWNERSHIP"
    rb"|INITIAL\s+STATEMENT\s+OF\s+BENEFICIAL\s+OWNERSHIP"
    rb"|ANNUAL\s+STATEMENT\s+OF\s+(?:CHANGES\s+IN\s+)?BENEFICIAL\s+OWNERSHIP"
    rb"|\bFORM\s+[345]\b",
    re.IGNORECASE,
)
_HTML = re.compile(rb"<(?:!DOCTYPE\s+html|html|head|body|table)\b", re.IGNORECASE)
# A power of attorney names itself near its top; a rendered form has its tables' headings.
_POA_TITLE = re.compile(rb"power\s+of\s+attorney", re.IGNORECASE)
_FORM_TABLES = re.compile(rb"Non-?Derivative\s+Securities|Table\s+I\b", re.IGNORECASE)


def sniff(data: bytes) -> str:
    """Name the loader for ``data``: ``"xml"``, ``"submission"``, ``"rendered"`` or ``"unknown"``.

    >>> sniff(b'<?xml version="1.0"?><ownershipDocument/>')
    'xml'
    >>> sniff(b"<html><body>FORM 4</body></html>")
    'rendered'
    """
    head = data[:_HEAD].lstrip()
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :].lstrip()
    if submission.is_submission(head):
        return "submission" if b"<ownershipDocument" in data else "rendered"
    if b"<ownershipDocument" in head:
        return "xml"
    if b"<ownershipDocument" not in data and not _FORM_TABLES.search(data) and (
        _POA_TITLE.search(head) or re.match(rb"(?is)\s*(?:<[^>]*>\s*)*exhi?bit\s+24", head)
    ):
        return "ex24"
    if _HTML.search(head):
        return "rendered"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        # Some other XML, or broken XML: the XML loader says precisely what is wrong.
        return "xml" if b"<ownershipDocument" in data or not _FORM_MARKERS.search(data) else "rendered"
    if _FORM_MARKERS.search(data):
        return "rendered"
    return "unknown"


def _rendered(data: bytes, path: str) -> Filing:
    try:
        module = importlib.import_module("insidergraph.loaders.rendered")
    except ModuleNotFoundError as err:
        if err.name != "insidergraph.loaders.rendered":
            raise
        raise UnknownFormatError(
            path, "looks like an HTML or text rendering of a form, which no loader reads yet", 1
        ) from None
    parse_bytes_fn = getattr(module, "parse_bytes", None)
    if parse_bytes_fn is not None:
        filing: Filing = parse_bytes_fn(data, path)
        return filing
    if path == STDIN or not os.path.isfile(path):
        raise UnknownFormatError(path, "rendered forms can only be read from a file", 1)
    filing = module.parse(path)
    return filing


def _parse_all(data: bytes, path: str) -> list[Filing]:
    data = to_utf8(data, path)
    if not data or data.isspace():
        raise ParseError(path, "empty file", 1)
    reject_nul(data, path)
    kind = sniff(data)
    if kind == "xml":
        return [xml.parse_bytes(data, path)]
    if kind == "submission":
        return submission.parse_documents(data, path)
    if kind == "rendered":
        if submission.is_submission(data[:_HEAD]) and not _rendered_variant(data):
            raise UnknownFormatError(path, "EDGAR submission holds no ownership document (no <XML> "
                                           "block with an ownershipDocument, and no typed form)", 1)
        return [_rendered(data, path)]
    if kind == "ex24":
        raise UnknownFormatError(
            path, "a power of attorney (EX-24), not a Form 3, 4 or 5: `insidergraph build` reads it into the graph", 1
        )
    raise UnknownFormatError(
        path,
        "not a Form 3, 4 or 5: no ownershipDocument XML, EDGAR submission or rendered form found",
        1,
    )


def parse_document(source: SourceLike) -> Filing | PowerOfAttorney:
    """Like :func:`parse_path`, but a standalone EX-24 exhibit gives its :class:`PowerOfAttorney`.

    >>> parse_document("../shared/corpus/exhibits/0000899243-18-024846__attachment1.htm").grantor  # doctest: +SKIP
    'Roelof Botha'
    """
    data, path = read_source(source)
    if data and sniff(data) == "ex24":
        from insidergraph.loaders import ex24

        return ex24.parse_bytes(data, path)
    return parse_bytes(data, path)


def _rendered_variant(data: bytes) -> bool:
    from insidergraph.loaders import rendered

    return rendered.variant(data) is not None


def _guarded(path: str, parse: Callable[[], list[Filing]]) -> list[Filing]:
    try:
        return parse()
    except ParseError:
        raise
    except Exception as err:
        # A loader bug on odd input must cost that file only, never the batch around it;
        # it is still reported, with its type, so that it gets fixed.
        raise ParseError(path, f"internal error, please report it ({type(err).__name__}: {err})") from err


def parse_bytes(data: bytes, path: str) -> Filing:
    """Parse ``data`` with the loader its content calls for; ``path`` names it in errors.

    Any failure is a :class:`~insidergraph.errors.ParseError`. A submission holding two
    different ownership documents raises
    :class:`~insidergraph.loaders.submission.MultipleDocumentsError`: :func:`parse_all` gives both.
    """
    filings = parse_all_bytes(data, path)
    if len(filings) > 1:
        raise submission.MultipleDocumentsError(path, filings)
    return filings[0]


def parse_all_bytes(data: bytes, path: str) -> list[Filing]:
    """Every filing in ``data``: one, or each ownership document of a submission file."""
    return _guarded(path, lambda: _parse_all(data, path))


def parse_path(source: SourceLike) -> Filing:
    """Parse one file (path, ``-`` for stdin, or open binary file), whatever its format.

    >>> parse_path("../shared/corpus/txt/0000320193-22-000061__AAPL__F4.txt").issuer.ticker  # doctest: +SKIP
    'AAPL'
    """
    data, path = read_source(source)
    return parse_bytes(data, path)


def parse_all(source: SourceLike) -> list[Filing]:
    """Every filing of one file: :func:`parse_path`, but a submission holding several
    ownership documents gives each of them.

    >>> path = "../shared/corpus/xml/0000002488-24-000005__AMD__F4__2024-01-15__SMITH-DARLA-M__from-txt.xml"
    >>> [f.document_type for f in parse_all(path)]  # doctest: +SKIP
    ['4']
    """
    data, path = read_source(source)
    return parse_all_bytes(data, path)


def iter_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[str]:
    """Expand ``paths``: files as given, folders recursively (sorted, hidden names skipped),
    ``-`` as is. A path that does not exist is yielded too, so that reading it reports it.
    A folder holding a data set (SUBMISSION.tsv) is yielded whole, for :func:`iter_path`.

    >>> list(iter_paths(["-"]))
    ['-']
    """
    for item in paths:
        path = os.fspath(item)
        if path != STDIN and os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                if form345.is_dataset(root):
                    dirs[:] = []
                    yield root
                    continue
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield str(Path(root, name))
        else:
            yield path


@overload
def iter_path(path: str, powers: Literal[False] = False,
              every_document: bool = True) -> Iterator[Filing | ParseError]: ...
@overload
def iter_path(path: str, powers: bool,
              every_document: bool = True) -> Iterator[Filing | PowerOfAttorney | ParseError]: ...
def iter_path(path: str, powers: bool = False,
              every_document: bool = True) -> Iterator[Filing | PowerOfAttorney | ParseError]:
    """The filings of one path from :func:`iter_paths`: one for a file, every filing of a
    data set (zip or folder); a failure is yielded as its :class:`ParseError`. With
    ``powers``, a standalone EX-24 exhibit gives its :class:`PowerOfAttorney` (as
    :func:`parse_document` does) instead of an error. Without ``every_document``, a
    submission holding two different ownership documents is refused (the graph keeps one
    filing per accession, so the second would be lost) instead of giving both.

    >>> [type(x).__name__ for x in iter_path("/no/such/2024q3_form345.zip")]
    ['ParseError']
    """
    if path != STDIN and (os.path.isdir(path) or path.lower().endswith(".zip")):
        yield from form345.iter_dataset(path)
        return
    try:
        data, name = read_source(path)
        if data[:4] == b"PK\x03\x04" and path != STDIN:
            # A zip under another name: read once more by the data set loader, which needs the file.
            yield from form345.iter_dataset(path)
            return
        if powers and data and sniff(data) == "ex24":
            from insidergraph.loaders import ex24

            yield ex24.parse_bytes(data, name)
        elif every_document:
            # A submission holding several ownership documents gives each of them.
            yield from parse_all_bytes(data, name)
        else:
            yield parse_bytes(data, name)
    except ParseError as err:
        yield err


def iter_filings(
    paths: Iterable[str | os.PathLike[str]],
) -> Iterator[Filing | ParseError]:
    """Parse every file under ``paths``; a bad file yields its :class:`ParseError` instead.

    A submission file holding several ownership documents yields each of them.

    >>> [type(x).__name__ for x in iter_filings(["/no/such/file.xml"])]
    ['ParseError']
    """
    for path in iter_paths(paths):
        yield from iter_path(path)
