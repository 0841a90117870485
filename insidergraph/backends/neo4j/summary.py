"""What a load reports: its closing summary, and a progress bar per label and type while it runs.

>>> s = LoadSummary()
>>> s.rows["Person"], s.created["Person"], s.paths["Person"] = 3, 2, "diff"
>>> s.line()
'nodes: 2 created, 1 matched; relationships: 0 created, 0 matched (tables: 1 diff)'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from insidergraph.console import Bars
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES


@dataclass
class LoadSummary:
    """What a load wrote: per label and type, rows in the store, nodes/relationships created, path taken."""

    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    paths: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        """One closing line: created and matched, nodes and relationships."""
        nodes = [k for k in self.rows if k in NODE_TYPES]
        rels = [k for k in self.rows if k in EDGE_TYPES]

        def part(keys: list[str]) -> tuple[int, int]:
            made = sum(self.created[k] for k in keys)
            return made, sum(self.rows[k] for k in keys) - made

        n_made, n_matched = part(nodes)
        r_made, r_matched = part(rels)
        tables: dict[str, int] = defaultdict(int)
        for path in self.paths.values():
            tables[path] += 1
        ways = ", ".join(f"{n} {path}" for path, n in sorted(tables.items()))
        return (
            f"nodes: {n_made} created, {n_matched} matched; "
            f"relationships: {r_made} created, {r_matched} matched"
        ) + (f" (tables: {ways})" if ways else "")


class Progress:
    """A progress bar per label and type, on stderr (:class:`insidergraph.console.Bars`), or nothing.

    >>> Progress(False, {"Person": 3}).advance("Person", 1)
    """

    def __init__(self, enabled: bool, totals: Mapping[str, int]) -> None:
        self.bars = Bars(enabled, transient=False)
        for name, total in totals.items():
            if total:
                self.bars.add(name, total)

    def advance(self, name: str, n: int) -> None:
        if n:
            self.bars.advance(name, n)

    def stop(self) -> None:
        self.bars.stop()
