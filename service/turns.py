"""Writers that collided on one aggregate take turns.

Optimistic writes retried after a random pause get through almost always, but
not always: a writer can lose to fresher ones many times in a row while a
long stream is read (one request in several hundred, with eight writers on
one commitment of 300 events). A writer that has collided once therefore
waits its turn on a lock named after the aggregate, held across every process
that writes to the same store, and retries under it; the first attempt stays
lock-free, so writes that do not collide never pay for it.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import psycopg
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder


class Turns(Protocol):
    def turn(self, key: UUID) -> AbstractContextManager[None]:
        """Hold the turn for writes to this aggregate until the block ends."""


class ThreadTurns:
    """One process's writers (the in-memory store, an in-memory SQLite)."""

    def __init__(self) -> None:
        self._locks: dict[UUID, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def turn(self, key: UUID) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            yield


class FileTurns:
    """Processes on one machine sharing an SQLite file: a lock on a file beside
    it. Aggregates share one of 64 slots, so a turn may wait on another
    aggregate's writer: harmless, since only writers that collided wait."""

    slots = 64

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @contextmanager
    def turn(self, key: UUID) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        slot = int.from_bytes(key.bytes[:4], "big") % self.slots
        with open(self.folder / f"{slot:02d}.lock", "a+b") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(file, fcntl.LOCK_UN)


class PostgresTurns:
    """Every process and machine writing to one database: an advisory lock,
    on a connection of its own so that waiting never holds one of the pool's
    (the turn's holder needs those to read and write)."""

    def __init__(self, connect_args: dict[str, Any]) -> None:
        # The pool's own dict: it holds a refreshed password, where one is.
        self.connect_args = connect_args

    @contextmanager
    def turn(self, key: UUID) -> Iterator[None]:
        number = int.from_bytes(hashlib.blake2b(key.bytes, digest_size=8).digest(), "big",
                                signed=True)
        with psycopg.connect(autocommit=True, **self.connect_args) as conn:
            # The lock ends with the session if this process dies holding it.
            conn.execute("SELECT pg_advisory_lock(%s)", (number,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (number,))


def turns_for(recorder: Any) -> Turns:
    """The kind of turn that reaches every writer of this recorder's store."""
    if isinstance(recorder, PostgresApplicationRecorder):
        connect_args = recorder.datastore.pool.kwargs
        assert isinstance(connect_args, dict)  # how eventsourcing builds its pool
        return PostgresTurns(connect_args)
    if isinstance(recorder, SQLiteApplicationRecorder):
        datastore = recorder.datastore
        if not datastore.pool.is_sqlite_memory_mode:
            return FileTurns(Path(datastore.pool.db_name + ".turns"))
    return ThreadTurns()
