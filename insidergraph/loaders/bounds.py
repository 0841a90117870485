"""The sane range of every amount, date, CIK and footnote number a loader accepts.

A filed value outside these bounds is refused, and with it the file, with one line
naming the file, the line and the field: a 5,000-digit share count or ``1e999999``
is a typo or an attack, never a fact, and letting it through would crash or bloat every
engine downstream (int conversion limits, ``inf`` in Cypher and Neo4j, a 1 MB literal
in RDF). The bounds are far outside anything real filings hold (the corpus: at most 9
integer and 4 fraction digits, years 2009 to 2035, CIKs of 10 digits).

* **amounts**: finite, at most :data:`MAX_INTEGER_DIGITS` digits before the decimal
  point (``abs(value) < 10**20``) and at most :data:`MAX_FRACTION_DIGITS` after it;
  the text itself at most :data:`MAX_NUMBER_TEXT` characters;
* **dates**: years :data:`MIN_YEAR` to :data:`MAX_YEAR`;
* **CIKs**: 1 to 10 ASCII digits (written back zero-padded to 10);
* **footnote numbers** (``<sup>3</sup>``, ``3. ...``): 1 to :data:`MAX_FOOTNOTE_DIGITS` digits;
* **document sequence numbers** of a submission: 1 to 9 digits.

Each check raises :class:`OutOfBounds` (a ``ValueError``) with the message; the loader
adds file and line.

>>> amount(Decimal("150000.00"))
Decimal('150000.00')
>>> amount(Decimal("1e999999"))
Traceback (most recent call last):
...
insidergraph.loaders.bounds.OutOfBounds: amount out of range (more than 20 digits before the decimal point): '1E+999999'
>>> cik("1318605")
'0001318605'
>>> cik("A|company/B")
Traceback (most recent call last):
...
insidergraph.loaders.bounds.OutOfBounds: not a CIK (1 to 10 digits): 'A|company/B'
"""

from __future__ import annotations

import re
from datetime import date
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, DecimalException, InvalidOperation, Overflow

from insidergraph.errors import shown

__all__ = [
    "MAX_FOOTNOTE_DIGITS",
    "MAX_FRACTION_DIGITS",
    "MAX_INTEGER_DIGITS",
    "MAX_NUMBER_TEXT",
    "MAX_YEAR",
    "MIN_YEAR",
    "NotANumber",
    "OutOfBounds",
    "amount",
    "checked_date",
    "cik",
    "decimal_text",
    "footnote_id",
    "sequence",
    "to_decimal",
]

MAX_INTEGER_DIGITS = 20
MAX_FRACTION_DIGITS = 20
MAX_NUMBER_TEXT = 64
MIN_YEAR = 1900
MAX_YEAR = 2100
MAX_FOOTNOTE_DIGITS = 4

_NUMERIC = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+")
_CIK = re.compile(r"[0-9]{1,10}")
_SEQUENCE = re.compile(r"[0-9]{1,9}")
_FOOTNOTE = re.compile(rf"[0-9]{{1,{MAX_FOOTNOTE_DIGITS}}}")


class OutOfBounds(ValueError):
    """A filed value outside the bounds of this module (the message says which)."""


class NotANumber(OutOfBounds):
    """Text that spells no number at all."""


# The widest context there is: converting text never overflows in it (unless the exponent
# is beyond any context), whatever context the calling thread has set.
_WIDE = Context(Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, Overflow])


def amount(value: Decimal) -> Decimal:
    """``value`` when it is a finite amount within the bounds, else :class:`OutOfBounds`.

    Only the digits and exponent are looked at, never arithmetic, so the check holds in
    any decimal context, however far out the exponent.

    >>> amount(Decimal("0.000001"))
    Decimal('0.000001')
    >>> amount(Decimal("1E-30"))
    Traceback (most recent call last):
    ...
    insidergraph.loaders.bounds.OutOfBounds: amount out of range (more than 20 digits after the decimal point): '1E-30'
    """
    if not value.is_finite():
        raise OutOfBounds(f"not a finite number: {shown(str(value))}")
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if any(digits) and len(digits) + exponent > MAX_INTEGER_DIGITS:
        raise OutOfBounds(
            f"amount out of range (more than {MAX_INTEGER_DIGITS} digits before the decimal point): "
            f"{shown(str(value))}"
        )
    if -exponent > MAX_FRACTION_DIGITS:
        raise OutOfBounds(
            f"amount out of range (more than {MAX_FRACTION_DIGITS} digits after the decimal point): "
            f"{shown(str(value))}"
        )
    return value


def decimal_text(text: str) -> Decimal:
    """The Decimal that ``text`` spells, within the bounds; :class:`OutOfBounds` otherwise.

    The length is checked before converting, so a 20 MB value costs nothing.

    >>> decimal_text("5.79")
    Decimal('5.79')
    >>> decimal_text("9" * 5000)
    Traceback (most recent call last):
    ...
    insidergraph.loaders.bounds.OutOfBounds: number too long (5000 characters, at most 64): '9999999999999999999999999999999999999999'... (5000 characters)
    """  # noqa: E501 (a doctest's expected error is its one-line message)
    if len(text) > MAX_NUMBER_TEXT:
        raise OutOfBounds(f"number too long ({len(text)} characters, at most {MAX_NUMBER_TEXT}): {shown(text)}")
    return amount(to_decimal(text))


def to_decimal(text: str) -> Decimal:
    """``Decimal(text)`` exactly, whatever the current decimal context; each way it fails
    is an :class:`OutOfBounds` (:class:`NotANumber` for text that is no number at all).

    >>> to_decimal("1e100000000")
    Decimal('1E+100000000')
    >>> to_decimal("1e9999999999999999999")
    Traceback (most recent call last):
    ...
    insidergraph.loaders.bounds.OutOfBounds: amount out of range (exponent too large): '1e9999999999999999999'
    """
    try:
        return Decimal(text, _WIDE)
    except DecimalException:
        if _NUMERIC.fullmatch(text.strip()):
            raise OutOfBounds(f"amount out of range (exponent too large): {shown(text)}") from None
        raise NotANumber(f"not a number: {shown(text)}") from None


def checked_date(value: date) -> date:
    """``value`` when its year is within :data:`MIN_YEAR`..:data:`MAX_YEAR`.

    >>> checked_date(date(1, 1, 1))
    Traceback (most recent call last):
    ...
    insidergraph.loaders.bounds.OutOfBounds: date out of range (years 1900 to 2100): 0001-01-01
    """
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise OutOfBounds(f"date out of range (years {MIN_YEAR} to {MAX_YEAR}): {value.isoformat()}")
    return value


def cik(text: str) -> str:
    """The 10-digit CIK that ``text`` (1 to 10 ASCII digits) spells; else :class:`OutOfBounds`.

    >>> cik("0" * 20)
    Traceback (most recent call last):
    ...
    insidergraph.loaders.bounds.OutOfBounds: not a CIK (1 to 10 digits): '00000000000000000000'
    """
    if not _CIK.fullmatch(text):
        raise OutOfBounds(f"not a CIK (1 to 10 digits): {shown(text)}")
    return text.zfill(10)


def footnote_id(digits: str) -> str:
    """``F<n>`` for a printed footnote number of 1 to :data:`MAX_FOOTNOTE_DIGITS` digits.

    >>> footnote_id("03")
    'F3'
    >>> footnote_id("1" * 5000)
    Traceback (most recent call last):
    ...
    insidergraph.loaders.bounds.OutOfBounds: footnote number out of range (1 to 4 digits): '1111111111111111111111111111111111111111'... (5000 characters)
    """  # noqa: E501 (a doctest's expected error is its one-line message)
    digits = digits.strip()
    if not _FOOTNOTE.fullmatch(digits):
        raise OutOfBounds(f"footnote number out of range (1 to {MAX_FOOTNOTE_DIGITS} digits): {shown(digits)}")
    return "F" + str(int(digits))


def sequence(text: str) -> int:
    """A submission document's ``<SEQUENCE>`` number (1 to 9 digits).

    >>> sequence("2")
    2
    >>> sequence("²")
    Traceback (most recent call last):
    ...
    insidergraph.loaders.bounds.OutOfBounds: not a document sequence number (1 to 9 digits): '²'
    """
    if not _SEQUENCE.fullmatch(text):
        raise OutOfBounds(f"not a document sequence number (1 to 9 digits): {shown(text)}")
    return int(text)
