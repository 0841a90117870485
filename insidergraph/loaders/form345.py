"""Loader for SEC's quarterly Insider Transactions Data Sets (``<YYYY>q<Q>_form345.zip``).

A data set is a zip, or a folder, holding up to eight tab-separated files keyed by
ACCESSION_NUMBER (see :mod:`insidergraph.loaders.form345_columns`). They are read and typed
column by column with pyarrow (dates ``DD-MON-YYYY``, flags ``0/1/true/false``, CSV quoting
with doubled quotes, footnote ids ``F3, F2, F4``); only the joined rows of one filing are
turned into its :class:`~insidergraph.model.Filing`, the same model the XML loader
gives, with ``source.format = "form345"``, the quarter, and ``amounts_rounded`` (the data set
rounds every amount to 2 decimals).

A file that is missing, damaged or has a wrong header is one error naming the data set
and the file; the other files still load. A bad value is one error naming file, line and
column, and only its filing is left out.

>>> errors = []
>>> filings = list(parse_dataset("../shared/corpus/tsv/form345_2024q3_excerpt", errors))  # doctest: +SKIP
>>> len(filings), filings[0].source.format, filings[0].source.quarter  # doctest: +SKIP
(275, 'form345', '2024q3')
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
import zlib
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from insidergraph.errors import ParseError
from insidergraph.loaders.form345_columns import ALIASES, COLUMNS, FILES, OPTIONAL, ROW_FIELDS, footnote_column
from insidergraph.loaders.memo import memo, shared_values
from insidergraph.loaders.names import display_name, owner_kind
from insidergraph.loaders.signatures import parse_signature
from insidergraph.loaders.xml import DOCUMENT_TYPES
from insidergraph.model import (
    Address,
    DerivativeRow,
    Filing,
    Issuer,
    NonDerivativeRow,
    Relationship,
    ReportingOwner,
    RowType,
    Signature,
    Source,
)

__all__ = ["is_dataset", "iter_dataset", "parse_dataset", "quarter_of"]

_QUARTER = re.compile(r"(?<!\d)(\d{4})[qQ]([1-4])(?!\d)")
_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
_TRUE, _FALSE = ("1", "true"), ("0", "false")


def quarter_of(path: str) -> str | None:
    """The quarter a data set's name says: ``2024q3`` for ``2024q3_form345.zip``.

    >>> quarter_of("data/form345_2024Q3_excerpt"), quarter_of("insiders.zip")
    ('2024q3', None)
    """
    match = _QUARTER.search(Path(path).name)
    return f"{match.group(1)}q{match.group(2)}" if match else None


def _member_name(name: str) -> str | None:
    stem = Path(name).name.upper()
    return stem[:-4] if stem.endswith(".TSV") and stem[:-4] in FILES else None


def is_dataset(path: str) -> bool:
    """Whether ``path`` is a data set: a zip (by its first bytes, or a ``.zip`` name, so that
    a damaged one is reported as a zip) or a folder holding ``SUBMISSION.tsv``.

    >>> is_dataset("../shared/corpus/xml")
    False
    """
    if os.path.isdir(path):
        return any(_member_name(n) == "SUBMISSION" for n in os.listdir(path))
    if path.lower().endswith(".zip"):
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _open(source: str, errors: list[ParseError]) -> dict[str, tuple[str, bytes]]:
    """Name -> (path to report, bytes) of the data set's files that could be read."""
    found: dict[str, tuple[str, bytes]] = {}
    if os.path.isdir(source):
        for entry in sorted(os.listdir(source)):
            name = _member_name(entry)
            if name is not None:
                path = os.path.join(source, entry)
                try:
                    found[name] = (path, Path(path).read_bytes())
                except OSError as err:
                    errors.append(ParseError(path, f"cannot read: {err.strerror or err}"))
        return found
    try:
        archive = zipfile.ZipFile(source)
    except FileNotFoundError:
        errors.append(ParseError(source, "cannot read: No such file or directory"))
        return found
    except (zipfile.BadZipFile, OSError) as err:
        errors.append(ParseError(source, f"not a readable zip (truncated or not a zip at all): {err}"))
        return found
    with archive:
        for info in archive.infolist():
            name = _member_name(info.filename)
            if name is None:
                continue
            label = f"{source}/{info.filename}"
            try:
                found[name] = (label, archive.read(info))
            except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile, zlib.error) as err:
                errors.append(ParseError(label, f"damaged in the zip (truncated?): {err}"))
    return found


def _line_of_record(data: bytes, index: int) -> int:
    """The line on which data record ``index`` (0-based, after the header) starts.

    Only called for an error: quoted values may hold newlines, so records are counted with
    a CSV reader instead of assuming one line each.
    """
    reader = csv.reader(io.StringIO(data.decode("utf-8", "replace")), delimiter="\t")
    start = 1
    for number, _ in enumerate(reader):
        if number == index + 1:
            return start
        start = reader.line_num + 1
    return start


def _read(name: str, label: str, data: bytes) -> pa.Table:
    """The file as a table of strings (null for empty), its header checked against the readme."""
    first = data.split(b"\n", 1)[0].rstrip(b"\r").lstrip(b"\xef\xbb\xbf").decode("utf-8", "replace")
    header = [ALIASES.get(h.strip(), h.strip()) for h in first.split("\t")]
    missing = [c for c in COLUMNS[name] if c not in header and c not in OPTIONAL]
    if missing:
        raise ParseError(label, f"wrong header: no column {', '.join(missing)} (found {', '.join(header)})", 1)
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter="\t", quote_char='"', double_quote=True,
                                             newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, null_values=[""], strings_can_be_null=True
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as err:
        # Arrow quotes the offending row in full: the reason is enough for one line.
        message = str(err).split("\n", 1)[0]
        message = message[:160] + "..." if len(message) > 160 else message
        raise ParseError(label, f"not a data set TSV: {message}") from None
    keep = [c for c in COLUMNS[name] if c in header]
    return table.select(keep)


@dataclass
class _Typed:
    """One file's columns as Python lists, typed, sorted by accession (then row key)."""

    columns: dict[str, list[Any]]
    accessions: list[str]
    bad: dict[str, str] = field(default_factory=dict)

    def rows(self, accession: str) -> range:
        start = bisect_left(self.accessions, accession)
        end = bisect_left(self.accessions, accession + "\x00", start)
        return range(start, end)


def _typed_column(col: pa.ChunkedArray, kind: str) -> tuple[pa.Array | pa.ChunkedArray, pa.Array | None]:
    """(typed column, mask of cells that are not of their type) for one column."""
    if kind == "date":
        stamp = pc.strptime(col, format="%d-%b-%Y", unit="s", error_is_null=True)
        # Arrow's strptime takes 31-FEB-2024 as March 2nd: a date only counts if it prints back.
        same = pc.equal(pc.utf8_upper(pc.strftime(stamp, format="%d-%b-%Y")), pc.utf8_upper(col))
        return stamp.cast(pa.date32()), pc.and_(pc.is_valid(col), pc.invert(pc.fill_null(same, False)))
    if kind == "bool":
        low = pc.utf8_lower(pc.utf8_trim_whitespace(col))
        is_true, is_false = pc.is_in(low, pa.array(_TRUE)), pc.is_in(low, pa.array(_FALSE))
        typed = pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_())))
        return typed, pc.and_(pc.is_valid(col), pc.invert(pc.or_(is_true, is_false)))
    if kind == "number":
        trimmed = pc.utf8_trim_whitespace(col)
        return trimmed, pc.and_(pc.is_valid(col),
                                pc.invert(pc.fill_null(pc.match_substring_regex(trimmed, _NUMBER), False)))
    if kind == "fn":
        return pc.split_pattern_regex(pc.utf8_trim(col, " ,"), r"\s*,\s*"), None
    return col, None


def _type(name: str, label: str, data: bytes, table: pa.Table, errors: list[ParseError]) -> _Typed:
    kinds = COLUMNS[name]
    typed: dict[str, Any] = {}
    bad: dict[str, str] = {}
    for column in table.column_names:
        values, wrong = _typed_column(table[column], kinds[column])
        typed[column] = values
        if wrong is not None and pc.any(wrong).as_py():
            for index in pc.indices_nonzero(wrong).to_pylist():
                raw = table[column][index].as_py()
                accession = table["ACCESSION_NUMBER"][index].as_py() or ""
                what = {"date": "a date (DD-MON-YYYY)", "bool": "a flag (0/1/true/false)", "number": "a number"}
                errors.append(ParseError(label, f"{column}: not {what[kinds[column]]}: {raw!r} (accession {accession}; "
                                         "its filing is left out)", _line_of_record(data, index)))
                bad[accession] = column
    sk = next((c for c in table.column_names if c.endswith("_SK")), None)
    keys = [pc.fill_null(table["ACCESSION_NUMBER"], "")]
    if sk is not None:
        keys.append(pc.cast(pc.if_else(pc.is_valid(typed[sk]), typed[sk], "0"), pa.float64()))
    order = pc.sort_indices(pa.table({f"k{i}": k for i, k in enumerate(keys)}),
                            sort_keys=[(f"k{i}", "ascending") for i in range(len(keys))])
    # Equal names, CIKs, titles and dates as one object each (see shared_values).
    columns = {c: shared_values(pc.take(v, order)) for c, v in typed.items()}
    return _Typed(columns, [a or "" for a in columns["ACCESSION_NUMBER"]], bad)


#: One Decimal per amount text, shared by the rows that repeat it.
_amount = memo(maxsize=1 << 16)(Decimal)


def _load(source: str, errors: list[ParseError]) -> dict[str, _Typed]:
    files = _open(source, errors)
    if not files and errors:
        return {}
    tables: dict[str, _Typed] = {}
    damaged = {e.path for e in errors}
    missing = [f"{n}.tsv" for n in FILES if n not in files and not any(p.endswith(f"/{n}.tsv") for p in damaged)]
    if missing:
        what = "no filing can be read without SUBMISSION.tsv" if "SUBMISSION.tsv" in missing else \
            "its filings are read without those rows"
        errors.append(ParseError(source, f"missing from the data set: {', '.join(missing)}; {what}"))
    for name in FILES:
        if name not in files:
            continue
        label, data = files[name]
        try:
            table = _read(name, label, data)
        except ParseError as err:
            errors.append(err)
            continue
        tables[name] = _type(name, label, data, table, errors)
    return tables


def _spec(file: str) -> tuple[tuple[str, str, bool, str | None], ...]:
    """Per row field: (model field, column, is an amount, its footnote column), made once per file."""
    spec = _SPECS.get(file)
    if spec is None:
        spec = _SPECS[file] = tuple(
            (name, column, COLUMNS[file][column] == "number", footnote_column(file, name))
            for name, column in ROW_FIELDS[file].items()
        )
    return spec


_SPECS: dict[str, tuple[tuple[str, str, bool, str | None], ...]] = {}


def _rows(t: _Typed | None, file: str, accession: str) -> list[Any]:
    rows = t.rows(accession) if t is not None else range(0)
    if not rows or t is None:
        return []
    cls = DerivativeRow if file.startswith("DERIV") else NonDerivativeRow
    kind: RowType = "transaction" if file.endswith("TRANS") else "holding"
    cols = t.columns
    # Column lists looked up once per filing, not once per cell.
    spec = [(name, cols.get(column), number, cols.get(fn) if fn else None) for name, column, number, fn in _spec(file)]
    out = []
    for i in rows:
        kw: dict[str, Any] = {}
        notes: dict[str, tuple[str, ...]] = {}
        for name, values, number, fns in spec:
            if values is not None:
                value = values[i]
                if value is not None:
                    kw[name] = _amount(value) if number else value
            if fns is not None:
                ids = fns[i]
                if ids:
                    notes[name] = tuple(x for x in ids if x)
        if notes:
            kw["footnotes"] = notes
        out.append(cls(type=kind, **kw))
    return out


def _cik(text: str | None) -> str | None:
    text = (text or "").strip()
    return (text.zfill(10) if text.isdigit() else text) or None


def _owners(t: _Typed | None, accession: str) -> tuple[ReportingOwner, ...]:
    if t is None:
        return ()
    c = t.columns
    out = []
    for i in t.rows(accession):
        raw = c["RPTOWNERNAME"][i] or ""
        # Roles by name, never by splitting: "Director,TenPercentOwnerOther" has no separator.
        rel = re.sub(r"[^a-z]", "", (c["RPTOWNER_RELATIONSHIP"][i] or "").lower())
        parts = [c[k][i] for k in ("RPTOWNER_STREET1", "RPTOWNER_STREET2", "RPTOWNER_CITY", "RPTOWNER_STATE",
                                   "RPTOWNER_ZIPCODE", "RPTOWNER_STATE_DESC")]
        kind = owner_kind(raw)
        out.append(ReportingOwner(
            cik=_cik(c["RPTOWNERCIK"][i]), name=raw, display_name=display_name(raw, kind), kind=kind,
            relationship=Relationship(
                is_director="director" in rel, is_officer="officer" in rel,
                is_ten_percent_owner="tenpercentowner" in rel, is_other="other" in rel,
                officer_title=c["RPTOWNER_TITLE"][i], other_text=c["RPTOWNER_TXT"][i]),
            address=Address(*parts) if any(p is not None for p in parts) else None,
        ))
    return tuple(out)


def _signatures(t: _Typed | None, accession: str, owners: tuple[ReportingOwner, ...]) -> tuple[Signature, ...]:
    if t is None:
        return ()
    c = t.columns
    # Identical rows are kept: the XML has one <ownerSignature> per owner an attorney signs for.
    return tuple(parse_signature(c["OWNERSIGNATURENAME"][i] or "", c["OWNERSIGNATUREDATE"][i], owners)
                 for i in t.rows(accession))


def _filing(tables: dict[str, _Typed], i: int, source: str, quarter: str | None) -> Filing:
    s = tables["SUBMISSION"].columns
    accession = s["ACCESSION_NUMBER"][i]
    owners = _owners(tables.get("REPORTINGOWNER"), accession)
    notes = tables.get("FOOTNOTES")
    footnotes = {} if notes is None else {
        notes.columns["FOOTNOTE_ID"][j] or "": notes.columns["FOOTNOTE_TXT"][j] or "" for j in notes.rows(accession)}
    return Filing(
        accession=accession,
        document_type=s["DOCUMENT_TYPE"][i],
        issuer=Issuer(cik=_cik(s["ISSUERCIK"][i]), name=s["ISSUERNAME"][i], ticker=s["ISSUERTRADINGSYMBOL"][i]),
        source=Source(path=source, format="form345", quarter=quarter),
        period_of_report=s["PERIOD_OF_REPORT"][i],
        date_of_original_submission=s["DATE_OF_ORIG_SUB"][i],
        filing_date=s["FILING_DATE"][i],
        not_subject_to_section16=s["NOT_SUBJECT_SEC16"][i],
        no_securities_owned=s["NO_SECURITIES_OWNED"][i],
        aff10b5one=s["AFF10B5ONE"][i] if "AFF10B5ONE" in s else None,
        form3_holdings_reported=s["FORM3_HOLDINGS_REPORTED"][i],
        form4_transactions_reported=s["FORM4_TRANS_REPORTED"][i],
        amounts_rounded=True,
        reporting_owners=owners,
        non_derivative=tuple(_rows(tables.get("NONDERIV_TRANS"), "NONDERIV_TRANS", accession)
                             + _rows(tables.get("NONDERIV_HOLDING"), "NONDERIV_HOLDING", accession)),
        derivative=tuple(_rows(tables.get("DERIV_TRANS"), "DERIV_TRANS", accession)
                         + _rows(tables.get("DERIV_HOLDING"), "DERIV_HOLDING", accession)),
        footnotes=footnotes,
        remarks=s["REMARKS"][i],
        signatures=_signatures(tables.get("OWNER_SIGNATURE"), accession, owners),
    )


def iter_dataset(source: str | os.PathLike[str]) -> Iterator[Filing | ParseError]:
    """Every filing of the data set at ``source`` (zip or folder), and every error, in order.

    >>> [str(x) for x in iter_dataset("/no/such/2024q3_form345.zip")]
    ['/no/such/2024q3_form345.zip: cannot read: No such file or directory']
    """
    path = os.fspath(source)
    errors: list[ParseError] = []
    tables = _load(path, errors)
    yield from errors
    sub = tables.get("SUBMISSION")
    if sub is None:
        return
    label = next((f"{path}/{n}" for n in os.listdir(path) if _member_name(n) == "SUBMISSION"), path) \
        if os.path.isdir(path) else f"{path}/SUBMISSION.tsv"
    known = set(sub.accessions)
    for name, t in tables.items():
        orphans = sorted({a for a in t.accessions if a not in known})
        if name != "SUBMISSION" and orphans:
            yield ParseError(path, f"{name}.tsv has rows of {len(orphans)} accession(s) not in SUBMISSION.tsv "
                             f"(e.g. {orphans[0]}); they are left out")
    bad = {a for t in tables.values() for a in t.bad}
    quarter = quarter_of(path)
    seen: set[str] = set()
    for i, accession in enumerate(sub.accessions):
        if accession in bad:
            continue
        if not accession or accession in seen:
            yield ParseError(label, f"{'empty' if not accession else 'repeated'} ACCESSION_NUMBER {accession!r}")
            continue
        seen.add(accession)
        if sub.columns["DOCUMENT_TYPE"][i] not in DOCUMENT_TYPES:
            yield ParseError(label, f"DOCUMENT_TYPE {sub.columns['DOCUMENT_TYPE'][i]!r} is not a Form 3, 4 or 5 "
                             f"(accession {accession})")
            continue
        yield _filing(tables, i, path, quarter)


def parse_dataset(source: str | os.PathLike[str], errors: list[ParseError] | None = None) -> Iterator[Filing]:
    """The filings of the data set at ``source``; the errors per file go to ``errors``.

    >>> errs = []
    >>> list(parse_dataset("/no/such/dir/2024q1_form345.zip", errs)), len(errs)
    ([], 1)
    """
    for item in iter_dataset(source):
        if isinstance(item, ParseError):
            if errors is not None:
                errors.append(item)
        else:
            yield item
