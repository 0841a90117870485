"""insidergraph: SEC insider filings (Forms 3, 4, 5) as a knowledge graph of who sits where.

The Python API (:mod:`insidergraph.api`) is named here and imported on first use, so that
importing the package (as every module and the CLI do) loads neither pandas nor an engine:
``insidergraph.parse(paths)``, ``insidergraph.open(path)`` (or ``insidergraph.Store(path)``)
and ``insidergraph.ParseResult``.

>>> import insidergraph
>>> insidergraph.__version__
'0.1.0'
>>> insidergraph.parse([])
ParseResult(filings=0, powers=0, errors=0)
>>> insidergraph.nope
Traceback (most recent call last):
...
AttributeError: module 'insidergraph' has no attribute 'nope'
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

#: The Python API by name, as ``"module:attribute"`` (resolved when first asked for: the
#: package's ``__init__`` is the lowest layer, the API sits above the queries it asks).
API: dict[str, str] = {name: f"insidergraph.api:{name}" for name in ("ParseResult", "Store", "open", "parse")}


def __getattr__(name: str) -> Any:
    target = API.get(name)
    if target is None:
        raise AttributeError(f"module 'insidergraph' has no attribute {name!r}")
    module, _, attribute = target.partition(":")
    value = getattr(import_module(module), attribute)
    globals()[name] = value  # asked once: later lookups find it without coming here
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *API])


__all__ = ["API", "ParseResult", "Store", "__version__", "open", "parse"]
