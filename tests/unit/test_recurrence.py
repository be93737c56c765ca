"""Issue 18 §4, the pure rules: what may be carried over, what may be linked
as raised before, and how often a grievance was raised."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.errors import AlreadyExists, InvalidInput, TransitionNotAllowed
from domain.recurrence import (
    UNRESOLVED,
    check_carry_over,
    check_raised_before,
    most_raised,
    raised_before,
)
from domain.status import Status

EARLY, LATE = date(2024, 5, 10), date(2025, 5, 10)


def test_only_a_promise_still_owed_goes_into_a_later_dialogue_once() -> None:
    made_at, into, promise = uuid4(), uuid4(), uuid4()
    for status in UNRESOLVED:
        check_carry_over(status, made_at, EARLY, into, LATE, [], promise)
    for status in set(Status) - UNRESOLVED:
        with pytest.raises(TransitionNotAllowed):
            check_carry_over(status, made_at, EARLY, into, LATE, [], promise)
    with pytest.raises(InvalidInput):
        check_carry_over(Status.OPEN, made_at, LATE, into, EARLY, [], promise)  # backwards
    with pytest.raises(InvalidInput):
        check_carry_over(Status.OPEN, into, EARLY, into, LATE, [], promise)  # its own
    with pytest.raises(AlreadyExists):
        check_carry_over(Status.OPEN, made_at, EARLY, into, LATE, [promise], promise)


def test_a_question_is_linked_to_an_earlier_one_once() -> None:
    question, earlier = uuid4(), uuid4()
    check_raised_before(question, LATE, earlier, EARLY, [])
    with pytest.raises(InvalidInput):
        check_raised_before(question, EARLY, earlier, LATE, [])
    with pytest.raises(InvalidInput):
        check_raised_before(question, LATE, question, EARLY, [])
    with pytest.raises(AlreadyExists):
        check_raised_before(question, LATE, earlier, EARLY, [earlier])


def test_times_raised_follow_the_links_back_each_raising_once() -> None:
    q1, q2, q3, q4, other, again = (UUID(int=n) for n in range(1, 7))
    # q4 links both q3 and q2; q3 links q2; q2 links q1: four raisings, not five.
    links = {q4: [q3, q2], q3: [q2], q2: [q1], again: [other]}
    assert raised_before(q4, links) == [q3, q2, q1]
    assert raised_before(q1, links) == []
    assert most_raised(links) == [(q4, 4), (again, 2)]
    assert most_raised(links, limit=1) == [(q4, 4)]
