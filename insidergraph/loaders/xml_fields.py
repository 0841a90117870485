"""What each element of an ``ownershipDocument`` means: value converters and row-field tables.

A converter reads an element's text (already stripped, never empty) as its type, within
:mod:`insidergraph.loaders.bounds`, or raises :class:`Bad`; the tables map the tags of the
two ownership tables to a model field and a converter.

>>> ROW_VALUES["transactionShares"][0], decimal_value("1,000")
('shares', Decimal('1000'))
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from insidergraph.errors import shown
from insidergraph.loaders import bounds
from insidergraph.loaders.memo import memo, shared

__all__ = [
    "DERIVATIVE_ONLY",
    "FOOTNOTE_FIELD",
    "ROW_DIRECT",
    "ROW_VALUES",
    "Bad",
    "Conv",
    "date_value",
    "decimal_value",
    "flag_value",
    "text_value",
]

#: A converter: stripped, non-empty text -> typed value.
Conv = Callable[[str], Any]


class Bad(ValueError):
    """A value that cannot be read as its type; turned into a ParseError with a line."""

    sourceline: int | None = None  # the line of the element, where it is known


# --- value converters ----------------------------------------------------------------


def text_value(text: str) -> str:
    """Text as it is (one object for equal texts: :func:`~insidergraph.loaders.memo.shared`)."""
    return shared(text)


@memo(maxsize=1 << 16)  # one Decimal per amount, shared by the rows that repeat it
def decimal_value(text: str) -> Decimal:
    """An amount, exact and within bounds.

    >>> decimal_value("1,000"), decimal_value("$5.00")
    (Decimal('1000'), Decimal('5.00'))
    """
    if len(text) > bounds.MAX_NUMBER_TEXT:
        return bounds.decimal_text(text)
    try:
        value = bounds.to_decimal(text)
    except bounds.NotANumber:
        # Filers sometimes paste "1,000" or "$5.00"; the digits are still exact.
        value = bounds.to_decimal(text.replace(",", "").replace("$", ""))
    return bounds.amount(value)


@memo(maxsize=1 << 14)  # one date per day, shared by every field of that day
def date_value(text: str) -> date:
    """A calendar day within bounds.

    >>> date_value("2021-09-30-05:00")
    datetime.date(2021, 9, 30)
    """
    # Dates may carry a zone suffix ("2021-09-30-05:00"); the calendar day is what counts.
    try:
        value = date.fromisoformat(text[:10])
    except ValueError:
        raise Bad(f"not a date: {shown(text)}") from None
    return bounds.checked_date(value)


_TRUE = frozenset({"1", "true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES"})
_FALSE = frozenset({"0", "false", "False", "FALSE", "n", "N", "no", "No", "NO"})


def flag_value(text: str) -> bool:
    """A boolean written as 1/0, true/false or yes/no.

    >>> flag_value("1"), flag_value("false")
    (True, False)
    """
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Bad(f"not a flag (1/0/true/false): {shown(text)}")


# --- the row-field tables --------------------------------------------------------------

#: Value elements of table rows: tag -> (action, model field, converter).
ROW_VALUES: dict[str, tuple[str, Conv]] = {
    "securityTitle": ("security_title", text_value),
    "conversionOrExercisePrice": ("exercise_price", decimal_value),
    "transactionDate": ("transaction_date", date_value),
    "deemedExecutionDate": ("deemed_execution_date", date_value),
    "transactionTimeliness": ("transaction_timeliness", text_value),
    "transactionShares": ("shares", decimal_value),
    "transactionTotalValue": ("transaction_total_value", decimal_value),
    "transactionPricePerShare": ("price_per_share", decimal_value),
    "transactionAcquiredDisposedCode": ("acquired_disposed", text_value),
    "exerciseDate": ("exercisable_date", date_value),
    "expirationDate": ("expiration_date", date_value),
    "underlyingSecurityTitle": ("underlying_title", text_value),
    "underlyingSecurityShares": ("underlying_shares", decimal_value),
    "underlyingSecurityValue": ("underlying_value", decimal_value),
    "sharesOwnedFollowingTransaction": ("shares_owned_following", decimal_value),
    "valueOwnedFollowingTransaction": ("value_owned_following", decimal_value),
    "directOrIndirectOwnership": ("direct_indirect", text_value),
    "natureOfOwnership": ("nature_of_ownership", text_value),
}
#: Plain-text leaves inside transactionCoding.
ROW_DIRECT: dict[str, tuple[str, Conv]] = {
    "transactionFormType": ("transaction_form_type", text_value),
    "transactionCode": ("transaction_code", text_value),
    "equitySwapInvolved": ("equity_swap_involved", flag_value),
}
#: Which field a ``<footnoteId>`` annotates, by its parent's tag. Footnotes on a
#: container annotate its headline value.
FOOTNOTE_FIELD: dict[str, str] = {
    **{tag: spec[0] for tag, spec in ROW_VALUES.items()},
    **{tag: spec[0] for tag, spec in ROW_DIRECT.items()},
    "transactionCoding": "transaction_code",
    "transactionAmounts": "shares",
    "postTransactionAmounts": "shares_owned_following",
    "ownershipNature": "direct_indirect",
    "underlyingSecurity": "underlying_title",
}
DERIVATIVE_ONLY = frozenset(
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
