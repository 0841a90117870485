"""Loaders: one module per input format, each ``parse(source) -> Filing``; no network."""
