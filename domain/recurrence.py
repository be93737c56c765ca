"""Last year's promises and grievances in this year's dialogue: an unresolved
promise carried over into a later dialogue, and a question linked to the
same grievance raised before. Pure rules; the events are the dialogue's,
the commitment's and the question's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from uuid import UUID

from domain.errors import AlreadyExists, InvalidInput, TransitionNotAllowed
from domain.status import Status

# What is still owed, and so may be carried into a later dialogue.
UNRESOLVED = frozenset({Status.OPEN, Status.IN_PROGRESS, Status.PARTIALLY_FULFILLED})


def check_carry_over(status: Status, made_at: UUID, made_on: date, into: UUID,
                     held_on: date, carried: Iterable[UUID], commitment: UUID) -> None:
    """Whether a promise made at dialogue `made_at` (held `made_on`) may be
    carried into dialogue `into` (held `held_on`)."""
    if status not in UNRESOLVED:
        raise TransitionNotAllowed(
            f"only a promise still owed is carried over; this one is {status.value}")
    if made_at == into:
        raise InvalidInput("commitment_id", "the promise was made at this dialogue")
    if made_on >= held_on:
        raise InvalidInput(
            "commitment_id", f"the promise was made on {made_on.isoformat()}, not before "
                             f"this dialogue ({held_on.isoformat()})")
    if commitment in set(carried):
        raise AlreadyExists("this promise was already carried over into this dialogue")


def check_raised_before(question: UUID, asked_on: date, earlier: UUID, earlier_on: date,
                        linked: Iterable[UUID]) -> None:
    """Whether `earlier` may be recorded as the same grievance raised before
    `question`: at an earlier forum, and once."""
    if earlier == question:
        raise InvalidInput("question_id", "a question is not raised before itself")
    if earlier_on >= asked_on:
        raise InvalidInput(
            "question_id", f"that question was asked on {earlier_on.isoformat()}, not before "
                           f"this one ({asked_on.isoformat()})")
    if earlier in set(linked):
        raise AlreadyExists("this question is already linked to that earlier one")


def raised_before(question: UUID, links: Mapping[UUID, Iterable[UUID]]) -> list[UUID]:
    """Every earlier raising of the grievance, following the links back (the
    nearest first); each once, whatever the shape of the links."""
    found: list[UUID] = []
    seen = {question}
    frontier = [question]
    while frontier:
        following: list[UUID] = []
        for current in frontier:
            for earlier in links.get(current, ()):
                if earlier not in seen:
                    seen.add(earlier)
                    found.append(earlier)
                    following.append(earlier)
        frontier = following
    return found


def most_raised(links: Mapping[UUID, Iterable[UUID]], limit: int = 5
                ) -> list[tuple[UUID, int]]:
    """The grievances raised most often, each by its latest question (one no
    later question links to), with the times it was raised (at least two)."""
    later = {earlier for earliers in links.values() for earlier in earliers}
    latest = [q for q in links if q not in later]
    counted = [(q, len(raised_before(q, links)) + 1) for q in latest]
    return sorted((c for c in counted if c[1] > 1), key=lambda c: (-c[1], str(c[0])))[:limit]
