"""The files and columns of SEC's Insider Transactions Data Sets, and how each maps to the model.

The authority is the data set's own ``FORM_345_readme.htm`` and ``FORM_345_metadata.json``.
Where the three disagree, the headers of SEC's real TSV files win (what tools read):
``FORM3_HOLDINGS_REPORTED`` (the readme says ``FORM3_HOLDING_REPORTED``),
``EQUITY_SWAP_TRANS_CD_FN`` (the metadata says ``EQUITY_SWAP_INVOLVED_FN``), and
``EXCERCISE_DATE`` in DERIV_TRANS beside ``EXERCISE_DATE`` in DERIV_HOLDING. The metadata's
SUBMISSION contact columns are in no TSV; ``AFF10B5ONE`` is in the later quarters' SUBMISSION only.

>>> COLUMNS["DERIV_TRANS"][ROW_FIELDS["DERIV_TRANS"]["exercisable_date"]]
'date'
>>> ROW_FIELDS["DERIV_TRANS"]["exercisable_date"]
'EXCERCISE_DATE'
"""

from __future__ import annotations

#: The data set's files, in the readme's order.
FILES: tuple[str, ...] = (
    "SUBMISSION",
    "REPORTINGOWNER",
    "NONDERIV_TRANS",
    "NONDERIV_HOLDING",
    "DERIV_TRANS",
    "DERIV_HOLDING",
    "FOOTNOTES",
    "OWNER_SIGNATURE",
)

#: Other spellings of a column, as the metadata or readme gives it -> the real header's name.
ALIASES: dict[str, str] = {
    "EQUITY_SWAP_INVOLVED_FN": "EQUITY_SWAP_TRANS_CD_FN",
    "FORM3_HOLDING_REPORTED": "FORM3_HOLDINGS_REPORTED",
}

#: Columns a file may lack without being wrong (older quarters have no AFF10B5ONE).
OPTIONAL: frozenset[str] = frozenset({"AFF10B5ONE", "FILE_NUMBER"})

_S, _D, _N, _B, _F = "str", "date", "number", "bool", "fn"


def _value_columns(pairs: list[tuple[str, str]]) -> dict[str, str]:
    # A value column followed by its _FN sibling (the coding columns, which have none, are
    # written out where they occur).
    out: dict[str, str] = {}
    for name, kind in pairs:
        out[name] = kind
        out[name + "_FN"] = _F
    return out


#: Each file's columns in the real header's order, with their type (the readme's types:
#: DATE as DD-MON-YYYY, NUMBER(16,2) amounts, VARCHAR(1) flags written 0/1).
COLUMNS: dict[str, dict[str, str]] = {
    "SUBMISSION": {
        "ACCESSION_NUMBER": _S,
        "FILING_DATE": _D,
        "PERIOD_OF_REPORT": _D,
        "DATE_OF_ORIG_SUB": _D,
        "NO_SECURITIES_OWNED": _B,
        "NOT_SUBJECT_SEC16": _B,
        "FORM3_HOLDINGS_REPORTED": _B,
        "FORM4_TRANS_REPORTED": _B,
        "DOCUMENT_TYPE": _S,
        "ISSUERCIK": _S,
        "ISSUERNAME": _S,
        "ISSUERTRADINGSYMBOL": _S,
        "REMARKS": _S,
        "AFF10B5ONE": _B,
    },
    "REPORTINGOWNER": {
        "ACCESSION_NUMBER": _S,
        "RPTOWNERCIK": _S,
        "RPTOWNERNAME": _S,
        "RPTOWNER_RELATIONSHIP": _S,
        "RPTOWNER_TITLE": _S,
        "RPTOWNER_TXT": _S,
        "RPTOWNER_STREET1": _S,
        "RPTOWNER_STREET2": _S,
        "RPTOWNER_CITY": _S,
        "RPTOWNER_STATE": _S,
        "RPTOWNER_ZIPCODE": _S,
        "RPTOWNER_STATE_DESC": _S,
        "FILE_NUMBER": _S,
    },
    "NONDERIV_TRANS": {
        "ACCESSION_NUMBER": _S,
        "NONDERIV_TRANS_SK": _N,
        **_value_columns([("SECURITY_TITLE", _S), ("TRANS_DATE", _D), ("DEEMED_EXECUTION_DATE", _D)]),
        "TRANS_FORM_TYPE": _S,
        "TRANS_CODE": _S,
        "EQUITY_SWAP_INVOLVED": _B,
        "EQUITY_SWAP_TRANS_CD_FN": _F,
        **_value_columns(
            [
                ("TRANS_TIMELINESS", _S),
                ("TRANS_SHARES", _N),
                ("TRANS_PRICEPERSHARE", _N),
                ("TRANS_ACQUIRED_DISP_CD", _S),
                ("SHRS_OWND_FOLWNG_TRANS", _N),
                ("VALU_OWND_FOLWNG_TRANS", _N),
                ("DIRECT_INDIRECT_OWNERSHIP", _S),
                ("NATURE_OF_OWNERSHIP", _S),
            ]
        ),
    },
    "NONDERIV_HOLDING": {
        "ACCESSION_NUMBER": _S,
        "NONDERIV_HOLDING_SK": _N,
        **_value_columns(
            [
                ("SECURITY_TITLE", _S),
                ("TRANS_FORM_TYPE", _S),
                ("SHRS_OWND_FOLWNG_TRANS", _N),
                ("VALU_OWND_FOLWNG_TRANS", _N),
                ("DIRECT_INDIRECT_OWNERSHIP", _S),
                ("NATURE_OF_OWNERSHIP", _S),
            ]
        ),
    },
    "DERIV_TRANS": {
        "ACCESSION_NUMBER": _S,
        "DERIV_TRANS_SK": _N,
        **_value_columns(
            [
                ("SECURITY_TITLE", _S),
                ("CONV_EXERCISE_PRICE", _N),
                ("TRANS_DATE", _D),
                ("DEEMED_EXECUTION_DATE", _D),
            ]
        ),
        "TRANS_FORM_TYPE": _S,
        "TRANS_CODE": _S,
        "EQUITY_SWAP_INVOLVED": _B,
        "EQUITY_SWAP_TRANS_CD_FN": _F,
        **_value_columns(
            [
                ("TRANS_TIMELINESS", _S),
                ("TRANS_SHARES", _N),
                ("TRANS_TOTAL_VALUE", _N),
                ("TRANS_PRICEPERSHARE", _N),
                ("TRANS_ACQUIRED_DISP_CD", _S),
                ("EXCERCISE_DATE", _D),
                ("EXPIRATION_DATE", _D),
                ("UNDLYNG_SEC_TITLE", _S),
                ("UNDLYNG_SEC_SHARES", _N),
                ("UNDLYNG_SEC_VALUE", _N),
                ("SHRS_OWND_FOLWNG_TRANS", _N),
                ("VALU_OWND_FOLWNG_TRANS", _N),
                ("DIRECT_INDIRECT_OWNERSHIP", _S),
                ("NATURE_OF_OWNERSHIP", _S),
            ]
        ),
    },
    "DERIV_HOLDING": {
        "ACCESSION_NUMBER": _S,
        "DERIV_HOLDING_SK": _N,
        **_value_columns(
            [
                ("SECURITY_TITLE", _S),
                ("CONV_EXERCISE_PRICE", _N),
                ("TRANS_FORM_TYPE", _S),
                ("EXERCISE_DATE", _D),
                ("EXPIRATION_DATE", _D),
                ("UNDLYNG_SEC_TITLE", _S),
                ("UNDLYNG_SEC_SHARES", _N),
                ("UNDLYNG_SEC_VALUE", _N),
                ("SHRS_OWND_FOLWNG_TRANS", _N),
                ("VALU_OWND_FOLWNG_TRANS", _N),
                ("DIRECT_INDIRECT_OWNERSHIP", _S),
                ("NATURE_OF_OWNERSHIP", _S),
            ]
        ),
    },
    "FOOTNOTES": {"ACCESSION_NUMBER": _S, "FOOTNOTE_ID": _S, "FOOTNOTE_TXT": _S},
    "OWNER_SIGNATURE": {"ACCESSION_NUMBER": _S, "OWNERSIGNATURENAME": _S, "OWNERSIGNATUREDATE": _D},
}
#: Row model field -> column, per row file (a field's footnotes are in column + "_FN").
_COMMON = {
    "security_title": "SECURITY_TITLE",
    "shares_owned_following": "SHRS_OWND_FOLWNG_TRANS",
    "value_owned_following": "VALU_OWND_FOLWNG_TRANS",
    "direct_indirect": "DIRECT_INDIRECT_OWNERSHIP",
    "nature_of_ownership": "NATURE_OF_OWNERSHIP",
}
_TRANS = {
    "transaction_date": "TRANS_DATE",
    "deemed_execution_date": "DEEMED_EXECUTION_DATE",
    "transaction_form_type": "TRANS_FORM_TYPE",
    "transaction_code": "TRANS_CODE",
    "equity_swap_involved": "EQUITY_SWAP_INVOLVED",
    "transaction_timeliness": "TRANS_TIMELINESS",
    "shares": "TRANS_SHARES",
    "price_per_share": "TRANS_PRICEPERSHARE",
    "acquired_disposed": "TRANS_ACQUIRED_DISP_CD",
}
_UNDERLYING = {
    "exercise_price": "CONV_EXERCISE_PRICE",
    "expiration_date": "EXPIRATION_DATE",
    "underlying_title": "UNDLYNG_SEC_TITLE",
    "underlying_shares": "UNDLYNG_SEC_SHARES",
    "underlying_value": "UNDLYNG_SEC_VALUE",
}
ROW_FIELDS: dict[str, dict[str, str]] = {
    "NONDERIV_TRANS": {**_COMMON, **_TRANS},
    "NONDERIV_HOLDING": {**_COMMON, "transaction_form_type": "TRANS_FORM_TYPE"},
    "DERIV_TRANS": {
        **_COMMON,
        **_TRANS,
        **_UNDERLYING,
        "transaction_total_value": "TRANS_TOTAL_VALUE",
        "exercisable_date": "EXCERCISE_DATE",
    },
    "DERIV_HOLDING": {
        **_COMMON,
        **_UNDERLYING,
        "transaction_form_type": "TRANS_FORM_TYPE",
        "exercisable_date": "EXERCISE_DATE",
    },
}

#: The footnote column of a field whose column has no _FN of its own: the XML puts the
#: footnotes of <transactionCoding> on the transaction code, the data set in this column.
CODING_FN = {"transaction_code": "EQUITY_SWAP_TRANS_CD_FN"}


def footnote_column(file: str, field: str) -> str | None:
    """The column holding the footnote ids of ``field`` in ``file``, or ``None``.

    >>> footnote_column("NONDERIV_TRANS", "transaction_code")
    'EQUITY_SWAP_TRANS_CD_FN'
    >>> footnote_column("NONDERIV_TRANS", "shares")
    'TRANS_SHARES_FN'
    """
    if field in CODING_FN and CODING_FN[field] in COLUMNS[file]:
        return CODING_FN[field]
    column = ROW_FIELDS[file].get(field)
    if column is None or column + "_FN" not in COLUMNS[file]:
        return None
    return column + "_FN"
