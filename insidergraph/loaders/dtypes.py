"""Typed pandas columns: one place that says which pandas dtype each kind of value gets.

The model keeps amounts as :class:`~decimal.Decimal` and dates as :class:`~datetime.date`;
the engines answer with Python values. A DataFrame of them as ``object`` columns is exact
but useless to pandas (no ``.dt``, sums of strings, counts that are not ints), so every
DataFrame the Python API hands out goes through :func:`typed_frame` or :func:`arrow_frame`:

========  =====================================================================
kind      pandas dtype
========  =====================================================================
str       ``string[pyarrow]`` (missing: ``<NA>``)
int       ``Int64`` (nullable)
float     ``float64`` (missing: ``NaN``)
decimal   ``float64``; with ``exact=True`` the :class:`~decimal.Decimal` values (``object``)
date      ``datetime64[s]`` (missing: ``NaT``)
datetime  ``datetime64[us]``
bool      ``boolean`` (nullable)
list      Arrow-backed lists (``list<item: string>[pyarrow]`` for lists of strings)
object    the values as they are (what no other kind holds: a Cypher node, say)
========  =====================================================================

>>> from datetime import date
>>> from decimal import Decimal
>>> df = typed_frame({"n": [2, None], "d": [date(2021, 3, 1), None], "x": [Decimal("1.5"), None]},
...                  {"n": "int", "d": "date", "x": "decimal"})
>>> [str(t) for t in df.dtypes]
['Int64', 'datetime64[s]', 'float64']
>>> typed_frame({"x": [Decimal("1.50")]}, {"x": "decimal"}, exact=True)["x"].tolist()
[Decimal('1.50')]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

Kind = Literal["str", "int", "float", "decimal", "date", "datetime", "bool", "list", "object"]

__all__ = ["Kind", "arrow_frame", "infer_kind", "typed_frame"]


def _missing(value: Any) -> bool:
    # NaN and pandas' NA stand for a missing value as None does (a frame made by pandas).
    return value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ == "NAType"


def infer_kind(values: Sequence[Any]) -> Kind:
    """The kind of a column of Python values whose kind nobody declared (an ad-hoc query's).

    >>> infer_kind([1, None, 3]), infer_kind([1, 2.5]), infer_kind(["a", None]), infer_kind([])
    ('int', 'float', 'str', 'str')
    >>> infer_kind([["a"], None]), infer_kind([True]), infer_kind([{"x": 1}])
    ('list', 'bool', 'object')
    """
    kinds = {_kind_of(v) for v in values if not _missing(v)}
    if not kinds:
        return "str"
    if kinds == {"int", "float"}:
        return "float"
    if kinds == {"date", "datetime"}:
        return "datetime"
    return kinds.pop() if len(kinds) == 1 else "object"


def _kind_of(value: Any) -> Kind:
    # bool before int (a bool is an int) and datetime before date (a datetime is a date).
    for types, kind in _PYTHON_KINDS:
        if isinstance(value, types):
            # A zoned time has no place in a datetime64 column without a zone of its own.
            return "object" if isinstance(value, datetime) and value.tzinfo is not None else kind
    return "object"


_PYTHON_KINDS: tuple[tuple[type | tuple[type, ...], Kind], ...] = (
    (bool, "bool"), (int, "int"), (float, "float"), (Decimal, "decimal"), (datetime, "datetime"),
    (date, "date"), (str, "str"), ((list, tuple), "list"),
)


def _as_date(value: Any) -> date | None:
    if _missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _as_float(value: Any) -> float | None:
    return None if _missing(value) else float(value)


def _as_decimal(value: Any) -> Decimal | None:
    if _missing(value):
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _cells(values: Sequence[Any]) -> list[Any]:
    return [None if _missing(v) else v for v in values]


def _list_array(values: Sequence[Any]) -> pa.Array:
    import pyarrow as pa

    cells = [None if _missing(v) else list(v) for v in values]
    items = [x for cell in cells if cell for x in cell]
    # Lists of strings (every named query's) are typed so even when all are empty; others as Arrow infers.
    strings = all(x is None or type(x) is str for x in items)
    return pa.array(cells, pa.list_(pa.string()) if strings else None)


def _arrow_array(values: Sequence[Any], kind: Kind) -> pa.Array:
    """The values of one column as an Arrow array of the kind's type."""
    import pyarrow as pa

    if kind == "date":
        return pa.array([_as_date(v) for v in values], pa.date32())
    if kind == "str":
        return pa.array([None if _missing(v) else str(v) for v in values], pa.string())
    if kind == "list":
        return _list_array(values)
    types = {"datetime": pa.timestamp("us"), "int": pa.int64(), "bool": pa.bool_()}
    return pa.array(_cells(values), types[kind])


def _series(values: Sequence[Any], kind: Kind, exact: bool) -> pd.Series[Any]:
    """One column of Python values as a Series of the kind's dtype."""
    import pandas as pd

    if kind == "decimal" and exact:
        return pd.Series([_as_decimal(v) for v in values], dtype=object)
    if kind == "object":
        return pd.Series(_cells(values), dtype=object)
    if kind in ("float", "decimal"):
        return pd.Series([_as_float(v) for v in values], dtype="float64")
    return _from_arrow(_arrow_array(values, kind))


def _pandas_dtype(typ: pa.DataType) -> Any:
    """The extension dtype of an Arrow type (``None``: pandas' own numpy dtype)."""
    import pandas as pd
    import pyarrow as pa

    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return pd.StringDtype("pyarrow")
    if pa.types.is_integer(typ):
        return pd.Int64Dtype()
    if pa.types.is_boolean(typ):
        return pd.BooleanDtype()
    if pa.types.is_nested(typ):
        return pd.ArrowDtype(typ)
    return None


def _from_arrow(array: pa.Array | pa.ChunkedArray) -> pd.Series[Any]:
    """An Arrow column as the pandas dtype of its kind (the table above), converted by Arrow
    in one call (a graph table has millions of rows at scale)."""
    import pyarrow as pa

    series: pd.Series[Any] = array.to_pandas(types_mapper=_pandas_dtype, date_as_object=False)
    if pa.types.is_date(array.type):
        return series.astype("datetime64[s]")
    if pa.types.is_timestamp(array.type) and array.type.tz is None:
        return series.astype("datetime64[us]")
    return series


def typed_frame(columns: Mapping[str, Sequence[Any]] | Sequence[tuple[str, Sequence[Any]]],
                kinds: Mapping[str, Kind], exact: bool = False) -> pd.DataFrame:
    """A DataFrame of ``columns`` (name -> Python values, or (name, values) pairs when two
    columns may share a name, as an ad-hoc query's can), each of its kind in ``kinds`` (a
    column not named there gets :func:`infer_kind`'s). ``exact`` keeps ``decimal``
    columns as :class:`~decimal.Decimal` instead of ``float64``.

    >>> df = typed_frame({"name": ["Jane", None], "boards": [["b", "a"], []]}, {"boards": "list"})
    >>> [str(t) for t in df.dtypes], df["name"].isna().tolist()
    (['string', 'list<item: string>[pyarrow]'], [False, True])
    """
    import pandas as pd

    pairs = list(columns.items()) if isinstance(columns, Mapping) else list(columns)
    series = [_series(list(values), kinds.get(name) or infer_kind(list(values)), exact) for name, values in pairs]
    frame = pd.DataFrame(dict(enumerate(series)))
    frame.columns = pd.Index([name for name, _ in pairs], dtype=object)
    return frame


def arrow_frame(table: pa.Table, decimals: Sequence[str] = (), exact: bool = False) -> pd.DataFrame:
    """A DataFrame of an Arrow table, each column of its type's dtype; the string columns
    named in ``decimals`` hold exact decimal text (the graph tables' ``decimal`` columns)
    and become ``float64``, or :class:`~decimal.Decimal` with ``exact``.

    >>> import pyarrow as pa
    >>> t = pa.table({"price": pa.array(["5.79", None]), "n": pa.array([1, 2])})
    >>> arrow_frame(t, decimals=["price"])["price"].tolist()[0], str(arrow_frame(t)["n"].dtype)
    (5.79, 'Int64')
    """
    import pandas as pd
    import pyarrow.compute as pc

    data: dict[str, pd.Series[Any]] = {}
    for name in table.column_names:
        column = table.column(name)
        if name in decimals:
            data[name] = (_series(column.to_pylist(), "decimal", True) if exact
                          else _from_arrow(pc.cast(column, "float64")))
        else:
            data[name] = _from_arrow(column)
    return pd.DataFrame(data, columns=table.column_names)
