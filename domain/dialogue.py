"""A forum where officials are held to account (a dialogue conference, a
council's interpellation session, a voters' meeting, a written reply to
voters' petitions, a resolution), the questions asked at it and the answers
given."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidInput


class Channel(StrEnum):
    MEETING = "meeting"  # answered at the conference
    WRITING = "writing"  # answered later, in writing


class ForumKind(StrEnum):
    """Where the questions were put and the promises made: each has its own
    record (a live blog, a council's minutes, a table of petitions and
    replies, a resolution), and readers compare like with like."""

    DIALOGUE = "dialogue"  # hội nghị đối thoại
    INTERPELLATION = "interpellation"  # phiên chất vấn of a People's Council
    VOTERS_MEETING = "voters_meeting"  # tiếp xúc cử tri
    PETITION_REPLY = "petition_reply"  # trả lời kiến nghị cử tri, in writing
    RESOLUTION = "resolution"  # nghị quyết, kết luận: tasks given, no question asked


class AskerKind(StrEnum):
    PERSON = "person"
    # Petitions are put by the voters of a commune, a union's members...
    GROUP = "group"
    # ... or by a body: a council's group of deputies, a union.
    BODY = "body"


def asker_of(details: dict[str, Any]) -> dict[str, Any]:
    """Who asked, with what kind of asker they are: a person unless said."""
    given = details.get("kind") or AskerKind.PERSON
    try:
        kind = AskerKind(given)
    except ValueError:
        choices = ", ".join(k.value for k in AskerKind)
        raise InvalidInput("asker", f"kind must be one of: {choices}") from None
    return {**details, "kind": kind.value}


def in_public(person: dict[str, Any]) -> dict[str, Any]:
    """Who spoke, as the press would name them: never an address or a phone,
    whatever a record carries. An asker's `kind` says whether the name is a
    person's, a group's or a body's."""
    return {key: person[key] for key in ("name", "title", "organisation", "agency", "kind")
            if person.get(key)}


def named(person: dict[str, Any]) -> str:
    """How a public page names who spoke: name, title, organisation."""
    return ", ".join(str(person[key]) for key in ("name", "title", "organisation")
                     if person.get(key))


class Dialogue(Aggregate):
    class Recorded(Aggregate.Created):
        """Version 2 says what kind of forum it was."""

        class_version = 2

        title: str
        held_on: date
        place: str | None
        chair: str | None
        organiser: str | None
        source_url: str | None
        actor: dict[str, Any]
        chair_email: str | None
        forum: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Before version 2 every record was of a dialogue conference.
            state["forum"] = ForumKind.DIALOGUE.value

    @event(Recorded)
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
        forum: str = ForumKind.DIALOGUE.value,
    ) -> None:
        self.title = title
        self.forum = ForumKind(forum)
        self.chair_email = chair_email
        self.held_on = held_on
        self.place = place
        self.chair = chair
        self.organiser = organiser
        self.source_url = source_url
        self.imports: list[dict[str, Any]] = []
        # Promises of earlier dialogues still owed, carried into this one.
        self.carried_over: list[dict[str, Any]] = []

    def record_import(self, summary: dict[str, Any], actor: dict[str, Any]) -> None:
        """Keep what an import found and how it decided (which answer was
        linked to which question, and why), beside the events it recorded."""
        self._transcript_imported(summary=summary, actor=actor)

    @event("TranscriptImported")
    def _transcript_imported(self, summary: dict[str, Any], actor: dict[str, Any]) -> None:
        self.imports.append(summary)

    def carry_over(self, commitment_id: UUID, from_dialogue_id: UUID, *, on: date,
                   actor: dict[str, Any]) -> None:
        """Record a promise of an earlier dialogue as carried into this one
        (domain.recurrence says which may be)."""
        self._carried_over(commitment_id=commitment_id, from_dialogue_id=from_dialogue_id,
                           on=on, actor=actor)

    @property
    def carried(self) -> list[UUID]:
        return [item["commitment_id"] for item in self.carried_over]

    @event("CarriedOver")
    def _carried_over(self, commitment_id: UUID, from_dialogue_id: UUID, on: date,
                      actor: dict[str, Any]) -> None:
        self.carried_over.append({"commitment_id": commitment_id,
                                  "from_dialogue_id": from_dialogue_id, "on": on})


class Question(Aggregate):
    """Whether it was answered is not kept here: it follows from the Answers."""

    class Asked(Aggregate.Created):
        """Version 2 says what kind of asker it was (`asker["kind"]`)."""

        class_version = 2

        dialogue_id: UUID
        asker: dict[str, Any]
        text: str
        addressed_to: list[str]
        topics: list[str]
        asked_at: datetime | None
        actor: dict[str, Any]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Before version 2 only people asked.
            state["asker"] = {**state["asker"], "kind": AskerKind.PERSON.value}

    @event(Asked)
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
        # The same grievance raised at earlier forums (the links recorded here).
        self.raised_before: list[UUID] = []

    def link_earlier(self, question_id: UUID, *, actor: dict[str, Any]) -> None:
        """The same grievance was raised before, as `question_id` (checked by
        domain.recurrence); the agencies it was put to go with the link."""
        self._raised_before(question_id=question_id, addressed_to=list(self.addressed_to),
                            actor=actor)

    @event("RaisedBefore")
    def _raised_before(self, question_id: UUID, addressed_to: list[str],
                       actor: dict[str, Any]) -> None:
        self.raised_before.append(question_id)


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
