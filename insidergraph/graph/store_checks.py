"""The checks a store makes of what it writes and reads: ids that must not collide,
files that must have the size the manifest gives, and graph tables an older version wrote
(see :mod:`insidergraph.graph.store`).

Every query process runs the read checks before its first answer, so this module imports
only the registry of types at load time (``pyarrow.parquet`` when a table is read, the
builder and Arrow compute when a build checks its ids): pandas and the builder's modules
took most of a query process's time before.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from insidergraph.errors import StoreError
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES, Prop

if TYPE_CHECKING:
    from insidergraph.graph.build import GraphBuilder
    from insidergraph.graph.tables import GraphTables


def node_props(label: str) -> list[Prop]:
    """Property columns of a node table, ``id`` first.

    >>> node_props("Footnote")[0].name
    'id'
    """
    return list(NODE_TYPES[label].props)


def edge_props(rel: str) -> list[Prop]:
    """Columns of an edge table: ``id``, ``src``, ``dst``, then its properties.

    >>> [p.name for p in edge_props("ABOUT")]
    ['id', 'src', 'dst']
    """
    return [Prop("id"), Prop("src"), Prop("dst"), *list(EDGE_TYPES[rel].props)]


def stale_table(directory: Path) -> str | None:
    """The first table under ``directory`` that lacks a column the schema declares (written
    by an older insidergraph), as ``nodes/Transaction.parquet: superseded``; None when none does.

    Only each file's footer (its schema) is read; a file that is no Parquet at all (damaged)
    is left to the checksum of whoever reads it.

    >>> stale_table(Path("/nonexistent"))
    """
    paths = [(kind, name, directory / kind / f"{name}.parquet")
             for kind, names in (("nodes", NODE_TYPES), ("edges", EDGE_TYPES)) for name in names]
    if not any(path.is_file() for _, _, path in paths):
        return None
    import pyarrow as pa
    import pyarrow.parquet as pq

    for kind, name, path in paths:
        try:
            have = set(pq.read_schema(path).names)
        except (OSError, pa.ArrowInvalid):
            continue
        props = node_props(name) if kind == "nodes" else edge_props(name)
        missing = [p.name for p in props if p.name not in have]
        if missing:
            return f"{kind}/{name}.parquet: {', '.join(missing)}"
    return None


def refuse_duplicate_ids(tables: GraphTables, builder: GraphBuilder) -> None:
    """One line naming the filing whose crafted CIK made two ids collide (the store is
    left as it was: nothing has been switched yet)."""
    import pyarrow.compute as pc

    from insidergraph.graph.ids import filing_key

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


__all__ = ["edge_props", "node_props", "refuse_duplicate_ids", "size_problem", "stale_table"]
