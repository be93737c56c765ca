"""Messages to people outside the service (the person who asked a question),
each sent at most once, and the one interface every channel implements.

The write that owes a message opens its stream (domain.messages); the scan
finds the open ones in the read model, and `deliver` sends each with the
reminders' claim rule: claimed before it is sent, closed after, never sent
again by a sender that finds a claim it did not finish. What a message says
is composed at sending time by the composer of its purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.messages import Message, Purpose
from domain.reminders import Mark, Step
from service.application import Commitments
from service.handlers import load
from service.reminders import DeliveryFailed


@dataclass(frozen=True)
class Outgoing:
    """One message, ready for a channel: a mail sender uses the addresses,
    the subject and both bodies; an SMS gateway the phone and the text."""

    key: str  # the same on every try: the mail's Message-ID
    subject: str
    text: str
    html: str | None = None
    to: list[str] = field(default_factory=list)
    phone: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # List-Unsubscribe...


class Messenger(Protocol):
    def __call__(self, message: Outgoing, /) -> str | None:
        """Deliver, and return a receipt if the channel gives one; raise
        DeliveryFailed when it did not go."""
        ...


# What a message of each purpose says, composed from the record when it is
# sent; None when there is nobody to send it to any more.
Composer = Callable[[Commitments, Message], Outgoing | None]


class Outcome(StrEnum):
    SENT = "sent"
    SETTLED = "settled"  # a sender died holding the claim: recorded as sent, unconfirmed
    DONE = "done"  # sent or given up before
    WAIT = "wait"  # another sender holds a fresh claim
    RETRY = "retry"  # this try failed; the task tries again
    GAVE_UP = "gave_up"


class Messages:
    def __init__(self, app: Commitments, messenger: Messenger,
                 composers: Mapping[Purpose, Composer],
                 now: Callable[[], datetime] | None = None) -> None:
        self.app = app
        self.messenger = messenger
        self.composers = composers
        self.lease = app.settings.reminders.lease
        self.now = now or (lambda: datetime.now(UTC))

    def deliver(self, message_id: UUID, *, claim: str, attempt: int, final: bool
                ) -> tuple[Outcome, str]:
        """Send the message once; `claim` is the task's id (the same on its
        retries and redeliveries), `attempt` its retry count, `final` says
        not to retry. Returns what happened, and why."""
        while True:
            message = self._read(message_id)
            now = self.now()
            step = message.step(claim, now, self.lease)
            if step is Step.DONE:
                return Outcome.DONE, "sent or given up before"
            if step is Step.WAIT:
                return Outcome.WAIT, "another sender holds it"
            if step is Step.SETTLE:
                message.close(Mark.SENT, now, receipt=None)
                if self._saved(message):
                    return Outcome.SETTLED, "a sender died holding it: it may have gone"
                continue
            outgoing = self.composers[message.purpose](self.app, message)
            if outgoing is None:
                message.close(Mark.FAILED, now, error="nobody to send it to")
                if self._saved(message):
                    return Outcome.GAVE_UP, "nobody to send it to"
                continue
            message.claim(claim=claim, attempt=attempt, at=now, lease=self.lease)
            if self._saved(message):
                break  # this sender won the claim: it alone sends
        try:
            receipt = self.messenger(outgoing)
        except DeliveryFailed as error:
            reason = str(error) or type(error).__name__
            if final:
                self._record(message_id, lambda m, at: m.close(
                    Mark.FAILED, at, error=f"gave up after {attempt + 1} attempts: {reason}"))
                return Outcome.GAVE_UP, reason
            self._record(message_id, lambda m, at: m.attempt_failed(
                claim=claim, attempt=attempt, error=reason, at=at))
            return Outcome.RETRY, reason
        self._record(message_id, lambda m, at: m.close(Mark.SENT, at, receipt=receipt))
        return Outcome.SENT, receipt or ""

    def _read(self, message_id: UUID) -> Message:
        return load(self.app.repository, Message, message_id)

    def _record(self, message_id: UUID, change: Callable[[Message, datetime], None]) -> None:
        while True:
            message = self._read(message_id)
            change(message, self.now())
            if self._saved(message):
                return

    def _saved(self, message: Message) -> bool:
        try:
            self.app.save(message)
        except IntegrityError:
            return False  # another sender appended first: read again and decide again
        return True
