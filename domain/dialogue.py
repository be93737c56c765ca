"""A dialogue conference, the questions asked at it and the answers given."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event


class Channel(StrEnum):
    MEETING = "meeting"  # answered at the conference
    WRITING = "writing"  # answered later, in writing


class Dialogue(Aggregate):
    @event("Recorded")
    def __init__(
        self,
        title: str,
        held_on: date,
        place: str | None,
        chair: str | None,
        organiser: str | None,
        source_url: str | None,
        actor: dict[str, Any],
        chair_email: str | None = None,
    ) -> None:
        self.title = title
        self.chair_email = chair_email
        self.held_on = held_on
        self.place = place
        self.chair = chair
        self.organiser = organiser
        self.source_url = source_url
        self.imports: list[dict[str, Any]] = []

    def record_import(self, summary: dict[str, Any], actor: dict[str, Any]) -> None:
        """Keep what an import found and how it decided (which answer was
        linked to which question, and why), beside the events it recorded."""
        self._transcript_imported(summary=summary, actor=actor)

    @event("TranscriptImported")
    def _transcript_imported(self, summary: dict[str, Any], actor: dict[str, Any]) -> None:
        self.imports.append(summary)


class Question(Aggregate):
    """Whether it was answered is not kept here: it follows from the Answers."""

    @event("Asked")
    def __init__(
        self,
        dialogue_id: UUID,
        asker: dict[str, Any],
        text: str,
        addressed_to: list[str],
        topics: list[str],
        asked_at: datetime | None,
        actor: dict[str, Any],
    ) -> None:
        self.dialogue_id = dialogue_id
        self.asker = asker
        self.text = text
        self.addressed_to = addressed_to
        self.topics = topics
        self.asked_at = asked_at


class Answer(Aggregate):
    @event("Given")
    def __init__(
        self,
        dialogue_id: UUID,
        question_ids: list[UUID],
        responder: dict[str, Any],
        text: str,
        answered_at: datetime | None,
        channel: str,
        actor: dict[str, Any],
        linked_by: str | None = None,
        evidence: list[dict[str, Any]] | None = None,
    ) -> None:
        self.dialogue_id = dialogue_id
        self.question_ids = question_ids
        self.responder = responder
        self.text = text
        self.answered_at = answered_at
        self.channel = Channel(channel)
        # How an import tied it to its questions: "name", "nearest" or
        # "topic"; None when a person linked them.
        self.linked_by = linked_by
        # What the answer says was already done: documents, never promises.
        self.evidence = list(evidence or [])
