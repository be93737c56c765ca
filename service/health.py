"""Whether the event store answers reads and would accept a write."""

from __future__ import annotations

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from service.application import Commitments


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
