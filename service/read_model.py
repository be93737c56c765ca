"""Read tables kept by the projection, and the SQL that reads them.

The tables live beside eventsourcing's tracking table, in the read model's own
SQLite file or in the event store's PostgreSQL database (tables prefixed
`rm_`), so that a batch of view writes and the tracking position commit in one
transaction. The same SQL serves both stores: it is written with `:name`
parameters and rewritten for psycopg.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from eventsourcing.persistence import PersistenceError, Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder

from domain.status import Status
from service.integrity import (
    CHAIN_DDL,
    CHAIN_TABLE,
    GENESIS,
    link,
    postgres_append_only,
    sqlite_append_only,
)

# The upstream application whose log the read model follows.
SOURCE = "Commitments"

# Counter columns, the same for an agency and for a dialogue.
TALLIES = (
    "total", "proposed", "open", "in_progress", "fulfilled", "partially_fulfilled",
    "declined", "withdrawn", "transferred", "fulfilled_on_time", "fulfilled_late",
    "fulfilled_by_original_date", "verified", "disputed",
)
_STATE = ("status", "active", "due_on", "due_basis", "verdict", "fulfilled_on", "updated_on",
          "evidence", "transferred_to", "version", "reminder_rank", "reminders_pending",
          "reminders_sent", "original_due_on", "extensions", "extension_request")
_STATIC = ("id", "position", "agency", "dialogue_id", "answer_id", "question_ids", "kind",
           "text", "search", "made_on", "transferred_from")
COMMITMENT_COLUMNS = _STATIC + _STATE
# What changes along a commitment's history, and what never does.
STATE_COLUMNS, STATIC_COLUMNS = _STATE, _STATIC

# The shape of the tables below. Read tables are a cache of the log: when the
# shape changes, a process that finds an older one drops them and the
# projection rebuilds them from the first event, instead of migrating them.
SCHEMA_VERSION = "9"
_META = "CREATE TABLE IF NOT EXISTS rm_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"

_TABLES = [
    """CREATE TABLE IF NOT EXISTS rm_commitments (
        id TEXT PRIMARY KEY, position BIGINT NOT NULL, agency TEXT NOT NULL,
        dialogue_id TEXT NOT NULL, answer_id TEXT, question_ids TEXT NOT NULL,
        kind TEXT NOT NULL, text TEXT NOT NULL, search TEXT NOT NULL, made_on DATE NOT NULL,
        transferred_from TEXT, status TEXT NOT NULL, active INTEGER NOT NULL,
        due_on DATE NOT NULL, due_basis TEXT NOT NULL, verdict TEXT, fulfilled_on DATE,
        updated_on DATE NOT NULL, evidence TEXT NOT NULL, transferred_to TEXT,
        version INTEGER NOT NULL, reminder_rank INTEGER NOT NULL,
        reminders_pending INTEGER NOT NULL, reminders_sent INTEGER NOT NULL,
        original_due_on DATE NOT NULL, extensions INTEGER NOT NULL, extension_request TEXT)""",
    # The auditors' queue of extension requests waiting for a decision.
    "CREATE INDEX IF NOT EXISTS rm_commitments_requests ON rm_commitments (position) "
    "WHERE extension_request IS NOT NULL",
    # The due index: what the overdue lists read.
    "CREATE INDEX IF NOT EXISTS rm_commitments_due ON rm_commitments (active, due_on)",
    # What the reminder scan reads: promises whose ladder is not finished, by
    # due date, and deliveries a sender began and did not finish.
    "CREATE INDEX IF NOT EXISTS rm_commitments_ladder "
    "ON rm_commitments (active, reminder_rank, due_on)",
    "CREATE INDEX IF NOT EXISTS rm_commitments_pending "
    "ON rm_commitments (reminders_pending) WHERE reminders_pending > 0",
    "CREATE INDEX IF NOT EXISTS rm_commitments_agency "
    "ON rm_commitments (agency, active, due_on, position)",
    "CREATE INDEX IF NOT EXISTS rm_commitments_dialogue ON rm_commitments (dialogue_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS rm_commitments_position ON rm_commitments (position)",
    # One dated row per change: what `as_of` answers from. A row holds from its
    # effective date until the next row's (`superseded_on`, NULL while it is
    # the latest), so the state on a day is a filter, not a search for each
    # commitment's latest row. `occurred_on` is the day the step happened: its
    # effective date, or for a reminder the day it was sent (a reminder
    # changes no state, so its row holds from the change before it; what was
    # sent by a day, and the timeline on it, read `occurred_on`).
    """CREATE TABLE IF NOT EXISTS rm_history (
        commitment_id TEXT NOT NULL, effective_on DATE NOT NULL, occurred_on DATE NOT NULL,
        event TEXT NOT NULL,
        recorded_at TEXT NOT NULL, detail TEXT NOT NULL, status TEXT NOT NULL,
        active INTEGER NOT NULL, due_on DATE NOT NULL, due_basis TEXT NOT NULL, verdict TEXT,
        fulfilled_on DATE, updated_on DATE NOT NULL, evidence TEXT NOT NULL,
        transferred_to TEXT, version INTEGER NOT NULL, reminder_rank INTEGER NOT NULL,
        reminders_pending INTEGER NOT NULL, reminders_sent INTEGER NOT NULL,
        original_due_on DATE NOT NULL, extensions INTEGER NOT NULL, extension_request TEXT,
        superseded_on DATE, PRIMARY KEY (commitment_id, version))""",
    # What an as_of list reads for each row: the reminders sent by that day.
    "CREATE INDEX IF NOT EXISTS rm_history_sent ON rm_history (commitment_id, occurred_on) "
    "WHERE event = 'ReminderSent'",
    "CREATE TABLE IF NOT EXISTS rm_commitment_questions (commitment_id TEXT NOT NULL, "
    "question_id TEXT NOT NULL, PRIMARY KEY (question_id, commitment_id))",
    f"""CREATE TABLE IF NOT EXISTS rm_counters (scope TEXT NOT NULL, key TEXT NOT NULL,
        {", ".join(f"{name} INTEGER NOT NULL DEFAULT 0" for name in TALLIES)},
        PRIMARY KEY (scope, key))""",
    "CREATE TABLE IF NOT EXISTS rm_agencies (code TEXT PRIMARY KEY, id TEXT NOT NULL, "
    "name TEXT NOT NULL, name_en TEXT, successor TEXT, position BIGINT NOT NULL)",
    # `forum`: what a list or a report is filtered by (a dialogue conference,
    # a voters' meeting...); commitments are filtered through it.
    "CREATE TABLE IF NOT EXISTS rm_dialogues (id TEXT PRIMARY KEY, title TEXT NOT NULL, "
    "held_on DATE NOT NULL, place TEXT, organiser TEXT, source_url TEXT, "
    "position BIGINT NOT NULL, forum TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_dialogues_forum ON rm_dialogues (forum, id)",
    # Askers and responders are named in public (the press names them); their
    # contact details are never copied here.
    "CREATE TABLE IF NOT EXISTS rm_questions (id TEXT PRIMARY KEY, dialogue_id TEXT NOT NULL, "
    "position BIGINT NOT NULL, answers INTEGER NOT NULL DEFAULT 0, asker TEXT NOT NULL, "
    "text TEXT NOT NULL, asked_at TEXT)",
    "CREATE INDEX IF NOT EXISTS rm_questions_dialogue ON rm_questions (dialogue_id, position)",
    "CREATE TABLE IF NOT EXISTS rm_answer_questions (answer_id TEXT NOT NULL, "
    "question_id TEXT NOT NULL, position BIGINT NOT NULL, PRIMARY KEY (question_id, answer_id))",
    "CREATE TABLE IF NOT EXISTS rm_answers (id TEXT PRIMARY KEY, dialogue_id TEXT NOT NULL, "
    "responder TEXT NOT NULL, text TEXT NOT NULL, answered_on DATE, channel TEXT NOT NULL, "
    "position BIGINT NOT NULL, linked_by TEXT)",
    # Each reminder delivery's last mark: what the scan must finish (a claim
    # whose sender died) is found by the partial index.
    "CREATE TABLE IF NOT EXISTS rm_deliveries (id TEXT PRIMARY KEY, "
    "commitment_id TEXT NOT NULL, rung TEXT NOT NULL, rank INTEGER NOT NULL, "
    "due_on DATE NOT NULL, channel TEXT NOT NULL, mark TEXT, open INTEGER NOT NULL, "
    "position BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_deliveries_open ON rm_deliveries (commitment_id) "
    "WHERE open = 1",
    # Events the projection could not apply: skipped so the read side goes on,
    # kept here for an operator until a rebuild applies them.
    "CREATE TABLE IF NOT EXISTS rm_quarantine (position BIGINT PRIMARY KEY, "
    "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, topic TEXT NOT NULL, "
    "error TEXT NOT NULL, quarantined_at TEXT NOT NULL)",
    _META,
]
TABLE_NAMES = ("rm_commitments", "rm_history", "rm_commitment_questions", "rm_counters",
               "rm_agencies", "rm_dialogues", "rm_questions", "rm_answer_questions",
               "rm_answers", "rm_deliveries", "rm_quarantine", "rm_meta")
# When each long-running part of the service last said it was alive
# (service/heartbeats.py): beside the read tables, not a view of the log, so
# a rebuild leaves it alone.
HEARTBEAT_TABLE = "service_heartbeats"
_HEARTBEAT_DDL = (f"CREATE TABLE IF NOT EXISTS {HEARTBEAT_TABLE} (part TEXT PRIMARY KEY, "
                  "at DOUBLE PRECISION NOT NULL)")

_INSERT_COMMITMENT = (
    f"INSERT INTO rm_commitments ({', '.join(COMMITMENT_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in COMMITMENT_COLUMNS)})"
)
# Static once a promise is open; a candidate's edit may still change them.
EDITABLE_COLUMNS = ("agency", "kind", "text", "search")
_UPDATE_COMMITMENT = (
    "UPDATE rm_commitments SET "
    f"{', '.join(f'{c} = :{c}' for c in (*EDITABLE_COLUMNS, *_STATE))} WHERE id = :id"
)
_HISTORY_COLUMNS = ("commitment_id", "effective_on", "occurred_on", "event", "recorded_at",
                    "detail", *_STATE, "superseded_on")
_INSERT_HISTORY = (
    f"INSERT INTO rm_history ({', '.join(_HISTORY_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in _HISTORY_COLUMNS)})"
)
_ADD_COUNTS = (
    f"INSERT INTO rm_counters (scope, key, {', '.join(TALLIES)}) "
    f"VALUES (:scope, :key, {', '.join(':' + t for t in TALLIES)}) "
    "ON CONFLICT (scope, key) DO UPDATE SET "
    + ", ".join(f"{t} = rm_counters.{t} + excluded.{t}" for t in TALLIES)
)


class StoreSetupError(Exception):
    """The read tables cannot be set up as the service needs them."""


class PositionMoved(Exception):
    """Another copy applied events since this batch read its start position."""


def tally(status: str, fulfilled_on: Any, due_on: Any, verdict: str | None,
          original_due_on: Any) -> dict[str, int]:
    """What one commitment in this state adds to its agency's and dialogue's counters.

    Being overdue is not here: it depends on the day the question is asked, so
    it is counted at read time from the due index.
    """
    if fulfilled_on is None:
        return tally_of(status, None, verdict, None)
    done = as_date(fulfilled_on)
    return tally_of(status, done <= as_date(due_on), verdict, done <= as_date(original_due_on))


def tally_of(status: str, on_time: bool | None, verdict: str | None,
             by_original: bool | None) -> dict[str, int]:
    """`tally`, given whether the fulfilment (if any) came by the due date in
    force (`on_time`, after approved extensions) and by the date first
    promised (`by_original`)."""
    # Rejected candidates have no column: they are listed, never counted.
    counts = {status: 1} if status in TALLIES else {}
    # A candidate nobody confirmed is not yet a promise, and a rejected one
    # never was one.
    if status not in (Status.PROPOSED.value, Status.REJECTED.value):
        counts["total"] = 1
    if status == Status.FULFILLED.value and on_time is not None:
        counts["fulfilled_on_time" if on_time else "fulfilled_late"] = 1
        if by_original:
            counts["fulfilled_by_original_date"] = 1
    if verdict:
        counts[verdict] = 1
    return counts


def as_date(value: Any) -> date:
    """A date column's value: a date from PostgreSQL, ISO text from SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(value)


@dataclass
class Batch:
    """View changes of one transaction, flushed together with the tracking record."""

    commitments: dict[str, dict[str, Any]] = field(default_factory=dict)
    new: set[str] = field(default_factory=set)  # commitments made in this batch
    history: list[dict[str, Any]] = field(default_factory=list)
    # Each commitment's newest history row in this batch, and rows of earlier
    # batches that a row of this one supersedes.
    newest: dict[str, dict[str, Any]] = field(default_factory=dict)
    superseded: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    links: list[dict[str, Any]] = field(default_factory=list)
    statements: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # The stored events of the batch, for the hash chain.
    events: Sequence[Any] = ()
    last: Tracking | None = None

    def count(self, scope: str, key: str, change: Mapping[str, int], sign: int) -> None:
        row = self.counts.setdefault((scope, key), dict.fromkeys(TALLIES, 0))
        for name, value in change.items():
            row[name] += sign * value

    def record_history(self, row: dict[str, Any]) -> None:
        """Append a commitment's next history row; the one before it ends there."""
        key = row["commitment_id"]
        previous = self.newest.get(key)
        if previous is not None:
            previous["superseded_on"] = row["effective_on"]
        elif row["version"] > 1:
            self.superseded.append({"commitment_id": key, "version": row["version"] - 1,
                                    "superseded_on": row["effective_on"]})
        row["superseded_on"] = None
        self.history.append(row)
        self.newest[key] = row

    def execute(self, sql: str, **params: Any) -> None:
        self.statements.append((sql, params))


class ReadModel(TrackingRecorder):
    """The read tables with eventsourcing's tracking table; one class per store."""

    name = "read_model"
    # Set by subclasses: how the store spells parameters and dates.
    paramstyle_named = True

    datastore: Any

    # -- schema --------------------------------------------------------------------

    def create_read_tables(self) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(self.sql(_META))
            cursor.execute(self.sql("SELECT value FROM rm_meta WHERE key = 'schema'"))
            found = cursor.fetchone()
        if found is None or found["value"] != SCHEMA_VERSION:
            self.drop_read_tables()
        # The chain is not a read table: a rebuild keeps it, and it accepts
        # nothing but new links. Made once, by whoever creates the tables (the
        # service's restricted role may not create triggers).
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(_HEARTBEAT_DDL)
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
            for statement in _TABLES:
                cursor.execute(self.sql(statement))
            cursor.execute(self.sql("INSERT INTO rm_meta VALUES ('schema', :version)"),
                           {"version": SCHEMA_VERSION})
            cursor.execute(self.sql(f"DELETE FROM {self.tracking_table} WHERE "
                                    "application_name = :name"), {"name": SOURCE})

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
            made = [row for key, row in batch.commitments.items() if key in batch.new]
            changed = [{c: row[c] for c in ("id", *EDITABLE_COLUMNS, *_STATE)}
                       for key, row in batch.commitments.items() if key not in batch.new]
            if made:
                self._many(cursor, _INSERT_COMMITMENT, made)
            if changed:
                self._many(cursor, _UPDATE_COMMITMENT, changed)
            if batch.history:
                self._many(cursor, _INSERT_HISTORY, batch.history)
            if batch.superseded:
                self._many(cursor, "UPDATE rm_history SET superseded_on = :superseded_on "
                           "WHERE commitment_id = :commitment_id AND version = :version",
                           batch.superseded)
            if batch.links:
                self._many(cursor, "INSERT INTO rm_commitment_questions VALUES "
                           "(:commitment_id, :question_id) ON CONFLICT DO NOTHING", batch.links)
            counts = [{"scope": s, "key": k, **v} for (s, k), v in batch.counts.items()
                      if any(v.values())]
            if counts:
                self._many(cursor, _ADD_COUNTS, counts)
            for sql, params in batch.statements:
                cursor.execute(self.sql(sql), self.params(params))
            self._chain(cursor, batch.events)
            self._insert_tracking(cursor, batch.last)  # type: ignore[attr-defined]

    def _chain(self, cursor: Any, events: Sequence[Any]) -> None:
        """Link the batch's events onto the chain; events already linked (a
        rebuild replays them) are left as they are."""
        cursor.execute(f"SELECT notification_id, seq, digest FROM {CHAIN_TABLE} "
                       "ORDER BY notification_id DESC LIMIT 1")
        head = cursor.fetchone()
        last, seq, previous = ((int(head["notification_id"]), int(head["seq"]), head["digest"])
                               if head else (0, 0, GENESIS))
        now = datetime.now(UTC).isoformat(timespec="seconds")
        links = []
        for event in events:
            if event.id <= last:
                continue
            previous, seq = link(previous, event), seq + 1
            links.append({"notification_id": event.id, "seq": seq, "digest": previous,
                          "chained_at": now})
        if links:
            self._many(cursor, f"INSERT INTO {CHAIN_TABLE} VALUES (:notification_id, :seq, "
                       ":digest, :chained_at)", links)

    def read_table_names(self) -> tuple[str, ...]:
        return TABLE_NAMES

    def service_table_names(self) -> tuple[str, ...]:
        """Tables beside the read tables that the service's role writes."""
        return (HEARTBEAT_TABLE,)

    def chain_head(self) -> dict[str, Any] | None:
        rows = self.rows(f"SELECT seq, digest, chained_at FROM {CHAIN_TABLE} "
                         "ORDER BY notification_id DESC LIMIT 1")
        return dict(rows[0]) if rows else None

    def chain(self, page: int = 1000) -> Iterator[tuple[int, str]]:
        """Every link, in notification order, a page at a time."""
        after = 0
        while True:
            rows = self.rows(f"SELECT notification_id, digest FROM {CHAIN_TABLE} WHERE "
                             "notification_id > :after ORDER BY notification_id LIMIT :n",
                             after=after, n=page)
            for row in rows:
                yield int(row["notification_id"]), row["digest"]
            if len(rows) < page:
                return
            after = int(rows[-1]["notification_id"])

    def _many(self, cursor: Any, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        cursor.executemany(self.sql(sql), [self.params(row) for row in rows])

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
        return statement

    def params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return dict(params)


class SQLiteReadModel(ReadModel, SQLiteTrackingRecorder):
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

    def params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {key: value.isoformat() if isinstance(value, date) else value
                for key, value in params.items()}


_NAMED = re.compile(r"(?<![:\w]):(\w+)")


class PostgresReadModel(ReadModel, PostgresTrackingRecorder):
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
                cursor.execute("CREATE INDEX IF NOT EXISTS rm_commitments_search "
                               "ON rm_commitments USING gin (search gin_trgm_ops)")
        except PersistenceError as error:
            raise StoreSetupError(
                f"cannot create the pg_trgm extension and the search index ({error}); "
                "install PostgreSQL's contrib modules (Debian: postgresql-contrib) and "
                "run `commitments init` as the database's owner, or have a superuser run "
                "CREATE EXTENSION pg_trgm in this database") from error

    @property
    def tracking_table(self) -> str:
        return self.tracking_table_name

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

    def sql(self, statement: str) -> str:
        return _NAMED.sub(r"%(\1)s", statement.replace("%", "%%"))


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
