"""Due dates: a stated date wins, otherwise a default per kind of promise."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from domain.calendar import Calendar, CalendarDays
from domain.errors import InvalidInput


class Kind(StrEnum):
    REVIEW = "review"
    STUDY = "study"
    PROPOSE = "propose"
    ADVISE = "advise"
    IMPLEMENT = "implement"
    REPORT = "report"
    OTHER = "other"


class DueBasis(StrEnum):
    STATED = "stated"
    DEFAULT = "default"
    EXTENDED = "extended"


DEFAULT_DAYS: dict[Kind, int] = {
    Kind.REVIEW: 60,
    Kind.STUDY: 90,
    Kind.PROPOSE: 90,
    Kind.ADVISE: 60,
    Kind.IMPLEMENT: 180,
    Kind.REPORT: 30,
    Kind.OTHER: 90,
}


@dataclass(frozen=True)
class DuePolicy:
    """Days allowed per kind when nobody stated a date, from the dialogue date."""

    days: Mapping[Kind, int] = field(default_factory=lambda: dict(DEFAULT_DAYS))

    @classmethod
    def parse(cls, text: str) -> DuePolicy:
        """`review=60,implement=180`: overrides on top of the defaults."""
        days = dict(DEFAULT_DAYS)
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, sep, value = item.partition("=")
            try:
                kind = Kind(name.strip())
                count = int(value) if sep else -1
            except ValueError:
                count = -1
            if count < 0:
                kinds = ", ".join(k.value for k in Kind)
                raise ValueError(
                    f"bad due-day default {item!r}: expected KIND=DAYS with KIND one "
                    f"of {kinds} and DAYS a whole number >= 0"
                ) from None
            days[kind] = count
        return cls(days)


# How far ahead a promise may be due, counted from the day it was made: a
# date beyond it is a typo or a way to make a promise never late (9999-12-31).
HORIZON_YEARS = 5


def latest_due_on(made_on: date) -> date:
    try:
        return made_on.replace(year=made_on.year + HORIZON_YEARS)
    except ValueError:  # 29 February, five years on
        return made_on.replace(year=made_on.year + HORIZON_YEARS, day=28)


def check_horizon(field: str, due_on: date, made_on: date) -> None:
    """Refuse a due date more than HORIZON_YEARS after the promise was made."""
    latest = latest_due_on(made_on)
    if due_on > latest:
        raise InvalidInput(
            field,
            f"{field} {due_on.isoformat()} is more than {HORIZON_YEARS} years after the "
            f"promise was made ({made_on.isoformat()}); the latest allowed is "
            f"{latest.isoformat()}",
        )


def recordable_due(stated: date | None, dialogue_held_on: date) -> date | None:
    """A date read from a text, if a promise can be recorded with it (see
    `due_date`): one before the meeting, or past the horizon, is no due date
    of this promise (an earlier deadline it quotes, a misread year), so the
    candidate takes the default for its kind and the secretariat sees the
    words in its quote."""
    if stated is None or stated < dialogue_held_on or stated > latest_due_on(dialogue_held_on):
        return None
    return stated


def due_date(
    kind: Kind, stated: date | None, dialogue_held_on: date, policy: DuePolicy,
    calendar: Calendar | None = None,
) -> tuple[date, DueBasis]:
    """The default counts the policy's days in `calendar` (working days, when
    the service is set so); a stated date is taken as stated."""
    if stated is not None:
        if stated < dialogue_held_on:
            raise InvalidInput(
                "due_on",
                f"due_on {stated.isoformat()} is before the dialogue "
                f"({dialogue_held_on.isoformat()})",
            )
        check_horizon("due_on", stated, dialogue_held_on)
        return stated, DueBasis.STATED
    counted = calendar or CalendarDays()
    return counted.shift(dialogue_held_on, policy.days[kind]), DueBasis.DEFAULT
