"""The Neo4j backend: the loader (``insidergraph neo4j load``), the CSV export for
``neo4j-admin import`` and the query engine (see :mod:`insidergraph.backends`)."""
