"""What one commitment adds to its agency's and its dialogue's counters."""

from __future__ import annotations

from typing import Any

from domain.status import NOT_PROMISES, Status
from service.read_model.dialect import as_date

# Counter columns, the same for an agency and for a dialogue.
TALLIES = (
    "total", "proposed", "open", "in_progress", "fulfilled", "partially_fulfilled",
    "declined", "withdrawn", "transferred", "rejected", "fulfilled_on_time", "fulfilled_late",
    "fulfilled_by_original_date", "verified", "disputed",
)

_NOT_PROMISES = tuple(status.value for status in NOT_PROMISES)


def tally(status: str, fulfilled_on: Any, due_on: Any, verdict: str | None,
          original_due_on: Any) -> dict[str, int]:
    """What one commitment in this state adds to its agency's and dialogue's counters.

    Being overdue is not here: it depends on the day the question is asked, so
    it is counted at read time from the due index.
    """
    if fulfilled_on is None:
        return tally_of(status, None, verdict, None)
    done = as_date(fulfilled_on)
    return tally_of(status, done <= as_date(due_on), verdict, done <= as_date(original_due_on))


def tally_of(status: str, on_time: bool | None, verdict: str | None,
             by_original: bool | None) -> dict[str, int]:
    """`tally`, given whether the fulfilment (if any) came by the due date in
    force (`on_time`, after approved extensions) and by the date first
    promised (`by_original`)."""
    counts = {status: 1} if status in TALLIES else {}
    # A candidate nobody confirmed is not yet a promise, and a rejected one
    # never was one.
    if status not in _NOT_PROMISES:
        counts["total"] = 1
    if status == Status.FULFILLED.value and on_time is not None:
        counts["fulfilled_on_time" if on_time else "fulfilled_late"] = 1
        if by_original:
            counts["fulfilled_by_original_date"] = 1
    if verdict:
        counts[verdict] = 1
    return counts
