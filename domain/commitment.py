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

from domain.asker import FeedbackVerdict, check_feedback
from domain.deadlines import DueBasis, Kind, check_horizon
from domain.errors import InvalidInput, TransitionNotAllowed
from domain.reminders import (
    Channel,
    Delivery,
    Mark,
    Record,
    Rung,
    pending,
    reached_rank,
    times_sent,
)
from domain.status import (
    JUDGEABLE,
    Action,
    ExtensionDecision,
    Status,
    Verdict,
    check_verdict,
    days_overdue,
    is_overdue,
    is_working,
    next_status,
)

# Claims of delivery: they need evidence.
_DELIVERIES = frozenset({Action.FULFIL, Action.PARTIALLY_FULFIL})


# Statuses a recorded promise can be corrected in: a candidate is edited
# instead, a rejected one never was a promise, a transferred one lives on in
# its successor.
_CORRECTABLE = frozenset(Status) - {Status.PROPOSED, Status.REJECTED, Status.TRANSFERRED}


class Commitment(Aggregate):
    class Made(Aggregate.Created):
        """Version 2 carries the date first promised and the extensions granted
        so far, which a successor agency's commitment inherits; version 3 the
        day a successor took it over (its `made_on` is the day it was spoken);
        version 4 how far up the reminder ladder the predecessor had gone, so
        the successor's reminders go on from there."""

        class_version = 4

        agency: str
        text: str
        kind: str
        due_on: date
        due_basis: str
        made_on: date
        dialogue_id: UUID
        answer_id: UUID | None
        question_ids: list[UUID]
        status: str
        actor: dict[str, Any]
        transferred_from: UUID | None
        original_due_on: date | None
        extensions: int
        taken_over_on: date | None
        reminded_rank: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Nothing was extended before it was made.
            state["original_due_on"] = state["due_on"]
            state["extensions"] = 0

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            # A successor's commitment was made on the day it took over.
            state["taken_over_on"] = None

        @staticmethod
        def upcast_v3_v4(state: dict[str, Any]) -> None:
            # Before version 4 a successor's ladder started again.
            state["reminded_rank"] = 0

    @event(Made)
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
        original_due_on: date | None = None,
        extensions: int = 0,
        taken_over_on: date | None = None,
        reminded_rank: int = 0,
    ) -> None:
        self.agency = agency
        self.text = text
        self.kind = Kind(kind)
        self.due_on = due_on
        self.due_basis = DueBasis(due_basis)
        # The date first promised: timeliness is reported by it as well as by
        # the date in force after approved extensions.
        self.original_due_on = original_due_on or due_on
        self.extensions = extensions
        # An agency's request for a later date, until the union decides it.
        self.extension_request: dict[str, Any] | None = None
        self.made_on = made_on
        self.dialogue_id = dialogue_id
        self.answer_id = answer_id
        self.question_ids = question_ids
        # proposed or open when recorded; a transferred one keeps its status.
        self.status = Status(status)
        self.transferred_from = transferred_from
        self.transferred_to: UUID | None = None
        self.verdict: Verdict | None = None
        # A successor's history starts when it took the promise over.
        self.effective_on = taken_over_on or made_on
        self.fulfilled_on: date | None = None
        self.evidence: list[dict[str, Any]] = []
        self.reminders: list[Record] = []
        # The rung a predecessor had reached for this due date: its reminders
        # are not sent again to the successor (none for a later due date).
        self.inherited_rank = (due_on, reminded_rank)
        # Reminder events since the last change of the promise itself: the
        # sender's bookkeeping, which must not fail a writer's If-Match.
        self.reminders_since_change = 0
        # The version that recorded the agency's last claim the asker is asked
        # about, and the asker's word on it (domain.asker).
        self.claim_version: int | None = None
        self.asker_feedback: dict[str, Any] | None = None
        # Later dialogues this promise was carried into, still owed.
        self.carried_into: list[UUID] = []

    # -- derived state -------------------------------------------------------

    def is_overdue(self, on: date) -> bool:
        return is_overdue(self.status, self.due_on, on)

    def days_overdue(self, on: date) -> int:
        return days_overdue(self.status, self.due_on, on)

    def unchanged_since(self, version: int) -> bool:
        """Whether the promise is as it was at `version`: nothing but reminders
        were recorded after it (what If-Match asks)."""
        return self.version - self.reminders_since_change <= version <= self.version

    @property
    def reminder_rank(self) -> int:
        """The highest reminder begun for the current due date, here or by the
        agency this promise was taken over from."""
        inherited_due_on, inherited = self.inherited_rank
        return max(reached_rank(self.reminders, self.due_on),
                   inherited if inherited_due_on == self.due_on else 0)

    @property
    def reminders_pending(self) -> int:
        return pending(self.reminders)

    @property
    def times_reminded(self) -> int:
        return times_sent(self.reminders)

    def reminders_of(self, delivery: Delivery) -> list[Record]:
        """What this stream says of one delivery: its outcome, and in logs
        written before deliveries had streams of their own, its claims."""
        return [r for r in self.reminders if r.delivery == delivery]

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
        backdating: int | None = None,
    ) -> None:
        """Record `action`, or raise before anything is recorded. `backdating`
        is how many days before `today` the caller may date it (None: any)."""
        next_status(self.status, action)
        if self.status is Status.PROPOSED and effective_on is None:
            # Deciding whether a candidate was a promise says what it was when
            # spoken: dated today, it would bar the history that followed (a
            # 2024 promise imported in 2026 and kept in 2024).
            effective_on = self.effective_on
        when = self._check_effective_on(effective_on, today, backdating)
        evidence = evidence or []
        if action is Action.EXTEND:
            # Only whoever decides extensions gets here; an agency requests one.
            self._check_new_due_on(new_due_on, note)
            assert new_due_on is not None and note
            self._deadline_extended(
                new_due_on=new_due_on, note=note, effective_on=when, actor=actor,
                evidence=evidence,
            )
            return
        if new_due_on is not None:
            raise InvalidInput("new_due_on", "new_due_on is only for the extend action")
        if action in (Action.DECLINE, Action.REJECT, Action.WITHDRAW) and not note:
            raise InvalidInput("note", f"{action.value} needs a note giving the reason")
        if action in _DELIVERIES and not evidence:
            raise InvalidInput(
                "evidence", f"{action.value} needs at least one evidence item: a document "
                            "number or title, a link, or both")
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

    def request_extension(
        self,
        new_due_on: date | None,
        *,
        today: date,
        actor: dict[str, Any],
        note: str | None,
        evidence: list[dict[str, Any]] | None = None,
        effective_on: date | None = None,
        backdating: int | None = None,
    ) -> None:
        """An agency asks for a later date ("xin gia hạn"); nothing moves until
        the union decides."""
        next_status(self.status, Action.EXTEND)
        if self.extension_request is not None:
            waiting = self.extension_request["new_due_on"]
            raise TransitionNotAllowed(
                f"an extension to {waiting.isoformat()} requested on "
                f"{self.extension_request['requested_on'].isoformat()} is still waiting "
                "for the union's decision")
        self._check_new_due_on(new_due_on, note)
        assert new_due_on is not None and note
        when = self._check_effective_on(effective_on, today, backdating)
        self._extension_requested(new_due_on=new_due_on, note=note, evidence=evidence or [],
                                  effective_on=when, actor=actor)

    def decide_extension(
        self, decision: ExtensionDecision, *, today: date, actor: dict[str, Any],
        note: str | None = None,
    ) -> None:
        """Approve the waiting request (the due date moves) or refuse it."""
        request = self.extension_request
        if request is None:
            raise TransitionNotAllowed(
                "no extension request of this commitment is waiting for a decision")
        if decision is ExtensionDecision.REFUSE and not note:
            raise InvalidInput("note", "a refusal needs a note giving the reason")
        when = self._check_effective_on(None, today)
        self._extension_decided(decision=decision.value, new_due_on=request["new_due_on"],
                                note=note, effective_on=when, actor=actor)

    @property
    def correctable(self) -> bool:
        """Whether the secretariat may correct it (a candidate is edited instead)."""
        return self.status in _CORRECTABLE

    def correct(
        self,
        *,
        today: date,
        actor: dict[str, Any],
        note: str | None,
        text: str | None = None,
        kind: Kind | None = None,
        agency: str | None = None,
        due: tuple[date, DueBasis] | None = None,
    ) -> None:
        """The secretariat corrects what was recorded wrongly of a promise; the
        correction is an event of its own, shown with its reason."""
        if not self.correctable:
            hint = ("edit the candidate instead" if self.status is Status.PROPOSED
                    else "it is not a promise in play")
            raise TransitionNotAllowed(
                f"a {self.status.value} commitment cannot be corrected: {hint}")
        if not note:
            raise InvalidInput("note", "a correction needs a note giving the reason")
        changes = self._changes(text, kind, agency, due, (self.original_due_on,
                                                           self.due_basis))
        if not changes:
            raise InvalidInput("text", "the correction changes nothing: give text, kind, "
                                       "agency or due_on different from the recorded ones")
        if "due_on" in changes:
            check_horizon("due_on", changes["due_on"], self.made_on)
        when = self._check_effective_on(None, today)
        self._corrected(changes=changes, note=note, effective_on=when, actor=actor)

    def _changes(self, text: str | None, kind: Kind | None, agency: str | None,
                 due: tuple[date, DueBasis] | None,
                 current_due: tuple[date, DueBasis]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if text is not None and text != self.text:
            changes["text"] = text
        if kind is not None and kind is not self.kind:
            changes["kind"] = kind.value
        if agency is not None and agency != self.agency:
            changes["agency"] = agency
        if due is not None and due != current_due:
            changes["due_on"], changes["due_basis"] = due[0], due[1].value
        return changes

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
        """Correct a candidate before it is confirmed (`correct` is for a
        recorded promise, with a reason)."""
        if self.status is not Status.PROPOSED:
            raise TransitionNotAllowed(
                f"only a proposed candidate can be edited; this commitment is "
                f"{self.status.value}: the secretariat corrects a recorded promise "
                "through corrections"
            )
        changes = self._changes(text, kind, agency, due, (self.due_on, self.due_basis))
        if not changes:
            raise InvalidInput("text", "the edit changes nothing: give text, kind, agency "
                                       "or due_on different from the candidate's")
        # A candidate's edit says what was promised then, as its confirmation does.
        when = self._check_effective_on(self.effective_on, today)
        self._edited(changes=changes, note=note, effective_on=when, actor=actor)

    def _check_new_due_on(self, new_due_on: date | None, note: str | None) -> None:
        if new_due_on is None:
            raise InvalidInput("new_due_on", "extend needs new_due_on, the new due date")
        if new_due_on <= self.due_on:
            raise InvalidInput(
                "new_due_on",
                f"new_due_on {new_due_on.isoformat()} must be after the current "
                f"due date {self.due_on.isoformat()}",
            )
        check_horizon("new_due_on", new_due_on, self.made_on)
        if not note:
            raise InvalidInput("note", "extend needs a note giving the reason")

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

    def give_asker_feedback(
        self,
        verdict: FeedbackVerdict,
        *,
        claim_version: int,
        today: date,
        actor: dict[str, Any],
        note: str | None = None,
    ) -> None:
        """The person who asked confirms the agency's last claim, or contests
        it; a contested claim, a delivery or a decline, goes back to the
        auditors (its verdict is undone)."""
        check_feedback(self.status, self.claim_version, claim_version, self.asker_feedback,
                       verdict, note)
        when = self._check_effective_on(None, today)
        recorder = (self._asker_confirmed if verdict is FeedbackVerdict.CONFIRMED
                    else self._asker_contested)
        recorder(claim_version=claim_version, note=(note or "").strip() or None,
                 effective_on=when, actor=actor)

    def carry_over(self, dialogue_id: UUID, *, today: date, actor: dict[str, Any]) -> None:
        """Carried into a later dialogue (domain.recurrence.check_carry_over):
        its history says so; its owner, dates and status stay."""
        when = self._check_effective_on(None, today)
        self._carried_over(dialogue_id=dialogue_id, effective_on=when, actor=actor)

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
            made_on=self.made_on,
            dialogue_id=self.dialogue_id,
            answer_id=self.answer_id,
            question_ids=list(self.question_ids),
            status=self.status.value,
            actor=actor,
            transferred_from=self.id,
            original_due_on=self.original_due_on,
            extensions=self.extensions,
            taken_over_on=when,
            reminded_rank=self.reminder_rank,
        )
        self._transferred(agency=agency, commitment_id=successor.id, effective_on=when,
                          actor=actor)
        return successor

    # Reminders change no status: they record who was told what, and when. The
    # sender's claims and failed tries are in the delivery's own stream
    # (domain.delivery); only outcomes are recorded here.

    def record_reminder_sent(self, delivery: Delivery, *, recipient: str, at: datetime,
                             confirmed: bool = True, receipt: str | None = None) -> None:
        self._reminder_sent(**_delivery(delivery), recipient=recipient, at=at,
                            confirmed=confirmed, receipt=receipt)

    def record_reminder_failed(self, delivery: Delivery, *, recipient: str, error: str,
                               at: datetime) -> None:
        self._reminder_failed(**_delivery(delivery), recipient=recipient, error=error, at=at)

    def _check_effective_on(self, effective_on: date | None, today: date,
                            backdating: int | None = None) -> date:
        # Effective dates never go backwards along a history, so the state at
        # the end of a date is always the state after some version.
        when = effective_on or max(today, self.effective_on)
        if when > today:
            raise InvalidInput(
                "effective_on", f"effective_on {when.isoformat()} is in the future"
            )
        if backdating is not None and when < today - timedelta(days=backdating):
            raise InvalidInput(
                "effective_on",
                f"effective_on {when.isoformat()} is more than {backdating} days ago: "
                "an agency reports what happened in the last "
                f"{backdating} days; ask the secretariat to enter older dates",
            )
        if when < self.effective_on:
            raise InvalidInput(
                "effective_on",
                f"effective_on {when.isoformat()} is before this commitment's last "
                f"recorded change ({self.effective_on.isoformat()})",
            )
        return when

    # -- events ---------------------------------------------------------------

    def _changed(self, effective_on: date) -> None:
        """What every event but a reminder's does: the promise changed."""
        self.effective_on = effective_on
        self.reminders_since_change = 0

    def _move(self, action: Action, effective_on: date) -> None:
        self.status = next_status(self.status, action)
        self._changed(effective_on)
        if self.status in JUDGEABLE:
            # A new claim: not yet judged, nor answered by the person who asked.
            self.verdict = None
            # Applied before the version moves: this event's own version.
            self.claim_version = self.version + 1
            self.asker_feedback = None
        if action is Action.FULFIL:
            self.fulfilled_on = effective_on
        if not is_working(self.status):
            # Nothing is left to extend: a waiting request lapses.
            self.extension_request = None

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
        # Recorded by whoever decides extensions (before issue 14, by agencies
        # too); a request waiting meanwhile is settled by it.
        self._move(Action.EXTEND, effective_on)
        self._extend_to(new_due_on)
        self.extension_request = None
        self._add_evidence(evidence or [], effective_on)

    def _extend_to(self, new_due_on: date) -> None:
        self.due_on = new_due_on
        self.due_basis = DueBasis.EXTENDED
        self.extensions += 1

    @event("ExtensionRequested")
    def _extension_requested(
        self, new_due_on: date, note: str, evidence: list[dict[str, Any]], effective_on: date,
        actor: dict[str, Any],
    ) -> None:
        self._changed(effective_on)
        self.extension_request = {"new_due_on": new_due_on, "note": note,
                                  "requested_on": effective_on, "evidence": list(evidence)}

    @event("ExtensionDecided")
    def _extension_decided(
        self, decision: str, new_due_on: date, note: str | None, effective_on: date,
        actor: dict[str, Any],
    ) -> None:
        self._move(Action.EXTEND, effective_on)
        self.extension_request = None
        if ExtensionDecision(decision) is ExtensionDecision.APPROVE:
            self._extend_to(new_due_on)

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
        self._changed(effective_on)

    @event("Corrected")
    def _corrected(
        self, changes: dict[str, Any], note: str, effective_on: date, actor: dict[str, Any],
    ) -> None:
        self.text = changes.get("text", self.text)
        self.kind = Kind(changes.get("kind", self.kind))
        self.agency = changes.get("agency", self.agency)
        if "due_on" in changes:
            # The stated date was recorded wrong: the promise was this date. A
            # date in force after approved extensions stays in force.
            self.original_due_on = changes["due_on"]
            if not self.extensions:
                self.due_on = changes["due_on"]
                self.due_basis = DueBasis(changes["due_basis"])
        self._changed(effective_on)

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
        self._changed(effective_on)

    @event("CarriedOver")
    def _carried_over(self, dialogue_id: UUID, effective_on: date, actor: dict[str, Any]
                      ) -> None:
        self.carried_into.append(dialogue_id)
        self._changed(effective_on)

    @event("AskerConfirmed")
    def _asker_confirmed(self, claim_version: int, note: str | None, effective_on: date,
                         actor: dict[str, Any]) -> None:
        self._asker_said(FeedbackVerdict.CONFIRMED, note, effective_on)

    @event("AskerContested")
    def _asker_contested(self, claim_version: int, note: str | None, effective_on: date,
                         actor: dict[str, Any]) -> None:
        self._asker_said(FeedbackVerdict.CONTESTED, note, effective_on)
        # Back in the auditors' queue: a verdict given before no longer stands.
        self.verdict = None

    def _asker_said(self, verdict: FeedbackVerdict, note: str | None, on: date) -> None:
        self.asker_feedback = {"verdict": verdict.value, "on": on, "note": note}
        self._changed(on)

    def _remember(self, rung: str, due_on: date, channel: str, mark: Mark, at: datetime,
                  claim: str | None = None, attempt: int = 0) -> None:
        delivery = Delivery(Rung(rung), due_on, Channel(channel))
        self.reminders.append(Record(delivery, mark, at, claim, attempt))
        self.reminders_since_change += 1

    # Claims and failed tries were recorded here until deliveries had streams
    # of their own: kept so that old logs load, never recorded now.
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
