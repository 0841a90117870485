"""The runner: executes a load's plan against a driver (the only part of the loader that talks to a server).

Three kinds of thread share the work. The caller's thread claims the node tables under
their markers, makes each batch's parameters and hands the batches to ``workers``
sessions of a pool; a preparing thread with a session of its own claims and plans the
relationship tables meanwhile (:class:`~.plan.Phase`); a heartbeat thread keeps this
load's claims alive. What each part decides is pure and lives elsewhere: the Cypher in
:mod:`.statements`, the path in :mod:`.markers`, the batches in :mod:`.plan`.

>>> from insidergraph.backends.neo4j.connection import Neo4jConfig, connect
>>> cfg = Neo4jConfig.from_env()
>>> from insidergraph.backends.neo4j.plan import phases
>>> Runner(connect(cfg), cfg.database, cfg.uri, batch_size=5000, workers=2).run(tables, phases())  # doctest: +SKIP
LoadSummary(rows=..., created=..., paths={'Person': 'create', ...})
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from insidergraph.backends.neo4j.labels import LabelIndex, label_index
from insidergraph.backends.neo4j.markers import (
    HEARTBEAT_S,
    Marker,
    Path_,
    choose_path,
    claim_write,
)
from insidergraph.backends.neo4j.messages import driver_line
from insidergraph.backends.neo4j.params import digest
from insidergraph.backends.neo4j.plan import Batch, Phase, TablePlan, plan_table
from insidergraph.backends.neo4j.statements import (
    BEAT,
    CLAIM,
    DONE,
    RELEASE,
    constraint_statements,
    count_query,
    ids_query,
    marker_key,
)
from insidergraph.backends.neo4j.summary import LoadSummary, Progress
from insidergraph.errors import Neo4jError
from insidergraph.graph.schema import NODE_TYPES
from insidergraph.graph.tables import GraphTables

if TYPE_CHECKING:
    from neo4j import Driver, ManagedTransaction, Session

#: Called before each batch is written: ``(kind, name, batch_index)``. Raising stops the load;
#: tests use it to break a load off part-way.
BatchHook = Callable[[str, str, int], None]

#: A phase's tables as the writer meets them: planned already, or being planned in the background.
Planned = Iterable["TablePlan | Future[TablePlan]"]


class Heartbeat:
    """Refreshes this load's claims every :data:`~.markers.HEARTBEAT_S` seconds from a thread of its own."""

    def __init__(self, driver: Driver, database: str, token: str) -> None:
        self.stop_event = threading.Event()

        def beat() -> None:
            while not self.stop_event.wait(HEARTBEAT_S):
                # A missed beat only ages the claim; the load itself reports real errors.
                with contextlib.suppress(Exception):
                    driver.execute_query(BEAT, token=token, database_=database)

        self.thread = threading.Thread(target=beat, name="insidergraph-neo4j-heartbeat", daemon=True)
        self.thread.start()

    def stop(self, wait: bool = True) -> None:
        self.stop_event.set()
        if wait:
            self.thread.join()


class _Stopped(Exception):
    """A table left unprepared because the load is stopping."""


def _write_tx(tx: ManagedTransaction, statement: str, params: dict[str, Any]) -> tuple[int, int]:
    counters = tx.run(statement, params).consume().counters
    return counters.nodes_created, counters.relationships_created


class Runner:
    """One load's sessions, threads and claims; :meth:`run` executes it once."""

    def __init__(self, driver: Driver, database: str, uri: str, *, batch_size: int, workers: int,
                 always_merge: bool = False, on_batch: BatchHook | None = None, progress: bool = False) -> None:
        """A load through ``driver`` (which the caller closes): see :func:`insidergraph.backends.neo4j.load.load`."""
        self.driver, self.database, self.uri = driver, database, uri
        self.batch_size, self.workers, self.always_merge = batch_size, workers, always_merge
        self.on_batch, self.progress = on_batch, progress
        self.token = secrets.token_hex(8)
        self.summary = LoadSummary()
        self._local = threading.local()
        self._sessions: list[Session] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._failed = threading.Event()
        self._heartbeat: Heartbeat | None = None
        self._bar: Progress | None = None
        self._prep: ThreadPoolExecutor | None = None
        self._finished = False
        self._server_gone = False  # then the claims cannot be handed back; they go stale by themselves

    def run(self, tables: GraphTables, order: Sequence[Phase]) -> LoadSummary:
        """Write every table, phase by phase in ``order`` (:func:`~.plan.phases`); the driver's
        errors become one-line :class:`Neo4jError` s."""
        from neo4j import exceptions as ex

        try:
            self._load(tables, order)
            self._finished = True
        except (ex.ServiceUnavailable, ex.SessionExpired) as err:
            self._server_gone = True
            raise Neo4jError(
                f"the Neo4j server at {self.uri} went away during the load ({driver_line(err)}); "
                "run the load again when it is back to resume"
            ) from None
        except ex.ConstraintError as err:
            raise Neo4jError(
                f"Neo4j refused a batch: {driver_line(err.message or err)} "
                "(were nodes written by another load at the same time? run the load again)"
            ) from None
        except ex.Neo4jError as err:
            raise Neo4jError(f"Neo4j refused a batch: {driver_line(err.message or err)}") from None
        finally:
            self._close()
        return self.summary

    def _load(self, tables: GraphTables, order: Sequence[Phase]) -> None:
        """Constraints first; then every phase's tables prepared (now or in the background), then written."""
        with self.driver.session(database=self.database) as session:
            for statement in constraint_statements():
                session.run(statement).consume()
            self._heartbeat = Heartbeat(self.driver, self.database, self.token)
            nodes = {name: tables.to_arrow("nodes", name) for name in NODE_TYPES}
            labels = label_index((name, arrow.column("id")) for name, arrow in nodes.items())

            def arrow(kind: str, name: str) -> pa.Table:
                return nodes[name] if kind == "nodes" else tables.to_arrow(kind, name)

            planned = [self._prepare_phase(phase, session, arrow, labels) for phase in order]
            totals = tables.counts()
            self._bar = Progress(self.progress, {**totals["nodes"], **totals["edges"]})
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                for phase in planned:
                    self._write_phase(session, pool, phase)

    def _prepare_phase(self, phase: Phase, session: Session, arrow: Callable[[str, str], pa.Table],
                       labels: LabelIndex) -> list[TablePlan | Future[TablePlan]]:
        """A phase's tables claimed and planned now, or submitted to the preparing thread."""
        if not phase.background:
            return [self._prepare(session, phase.kind, name, arrow(phase.kind, name), labels) for name in phase.names]
        prep_session = self.driver.session(database=self.database)
        self._sessions.append(prep_session)
        if self._prep is None:
            self._prep = ThreadPoolExecutor(max_workers=1, thread_name_prefix="insidergraph-neo4j-prepare")

        def prepare(name: str) -> TablePlan:
            if self._stopping.is_set():
                raise _Stopped
            return self._prepare(prep_session, phase.kind, name, arrow(phase.kind, name), labels)

        return [self._prep.submit(prepare, name) for name in phase.names]

    def _prepare(self, session: Session, kind: str, name: str, table: pa.Table, labels: LabelIndex) -> TablePlan:
        """A table claimed and planned: its path chosen under its marker, its rows split into work."""
        table_digest = digest(table)
        path, present = self._claim(session, kind, name, table_digest, table.num_rows)
        return plan_table(kind, name, table, table_digest, path, present, labels)

    def _claim(self, session: Session, kind: str, name: str, table_digest: str,
               rows: int) -> tuple[Path_, set[str] | None]:
        """Choose the table's path under its marker's lock and claim it; the present ids too for diff."""
        key = marker_key(kind, name)
        with session.begin_transaction() as tx:
            # Writing the marker first takes its lock, so two loads cannot both read it as free.
            record = tx.run(CLAIM, key=key, token=self.token).single()
            assert record is not None
            count = tx.run(count_query(kind, name)).single()["c"]  # type: ignore[index]
            path = choose_path(key, Marker.from_record(record), count, table_digest, self.token, self.always_merge)
            statement, params = claim_write(key, path, self.token, table_digest, rows, socket.gethostname(),
                                            os.getpid())
            tx.run(statement, params).consume()
            tx.commit()
        if path != "diff":
            return path, None
        return path, {record["id"] for record in session.run(ids_query(kind, name))}

    def _write_phase(self, session: Session, pool: ThreadPoolExecutor, planned: Planned) -> None:
        """Every batch of the phase's tables through the pool, then each written table marked done."""
        pending: deque[Future[None]] = deque()
        ready: list[TablePlan] = []
        try:
            for item in planned:
                table = item.result() if isinstance(item, Future) else item
                ready.append(table)
                self._account(table)
                for batch in table.batches(self.batch_size):
                    if self.on_batch is not None:
                        self.on_batch(batch.kind, batch.name, batch.index)
                    # Parameters are made here, while the sessions wait on the server for the batches before this one.
                    pending.append(pool.submit(self._write, batch, batch.params()))
                    # Keep the queue short, so memory stays flat and a failure stops early.
                    if len(pending) >= 2 * self.workers:
                        pending.popleft().result()
        finally:
            for future in pending:
                future.result()
        for table in ready:
            if table.path != "skip":
                self._mark_done(session, table)

    def _account(self, table: TablePlan) -> None:
        self.summary.rows[table.name] += table.rows
        self.summary.paths[table.name] = table.path
        # Rows that need no write (skipped, or present and complete) count as matched.
        if self._bar is not None:
            self._bar.advance(table.name, table.rows - table.written_rows())

    def _write(self, batch: Batch, params: dict[str, Any]) -> None:
        """One batch in a managed write transaction, in this pool thread's own session."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self.driver.session(database=self.database)
            with self._lock:
                self._sessions.append(session)
        if self._failed.is_set():
            return  # a batch before this one failed: the load is stopping, and its error is reported
        try:
            nodes_made, rels_made = session.execute_write(_write_tx, batch.statement, params)
        except BaseException:
            self._failed.set()  # queued batches then end at once instead of each retrying a server that is gone
            raise
        with self._lock:
            self.summary.created[batch.name] += nodes_made if batch.kind == "nodes" else rels_made
        if self._bar is not None:
            self._bar.advance(batch.name, batch.rows.num_rows)

    def _mark_done(self, session: Session, table: TablePlan) -> None:
        """Record that every row of the table is in the database, with the count that proves it."""
        def write(tx: ManagedTransaction) -> None:
            count = tx.run(count_query(table.kind, table.name)).single()["c"]  # type: ignore[index]
            tx.run(DONE, key=table.key, token=self.token, count=count).consume()

        session.execute_write(write)

    def _close(self) -> None:
        """Stop the threads and sessions; hand this load's claims back unless it finished or the server is gone."""
        self._stopping.set()
        if self._prep is not None:
            # Wait for a claim in progress, so that the release below hands it back too.
            # Unless the server is gone: then that claim only retries until the driver gives up.
            self._prep.shutdown(wait=not self._server_gone, cancel_futures=True)
        if self._heartbeat is not None:
            self._heartbeat.stop(wait=not self._server_gone)
        if self._bar is not None:
            self._bar.stop()
        for session in self._sessions:
            session.close()
        if not self._finished and self._heartbeat is not None and not self._server_gone:
            # Hand the claims back at once, so a rerun need not wait for them to go stale
            # (best effort: an unreleased claim goes stale by itself).
            with contextlib.suppress(Exception):
                self.driver.execute_query(RELEASE, token=self.token, database_=self.database)
