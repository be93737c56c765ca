"""A promise made in an answer, owned by one agency, followed until it ends.

Each public method checks what depends on the moment of the request (today's
date, the caller's input) and then calls an `@event` method; the event methods
hold only what must also run on replay, so an old history always rebuilds the
same state.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.deadlines import DueBasis, Kind
from domain.errors import InvalidInput, TransitionNotAllowed, VersionConflict
from domain.reminders import (
    Channel,
    Delivery,
    Mark,
    Record,
    Rung,
    Step,
    delivery_step,
    pending,
    reached_rank,
    times_sent,
)
from domain.status import (
    Action,
    Status,
    Verdict,
    check_verdict,
    days_overdue,
    is_overdue,
    next_status,
)

# Actions after which the agency's earlier claim is new and not yet judged.
_CLAIMS = frozenset({Action.FULFIL, Action.PARTIALLY_FULFIL})


class Commitment(Aggregate):
    @event("Made")
    def __init__(
        self,
        agency: str,
        text: str,
        kind: str,
        due_on: date,
        due_basis: str,
        made_on: date,
        dialogue_id: UUID,
        answer_id: UUID | None,
        question_ids: list[UUID],
        status: str,
        actor: dict[str, Any],
        transferred_from: UUID | None = None,
    ) -> None:
        self.agency = agency
        self.text = text
        self.kind = Kind(kind)
        self.due_on = due_on
        self.due_basis = DueBasis(due_basis)
        self.made_on = made_on
        self.dialogue_id = dialogue_id
        self.answer_id = answer_id
        self.question_ids = question_ids
        # proposed or open when recorded; a transferred one keeps its status.
        self.status = Status(status)
        self.transferred_from = transferred_from
        self.transferred_to: UUID | None = None
        self.verdict: Verdict | None = None
        self.effective_on = made_on
        self.fulfilled_on: date | None = None
        self.evidence: list[dict[str, Any]] = []
        self.reminders: list[Record] = []

    # -- derived state -------------------------------------------------------

    def is_overdue(self, on: date) -> bool:
        return is_overdue(self.status, self.due_on, on)

    def days_overdue(self, on: date) -> int:
        return days_overdue(self.status, self.due_on, on)

    @property
    def reminder_rank(self) -> int:
        """The highest reminder begun for the current due date."""
        return reached_rank(self.reminders, self.due_on)

    @property
    def reminders_pending(self) -> int:
        return pending(self.reminders)

    @property
    def times_reminded(self) -> int:
        return times_sent(self.reminders)

    def reminder_step(self, delivery: Delivery, claim: str, attempt: int, now: datetime,
                      lease: timedelta) -> Step:
        return delivery_step(self.reminders, delivery, claim, attempt, now, lease)

    # -- commands -------------------------------------------------------------

    def update(
        self,
        action: Action,
        *,
        today: date,
        actor: dict[str, Any],
        note: str | None = None,
        evidence: list[dict[str, Any]] | None = None,
        new_due_on: date | None = None,
        effective_on: date | None = None,
    ) -> None:
        """Record `action`, or raise before anything is recorded."""
        next_status(self.status, action)
        when = self._check_effective_on(effective_on, today)
        evidence = evidence or []
        if action is Action.EXTEND:
            if new_due_on is None:
                raise InvalidInput("new_due_on", "extend needs new_due_on, the new due date")
            if new_due_on <= self.due_on:
                raise InvalidInput(
                    "new_due_on",
                    f"new_due_on {new_due_on.isoformat()} must be after the current "
                    f"due date {self.due_on.isoformat()}",
                )
            if not note:
                raise InvalidInput("note", "extend needs a note giving the reason")
            self._deadline_extended(
                new_due_on=new_due_on, note=note, effective_on=when, actor=actor,
                evidence=evidence,
            )
            return
        if new_due_on is not None:
            raise InvalidInput("new_due_on", "new_due_on is only for the extend action")
        if action in (Action.DECLINE, Action.REJECT) and not note:
            raise InvalidInput("note", f"{action.value} needs a note giving the reason")
        recorder = {
            Action.CONFIRM: self._confirmed,
            Action.PROGRESS: self._progress_reported,
            Action.FULFIL: self._fulfilled,
            Action.PARTIALLY_FULFIL: self._partially_fulfilled,
            Action.DECLINE: self._declined,
            Action.WITHDRAW: self._withdrawn,
            Action.REJECT: self._rejected,
        }.get(action)
        if recorder is None:
            raise InvalidInput("action", f"{action.value} is not done through updates")
        recorder(note=note, evidence=evidence, effective_on=when, actor=actor)

    def edit(
        self,
        *,
        today: date,
        actor: dict[str, Any],
        text: str | None = None,
        kind: Kind | None = None,
        agency: str | None = None,
        due: tuple[date, DueBasis] | None = None,
        note: str | None = None,
    ) -> None:
        """Correct a candidate before it is confirmed: once a promise is open,
        what was promised is history, and a change of owner is a transfer."""
        if self.status is not Status.PROPOSED:
            raise TransitionNotAllowed(
                f"only a proposed candidate can be edited; this commitment is "
                f"{self.status.value}"
            )
        changes: dict[str, Any] = {}
        if text is not None and text != self.text:
            changes["text"] = text
        if kind is not None and kind is not self.kind:
            changes["kind"] = kind.value
        if agency is not None and agency != self.agency:
            changes["agency"] = agency
        if due is not None and due != (self.due_on, self.due_basis):
            changes["due_on"], changes["due_basis"] = due[0], due[1].value
        if not changes:
            raise InvalidInput("text", "the edit changes nothing: give text, kind, agency "
                                       "or due_on different from the candidate's")
        when = self._check_effective_on(None, today)
        self._edited(changes=changes, note=note, effective_on=when, actor=actor)

    def give_verdict(
        self,
        verdict: Verdict,
        *,
        today: date,
        actor: dict[str, Any],
        note: str | None = None,
        effective_on: date | None = None,
    ) -> None:
        check_verdict(self.status)
        if verdict is Verdict.DISPUTED and not note:
            raise InvalidInput("note", "a disputed verdict needs a note saying what is wrong")
        when = self._check_effective_on(effective_on, today)
        self._verdict_given(verdict=verdict.value, note=note, effective_on=when, actor=actor)

    def transfer(
        self, agency: str, *, today: date, actor: dict[str, Any], effective_on: date | None = None
    ) -> Commitment:
        """Hand the promise to a successor agency: this one ends as transferred,
        and the returned commitment carries it on from `effective_on`."""
        next_status(self.status, Action.TRANSFER)
        when = self._check_effective_on(effective_on, today)
        successor = Commitment(
            agency=agency,
            text=self.text,
            kind=self.kind.value,
            due_on=self.due_on,
            due_basis=self.due_basis.value,
            made_on=when,
            dialogue_id=self.dialogue_id,
            answer_id=self.answer_id,
            question_ids=list(self.question_ids),
            status=self.status.value,
            actor=actor,
            transferred_from=self.id,
        )
        self._transferred(agency=agency, commitment_id=successor.id, effective_on=when,
                          actor=actor)
        return successor

    # Reminders change no status: they record who was told what, and when.

    def claim_reminder(self, delivery: Delivery, *, recipient: str, claim: str, attempt: int,
                       at: datetime, lease: timedelta) -> None:
        """Take the delivery for the sender `claim`; refused unless it may send now."""
        step = self.reminder_step(delivery, claim, attempt, at, lease)
        if step is not Step.SEND:
            raise VersionConflict(f"{delivery.rung} by {delivery.channel} is not to be sent "
                                  f"now ({step})")
        self._reminder_claimed(**_delivery(delivery), recipient=recipient, claim=claim,
                               attempt=attempt, at=at)

    def record_reminder_sent(self, delivery: Delivery, *, recipient: str, at: datetime,
                             confirmed: bool = True, receipt: str | None = None) -> None:
        self._reminder_sent(**_delivery(delivery), recipient=recipient, at=at,
                            confirmed=confirmed, receipt=receipt)

    def record_reminder_attempt_failed(self, delivery: Delivery, *, claim: str, attempt: int,
                                       error: str, at: datetime) -> None:
        self._reminder_attempt_failed(**_delivery(delivery), claim=claim, attempt=attempt,
                                      error=error, at=at)

    def record_reminder_failed(self, delivery: Delivery, *, recipient: str, error: str,
                               at: datetime) -> None:
        self._reminder_failed(**_delivery(delivery), recipient=recipient, error=error, at=at)

    def _check_effective_on(self, effective_on: date | None, today: date) -> date:
        # Effective dates never go backwards along a history, so the state at
        # the end of a date is always the state after some version.
        when = effective_on or max(today, self.effective_on)
        if when > today:
            raise InvalidInput(
                "effective_on", f"effective_on {when.isoformat()} is in the future"
            )
        if when < self.effective_on:
            raise InvalidInput(
                "effective_on",
                f"effective_on {when.isoformat()} is before this commitment's last "
                f"recorded change ({self.effective_on.isoformat()})",
            )
        return when

    # -- events ---------------------------------------------------------------

    def _move(self, action: Action, effective_on: date) -> None:
        self.status = next_status(self.status, action)
        self.effective_on = effective_on
        if action in _CLAIMS:
            self.verdict = None
        if action is Action.FULFIL:
            self.fulfilled_on = effective_on

    def _add_evidence(self, evidence: list[dict[str, Any]], effective_on: date) -> None:
        self.evidence.extend({**item, "on": effective_on.isoformat()} for item in evidence)

    @event("Confirmed")
    def _confirmed(
        self, note: str | None, evidence: list[dict[str, Any]], effective_on: date,
        actor: dict[str, Any],
    ) -> None:
        self._move(Action.CONFIRM, effective_on)
        self._add_evidence(evidence, effective_on)

    @event("ProgressReported")
    def _progress_reported(
        self, note: str | None, evidence: list[dict[str, Any]], effective_on: date,
        actor: dict[str, Any],
    ) -> None:
        self._move(Action.PROGRESS, effective_on)
        self._add_evidence(evidence, effective_on)

    @event("DeadlineExtended")
    def _deadline_extended(
        self, new_due_on: date, note: str, effective_on: date, actor: dict[str, Any],
        evidence: list[dict[str, Any]] | None = None,
    ) -> None:
        # Extensions recorded before they could carry evidence have none.
        self._move(Action.EXTEND, effective_on)
        self.due_on = new_due_on
        self.due_basis = DueBasis.EXTENDED
        self._add_evidence(evidence or [], effective_on)

    @event("Fulfilled")
    def _fulfilled(
        self, note: str | None, evidence: list[dict[str, Any]], effective_on: date,
        actor: dict[str, Any],
    ) -> None:
        self._move(Action.FULFIL, effective_on)
        self._add_evidence(evidence, effective_on)

    @event("PartiallyFulfilled")
    def _partially_fulfilled(
        self, note: str | None, evidence: list[dict[str, Any]], effective_on: date,
        actor: dict[str, Any],
    ) -> None:
        self._move(Action.PARTIALLY_FULFIL, effective_on)
        self._add_evidence(evidence, effective_on)

    @event("Declined")
    def _declined(
        self, note: str | None, evidence: list[dict[str, Any]], effective_on: date,
        actor: dict[str, Any],
    ) -> None:
        self._move(Action.DECLINE, effective_on)
        self._add_evidence(evidence, effective_on)

    @event("Withdrawn")
    def _withdrawn(
        self, note: str | None, evidence: list[dict[str, Any]], effective_on: date,
        actor: dict[str, Any],
    ) -> None:
        self._move(Action.WITHDRAW, effective_on)
        self._add_evidence(evidence, effective_on)

    @event("Rejected")
    def _rejected(
        self, note: str | None, evidence: list[dict[str, Any]], effective_on: date,
        actor: dict[str, Any],
    ) -> None:
        self._move(Action.REJECT, effective_on)

    @event("Edited")
    def _edited(
        self, changes: dict[str, Any], note: str | None, effective_on: date,
        actor: dict[str, Any],
    ) -> None:
        self.text = changes.get("text", self.text)
        self.kind = Kind(changes.get("kind", self.kind))
        self.agency = changes.get("agency", self.agency)
        if "due_on" in changes:
            self.due_on = changes["due_on"]
            self.due_basis = DueBasis(changes["due_basis"])
        self.effective_on = effective_on

    @event("Transferred")
    def _transferred(
        self, agency: str, commitment_id: UUID, effective_on: date, actor: dict[str, Any]
    ) -> None:
        self._move(Action.TRANSFER, effective_on)
        self.transferred_to = commitment_id

    @event("VerdictGiven")
    def _verdict_given(
        self, verdict: str, note: str | None, effective_on: date, actor: dict[str, Any]
    ) -> None:
        self.verdict = Verdict(verdict)
        self.effective_on = effective_on

    def _remember(self, rung: str, due_on: date, channel: str, mark: Mark, at: datetime,
                  claim: str | None = None, attempt: int = 0) -> None:
        delivery = Delivery(Rung(rung), due_on, Channel(channel))
        self.reminders.append(Record(delivery, mark, at, claim, attempt))

    @event("ReminderClaimed")
    def _reminder_claimed(self, rung: str, due_on: date, channel: str, recipient: str,
                          claim: str, attempt: int, at: datetime) -> None:
        self._remember(rung, due_on, channel, Mark.CLAIMED, at, claim, attempt)

    @event("ReminderSent")
    def _reminder_sent(self, rung: str, due_on: date, channel: str, recipient: str,
                       at: datetime, confirmed: bool, receipt: str | None) -> None:
        self._remember(rung, due_on, channel, Mark.SENT, at)

    @event("ReminderAttemptFailed")
    def _reminder_attempt_failed(self, rung: str, due_on: date, channel: str, claim: str,
                                 attempt: int, error: str, at: datetime) -> None:
        self._remember(rung, due_on, channel, Mark.ATTEMPT_FAILED, at, claim, attempt)

    @event("ReminderFailed")
    def _reminder_failed(self, rung: str, due_on: date, channel: str, recipient: str,
                         error: str, at: datetime) -> None:
        self._remember(rung, due_on, channel, Mark.FAILED, at)


def _delivery(delivery: Delivery) -> dict[str, Any]:
    return {"rung": delivery.rung.value, "due_on": delivery.due_on,
            "channel": delivery.channel.value}
