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
        return str(value.isoformat())  # type: ignore[attr-defined]
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


_CONVERT = {
    "string": "{v}",
    "date": "date({v})",
    "decimal": "toFloat({v})",
    "int": "toInteger({v})",
    "bool": "toBoolean({v})",
    "string[]": "split({v}, '" + ARRAY_DELIMITER + "')",
}


def _sets(var: str, props: list[Prop], node: bool) -> str:
    # An empty CSV field reads as null, and every conversion keeps null as null.
    parts = [
        f"{var}.{p.name} = " + _CONVERT[p.type].format(v=f"row.`{header_for(p, node)}`")
        for p in props
        if p.name not in ("id", "src", "dst")
    ]
    return (" SET " + ", ".join(parts)) if parts else ""


def load_csv_statements(base_url: str, rows_per_transaction: int = 10_000) -> list[str]:
    """``LOAD CSV`` statements that read the files of :func:`export_csv` into an empty database.

    The route for a server that ``neo4j-admin`` cannot reach (Aura, a running instance):
    copy the files where the server's ``LOAD CSV`` can read them and run these, nodes first.

    >>> load_csv_statements("file:///csv")[0].split(" AS row")[0]
    "LOAD CSV WITH HEADERS FROM 'file:///csv/nodes/Person.csv'"
    """
    out = []
    for label in NODE_TYPES:
        out.append(
            f"LOAD CSV WITH HEADERS FROM '{base_url}/nodes/{label}.csv' AS row CALL (row) {{ "
            f"CREATE (n:{label} {{id: row.`id:ID`}}){_sets('n', node_props(label), True)} }} "
            f"IN TRANSACTIONS OF {rows_per_transaction} ROWS"
        )
    for rel, et in EDGE_TYPES.items():
        for src, dst in et.pairs:
            out.append(
                f"LOAD CSV WITH HEADERS FROM '{base_url}/relationships/{rel}.csv' AS row CALL (row) {{ "
                f"MATCH (a:{src} {{id: row.`:START_ID`}}) MATCH (b:{dst} {{id: row.`:END_ID`}}) "
                f"CREATE (a)-[r:{rel} {{id: row.id}}]->(b){_sets('r', edge_props(rel), False)} }} "
                f"IN TRANSACTIONS OF {rows_per_transaction} ROWS"
            )
    return out
