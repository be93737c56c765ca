"""How the projector learns that the log has grown, between its looks.

On PostgreSQL a trigger on the events table announces each transaction that
appends (`NOTIFY`, delivered when it commits), and an idle projector waits on
a connection that listens for it instead of sleeping through its poll: a
write is applied within milliseconds instead of half a poll later on average,
so a writer's read of its own write (which waits for the projector, see
`Queries.fresh`) answers sooner. The poll stays, as the longest wait: an
announcement lost with a dropped connection costs one poll, never an event.
SQLite has no such signal; there the projector sleeps through its poll.
"""

from __future__ import annotations

import logging
import time
from contextlib import suppress
from typing import Any

import psycopg

log = logging.getLogger(__name__)

_FUNCTION = "announce_append"


def channel(table: str) -> str:
    """What the trigger of `table` announces on (a name PostgreSQL keeps whole)."""
    return f"{table}_appended"[:63]


def postgres_announce_appends(schema: str, table: str) -> list[str]:
    """Statements that make each transaction appending to `table` announce
    it once on `channel(table)`, when it commits."""
    function = f'"{schema}".{_FUNCTION}'
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{channel(table)}', ''); RETURN NULL; END $$",
        f'CREATE OR REPLACE TRIGGER "{table}_announced" AFTER INSERT '
        f'ON "{schema}"."{table}" FOR EACH STATEMENT EXECUTE FUNCTION {function}()',
    ]


class Appends:
    """Waits for the log to grow: here, by sleeping the whole time."""

    def wait(self, timeout: float) -> None:
        """Return when an append may have happened, or after `timeout` seconds."""
        time.sleep(timeout)

    def close(self) -> None:
        """Let go of what the waiting holds."""


class PostgresAppends(Appends):
    """Waits on a connection of the store's pool that listens to the channel."""

    def __init__(self, datastore: Any, table: str) -> None:
        self._pool = datastore.pool
        self._listen = f'LISTEN "{channel(table)}"'
        self._connection: psycopg.Connection[Any] | None = None

    def wait(self, timeout: float) -> None:
        if self._connection is None:
            # Listening only from now: what was appended before it is in the
            # log, which the caller looks at next. A store that cannot be
            # reached is waited for by the poll, as before.
            try:
                self._connection = self._listening()
            except (psycopg.Error, OSError, TimeoutError) as error:
                log.warning("cannot listen for appends (%s); polling", error)
                time.sleep(timeout)
            return
        try:
            for _ in self._connection.notifies(timeout=timeout, stop_after=1):
                break
            # Whatever else came meanwhile is read too: one look at the log
            # answers them all.
            for _ in self._connection.notifies(timeout=0):
                pass
        except psycopg.Error as error:
            log.warning("stopped listening for appends (%s); listening again", error)
            self.close()

    def _listening(self) -> psycopg.Connection[Any]:
        self._pool.open(wait=False)  # as the store's own reads open it, once
        connection: psycopg.Connection[Any] = self._pool.getconn()
        try:
            connection.execute(self._listen)
        except BaseException:
            self._pool.putconn(connection)
            raise
        return connection

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        with suppress(psycopg.Error):  # a broken connection: the pool throws it away
            connection.execute("UNLISTEN *")
        self._pool.putconn(connection)


def appends_of(recorder: Any, embedded: bool) -> Appends:
    """How to wait for `recorder`'s log to grow."""
    if embedded:
        return Appends()
    return PostgresAppends(recorder.datastore, recorder.events_table_name)
