"""insidergraph.queries."""
