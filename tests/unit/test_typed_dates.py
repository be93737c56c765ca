"""Dates as a clerk types them: day/month/year, or ISO as scripts send them;
the separator says which, so neither is ever read as the other."""

from __future__ import annotations

from datetime import date

import pytest

from api.i18n import parse_day


@pytest.mark.parametrize(("typed", "day"), [
    ("31/12/2024", date(2024, 12, 31)),
    ("1/7/2024", date(2024, 7, 1)),
    (" 05/03/2025 ", date(2025, 3, 5)),
    ("2024-12-31", date(2024, 12, 31)),
])
def test_day_month_year_and_iso_are_read(typed: str, day: date) -> None:
    assert parse_day(typed) == day


@pytest.mark.parametrize("typed", [
    "12/31/2024",  # month/day/year, as an English date picker writes it
    "31/02/2024", "31-12-2024", "2024/12/31", "31/12/24", "2024-1-5", "", "hôm qua",
    "٣١/١٢/٢٠٢٤",  # digits of another script
])
def test_anything_else_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_day(typed)
