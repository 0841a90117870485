"""The one HTTP client of the SPARQL server backend (httpx): queries and updates by the
SPARQL 1.1 Protocol, graphs by the Graph Store HTTP Protocol, and every way a server can
fail said in one line.

Credentials come from ``SPARQL_USER`` and ``SPARQL_PASSWORD`` only (HTTP basic
authentication), never from the command line.

>>> SparqlClient("ftp://example.org/q")
Traceback (most recent call last):
...
insidergraph.backends.sparql_server.client.SparqlServerError: ftp://example.org/q: not an http:// or https:// URL
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from insidergraph.errors import InsiderGraphError, one_line

#: Seconds a request may take unless ``--timeout`` says otherwise.
DEFAULT_TIMEOUT = 60.0
_JSON = "application/sparql-results+json"


class SparqlServerError(InsiderGraphError):
    """A SPARQL server could not be reached, refused the credentials or the request, timed
    out, or answered with something that is not SPARQL JSON."""


class SparqlClient:
    """Requests to one endpoint URL, with the environment's credentials."""

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT, env: Mapping[str, str] | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise SparqlServerError(f"{url}: not an http:// or https:// URL")
        env = os.environ if env is None else env
        user, password = env.get("SPARQL_USER"), env.get("SPARQL_PASSWORD")
        auth = httpx.BasicAuth(user, password or "") if user else None
        self.url, self.timeout = url, timeout
        self._http = httpx.Client(auth=auth, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def _send(self, what: str, method: str, url: str | None = None, missing_ok: bool = False,
              **kwargs: Any) -> httpx.Response:
        url = url or self.url
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise SparqlServerError(f"{url}: no answer within {self.timeout:g} s (--timeout)") from None
        except httpx.HTTPError as err:
            raise SparqlServerError(f"{url}: cannot reach the server: {one_line(str(err) or type(err).__name__)}") \
                from None
        if response.status_code in (401, 403):
            raise SparqlServerError(f"{url}: the server refused the credentials (HTTP {response.status_code}); "
                                    "set SPARQL_USER and SPARQL_PASSWORD")
        if response.status_code >= 400 and not (missing_ok and response.status_code == 404):
            body = one_line(response.text.strip() or response.reason_phrase, 200)
            raise SparqlServerError(f"{url}: the server refused the {what} (HTTP {response.status_code}): {body}")
        return response

    def query(self, text: str) -> dict[str, Any]:
        """A SELECT or ASK query's SPARQL JSON results."""
        response = self._send("query", "POST", data={"query": text}, headers={"Accept": _JSON})
        try:
            results = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            results = None
        if not isinstance(results, dict) or not ("results" in results or "boolean" in results):
            kind = response.headers.get("content-type", "no content type")
            raise SparqlServerError(f"{self.url}: the answer is not SPARQL JSON results ({kind})")
        return results

    def update(self, text: str) -> None:
        """Run a SPARQL Update."""
        self._send("update", "POST", data={"update": text})

    def graph(self, method: str, graph: str, body: bytes) -> None:
        """PUT (replace) or POST (add) N-Triples ``body`` into ``graph`` by the Graph Store protocol."""
        self._send("update", method, params={"graph": graph}, content=body,
                   headers={"Content-Type": "application/n-triples"})

    def dataset(self, body: bytes | Iterable[bytes]) -> None:
        """POST (add) N-Quads ``body`` to the dataset by the Graph Store protocol (no graph
        parameter: each quad names its graph); pieces of bytes go as a chunked request."""
        self._send("update", "POST", content=body, headers={"Content-Type": "application/n-quads"})

    def delete_graph(self, graph: str) -> None:
        """Delete ``graph`` by the Graph Store protocol (one already gone is no error)."""
        self._send("update", "DELETE", params={"graph": graph}, missing_ok=True)


def solutions(results: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The variables and bindings of SPARQL JSON results (an ASK as one ``ask`` column)."""
    if "boolean" in results:
        return ["ask"], [{"ask": {"type": "boolean", "value": results["boolean"]}}]
    head, body = results.get("head", {}), results.get("results", {})
    return list(head.get("vars", [])), list(body.get("bindings", []))


__all__ = ["DEFAULT_TIMEOUT", "SparqlClient", "SparqlServerError", "solutions"]
