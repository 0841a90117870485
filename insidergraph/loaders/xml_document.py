"""From a parsed ``ownershipDocument`` tree to a :class:`~insidergraph.model.Filing`.

:mod:`insidergraph.loaders.xml` parses the bytes safely; this module walks the tree once
(a tag -> action table and the handlers of the actions; what the row fields mean is in
:mod:`insidergraph.loaders.xml_fields`) and assembles the typed filing. A value that
cannot be read raises :class:`~insidergraph.loaders.xml_fields.Bad`, naming the element
and its line, which the XML loader turns into a ``ParseError``.

>>> from lxml import etree
>>> root = etree.fromstring(b"<ownershipDocument><documentType>4</documentType>"
...                         b"<issuer><issuerCik>1318605</issuerCik></issuer></ownershipDocument>")
>>> document(root, "0000899243-21-038212.xml", "xml", None).issuer.cik
'0001318605'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from insidergraph.errors import shown
from insidergraph.loaders import bounds
from insidergraph.loaders.memo import shared
from insidergraph.loaders.names import display_name, owner_kind
from insidergraph.loaders.signatures import parse_signature
from insidergraph.loaders.xml_fields import (
    DERIVATIVE_ONLY,
    FOOTNOTE_FIELD,
    ROW_DIRECT,
    ROW_VALUES,
    Bad,
    Conv,
    date_value,
    flag_value,
)
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

__all__ = ["DOCUMENT_TYPES", "accession_from_path", "document"]

#: Document types an ownershipDocument may declare.
DOCUMENT_TYPES = frozenset({"3", "3/A", "4", "4/A", "5", "5/A"})

_ACCESSION = re.compile(r"(?<!\d)(\d{10}-\d{2}-\d{6})(?!\d)")
_ENTITY = etree.Entity

_ADDRESS_KEYS = ("street1", "street2", "city", "state", "zip_code", "state_description")
_RELATIONSHIP_KEYS = (
    "is_director",
    "is_officer",
    "is_ten_percent_owner",
    "is_other",
    "officer_title",
    "other_text",
)


def _make_owner(fields: dict[str, Any]) -> ReportingOwner:
    """The model owner of one ``<reportingOwner>`` record; kind and display name from its name."""
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
    """The model row of one table row's fields and footnote ids."""
    if notes:
        kw["footnotes"] = {k: tuple(v) for k, v in notes.items()}
    if cls is NonDerivativeRow and not DERIVATIVE_ONLY.isdisjoint(kw):
        # A derivative-only element in Table I: keep the row, drop what it cannot hold.
        kw = {k: v for k, v in kw.items() if k not in DERIVATIVE_ONLY}
        kw["footnotes"] = {
            k: v for k, v in kw.get("footnotes", {}).items() if k not in DERIVATIVE_ONLY
        }
    return cls(**kw)


# --- the walk -------------------------------------------------------------------------
#
# One flat pre-order pass over ``root.iter()`` (a C loop) with a tag -> action table
# costs less than recursive child iteration and per-element calls. It relies on two facts of the
# schema: a ``<value>`` is a leaf whose parent is the last element seen that is not a
# ``<value>`` or ``<footnoteId>``, and tag names mean one thing wherever they occur.
# ``<footnoteId>`` may sit in a value element or in a container (transactionCoding),
# so its parent is looked up instead. The row actions (the commonest) are handled in
# the loop itself; every other element calls its handler from :data:`_ACTIONS`.

_FOOTNOTE_ID, _FIELD, _DIRECT, _ROW, _HANDLER = range(5)


class _Parts:
    """What the walk collects outside the table rows: header, owners, signatures, notes."""

    __slots__ = ("document_line", "footnotes", "issuer", "owner", "owners", "signature",
                 "signatures", "top")

    def __init__(self, document_line: int | None) -> None:
        self.top: dict[str, Any] = {}
        self.issuer: dict[str, str | None] = {}
        self.owners: list[dict[str, Any]] = []
        # Fields seen before the first <reportingOwner> (or <ownerSignature>) go to a
        # record that is never kept, as they always did.
        self.owner: dict[str, Any] = {}
        self.signatures: list[list[Any]] = []
        self.signature: list[Any] = ["", None]
        self.footnotes: dict[str, str] = {}
        #: The line a wrong documentType is reported at: its element's, else the root's.
        self.document_line = document_line


def _stripped(text: str | None) -> str | None:
    """Text with its ends stripped; None when nothing is left.

    >>> _stripped("  4 "), _stripped("  ")
    ('4', None)
    """
    if text is None:
        return None
    text = text.strip()
    return shared(text) if text else None


def _owner_start(parts: _Parts, el: Any, key: Any) -> None:
    """``<reportingOwner>``: a new owner record."""
    parts.owner = {}
    parts.owners.append(parts.owner)


def _owner_text(parts: _Parts, el: Any, key: str) -> None:
    """A text field of the current owner (the CIK checked)."""
    text = _stripped(el.text)
    parts.owner[key] = bounds.cik(text) if text is not None and key == "cik" else text


def _owner_flag(parts: _Parts, el: Any, key: str) -> None:
    """A relationship flag of the current owner; an empty element says nothing."""
    text = _stripped(el.text)
    if text is not None:
        parts.owner[key] = flag_value(text)


def _owner_address(parts: _Parts, el: Any, key: Any) -> None:
    """``<reportingOwnerAddress>``: the owner has an address (even an empty one)."""
    parts.owner["_address"] = True


def _signature_start(parts: _Parts, el: Any, key: Any) -> None:
    """``<ownerSignature>``: a new (name, date) pair."""
    parts.signature = ["", None]
    parts.signatures.append(parts.signature)


def _signature_name(parts: _Parts, el: Any, key: Any) -> None:
    """``<signatureName>``: the raw signature text."""
    parts.signature[0] = _stripped(el.text) or ""


def _signature_date(parts: _Parts, el: Any, key: Any) -> None:
    """``<signatureDate>``: the date signed, if given."""
    text = _stripped(el.text)
    parts.signature[1] = date_value(text) if text is not None else None


def _issuer_text(parts: _Parts, el: Any, key: str) -> None:
    """A text field of the issuer (the CIK checked)."""
    text = _stripped(el.text)
    parts.issuer[key] = bounds.cik(text) if text is not None and key == "cik" else text


def _footnote(parts: _Parts, el: Any, key: Any) -> None:
    """``<footnote id=...>``: its whole text, inline markup included."""
    text = el.text if not len(el) else "".join(el.itertext())
    parts.footnotes[shared(el.get("id") or "")] = shared((text or "").strip())


def _top_text(parts: _Parts, el: Any, key: str) -> None:
    """A text field of the document; the documentType's line is kept for its error."""
    parts.top[key] = _stripped(el.text)
    if key == "document_type":
        parts.document_line = el.sourceline


def _top_date(parts: _Parts, el: Any, key: str) -> None:
    """A date field of the document; an empty element says nothing."""
    text = _stripped(el.text)
    if text is not None:
        parts.top[key] = date_value(text)


def _top_flag(parts: _Parts, el: Any, key: str) -> None:
    """A flag of the document; an empty element says nothing."""
    text = _stripped(el.text)
    if text is not None:
        parts.top[key] = flag_value(text)


_Handler = Callable[[_Parts, Any, Any], None]


def _handlers(handler: _Handler, keys: dict[str, str]) -> dict[str, tuple[int, Any]]:
    """Table entries calling ``handler`` with each tag's model key."""
    return {tag: (_HANDLER, (handler, key)) for tag, key in keys.items()}


_ACTIONS: dict[str, tuple[int, Any]] = {
    "footnoteId": (_FOOTNOTE_ID, None),
    **{tag: (_FIELD, spec) for tag, spec in ROW_VALUES.items()},
    **{tag: (_DIRECT, spec) for tag, spec in ROW_DIRECT.items()},
    "nonDerivativeTransaction": (_ROW, ("transaction", NonDerivativeRow)),
    "nonDerivativeHolding": (_ROW, ("holding", NonDerivativeRow)),
    "derivativeTransaction": (_ROW, ("transaction", DerivativeRow)),
    "derivativeHolding": (_ROW, ("holding", DerivativeRow)),
    "reportingOwner": (_HANDLER, (_owner_start, None)),
    **_handlers(_owner_text, {
        "rptOwnerCik": "cik", "rptOwnerName": "name", "officerTitle": "officer_title",
        "otherText": "other_text", "rptOwnerStreet1": "street1", "rptOwnerStreet2": "street2",
        "rptOwnerCity": "city", "rptOwnerState": "state", "rptOwnerZipCode": "zip_code",
        "rptOwnerStateDescription": "state_description",
    }),
    **_handlers(_owner_flag, {
        "isDirector": "is_director", "isOfficer": "is_officer",
        "isTenPercentOwner": "is_ten_percent_owner", "isOther": "is_other",
    }),
    "reportingOwnerAddress": (_HANDLER, (_owner_address, None)),
    "ownerSignature": (_HANDLER, (_signature_start, None)),
    "signatureName": (_HANDLER, (_signature_name, None)),
    "signatureDate": (_HANDLER, (_signature_date, None)),
    **_handlers(_issuer_text, {"issuerCik": "cik", "issuerName": "name", "issuerTradingSymbol": "ticker"}),
    **_handlers(_top_text, {
        "schemaVersion": "schema_version", "documentType": "document_type", "remarks": "remarks",
    }),
    **_handlers(_top_date, {
        "periodOfReport": "period_of_report", "dateOfOriginalSubmission": "date_of_original_submission",
    }),
    **_handlers(_top_flag, {
        "notSubjectToSection16": "not_subject_to_section16", "noSecuritiesOwned": "no_securities_owned",
        "aff10b5One": "aff10b5one",
        # Form 5: holdings or transactions already reported on Form 3 or 4 (the data set's
        # FORM3_HOLDINGS_REPORTED and FORM4_TRANS_REPORTED).
        "form3HoldingsReported": "form3_holdings_reported",
        "form4TransactionsReported": "form4_transactions_reported",
    }),
    "footnote": (_HANDLER, (_footnote, None)),
}

_Row = tuple[type, dict[str, Any], dict[str, list[str]]]


def _note(notes: dict[str, list[str]], el: Any) -> None:
    """A ``<footnoteId>`` of a row: the id, on the field its parent element stands for."""
    name = FOOTNOTE_FIELD.get(el.getparent().tag)
    ident = el.get("id")
    if name is not None and ident:
        ident = shared(ident)
        if name in notes:
            notes[name].append(ident)
        else:
            notes[name] = [ident]


def _direct(row: dict[str, Any], el: Any, spec: tuple[str, Conv]) -> None:
    """A plain-text leaf of a row (inside transactionCoding), converted."""
    text = _stripped(el.text)
    if text is not None:
        row[spec[0]] = spec[1](text)


def _located(err: Exception, el: Any) -> Bad:
    """``err`` as a :class:`Bad` naming the element (a ``<value>`` stands for its parent)."""
    where = el.tag
    node = el
    while not isinstance(where, str) or where == "value":
        parent = node.getparent()
        if parent is None:
            break
        node, where = parent, parent.tag
    bad = Bad(f"<{where}>: {err}" if isinstance(where, str) else str(err))
    bad.sourceline = el.sourceline
    return bad


def _walk(root: Any, parts: _Parts) -> list[_Row]:
    """One pass over the tree: the table rows it returns, everything else into ``parts``."""
    actions = _ACTIONS
    rows: list[_Row] = []
    row: dict[str, Any] | None = None
    notes: dict[str, list[str]] = {}
    field: tuple[str, Conv] | None = None
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
                    raise Bad(f"reference to entity {el.text} which no part of the document defines "
                              "(external DTDs are never read)")
                field = None
                continue
            code, spec = act
            if code == _FIELD:
                # Every schema version wraps these values in <value>, read above.
                field = spec
            elif code == _FOOTNOTE_ID:
                # A footnote inside a value element leaves the element's value to be read.
                if row is not None:
                    _note(notes, el)
            elif code == _ROW:
                field = None
                row = {"type": spec[0]}
                notes = {}
                rows.append((spec[1], row, notes))
            else:
                field = None
                if code == _DIRECT:
                    if row is not None:
                        _direct(row, el, spec)
                else:
                    spec[0](parts, el, spec[1])
    except (Bad, bounds.OutOfBounds) as err:
        raise _located(err, el) from None
    return rows


def _document_type(parts: _Parts) -> str:
    """The declared documentType, taken out of the header fields; it must be a Form 3, 4 or 5."""
    document_type = parts.top.pop("document_type", None)
    if document_type is None:
        raise Bad("no <documentType>")
    if document_type not in DOCUMENT_TYPES:
        wrong = Bad(f"documentType {shown(document_type)} is not a Form 3, 4 or 5")
        wrong.sourceline = parts.document_line
        raise wrong
    return str(document_type)


def document(root: Any, path: str, fmt: SourceFormat, source_line: int | None) -> Filing:
    """The Filing an ownershipDocument's parsed ``root`` states; :class:`Bad` if it cannot be read."""
    parts = _Parts(root.sourceline)
    rows = _walk(root, parts)
    document_type = _document_type(parts)
    owner_tuple = tuple(_make_owner(o) for o in parts.owners)
    non_derivative: list[NonDerivativeRow] = []
    derivative: list[DerivativeRow] = []
    for cls, kw, row_notes in rows:
        made = _make_row(cls, kw, row_notes)
        (non_derivative if cls is NonDerivativeRow else derivative).append(made)
    return Filing(
        accession=accession_from_path(path),
        document_type=document_type,
        issuer=Issuer(cik=parts.issuer.get("cik"), name=parts.issuer.get("name"),
                      ticker=parts.issuer.get("ticker")),
        source=Source(path=path, format=fmt, line=source_line),
        reporting_owners=owner_tuple,
        non_derivative=tuple(non_derivative),
        derivative=tuple(derivative),
        footnotes=parts.footnotes,
        signatures=tuple(parse_signature(text, when, owner_tuple) for text, when in parts.signatures),
        **parts.top,
    )


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
