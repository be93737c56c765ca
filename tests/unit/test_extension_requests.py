"""Who decides a deadline: the rules as pure functions and aggregate methods."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from domain.access import (
    AGENCY_BACKDATING_DAYS,
    Actor,
    Permission,
    Role,
    backdating_limit,
    holds,
    permission_for,
)
from domain.commitment import Commitment
from domain.deadlines import DueBasis, Kind, check_horizon, latest_due_on
from domain.errors import InvalidInput, TransitionNotAllowed
from domain.status import Action, ExtensionDecision, Status

AGENCY = Actor(Role.AGENCY, "SYT")
AUDITOR = Actor(Role.AUDITOR)
ADMIN = Actor(Role.ADMIN)
MADE_ON = date(2024, 5, 10)
TODAY = date(2024, 9, 1)


def make(due_on: date = date(2024, 7, 9)) -> Commitment:
    return Commitment(agency="SYT", text="Sẽ xem xét", kind="review", due_on=due_on,
                      due_basis="default", made_on=MADE_ON, dialogue_id=uuid4(),
                      answer_id=None, question_ids=[], status="open",
                      actor=ADMIN.as_record())


def request(c: Commitment, new_due_on: date = date(2024, 12, 31), **kw: Any) -> None:
    kw.setdefault("note", "chờ ý kiến")
    c.request_extension(new_due_on, today=TODAY, actor=AGENCY.as_record(), **kw)


def test_the_horizon_is_five_years_after_the_promise() -> None:
    assert latest_due_on(date(2024, 5, 10)) == date(2029, 5, 10)
    assert latest_due_on(date(2024, 2, 29)) == date(2029, 2, 28)
    check_horizon("due_on", date(2029, 5, 10), MADE_ON)
    with pytest.raises(InvalidInput) as raised:
        check_horizon("new_due_on", date(9999, 12, 31), MADE_ON)
    assert list(raised.value.fields) == ["new_due_on"]


@pytest.mark.parametrize(("actor", "action", "permission"), [
    (AGENCY, Action.EXTEND, Permission.UPDATE),
    (AUDITOR, Action.EXTEND, Permission.DECIDE),
    (ADMIN, Action.EXTEND, Permission.DECIDE),
    (AGENCY, Action.WITHDRAW, Permission.CONFIRM),
    (AGENCY, Action.FULFIL, Permission.UPDATE),
    (AGENCY, Action.DECLINE, Permission.UPDATE),
    (ADMIN, Action.REJECT, Permission.CONFIRM),
])
def test_what_each_action_takes(actor: Actor, action: Action, permission: Permission) -> None:
    assert permission_for(action, actor) is permission


def test_the_union_decides_and_the_agency_does_not() -> None:
    assert holds(AUDITOR, Permission.DECIDE) and holds(ADMIN, Permission.DECIDE)
    assert not holds(AGENCY, Permission.DECIDE)
    assert not holds(AUDITOR, Permission.CONFIRM) and not holds(AUDITOR, Permission.UPDATE)
    assert backdating_limit(AGENCY) == AGENCY_BACKDATING_DAYS == 30
    assert backdating_limit(ADMIN) is None and backdating_limit(AUDITOR) is None


def test_a_request_moves_nothing_until_approved() -> None:
    c = make()
    request(c, evidence=[{"title": "CV 1"}])
    assert (c.due_on, c.extensions, c.status) == (date(2024, 7, 9), 0, Status.OPEN)
    assert c.is_overdue(TODAY)
    assert c.extension_request == {"new_due_on": date(2024, 12, 31), "note": "chờ ý kiến",
                                   "requested_on": TODAY, "evidence": [{"title": "CV 1"}]}
    c.decide_extension(ExtensionDecision.APPROVE, today=TODAY, actor=AUDITOR.as_record())
    assert (c.due_on, c.due_basis, c.extensions) == (date(2024, 12, 31), DueBasis.EXTENDED, 1)
    assert (c.original_due_on, c.extension_request) == (date(2024, 7, 9), None)
    assert [type(e).__name__ for e in c.pending_events][-2:] == ["ExtensionRequested",
                                                                 "ExtensionDecided"]


def test_a_refusal_keeps_the_date_and_needs_a_reason() -> None:
    c = make()
    request(c)
    with pytest.raises(InvalidInput):
        c.decide_extension(ExtensionDecision.REFUSE, today=TODAY, actor=ADMIN.as_record())
    c.decide_extension(ExtensionDecision.REFUSE, today=TODAY, actor=ADMIN.as_record(),
                       note="không có căn cứ")
    assert (c.due_on, c.extensions, c.extension_request) == (date(2024, 7, 9), 0, None)


def test_one_request_at_a_time_and_none_to_decide_without_one() -> None:
    c = make()
    with pytest.raises(TransitionNotAllowed):
        c.decide_extension(ExtensionDecision.APPROVE, today=TODAY, actor=ADMIN.as_record())
    request(c)
    with pytest.raises(TransitionNotAllowed):
        request(c, date(2025, 1, 31))


def test_a_direct_extension_settles_a_waiting_request() -> None:
    c = make()
    request(c)
    c.update(Action.EXTEND, today=TODAY, actor=ADMIN.as_record(), note="theo kết luận",
             new_due_on=date(2024, 10, 31))
    assert (c.due_on, c.extensions, c.extension_request) == (date(2024, 10, 31), 1, None)


def test_a_request_lapses_when_the_promise_ends() -> None:
    c = make()
    request(c)
    c.update(Action.DECLINE, today=TODAY, actor=AGENCY.as_record(), note="ngoài thẩm quyền")
    assert c.extension_request is None


def test_an_agency_reaches_back_at_most_30_days() -> None:
    c = make()
    old = TODAY - timedelta(days=31)
    with pytest.raises(InvalidInput) as raised:
        c.update(Action.PROGRESS, today=TODAY, actor=AGENCY.as_record(), effective_on=old,
                 backdating=30)
    assert list(raised.value.fields) == ["effective_on"]
    c.update(Action.PROGRESS, today=TODAY, actor=AGENCY.as_record(),
             effective_on=TODAY - timedelta(days=30), backdating=30)
    c.update(Action.PROGRESS, today=TODAY, actor=ADMIN.as_record(),
             effective_on=TODAY - timedelta(days=30))


def test_a_correction_of_the_stated_date_keeps_an_approved_extension() -> None:
    c = make()
    request(c)
    c.decide_extension(ExtensionDecision.APPROVE, today=TODAY, actor=ADMIN.as_record())
    c.correct(today=TODAY, actor=ADMIN.as_record(), note="ghi nhầm ngày",
              due=(date(2024, 8, 1), DueBasis.STATED), kind=Kind.PROPOSE)
    assert (c.original_due_on, c.due_on, c.kind) == (date(2024, 8, 1), date(2024, 12, 31),
                                                     Kind.PROPOSE)


def test_a_transferred_promise_keeps_its_original_date_and_extensions() -> None:
    c = make()
    request(c)
    c.decide_extension(ExtensionDecision.APPROVE, today=TODAY, actor=ADMIN.as_record())
    successor = c.transfer("SNV", today=TODAY, actor=ADMIN.as_record())
    assert (successor.original_due_on, successor.due_on, successor.extensions) == (
        date(2024, 7, 9), date(2024, 12, 31), 1)
