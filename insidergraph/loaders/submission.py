"""Loader for EDGAR complete-submission ``.txt`` files holding a Form 3, 4 or 5.

Two header styles occur: the ``<SEC-HEADER>`` block of ``KEY: value`` lines and the
``<SUBMISSION>`` style of one ``<TAG>value`` per line. The accession number, filing
date, submission type and period come from the header; the filing itself from the
``<XML>`` block of its ownership document (read by :mod:`insidergraph.loaders.xml`,
with error lines counted in the submission file); the other documents (EX-24 powers
of attorney above all) are listed as :class:`~insidergraph.model.Document`.

>>> f = parse("../shared/corpus/txt/0001127602-25-001055__AIR__F4.txt")  # doctest: +SKIP
>>> f.accession, [d.type for d in f.documents]  # doctest: +SKIP
('0001127602-25-001055', ['EX-24'])
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Any

from insidergraph.errors import ParseError, UnknownFormatError, shown
from insidergraph.loaders import bounds
from insidergraph.loaders import xml as xml_loader
from insidergraph.loaders._io import SourceLike, line_of, read_source, reject_nul
from insidergraph.model import Document, Filing, PowerOfAttorney

__all__ = ["MultipleDocumentsError", "is_submission", "parse", "parse_bytes", "parse_documents"]

# Header fields in both styles: key/value ("ACCESSION NUMBER:\t0000...") and tag style
# ("<ACCESSION-NUMBER>0000..."). Lines may end in LF, CRLF or a lone CR.
_HEADER_FIELDS: dict[str, re.Pattern[str]] = {
    "accession": re.compile(
        r"^[ \t]*(?:ACCESSION NUMBER:|<ACCESSION-NUMBER>)[ \t]*(\S+)", re.MULTILINE
    ),
    "type": re.compile(r"^[ \t]*(?:CONFORMED SUBMISSION TYPE:|<TYPE>)[ \t]*([^\r\n]+)", re.MULTILINE),
    "period": re.compile(
        r"^[ \t]*(?:CONFORMED PERIOD OF REPORT:|<PERIOD>)[ \t]*(\d{8})", re.MULTILINE
    ),
    "filed": re.compile(r"^[ \t]*(?:FILED AS OF DATE:|<FILING-DATE>)[ \t]*(\d{8})", re.MULTILINE),
}
_DOC_FIELD = re.compile(rb"^[ \t]*<(TYPE|SEQUENCE|FILENAME|DESCRIPTION)>[ \t]*([^\r\n]*)", re.MULTILINE)
_DOCUMENT = re.compile(rb"<DOCUMENT>")
_ACCESSION = re.compile(r"^\d{10}-\d{2}-\d{6}$")

_MARKERS = (b"<SEC-DOCUMENT>", b"<SUBMISSION>", b"<SEC-HEADER>", b"<IMS-HEADER>")


def is_submission(head: bytes) -> bool:
    """True when ``head`` (the first bytes of a file) starts an EDGAR submission.

    >>> is_submission(b"<SEC-DOCUMENT>0000320193-22-000061.txt : 20220506")
    True
    """
    return any(marker in head for marker in _MARKERS)


def _lf(chunk: bytes) -> bytes:
    # Some submissions end lines with a lone CR, which ``^`` in MULTILINE mode ignores.
    if b"\r" in chunk:
        return chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return chunk


def _yyyymmdd(text: str | None, path: str, field: str, line: int | None) -> date | None:
    if not text:
        return None
    try:
        return bounds.checked_date(date(int(text[:4]), int(text[4:6]), int(text[6:8])))
    except bounds.OutOfBounds as err:
        raise ParseError(path, f"{field}: {err}", line) from None
    except ValueError:
        raise ParseError(path, f"{field}: no such date: {text!r}", line) from None


def _header(data: bytes, end: int) -> dict[str, tuple[str, int]]:
    """Each header field's value and line."""
    text = _lf(data[:end]).decode("latin-1")
    found: dict[str, tuple[str, int]] = {}
    for key, pattern in _HEADER_FIELDS.items():
        match = pattern.search(text)
        if match:
            found[key] = (match.group(1).strip(), text.count("\n", 0, match.start()) + 1)
    return found


def _documents(data: bytes, starts: list[int], path: str) -> list[tuple[Document, int, int]]:
    """Each ``<DOCUMENT>`` with its byte span; fields are read up to its ``<TEXT>``."""
    out = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(data)
        text_at = data.find(b"<TEXT>", start, end)
        head = _lf(data[start : text_at if text_at >= 0 else end])
        fields: dict[str, str] = {}
        sequence: int | None = None
        for match in _DOC_FIELD.finditer(head):
            name = match.group(1).decode("ascii")
            if name in fields:
                continue
            fields[name] = match.group(2).decode("latin-1").strip()
            if name == "SEQUENCE" and fields[name]:
                try:
                    sequence = bounds.sequence(fields[name])
                except bounds.OutOfBounds as err:
                    line = line_of(data, start) + head.count(b"\n", 0, match.start())
                    raise ParseError(path, f"<SEQUENCE>: {err}", line) from None
        doc = Document(
            type=fields.get("TYPE") or "",
            sequence=sequence,
            filename=fields.get("FILENAME") or None,
            description=fields.get("DESCRIPTION") or None,
        )
        out.append((doc, start, end))
    return out


def _ownership_xml(data: bytes, path: str, doc_start: int, doc_end: int) -> tuple[bytes, int]:
    """The XML of one ownership document and the submission line it starts on."""
    open_at = data.find(b"<XML>", doc_start, doc_end)
    if open_at < 0:
        at = data.find(b"<ownershipDocument", doc_start, doc_end)
        raise ParseError(path, "ownershipDocument outside an <XML> block", line_of(data, at))
    body_start = open_at + len(b"<XML>")
    close_at = data.find(b"</XML>", body_start, doc_end)
    if close_at < 0:
        raise ParseError(
            path,
            "truncated submission: <XML> block has no </XML>",
            line_of(data, len(data.rstrip())),
        )
    body = data[body_start:close_at]
    # The XML declaration must come first, so leading blank lines and indentation go;
    # the line offset keeps lxml's line numbers those of the submission file.
    stripped = body.lstrip()
    return stripped, line_of(data, body_start + (len(body) - len(stripped)))


def parse_documents(data: bytes, path: str) -> list[Filing]:
    """Every ownership document of one complete-submission file, each as its own Filing
    (``source.line`` tells them apart); a document repeated byte for byte counts once.

    EDGAR puts one ownership document in a submission; a file holding more is read
    whole rather than keeping the first and dropping the rest unseen.
    """
    if not data or data.isspace():
        raise ParseError(path, "empty file, expected an EDGAR submission", 1)
    reject_nul(data, path)
    starts = [m.start() for m in _DOCUMENT.finditer(data)]
    header = _header(data, starts[0] if starts else len(data))
    documents = _documents(data, starts, path)
    xml_docs = [doc for doc in documents if data.find(b"<ownershipDocument", doc[1], doc[2]) >= 0]
    if not xml_docs:
        raise UnknownFormatError(path, "EDGAR submission holds no ownership document (no <XML> block "
                                       "with an ownershipDocument)", 1)
    accession, accession_line = header.get("accession", ("", None))
    if accession and not _ACCESSION.match(accession):
        raise ParseError(path, f"ACCESSION NUMBER: not an accession number (0000000000-00-000000): "
                               f"{shown(accession)}", accession_line)
    filed, filed_line = header.get("filed", ("", None))
    period_text, period_line = header.get("period", ("", None))
    xml_spans = {(start, end) for _, start, end in xml_docs}
    changes: dict[str, object] = {
        "filing_date": _yyyymmdd(filed, path, "FILED AS OF DATE", filed_line),
        "submission_type": header["type"][0] if "type" in header else None,
        "documents": tuple(doc for doc, start, end in documents if (start, end) not in xml_spans),
    }
    period = _yyyymmdd(period_text, path, "CONFORMED PERIOD OF REPORT", period_line)
    filings: list[Filing] = []
    seen: set[bytes] = set()
    for _, doc_start, doc_end in xml_docs:
        xml, xml_line = _ownership_xml(data, path, doc_start, doc_end)
        if xml in seen:
            continue
        seen.add(xml)
        filing = xml_loader.parse_bytes(xml, path, line_offset=xml_line - 1, fmt="submission",
                                        source_line=xml_line)
        extra: dict[str, Any] = dict(changes, accession=accession or filing.accession)
        extra["powers_of_attorney"] = _powers_of_attorney(data, documents, filing, accession or filing.accession)
        if filing.period_of_report is None:
            extra["period_of_report"] = period
        filings.append(dataclasses.replace(filing, **extra))
    return filings


def parse_bytes(data: bytes, path: str) -> Filing:
    """Parse the bytes of one complete-submission file; ``path`` names it in errors.

    A file with two different ownership documents is refused here, as one Filing cannot
    hold them: :func:`parse_documents` gives each.
    """
    filings = parse_documents(data, path)
    if len(filings) > 1:
        raise MultipleDocumentsError(path, filings)
    return filings[0]


class MultipleDocumentsError(ParseError):
    """A submission file holding several different ownership documents, where one was asked for."""

    def __init__(self, path: str, filings: list[Filing]) -> None:
        lines = ", ".join(str(f.source.line) for f in filings)
        super().__init__(
            path,
            f"EDGAR submission holds {len(filings)} different ownership documents (lines {lines}) "
            "under one accession; refused rather than keeping only the first",
            filings[0].source.line,
        )
        self.filings = filings

    def __reduce__(self) -> tuple[type, tuple[str, str, int | None]]:
        return (ParseError, (self.path, self.message, self.line))


def _powers_of_attorney(
    data: bytes, documents: list[tuple[Document, int, int]], filing: Filing, accession: str | None
) -> tuple[PowerOfAttorney, ...]:
    """The EX-24 documents of the submission, read as powers of attorney.

    The grantor is the filing's reporting owner when it has exactly one; otherwise the
    name in the exhibit's signature block.
    """
    from insidergraph.loaders import ex24

    out = []
    for doc, start, end in documents:
        if not doc.type.upper().startswith("EX-24"):
            continue
        text_at = data.find(b"<TEXT>", start, end)
        close = data.find(b"</TEXT>", max(text_at, start), end)
        body = data[text_at + len(b"<TEXT>") : close if close >= 0 else end] if text_at >= 0 else b""
        poa = ex24.read_power_of_attorney(ex24.document_text(body), accession=accession, document=doc.filename)
        if len(filing.reporting_owners) == 1:
            owner = filing.reporting_owners[0]
            poa = dataclasses.replace(poa, grantor=owner.name, grantor_cik=owner.cik)
        out.append(poa)
    return tuple(out)


def parse(source: SourceLike) -> Filing:
    """Parse an EDGAR complete-submission file (path, ``-`` for stdin, or binary file)."""
    data, path = read_source(source)
    return parse_bytes(data, path)
