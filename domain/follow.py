"""Someone outside the service following a promise, an agency or a dialogue
by mail: asked for, confirmed from the mailed link (nothing else is sent
before), ended by the one-click link in every mail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import natural_id


class Followed(StrEnum):
    COMMITMENT = "commitment"
    AGENCY = "agency"
    DIALOGUE = "dialogue"


class FollowState(StrEnum):
    PENDING = "pending"  # asked for, not yet confirmed from the mail
    ACTIVE = "active"
    ENDED = "ended"  # unsubscribed


def follow_id(email: str, kind: Followed, target: str) -> UUID:
    """One follow per address and thing followed: asking again reopens it."""
    return natural_id("follow", f"{email.strip().lower()}:{kind.value}:{target}")


class Follow(Aggregate):
    class Requested(Aggregate.Created):
        email: str
        kind: str
        target: str
        at: datetime

    class RequestedAgain(Aggregate.Event):
        at: datetime

    class Confirmed(Aggregate.Event):
        at: datetime

    class Ended(Aggregate.Event):
        at: datetime

    @staticmethod
    def create_id(email: str, kind: str, target: str, **_: Any) -> UUID:
        return follow_id(email, Followed(kind), target)

    @event(Requested)
    def __init__(self, email: str, kind: str, target: str, at: datetime) -> None:
        self.email = email.strip().lower()
        self.kind = Followed(kind)
        self.target = target
        self.state = FollowState.PENDING
        self.requests = 1

    def request_again(self, at: datetime) -> bool:
        """Asked for again: a new confirmation mail unless it is active (an
        active follow says nothing, so the form tells nobody who follows)."""
        if self.state is FollowState.ACTIVE:
            return False
        self._requested_again(at=at)
        return True

    def confirm(self, at: datetime) -> bool:
        """From the confirmation link; once only, and not after it ended
        (a later request sends a new link)."""
        if self.state is not FollowState.PENDING:
            return False
        self._confirmed(at=at)
        return True

    def end(self, at: datetime) -> bool:
        if self.state is FollowState.ENDED:
            return False
        self._ended(at=at)
        return True

    @event(RequestedAgain)
    def _requested_again(self, at: datetime) -> None:
        self.state = FollowState.PENDING
        self.requests += 1

    @event(Confirmed)
    def _confirmed(self, at: datetime) -> None:
        self.state = FollowState.ACTIVE

    @event(Ended)
    def _ended(self, at: datetime) -> None:
        self.state = FollowState.ENDED
