"""The Neo4j of the tests: connection settings as a config, and emptying the shared server.

One server serves every Neo4j test (``.ci/run`` starts it), so a test that loads a store
starts from an empty database.
"""

from __future__ import annotations

from insidergraph.backends.neo4j.connection import Neo4jConfig, connect


def config(env: dict[str, str]) -> Neo4jConfig:
    """The config of the ``neo4j_env`` fixture's server (or of any ``NEO4J_*`` settings)."""
    return Neo4jConfig(env["NEO4J_URI"], env["NEO4J_USER"], env["NEO4J_PASSWORD"])


def clear(cfg: Neo4jConfig) -> None:
    """Delete every node and relationship (in batches, each its own transaction)."""
    driver = connect(cfg)
    try:
        with driver.session(database=cfg.database) as session:  # an implicit transaction, as IN TRANSACTIONS needs
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()
    finally:
        driver.close()
