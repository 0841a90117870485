"""The marker protocol's decisions, as pure functions of what the server reported.

Each table has a marker node (``(:InsiderGraphLoad {key: "nodes/Person"})``). A load takes
its lock (:data:`~.statements.CLAIM`), reads what the last load left there and the
database's count of the label or type, and then :func:`choose_path` decides:

>>> fresh = Marker()
>>> choose_path("nodes/Person", fresh, count=0, digest="d1", token="t")
'create'
>>> done = Marker(state="done", digest="d1", count=5)
>>> choose_path("nodes/Person", done, count=5, digest="d1", token="t")
'skip'
>>> choose_path("nodes/Person", done, count=5, digest="d2", token="t")
'diff'
>>> choose_path("nodes/Person", done, count=5, digest="d1", token="t", always_merge=True)
'merge'

:func:`claim_write` then says what the load writes back into the marker under that lock.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from insidergraph.backends.neo4j.statements import TAKE, UNLOCK
from insidergraph.errors import Neo4jError

#: How a table is written: see :mod:`insidergraph.backends.neo4j.load`.
Path_ = Literal["skip", "create", "diff", "merge"]

#: Seconds between heartbeats of a load's claimed markers, and the age after which a claim
#: whose load stopped without releasing it (killed, connection lost) counts as abandoned.
HEARTBEAT_S = 15.0
STALE_S = 120


@dataclass(frozen=True)
class Marker:
    """What a table's marker held when this load took its lock (a new marker holds nothing).

    ``age`` is the seconds since the claim's last heartbeat (since 1970 when it has none).
    """

    state: str | None = None
    digest: str | None = None
    count: int | None = None
    run: str | None = None
    host: str | None = None
    pid: int | None = None
    age: int = 2**40

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Marker:
        """The marker from the record :data:`~.statements.CLAIM` returns.

        >>> Marker.from_record({"state": "done", "digest": "d", "count": 3, "run": "r", "host": None,
        ...                     "pid": None, "age": 7}).count
        3
        """
        return cls(record["state"], record["digest"], record["count"], record["run"], record["host"],
                   record["pid"], record["age"])


def owner_gone(host: str | None, pid: int | None) -> bool:
    """True when a claim's load ran on this host in a process that no longer exists: its
    claim is abandoned at once, not after :data:`STALE_S` (another host's cannot be seen).

    >>> owner_gone(socket.gethostname(), os.getpid()), owner_gone("elsewhere.invalid", 1)
    (False, False)
    """
    if host != socket.gethostname() or not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def live_claim(marker: Marker, token: str) -> bool:
    """Whether another load claimed the table and beat its heart less than :data:`STALE_S` ago.

    >>> live_claim(Marker(state="loading", run="other", age=5), "mine")
    True
    >>> live_claim(Marker(state="loading", run="mine", age=5), "mine"), live_claim(Marker(state="broken"), "x")
    (False, False)
    """
    return marker.state == "loading" and marker.run != token and marker.age < STALE_S


def refusal(key: str, marker: Marker) -> Neo4jError:
    """The one line for a table another load is writing now.

    >>> print(refusal("edges/FILED", Marker(state="loading", run="o", host="h", pid=7, age=20)))
    another insidergraph load is writing edges/FILED into this database (process 7 on h, active 20 s ago); run again when it has finished, or in 100 s, when its claim counts as abandoned
    """  # noqa: E501 (a doctest's expected output is one line)
    owner = f"process {marker.pid} on {marker.host}, " if marker.host and marker.pid else ""
    return Neo4jError(
        f"another insidergraph load is writing {key} into this database "
        f"({owner}active {marker.age} s ago); run again when it has finished, "
        f"or in {STALE_S - marker.age} s, when its claim counts as abandoned"
    )


def choose_path(key: str, marker: Marker, count: int, digest: str, token: str, always_merge: bool = False,
                gone: Callable[[str | None, int | None], bool] = owner_gone) -> Path_:
    """How this load writes the table, or a :class:`Neo4jError` when another load is writing it.

    ``count`` is the database's count of the label or type; ``digest`` the table's
    (:func:`~.plan.digest`); ``gone`` tells whether a claim's owner process has exited.
    A claim that went stale, or whose owner is gone, is taken over like a broken one.

    >>> stale = Marker(state="loading", run="other", age=STALE_S)
    >>> choose_path("edges/FILED", stale, count=0, digest="d", token="t")
    'create'
    """
    if live_claim(marker, token) and not gone(marker.host, marker.pid):
        raise refusal(key, marker)
    if always_merge:
        return "merge"
    if marker.state == "done" and marker.digest == digest and marker.count == count:
        return "skip"
    if count == 0:
        return "create"
    return "diff"


def claim_write(key: str, path: Path_, token: str, digest: str, rows: int,
                host: str, pid: int) -> tuple[str, dict[str, Any]]:
    """What the load writes into the marker once it chose ``path``: a skipped table only
    drops the lock; any other is claimed as ``loading`` by this load.

    >>> claim_write("nodes/Person", "skip", "t", "d", 5, "h", 1)[1]
    {'key': 'nodes/Person'}
    >>> claim_write("nodes/Person", "diff", "t", "d", 5, "h", 1)[1]["path"]
    'diff'
    """
    if path == "skip":
        return UNLOCK, {"key": key}
    return TAKE, {"key": key, "token": token, "digest": digest, "rows": rows, "path": path, "host": host, "pid": pid}
