"""Get filings from EDGAR: the only part of insidergraph that opens a network connection.

The names below load on first use, so that the CLI's other commands never import httpx.

>>> from insidergraph.edgar import fetch, FetchResult
>>> FetchResult().summary()
'found 0, fetched 0, already present 0, failed 0'
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "fetch": "fetching", "FetchResult": "fetching", "Failure": "fetching", "Urls": "fetching",
    "EdgarClient": "client", "EdgarError": "client", "NotFound": "client", "RateLimiter": "client",
    "Mirror": "mirror", "update": "updating", "UpdateResult": "updating",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'insidergraph.edgar' has no attribute {name!r}")
    return getattr(importlib.import_module(f"insidergraph.edgar.{_WHERE[name]}"), name)
