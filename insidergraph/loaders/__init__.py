"""Loaders: one module per input format, each ``parse(source) -> Filing``; no network."""

from insidergraph.loaders.memo import clear_caches

__all__ = ["clear_caches"]
