"""Where and as whom to reach Neo4j, and a verified driver or one line saying what is wrong.

>>> cfg = Neo4jConfig.from_env({"NEO4J_URI": "bolt://127.0.0.1:7687", "NEO4J_PASSWORD": "x"})
>>> (cfg.uri, cfg.user, cfg.database)
('bolt://127.0.0.1:7687', 'neo4j', 'neo4j')
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from insidergraph.backends.neo4j.messages import driver_line
from insidergraph.backends.neo4j.statements import count_query
from insidergraph.errors import Neo4jError
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES

if TYPE_CHECKING:
    from neo4j import Driver

#: Seconds the driver keeps retrying a transaction, and waits to connect: a server that
#: went away is reported within about this long, not after minutes of retries by every
#: session in turn (the driver's defaults are 30 s each).
RETRY_S = 10.0
CONNECT_S = 5.0
#: URI schemes of Bolt, the only protocol the driver speaks to a server.
URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


@dataclass(frozen=True)
class Neo4jConfig:
    """Where and as whom to connect."""

    uri: str
    user: str = "neo4j"
    password: str = ""
    database: str = "neo4j"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: str | None) -> Neo4jConfig:
        """``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``, then overrides.

        >>> Neo4jConfig.from_env({}, database="other").database
        'other'
        """
        env = os.environ if env is None else env
        values = {
            "uri": env.get("NEO4J_URI", "bolt://localhost:7687"),
            "user": env.get("NEO4J_USER", "neo4j"),
            "password": env.get("NEO4J_PASSWORD", ""),
            "database": env.get("NEO4J_DATABASE", "neo4j"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def check_uri(uri: str) -> None:
    """Refuse a URI the driver cannot speak to (an ``http://`` one would need another driver).

    >>> check_uri("http://localhost:7474")
    Traceback (most recent call last):
    ...
    insidergraph.errors.Neo4jError: bad Neo4j URI 'http://localhost:7474': Neo4j is reached over Bolt, with a bolt://, neo4j://, bolt+s://, neo4j+s://, bolt+ssc:// or neo4j+ssc:// URI (for example bolt://localhost:7687)
    """  # noqa: E501 (a doctest's expected output is one line)
    scheme, sep, _ = uri.partition("://")
    if not sep or scheme.lower() not in URI_SCHEMES:
        raise Neo4jError(
            f"bad Neo4j URI {uri!r}: Neo4j is reached over Bolt, with a bolt://, neo4j://, bolt+s://, neo4j+s://, "
            "bolt+ssc:// or neo4j+ssc:// URI (for example bolt://localhost:7687)"
        )


def connect(cfg: Neo4jConfig) -> Driver:
    """A verified driver, or a :class:`Neo4jError` saying in one line what is wrong.

    >>> connect(Neo4jConfig("bolt://127.0.0.1:1"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    insidergraph.errors.Neo4jError: cannot reach Neo4j at bolt://127.0.0.1:1: ...
    """
    from neo4j import GraphDatabase
    from neo4j import exceptions as ex

    check_uri(cfg.uri)
    try:
        # Notifications (e.g. "relationship type does not exist" when counting an empty
        # type) are advice for interactive users, not for a loader's output.
        driver = GraphDatabase.driver(
            cfg.uri, auth=(cfg.user, cfg.password), notifications_min_severity="OFF",
            max_transaction_retry_time=RETRY_S, connection_timeout=CONNECT_S,
            connection_acquisition_timeout=RETRY_S + CONNECT_S,
        )
    except (ex.ConfigurationError, ValueError) as err:
        raise Neo4jError(f"bad Neo4j URI {cfg.uri!r}: {err}") from None
    try:
        driver.verify_connectivity()
        driver.execute_query("RETURN 1", database_=cfg.database)
    except ex.AuthError:
        driver.close()
        raise Neo4jError(f"Neo4j at {cfg.uri} refused the credentials of user {cfg.user!r}") from None
    except (ex.ServiceUnavailable, OSError) as err:
        driver.close()
        raise Neo4jError(f"cannot reach Neo4j at {cfg.uri}: {driver_line(err)}") from None
    except ex.Neo4jError as err:
        driver.close()
        if "DatabaseNotFound" in (err.code or ""):
            raise Neo4jError(f"Neo4j at {cfg.uri} has no database {cfg.database!r}") from None
        raise Neo4jError(f"Neo4j at {cfg.uri}: {driver_line(err.message or err)}") from None
    return driver


def counts(cfg: Neo4jConfig) -> dict[str, dict[str, int]]:
    """Node counts per label and relationship counts per type on the server.

    >>> counts(Neo4jConfig("bolt://127.0.0.1:7687"))  # doctest: +SKIP
    {'nodes': {'Person': 10, ...}, 'edges': {'FILED': 12, ...}}
    """
    driver = connect(cfg)
    try:
        out: dict[str, dict[str, int]] = {"nodes": {}, "edges": {}}
        for kind, names in (("nodes", NODE_TYPES), ("edges", EDGE_TYPES)):
            for name in names:
                records = driver.execute_query(count_query(kind, name), database_=cfg.database).records
                out[kind][name] = records[0]["c"]
        return out
    finally:
        driver.close()
