"""Rules of domain.status: the transition table, lateness and who can be judged."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from domain.errors import TransitionNotAllowed
from domain.status import (
    JUDGEABLE,
    TRANSITIONS,
    Action,
    Status,
    check_verdict,
    days_overdue,
    is_final,
    is_overdue,
    next_status,
)

ALL_PAIRS = list(itertools.product(Status, Action))
ALLOWED = [(s, a) for s, a in ALL_PAIRS if a in TRANSITIONS.get(s, {})]
REFUSED = [(s, a) for s, a in ALL_PAIRS if a not in TRANSITIONS.get(s, {})]
WORKING = (Status.OPEN, Status.IN_PROGRESS)
NOT_WORKING = [s for s in Status if s not in WORKING]
DUE = date(2024, 7, 9)


def _id(value: object) -> str:
    return str(value)


def test_every_pair_is_either_allowed_or_refused() -> None:
    """The two parametrised lists below cover all 9 x 9 pairs exactly once."""
    assert len(ALL_PAIRS) == len(Status) * len(Action) == 81
    assert sorted(ALLOWED + REFUSED) == sorted(ALL_PAIRS)
    # proposed: confirm, reject, withdraw, transfer; open and in_progress: 7 each;
    # partially_fulfilled: fulfil, transfer
    assert len(ALLOWED) == 4 + 7 + 7 + 2


@pytest.mark.parametrize(("status", "action"), ALLOWED, ids=_id)
def test_allowed_pair_leads_to_table_target(status: Status, action: Action) -> None:
    """An allowed action moves to the status the table names."""
    assert next_status(status, action) is TRANSITIONS[status][action]


@pytest.mark.parametrize(("status", "action"), REFUSED, ids=_id)
def test_refused_pair_raises_naming_action_and_status(status: Status, action: Action) -> None:
    """A pair missing from the table is refused, and the message says which pair."""
    with pytest.raises(TransitionNotAllowed) as raised:
        next_status(status, action)
    message = str(raised.value)
    assert f"cannot {action.value} " in message
    assert f"that is {status.value} " in message
    assert raised.value.code == "transition_not_allowed"


def test_explicit_targets_of_the_table() -> None:
    """Spot-check the table against the business rules, not only against itself."""
    assert next_status(Status.PROPOSED, Action.CONFIRM) is Status.OPEN
    assert next_status(Status.PROPOSED, Action.WITHDRAW) is Status.WITHDRAWN
    assert next_status(Status.OPEN, Action.PROGRESS) is Status.IN_PROGRESS
    assert next_status(Status.IN_PROGRESS, Action.PROGRESS) is Status.IN_PROGRESS
    assert next_status(Status.OPEN, Action.EXTEND) is Status.OPEN
    assert next_status(Status.IN_PROGRESS, Action.EXTEND) is Status.IN_PROGRESS
    assert next_status(Status.IN_PROGRESS, Action.TRANSFER) is Status.TRANSFERRED
    assert next_status(Status.PARTIALLY_FULFILLED, Action.FULFIL) is Status.FULFILLED


@pytest.mark.parametrize(
    "status", [Status.FULFILLED, Status.DECLINED, Status.WITHDRAWN, Status.TRANSFERRED], ids=_id
)
def test_final_status_message_says_final(status: Status) -> None:
    """From a final status nothing is allowed, and the message says so."""
    assert is_final(status)
    with pytest.raises(TransitionNotAllowed, match="none: this status is final"):
        next_status(status, Action.PROGRESS)


@pytest.mark.parametrize("status", [Status.PROPOSED, *WORKING, Status.PARTIALLY_FULFILLED])
def test_non_final_statuses(status: Status) -> None:
    """Statuses with a row in the table are not final."""
    assert not is_final(status)


def test_refusal_lists_allowed_actions() -> None:
    """The refusal message lists what would have been allowed."""
    with pytest.raises(TransitionNotAllowed, match=r"allowed actions: confirm, reject, withdraw$"):
        next_status(Status.PROPOSED, Action.FULFIL)


@pytest.mark.parametrize("status", WORKING, ids=_id)
def test_working_status_overdue_from_the_day_after_due(status: Status) -> None:
    """Due on the 9th: not overdue on the 9th, overdue by one day on the 10th."""
    assert not is_overdue(status, DUE, DUE)
    assert days_overdue(status, DUE, DUE) == 0
    assert not is_overdue(status, DUE, DUE - timedelta(days=1))
    assert days_overdue(status, DUE, DUE - timedelta(days=1)) == 0
    assert is_overdue(status, DUE, DUE + timedelta(days=1))
    assert days_overdue(status, DUE, DUE + timedelta(days=1)) == 1
    assert days_overdue(status, DUE, DUE + timedelta(days=30)) == 30


@pytest.mark.parametrize("status", NOT_WORKING, ids=_id)
def test_other_statuses_are_never_overdue(status: Status) -> None:
    """Only OPEN and IN_PROGRESS can be late; proposed, partial and final ones cannot."""
    later = DUE + timedelta(days=400)
    assert not is_overdue(status, DUE, later)
    assert days_overdue(status, DUE, later) == 0


# The claims that close a promise: what an auditor judges.
CLOSING_CLAIMS = (Status.FULFILLED, Status.PARTIALLY_FULFILLED, Status.DECLINED)


@pytest.mark.parametrize("status", CLOSING_CLAIMS, ids=_id)
def test_verdict_allowed_on_a_claim_that_closes_the_promise(status: Status) -> None:
    """A verdict may judge a delivery, a partial one, or a decline: a decline
    left unjudged would let an agency hide an overdue promise by declining it."""
    check_verdict(status)


@pytest.mark.parametrize("status", [s for s in Status if s not in CLOSING_CLAIMS], ids=_id)
def test_verdict_refused_otherwise(status: Status) -> None:
    """Any other status refuses a verdict, naming the status and what is judged."""
    with pytest.raises(TransitionNotAllowed, match=f"this commitment is {status.value} ") as err:
        check_verdict(status)
    assert "(fulfilled, partially_fulfilled, declined)" in str(err.value)


def test_judgeable_set() -> None:
    """JUDGEABLE is exactly the statuses an agency's closing claim leads to:
    the targets of fulfil, partially_fulfil and decline, nothing else."""
    claims = {TRANSITIONS[Status.OPEN][a]
              for a in (Action.FULFIL, Action.PARTIALLY_FULFIL, Action.DECLINE)}
    assert frozenset(CLOSING_CLAIMS) == JUDGEABLE == claims
