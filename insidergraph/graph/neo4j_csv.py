"""The bulk path into Neo4j: CSV files and headers for ``neo4j-admin database import full``.

One file per node label (``nodes/<Label>.csv``) and per relationship type
(``relationships/<TYPE>.csv``), with typed headers (``id:ID``, ``first_period:date``,
``aliases:string[]``...). Node ids are globally unique, so one ID space serves all labels.

>>> header_for(NODE_TYPES["Person"].props[0], node=True)
'id:ID'
"""

from __future__ import annotations

import csv
import shlex
from pathlib import Path

from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES, Prop
from insidergraph.graph.tables import GraphTables, edge_props, node_props

ARRAY_DELIMITER = ";"

_HEADER_TYPE = {
    "string": "",
    "date": ":date",
    "decimal": ":double",
    "int": ":long",
    "bool": ":boolean",
    "string[]": ":string[]",
}


def header_for(prop: Prop, node: bool) -> str:
    """The neo4j-admin header of one column."""
    if node and prop.name == "id":
        return "id:ID"
    if not node and prop.name == "src":
        return ":START_ID"
    if not node and prop.name == "dst":
        return ":END_ID"
    return prop.name + _HEADER_TYPE[prop.type]


def _cell(value: object, prop: Prop) -> str:
    if value is None:
        return ""
    if prop.type == "string[]":
        return ARRAY_DELIMITER.join(str(v) for v in value)  # type: ignore[attr-defined]
    if prop.type == "bool":
        return "true" if value else "false"
    if prop.type == "date":
        return value.isoformat()  # type: ignore[attr-defined]
    return str(value)


def _write(path: Path, df: object, props: list[Prop], node: bool) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = [df[p.name].tolist() for p in props]  # type: ignore[index]
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow([header_for(p, node) for p in props])
        n = 0
        for values in zip(*columns):
            out.writerow([_cell(v, p) for v, p in zip(values, props)])
            n += 1
    return n


def export_csv(tables: GraphTables, out_dir: str | Path) -> list[str]:
    """Write the CSV files; returns the ``neo4j-admin`` command line that imports them."""
    out = Path(out_dir)
    args = ["neo4j-admin", "database", "import", "full"]
    for label in NODE_TYPES:
        rel_path = f"nodes/{label}.csv"
        _write(out / rel_path, tables.nodes[label], node_props(label), node=True)
        args.append(f"--nodes={label}={out / rel_path}")
    for rel in EDGE_TYPES:
        rel_path = f"relationships/{rel}.csv"
        _write(out / rel_path, tables.edges[rel], edge_props(rel), node=False)
        args.append(f"--relationships={rel}={out / rel_path}")
    args += [f"--array-delimiter={ARRAY_DELIMITER}", "--multiline-fields=true", "--overwrite-destination=true", "neo4j"]
    return args


def command_line(args: list[str]) -> str:
    """The command as one shell-quoted line."""
    return " ".join(shlex.quote(a) for a in args)
