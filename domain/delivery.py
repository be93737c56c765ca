"""One reminder's delivery on one channel: the sender's bookkeeping, in a
stream of its own.

A sender claims a delivery before it sends, and records a failed try; these
are about the sender, not the promise, so they live here and never touch the
commitment's version (an officer's If-Match, a writer's retry). The outcome
that is a fact about the promise (sent, or given up) is recorded on the
commitment, in the same atomic save that closes the delivery here.

The stream's id is derived from the delivery, so of two senders that open it
at once only one can: the event store's uniqueness is the lock. Logs written
before this stream existed kept claims in the commitment's stream; a
delivery's record is therefore the commitment's records for it (`earlier`)
followed by this stream's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import VersionConflict
from domain.ids import natural_id
from domain.reminders import Channel, Delivery, Mark, Record, Rung, Step, delivery_step


def delivery_id(commitment_id: UUID, delivery: Delivery) -> UUID:
    return natural_id("reminder-delivery", f"{commitment_id}:{delivery.rung.value}:"
                      f"{delivery.due_on.isoformat()}:{delivery.channel.value}")


class ReminderDelivery(Aggregate):
    class Opened(Aggregate.Created):
        commitment_id: UUID
        rung: str
        due_on: date
        channel: str

    class Claimed(Aggregate.Event):
        recipient: str
        claim: str
        attempt: int
        at: datetime

    class AttemptFailed(Aggregate.Event):
        claim: str
        attempt: int
        error: str
        at: datetime

    class Closed(Aggregate.Event):
        mark: str
        at: datetime

    @staticmethod
    def create_id(commitment_id: UUID, rung: str, due_on: date, channel: str) -> UUID:
        return delivery_id(commitment_id, Delivery(Rung(rung), due_on, Channel(channel)))

    @event(Opened)
    def __init__(self, commitment_id: UUID, rung: str, due_on: date, channel: str) -> None:
        self.commitment_id = commitment_id
        self.delivery = Delivery(Rung(rung), due_on, Channel(channel))
        self.records: list[Record] = []

    @classmethod
    def open(cls, commitment_id: UUID, delivery: Delivery) -> ReminderDelivery:
        return cls(commitment_id=commitment_id, rung=delivery.rung.value,
                   due_on=delivery.due_on, channel=delivery.channel.value)

    # -- what to do -----------------------------------------------------------------

    def step(self, earlier: Sequence[Record], claim: str, attempt: int, now: datetime,
             lease: timedelta) -> Step:
        return delivery_step([*earlier, *self.records], self.delivery, claim, attempt, now,
                             lease)

    @property
    def is_open(self) -> bool:
        """Begun and not yet sent or given up."""
        return bool(self.records) and self.records[-1].mark not in (Mark.SENT, Mark.FAILED)

    # -- what happened --------------------------------------------------------------

    def claim(self, earlier: Sequence[Record], *, recipient: str, claim: str, attempt: int,
              at: datetime, lease: timedelta) -> None:
        """Take the delivery for the sender `claim`; refused unless it may send now."""
        step = self.step(earlier, claim, attempt, at, lease)
        if step is not Step.SEND:
            raise VersionConflict(f"{self.delivery.rung} by {self.delivery.channel} is not "
                                  f"to be sent now ({step})")
        self._claimed(recipient=recipient, claim=claim, attempt=attempt, at=at)

    def attempt_failed(self, *, claim: str, attempt: int, error: str, at: datetime) -> None:
        self._attempt_failed(claim=claim, attempt=attempt, error=error, at=at)

    def close(self, mark: Mark, at: datetime) -> None:
        """Sent or given up: saved with the commitment's own record of it."""
        assert mark in (Mark.SENT, Mark.FAILED), mark
        self._closed(mark=mark.value, at=at)

    @event(Claimed)
    def _claimed(self, recipient: str, claim: str, attempt: int, at: datetime) -> None:
        self.records.append(Record(self.delivery, Mark.CLAIMED, at, claim, attempt))

    @event(AttemptFailed)
    def _attempt_failed(self, claim: str, attempt: int, error: str, at: datetime) -> None:
        self.records.append(Record(self.delivery, Mark.ATTEMPT_FAILED, at, claim, attempt))

    @event(Closed)
    def _closed(self, mark: str, at: datetime) -> None:
        self.records.append(Record(self.delivery, Mark(mark), at))
