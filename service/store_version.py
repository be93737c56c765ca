"""Which version of the log a store holds, so that an older service never
starts on a log it cannot read.

An older version meets events it has no class for (a new event, a newer
`class_version`) and would fail on them one by one, in the middle of a read
or a report. Instead every store carries the log's version, stamped by the
processes that create tables (`commitments init`, `serve`, the embedded
default); one that finds a newer version than its own refuses to start,
saying which. A store without the stamp was written before it existed: 1.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder

# Bump with every change of the events: a new event class, a new
# `class_version` of one (README: "Upgrades: old logs keep loading").
# 1: the log of commit 1fdfff8 (tests/fixtures/upgrade/v1).
# 2: extension requests and decisions, corrections, hand-overs, Made v4,
#    deliveries in streams of their own, passwords rehashed.
LOG_VERSION = 2
TABLE = "store_meta"


class NewerStore(Exception):
    """The store holds a log written by a newer version of the service."""


def stamp(app: Any) -> int:
    """Refuse a store of a newer log than this code reads; else record this
    version (never lowering it). Returns the version found."""
    recorder = app.recorder
    postgres = isinstance(recorder, PostgresApplicationRecorder)
    table = f'"{recorder.datastore.schema}".{TABLE}' if postgres else TABLE
    mark = "%s" if postgres else "?"
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, "
                       "value TEXT NOT NULL)")
        cursor.execute(f"SELECT value FROM {table} WHERE key = 'log_version'")
        row = cursor.fetchone()
        if row is not None:
            found = int(row["value"])
        else:
            found = 1 if recorder.max_notification_id() else LOG_VERSION
        if found > LOG_VERSION:
            raise NewerStore(
                f"this store holds a log of version {found}, written by a newer version of "
                f"the service; this one reads up to version {LOG_VERSION}: install the "
                "newer version (or a later one) instead")
        cursor.execute(f"INSERT INTO {table} VALUES ('log_version', {mark}) ON CONFLICT (key) "
                       "DO UPDATE SET value = excluded.value", (str(LOG_VERSION),))
    return found
