"""One filing as one JSON object: the ``insidergraph parse`` line format.

:func:`filing_to_dict` gives plain Python values ready for JSON: CIKs as 10-digit
strings, dates as ISO ``YYYY-MM-DD`` strings, ``None`` for absent, and amounts kept as
:class:`~decimal.Decimal`. :func:`dumps` writes those Decimals as JSON *numbers* with
exactly the digits filed (``150000``, ``5.79``, ``0.0000``), never through a float.
The schema of the object is ``insidergraph/schemas/filing.schema.json``.

>>> from decimal import Decimal
>>> dumps({"price": Decimal("5.790"), "title": "Common Stock"})
'{"price":5.790,"title":"Common Stock"}'
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from insidergraph.model import (
    DERIVATIVE_FIELDS,
    Address,
    DerivativeRow,
    Filing,
    NonDerivativeRow,
    PowerOfAttorney,
)

__all__ = ["SCHEMA_PATH", "dumps", "filing_to_dict", "filing_to_json", "load_schema", "power_to_dict"]

#: The JSON Schema every :func:`filing_to_dict` result validates against.
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "filing.schema.json"

# Row keys in the order of the form's columns: the model's field order.
_NON_DERIVATIVE_KEYS: tuple[str, ...] = tuple(
    name for name in NonDerivativeRow.__dataclass_fields__ if name != "footnotes"
)
_DERIVATIVE_KEYS: tuple[str, ...] = tuple(
    name for name in DerivativeRow.__dataclass_fields__ if name != "footnotes"
)
_DATE_KEYS = frozenset(
    {"transaction_date", "deemed_execution_date", "exercisable_date", "expiration_date"}
)
_NUMBER_KEYS = frozenset(
    name
    for name, spec in DerivativeRow.__dataclass_fields__.items()
    if "Decimal" in str(spec.type)
)
# (keys, one C-level getter for all of them, indices of dates, indices of amounts)
_RowSpec = tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]], tuple[int, ...], tuple[int, ...]]


def _row_spec(keys: tuple[str, ...]) -> _RowSpec:
    return (
        keys,
        operator.attrgetter(*keys),
        tuple(i for i, k in enumerate(keys) if k in _DATE_KEYS),
        tuple(i for i, k in enumerate(keys) if k in _NUMBER_KEYS),
    )


_NON_DERIVATIVE_SPEC = _row_spec(_NON_DERIVATIVE_KEYS)
_DERIVATIVE_SPEC = _row_spec(_DERIVATIVE_KEYS)
assert set(DERIVATIVE_FIELDS) <= set(_DERIVATIVE_KEYS)

# XML 1.0 cannot carry U+0000, so no filed string can contain this marker: a Decimal
# becomes "\0<digits>\0" inside json's fast C encoder, and one regex then unquotes it.
_MARK = "\x00"
# How json writes a marked string's ends. An opening quote right before the escape can
# only be a marker: a filed backslash would itself be escaped as two backslashes.
_OPEN = '"\\u0000'
_CLOSE = '\\u0000"'


def _default(value: Any) -> Any:
    if value.__class__ is Decimal:
        return _MARK + str(value) + _MARK
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, frozenset, set)):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


# check_circular is off: filing_to_dict builds a fresh tree, which cannot have cycles.
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=_default, check_circular=False
)


def dumps(obj: Any) -> str:
    """Compact JSON with Decimals written as exact JSON numbers.

    >>> dumps([Decimal("150000"), Decimal("-0.5"), None])
    '[150000,-0.5,null]'
    """
    text = _ENCODER.encode(obj)
    if _OPEN in text:
        # Each piece after an opening marker starts with the digits, then the closing
        # marker: split and one replace per piece beat a regex over the whole line.
        pieces = text.split(_OPEN)
        text = pieces[0] + "".join([p.replace(_CLOSE, "", 1) for p in pieces[1:]])
    return text


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _address(address: Address | None) -> dict[str, str | None] | None:
    if address is None:
        return None
    return {
        "street1": address.street1,
        "street2": address.street2,
        "city": address.city,
        "state": address.state,
        "zip_code": address.zip_code,
        "state_description": address.state_description,
    }


def _json_number(value: Decimal) -> int | float | str:
    """The Decimal as a value json's C encoder writes with exactly the filed digits.

    Integers become ``int`` and short decimals ``float`` when ``repr`` gives back the
    same text (``146.56``); anything else (``0.0000``, ``-0``, long fractions) is
    marked for :func:`dumps` to unquote. It never fails and never grows a value: a long
    integer stays marked text (no int conversion limit), ``1E+999999`` stays those nine
    characters (loaders refuse both, see :mod:`insidergraph.loaders.bounds`, but a
    hand-built Filing may hold them). A NaN or infinity, which JSON cannot write, is
    refused with a ValueError naming it.

    >>> _json_number(Decimal("146.56")), _json_number(Decimal("150000"))
    (146.56, 150000)
    >>> len(dumps([Decimal("9" * 5000)])), dumps([Decimal("1e999999")])
    (5002, '[1E+999999]')
    """
    if not value.is_finite():
        raise ValueError(f"JSON has no number for {value}")
    text = str(value)
    if len(text) <= 15 and text.isdigit():
        return int(text)
    # Up to 17 characters a float's repr can give the same text back; longer never.
    if len(text) <= 17 and "E" not in text and repr(float(text)) == text:
        return float(text)
    return _MARK + text + _MARK


def _row(row: NonDerivativeRow | DerivativeRow, spec: _RowSpec, numbers: bool) -> dict[str, Any]:
    keys, getter, date_at, number_at = spec
    values = list(getter(row))
    for i in date_at:
        value = values[i]
        if value is not None:
            values[i] = value.isoformat()
    if numbers:
        for i in number_at:
            value = values[i]
            if value is not None:
                values[i] = _json_number(value)
    out = dict(zip(keys, values))
    # json writes tuples as arrays, so the JSON path can pass the ids as they are.
    out["footnotes"] = row.footnotes if numbers else {k: list(v) for k, v in row.footnotes.items()}
    return out


def filing_to_dict(filing: Filing, *, json_numbers: bool = False) -> dict[str, Any]:
    """The filing as a JSON-ready dict (Decimals kept exact; write it with :func:`dumps`).

    ``json_numbers=True`` is for :func:`filing_to_json`: amounts are turned into
    ``int``/``float``/marked text that serialise to exactly the filed digits.

    >>> from insidergraph.model import Issuer, Source
    >>> d = filing_to_dict(Filing(accession=None, document_type="4",
    ...     issuer=Issuer(cik="0000320193", name="Apple Inc.", ticker="AAPL"),
    ...     source=Source(path="a.xml", format="xml")))
    >>> d["issuer"], d["non_derivative"], d["source"]["format"]
    ({'cik': '0000320193', 'name': 'Apple Inc.', 'ticker': 'AAPL'}, [], 'xml')
    """
    issuer = filing.issuer
    return {
        "accession": filing.accession,
        "document_type": filing.document_type,
        "schema_version": filing.schema_version,
        "period_of_report": _iso(filing.period_of_report),
        "date_of_original_submission": _iso(filing.date_of_original_submission),
        "filing_date": _iso(filing.filing_date),
        "submission_type": filing.submission_type,
        "not_subject_to_section16": filing.not_subject_to_section16,
        "no_securities_owned": filing.no_securities_owned,
        "aff10b5one": filing.aff10b5one,
        "form3_holdings_reported": filing.form3_holdings_reported,
        "form4_transactions_reported": filing.form4_transactions_reported,
        "amounts_rounded": filing.amounts_rounded,
        "issuer": {"cik": issuer.cik, "name": issuer.name, "ticker": issuer.ticker},
        "reporting_owners": [
            {
                "cik": owner.cik,
                "name": owner.name,
                "display_name": owner.display_name,
                "kind": owner.kind,
                "is_director": owner.relationship.is_director,
                "is_officer": owner.relationship.is_officer,
                "is_ten_percent_owner": owner.relationship.is_ten_percent_owner,
                "is_other": owner.relationship.is_other,
                "officer_title": owner.relationship.officer_title,
                "other_text": owner.relationship.other_text,
                "address": _address(owner.address),
            }
            for owner in filing.reporting_owners
        ],
        "non_derivative": [
            _row(row, _NON_DERIVATIVE_SPEC, json_numbers) for row in filing.non_derivative
        ],
        "derivative": [_row(row, _DERIVATIVE_SPEC, json_numbers) for row in filing.derivative],
        "footnotes": dict(filing.footnotes),
        "remarks": filing.remarks,
        "signatures": [
            {
                "text": sig.text,
                "date": _iso(sig.date),
                "signer": sig.signer,
                "attorney_in_fact": sig.attorney_in_fact,
                "on_behalf_of": sig.on_behalf_of,
                "on_behalf_of_cik": sig.on_behalf_of_cik,
            }
            for sig in filing.signatures
        ],
        "documents": [
            {
                "type": doc.type,
                "sequence": doc.sequence,
                "filename": doc.filename,
                "description": doc.description,
            }
            for doc in filing.documents
        ],
        "powers_of_attorney": [power_to_dict(p) for p in filing.powers_of_attorney],
        "source": {
            "path": filing.source.path,
            "format": filing.source.format,
            "line": filing.source.line,
            "quarter": filing.source.quarter,
        },
    }


def power_to_dict(power: PowerOfAttorney) -> dict[str, Any]:
    """A power of attorney (EX-24) as a JSON-ready dict, as it appears in a filing's ``powers_of_attorney``.

    ``source`` is null for a power read from inside a submission (the filing's ``source`` says
    where), and the exhibit file's path and format (``ex24``) for a standalone exhibit.

    >>> power_to_dict(PowerOfAttorney(grantor="Roelof Botha", attorneys=("Jung Yeon Son",)))["attorneys"]
    ['Jung Yeon Son']
    """
    source = power.source
    return {
        "grantor": power.grantor,
        "grantor_cik": power.grantor_cik,
        "attorneys": list(power.attorneys),
        "companies": list(power.companies),
        "date_signed": _iso(power.date_signed),
        "revokes_prior": power.revokes_prior,
        "accession": power.accession,
        "document": power.document,
        "source": None if source is None else {
            "path": source.path, "format": source.format, "line": source.line, "quarter": source.quarter,
        },
    }


def filing_to_json(filing: Filing) -> str:
    """One JSON line (no newline) for ``filing``; amounts as exact numbers."""
    return dumps(filing_to_dict(filing, json_numbers=True))


def load_schema() -> dict[str, Any]:
    """The JSON Schema of :func:`filing_to_dict`'s output, as a dict."""
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema
