"""pandas views of parsed filings: one DataFrame per kind of fact, joined by keys.

Every frame has an ``accession`` column (``None`` when the filing's source named
none; ``source_path`` then tells filings apart). Owners carry ``owner_cik``. Table
rows are reported jointly by all owners of a filing, so ``transactions`` and
``holdings`` carry ``owner_cik`` only when the filing has exactly one owner; merge
with ``owners`` on ``accession`` for the per-owner view of joint filings.

Columns have real dtypes (:mod:`insidergraph.loaders.dtypes`): text ``string[pyarrow]``,
dates ``datetime64[s]``, flags ``boolean``, counts and positions ``Int64``, amounts
``float64``; ``exact=True`` keeps the amounts as the filed :class:`~decimal.Decimal`
(``object`` columns) so that no digit is lost. Empty frames have the same dtypes.

>>> frames = to_frames([])
>>> sorted(frames)
['filings', 'footnote_refs', 'footnotes', 'holdings', 'owners', 'signatures', 'transactions']
>>> list(frames["owners"].columns[:3])
['accession', 'source_path', 'owner_cik']
>>> str(frames["transactions"]["transaction_date"].dtype), str(frames["owners"]["is_director"].dtype)
('datetime64[s]', 'boolean')
"""

from __future__ import annotations

import typing
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from insidergraph.loaders.dtypes import Kind, typed_frame
from insidergraph.model import DerivativeRow, Filing, NonDerivativeRow

if TYPE_CHECKING:
    import pandas

__all__ = ["COLUMNS", "KINDS", "to_frames"]

_ROW_FIELDS: tuple[str, ...] = tuple(
    name for name in DerivativeRow.__dataclass_fields__ if name not in ("type", "footnotes")
)

#: The columns of each frame, in order (fixed, so that empty frames have them too).
COLUMNS: dict[str, tuple[str, ...]] = {
    "filings": (
        "accession",
        "source_path",
        "source_format",
        "document_type",
        "schema_version",
        "period_of_report",
        "date_of_original_submission",
        "filing_date",
        "submission_type",
        "issuer_cik",
        "issuer_name",
        "issuer_ticker",
        "not_subject_to_section16",
        "no_securities_owned",
        "aff10b5one",
        "n_owners",
        "remarks",
    ),
    "owners": (
        "accession",
        "source_path",
        "owner_cik",
        "owner_index",
        "name",
        "display_name",
        "kind",
        "is_director",
        "is_officer",
        "is_ten_percent_owner",
        "is_other",
        "officer_title",
        "other_text",
        "street1",
        "street2",
        "city",
        "state",
        "zip_code",
        "state_description",
    ),
    "transactions": ("accession", "source_path", "owner_cik", "table", "row", *_ROW_FIELDS),
    "holdings": ("accession", "source_path", "owner_cik", "table", "row", *_ROW_FIELDS),
    "footnotes": ("accession", "source_path", "footnote_id", "text"),
    "footnote_refs": ("accession", "source_path", "table", "row", "field", "footnote_id"),
    "signatures": (
        "accession",
        "source_path",
        "signature_index",
        "text",
        "date",
        "signer",
        "attorney_in_fact",
        "on_behalf_of",
        "owner_cik",
    ),
}


def _row_kinds() -> dict[str, Kind]:
    """The kinds of the row fields, read from the model's annotations (``Decimal | None``)."""
    kinds: dict[str, Kind] = {}
    for name, hint in typing.get_type_hints(DerivativeRow).items():
        types = set(typing.get_args(hint)) - {type(None)} or {hint}
        kinds[name] = "decimal" if Decimal in types else "date" if date in types else "bool" if bool in types else "str"
    return kinds


#: The kind of every column that is not text (:mod:`insidergraph.loaders.dtypes`).
KINDS: dict[str, Kind] = {
    **{name: kind for name, kind in _row_kinds().items() if name in _ROW_FIELDS and kind != "str"},
    **dict.fromkeys(("period_of_report", "date_of_original_submission", "filing_date", "date"), "date"),
    **dict.fromkeys(("not_subject_to_section16", "no_securities_owned", "aff10b5one", "is_director", "is_officer",
                     "is_ten_percent_owner", "is_other", "attorney_in_fact"), "bool"),
    **dict.fromkeys(("n_owners", "owner_index", "row", "signature_index"), "int"),
}


def _filing_records(f: Filing, out: dict[str, list[tuple[Any, ...]]]) -> None:
    key = (f.accession, f.source.path)
    out["filings"].append(
        (
            *key,
            f.source.format,
            f.document_type,
            f.schema_version,
            f.period_of_report,
            f.date_of_original_submission,
            f.filing_date,
            f.submission_type,
            f.issuer.cik,
            f.issuer.name,
            f.issuer.ticker,
            f.not_subject_to_section16,
            f.no_securities_owned,
            f.aff10b5one,
            len(f.reporting_owners),
            f.remarks,
        )
    )
    for index, owner in enumerate(f.reporting_owners):
        rel, addr = owner.relationship, owner.address
        out["owners"].append(
            key
            + (
                owner.cik,
                index,
                owner.name,
                owner.display_name,
                owner.kind,
                rel.is_director,
                rel.is_officer,
                rel.is_ten_percent_owner,
                rel.is_other,
                rel.officer_title,
                rel.other_text,
            )
            + (
                (addr.street1, addr.street2, addr.city, addr.state, addr.zip_code, addr.state_description)
                if addr is not None
                else (None,) * 6
            )
        )
    sole = f.reporting_owners[0].cik if len(f.reporting_owners) == 1 else None
    tables: tuple[tuple[str, tuple[NonDerivativeRow | DerivativeRow, ...]], ...] = (
        ("non_derivative", f.non_derivative),
        ("derivative", f.derivative),
    )
    for table, rows in tables:
        for index, row in enumerate(rows):
            values = tuple(getattr(row, name, None) for name in _ROW_FIELDS)
            target = "transactions" if row.type == "transaction" else "holdings"
            out[target].append((*key, sole, table, index, *values))
            for field, ids in row.footnotes.items():
                for ident in ids:
                    out["footnote_refs"].append((*key, table, index, field, ident))
    for ident, text in f.footnotes.items():
        out["footnotes"].append((*key, ident, text))
    for index, sig in enumerate(f.signatures):
        out["signatures"].append(
            (
                *key,
                index,
                sig.text,
                sig.date,
                sig.signer,
                sig.attorney_in_fact,
                sig.on_behalf_of,
                sig.on_behalf_of_cik,
            )
        )


def to_frames(filings: Iterable[Filing], *, exact: bool = False) -> dict[str, pandas.DataFrame]:
    """DataFrames ``filings``, ``owners``, ``transactions``, ``holdings``, ``footnotes``,
    ``footnote_refs`` and ``signatures`` for ``filings``, rows in input order; amounts
    as ``float64``, or as :class:`~decimal.Decimal` with ``exact``."""
    records: dict[str, list[tuple[Any, ...]]] = {name: [] for name in COLUMNS}
    for filing in filings:
        _filing_records(filing, records)
    out = {}
    for name in sorted(COLUMNS):
        rows = records[name]
        columns = {c: [r[i] for r in rows] for i, c in enumerate(COLUMNS[name])}
        out[name] = typed_frame(columns, {c: KINDS.get(c, "str") for c in COLUMNS[name]}, exact=exact)
    return out
