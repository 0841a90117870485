"""The embedded Cypher engine: a ``ladybug`` database (the successor of Kuzu) in the store.

:func:`write` (named in :data:`~insidergraph.backends.BACKENDS`) rebuilds
the database from scratch on every build: a declared schema from the registry (a node
table per label with ``id`` as primary key; a relationship table per type with every
(source, target) label pair), then bulk ``COPY`` from Arrow tables. Decimals become
``DOUBLE`` (the tables keep their exact text), ``string[]`` becomes ``STRING[]``.

>>> from insidergraph.graph.schema import NODE_TYPES
>>> node_ddl(NODE_TYPES["Footnote"])
'CREATE NODE TABLE Footnote(id STRING PRIMARY KEY, `filing_id` STRING, `footnote_id` STRING, `text` STRING)'
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insidergraph.errors import QueryError, StoreError
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES, EdgeType, NodeType, Prop

if TYPE_CHECKING:
    import pyarrow as pa

    from insidergraph.graph.diff import GraphChange
    from insidergraph.graph.store import Store
    from insidergraph.graph.tables import GraphTables

# Arrow compute and the id helpers are imported by the writers only: a query process reads
# the rows through ladybug's own Arrow export, and pandas (which pyarrow imports for
# ``pa.array`` of a list, as the id helpers do at load time) stays out of it.

_TYPES = {"string": "STRING", "date": "DATE", "decimal": "DOUBLE", "int": "INT64", "bool": "BOOLEAN",
          "string[]": "STRING[]"}
# An edge's (FROM, TO) pair is read from its ends' ids (insidergraph.graph.ids), without a
# lookup per row.


def db_path(store: Store) -> Path:
    """Where the database file lives in a store."""
    return store.engines_dir / "ladybug" / "graph.lbug"


def _cols(props: tuple[Prop, ...] | list[Prop]) -> str:
    # Backticks: some column names (``table``) are Cypher keywords.
    return ", ".join(f"`{p.name}` {_TYPES[p.type]}" for p in props)


def node_ddl(node: NodeType) -> str:
    """``CREATE NODE TABLE`` for a label."""
    rest = _cols(node.props[1:])
    return f"CREATE NODE TABLE {node.label}(id STRING PRIMARY KEY{', ' + rest if rest else ''})"


def rel_ddl(edge: EdgeType) -> str:
    """``CREATE REL TABLE`` for a type, with every (FROM, TO) pair and ``id`` first.

    >>> rel_ddl(EDGE_TYPES["ABOUT"])
    'CREATE REL TABLE ABOUT(FROM Filing TO Company, id STRING)'
    """
    pairs = ", ".join(f"FROM {a} TO {b}" for a, b in edge.pairs)
    props = ", ".join(["id STRING"] + ([_cols(edge.props)] if edge.props else []))
    return f"CREATE REL TABLE {edge.type}({pairs}, {props})"


def arrow_for_copy(tables: GraphTables, kind: str, name: str) -> pa.Table:
    """A table as Arrow with decimals cast to double (ladybug's COPY reads Arrow directly)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = tables.to_arrow(kind, name)
    props = NODE_TYPES[name].props if kind == "nodes" else EDGE_TYPES[name].props
    for p in props:
        if p.type == "decimal":
            i = table.schema.get_field_index(p.name)
            table = table.set_column(i, p.name, pc.cast(table.column(i), pa.float64()))
    return table


def write(store: Store, tables: GraphTables, change: GraphChange | None = None) -> str:
    """Write the ladybug database of ``store`` for ``tables``: rebuilt from scratch, or, given
    a small ``change`` from the previous generation, that generation's database updated in
    place (:mod:`insidergraph.backends.ladybug.update`). Returns which: ``rebuilt`` or ``updated``."""
    import ladybug as lb

    from insidergraph.graph.ids import check_labels

    if change is not None and change.small() and (change.previous / "engines" / "ladybug").is_dir():
        from insidergraph.backends.ladybug.update import update

        update(store, change)
        return "updated"
    path = db_path(store)
    shutil.rmtree(path.parent, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = lb.Database(str(path))
    conn = lb.Connection(db)
    try:
        for node in NODE_TYPES.values():
            conn.execute(node_ddl(node))
        for edge in EDGE_TYPES.values():
            conn.execute(rel_ddl(edge))
        for label in NODE_TYPES:
            table = arrow_for_copy(tables, "nodes", label)
            check_labels(label, table.column("id"))
            if table.num_rows:
                with_table(db, f"COPY {label} FROM $t", table)
        copy_edges(db, tables)
    except RuntimeError as err:
        raise StoreError(f"{path}: ladybug load failed: {err}") from err
    finally:
        conn.close()
        db.close()
    return "rebuilt"


def edge_parts(tables: GraphTables, ends_only: bool = False) -> Iterator[tuple[str, str, str, pa.Table]]:
    """``(type, FROM, TO, rows)`` for every edge table, split by (FROM, TO) pair: the rows in
    ``COPY``'s column order (source key, target key, ``id``, then the properties in declared
    order; only the first three with ``ends_only``)."""
    import pyarrow.compute as pc

    from insidergraph.graph.ids import pair_codes

    for rel, edge in EDGE_TYPES.items():
        table = arrow_for_copy(tables, "edges", rel)
        if not table.num_rows:
            continue
        table = table.select(["src", "dst", "id"] + ([] if ends_only else [p.name for p in edge.props]))
        # Every row's (FROM, TO) pair from its ends' ids; an end of no label, or a pair the
        # type does not join, is an error (UnknownIdError), never a row left out.
        pair = pair_codes(rel, table.column("src"), table.column("dst"))
        for k, (a, b) in enumerate(edge.pairs):
            part = table.filter(pc.equal(pair, k))
            if part.num_rows:
                yield rel, a, b, part


def copy_edges(db: Any, tables: GraphTables) -> None:
    """Bulk ``COPY`` of every edge table, split by (FROM, TO) pair."""
    for rel, a, b, part in edge_parts(tables):
        with_table(db, f"COPY {rel} FROM $t (from='{a}', to='{b}')", part)


def with_table(db: Any, statement: str, table: pa.Table) -> None:
    """Run ``statement`` with ``$t`` bound to ``table``, on a connection of its own.

    A ladybug connection keeps every statement it prepared, with the values bound to it,
    until it is closed: on one connection a build would hold every table it copied to the
    end (measured at 200,000 filings: the ladybug load's peak RSS 2.38 GB on one connection,
    1.76 GB with one per statement).
    """
    import ladybug as lb

    conn = lb.Connection(db)
    try:
        conn.execute(statement, {"t": table})
    finally:
        conn.close()


class LadybugEngine:
    """Cypher over the store's ladybug database, opened read-only; ad-hoc text may only read
    (see :mod:`insidergraph.backends.guard`)."""

    name = "cypher"

    def __init__(self, store: Store) -> None:
        import ladybug as lb

        path = db_path(store)
        if not path.exists():
            raise StoreError(f"{store.path}: no Cypher database in this store (run `insidergraph build` again)")
        try:
            self._db = lb.Database(str(path), read_only=True)
        except RuntimeError as err:
            raise StoreError(_open_error(store, path, err)) from None
        self._conn = lb.Connection(self._db)

    def close(self) -> None:
        self._conn.close()
        self._db.close()

    def _execute(self, text: str, params: dict[str, Any], fetch: Any) -> Any:
        """Run Cypher with parameters bound by ladybug; ``fetch(result)`` reads the rows."""
        try:
            result = self._conn.execute(text, params)
            if isinstance(result, list):  # several statements: the last one's rows
                result = result[-1]
            return fetch(result)
        except RuntimeError as err:
            raise QueryError(_one_line(str(err))) from None

    def _prepare(self, text: str) -> Any:
        """The engine's own prepared statement (one statement only, bound, not run)."""
        import warnings

        with warnings.catch_warnings():
            # Deprecated in favour of execute(), which would run what it is given at once.
            warnings.simplefilter("ignore", DeprecationWarning)
            statement = self._conn.prepare(text)
        if not statement.is_success():
            message = _one_line(statement.get_error_message())
            if "multiple statements" in message:
                message = "one Cypher statement at a time: this text holds several"
            raise QueryError(message)
        return statement

    def run_text(self, text: str, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
        """Run one reading Cypher statement with parameters bound by ladybug.

        The text is checked by keyword before the engine binds it (binding ``LOAD FROM``
        opens the file), then by the engine's plan; what runs is the checked statement.
        """
        from insidergraph.backends.guard import check_cypher, check_cypher_plan

        check_cypher(text)
        statement = self._prepare(text)
        plan = self._execute_prepared(self._prepare("EXPLAIN " + text), params, lambda r: r.get_all())
        check_cypher_plan("\n".join(str(cell) for row in plan for cell in row))
        columns, rows = self._execute_prepared(statement, params, lambda r: (r.get_column_names(), r.get_all()))
        return columns, [list(r) for r in rows]

    def _execute_prepared(self, statement: Any, params: dict[str, Any], fetch: Any) -> Any:
        try:
            return fetch(self._conn.execute(statement, params))
        except RuntimeError as err:
            raise QueryError(_one_line(str(err))) from None

    def run_named(self, query: Any, bound: dict[str, Any]) -> list[list[Any]]:
        """A named query's rows, fetched as Arrow columns.

        The named queries return only strings, numbers, dates and lists of them, which
        Arrow hands over as the same Python values as ``get_all``; tens of thousands of
        rows come over in a fraction of the time of one call per row.
        """
        text = query.text("cypher", bound)
        used = {k: v for k, v in bound.items() if re.search(rf"\${k}\b", text)}
        table = self._execute(text, used, lambda r: r.get_as_arrow(_ARROW_CHUNK))
        return [list(row) for row in zip(*(column.to_pylist() for column in table.columns))]


_ARROW_CHUNK = 100_000


def _open_error(store: Store, path: Path, err: RuntimeError) -> str:
    """One line for a database that cannot be opened read-only."""
    if "recovery is pending" in str(err):
        return (
            f"{path}: the Cypher database has a checkpoint left pending by an interrupted write "
            f"({path.name}.wal); run `insidergraph cypher --recover --store {store.path}` to complete it"
        )
    return f"{path}: cannot open the Cypher database: {_one_line(str(err))}"


def recover(store: Store) -> str:
    """Complete a checkpoint that an interrupted write left pending (``cypher --recover``).

    Opening the database for writing once is ladybug's own recovery: it replays the
    write-ahead log and removes it. Asked for explicitly, since queries open read-only.
    """
    import ladybug as lb

    path = db_path(store)
    if not path.exists():
        raise StoreError(f"{store.path}: no Cypher database in this store (run `insidergraph build` again)")
    pending = [p.name for p in (path.with_name(path.name + ".wal"), path.with_name(path.name + ".shadow"))
               if p.exists()]
    if not pending:
        return f"{path}: nothing to recover"
    try:
        lb.Database(str(path)).close()
        lb.Database(str(path), read_only=True).close()
    except RuntimeError as err:
        raise StoreError(f"{path}: recovery failed: {_one_line(str(err))}") from None
    return f"{path}: recovered ({', '.join(pending)} replayed)"


def _one_line(message: str) -> str:
    """ladybug's message without its caret diagram (the CLI prints one line)."""
    return message.strip().splitlines()[0]
