"""Whether the event store answers reads and would accept a write, and
whether the parts beside the web processes are alive and keeping up."""

from __future__ import annotations

from collections.abc import Sequence

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from service.application import Commitments
from service.heartbeats import EVERY, PartHealth
from service.projection import ProjectorStatus


def check(app: Commitments) -> dict[str, object]:
    """Raises if the store cannot be read or written; otherwise says what it saw."""
    recorder = app.recorder
    last = recorder.max_notification_id()
    if isinstance(recorder, PostgresApplicationRecorder):
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute("SELECT pg_is_in_recovery() AS standby")
            row = cursor.fetchone()
            if row is None or row["standby"]:
                raise RuntimeError("PostgreSQL is a read-only standby")
    elif isinstance(recorder, SQLiteApplicationRecorder):
        # A write statement that matches nothing, rolled back: fails on a
        # read-only file or a lock that never clears, stores nothing.
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"DELETE FROM {recorder.events_table_name} WHERE 0")
    return {"store": app.settings.persistence_module, "events": last or 0}


def problems(parts: Sequence[PartHealth], status: ProjectorStatus, stale: float) -> list[str]:
    """What is down or stuck, in words an operator acts on; empty when all is well."""
    found = [f"{p.part}: silent for {p.age:.0f} s (a heartbeat is due every "
             f"{EVERY:.0f} s); is it running?" for p in parts if p.stale(stale)]
    age = status.oldest_pending_age
    if age is not None and age > stale:
        found.append(f"projector: {status.lag} events behind, the oldest waiting {age:.0f} s")
    return found
