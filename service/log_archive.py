"""The event log as a file: every stored event in log order, one JSON object
a line, with its hash-chain digest; and that file back into an empty store of
either kind (the way from the embedded SQLite store to PostgreSQL).

Each event keeps its position (notification id) across the move: the chain's
digests cover it, so the moved log verifies to the same head digest, and the
public report's footer stays true. An import checks the whole file against
its chain before it stores anything, and names the first event that does not
match.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from service.integrity import GENESIS, link, stored_events

FORMAT = "commitments-log/1"
_BATCH = 1000


class LogFileError(Exception):
    """The file cannot be imported: the message says where and why."""


class StoreNotEmpty(Exception):
    """An import goes into an empty store only: it never mixes two logs."""


@dataclass(frozen=True)
class LoggedEvent:
    """One line of the file; the fields the chain's digest covers, and it."""

    id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes
    digest: str


def export_log(app: Any, chain: Iterable[tuple[int, str]], write: Callable[[str], Any],
               progress: Callable[[int], None] | None = None) -> int:
    """Write every stored event, in log order, to `write` a line at a time
    (constant memory); `chain` gives each position's digest (link the log
    first: an event not yet in the chain is refused). Returns how many."""
    links = iter(chain)
    written = 0
    for event in stored_events(app.recorder):
        found = next(links, None)
        if found is None or found[0] != event.id:
            raise LogFileError(f"event #{event.id} is not in the hash chain yet: let the "
                               "projector catch up (commitments audit verify), then export")
        record: dict[str, Any] = {
            "id": event.id, "aggregate": str(event.originator_id),
            "version": event.originator_version, "topic": event.topic,
            "recorded": app.mapper.to_domain_event(event).timestamp.isoformat(),
            "digest": found[1],
        }
        state = bytes(event.state)
        try:
            record["state"] = state.decode("utf-8")
        except UnicodeDecodeError:
            # A compressed or enciphered store: the bytes as they are.
            record["state_base64"] = base64.b64encode(state).decode("ascii")
        if not written:
            write(json.dumps({"format": FORMAT}) + "\n")
        write(json.dumps(record, ensure_ascii=False) + "\n")
        written += 1
        if progress is not None:
            progress(1)
    return written


def read_log(lines: Iterable[str]) -> Iterator[LoggedEvent]:
    """The events of a file, each checked against the chain as it is read:
    LogFileError names the first line that is not what it should be."""
    previous = GENESIS
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise LogFileError(f"line {number}: not JSON ({error.msg})") from None
        if "format" in record:
            if record["format"] != FORMAT:
                raise LogFileError(f"line {number}: a log file of format {record['format']!r},"
                                   f" not {FORMAT!r}")
            continue
        try:
            state = (record["state"].encode("utf-8") if "state" in record
                     else base64.b64decode(record["state_base64"]))
            event = LoggedEvent(int(record["id"]), UUID(record["aggregate"]),
                                int(record["version"]), str(record["topic"]), state,
                                str(record["digest"]))
        except (KeyError, ValueError, TypeError) as error:
            raise LogFileError(f"line {number}: {type(error).__name__} {error}") from None
        expected = link(previous, event)
        if expected != event.digest:
            raise LogFileError(
                f"line {number}: event #{event.id} ({event.topic.rsplit(':', 1)[-1]} of "
                f"{event.originator_id}, version {event.originator_version}) does not match "
                "the chain: the file was changed or cut at this point")
        previous = expected
        yield event


def import_log(app: Any, lines: Callable[[], Iterable[str]],
               progress: Callable[[int], None] | None = None) -> int:
    """Store the events of a log file, at their own positions, in the empty
    store of `app`. `lines` opens the file; it is read twice: the whole chain
    is checked before anything is stored, so a bad file leaves the store as
    empty as it was."""
    recorder = app.recorder
    if recorder.max_notification_id():
        raise StoreNotEmpty("this store already holds events: an import goes into an empty "
                            "store only")
    total = sum(1 for _ in read_log(lines()))
    stored = 0
    batch: list[LoggedEvent] = []
    for event in read_log(lines()):
        batch.append(event)
        if len(batch) == _BATCH:
            stored += _insert(recorder, batch)
            if progress is not None:
                progress(len(batch))
            batch = []
    if batch:
        stored += _insert(recorder, batch)
        if progress is not None:
            progress(len(batch))
    assert stored == total, (stored, total)
    _continue_numbering(recorder)
    return stored


def _insert(recorder: Any, batch: list[LoggedEvent]) -> int:
    """Insert at the given positions: eventsourcing's own insert numbers
    events afresh, which would break the chain wherever the old log had a gap
    (a PostgreSQL sequence skips the numbers of writes that lost a race)."""
    table = recorder.events_table_name
    if isinstance(recorder, PostgresApplicationRecorder):
        schema = recorder.datastore.schema
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.executemany(
                f'INSERT INTO "{schema}"."{table}" (originator_id, originator_version, topic, '
                "state, notification_id) VALUES (%s, %s, %s, %s, %s)",
                [(e.originator_id, e.originator_version, e.topic, e.state, e.id)
                 for e in batch])
    elif isinstance(recorder, SQLiteApplicationRecorder):
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, state) "
                "VALUES (?, ?, ?, ?, ?)",
                [(e.id, e.originator_id.hex, e.originator_version, e.topic, e.state)
                 for e in batch])
    else:
        raise LogFileError(f"cannot import into a {type(recorder).__name__}")
    return len(batch)


def _continue_numbering(recorder: Any) -> None:
    """New events go after the imported ones (SQLite's rowid does by itself)."""
    if isinstance(recorder, PostgresApplicationRecorder):
        schema, table = recorder.datastore.schema, recorder.events_table_name
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{schema}\".\"{table}\"', "
                f"'notification_id'), (SELECT MAX(notification_id) FROM \"{schema}\".\"{table}\"))")
