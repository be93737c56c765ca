"""Tamper evidence: an event table nobody can rewrite, and a hash chain over it.

Two defences, for two kinds of attacker. The stored-events table refuses
UPDATE, DELETE and TRUNCATE by trigger, and the service's own database role
(`commitments db restrict ROLE`) holds no UPDATE or DELETE right on it: a bug
or a stolen service password cannot rewrite history. An administrator with
full rights can still disable a trigger; against that, each event's digest
covers its content and the previous digest, kept in `audit_chain` as the
projection reads the log. `verify` recomputes the chain from the stored
events and names the first one that does not match, and the public report
prints the head digest, so an outsider who noted it can tell later whether
the history behind it was rewritten.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import PersistenceError

GENESIS = "0" * 64
CHAIN_TABLE = "audit_chain"
CHAIN_DDL = (
    f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} (notification_id BIGINT PRIMARY KEY, "
    "seq BIGINT NOT NULL, digest TEXT NOT NULL, chained_at TEXT NOT NULL)"
)
REFUSAL = "is append-only"


class Notification(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def originator_id(self) -> UUID | str: ...
    @property
    def originator_version(self) -> int: ...
    @property
    def topic(self) -> str: ...
    @property
    def state(self) -> bytes: ...


def link(previous: str, event: Notification) -> str:
    """The digest of `event` after `previous`: every stored field, each
    length-prefixed so no two different events can hash alike by shifting
    bytes from one field into the next."""
    # One hash of the parts joined, not an update per part: the same bytes,
    # in half the time (the projector's writer links a rebuild's million
    # events holding the interpreter's lock the projecting thread needs).
    size = _LENGTH
    a, b, c = previous.encode(), str(event.id).encode(), _id_bytes(event.originator_id)
    d, e, f = str(event.originator_version).encode(), event.topic.encode(), event.state
    return hashlib.sha256(b"".join((size(len(a)), a, size(len(b)), b, size(len(c)), c,
                                    size(len(d)), d, size(len(e)), e, size(len(f)), f))
                          ).hexdigest()


_LENGTH = struct.Struct(">Q").pack  # a part's length, as 8 bytes big-endian
# Streams' ids as they are hashed, by the id: a UUID spells itself in Python
# (a third of a link's cost), and a stream's events mostly follow each other in
# the log, so the projector's writer (which holds the interpreter's lock the
# projecting thread needs) spells each id about once per stream.
_ID_BYTES: dict[UUID | str, bytes] = {}


def _id_bytes(originator_id: UUID | str) -> bytes:
    found = _ID_BYTES.get(originator_id)
    if found is None:
        if len(_ID_BYTES) >= 10_000:
            _ID_BYTES.clear()
        found = _ID_BYTES[originator_id] = str(originator_id).encode()
    return found


# -- append-only tables -------------------------------------------------------------


def postgres_append_only(schema: str, table: str) -> list[str]:
    """Statements that make `table` refuse changes, for everyone."""
    function = f'"{schema}".refuse_change'
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION 'the % table {REFUSAL}: % refused', TG_TABLE_NAME, TG_OP "
        "USING ERRCODE = 'insufficient_privilege'; END $$",
        f'CREATE OR REPLACE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE '
        f'ON "{schema}"."{table}" FOR EACH ROW EXECUTE FUNCTION {function}()',
        f'CREATE OR REPLACE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE '
        f'ON "{schema}"."{table}" FOR EACH STATEMENT EXECUTE FUNCTION {function}()',
    ]


def sqlite_append_only(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation.lower()} BEFORE {operation} "
        f"ON {table} BEGIN SELECT RAISE(ABORT, 'the {table} table {REFUSAL}: "
        f"{operation} refused'); END"
        for operation in ("UPDATE", "DELETE")
    ]


def postgres_restrict(role: str, schema: str, events: str, owned: list[str]) -> list[str]:
    """Grants for the service's role: it reads and appends events and owns the
    read tables it rebuilds, and cannot change or delete a stored event.

    TRUNCATE is granted only because eventsourcing serialises appends with
    `LOCK TABLE ... IN EXCLUSIVE MODE`, which PostgreSQL allows to holders of
    UPDATE, DELETE or TRUNCATE; the trigger refuses TRUNCATE itself.
    """
    quoted = f'"{schema}"."{events}"'
    statements = [
        f'GRANT USAGE, CREATE ON SCHEMA "{schema}" TO "{role}"',
        f'REVOKE ALL ON {quoted} FROM "{role}"',
        f'GRANT SELECT, INSERT, TRUNCATE ON {quoted} TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"',
        f'REVOKE ALL ON "{schema}"."{CHAIN_TABLE}" FROM "{role}"',
        f'GRANT SELECT, INSERT ON "{schema}"."{CHAIN_TABLE}" TO "{role}"',
    ]
    statements += [f'ALTER TABLE "{schema}"."{table}" OWNER TO "{role}"' for table in owned]
    return statements


# -- verifying ------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    ok: bool
    events: int
    head: str
    problem: str | None = None
    pending: int = 0

    def __str__(self) -> str:
        if self.ok:
            behind = (f" ({self.pending} newer events not chained yet)"
                      if self.pending else "")
            return f"ok, {self.events} events, head {self.head}{behind}"
        return f"FAILED after {self.events} good events: {self.problem}"


def verify(events: Iterator[Any], chain: Iterator[tuple[int, str]]) -> Verdict:
    """Walk the stored events and the chain together, in notification order."""
    previous, checked = GENESIS, 0
    chained = next(chain, None)
    pending = 0
    for event in events:
        if chained is not None and chained[0] < event.id:
            return Verdict(False, checked, previous, f"event #{chained[0]} is in the chain "
                           "but missing from the store: it was deleted")
        if chained is None:
            pending += 1
            continue
        if chained[0] > event.id:
            return Verdict(False, checked, previous, f"event #{event.id} ({_name(event)}) is "
                           "not in the chain: it was added behind the service's back")
        expected = link(previous, event)
        if expected != chained[1]:
            return Verdict(False, checked, previous, f"event #{event.id} ({_name(event)}) "
                           "does not match the chain: its stored content was changed")
        previous, checked = expected, checked + 1
        chained = next(chain, None)
    if chained is not None:
        return Verdict(False, checked, previous, f"event #{chained[0]} is in the chain but "
                       "missing from the store: it was deleted")
    return Verdict(True, checked, previous, pending=pending)


def _name(event: Any) -> str:
    topic = str(event.topic).rsplit(":", 1)[-1]
    return f"{topic} of {event.originator_id}, version {event.originator_version}"


# -- the service's use of it ----------------------------------------------------------


def stored_events(recorder: Any, topics: Sequence[str] = (),
                  page: int = 1000) -> Iterator[Any]:
    """Every stored event (of `topics`, if given), in notification order, a
    page at a time."""
    start = 1
    while True:
        found = recorder.select_notifications(start, page, topics=topics)
        yield from found
        if len(found) < page:
            return
        start = found[-1].id + 1


def audit(app: Any, view: Any) -> Verdict:
    """Recompute the chain from the events as they are stored now."""
    return verify(stored_events(app.recorder), view.chain())


def catch_up_and_audit(app: Any, queries: Any) -> Verdict:
    """Link the events the projection has not read yet, then audit.

    The chain grows as the projection reads the log, so an event whose type
    or content was changed before the projection reached it cannot be read
    there: the projection sets it aside (and links it as stored). The service
    wrote no such event, so one set aside that still cannot be read, or
    replayed into its aggregate, is named as tampered, after the chain is
    verified. One that replays but could not be applied to a read table (a
    value the table refuses) is no verdict on the log.

    Only operators' commands run this (`audit verify`, `log export|import`):
    the verdict must reach the log's head, and no projector may be running
    to link what is new; one that is shares the projection's lock, so no
    event is applied twice.
    """
    queries.projector.catch_up()
    verdict = audit(app, queries.view)
    if not verdict.ok:
        return verdict
    for aside in queries.projector.quarantined():
        [event] = app.recorder.select_notifications(aside.position, 1)
        try:
            # Read, replayed into its aggregate, and an event of that
            # aggregate's class: a type swapped for another class may read.
            read = app.mapper.to_domain_event(event)
            aggregate = app.repository.get(event.originator_id,
                                           version=event.originator_version)
            if not isinstance(read, type(aggregate).Event):
                raise TypeError(f"{type(read).__qualname__} is no event of "
                                f"{type(aggregate).__qualname__}")
        except PersistenceError:
            raise
        except Exception as error:
            # The error is shown too: should this version of the service fail
            # to read an event it wrote, the operator can tell that from tampering.
            reason = " ".join(f"{type(error).__name__}: {error}".split())[:200]
            before = sum(1 for position, _ in queries.view.chain() if position < event.id)
            return Verdict(False, before, verdict.head,
                           f"event #{event.id} ({_name(event)}) cannot be read by the "
                           f"service ({reason}): its stored type or content was changed "
                           "before the chain reached it", pending=verdict.pending)
    return verdict


def restrict(app: Any, view: Any, role: str, password: str | None) -> list[str]:
    """Create (if needed) and restrict the service's PostgreSQL role; returns
    what was run, passwords masked."""
    recorder = app.recorder
    schema = recorder.datastore.schema
    owned = [*view.read_table_names(), *view.service_table_names(), view.tracking_table]
    statements = []
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if cursor.fetchone() is None:
            statements.append(f'CREATE ROLE "{role}" LOGIN')
        if password:
            statements.append(f"ALTER ROLE \"{role}\" PASSWORD '{_quote(password)}'")
        statements += postgres_restrict(role, schema, recorder.events_table_name, owned)
        for statement in statements:
            cursor.execute(statement)
    return [s.split(" PASSWORD ")[0] + " PASSWORD '…'" if " PASSWORD " in s else s
            for s in statements]


def _quote(text: str) -> str:
    return text.replace("'", "''")
