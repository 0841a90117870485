"""The loaders' memo caches, in one registry: bounded, and emptied together by
:func:`clear_caches`.

Two uses: a function of a name that is costly and called again and again for the same
name (its kind, its display form, its key), and :func:`shared`, which hands back one
object for equal values read from different files. A million filings repeat their
names, CIKs, titles, dates and amounts again and again; kept once each, the parsed
filings take less memory (see ``bench/README.md``).

>>> @memo(maxsize=4)
... def double(x: int) -> int:
...     return 2 * x
>>> double(2), double.cache_info().hits, double(2), double.cache_info().hits
(4, 0, 4, 1)
>>> clear_caches(); double.cache_info().currsize
0
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_CACHES: list[Any] = []


def memo(maxsize: int) -> Callable[[Callable[..., T]], functools._lru_cache_wrapper[T]]:
    """``functools.lru_cache(maxsize)``, registered so that :func:`clear_caches` empties it."""

    def wrap(function: Callable[..., T]) -> functools._lru_cache_wrapper[T]:
        cached = functools.lru_cache(maxsize=maxsize)(function)
        _CACHES.append(cached)
        return cached

    return wrap


@memo(maxsize=1 << 16)
def _first(value: str) -> str:
    return value


def shared(text: str) -> str:
    """The first string equal to ``text`` seen lately (of the last 65,536 distinct ones),
    so that every holder of an equal text gets the same object.

    (Strings only: a cache keyed by equality would hand ``1.0`` back for ``1``, and
    ``Decimal("1.5")`` for ``Decimal("1.50")``.)

    >>> a = "".join(["Common", " Stock"]); b = "".join(["Common", " Stock"])
    >>> a is b, shared(a) is shared(b)
    (False, True)
    """
    return _first(text)


def shared_values(array: Any, decode: Callable[[Any], Any] | None = None) -> list[Any]:
    """The values of an Arrow array as Python objects (each ``decode``d); of a string or date
    array, one object per distinct value, shared by every row that holds it.

    Filings repeat most of their values (names, CIKs, titles, dates, prices, codes): made
    once each, a store's filings read back take 30% less memory than with one object per
    cell (measured on 200,000 synthetic filings), and each amount is parsed once.

    >>> import pyarrow as pa
    >>> from decimal import Decimal
    >>> a, b, c = shared_values(pa.array(["1.5", None, "1.5"]), Decimal)
    >>> a is c, b
    (True, None)
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_string(array.type) or pa.types.is_date32(array.type)):
        raw = array.to_pylist()  # numbers, flags, lists: no objects worth sharing
        return raw if decode is None else [decode(v) for v in raw]
    encoded = pc.dictionary_encode(array)
    if isinstance(encoded, pa.ChunkedArray):  # one dictionary for every chunk
        encoded = encoded.unify_dictionaries().combine_chunks() if encoded.num_chunks else None
        if encoded is None:
            return []
    distinct = encoded.dictionary.to_pylist()
    if decode is not None:
        distinct = [decode(v) for v in distinct]
    distinct.append(None)  # the index of a null cell
    indices = encoded.indices.fill_null(len(distinct) - 1).to_numpy(zero_copy_only=False)
    return list(map(distinct.__getitem__, indices.tolist()))


def clear_caches() -> None:
    """Empty every memo cache of the loaders.

    They are bounded, but their entries, made while a batch was read, sit scattered among
    the batch's parsed filings in the interpreter's memory arenas: an arena goes back to
    the system only when nothing in it lives, so these few thousand strings keep the memory
    of every filing freed after them (measured: 30,000 filings freed, 402 MB resident with
    the caches, 250 MB without).

    >>> clear_caches()
    """
    for cached in _CACHES:
        cached.cache_clear()


__all__ = ["clear_caches", "memo", "shared", "shared_values"]
