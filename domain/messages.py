"""One message to one person, sent at most once: its sender's bookkeeping,
in a stream of its own.

A reminder is a ReminderDelivery (domain.delivery); every other message the
service sends (a mail to the person who asked a question) is a Message. The
write that makes a message owed opens its stream, in the same atomic save,
so nothing owed is lost; the stream's id is derived from what the message
is about, so it is owed once however often the write is retried. A sender
claims it before sending (of two senders only one can append the claim),
and closes it once sent or given up, with the rule of reminders
(`domain.reminders.claim_step`): a sender that finds a claim it did not
finish never sends again.

What the message says is composed when it is sent, from the record; its
address is read then too, and never copied into this stream.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import VersionConflict
from domain.ids import natural_id
from domain.reminders import Attempt, Mark, Step, claim_step


class Purpose(StrEnum):
    ANSWERED = "answered"  # the asker's question was answered
    CLAIMED = "claimed"  # a promise made to the asker was claimed kept, partly kept, or declined
    REPLY_INVITED = "reply_invited"  # an agency may reply to its entries before a report goes out
    FOLLOW_CONFIRM = "follow_confirm"  # the link that starts a follow
    FOLLOW_CHANGE = "follow_change"  # a public change of what is followed
    FOLLOW_SAID = "follow_said"  # a question asked or an answer given at a followed dialogue


def message_id(key: str) -> UUID:
    return natural_id("message", key)


class Message(Aggregate):
    class Opened(Aggregate.Created):
        key: str
        purpose: str
        about: dict[str, Any]

    class Claimed(Aggregate.Event):
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
        receipt: str | None
        error: str | None

    @staticmethod
    def create_id(key: str, **_: Any) -> UUID:
        return message_id(key)

    @event(Opened)
    def __init__(self, key: str, purpose: str, about: dict[str, Any]) -> None:
        self.key = key
        self.purpose = Purpose(purpose)
        # Ids and versions as strings: what the text is composed from.
        self.about = dict(about)
        self.last: Attempt | None = None

    def step(self, claim: str, now: datetime, lease: timedelta) -> Step:
        return claim_step(self.last, claim, now, lease)

    @property
    def is_open(self) -> bool:
        return self.last is None or self.last.mark not in (Mark.SENT, Mark.FAILED)

    def claim(self, *, claim: str, attempt: int, at: datetime, lease: timedelta) -> None:
        """Take the message for the sender `claim`; refused unless it may send now."""
        step = self.step(claim, at, lease)
        if step is not Step.SEND:
            raise VersionConflict(f"message {self.key} is not to be sent now ({step})")
        self._claimed(claim=claim, attempt=attempt, at=at)

    def attempt_failed(self, *, claim: str, attempt: int, error: str, at: datetime) -> None:
        self._attempt_failed(claim=claim, attempt=attempt, error=error, at=at)

    def close(self, mark: Mark, at: datetime, *, receipt: str | None = None,
              error: str | None = None) -> None:
        """Sent (confirmed by a receipt or not) or given up."""
        assert mark in (Mark.SENT, Mark.FAILED), mark
        self._closed(mark=mark.value, at=at, receipt=receipt, error=error)

    @event(Claimed)
    def _claimed(self, claim: str, attempt: int, at: datetime) -> None:
        self.last = Attempt(Mark.CLAIMED, at, claim)

    @event(AttemptFailed)
    def _attempt_failed(self, claim: str, attempt: int, error: str, at: datetime) -> None:
        self.last = Attempt(Mark.ATTEMPT_FAILED, at, claim)

    @event(Closed)
    def _closed(self, mark: str, at: datetime, receipt: str | None, error: str | None
                ) -> None:
        self.last = Attempt(Mark(mark), at)
