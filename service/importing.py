"""Importing a transcript: parse it, match its agencies, and record the
dialogue, its questions, answers and promise candidates.

There is no second write path: each record is made by the same handler the
API runs for it (`record_dialogue`, `ask_question`, `give_answer`,
`make_commitment`, `register_agency`), against a view of the store that also
sees what the import has made so far. Everything is then saved in one atomic
write, so a failed import stores nothing and a retried one (same
Idempotency-Key) stores nothing new.

Agencies are matched by name through the alias records (`AgencyName`): the
name an answer's responder speaks for, folded, without the province
qualifier. A name that matches nothing creates an unconfirmed agency, for the
secretariat to confirm, or to give as an alias to the agency it meant. An
agency succeeded before the dialogue was held hands its candidates to its
successor.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.access import Permission, authorize
from domain.agency import Agency, AgencyName, agency_id, agency_name_id, initials_code
from domain.commitment import Commitment
from domain.deadlines import Kind, recordable_due
from domain.dialogue import Answer, Dialogue, Question
from domain.errors import InvalidInput
from service import commands as c
from service.handlers import (
    Context,
    Store,
    ask_question,
    give_answer,
    load,
    make_commitment,
    record_dialogue,
    register_agency,
)
from service.transcript import Speaker, Transcript, parse

C = TypeVar("C")


class Pending:
    """The store as an import sees it: what it has made so far, over what is
    saved. Handlers read through it exactly as through the repository.

    What it reads from the store it keeps: every question, answer and
    candidate names its agency, and reading the agency from the database
    each time cost a round trip per record. One import thus sees the store
    as it was when it first looked, and a concurrent change to an aggregate
    it changes still fails its atomic write."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.made: dict[UUID, Aggregate] = {}
        self.read: dict[UUID, Any] = {}

    def get(self, aggregate_id: UUID, *, version: int | None = None) -> Any:
        if version is not None:
            return self.store.get(aggregate_id, version=version)
        if aggregate_id in self.made:
            return self.made[aggregate_id]
        if aggregate_id not in self.read:
            self.read[aggregate_id] = self.store.get(aggregate_id)
        return self.read[aggregate_id]

    def __contains__(self, item: UUID, /) -> bool:
        return item in self.made or item in self.store

    def add(self, aggregates: list[Aggregate]) -> None:
        for aggregate in aggregates:
            self.made[aggregate.id] = aggregate


@dataclass
class _Import:
    """One import in progress: the handlers' context and what they made."""

    ctx: Context
    held_on: date
    pending: Pending
    changed: dict[UUID, Aggregate] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # name as written -> code
    created: list[dict[str, str]] = field(default_factory=list)
    matched: list[dict[str, str]] = field(default_factory=list)

    def run(self, handler: Callable[[C, Context], list[Aggregate]], command: C
            ) -> Aggregate:
        made = handler(command, self.ctx)
        self.pending.add(made)
        for aggregate in made:
            self.changed[aggregate.id] = aggregate
        return made[0]

    def agency(self, name: str) -> str:
        """The code of the agency `name` means, creating an unconfirmed one."""
        name = " ".join(name.split())
        if name in self.codes:
            return self.codes[name]
        if agency_name_id(name) in self.pending:
            claim = load(self.pending, AgencyName, agency_name_id(name))
            code = self._successor_on_the_day(claim.code)
            self.matched.append({"name": name, "code": code})
        else:
            code = self._free_code(initials_code(name))
            self.run(register_agency, c.RegisterAgency(code=code, name=name, confirmed=False))
            self.created.append({"name": name, "code": code})
        self.codes[name] = code
        return code

    def _successor_on_the_day(self, code: str) -> str:
        agency = load(self.pending, Agency, agency_id(code))
        seen = {agency.code}
        while (agency.successor and agency.succeeded_on is not None
               and agency.succeeded_on <= self.held_on and agency.successor not in seen):
            agency = load(self.pending, Agency, agency_id(agency.successor))
            seen.add(agency.code)
        return str(agency.code)

    def _free_code(self, base: str) -> str:
        code, n = base, 1
        while agency_id(code) in self.pending:
            n += 1
            code = f"{base}{n}"
        return code


def import_transcript(cmd: c.ImportTranscript, ctx: Context) -> list[Aggregate]:
    """Record what the transcript holds; the dialogue comes first, carrying
    the import's summary as its `TranscriptImported` event."""
    authorize(ctx.actor, Permission.RECORD)
    if not cmd.text.strip():
        raise InvalidInput("text", "the transcript is empty")
    transcript = parse(cmd.text, cmd.held_on)
    if not (transcript.questions or transcript.answers or transcript.candidates):
        raise InvalidInput(
            "text", "no question, answer or promise was found in the text: is it the "
            "report of a dialogue (speakers who 'đặt câu hỏi', 'trả lời', 'đề nghị ...'), "
            "or a reply to voters' petitions ('Cử tri ... đề nghị:', 'Trả lời:')?")
    pending = Pending(ctx.repository)
    work = _Import(ctx=replace(ctx, repository=pending), held_on=cmd.held_on, pending=pending)
    chair = transcript.chair
    dialogue = work.run(record_dialogue, c.RecordDialogue(
        title=cmd.title, held_on=cmd.held_on, place=cmd.place,
        chair=(f"{chair.name}, {chair.title}" if chair.title else chair.name) if chair else None,
        source_url=cmd.source_url, forum=cmd.forum))
    assert isinstance(dialogue, Dialogue)

    answering: dict[str, list[str]] = {}  # question key -> codes of agencies answering it
    answer_codes: dict[str, str] = {}
    for answer in transcript.answers:
        code = work.agency(_speaks_for(answer.responder))
        answer_codes[answer.key] = code
        for key in answer.question_keys:
            answering.setdefault(key, []).append(code)

    questions: dict[str, Question] = {}
    for q in transcript.questions:
        made = work.run(ask_question, c.AskQuestion(
            dialogue_id=dialogue.id,
            asker={**_person(q.asker), "kind": q.asker.kind},
            text=q.text,
            addressed_to=list(dict.fromkeys(answering.get(q.key, []))),
            topics=list(q.topics),
            asked_at=_at(cmd.held_on, q.at, ctx),
        ))
        assert isinstance(made, Question)
        questions[q.key] = made

    evidence_of: dict[str, list[dict[str, Any]]] = {}
    for item in transcript.evidence:
        if item.answer_key:
            evidence_of.setdefault(item.answer_key, []).append(
                {"quote": item.quote, "documents": list(item.documents)})
    answers: dict[str, Answer] = {}
    for answer in transcript.answers:
        made = work.run(give_answer, c.GiveAnswer(
            question_ids=[questions[key].id for key in answer.question_keys],
            responder={**_person(answer.responder), "agency": answer_codes[answer.key]},
            text=answer.text,
            answered_at=_at(cmd.held_on, answer.at, ctx),
            dialogue_id=dialogue.id,
            linked_by=answer.linked_by.value if answer.linked_by else None,
            evidence=evidence_of.get(answer.key, []),
        ))
        assert isinstance(made, Answer)
        answers[answer.key] = made

    candidates: list[tuple[Commitment, str | None]] = []
    for candidate in transcript.candidates:
        source = answers.get(candidate.answer_key) if candidate.answer_key else None
        made = work.run(make_commitment, c.MakeCommitment(
            agency=work.agency(candidate.owner),
            text=candidate.quote,
            kind=_kind(candidate.kind),
            answer_id=source.id if source else None,
            dialogue_id=dialogue.id,
            due_on=recordable_due(candidate.due_on, cmd.held_on),
            proposed=True,
        ))
        assert isinstance(made, Commitment)
        candidates.append((made, candidate.due_text))

    dialogue.record_import(
        _summary(cmd, transcript, questions, answers, candidates, work), ctx.recorded_by)
    return [dialogue, *(a for a in work.changed.values() if a.id != dialogue.id)]


def _speaks_for(speaker: Speaker) -> str:
    # Nobody answers in a vacuum: without a named agency, the title (or the
    # person) is what the secretariat will have to map.
    return speaker.agency or speaker.title or speaker.name


def _person(speaker: Speaker) -> dict[str, Any]:
    person = {"name": speaker.name, "title": speaker.title or None,
              "organisation": speaker.organisation or None}
    return {key: value for key, value in person.items() if value}


def _at(held_on: date, at: time | None, ctx: Context) -> datetime | None:
    return None if at is None else datetime.combine(held_on, at, tzinfo=ctx.timezone)


def _kind(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        return Kind.OTHER


def _summary(cmd: c.ImportTranscript, transcript: Transcript, questions: dict[str, Question],
             answers: dict[str, Answer], candidates: list[tuple[Commitment, str | None]],
             work: _Import) -> dict[str, Any]:
    answered = {qid for a in answers.values() for qid in a.question_ids}
    return {
        "source_sha256": hashlib.sha256(cmd.text.encode()).hexdigest(),
        "source_chars": len(cmd.text),
        "questions": [
            {"id": str(q.id), "key": key, "asker": q.asker, "answered": q.id in answered}
            for key, q in questions.items()
        ],
        "answers": [
            {"id": str(a.id), "key": key, "responder": a.responder,
             "question_ids": [str(qid) for qid in a.question_ids], "linked_by": a.linked_by,
             "evidence": a.evidence}
            for key, a in answers.items()
        ],
        "candidates": [
            {"id": str(cm.id), "agency": cm.agency, "kind": cm.kind.value, "text": cm.text,
             "due_on": cm.due_on.isoformat(), "due_basis": cm.due_basis.value,
             "due_text": due_text,
             "answer_id": str(cm.answer_id) if cm.answer_id else None}
            for cm, due_text in candidates
        ],
        "unanswered": [str(q.id) for q in questions.values() if q.id not in answered],
        "agencies_created": work.created,
        "agencies_matched": work.matched,
    }
