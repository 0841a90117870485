"""insidergraph.graph."""
