"""The reminder ladder and the delivery protocol, as pure functions.

Per commitment and per due date there are three reminders, each sent at most
once: `due_soon` before the date, `overdue` on the first day after it, and
`escalation` when it has stayed overdue long enough. A commitment's due date
changing (an extension) starts a new ladder, because reminders are keyed by
the due date they were about.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from domain.calendar import Calendar
from domain.status import Status


class Rung(StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ESCALATION = "escalation"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Rung.DUE_SOON: 1, Rung.OVERDUE: 2, Rung.ESCALATION: 3}
HIGHEST_RANK = max(_RANKS.values())

# Only promises still being worked on are chased: a candidate nobody has
# confirmed is not yet a promise, and finished ones get nothing.
_CHASED = (Status.OPEN, Status.IN_PROGRESS)


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


@dataclass(frozen=True)
class Ladder:
    due_soon_days: int = 7
    escalate_after_days: int = 30

    def rung_on(self, status: Status, due_on: date, today: date, calendar: Calendar
                ) -> Rung | None:
        """The reminder that applies on `today`, if any: the highest one reached,
        because a reminder about an earlier stage is stale once a later one applies."""
        if status not in _CHASED:
            return None
        if today >= calendar.shift(due_on, self.escalate_after_days):
            return Rung.ESCALATION
        if today >= calendar.next_day(due_on):
            return Rung.OVERDUE
        if today >= calendar.shift(due_on, -self.due_soon_days):
            return Rung.DUE_SOON
        return None

    def next_reminder(self, status: Status, due_on: date, reached_rank: int, today: date,
                      calendar: Calendar) -> Rung | None:
        """The reminder to send now, given the highest rank already begun for
        this due date; lower ones that were skipped are never sent late."""
        rung = self.rung_on(status, due_on, today, calendar)
        return rung if rung is not None and rung.rank > reached_rank else None

    def horizon(self, today: date, calendar: Calendar) -> date:
        """No due date after this can have a reminder on `today`: the scan's
        bound on the due index (generous; the ladder decides exactly)."""
        day = today
        while calendar.shift(day, -self.due_soon_days) <= today:
            day += timedelta(days=1)
        return day


# -- delivering one reminder on one channel, exactly once ---------------------------


class Mark(StrEnum):
    """What the commitment's stream says about one delivery."""

    CLAIMED = "claimed"  # a sender took it, and is sending
    ATTEMPT_FAILED = "attempt_failed"  # that sender's try failed; it will retry
    SENT = "sent"
    FAILED = "failed"  # given up


FINAL = frozenset({Mark.SENT, Mark.FAILED})


@dataclass(frozen=True)
class Delivery:
    """One reminder, on one channel, for one due date."""

    rung: Rung
    due_on: date
    channel: Channel


@dataclass(frozen=True)
class Record:
    delivery: Delivery
    mark: Mark
    at: datetime
    claim: str | None = None
    attempt: int = 0


@dataclass(frozen=True)
class Attempt:
    """The last thing recorded of a message that is not a reminder."""

    mark: Mark
    at: datetime
    claim: str | None = None


class Step(StrEnum):
    SEND = "send"  # claim it, then send
    DONE = "done"  # sent or given up already
    WAIT = "wait"  # another sender holds a fresh claim
    SETTLE = "settle"  # a sender died holding the claim: record it as sent, unconfirmed


def delivery_step(records: Iterable[Record], delivery: Delivery, claim: str, attempt: int,
                  now: datetime, lease: timedelta) -> Step:
    """What a sender holding task id `claim`, on try `attempt`, must do next.

    The claim is recorded in the commitment's stream *before* anything is
    sent, with optimistic concurrency: of two senders only one can append it,
    and only that one sends. A sender found dead holding a claim (its task
    redelivered with the same try number, or its claim older than the lease)
    may have handed the message to the server already, so it is never sent
    again: the delivery is settled as sent, marked unconfirmed. That makes a
    reminder at most one message, and the window where it can be lost is the
    instant between recording the claim and opening the connection.
    """
    last = None
    for record in records:
        if record.delivery == delivery:
            last = record
    return claim_step(last, claim, now, lease)


def claim_step(last: Record | Attempt | None, claim: str, now: datetime, lease: timedelta
               ) -> Step:
    """What a sender holding `claim` must do, given the last record of its
    message (None: nothing recorded yet): the rule of `delivery_step`, for
    any message sent at most once (a reminder, a mail to an asker)."""
    if last is None:
        return Step.SEND
    if last.mark in FINAL:
        return Step.DONE
    mine = last.claim == claim
    stale = now - last.at > lease
    if last.mark is Mark.ATTEMPT_FAILED:
        # Nothing went out; the failed sender retries, or anyone once it is late.
        return Step.SEND if mine or stale else Step.WAIT
    if mine:
        # This task ran before and died after claiming (a redelivery), or
        # could not record how its try ended: either way it may have sent.
        return Step.SETTLE
    return Step.SETTLE if stale else Step.WAIT


def reached_rank(records: Sequence[Record], due_on: date) -> int:
    """The highest reminder begun for this due date (0 for none)."""
    # Most promises have no reminder yet: spare them the generator (these
    # three run for each event a catch-up applies).
    if not records:
        return 0
    return max((r.delivery.rung.rank for r in records if r.delivery.due_on == due_on),
               default=0)


def pending(records: Sequence[Record]) -> int:
    """Deliveries begun and not yet sent or given up."""
    if not records:
        return 0
    last: dict[Delivery, Mark] = {}
    for record in records:
        last[record.delivery] = record.mark
    return sum(1 for mark in last.values() if mark not in FINAL)


def times_sent(records: Sequence[Record]) -> int:
    """Reminders that reached somebody: one per reminder, however many channels."""
    if not records:
        return 0
    return len({(r.delivery.rung, r.delivery.due_on) for r in records if r.mark is Mark.SENT})
