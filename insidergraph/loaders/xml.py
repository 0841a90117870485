"""Loader for SEC ``ownershipDocument`` XML (Forms 3, 4, 5 and amendments, X0101 to X0609).

The tree is walked once by direct child iteration with tag -> spec tables (no XPath),
which keeps parsing within a few times the cost of ``lxml.etree.fromstring`` itself.
Parsing is safe: no DTD loading, no entity expansion, no network, no file or URL ever
opened (a DOCTYPE's SYSTEM path is not read); a DOCTYPE that declares entities (XXE,
"billion laughs") is rejected before lxml sees it, and a reference to an entity that only
an external DTD could define is an error, never a silently empty value. Amounts, dates and
CIKs must be within :mod:`insidergraph.loaders.bounds`. UTF-16 and UTF-32 documents (with
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
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, cast

from lxml import etree

from insidergraph.errors import ParseError, shown
from insidergraph.loaders import bounds
from insidergraph.loaders._io import SourceLike, line_of, read_source, to_utf8
from insidergraph.loaders.names import display_name, owner_kind
from insidergraph.loaders.signatures import parse_signature
from insidergraph.model import (
    Address,
    DerivativeRow,
    Filing,
    Issuer,
    NonDerivativeRow,
    Relationship,
    ReportingOwner,
    Source,
    SourceFormat,
)

__all__ = ["DOCUMENT_TYPES", "accession_from_path", "parse", "parse_bytes"]

#: Document types an ownershipDocument may declare.
DOCUMENT_TYPES = frozenset({"3", "3/A", "4", "4/A", "5", "5/A"})

ROOT = "ownershipDocument"

_ACCESSION = re.compile(r"(?<!\d)(\d{10}-\d{2}-\d{6})(?!\d)")
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
_ENTITY = etree.Entity
# libxml2's messages for its safety limits name an option the user cannot set.
_LIMIT_MESSAGES = (
    (re.compile(r"Excessive depth in document: (\d+)"), "elements nested deeper than {0} levels"),
    (re.compile(r"(?:Huge input lookup|Buffer size limit exceeded|xmlSAX2Characters: huge text node"
                r"|AttValue length too long|Resource limit exceeded)"),
     "a value, attribute or name longer than libxml2's limit of 10,000,000 bytes"),
)


class _Bad(ValueError):
    """A value that cannot be read as its type; turned into a ParseError with a line."""

    sourceline: int | None = None  # the line of the element, where it is known


# --- value converters: text (already stripped, never empty) -> typed value ----------


def _str(text: str) -> str:
    return text


def _dec(text: str) -> Decimal:
    if len(text) > bounds.MAX_NUMBER_TEXT:
        return bounds.decimal_text(text)
    try:
        value = bounds.to_decimal(text)
    except bounds.NotANumber:
        # Filers sometimes paste "1,000" or "$5.00"; the digits are still exact.
        value = bounds.to_decimal(text.replace(",", "").replace("$", ""))
    return bounds.amount(value)


def _date(text: str) -> date:
    # Dates may carry a zone suffix ("2021-09-30-05:00"); the calendar day is what counts.
    try:
        value = date.fromisoformat(text[:10])
    except ValueError:
        raise _Bad(f"not a date: {shown(text)}") from None
    return bounds.checked_date(value)


_TRUE = frozenset({"1", "true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES"})
_FALSE = frozenset({"0", "false", "False", "FALSE", "n", "N", "no", "No", "NO"})


def _flag(text: str) -> bool:
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Bad(f"not a flag (1/0/true/false): {shown(text)}")


# --- the walk -------------------------------------------------------------------------
#
# One flat pre-order pass over ``root.iter()`` (a C loop) with a tag -> action table
# costs less than recursive child iteration and per-element calls. It relies on two facts of the
# schema: a ``<value>`` is a leaf whose parent is the last element seen that is not a
# ``<value>`` or ``<footnoteId>``, and tag names mean one thing wherever they occur.
# ``<footnoteId>`` may sit in a value element or in a container (transactionCoding),
# so its parent is looked up instead.

_Conv = Callable[[str], Any]

(
    _FOOTNOTE_ID,
    _FIELD,
    _DIRECT,
    _ROW,
    _OWNER,
    _OWNER_TEXT,
    _OWNER_FLAG,
    _ADDRESS,
    _SIGNATURE,
    _SIGNATURE_NAME,
    _SIGNATURE_DATE,
    _ISSUER_TEXT,
    _TOP_TEXT,
    _TOP_DATE,
    _TOP_FLAG,
    _FOOTNOTE,
) = range(16)

#: Value elements of table rows: tag -> (action, model field, converter).
_ROW_VALUES: dict[str, tuple[str, _Conv]] = {
    "securityTitle": ("security_title", _str),
    "conversionOrExercisePrice": ("exercise_price", _dec),
    "transactionDate": ("transaction_date", _date),
    "deemedExecutionDate": ("deemed_execution_date", _date),
    "transactionTimeliness": ("transaction_timeliness", _str),
    "transactionShares": ("shares", _dec),
    "transactionTotalValue": ("transaction_total_value", _dec),
    "transactionPricePerShare": ("price_per_share", _dec),
    "transactionAcquiredDisposedCode": ("acquired_disposed", _str),
    "exerciseDate": ("exercisable_date", _date),
    "expirationDate": ("expiration_date", _date),
    "underlyingSecurityTitle": ("underlying_title", _str),
    "underlyingSecurityShares": ("underlying_shares", _dec),
    "underlyingSecurityValue": ("underlying_value", _dec),
    "sharesOwnedFollowingTransaction": ("shares_owned_following", _dec),
    "valueOwnedFollowingTransaction": ("value_owned_following", _dec),
    "directOrIndirectOwnership": ("direct_indirect", _str),
    "natureOfOwnership": ("nature_of_ownership", _str),
}
#: Plain-text leaves inside transactionCoding.
_ROW_DIRECT: dict[str, tuple[str, _Conv]] = {
    "transactionFormType": ("transaction_form_type", _str),
    "transactionCode": ("transaction_code", _str),
    "equitySwapInvolved": ("equity_swap_involved", _flag),
}
#: Which field a ``<footnoteId>`` annotates, by its parent's tag. Footnotes on a
#: container annotate its headline value.
_FOOTNOTE_FIELD: dict[str, str] = {
    **{tag: spec[0] for tag, spec in _ROW_VALUES.items()},
    **{tag: spec[0] for tag, spec in _ROW_DIRECT.items()},
    "transactionCoding": "transaction_code",
    "transactionAmounts": "shares",
    "postTransactionAmounts": "shares_owned_following",
    "ownershipNature": "direct_indirect",
    "underlyingSecurity": "underlying_title",
}
_DERIVATIVE_ONLY = frozenset(
    {
        "exercise_price",
        "transaction_total_value",
        "exercisable_date",
        "expiration_date",
        "underlying_title",
        "underlying_shares",
        "underlying_value",
    }
)

_ACTIONS: dict[str, tuple[int, Any]] = {
    "footnoteId": (_FOOTNOTE_ID, None),
    **{tag: (_FIELD, spec) for tag, spec in _ROW_VALUES.items()},
    **{tag: (_DIRECT, spec) for tag, spec in _ROW_DIRECT.items()},
    "nonDerivativeTransaction": (_ROW, ("transaction", NonDerivativeRow)),
    "nonDerivativeHolding": (_ROW, ("holding", NonDerivativeRow)),
    "derivativeTransaction": (_ROW, ("transaction", DerivativeRow)),
    "derivativeHolding": (_ROW, ("holding", DerivativeRow)),
    "reportingOwner": (_OWNER, None),
    "rptOwnerCik": (_OWNER_TEXT, "cik"),
    "rptOwnerName": (_OWNER_TEXT, "name"),
    "officerTitle": (_OWNER_TEXT, "officer_title"),
    "otherText": (_OWNER_TEXT, "other_text"),
    "rptOwnerStreet1": (_OWNER_TEXT, "street1"),
    "rptOwnerStreet2": (_OWNER_TEXT, "street2"),
    "rptOwnerCity": (_OWNER_TEXT, "city"),
    "rptOwnerState": (_OWNER_TEXT, "state"),
    "rptOwnerZipCode": (_OWNER_TEXT, "zip_code"),
    "rptOwnerStateDescription": (_OWNER_TEXT, "state_description"),
    "isDirector": (_OWNER_FLAG, "is_director"),
    "isOfficer": (_OWNER_FLAG, "is_officer"),
    "isTenPercentOwner": (_OWNER_FLAG, "is_ten_percent_owner"),
    "isOther": (_OWNER_FLAG, "is_other"),
    "reportingOwnerAddress": (_ADDRESS, None),
    "ownerSignature": (_SIGNATURE, None),
    "signatureName": (_SIGNATURE_NAME, None),
    "signatureDate": (_SIGNATURE_DATE, None),
    "issuerCik": (_ISSUER_TEXT, "cik"),
    "issuerName": (_ISSUER_TEXT, "name"),
    "issuerTradingSymbol": (_ISSUER_TEXT, "ticker"),
    "schemaVersion": (_TOP_TEXT, "schema_version"),
    "documentType": (_TOP_TEXT, "document_type"),
    "remarks": (_TOP_TEXT, "remarks"),
    "periodOfReport": (_TOP_DATE, "period_of_report"),
    "dateOfOriginalSubmission": (_TOP_DATE, "date_of_original_submission"),
    "notSubjectToSection16": (_TOP_FLAG, "not_subject_to_section16"),
    "noSecuritiesOwned": (_TOP_FLAG, "no_securities_owned"),
    "aff10b5One": (_TOP_FLAG, "aff10b5one"),
    "footnote": (_FOOTNOTE, None),
}

_ADDRESS_KEYS = ("street1", "street2", "city", "state", "zip_code", "state_description")
_RELATIONSHIP_KEYS = (
    "is_director",
    "is_officer",
    "is_ten_percent_owner",
    "is_other",
    "officer_title",
    "other_text",
)


def _stripped(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None


def _make_owner(fields: dict[str, Any]) -> ReportingOwner:
    raw = fields.get("name") or ""
    kind = owner_kind(raw)
    address = None
    if fields.get("_address"):
        address = Address(**{k: fields[k] for k in _ADDRESS_KEYS if k in fields})
    return ReportingOwner(
        cik=fields.get("cik"),
        name=raw,
        display_name=display_name(raw, kind),
        kind=kind,
        relationship=Relationship(**{k: fields[k] for k in _RELATIONSHIP_KEYS if k in fields}),
        address=address,
    )


def _make_row(cls: type, kw: dict[str, Any], notes: dict[str, list[str]]) -> Any:
    if notes:
        kw["footnotes"] = {k: tuple(v) for k, v in notes.items()}
    if cls is NonDerivativeRow and not _DERIVATIVE_ONLY.isdisjoint(kw):
        # A derivative-only element in Table I: keep the row, drop what it cannot hold.
        kw = {k: v for k, v in kw.items() if k not in _DERIVATIVE_ONLY}
        kw["footnotes"] = {
            k: v for k, v in kw.get("footnotes", {}).items() if k not in _DERIVATIVE_ONLY
        }
    return cls(**kw)


def _document(root: Any, path: str, fmt: SourceFormat, source_line: int | None) -> Filing:
    top: dict[str, Any] = {}
    issuer: dict[str, str | None] = {}
    owners: list[dict[str, Any]] = []
    rows: list[tuple[type, dict[str, Any], dict[str, list[str]]]] = []
    signatures: list[list[Any]] = []
    footnotes: dict[str, str] = {}
    actions = _ACTIONS
    footnote_field = _FOOTNOTE_FIELD
    row: dict[str, Any] | None = None
    notes: dict[str, list[str]] = {}
    owner: dict[str, Any] = {}
    signature: list[Any] = ["", None]
    field: tuple[str, _Conv] | None = None
    document_line = root.sourceline
    el = root
    try:
        it = root.iter()
        next(it)
        for el in it:
            tag = el.tag
            # <value> is the commonest element: a string compare beats hashing the tag.
            if tag == "value":
                if field is not None and row is not None:
                    text = el.text
                    if text is not None:
                        text = text.strip()
                        if text:
                            row[field[0]] = field[1](text)
                continue
            act = actions.get(tag)
            if act is None:
                if tag is _ENTITY:
                    raise _Bad(f"reference to entity {el.text} which no part of the document defines "
                               "(external DTDs are never read)")
                field = None
                continue
            code = act[0]
            if code == _FIELD:
                # Every schema version wraps these values in <value>, read above.
                field = act[1]
            elif code == _FOOTNOTE_ID:
                name = footnote_field.get(el.getparent().tag)
                ident = el.get("id")
                if name is not None and ident and row is not None:
                    if name in notes:
                        notes[name].append(ident)
                    else:
                        notes[name] = [ident]
            elif code == _DIRECT:
                field = None
                text = _stripped(el.text)
                if text is not None and row is not None:
                    row[act[1][0]] = act[1][1](text)
            elif code == _ROW:
                field = None
                row = {"type": act[1][0]}
                notes = {}
                rows.append((act[1][1], row, notes))
            else:
                field = None
                if code == _OWNER_TEXT:
                    text = _stripped(el.text)
                    owner[act[1]] = bounds.cik(text) if text is not None and act[1] == "cik" else text
                elif code == _OWNER_FLAG:
                    text = _stripped(el.text)
                    if text is not None:
                        owner[act[1]] = _flag(text)
                elif code == _OWNER:
                    owner = {}
                    owners.append(owner)
                elif code == _ADDRESS:
                    owner["_address"] = True
                elif code == _SIGNATURE:
                    signature = ["", None]
                    signatures.append(signature)
                elif code == _SIGNATURE_NAME:
                    signature[0] = _stripped(el.text) or ""
                elif code == _SIGNATURE_DATE:
                    text = _stripped(el.text)
                    signature[1] = _date(text) if text is not None else None
                elif code == _ISSUER_TEXT:
                    text = _stripped(el.text)
                    issuer[act[1]] = bounds.cik(text) if text is not None and act[1] == "cik" else text
                elif code == _FOOTNOTE:
                    text = el.text if not len(el) else "".join(el.itertext())
                    footnotes[el.get("id") or ""] = (text or "").strip()
                elif code == _TOP_TEXT:
                    top[act[1]] = _stripped(el.text)
                    if act[1] == "document_type":
                        document_line = el.sourceline
                elif code == _TOP_DATE:
                    text = _stripped(el.text)
                    if text is not None:
                        top[act[1]] = _date(text)
                elif code == _TOP_FLAG:
                    text = _stripped(el.text)
                    if text is not None:
                        top[act[1]] = _flag(text)
    except (_Bad, bounds.OutOfBounds) as err:
        # Name the field: a <value> stands for its parent element.
        where = el.tag
        node = el
        while not isinstance(where, str) or where == "value":
            parent = node.getparent()
            if parent is None:
                break
            node, where = parent, parent.tag
        bad = _Bad(f"<{where}>: {err}" if isinstance(where, str) else str(err))
        bad.sourceline = el.sourceline
        raise bad from None

    document_type = top.pop("document_type", None)
    if document_type is None:
        raise _Bad("no <documentType>")
    if document_type not in DOCUMENT_TYPES:
        wrong = _Bad(f"documentType {shown(document_type)} is not a Form 3, 4 or 5")
        wrong.sourceline = document_line
        raise wrong
    owner_tuple = tuple(_make_owner(o) for o in owners)
    non_derivative: list[NonDerivativeRow] = []
    derivative: list[DerivativeRow] = []
    for cls, kw, row_notes in rows:
        made = _make_row(cls, kw, row_notes)
        (non_derivative if cls is NonDerivativeRow else derivative).append(made)
    return Filing(
        accession=accession_from_path(path),
        document_type=document_type,
        issuer=Issuer(cik=issuer.get("cik"), name=issuer.get("name"), ticker=issuer.get("ticker")),
        source=Source(path=path, format=fmt, line=source_line),
        reporting_owners=owner_tuple,
        non_derivative=tuple(non_derivative),
        derivative=tuple(derivative),
        footnotes=footnotes,
        signatures=tuple(parse_signature(text, when, owner_tuple) for text, when in signatures),
        **top,
    )


# --- entry points -------------------------------------------------------------------


def accession_from_path(path: str) -> str | None:
    """The accession number in a file name such as ``0000002488-24-000005__AMD.xml``.

    >>> accession_from_path("xml/0000002488-24-000005__AMD__F4.xml")
    '0000002488-24-000005'
    >>> accession_from_path("form4.xml") is None
    True
    """
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    match = _ACCESSION.search(name)
    return match.group(1) if match else None


def _strip_namespaces(root: Any) -> None:
    # Rare in EDGAR; done as a separate pass so un-namespaced documents pay nothing.
    for el in root.iter():
        tag = el.tag
        if isinstance(tag, str) and tag[:1] == "{":
            el.tag = tag.split("}", 1)[1]


def _reject_entities(data: bytes, path: str, line_offset: int) -> None:
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
        return _document(root, path, fmt, source_line)
    except _Bad as err:
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
