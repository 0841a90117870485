"""The oxigraph backend: its writer and its query engine (see :mod:`insidergraph.backends`)."""
