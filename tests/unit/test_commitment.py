"""Rules of the Commitment aggregate: updates, refusals, dates, verdicts and replay."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from domain.asker import FeedbackVerdict
from domain.commitment import Commitment
from domain.deadlines import DueBasis, Kind
from domain.errors import DomainError, InvalidInput, TransitionNotAllowed
from domain.status import Action, Status, Verdict

ADMIN: dict[str, Any] = {"role": "admin", "agency": None}
AUDITOR: dict[str, Any] = {"role": "auditor", "agency": None}
MADE_ON = date(2024, 5, 10)
DUE_ON = date(2024, 7, 9)
TODAY = date(2024, 9, 1)


def make(proposed: bool = False) -> Commitment:
    return Commitment(
        agency="SYT",
        text="Sẽ xem xét, kiến nghị về phụ cấp.",
        kind="review",
        due_on=DUE_ON,
        due_basis="default",
        made_on=MADE_ON,
        dialogue_id=uuid4(),
        answer_id=None,
        question_ids=[],
        status="proposed" if proposed else "open",
        actor=ADMIN,
    )


def act(c: Commitment, action: Action, **kwargs: Any) -> None:
    """Update with what each action needs to be accepted, unless given."""
    if action is Action.EXTEND:
        kwargs.setdefault("new_due_on", c.due_on + timedelta(days=30))
    if action in (Action.EXTEND, Action.DECLINE, Action.WITHDRAW):
        kwargs.setdefault("note", "the reason")
    if action in (Action.FULFIL, Action.PARTIALLY_FULFIL):
        kwargs.setdefault("evidence", [{"title": "Công văn 12/SYT"}])
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("actor", ADMIN)
    c.update(action, **kwargs)


def event(c: Commitment, index: int = -1) -> Any:
    """A pending event, typed loosely to read its own attributes."""
    return c.pending_events[index]


def names(c: Commitment) -> list[str]:
    return [type(e).__name__ for e in c.pending_events]


def assert_refused(
    c: Commitment, error: type[DomainError], call: Any, field: str | None = None
) -> DomainError:
    """`call` raises `error` and the aggregate neither records nor changes anything."""
    pending, version, status = len(c.pending_events), c.version, c.status
    due_on, verdict, effective_on = c.due_on, c.verdict, c.effective_on
    with pytest.raises(error) as raised:
        call()
    assert len(c.pending_events) == pending
    assert (c.version, c.status, c.due_on) == (version, status, due_on)
    assert (c.verdict, c.effective_on) == (verdict, effective_on)
    if field is not None:
        assert list(raised.value.fields) == [field]
    return raised.value


def test_made_state() -> None:
    """A new commitment is open (or proposed), at version 1, effective on the day made."""
    c = make()
    assert (c.status, c.version, c.verdict, c.evidence) == (Status.OPEN, 1, None, [])
    assert (c.kind, c.due_basis, c.effective_on) == (Kind.REVIEW, DueBasis.DEFAULT, MADE_ON)
    assert names(c) == ["Made"]
    assert make(proposed=True).status is Status.PROPOSED


FLOWS = [
    (True, [Action.CONFIRM], Status.OPEN, ["Confirmed"]),
    (True, [Action.WITHDRAW], Status.WITHDRAWN, ["Withdrawn"]),
    (True, [Action.CONFIRM, Action.PROGRESS], Status.IN_PROGRESS,
     ["Confirmed", "ProgressReported"]),
    (False, [Action.PROGRESS, Action.PROGRESS], Status.IN_PROGRESS,
     ["ProgressReported", "ProgressReported"]),
    (False, [Action.EXTEND], Status.OPEN, ["DeadlineExtended"]),
    (False, [Action.PROGRESS, Action.EXTEND], Status.IN_PROGRESS,
     ["ProgressReported", "DeadlineExtended"]),
    (False, [Action.FULFIL], Status.FULFILLED, ["Fulfilled"]),
    (False, [Action.PARTIALLY_FULFIL], Status.PARTIALLY_FULFILLED, ["PartiallyFulfilled"]),
    (False, [Action.PARTIALLY_FULFIL, Action.FULFIL], Status.FULFILLED,
     ["PartiallyFulfilled", "Fulfilled"]),
    (False, [Action.DECLINE], Status.DECLINED, ["Declined"]),
    (False, [Action.PROGRESS, Action.WITHDRAW], Status.WITHDRAWN,
     ["ProgressReported", "Withdrawn"]),
]


@pytest.mark.parametrize(("proposed", "actions", "status", "events"), FLOWS)
def test_update_flows(
    proposed: bool, actions: list[Action], status: Status, events: list[str]
) -> None:
    """Each accepted action records one event of its own kind and moves the status."""
    c = make(proposed)
    for action in actions:
        act(c, action)
    assert c.status is status
    assert c.version == 1 + len(actions)
    assert names(c) == ["Made", *events]
    assert [e.originator_version for e in c.pending_events] == list(range(1, c.version + 1))


def test_fulfil_when_proposed_is_refused() -> None:
    """A proposed commitment must be confirmed before it can be fulfilled."""
    c = make(proposed=True)
    error = assert_refused(c, TransitionNotAllowed, lambda: act(c, Action.FULFIL))
    assert "cannot fulfil a commitment that is proposed" in error.message
    assert names(c) == ["Made"]


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_nothing_after_withdrawn(action: Action) -> None:
    """A withdrawn commitment is final: every action is refused, nothing recorded."""
    c = make()
    act(c, Action.WITHDRAW)
    assert_refused(c, TransitionNotAllowed, lambda: act(c, action))
    assert names(c) == ["Made", "Withdrawn"]


def test_confirm_when_open_is_refused() -> None:
    """Confirming is only for proposed commitments."""
    c = make()
    assert_refused(c, TransitionNotAllowed, lambda: act(c, Action.CONFIRM))


def test_transfer_is_not_done_through_updates() -> None:
    """Transfer is in the table but `update` refuses it, naming the action field."""
    c = make()
    assert_refused(c, InvalidInput, lambda: act(c, Action.TRANSFER), field="action")


def test_effective_on_in_the_future_is_refused() -> None:
    """An update cannot take effect after today."""
    c = make()
    tomorrow = TODAY + timedelta(days=1)
    assert_refused(
        c, InvalidInput, lambda: act(c, Action.PROGRESS, effective_on=tomorrow),
        field="effective_on",
    )


def test_effective_on_before_made_on_is_refused() -> None:
    """An update cannot take effect before the commitment was made."""
    c = make()
    assert_refused(
        c, InvalidInput,
        lambda: act(c, Action.PROGRESS, effective_on=MADE_ON - timedelta(days=1)),
        field="effective_on",
    )


def test_effective_on_before_the_last_change_is_refused() -> None:
    """Effective dates never go backwards along a history."""
    c = make()
    act(c, Action.PROGRESS, effective_on=date(2024, 6, 1))
    error = assert_refused(
        c, InvalidInput, lambda: act(c, Action.FULFIL, effective_on=date(2024, 5, 31)),
        field="effective_on",
    )
    assert "2024-06-01" in error.message
    act(c, Action.FULFIL, effective_on=date(2024, 6, 1))
    assert (c.status, c.effective_on) == (Status.FULFILLED, date(2024, 6, 1))


def test_default_effective_on_is_today() -> None:
    """Without effective_on, the change takes effect today, on the aggregate and the event."""
    c = make()
    act(c, Action.PROGRESS)
    assert c.effective_on == TODAY
    assert event(c).effective_on == TODAY


def test_past_effective_on_is_recorded() -> None:
    """A backdated change keeps its date."""
    c = make()
    act(c, Action.PROGRESS, effective_on=date(2024, 6, 15))
    assert c.effective_on == date(2024, 6, 15)
    assert event(c).effective_on == date(2024, 6, 15)


def test_extend_moves_the_due_date() -> None:
    """Extend sets the new due date, basis EXTENDED, and keeps the status."""
    c = make()
    act(c, Action.EXTEND, new_due_on=date(2024, 8, 1), note="budget late")
    assert (c.due_on, c.due_basis, c.status) == (date(2024, 8, 1), DueBasis.EXTENDED, Status.OPEN)
    assert (event(c).new_due_on, event(c).note) == (date(2024, 8, 1), "budget late")
    assert not c.is_overdue(date(2024, 8, 1))
    assert c.days_overdue(date(2024, 8, 3)) == 2


@pytest.mark.parametrize(
    ("new_due_on", "note", "field"),
    [
        (None, "why", "new_due_on"),
        (DUE_ON, "why", "new_due_on"),
        (DUE_ON - timedelta(days=1), "why", "new_due_on"),
        (DUE_ON + timedelta(days=1), None, "note"),
        (DUE_ON + timedelta(days=1), "", "note"),
    ],
)
def test_extend_refusals(new_due_on: date | None, note: str | None, field: str) -> None:
    """Extend needs a new due date after the current one, and a note."""
    c = make()
    assert_refused(
        c, InvalidInput,
        lambda: c.update(Action.EXTEND, today=TODAY, actor=ADMIN, note=note,
                         new_due_on=new_due_on),
        field=field,
    )


@pytest.mark.parametrize("note", [None, ""])
def test_decline_needs_a_note(note: str | None) -> None:
    """Declining without saying why is refused."""
    c = make()
    assert_refused(c, InvalidInput, lambda: act(c, Action.DECLINE, note=note), field="note")


@pytest.mark.parametrize("action", [Action.PROGRESS, Action.FULFIL, Action.DECLINE], ids=str)
def test_new_due_on_only_with_extend(action: Action) -> None:
    """Any action other than extend refuses new_due_on."""
    c = make()
    assert_refused(
        c, InvalidInput, lambda: act(c, action, new_due_on=DUE_ON + timedelta(days=9)),
        field="new_due_on",
    )


def test_evidence_is_kept_with_its_date() -> None:
    """Evidence of progress and delivery accumulates, each item stamped with its date."""
    c = make()
    act(c, Action.PROGRESS, evidence=[{"url": "https://a.vn/1"}], effective_on=date(2024, 6, 1))
    act(c, Action.FULFIL, evidence=[{"url": "https://a.vn/2", "title": "QĐ"}])
    assert c.evidence == [
        {"url": "https://a.vn/1", "on": "2024-06-01"},
        {"url": "https://a.vn/2", "title": "QĐ", "on": "2024-09-01"},
    ]
    assert event(c, 1).evidence == [{"url": "https://a.vn/1"}]


def test_verdict_refused_before_delivery() -> None:
    """An open commitment cannot be judged."""
    c = make()
    assert_refused(
        c, TransitionNotAllowed,
        lambda: c.give_verdict(Verdict.VERIFIED, today=TODAY, actor=AUDITOR),
    )


def test_verified_verdict() -> None:
    """A fulfilled commitment can be verified, without a note."""
    c = make()
    act(c, Action.FULFIL, effective_on=date(2024, 8, 1))
    c.give_verdict(Verdict.VERIFIED, today=TODAY, actor=AUDITOR)
    assert (c.verdict, c.effective_on, c.status) == (Verdict.VERIFIED, TODAY, Status.FULFILLED)
    assert names(c)[-1] == "VerdictGiven"


@pytest.mark.parametrize("note", [None, ""])
def test_disputed_verdict_needs_a_note(note: str | None) -> None:
    """Disputing a claim needs a note saying what is wrong."""
    c = make()
    act(c, Action.FULFIL)
    assert_refused(
        c, InvalidInput,
        lambda: c.give_verdict(Verdict.DISPUTED, today=TODAY, actor=AUDITOR, note=note),
        field="note",
    )
    c.give_verdict(Verdict.DISPUTED, today=TODAY, actor=AUDITOR, note="no decision issued")
    assert c.verdict is Verdict.DISPUTED


def test_verdict_effective_on_in_the_future_is_refused() -> None:
    """A verdict obeys the same effective date rules as an update."""
    c = make()
    act(c, Action.FULFIL)
    assert_refused(
        c, InvalidInput,
        lambda: c.give_verdict(Verdict.VERIFIED, today=TODAY, actor=AUDITOR,
                               effective_on=TODAY + timedelta(days=1)),
        field="effective_on",
    )


def test_new_fulfil_clears_the_verdict() -> None:
    """A fulfil after a judged partial delivery is a new claim: the verdict is cleared."""
    c = make()
    act(c, Action.PARTIALLY_FULFIL, effective_on=date(2024, 8, 1))
    c.give_verdict(Verdict.DISPUTED, today=date(2024, 8, 2), actor=AUDITOR, note="only one")
    assert (c.status, c.verdict) == (Status.PARTIALLY_FULFILLED, Verdict.DISPUTED)
    act(c, Action.FULFIL)
    assert (c.status, c.verdict) == (Status.FULFILLED, None)


def test_a_decline_is_judged_and_a_contested_one_goes_back_to_the_auditors() -> None:
    """A decline is a claim like a delivery: an auditor verifies or disputes
    it, and the asker's objection undoes that verdict, so it is judged again."""
    c = make()
    act(c, Action.DECLINE, note="Ngoài thẩm quyền của Sở", effective_on=date(2024, 8, 1))
    assert (c.status, c.verdict, c.claim_version) == (Status.DECLINED, None, c.version)
    claim = c.version
    c.give_verdict(Verdict.VERIFIED, today=date(2024, 8, 2), actor=AUDITOR)
    assert c.verdict is Verdict.VERIFIED
    c.give_asker_feedback(FeedbackVerdict.CONTESTED, claim_version=claim, today=TODAY,
                          actor={"role": "asker", "agency": None, "via": "link"},
                          note="Sở đã hứa tại hội nghị")
    assert (c.status, c.verdict) == (Status.DECLINED, None)
    c.give_verdict(Verdict.DISPUTED, today=TODAY, actor=AUDITOR, note="Thuộc thẩm quyền")
    assert (c.status, c.verdict) == (Status.DECLINED, Verdict.DISPUTED)
    assert names(c)[-4:] == ["Declined", "VerdictGiven", "AskerContested", "VerdictGiven"]


def test_overdue_is_derived_from_status() -> None:
    """An open commitment past its due date is overdue; once fulfilled it is not."""
    c = make()
    assert c.is_overdue(DUE_ON + timedelta(days=1))
    assert c.days_overdue(DUE_ON + timedelta(days=5)) == 5
    assert not c.is_overdue(DUE_ON)
    act(c, Action.FULFIL)
    assert not c.is_overdue(DUE_ON + timedelta(days=1))


def test_replay_rebuilds_the_same_state() -> None:
    """Folding the recorded events from nothing gives back the same aggregate."""
    c = make(proposed=True)
    act(c, Action.CONFIRM, effective_on=date(2024, 5, 20))
    act(c, Action.PROGRESS, evidence=[{"url": "https://a.vn/1"}], effective_on=date(2024, 6, 1))
    act(c, Action.EXTEND, new_due_on=date(2024, 8, 30), effective_on=date(2024, 7, 1))
    act(c, Action.PARTIALLY_FULFIL, evidence=[{"url": "https://a.vn/2"}],
        effective_on=date(2024, 8, 1))
    c.give_verdict(Verdict.DISPUTED, today=TODAY, actor=AUDITOR, note="half",
                   effective_on=date(2024, 8, 5))
    events = c.collect_events()
    assert len(events) == 6
    assert c.pending_events == []

    rebuilt: Any = None
    for recorded in events:
        rebuilt = recorded.mutate(rebuilt)
    assert isinstance(rebuilt, Commitment)

    assert rebuilt.status is c.status is Status.PARTIALLY_FULFILLED
    assert rebuilt.due_on == c.due_on == date(2024, 8, 30)
    assert rebuilt.due_basis is c.due_basis is DueBasis.EXTENDED
    assert rebuilt.verdict is c.verdict is Verdict.DISPUTED
    assert rebuilt.version == c.version == 6
    assert rebuilt.effective_on == c.effective_on == date(2024, 8, 5)
    assert rebuilt.evidence == c.evidence == [
        {"url": "https://a.vn/1", "on": "2024-06-01"},
        {"url": "https://a.vn/2", "on": "2024-08-01"},
    ]
    assert rebuilt.id == c.id
    assert rebuilt == c


@pytest.mark.parametrize("action", [Action.DECLINE, Action.WITHDRAW])
def test_evidence_is_kept_for_every_action(action: Action) -> None:
    """A document that records a refusal is evidence too."""
    c = make()
    c.update(action, today=TODAY, actor=ADMIN, note="lý do",
             evidence=[{"title": "Công văn 12/SYT"}])
    assert [e["title"] for e in c.evidence] == ["Công văn 12/SYT"]


def test_transfer_hands_the_promise_on_as_it_stood() -> None:
    """The successor's commitment keeps status, due date and source; the old one ends."""
    c = make()
    act(c, Action.PROGRESS, effective_on=date(2024, 6, 1))
    carried = c.transfer("SNV", today=TODAY, actor=ADMIN, effective_on=date(2024, 7, 1))
    assert (c.status, c.transferred_to) == (Status.TRANSFERRED, carried.id)
    assert (carried.agency, carried.status, carried.due_on, carried.made_on) == (
        "SNV", Status.IN_PROGRESS, DUE_ON, MADE_ON)
    assert carried.effective_on == date(2024, 7, 1)
    assert (carried.transferred_from, carried.dialogue_id) == (c.id, c.dialogue_id)
    assert names(c)[-1] == "Transferred"


def test_a_finished_commitment_is_not_transferred() -> None:
    c = make()
    act(c, Action.FULFIL)
    with pytest.raises(TransitionNotAllowed):
        c.transfer("SNV", today=TODAY, actor=ADMIN)
    assert names(c)[-1] == "Fulfilled"
