"""Get filings from EDGAR: the only part of insidergraph that opens a network connection.

>>> from insidergraph.edgar import fetch, FetchResult
>>> FetchResult().summary()
'found 0, fetched 0, already present 0, failed 0'
"""

from insidergraph.edgar.client import EdgarClient, EdgarError, NotFound, RateLimiter
from insidergraph.edgar.fetch import Failure, FetchResult, Urls, fetch
from insidergraph.edgar.mirror import Mirror

__all__ = ["fetch", "FetchResult", "Failure", "Urls", "EdgarClient", "EdgarError", "NotFound", "RateLimiter", "Mirror"]
