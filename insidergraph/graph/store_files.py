"""The file handling under :mod:`insidergraph.graph.store`: the writer's lock, generations
switched by one atomic rename, readers' pins, fsync and the manifest's file entries.

A store directory holds ``CURRENT`` (the name of the live generation), ``LOCK`` (held by
the one process writing the store, with its PID) and ``gen-NNNNNN/`` folders. A build
writes a fresh generation beside the live one, flushes it to disk, then renames a new
``CURRENT`` over the old one: a build killed at any moment leaves either the old pointer or
the new one, never a half-written store. Readers pin the generation they read with a shared
lock on its ``.readers`` file, so a writer removes an old generation only once no reader
has it open.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> with WriteLock(root, timeout=0):
...     (root / "LOCK").read_text().strip() == str(os.getpid())
True
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from insidergraph.errors import StoreError

CURRENT = "CURRENT"
LOCK = "LOCK"
READERS = ".readers"
#: What ``CURRENT`` says before the first build has finished: a store with generations and
#: no ``CURRENT`` at all has lost its pointer.
EMPTY = "empty"
GENERATION = re.compile(r"gen-(\d{6})")
#: Where a reader's retries stop when writers keep replacing generations under it.
_PIN_TRIES = 20


class WriteLock:
    """The store's exclusive writer lock (``flock`` on ``LOCK``, released by the OS when the
    process dies). ``timeout`` None waits for the holder; else after that many seconds one
    line naming the holder's PID."""

    def __init__(self, root: Path, timeout: float | None = None) -> None:
        self.root, self.timeout, self._fd = root, timeout, -1

    def __enter__(self) -> WriteLock:
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
                    os.close(fd)
                    raise StoreError(f"{self.root}: another insidergraph process (PID {holder}) is writing "
                                     "this store; try again when it has finished") from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing the descriptor releases the flock
        self._fd = -1


def current_name(root: Path) -> str | None:
    """The live generation's name, ``None`` when there is no ``CURRENT``; a damaged pointer
    is a :class:`StoreError`."""
    try:
        text = (root / CURRENT).read_text(encoding="ascii", errors="replace").strip()
    except FileNotFoundError:
        return None
    if text == EMPTY:
        return None
    if not GENERATION.fullmatch(text):
        raise StoreError(f"{root}: damaged store: {CURRENT} does not name a generation ({text[:40]!r}); "
                         f"delete {root} and build it again from the filings")
    return text


def next_name(root: Path) -> str:
    """A generation name higher than any in the folder."""
    numbers = [int(m.group(1)) for p in root.iterdir() if (m := GENERATION.fullmatch(p.name))]
    return f"gen-{max(numbers, default=0) + 1:06d}"


def new_generation(root: Path) -> Path:
    """A fresh, empty generation folder with its readers' lock file."""
    gen = root / next_name(root)
    gen.mkdir()
    (gen / READERS).touch()
    return gen


def fsync_tree(path: Path) -> None:
    """Flush every file and folder under ``path`` (and ``path``) to disk."""
    for dirpath, _, files in os.walk(path):
        for name in files:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(dirpath))


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename is durable only once its folder is)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def has_generations(root: Path) -> bool:
    """True when the folder holds a generation folder."""
    return root.is_dir() and any(GENERATION.fullmatch(p.name) for p in root.iterdir())


def switch(root: Path, gen: Path | None) -> None:
    """Make ``gen`` the live generation (``None``: no generation yet): one atomic rename of
    a new ``CURRENT``."""
    tmp = root / f"{CURRENT}.tmp"
    with tmp.open("w", encoding="ascii") as fh:
        fh.write((gen.name if gen else EMPTY) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / CURRENT)
    fsync_dir(root)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def entries(gen: Path, hashed: tuple[str, ...]) -> dict[str, dict[str, object]]:
    """``{relative path: {"size": n[, "sha256": hex]}}`` of every file of a generation
    (the readers' lock and the manifest aside); files under ``hashed`` prefixes get a digest."""
    out: dict[str, dict[str, object]] = {}
    for path in sorted(p for p in gen.rglob("*") if p.is_file()):
        rel = path.relative_to(gen).as_posix()
        if rel in (READERS, "manifest.json"):
            continue
        entry: dict[str, object] = {"size": path.stat().st_size}
        if rel.startswith(hashed):
            entry["sha256"] = sha256(path)
        out[rel] = entry
    return out


def link_tree(src: Path, dst: Path) -> None:
    """Hard-link every file of ``src`` into ``dst`` (copied where links are refused).
    Stored files are never changed in place, so generations may share them."""
    for path in sorted(src.rglob("*")):
        target = dst / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError as err:
            if err.errno in (errno.ENOSPC, errno.EDQUOT):
                raise
            shutil.copy2(path, target)


def sweep(root: Path, keep: str | None) -> None:
    """Remove every generation but ``keep`` that no reader has pinned (and leftovers of
    removals and builds that were killed)."""
    for path in root.iterdir():
        if path.name.startswith("trash-"):
            shutil.rmtree(path, ignore_errors=True)
        elif GENERATION.fullmatch(path.name) and path.name != keep and path.is_dir():
            _remove_unpinned(path)


def _remove_unpinned(gen: Path) -> None:
    try:
        fd = os.open(gen / READERS, os.O_RDONLY)
    except FileNotFoundError:  # a build killed before it made the lock file
        shutil.rmtree(gen, ignore_errors=True)
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return  # still read: a later build removes it
    try:
        trash = gen.with_name(f"trash-{gen.name}-{os.getpid()}")
        os.rename(gen, trash)  # a reader that pinned it meanwhile sees it gone and looks again
        shutil.rmtree(trash, ignore_errors=True)
    finally:
        os.close(fd)


#: Pins held by this process: store folder -> (generation name, descriptor).
_PINS: dict[str, tuple[str, int]] = {}


def pin(root: Path) -> str | None:
    """Read ``CURRENT`` and hold a shared lock on that generation so no writer removes it
    while this process reads it; the previous pin of the same store is released."""
    key = str(root.resolve())
    for _ in range(_PIN_TRIES):
        name = current_name(root)
        if name is None:
            return None
        held = _PINS.get(key)
        if held is not None and held[0] == name:
            return name
        try:
            fd = os.open(root / name / READERS, os.O_RDONLY)
        except FileNotFoundError:
            if not (root / name).is_dir():
                continue  # replaced under us: read CURRENT again
            raise StoreError(f"{root}: damaged store: {name}/{READERS} is missing; "
                             f"delete {root} and build it again from the filings") from None
        fcntl.flock(fd, fcntl.LOCK_SH)
        if not (root / name).is_dir():
            os.close(fd)
            continue
        unpin(root)
        _PINS[key] = (name, fd)
        return name
    raise StoreError(f"{root}: the store kept changing while it was opened; try again")


def unpin(root: Path) -> None:
    """Release this process's pin of a store (before it writes the store itself)."""
    held = _PINS.pop(str(root.resolve()), None)
    if held is not None:
        os.close(held[1])


def walk_pickles(root: Path) -> Iterator[Path]:
    """Pickle files anywhere under ``root`` (an old-format store kept its filings so)."""
    for pattern in ("*.pickle", "*.pkl"):
        yield from root.rglob(pattern)


__all__ = [
    "CURRENT",
    "LOCK",
    "READERS",
    "WriteLock",
    "current_name",
    "entries",
    "fsync_tree",
    "link_tree",
    "new_generation",
    "pin",
    "sha256",
    "sweep",
    "switch",
    "unpin",
]
