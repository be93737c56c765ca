"""The read model's recorders: eventsourcing's tracking recorder, one per
store, with the read tables beside its tracking table.

A batch of view writes, its hash-chain links and its tracking position commit
in one transaction, under the projection's lock, if the position is still the
one the batch started from.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import PersistenceError, TrackingRecorder
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder

from service.integrity import CHAIN_DDL, CHAIN_TABLE, postgres_append_only, sqlite_append_only
from service.read_model import batch as batches
from service.read_model import chain
from service.read_model.batch import Batch
from service.read_model.dialect import Dialect, PostgresDialect, SQLiteDialect
from service.read_model.tables import (
    HEARTBEAT_DDL,
    HEARTBEAT_TABLE,
    INDEXES,
    META_DDL,
    SCHEMA_VERSION,
    SEARCH_DDL,
    TABLE_NAMES,
    TABLES,
    long_indexes,
)

# The upstream application whose log the read model follows.
SOURCE = "Commitments"


class StoreSetupError(Exception):
    """The read tables cannot be set up as the service needs them."""


class PositionMoved(Exception):
    """Another copy applied events since this batch read its start position."""


class ReadModel(TrackingRecorder):
    """The read tables with eventsourcing's tracking table; one class per store."""

    name = "read_model"
    # Set by subclasses: how the store spells parameters and dates.
    dialect: Dialect = Dialect()
    # Whether an index finds rows by the words of their folded text. Such an
    # index (a GIN index's bitmap) gathers every match before it gives the
    # first, so a common word costs as many rows as it matches; without one
    # the rows are read in turn and a search stops when it has enough.
    words_indexed = False

    datastore: Any

    # -- schema --------------------------------------------------------------------

    def create_read_tables(self) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(self.sql(META_DDL))
            cursor.execute(self.sql("SELECT value FROM rm_meta WHERE key = 'schema'"))
            found = cursor.fetchone()
        if found is None or found["value"] != SCHEMA_VERSION:
            self.drop_read_tables()
        # The chain is not a read table: a rebuild keeps it, and it accepts
        # nothing but new links. Made once, by whoever creates the tables (the
        # service's restricted role may not create triggers).
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(HEARTBEAT_DDL)
            if not self._has_table(cursor, CHAIN_TABLE):
                cursor.execute(CHAIN_DDL)
                for statement in self._append_only(CHAIN_TABLE):
                    cursor.execute(statement)
        self._extras()

    def _has_table(self, cursor: Any, name: str) -> bool:
        raise NotImplementedError

    def _append_only(self, table: str) -> list[str]:
        raise NotImplementedError

    def _extras(self) -> None:
        """Store-specific additions (PostgreSQL's trigram index)."""

    def drop_read_tables(self) -> None:
        """Empty the tables and forget the position, in one transaction under the
        batch lock, so a copy applying a batch meanwhile finishes first or starts
        again at 0, and never finds the tables missing."""
        with self.locked() as cursor:
            for table in TABLE_NAMES:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in TABLES:
                cursor.execute(self.sql(statement))
            cursor.execute(self.sql("INSERT INTO rm_meta VALUES ('schema', :version)"),
                           {"version": SCHEMA_VERSION})
            cursor.execute(self.sql(f"DELETE FROM {self.tracking_table} WHERE "
                                    "application_name = :name"), {"name": SOURCE})

    # -- a rebuild's indexes ----------------------------------------------------------

    def _indexes(self) -> list[tuple[str, str]]:
        """The indexes a rebuild makes at its end, by name, with their DDL."""
        return INDEXES

    def defer_indexes(self) -> bool:
        """Drop the indexes of the long tables while no event is applied yet,
        and note it (`make_indexes` makes them again). Returns whether they
        were dropped: not if another copy of the projector applied events
        meanwhile."""
        with self.locked() as cursor:
            if self.position(cursor) != 0:
                return False
            for name, _ in self._indexes():
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
            cursor.execute("INSERT INTO rm_meta VALUES ('indexes', 'deferred') "
                           "ON CONFLICT (key) DO NOTHING")
        return True

    def indexes_deferred(self) -> bool:
        return bool(self.rows("SELECT 1 FROM rm_meta WHERE key = 'indexes'"))

    def make_indexes(self) -> None:
        """Make the indexes `defer_indexes` dropped, once, whichever copy of
        the projector asks first."""
        with self.locked() as cursor:
            cursor.execute("SELECT 1 FROM rm_meta WHERE key = 'indexes'")
            if cursor.fetchone() is None:
                return
            self._create_indexes(cursor, [self.sql(statement) for _, statement in self._indexes()])
            cursor.execute("DELETE FROM rm_meta WHERE key = 'indexes'")

    def _create_indexes(self, cursor: Any, statements: Sequence[str]) -> None:
        for statement in statements:
            cursor.execute(statement)

    # -- writing --------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[Any]:
        """A write transaction that holds the projection's lock from its start."""
        raise NotImplementedError

    def position(self, cursor: Any | None = None) -> int:
        if cursor is None:
            return self.max_tracking_id(SOURCE) or 0
        found: int | None = self._max_tracking_id(SOURCE, cursor)  # type: ignore[attr-defined]
        return found or 0

    def commit(self, batch: Batch, start: int) -> None:
        """Write `batch` and its tracking record, if the position is still `start`."""
        assert batch.last is not None
        with self.locked() as cursor:
            if self.position(cursor) != start:
                raise PositionMoved
            batches.write(cursor, self.dialect, batch)
            chain.extend(cursor, self.dialect, batch.events)
            self._insert_tracking(cursor, batch.last)  # type: ignore[attr-defined]

    def read_table_names(self) -> tuple[str, ...]:
        return TABLE_NAMES

    def service_table_names(self) -> tuple[str, ...]:
        """Tables beside the read tables that the service's role writes."""
        return (HEARTBEAT_TABLE,)

    def chain_head(self) -> dict[str, Any] | None:
        rows = self.rows(chain.HEAD)
        return {key: rows[0][key] for key in ("seq", "digest", "chained_at")} if rows else None

    def chain(self, page: int = 1000) -> Iterator[tuple[int, str]]:
        """Every link, in notification order, a page at a time."""
        return chain.links(self.rows, page)

    def _many(self, cursor: Any, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        self.dialect.many(cursor, sql, rows)

    # -- reading --------------------------------------------------------------------

    def write(self, sql: str, **params: Any) -> None:
        """One statement in a transaction of its own, outside the projection's
        lock (for what is not a view of the log)."""
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(self.sql(sql), self.params(params))

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self.sql(sql), self.params(params))
            return list(cursor.fetchall())

    # -- dialect --------------------------------------------------------------------

    @property
    def tracking_table(self) -> str:
        raise NotImplementedError

    def sql(self, statement: str) -> str:
        return self.dialect.sql(statement)

    def params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return self.dialect.params(params)


class SQLiteReadModel(ReadModel, SQLiteTrackingRecorder):
    dialect = SQLiteDialect()

    def create_table(self) -> None:
        super().create_table()
        self.create_read_tables()

    @property
    def tracking_table(self) -> str:
        return "tracking"

    def _append_only(self, table: str) -> list[str]:
        return sqlite_append_only(table)

    def _has_table(self, cursor: Any, name: str) -> bool:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return cursor.fetchone() is not None

    @contextmanager
    def locked(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as cursor:
            # BEGIN is deferred: write first, so the lock is ours before we
            # read the position (a read first could not be upgraded later).
            cursor.execute("UPDATE tracking SET notification_id = notification_id "
                           "WHERE application_name = ?", (SOURCE,))
            yield cursor


# How a statement tests words (`queries._text`, the dialogues' search).
_MATCHES_WORDS = " LIKE "


class PostgresReadModel(ReadModel, PostgresTrackingRecorder):
    dialect = PostgresDialect()
    words_indexed = True  # the trigram indexes (SEARCH_DDL)
    # Any constant names the advisory lock; this one spells "rm" in ASCII.
    _LOCK = 0x726D

    def create_table(self) -> None:
        super().create_table()
        self.create_read_tables()

    def _extras(self) -> None:
        # Trigram index for accent-insensitive substring search. Without it
        # every search reads the whole table: say so when the tables are made
        # (by `init`, as the database's owner), rather than be slow unseen.
        try:
            with self.datastore.transaction(commit=True) as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                for statement in SEARCH_DDL:
                    cursor.execute(statement)
        except PersistenceError as error:
            raise StoreSetupError(
                f"cannot create the pg_trgm extension and the search index ({error}); "
                "install PostgreSQL's contrib modules (Debian: postgresql-contrib) and "
                "run `commitments init` as the database's owner, or have a superuser run "
                "CREATE EXTENSION pg_trgm in this database") from error

    @property
    def tracking_table(self) -> str:
        return self.tracking_table_name

    def _indexes(self) -> list[tuple[str, str]]:
        # The trigram index first: it takes longest to make.
        return long_indexes(SEARCH_DDL) + INDEXES

    def _create_indexes(self, cursor: Any, statements: Sequence[str]) -> None:
        """Two at a time, on this transaction's connection and another: at
        the head of a rebuild nothing else is running, and PostgreSQL makes
        an index on one core (the 14 take about 4 s at 100,000 commitments,
        a fifteenth of the rebuild; alternated on a busy machine, two at a
        time took 5.0 and 6.7 s, one after another 9.6 and 7.3 s). The other
        connection's indexes commit on their own: if this transaction
        fails, the note in rm_meta stays and the next projector makes what
        is missing."""
        left = deque(statements)

        def make(execute: Callable[[str], Any]) -> None:
            while left:
                try:
                    statement = left.popleft()
                except IndexError:  # the other connection took the last one
                    return
                execute(statement)

        def on_another_connection() -> None:
            with self.datastore.transaction(commit=True) as other:
                make(other.execute)

        with ThreadPoolExecutor(1, thread_name_prefix="read-model-indexes") as helper:
            other = helper.submit(on_another_connection)
            make(cursor.execute)
            other.result()
        # New tables have no statistics until autovacuum comes by (never,
        # where it is off): the planner took an agency's 4,000 promises for
        # one row and read them all for a rare word the trigram index finds
        # at once (4.0 ms against 0.2). Sampled, about a second at 1M events.
        cursor.execute(f"ANALYZE {', '.join(self.read_table_names())}")

    def rows(self, sql: str, **params: Any) -> list[Any]:
        # The pool's connections commit each statement: a read of one
        # statement needs no BEGIN and ROLLBACK around it (one round trip to
        # the server, not three). A statement that matches words is never
        # prepared: psycopg prepares a statement on its sixth run, and five
        # runs later PostgreSQL may plan it once for any words, common or
        # rare; an agency's search then read the list in that plan, 20 ms
        # where its own took 8. Other reads keep the planning it saves
        # (planning every read cost the reads-only load 5 % of its rate).
        with self.datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(self.sql(sql), self.params(params),
                           prepare=False if _MATCHES_WORDS in sql else None)
            return list(cursor.fetchall())

    def _append_only(self, table: str) -> list[str]:
        return postgres_append_only(self.datastore.schema, table)

    def _has_table(self, cursor: Any, name: str) -> bool:
        cursor.execute("SELECT to_regclass(%s) AS found", (f'"{self.datastore.schema}".{name}',))
        row = cursor.fetchone()
        return row is not None and row["found"] is not None

    @contextmanager
    def locked(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (self._LOCK,))
            yield cursor
