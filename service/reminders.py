"""Reminders: the scan that finds what is due, and the delivery of each one.

Exactly once, and how. A reminder is a (commitment, due date, rung) and is
delivered on each of its channels (mail, the agency's webhook). Before a
sender sends, it records a claim in the delivery's own stream
(domain.delivery); eventsourcing saves with optimistic concurrency, so of two
senders racing (two beats, two workers, a duplicated task) only one can
append it, and only that one sends. After sending it records `ReminderSent`
on the commitment and closes the delivery, in one atomic save. A sender that
finds a claim it did not finish (its task redelivered after the worker died,
or a claim older than the lease) does not send again: the server may already
have the message. It records the delivery as sent, unconfirmed. So a
reminder is never sent twice; what can be lost is a sender dying in the
instant between its claim and the connection, and that shows in the history.
The claims never touch the commitment's version, so an officer's If-Match
and concurrent writers never meet the sender's bookkeeping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cache
from typing import Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.agency import Agency, agency_id
from domain.commitment import Commitment
from domain.delivery import ReminderDelivery, delivery_id
from domain.dialogue import Dialogue, Question
from domain.reminders import Channel, Delivery, Mark, Rung, Step
from domain.text import fold
from service.application import Commitments
from service.handlers import load
from service.notices import Notice, compose
from service.queries import Queries

# Contact roles that mean the head of the agency, folded: escalations go there.
_HEAD_ROLES = ("head", "giam doc", "thu truong", "truong", "chanh", "lanh dao")


class DeliveryFailed(Exception):
    """A channel could not deliver; the message says why (for the history)."""


class Sender(Protocol):
    def __call__(self, notice: Notice) -> str | None:
        """Deliver, and return a receipt if the channel gives one; raise
        DeliveryFailed when it did not go."""
        ...


@dataclass(frozen=True)
class Due:
    """A reminder to deliver. `rung` None: only finish deliveries begun earlier."""

    commitment_id: UUID
    due_on: date
    rung: Rung | None


@dataclass
class Report:
    sent: list[Delivery] = field(default_factory=list)
    settled: list[Delivery] = field(default_factory=list)
    failed: list[tuple[Delivery, str]] = field(default_factory=list)  # will be retried
    gave_up: list[Delivery] = field(default_factory=list)
    skipped: str | None = None


@dataclass(frozen=True)
class Planned:
    delivery: Delivery
    recipient: str
    notice: Notice


class Reminders:
    def __init__(self, app: Commitments, queries: Queries, senders: Mapping[Channel, Sender],
                 now: Callable[[], datetime] | None = None) -> None:
        self.app = app
        self.queries = queries
        self.senders = senders
        self.settings = app.settings.reminders
        self.calendar = app.settings.calendar
        self.now = now or (lambda: datetime.now(UTC))

    # -- the scan ------------------------------------------------------------------

    def scan(self, today: date | None = None) -> list[Due]:
        """Reminders to deliver on `today`, from the read model's ladder index."""
        today = today or self.app.clock()
        ladder = self.settings.ladder
        found = []
        for row in self.queries.ladder_candidates(ladder.horizon(today, self.calendar)):
            rung = ladder.next_reminder(row.status, row.due_on, row.reminder_rank, today,
                                        self.calendar)
            if rung is not None or row.reminders_pending:
                found.append(Due(row.id, row.due_on, rung))
        return found

    # -- one reminder -----------------------------------------------------------------

    def deliver(self, due: Due, *, today: date, claim: str, attempt: int,
                final: bool) -> Report:
        """Deliver `due` on each of its channels (finishing anything begun
        before); `claim` is the task's id, the same on its retries and
        redeliveries, `attempt` its retry count; `final` says not to retry."""
        report = Report()
        commitment = load(self.app.repository, Commitment, due.commitment_id)
        # Read once, and only if a decision or a message needs it.
        agency = cache(lambda: load(self.app.repository, Agency, agency_id(commitment.agency)))
        recorded = {r.delivery for r in commitment.reminders}
        # Deliveries begun and not finished: claims in their own streams, as
        # the read side lists them (each is decided again from its stream),
        # and in an old log's commitment stream.
        begun = set(self.queries.open_deliveries(commitment.id))
        begun |= {r.delivery for r in commitment.reminders if r.mark not in (Mark.SENT,
                                                                             Mark.FAILED)}
        known = recorded | begun
        plan: list[Planned] = []
        for delivery in sorted(begun, key=str):
            plan += [p for p in self._plan(commitment, agency(), delivery.rung,
                                           delivery.due_on, today)
                     if p.delivery == delivery]
        if due.rung is not None:
            reason = self._why_not(commitment, agency, due, today, known)
            if reason:
                report.skipped = reason
            else:
                planned = self._plan(commitment, agency(), due.rung, due.due_on, today)
                if not planned:
                    self._no_recipients(commitment, due)
                    report.gave_up.append(Delivery(due.rung, due.due_on, Channel.EMAIL))
                # Only channels with no record yet: a sender that died on the
                # mail leaves the rung begun, and the webhook still to send.
                plan += [p for p in planned if p.delivery not in known]
        for item in plan:
            self._deliver_one(item, due.commitment_id, claim, attempt, final, report)
        return report

    def _why_not(self, commitment: Commitment, agency: Callable[[], Agency], due: Due,
                 today: date, known: set[Delivery]) -> str | None:
        """Why this reminder is not (or no longer) to be sent, if it is not;
        `known` are the deliveries recorded or begun."""
        assert due.rung is not None
        if commitment.due_on != due.due_on:
            return f"the due date moved to {commitment.due_on}"
        successor = agency().owner_on(today)
        if successor is not None:
            # Nobody is left there to tell: its work is its successor's now.
            return f"{commitment.agency} was succeeded by {successor}"
        rank = max([commitment.reminder_rank,
                    *(d.rung.rank for d in known if d.due_on == commitment.due_on)])
        if rank > due.rung.rank:
            return "a later reminder was already begun"
        if rank == due.rung.rank and not self._unrecorded_channels(
                known, agency(), due.rung, due.due_on):
            return "this reminder was already begun on every channel"
        rung = self.settings.ladder.rung_on(commitment.status, commitment.due_on, today,
                                             self.calendar)
        if rung != due.rung:
            return f"on {today} the reminder that applies is {rung or 'none'}"
        return None

    @staticmethod
    def _unrecorded_channels(known: set[Delivery], agency: Agency, rung: Rung, due_on: date
                             ) -> set[Channel]:
        recorded = {d.channel for d in known if d.rung is rung and d.due_on == due_on}
        channels = {Channel.EMAIL} | ({Channel.WEBHOOK} if agency.webhook_url else set())
        return channels - recorded

    def _deliver_one(self, item: Planned, commitment_id: UUID, claim: str, attempt: int,
                     final: bool, report: Report) -> None:
        delivery, lease = item.delivery, self.settings.lease
        while True:
            commitment, ledger = self._read(commitment_id, delivery)
            earlier = commitment.reminders_of(delivery)
            now = self.now()
            step = ledger.step(earlier, claim, attempt, now, lease)
            if step in (Step.DONE, Step.WAIT):
                return
            if step is Step.SETTLE:
                commitment.record_reminder_sent(delivery, recipient=item.recipient, at=now,
                                                confirmed=False)
                ledger.close(Mark.SENT, now)
                if self._saved(commitment, ledger):
                    report.settled.append(delivery)
                    return
                continue
            ledger.claim(earlier, recipient=item.recipient, claim=claim, attempt=attempt,
                         at=now, lease=lease)
            if self._saved(ledger):
                break  # this sender won the claim: it alone sends
        try:
            receipt = self.senders[delivery.channel](item.notice)
        except DeliveryFailed as error:
            message = str(error) or type(error).__name__
            if final:
                self._close(commitment_id, delivery, Mark.FAILED, lambda c, at: (
                    c.record_reminder_failed(
                        delivery, recipient=item.recipient, at=at,
                        error=f"gave up after {attempt + 1} attempts: {message}")))
                report.gave_up.append(delivery)
            else:
                self._record_attempt_failed(commitment_id, delivery, claim, attempt, message)
                report.failed.append((delivery, message))
            return
        self._close(commitment_id, delivery, Mark.SENT, lambda c, at: c.record_reminder_sent(
            delivery, recipient=item.recipient, at=at, receipt=receipt))
        report.sent.append(delivery)

    def _no_recipients(self, commitment: Commitment, due: Due) -> None:
        assert due.rung is not None
        delivery = Delivery(due.rung, due.due_on, Channel.EMAIL)
        self._close(commitment.id, delivery, Mark.FAILED, lambda c, at: (
            c.record_reminder_failed(
                delivery, recipient="", at=at,
                error=f"no recipients: agency {c.agency} has no contacts and no webhook")))

    def _read(self, commitment_id: UUID, delivery: Delivery
              ) -> tuple[Commitment, ReminderDelivery]:
        """The commitment and the delivery's stream (opened, unsaved, if new)."""
        commitment = load(self.app.repository, Commitment, commitment_id)
        try:
            ledger: ReminderDelivery = self.app.repository.get(
                delivery_id(commitment_id, delivery))
        except AggregateNotFoundError:
            ledger = ReminderDelivery.open(commitment_id, delivery)
        return commitment, ledger

    def _close(self, commitment_id: UUID, delivery: Delivery, mark: Mark,
               outcome: Callable[[Commitment, datetime], None]) -> None:
        """Record the outcome on the commitment and close the delivery, in one
        save, re-reading until no concurrent writer is in the way."""
        while True:
            commitment, ledger = self._read(commitment_id, delivery)
            at = self.now()
            outcome(commitment, at)
            ledger.close(mark, at)
            if self._saved(commitment, ledger):
                return

    def _record_attempt_failed(self, commitment_id: UUID, delivery: Delivery, claim: str,
                               attempt: int, error: str) -> None:
        while True:
            _, ledger = self._read(commitment_id, delivery)
            ledger.attempt_failed(claim=claim, attempt=attempt, error=error, at=self.now())
            if self._saved(ledger):
                return

    def _saved(self, *aggregates: Commitment | ReminderDelivery) -> bool:
        try:
            self.app.save(*aggregates)
        except IntegrityError:
            return False  # another writer appended first: read again and decide again
        return True

    # -- who gets what -------------------------------------------------------------------

    def _plan(self, commitment: Commitment, agency: Agency, rung: Rung, due_on: date,
              today: date) -> list[Planned]:
        dialogue: Dialogue = load(self.app.repository, Dialogue, commitment.dialogue_id)
        question: Question | None = None
        if commitment.question_ids:
            question = load(self.app.repository, Question, commitment.question_ids[0])
        contacts = _unique(c["email"] for c in agency.contacts if c.get("email"))
        heads = _unique(c["email"] for c in agency.contacts
                        if c.get("email") and fold(c.get("role") or "") in _HEAD_ROLES)
        auditors = [self.settings.auditors_email] if self.settings.auditors_email else []
        chair = dialogue.chair_email or self.settings.chair_office_email
        to, cc = {
            Rung.DUE_SOON: (contacts, []),
            Rung.OVERDUE: (contacts, auditors),
            Rung.ESCALATION: (_unique([*(heads or contacts), *([chair] if chair else [])]),
                              auditors),
        }[rung]
        if not to:
            to, cc = cc, []
        planned = []
        base = self.app.settings.public_base_url
        organisation = self.app.settings.organisation_name
        if to:
            delivery = Delivery(rung, due_on, Channel.EMAIL)
            notice = compose(commitment, agency, dialogue, question, delivery, today, base,
                             organisation)
            recipient = ", ".join(to) + (f"; cc {', '.join(cc)}" if cc else "")
            planned.append(Planned(delivery, recipient,
                                   replace(notice, to=to, cc=[a for a in cc if a not in to])))
        if agency.webhook_url:
            delivery = Delivery(rung, due_on, Channel.WEBHOOK)
            notice = compose(commitment, agency, dialogue, question, delivery, today, base,
                             organisation)
            planned.append(Planned(delivery, agency.webhook_url,
                                   replace(notice, url=agency.webhook_url)))
        return planned


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item.strip().lower() for item in items))
