"""The checks a store makes of what it writes and reads: ids that must not collide, and
files that must have the size the manifest gives (see :mod:`insidergraph.graph.store`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from insidergraph.errors import StoreError
from insidergraph.graph.build import GraphBuilder
from insidergraph.graph.ids import filing_key
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES
from insidergraph.graph.tables import GraphTables


def refuse_duplicate_ids(tables: GraphTables, builder: GraphBuilder) -> None:
    """One line naming the filing whose crafted CIK made two ids collide (the store is
    left as it was: nothing has been switched yet)."""
    for kind, names in (("nodes", NODE_TYPES), ("edges", EDGE_TYPES)):
        for name in names:
            ids = tables.to_arrow(kind, name).column("id")
            if pc.count_distinct(ids).as_py() == len(ids):
                continue
            counts = pc.value_counts(ids)
            dup = counts.filter(pc.greater(counts.field("counts"), 1))[0]["values"].as_py()
            culprits = [filing_key(fid) for fid, f in builder.filings.items()
                        if any(c and c in dup and not c.isdigit()
                               for c in [f.issuer.cik, *(o.cik for o in f.reporting_owners)])]
            who = f"filing {', '.join(culprits[:3])}" if culprits else "the filings added"
            raise StoreError(f"{who}: its CIKs make two {name} ids collide ({dup!r}); "
                             "the filing is refused and the store is unchanged")


def size_problem(path: Path, entry: Any) -> str | None:
    """What is wrong with a file the manifest lists as ``entry`` (its ``size``), or None.

    >>> size_problem(Path("/nonexistent"), {"size": 3})
    'is missing'
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "is missing"
    expected = entry.get("size") if isinstance(entry, dict) else None
    if size != expected:
        return f"is {size} bytes, the manifest says {expected} (truncated or altered)"
    return None


__all__ = ["refuse_duplicate_ids", "size_problem"]
