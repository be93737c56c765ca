"""The public changes of promises, newest first: what the Atom feeds list,
one entry per change (service.disclosure.PUBLIC_CHANGES); a dialogue's feed
lists its questions asked and answers given among them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from service.disclosure import PUBLIC_CHANGES
from service.queries import Queries
from service.read_model import as_date

_WORDS = ", ".join(f"'{name}'" for name in sorted(PUBLIC_CHANGES))
# What the feeds and the followers' mails take, the one place each rule is
# written: a public change of a promise (`h`, a row of rm_history), never a
# candidate's; and an answer (`a`, of rm_answers) its dialogue's page shows,
# under a question it addresses, once the day it was given (`:today`) has come.
PUBLIC_CHANGE = f"h.event IN ({_WORDS}) AND h.status NOT IN ('proposed', 'rejected')"
SHOWN_ANSWER = "(a.answered_on IS NULL OR a.answered_on <= :today) AND a.question_ids <> '[]'"


@dataclass(frozen=True)
class Change:
    commitment_id: UUID
    version: int
    event: str
    effective_on: date
    recorded_at: datetime
    agency: str
    text: str
    status: str
    detail: dict[str, Any]


def changes(queries: Queries, *, commitment: UUID | None = None, agency: str | None = None,
            dialogue: UUID | None = None, limit: int = 50) -> list[Change]:
    """The latest public changes of one promise, an agency's, a dialogue's,
    or all; a candidate's are never among them."""
    queries.fresh()
    clauses = [PUBLIC_CHANGE]
    if commitment is not None:
        clauses.append("h.commitment_id = :commitment")
    if agency is not None:
        clauses.append("c.agency = :agency")
    if dialogue is not None:
        clauses.append("c.dialogue_id = :dialogue")
    rows = queries.view.rows(
        "SELECT h.commitment_id, h.version, h.event, h.effective_on, h.recorded_at, h.detail, "
        "h.status, c.agency, c.text FROM rm_history h JOIN rm_commitments c "
        f"ON c.id = h.commitment_id WHERE {' AND '.join(clauses)} "
        "ORDER BY h.recorded_at DESC, h.version DESC LIMIT :limit",
        commitment=str(commitment) if commitment else None, agency=agency,
        dialogue=str(dialogue) if dialogue else None, limit=limit)
    return [Change(UUID(str(r["commitment_id"])), int(r["version"]), str(r["event"]),
                   as_date(r["effective_on"]), datetime.fromisoformat(str(r["recorded_at"])),
                   str(r["agency"]), str(r["text"]), str(r["status"]), json.loads(r["detail"]))
            for r in rows]


class Spoken(StrEnum):
    ASKED = "QuestionAsked"
    ANSWERED = "AnswerGiven"


@dataclass(frozen=True)
class Said:
    """A question asked or an answer given at a dialogue, as its public page
    shows it: who spoke, by name (never how to reach them), and what."""

    kind: Spoken
    id: UUID
    # The question itself, or the first one an answer addresses: where the
    # dialogue's page shows it.
    question_id: UUID
    recorded_at: datetime
    who: dict[str, Any]
    text: str


def dialogue_changes(queries: Queries, dialogue: UUID, limit: int = 50
                     ) -> list[Change | Said]:
    """A dialogue's latest public changes, newest first: each question asked,
    each answer given, and each public change of its promises. An answer is
    here when the dialogue's page shows it: under a question it addresses,
    and once the day it was given has come."""
    queries.fresh()
    asked = queries.view.rows(
        "SELECT id, asker, text, recorded_at FROM rm_questions WHERE dialogue_id = :id "
        "ORDER BY position DESC LIMIT :limit", id=str(dialogue), limit=limit)
    answered = queries.view.rows(
        "SELECT a.id, a.responder, a.text, a.recorded_at, a.question_ids FROM rm_answers a "
        f"WHERE a.dialogue_id = :id AND {SHOWN_ANSWER} ORDER BY a.position DESC LIMIT :limit",
        id=str(dialogue), today=queries.app.clock(), limit=limit)
    said = [Said(Spoken.ASKED, UUID(str(r["id"])), UUID(str(r["id"])),
                 datetime.fromisoformat(str(r["recorded_at"])), json.loads(r["asker"]),
                 str(r["text"])) for r in asked]
    said += [Said(Spoken.ANSWERED, UUID(str(r["id"])), UUID(json.loads(r["question_ids"])[0]),
                  datetime.fromisoformat(str(r["recorded_at"])), json.loads(r["responder"]),
                  str(r["text"])) for r in answered]
    found: list[Change | Said] = [*changes(queries, dialogue=dialogue, limit=limit), *said]
    found.sort(key=lambda entry: entry.recorded_at, reverse=True)
    return found[:limit]
