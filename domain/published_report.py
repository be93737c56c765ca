"""A report before it goes out, and the agencies' right of reply.

The secretariat opens a report as of a date: its entries (every promise in
play on that date, as the record then stood) are fixed when it is opened, so
what an agency replies to is what is published. Each agency may reply to its
own entries until the reply window closes; then the report is published,
with the log's head digest, and never changes.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidInput, NotFound, TransitionNotAllowed

# The longest reply window a report may give (two months).
MAX_REPLY_DAYS = 60


class ReportState(StrEnum):
    OPEN_FOR_REPLY = "open_for_reply"
    PUBLISHED = "published"


def replies_close_on(opened_on: date, reply_days: int) -> date:
    """The last day replies are taken."""
    if not 0 <= reply_days <= MAX_REPLY_DAYS:
        raise InvalidInput("reply_days", f"reply_days is 0 to {MAX_REPLY_DAYS} days")
    return opened_on + timedelta(days=reply_days)


def check_reply(state: ReportState, closes_on: date, today: date) -> None:
    if state is not ReportState.OPEN_FOR_REPLY:
        raise TransitionNotAllowed("the report is published: it takes no more replies")
    if today > closes_on:
        raise TransitionNotAllowed(
            f"replies closed on {closes_on.isoformat()}: the report is waiting to be published")


def check_publish(state: ReportState, closes_on: date, reply_days: int, today: date) -> None:
    if state is ReportState.PUBLISHED:
        raise TransitionNotAllowed("the report is already published")
    if reply_days and today <= closes_on:
        raise TransitionNotAllowed(
            f"the agencies may reply until {closes_on.isoformat()}: publish from "
            f"{(closes_on + timedelta(days=1)).isoformat()}")


class PublishedReport(Aggregate):
    class Opened(Aggregate.Created):
        title: str
        as_of: date
        reply_days: int
        opened_on: date
        entries: list[dict[str, Any]]
        actor: dict[str, Any]

    class ReplyGiven(Aggregate.Event):
        commitment_id: UUID
        agency: str
        text: str
        on: date
        actor: dict[str, Any]

    class Published(Aggregate.Event):
        on: date
        head: dict[str, Any] | None
        actor: dict[str, Any]

    @event(Opened)
    def __init__(self, title: str, as_of: date, reply_days: int, opened_on: date,
                 entries: list[dict[str, Any]], actor: dict[str, Any]) -> None:
        self.title = title
        self.as_of = as_of
        self.reply_days = reply_days
        self.opened_on = opened_on
        self.replies_close_on = opened_on + timedelta(days=reply_days)
        # Each promise as it stood on `as_of`, with `id` and `agency`.
        self.entries = entries
        self.replies: dict[str, dict[str, Any]] = {}  # by commitment id
        self.state = ReportState.OPEN_FOR_REPLY
        self.published_on: date | None = None
        self.head: dict[str, Any] | None = None

    @property
    def agencies(self) -> list[str]:
        return sorted({entry["agency"] for entry in self.entries})

    def entry(self, commitment_id: UUID) -> dict[str, Any]:
        for entry in self.entries:
            if entry["id"] == str(commitment_id):
                return entry
        raise NotFound(f"commitment {commitment_id} is not in this report")

    def reply(self, commitment_id: UUID, text: str, *, today: date, actor: dict[str, Any]
              ) -> None:
        """The owning agency's reply to its entry; a later one replaces it."""
        check_reply(self.state, self.replies_close_on, today)
        entry = self.entry(commitment_id)
        if not text.strip():
            raise InvalidInput("text", "a reply needs its text")
        self._reply_given(commitment_id=commitment_id, agency=entry["agency"], text=text,
                          on=today, actor=actor)

    def publish(self, *, today: date, head: dict[str, Any] | None, actor: dict[str, Any]
                ) -> None:
        check_publish(self.state, self.replies_close_on, self.reply_days, today)
        self._published(on=today, head=head, actor=actor)

    @event(ReplyGiven)
    def _reply_given(self, commitment_id: UUID, agency: str, text: str, on: date,
                     actor: dict[str, Any]) -> None:
        self.replies[str(commitment_id)] = {"agency": agency, "text": text, "on": on}

    @event(Published)
    def _published(self, on: date, head: dict[str, Any] | None, actor: dict[str, Any]
                   ) -> None:
        self.state = ReportState.PUBLISHED
        self.published_on = on
        self.head = head
