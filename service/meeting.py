"""A dialogue as the secretariat works on it: every question and answer in the
order they were recorded (the order of the meeting), each answer with the
commitments it carries, candidates still to be decided included. Unlike the
public report, nothing here is withheld from staff."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.errors import NotFound
from domain.status import Status
from service.queries import CommitmentFilter, CommitmentView, Queries, Sort
from service.read_model import as_date


@dataclass(frozen=True)
class AskedEntry:
    id: UUID
    asker: dict[str, Any]
    text: str
    asked_at: str | None
    # Answers to it, by their place in the meeting.
    answered_by: list[int]

    kind = "question"

    @property
    def answered(self) -> bool:
        return bool(self.answered_by)


@dataclass(frozen=True)
class AnsweredEntry:
    id: UUID
    responder: dict[str, Any]
    text: str
    answered_on: date | None
    # The questions it answers, by their place in the meeting.
    answers: list[int]
    linked_by: str | None
    commitments: list[CommitmentView] = field(default_factory=list)

    kind = "answer"


@dataclass(frozen=True)
class Meeting:
    id: UUID
    title: str
    forum: str
    held_on: date
    place: str | None
    chair: str | None
    source_url: str | None
    entries: list[AskedEntry | AnsweredEntry]
    # Commitments recorded against the dialogue but no answer (the chair's
    # directives, or promises typed in later).
    others: list[CommitmentView]
    # The agencies its last transcript import did not recognise and created
    # unconfirmed: {code, name}.
    agencies_created: list[dict[str, str]]

    @property
    def unanswered(self) -> list[AskedEntry]:
        return [e for e in self.entries if isinstance(e, AskedEntry) and not e.answered]

    @property
    def candidates(self) -> int:
        return sum(1 for c in self.commitments if c.status == Status.PROPOSED.value)

    @property
    def commitments(self) -> list[CommitmentView]:
        carried = [c for e in self.entries if isinstance(e, AnsweredEntry)
                   for c in e.commitments]
        return carried + self.others

    @property
    def questions(self) -> list[AskedEntry]:
        return [e for e in self.entries if isinstance(e, AskedEntry)]

    @property
    def answers(self) -> list[AnsweredEntry]:
        return [e for e in self.entries if isinstance(e, AnsweredEntry)]


def meeting(queries: Queries, dialogue_id: UUID) -> Meeting:
    """The dialogue's record, in meeting order, from the read tables."""
    queries.fresh()
    key = str(dialogue_id)
    found = queries.view.rows("SELECT title, forum, held_on, place, chair, source_url "
                              "FROM rm_dialogues WHERE id = :id", id=key)
    if not found:
        raise NotFound(f"no dialogue with id {dialogue_id}")
    [dialogue] = found
    last_import = queries.view.rows(
        "SELECT agencies_created FROM rm_imports WHERE dialogue_id = :id "
        "ORDER BY position DESC LIMIT 1", id=key)
    asked = queries.view.rows(
        "SELECT id, asker, text, position, asked_at FROM rm_questions "
        "WHERE dialogue_id = :id", id=key)
    answered = queries.view.rows("SELECT * FROM rm_answers WHERE dialogue_id = :id", id=key)
    links = queries.view.rows(
        "SELECT aq.answer_id, aq.question_id FROM rm_answer_questions aq "
        "JOIN rm_answers a ON a.id = aq.answer_id WHERE a.dialogue_id = :id "
        "ORDER BY aq.position", id=key)
    by_answer: dict[str, list[CommitmentView]] = {}
    others: list[CommitmentView] = []
    for view in queries.every_commitment(CommitmentFilter(dialogue=dialogue_id),
                                         sort=Sort.MADE):
        answer = view.source["answer_id"]
        if answer is None:
            others.append(view)
        else:
            by_answer.setdefault(str(answer), []).append(view)

    # Questions and answers are numbered together, in the order recorded.
    order = sorted([("q", r) for r in asked] + [("a", r) for r in answered],
                   key=lambda pair: int(pair[1]["position"]))
    place = {str(row["id"]): n for n, (_, row) in enumerate(order, start=1)}
    answers_of: dict[str, list[int]] = {}
    questions_of: dict[str, list[int]] = {}
    for link in links:
        answer, question = str(link["answer_id"]), str(link["question_id"])
        if question in place:
            answers_of.setdefault(question, []).append(place[answer])
            questions_of.setdefault(answer, []).append(place[question])
    entries: list[AskedEntry | AnsweredEntry] = []
    for what, row in order:
        ident = str(row["id"])
        if what == "q":
            at = row["asked_at"]
            entries.append(AskedEntry(
                UUID(ident), json.loads(row["asker"]), row["text"],
                datetime.fromisoformat(at).strftime("%H:%M") if at else None,
                sorted(answers_of.get(ident, []))))
        else:
            entries.append(AnsweredEntry(
                UUID(ident), json.loads(row["responder"]), row["text"],
                as_date(row["answered_on"]) if row["answered_on"] else None,
                sorted(questions_of.get(ident, [])), row["linked_by"],
                by_answer.pop(ident, [])))
    # A commitment whose answer is not in this dialogue's tables is still shown.
    others.extend(view for views in by_answer.values() for view in views)
    return Meeting(
        id=dialogue_id, title=dialogue["title"], forum=dialogue["forum"],
        held_on=as_date(dialogue["held_on"]), place=dialogue["place"],
        chair=dialogue["chair"], source_url=dialogue["source_url"], entries=entries,
        others=others,
        agencies_created=json.loads(last_import[0]["agencies_created"]) if last_import else [])


@dataclass(frozen=True)
class DialogueLine:
    """A dialogue in the secretariat's list, with what is left to do on it."""

    id: UUID
    title: str
    forum: str
    held_on: date
    place: str | None
    questions: int
    unanswered: int
    candidates: int
    promises: int


def dialogues(queries: Queries) -> list[DialogueLine]:
    """Every dialogue, the latest held first (those not yet held included)."""
    queries.fresh()
    rows = queries.view.rows(
        "SELECT d.id, d.title, d.forum, d.held_on, d.place, "
        "(SELECT COUNT(*) FROM rm_questions q WHERE q.dialogue_id = d.id) AS asked, "
        "(SELECT COUNT(*) FROM rm_questions q WHERE q.dialogue_id = d.id AND q.answers = 0)"
        " AS unanswered, "
        "(SELECT COUNT(*) FROM rm_commitments c WHERE c.dialogue_id = d.id "
        " AND c.status = :proposed) AS candidates, "
        "(SELECT COUNT(*) FROM rm_commitments c WHERE c.dialogue_id = d.id "
        " AND c.status NOT IN (:proposed, :rejected)) AS promises "
        "FROM rm_dialogues d ORDER BY d.held_on DESC, d.position DESC",
        proposed=Status.PROPOSED.value, rejected=Status.REJECTED.value)
    return [DialogueLine(UUID(str(r["id"])), r["title"], r["forum"], as_date(r["held_on"]),
                         r["place"],
                         int(r["asked"]), int(r["unanswered"]), int(r["candidates"]),
                         int(r["promises"])) for r in rows]
