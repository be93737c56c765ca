"""Issue 18 §2, the pure rules of a report's reply window."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput, TransitionNotAllowed
from domain.published_report import (
    ReportState,
    check_publish,
    check_reply,
    replies_close_on,
)

OPENED = date(2024, 9, 1)


def test_the_window_is_zero_to_sixty_days_from_the_opening() -> None:
    assert replies_close_on(OPENED, 0) == OPENED
    assert replies_close_on(OPENED, 10) == date(2024, 9, 11)
    for bad in (-1, 61):
        with pytest.raises(InvalidInput):
            replies_close_on(OPENED, bad)


def test_replies_are_taken_through_the_last_day_and_publication_after_it() -> None:
    closes = replies_close_on(OPENED, 10)
    check_reply(ReportState.OPEN_FOR_REPLY, closes, closes)
    with pytest.raises(TransitionNotAllowed, match="closed"):
        check_reply(ReportState.OPEN_FOR_REPLY, closes, date(2024, 9, 12))
    with pytest.raises(TransitionNotAllowed, match="publish from 2024-09-12"):
        check_publish(ReportState.OPEN_FOR_REPLY, closes, 10, closes)
    check_publish(ReportState.OPEN_FOR_REPLY, closes, 10, date(2024, 9, 12))


def test_no_window_publishes_at_once_and_a_published_report_never_changes() -> None:
    check_publish(ReportState.OPEN_FOR_REPLY, OPENED, 0, OPENED)
    with pytest.raises(TransitionNotAllowed, match="already published"):
        check_publish(ReportState.PUBLISHED, OPENED, 0, date(2025, 1, 1))
    with pytest.raises(TransitionNotAllowed, match="no more replies"):
        check_reply(ReportState.PUBLISHED, OPENED, OPENED)
