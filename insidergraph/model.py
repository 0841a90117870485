"""The typed model every loader produces: one :class:`Filing` per Form 3, 4 or 5.

All classes are frozen dataclasses. Amounts are :class:`~decimal.Decimal`, dates are
:class:`~datetime.date`, and ``None`` always means *absent* (never "empty").
Every table row keeps the footnote ids of each of its values beside it in
``footnotes`` (``{"exercise_price": ("F3",)}``), including values that the filer
gave only as a footnote reference, whose value is then ``None``.

>>> from insidergraph.model import Issuer
>>> Issuer(cik="0001512673", name="Square, Inc.", ticker="SQ").ticker
'SQ'
>>> TRANSACTION_CODES["S"]
'Open market or private sale of non-derivative or derivative security'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

OwnerKind = Literal["person", "entity"]
RowType = Literal["transaction", "holding"]
SourceFormat = Literal["xml", "submission", "html", "rendered-text", "legacy-text", "tsv", "form345", "ex24"]

#: Row field names whose footnote ids a row may carry, in the order of the form's columns.
NON_DERIVATIVE_FIELDS: tuple[str, ...] = (
    "security_title",
    "transaction_date",
    "deemed_execution_date",
    "transaction_code",
    "transaction_timeliness",
    "shares",
    "price_per_share",
    "acquired_disposed",
    "shares_owned_following",
    "value_owned_following",
    "direct_indirect",
    "nature_of_ownership",
)
DERIVATIVE_FIELDS: tuple[str, ...] = (
    *NON_DERIVATIVE_FIELDS,
    "exercise_price",
    "transaction_total_value",
    "exercisable_date",
    "expiration_date",
    "underlying_title",
    "underlying_shares",
    "underlying_value",
)


#: Every transaction code of Forms 4 and 5 (General Instructions, 8. Transaction Codes), in
#: the SEC's words (https://www.sec.gov/edgar/searchedgar/ownershipformcodes.html). P and S
#: are the open-market (or private) purchases and sales; V marks a transaction reported
#: earlier than required, beside its own code. One table for every engine and display.
TRANSACTION_CODES: Mapping[str, str] = {
    # General transaction codes
    "P": "Open market or private purchase of non-derivative or derivative security",
    "S": "Open market or private sale of non-derivative or derivative security",
    "V": "Transaction voluntarily reported earlier than required",
    # Rule 16b-3 transaction codes
    "A": "Grant, award or other acquisition pursuant to Rule 16b-3(d)",
    "D": "Disposition to the issuer of issuer equity securities pursuant to Rule 16b-3(e)",
    "F": "Payment of exercise price or tax liability by delivering or withholding securities incident to "
         "the receipt, exercise or vesting of a security issued in accordance with Rule 16b-3",
    "I": "Discretionary transaction in accordance with Rule 16b-3(f) resulting in acquisition or "
         "disposition of issuer securities",
    "M": "Exercise or conversion of derivative security exempted pursuant to Rule 16b-3",
    # Derivative securities codes (except for transactions exempted pursuant to Rule 16b-3)
    "C": "Conversion of derivative security",
    "E": "Expiration of short derivative position",
    "H": "Expiration (or cancellation) of long derivative position with value received",
    "O": "Exercise of out-of-the-money derivative security",
    "X": "Exercise of in-the-money or at-the-money derivative security",
    # Other Section 16(b) exempt transaction and small acquisition codes
    "G": "Bona fide gift",
    "L": "Small acquisition under Rule 16a-6",
    "W": "Acquisition or disposition by will or the laws of descent and distribution",
    "Z": "Deposit into or withdrawal from voting trust",
    # Other transaction codes
    "J": "Other acquisition or disposition (describe transaction)",
    "K": "Transaction in equity swap or instrument with similar characteristics",
    "U": "Disposition pursuant to a tender of shares in a change of control transaction",
}

@dataclass(frozen=True, slots=True)
class Address:
    """A reporting owner's address as filed (``state`` may be a foreign code)."""

    street1: str | None = None
    street2: str | None = None
    city: str | None = None
    state: str | None = None
    zip_code: str | None = None
    state_description: str | None = None


@dataclass(frozen=True, slots=True)
class Relationship:
    """Box 5 of the form: how the owner relates to the issuer."""

    is_director: bool = False
    is_officer: bool = False
    is_ten_percent_owner: bool = False
    is_other: bool = False
    officer_title: str | None = None
    other_text: str | None = None


@dataclass(frozen=True, slots=True)
class Issuer:
    """The company whose securities the filing reports."""

    cik: str | None
    name: str | None
    ticker: str | None = None


@dataclass(frozen=True, slots=True)
class ReportingOwner:
    """One reporting owner. ``name`` is the raw filed string; ``display_name`` is derived.

    >>> ReportingOwner(cik="0001222287", name="BOTHA ROELOF", display_name="Roelof Botha",
    ...                kind="person", relationship=Relationship(is_director=True)).relationship.is_director
    True
    """

    cik: str | None
    name: str
    display_name: str
    kind: OwnerKind
    relationship: Relationship = field(default_factory=Relationship)
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class NonDerivativeRow:
    """A Table I row: a transaction or a holding of a non-derivative security."""

    type: RowType
    security_title: str | None = None
    transaction_date: date | None = None
    deemed_execution_date: date | None = None
    transaction_form_type: str | None = None
    transaction_code: str | None = None
    equity_swap_involved: bool | None = None
    transaction_timeliness: str | None = None
    shares: Decimal | None = None
    price_per_share: Decimal | None = None
    acquired_disposed: str | None = None
    shares_owned_following: Decimal | None = None
    value_owned_following: Decimal | None = None
    direct_indirect: str | None = None
    nature_of_ownership: str | None = None
    footnotes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DerivativeRow:
    """A Table II row: a transaction or holding of an option, warrant, unit, etc."""

    type: RowType
    security_title: str | None = None
    exercise_price: Decimal | None = None
    transaction_date: date | None = None
    deemed_execution_date: date | None = None
    transaction_form_type: str | None = None
    transaction_code: str | None = None
    equity_swap_involved: bool | None = None
    transaction_timeliness: str | None = None
    shares: Decimal | None = None
    transaction_total_value: Decimal | None = None
    price_per_share: Decimal | None = None
    acquired_disposed: str | None = None
    exercisable_date: date | None = None
    expiration_date: date | None = None
    underlying_title: str | None = None
    underlying_shares: Decimal | None = None
    underlying_value: Decimal | None = None
    shares_owned_following: Decimal | None = None
    value_owned_following: Decimal | None = None
    direct_indirect: str | None = None
    nature_of_ownership: str | None = None
    footnotes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


Row = NonDerivativeRow | DerivativeRow


@dataclass(frozen=True, slots=True)
class Signature:
    """One ``ownerSignature``. ``text`` is raw; the rest is derived from it.

    ``on_behalf_of`` is the raw name of the reporting owner the signer acted for
    (``on_behalf_of_cik`` its CIK), or ``None`` when that cannot be known.
    """

    text: str
    date: date | None = None
    signer: str | None = None
    attorney_in_fact: bool = False
    on_behalf_of: str | None = None
    on_behalf_of_cik: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A document of an EDGAR submission other than the ownership XML (e.g. an EX-24)."""

    type: str
    sequence: int | None = None
    filename: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """Where a filing was read from and by which loader.

    ``quarter`` is the data set's quarter (``"2024q3"``) for ``form345`` filings, read
    from the zip's or folder's name; ``None`` for every other source.
    """

    path: str
    format: SourceFormat
    line: int | None = None
    quarter: str | None = None


@dataclass(frozen=True, slots=True)
class PowerOfAttorney:
    """A power of attorney (EX-24): the grantor (the undersigned) lets the attorneys sign.

    ``grantor`` is the name in the signature block (``grantor_cik`` is set when the grantor
    is known to be a filing's only reporting owner); ``companies`` are the issuers it is
    limited to, when stated (empty: not stated); ``accession`` is the filing it came with;
    ``source`` is set for a standalone exhibit file, ``document`` names the exhibit.

    >>> PowerOfAttorney(grantor="Roelof Botha", attorneys=("Jung Yeon Son",)).revokes_prior
    False
    """

    grantor: str | None
    attorneys: tuple[str, ...]
    grantor_cik: str | None = None
    companies: tuple[str, ...] = ()
    date_signed: date | None = None
    revokes_prior: bool = False
    accession: str | None = None
    document: str | None = None
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class Filing:
    """One Form 3, 4 or 5 (or amendment) as filed.

    >>> f = Filing(accession=None, document_type="4", issuer=Issuer(cik=None, name="X"),
    ...            source=Source(path="x.xml", format="xml"))
    >>> f.is_amendment
    False
    """

    accession: str | None
    document_type: str
    issuer: Issuer
    source: Source
    schema_version: str | None = None
    period_of_report: date | None = None
    date_of_original_submission: date | None = None
    filing_date: date | None = None
    submission_type: str | None = None
    not_subject_to_section16: bool | None = None
    no_securities_owned: bool | None = None
    aff10b5one: bool | None = None
    form3_holdings_reported: bool | None = None
    form4_transactions_reported: bool | None = None
    #: True when the source rounded every amount to 2 decimals (SEC's data sets do).
    amounts_rounded: bool = False
    reporting_owners: tuple[ReportingOwner, ...] = ()
    non_derivative: tuple[NonDerivativeRow, ...] = ()
    derivative: tuple[DerivativeRow, ...] = ()
    footnotes: Mapping[str, str] = field(default_factory=dict)
    remarks: str | None = None
    signatures: tuple[Signature, ...] = ()
    documents: tuple[Document, ...] = ()
    # Left out of repr: a filing's content hash (``filing/h/...`` ids) stays what it was.
    powers_of_attorney: tuple[PowerOfAttorney, ...] = field(default=(), repr=False)

    @property
    def is_amendment(self) -> bool:
        """True for 3/A, 4/A and 5/A."""
        return self.document_type.endswith("/A")
