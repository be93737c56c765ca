"""The log read a page at a time for the projector, as lean as it can be.

eventsourcing's `select_notifications` makes a frozen dataclass of each row
(on PostgreSQL, a dict first): a catch-up of a million events spends some
6 % of its reading and projecting on that alone. This reads the same columns
of the same table as tuples. It is what `select_notifications(start, limit)`
answers, retried as it is when PostgreSQL is briefly away.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import retry
from psycopg.rows import tuple_row


class LogRow(NamedTuple):
    """One row of the log: what eventsourcing's `Notification` holds."""

    id: int
    originator_id: UUID | str
    originator_version: int
    topic: str
    state: bytes


Page = Callable[[int, int], Sequence[Any]]


def pages(recorder: Any) -> Page:
    """`read(start, limit)`: up to `limit` events from position `start` on,
    in order."""
    if isinstance(recorder, PostgresApplicationRecorder):
        return _postgres(recorder)
    if isinstance(recorder, SQLiteApplicationRecorder):
        return _sqlite(recorder)
    read: Page = recorder.select_notifications
    return read


# As eventsourcing retries its own reads of a PostgreSQL log.
_retried = retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)


def _postgres(recorder: PostgresApplicationRecorder) -> Page:
    datastore = recorder.datastore
    sql = ("SELECT notification_id, originator_id, originator_version, topic, state "
           f'FROM "{datastore.schema}"."{recorder.events_table_name}" '
           "WHERE notification_id >= %s ORDER BY notification_id LIMIT %s")

    def read(start: int, limit: int) -> list[LogRow]:
        with datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            cursor.execute(sql, (start, limit), prepare=True)
            return [LogRow(id_, originator, version, topic, bytes(state))
                    for id_, originator, version, topic, state in cursor.fetchall()]

    retried: Page = _retried(read)
    return retried


def _sqlite(recorder: SQLiteApplicationRecorder) -> Page:
    datastore = recorder.datastore
    convert = recorder.convert_originator_id
    sql = ("SELECT rowid, originator_id, originator_version, topic, state "
           f"FROM {recorder.events_table_name} WHERE rowid >= ? ORDER BY rowid LIMIT ?")

    def read(start: int, limit: int) -> list[LogRow]:
        with datastore.transaction(commit=False) as cursor:
            cursor.execute(sql, (start, limit))
            return [LogRow(id_, convert(originator), version, topic, state)
                    for id_, originator, version, topic, state in cursor.fetchall()]

    return read
