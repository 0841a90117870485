"""Write filings in the layout of SEC's Insider Transactions Data Sets (``export --format form345``).

Every file of the data set, every column of SEC's real headers (see
:mod:`insidergraph.loaders.form345_columns`; SUBMISSION with ``AFF10B5ONE`` last, as the later
quarters have it), the readme's types: dates ``DD-MON-YYYY``, flags ``1``/``0``, amounts rounded
to 2 decimals (NUMBER(16,2)), footnote ids joined by ``", "``, CSV quoting where a value holds a
tab, quote or newline. Row keys (``*_SK``) count rows from 1 in accession order, so the same
filings always give the same bytes. What the data set has no column for is not written: a
filing's schema version and other documents, a filing without an accession number. Footnotes
on a transaction's form type or swap flag share the coding's one column
(EQUITY_SWAP_TRANS_CD_FN) and so read back on its transaction code.

>>> import tempfile, os
>>> with tempfile.TemporaryDirectory() as out:
...     write_dataset([], out), sorted(os.listdir(out))[:3]
(0, ['DERIV_HOLDING.tsv', 'DERIV_TRANS.tsv', 'FOOTNOTES.tsv'])
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from insidergraph.errors import ExportError
from insidergraph.loaders.form345_columns import COLUMNS, FILES, ROW_FIELDS, footnote_column
from insidergraph.model import Filing

__all__ = ["export_store", "write_dataset"]

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_CENT = Decimal("0.01")
#: Footnotes the XML hangs on <transactionCoding> parts: the data set has one column for them.
_CODING = ("transaction_code", "equity_swap_involved", "transaction_form_type")


def _date(value: date | None) -> str | None:
    return None if value is None else f"{value.day:02d}-{_MONTHS[value.month - 1]}-{value.year:04d}"


def _flag(value: bool | None) -> str | None:
    return None if value is None else ("1" if value else "0")


def _amount(value: Decimal | None) -> str | None:
    """Rounded to 2 decimals, written as SEC writes it (``224.05``, ``250.0``)."""
    if value is None:
        return None
    text = format(value.quantize(_CENT, rounding=ROUND_HALF_UP), "f")
    text = text.rstrip("0")
    return text + "0" if text.endswith(".") else text


def _cell(kind: str, value: Any) -> str | None:
    if kind == "date":
        return _date(value)
    if kind == "bool":
        return _flag(value)
    if kind == "number":
        return _amount(value)
    text: str | None = value  # the other columns hold the model's text as it is
    return text


def _row_cells(file: str, row: Any, sk: int) -> dict[str, str | None]:
    kinds = COLUMNS[file]
    cells: dict[str, str | None] = {f"{file}_SK": str(sk)}
    for model_field, column in ROW_FIELDS[file].items():
        cells[column] = _cell(kinds[column], getattr(row, model_field))
    notes = row.footnotes
    for model_field in ROW_FIELDS[file]:
        fn_column = footnote_column(file, model_field)
        if fn_column is None or model_field in _CODING:
            continue
        ids = notes.get(model_field)
        cells[fn_column] = ", ".join(ids) if ids else None
    if "EQUITY_SWAP_TRANS_CD_FN" in kinds:
        ids = [i for k in _CODING for i in notes.get(k, ())]
        cells["EQUITY_SWAP_TRANS_CD_FN"] = ", ".join(dict.fromkeys(ids)) or None
    elif "TRANS_FORM_TYPE_FN" in kinds:
        ids = [i for k in _CODING for i in notes.get(k, ())]
        cells["TRANS_FORM_TYPE_FN"] = ", ".join(dict.fromkeys(ids)) or None
    return cells


def _submission(f: Filing) -> dict[str, str | None]:
    return {
        "FILING_DATE": _date(f.filing_date),
        "PERIOD_OF_REPORT": _date(f.period_of_report),
        "DATE_OF_ORIG_SUB": _date(f.date_of_original_submission),
        "NO_SECURITIES_OWNED": _flag(f.no_securities_owned),
        "NOT_SUBJECT_SEC16": _flag(f.not_subject_to_section16),
        "FORM3_HOLDINGS_REPORTED": _flag(f.form3_holdings_reported),
        "FORM4_TRANS_REPORTED": _flag(f.form4_transactions_reported),
        "DOCUMENT_TYPE": f.document_type,
        "ISSUERCIK": f.issuer.cik,
        "ISSUERNAME": f.issuer.name,
        "ISSUERTRADINGSYMBOL": f.issuer.ticker,
        "REMARKS": f.remarks,
        "AFF10B5ONE": _flag(f.aff10b5one),
    }


def _owner(o: Any) -> dict[str, str | None]:
    rel = o.relationship
    names = [n for n, on in (("Director", rel.is_director), ("Officer", rel.is_officer),
                             ("TenPercentOwner", rel.is_ten_percent_owner), ("Other", rel.is_other)) if on]
    a = o.address
    return {
        "RPTOWNERCIK": o.cik, "RPTOWNERNAME": o.name, "RPTOWNER_RELATIONSHIP": ",".join(names) or None,
        "RPTOWNER_TITLE": rel.officer_title, "RPTOWNER_TXT": rel.other_text,
        "RPTOWNER_STREET1": a and a.street1, "RPTOWNER_STREET2": a and a.street2, "RPTOWNER_CITY": a and a.city,
        "RPTOWNER_STATE": a and a.state, "RPTOWNER_ZIPCODE": a and a.zip_code,
        "RPTOWNER_STATE_DESC": a and a.state_description, "FILE_NUMBER": None,
    }


def _records(filings: Iterable[Filing]) -> dict[str, list[dict[str, str | None]]]:
    out: dict[str, list[dict[str, str | None]]] = {name: [] for name in FILES}
    sk = {name: 0 for name in FILES}
    for f in sorted(filings, key=lambda x: x.accession or ""):
        if not f.accession:
            continue  # the data set is keyed by accession; a filing without one has no place in it
        acc = {"ACCESSION_NUMBER": f.accession}
        out["SUBMISSION"].append({**acc, **_submission(f)})
        out["REPORTINGOWNER"].extend({**acc, **_owner(o)} for o in f.reporting_owners)
        for rows, trans, hold in ((f.non_derivative, "NONDERIV_TRANS", "NONDERIV_HOLDING"),
                                  (f.derivative, "DERIV_TRANS", "DERIV_HOLDING")):
            for row in rows:
                file = trans if row.type == "transaction" else hold
                sk[file] += 1
                out[file].append({**acc, **_row_cells(file, row, sk[file])})
        out["FOOTNOTES"].extend({**acc, "FOOTNOTE_ID": k, "FOOTNOTE_TXT": v} for k, v in sorted(f.footnotes.items()))
        out["OWNER_SIGNATURE"].extend(
            {**acc, "OWNERSIGNATURENAME": s.text, "OWNERSIGNATUREDATE": _date(s.date)} for s in f.signatures)
    return out


def _quoted(column: pa.Array) -> pa.Array:
    """CSV-style quoting, as SEC's files have it, only for cells holding a tab, quote or line end."""
    needs = pc.fill_null(pc.match_substring_regex(column, '[\t"\r\n]'), False)
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(column, '"', '""'), '"', "")
    return pc.fill_null(pc.if_else(needs, quoted, column), "")


def _write_tsv(path: Path, columns: list[str], records: list[dict[str, str | None]]) -> None:
    cells = [_quoted(pa.array([r.get(c) or None for r in records], pa.string())) for c in columns]
    body = b""
    if records:
        lines = pc.binary_join_element_wise(*cells, "\t")
        body = ("\n".join(lines.to_pylist()) + "\n").encode("utf-8")
    path.write_bytes(("\t".join(columns) + "\n").encode() + body)  # SEC's headers are never quoted


def write_dataset(filings: Iterable[Filing], out_dir: str | os.PathLike[str]) -> int:
    """Write ``filings`` as the eight TSV files of a data set into the folder ``out_dir``;
    returns how many filings were written (those with an accession)."""
    target = Path(out_dir)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExportError(f"{target}: cannot create the folder: {err.strerror or err}") from None
    if not target.is_dir():
        raise ExportError(f"{target}: not a folder")
    records = _records(filings)
    for name in FILES:
        _write_tsv(target / f"{name}.tsv", list(COLUMNS[name]), records[name])
    return len(records["SUBMISSION"])


def export_store(store: Any, out_dir: str) -> str:
    """Write the filings of ``store`` (a :class:`~insidergraph.graph.store.Store`) to ``out_dir``;
    returns the line to tell the user, which names the filings left out."""
    if out_dir == "-":
        raise ExportError("form345 writes a folder of files: give it with -o DIR")
    store.manifest()  # a missing or foreign store is one clear error
    filings = store.filings()
    written = write_dataset(filings, out_dir)
    line = f"{written} filings written to {out_dir} as SEC's data set files"
    if written < len(filings):
        line += (f"; {len(filings) - written} filings without an accession number are not "
                 "(the data set is keyed by accession)")
    return line
