"""Commitment status: the transition table and the derived overdue state.

Status moves only through `next_status`; everything a caller may want to know
about being late is a pure function of the status, the due date and a date.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from domain.errors import TransitionNotAllowed


class Status(StrEnum):
    PROPOSED = "proposed"
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    FULFILLED = "fulfilled"
    PARTIALLY_FULFILLED = "partially_fulfilled"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"
    # A candidate the secretariat found was no promise: never counted.
    REJECTED = "rejected"


class Action(StrEnum):
    CONFIRM = "confirm"
    PROGRESS = "progress"
    EXTEND = "extend"
    FULFIL = "fulfil"
    PARTIALLY_FULFIL = "partially_fulfil"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    TRANSFER = "transfer"
    REJECT = "reject"


class Verdict(StrEnum):
    VERIFIED = "verified"
    DISPUTED = "disputed"


class ExtensionDecision(StrEnum):
    APPROVE = "approve"
    REFUSE = "refuse"


# Still being worked on: what the read tables call active.
WORKING = (Status.OPEN, Status.IN_PROGRESS)
# Candidates not yet confirmed, and those rejected: listed, never promises.
NOT_PROMISES = (Status.PROPOSED, Status.REJECTED)

# From each status, the actions allowed and where they lead. A status missing
# from the table (or an action missing from its row) is a refusal.
TRANSITIONS: dict[Status, dict[Action, Status]] = {
    Status.PROPOSED: {
        Action.CONFIRM: Status.OPEN,
        Action.REJECT: Status.REJECTED,
        Action.WITHDRAW: Status.WITHDRAWN,
        Action.TRANSFER: Status.TRANSFERRED,
    },
    **{
        status: {
            Action.PROGRESS: Status.IN_PROGRESS,
            Action.EXTEND: status,
            Action.FULFIL: Status.FULFILLED,
            Action.PARTIALLY_FULFIL: Status.PARTIALLY_FULFILLED,
            Action.DECLINE: Status.DECLINED,
            Action.WITHDRAW: Status.WITHDRAWN,
            Action.TRANSFER: Status.TRANSFERRED,
        }
        for status in WORKING
    },
    # A partial delivery can still be completed later, and what is still owed
    # passes to a successor agency like any promise in play.
    Status.PARTIALLY_FULFILLED: {Action.FULFIL: Status.FULFILLED,
                                 Action.TRANSFER: Status.TRANSFERRED},
}

# What auditors judge: every claim of the agency that closes a promise, a
# decline as much as a delivery (a decline says the promise cannot or need
# not be kept; unjudged, it would hide a failure). The person who asked is
# asked about the same claims (domain.asker), and the auditors' queue lists
# them (service.queries): this is the one place the rule is written.
JUDGEABLE = frozenset({Status.FULFILLED, Status.PARTIALLY_FULFILLED, Status.DECLINED})

_VI = {
    Status.PROPOSED: "đề xuất (chưa xác nhận)",
    Status.OPEN: "đang mở",
    Status.IN_PROGRESS: "đang thực hiện",
    Status.FULFILLED: "đã thực hiện",
    Status.PARTIALLY_FULFILLED: "thực hiện một phần",
    Status.DECLINED: "từ chối",
    Status.WITHDRAWN: "đã rút",
    Status.TRANSFERRED: "đã chuyển giao",
    Status.REJECTED: "bị loại (không phải cam kết)",
}


def allowed_actions(status: Status) -> list[Action]:
    return list(TRANSITIONS.get(status, {}))


def next_status(status: Status, action: Action) -> Status:
    """Where `action` leads from `status`, or TransitionNotAllowed saying why."""
    row = TRANSITIONS.get(status, {})
    if action not in row:
        # A transfer follows an agency's succession; nobody asks for one.
        allowed = ", ".join(a.value for a in row if a is not Action.TRANSFER)
        allowed = allowed or "none: this status is final"
        raise TransitionNotAllowed(
            f"cannot {action.value} a commitment that is {status.value} "
            f"({_VI[status]}); allowed actions: {allowed}"
        )
    return row[action]


def is_working(status: Status) -> bool:
    """Still being worked on: the only states whose deadline can move."""
    return status in WORKING


def is_final(status: Status) -> bool:
    return not TRANSITIONS.get(status)


def is_overdue(status: Status, due_on: date, on: date) -> bool:
    """Late means: still being worked on and the due date is before `on`.

    Dates, not instants: a commitment due on the 10th is overdue on the 11th
    in the service's time zone, whatever the hour.
    """
    return status in WORKING and due_on < on


def days_overdue(status: Status, due_on: date, on: date) -> int:
    return (on - due_on).days if is_overdue(status, due_on, on) else 0


def check_verdict(status: Status) -> None:
    if status not in JUDGEABLE:
        judged = ", ".join(s.value for s in Status if s in JUDGEABLE)
        raise TransitionNotAllowed(
            f"a verdict judges an agency's claim that closes a promise ({judged}); "
            f"this commitment is {status.value} ({_VI[status]})"
        )
