"""Vietnam's working-day calendar: the `holidays` package plus an admin file.

The package knows the fixed national holidays, the lunar ones (Tết, Hùng
Kings) year by year, and the government's swapped days off. The admin file
adds what a province decides locally, one date per line:

    2026-01-02 off   # bridge day after New Year
    2026-01-10 work  # make-up Saturday
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path

import holidays

from domain.calendar import CalendarDays, WorkingDays, weekend_or

CALENDARS = ("calendar", "working")
_NAMES_LANGUAGE = "en_US"
# The package names a swapped day off "Day off (substituted from 04/26/2025)":
# the Saturday it names is worked instead.
_SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


class HolidayFileError(ValueError):
    """A line of the admin's holiday file that cannot be read; names it."""


def read_exceptions(path: Path) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, days worked) from the admin file."""
    off: set[date] = set()
    worked: set[date] = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        try:
            day = date.fromisoformat(parts[0])
        except ValueError:
            raise HolidayFileError(
                f"{path}:{number}: {parts[0]!r} is not a date (YYYY-MM-DD)") from None
        kind = parts[1].lower() if len(parts) > 1 else "off"
        if len(parts) > 2 or kind not in ("off", "work"):
            raise HolidayFileError(
                f"{path}:{number}: expected 'YYYY-MM-DD off' or 'YYYY-MM-DD work', got {line!r}")
        (off if kind == "off" else worked).add(day)
    return frozenset(off), frozenset(worked)


def vietnam(exceptions: Path | None = None) -> WorkingDays:
    off, worked = read_exceptions(exceptions) if exceptions else (frozenset(), frozenset())
    # The names are read below, so their language is pinned: by default the
    # package follows the process's locale, and a Vietnamese server would name
    # the swapped day "Ngày nghỉ (thay cho ...)".
    national = holidays.country_holidays("VN", language=_NAMES_LANGUAGE)

    @cache
    def swapped(year: int) -> frozenset[date]:
        names = holidays.country_holidays("VN", years=year, language=_NAMES_LANGUAGE).values()
        found = (_SUBSTITUTED.search(name) for name in names)
        return frozenset(date(int(m[3]), int(m[1]), int(m[2])) for m in found if m)

    def holiday(day: date) -> bool:
        return day in off or day in national

    def is_worked(day: date) -> bool:
        # The admin's file is what the province decided: its "off" beats the
        # national make-up Saturday.
        if day in off:
            return False
        return day in worked or day in swapped(day.year) or day in swapped(day.year + 1)

    return WorkingDays(weekend_or(holiday, is_worked))


def calendar_named(name: str, exceptions: Path | None) -> CalendarDays | WorkingDays:
    if name == "working":
        return vietnam(exceptions)
    return CalendarDays()
