"""Named and ad-hoc Cypher on a Neo4j server that ``insidergraph neo4j load`` filled.

The connection comes from ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD`` and
``NEO4J_DATABASE``; parameters are bound by the driver. Named queries use
``queries/neo4j/NAME.cypher`` where Neo4j's dialect differs from the embedded one, and
the shared ``NAME.cypher`` elsewhere.

>>> Neo4jEngine.name
'neo4j'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from insidergraph.backends.neo4j.connection import Neo4jConfig, connect
from insidergraph.backends.neo4j.messages import driver_line, server_line
from insidergraph.errors import QueryError

if TYPE_CHECKING:
    from insidergraph.graph.store import Store


def _native(value: Any) -> Any:
    """Driver temporal types and nested lists as plain Python values."""
    if isinstance(value, list):
        return [_native(v) for v in value]
    to_native = getattr(value, "to_native", None)
    return to_native() if to_native is not None else value


class Neo4jEngine:
    """Cypher on Neo4j; the store only names the graph, the server holds it."""

    name = "neo4j"

    def __init__(self, store: Store, cfg: Neo4jConfig | None = None) -> None:
        self.cfg = cfg or Neo4jConfig.from_env()
        self._driver = connect(self.cfg)

    def close(self) -> None:
        self._driver.close()

    def run_text(self, text: str, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
        """Run one Cypher statement with parameters bound by the driver (in a read transaction)."""
        from neo4j import exceptions as ex

        from insidergraph.backends.guard import cypher_words

        words = cypher_words(text)
        while words and words[-1] == ";":
            words.pop()
        if ";" in words:
            raise QueryError("Neo4j runs one Cypher statement at a time: this text holds several (separated by ';')")
        try:
            records, _summary, keys = self._driver.execute_query(
                text, params, database_=self.cfg.database, routing_="r"
            )
        except ex.Neo4jError as err:
            raise QueryError(server_line(err.message or str(err))) from None
        except ex.DriverError as err:
            raise QueryError(driver_line(err)) from None
        return list(keys), [[_native(v) for v in r.values()] for r in records]

    def run_named(self, query: Any, bound: dict[str, Any]) -> list[list[Any]]:
        text = query.text("neo4j", bound)
        used = {k: v for k, v in bound.items() if re.search(rf"\${k}\b", text)}
        return self.run_text(text, used)[1]
