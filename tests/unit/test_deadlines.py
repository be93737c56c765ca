"""Rules of domain.deadlines: stated dates, per-kind defaults and the policy parser."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from domain.deadlines import DEFAULT_DAYS, DueBasis, DuePolicy, Kind, due_date
from domain.errors import InvalidInput

HELD_ON = date(2024, 5, 10)


def test_stated_date_wins() -> None:
    """A stated due date is used as is, with basis STATED, whatever the kind's default."""
    stated = date(2024, 6, 1)
    assert due_date(Kind.IMPLEMENT, stated, HELD_ON, DuePolicy()) == (stated, DueBasis.STATED)


def test_stated_date_on_the_dialogue_day_is_accepted() -> None:
    """A promise due on the very day of the dialogue is not before it."""
    assert due_date(Kind.REVIEW, HELD_ON, HELD_ON, DuePolicy()) == (HELD_ON, DueBasis.STATED)


@pytest.mark.parametrize("kind", list(Kind), ids=str)
def test_default_per_kind_from_the_dialogue_date(kind: Kind) -> None:
    """Without a stated date, the kind's default days count from the dialogue date."""
    due, basis = due_date(kind, None, HELD_ON, DuePolicy())
    assert basis is DueBasis.DEFAULT
    assert due == HELD_ON + timedelta(days=DEFAULT_DAYS[kind])
    assert (due - HELD_ON).days == DEFAULT_DAYS[kind]


def test_default_days_cover_every_kind() -> None:
    """Every kind has a default, and the review default is 60 days (2024-07-09)."""
    assert set(DEFAULT_DAYS) == set(Kind)
    assert due_date(Kind.REVIEW, None, HELD_ON, DuePolicy())[0] == date(2024, 7, 9)


def test_stated_date_before_the_dialogue_is_invalid() -> None:
    """A due date before the dialogue is refused, naming the due_on field."""
    with pytest.raises(InvalidInput) as raised:
        due_date(Kind.REVIEW, HELD_ON - timedelta(days=1), HELD_ON, DuePolicy())
    assert list(raised.value.fields) == ["due_on"]
    assert "2024-05-09" in raised.value.message
    assert "2024-05-10" in raised.value.message


def test_policy_parse_overrides_on_top_of_defaults() -> None:
    """Named kinds are overridden; the others keep their defaults."""
    policy = DuePolicy.parse("review=10,implement=200")
    assert policy.days == {**DEFAULT_DAYS, Kind.REVIEW: 10, Kind.IMPLEMENT: 200}
    assert due_date(Kind.REVIEW, None, HELD_ON, policy) == (date(2024, 5, 20), DueBasis.DEFAULT)


def test_policy_parse_tolerates_spaces_and_empty_items() -> None:
    """White space around items and empty items are ignored."""
    policy = DuePolicy.parse(" review = 0 , ,report=7 ")
    assert policy.days[Kind.REVIEW] == 0
    assert policy.days[Kind.REPORT] == 7


@pytest.mark.parametrize("text", ["", "   ", ","])
def test_policy_parse_empty_gives_defaults(text: str) -> None:
    """No overrides give exactly the defaults."""
    assert DuePolicy.parse(text).days == DEFAULT_DAYS
    assert DuePolicy.parse(text) == DuePolicy()


@pytest.mark.parametrize("bad", ["bogus=3", "review=x", "review", "review=-1"])
def test_policy_parse_rejects_bad_items(bad: str) -> None:
    """A bad item is a ValueError whose message quotes the item."""
    with pytest.raises(ValueError, match=re.escape(repr(bad))) as raised:
        DuePolicy.parse(f"study=5,{bad}")
    assert "KIND=DAYS" in str(raised.value)


def test_parse_does_not_change_the_defaults() -> None:
    """Overrides never leak into the module-level defaults."""
    DuePolicy.parse("review=1")
    assert DEFAULT_DAYS[Kind.REVIEW] == 60
