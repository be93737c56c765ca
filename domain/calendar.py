"""Counting days towards a deadline: calendar days, or working days.

A working-day calendar skips weekends and public holidays; which days are
holidays is data (Vietnam's lunar holidays move every year), given to it by
the service layer as a function, so this module stays pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

_DAY = timedelta(days=1)


class Calendar(Protocol):
    @property
    def name(self) -> str: ...

    def shift(self, start: date, days: int) -> date:
        """The date `days` counted days after `start` (before it, if negative)."""
        ...

    def next_day(self, start: date) -> date:
        """The first counted day after `start`."""
        ...


@dataclass(frozen=True)
class CalendarDays:
    name: str = "calendar"

    def shift(self, start: date, days: int) -> date:
        return start + timedelta(days=days)

    def next_day(self, start: date) -> date:
        return start + _DAY


@dataclass(frozen=True)
class WorkingDays:
    """Monday to Friday, except days off; `is_day_off` decides for any date,
    and also says when a weekend day is worked (a make-up Saturday)."""

    is_day_off: Callable[[date], bool]
    name: str = "working"

    def is_working(self, day: date) -> bool:
        return not self.is_day_off(day)

    def shift(self, start: date, days: int) -> date:
        step = _DAY if days >= 0 else -_DAY
        day, left = start, abs(days)
        while left:
            day += step
            if self.is_working(day):
                left -= 1
        return day

    def next_day(self, start: date) -> date:
        return self.shift(start, 1)


def weekend_or(holidays: Callable[[date], bool], worked: Callable[[date], bool]
               ) -> Callable[[date], bool]:
    """A day-off rule: weekends and `holidays`, unless the day is `worked`."""

    def is_day_off(day: date) -> bool:
        if worked(day):
            return False
        return day.weekday() >= 5 or holidays(day)

    return is_day_off
