"""insidergraph.ontology."""
