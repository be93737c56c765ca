from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Blueprint
from marshmallow import RAISE

from api import schemas
from api.auth import protect
from api.context import queries, service
from api.visibility import check_read
from api.writes import execute
from domain.dialogue import Answer
from domain.status import Status
from service import queries as views
from service.commands import (
    AskQuestion,
    CarryOver,
    GiveAnswer,
    LinkEarlierQuestion,
    RecordDialogue,
)
from service.queries import Sort

blp = Blueprint("dialogues", __name__, url_prefix="/api/v1",
                description="Dialogues, the questions asked and the answers given")
protect(blp)


@blp.route("/dialogues", methods=["GET"])
@blp.arguments(schemas.DialogueQuery(), location="query", unknown=RAISE)
@blp.response(200, schemas.DialoguePage)
def list_dialogues(args: dict[str, Any]) -> views.DialoguePage:
    """Dialogues (every kind of forum), the most recently held first, a page at
    a time with the total: `year`, `kind` (of forum) and `q` (accent-insensitive
    words) filter; `next` is the cursor of the following page."""
    check_read("dialogue")
    where = views.DialogueFilter(year=args.get("year"), forum=args.get("kind"), q=args.get("q"))
    return queries().list_dialogues(where, cursor=args.get("cursor"), limit=args["limit"])


@blp.route("/dialogues", methods=["POST"])
@blp.arguments(schemas.DialogueIn())
@blp.response(201, schemas.DialogueOut)
def record_dialogue(body: dict[str, Any]) -> views.DialogueView:
    """Record a dialogue conference (admin)."""
    outcome = execute(RecordDialogue(**body))
    # As just recorded, from the write itself: no wait for the projector.
    recorded = views.DialogueRecord.of(service().result(outcome))
    return views.DialogueView(recorded, questions=0, answered=0, commitments=0)


@blp.route("/dialogues/<uuid:dialogue_id>", methods=["GET"])
@blp.response(200, schemas.DialogueOut)
def get_dialogue(dialogue_id: UUID) -> views.DialogueView:
    """A dialogue with its questions answered and commitments by status."""
    check_read("dialogue")
    return queries().dialogue(dialogue_id)


@blp.route("/dialogues/<uuid:dialogue_id>/questions", methods=["POST"])
@blp.arguments(schemas.QuestionIn())
@blp.response(201, schemas.QuestionOut)
def ask_question(body: dict[str, Any], dialogue_id: UUID) -> views.QuestionView:
    """Record a question asked at the dialogue (admin)."""
    asker = dict(body.pop("asker"))
    # Kept apart from the question (domain.asker): never on a public page.
    contact = asker.pop("contact", None)
    outcome = execute(AskQuestion(dialogue_id=dialogue_id, asker=asker, contact=contact,
                                  **body))
    # As just asked, from the write itself: no wait for the projector.
    return views.QuestionView(views.QuestionRecord.of(service().result(outcome)), [], [],
                              contact=contact)


@blp.route("/questions/<uuid:question_id>", methods=["GET"])
@blp.response(200, schemas.QuestionOut)
def get_question(question_id: UUID) -> views.QuestionView:
    """A question with its answers and whether it was answered, and the
    commitments made in answer to it that the caller may read."""
    check_read("question")
    return queries().question(question_id)


@blp.route("/answers", methods=["POST"])
@blp.arguments(schemas.AnswerIn())
@blp.response(201, schemas.AnswerOut)
def give_answer(body: dict[str, Any]) -> Answer:
    """Record an answer to one or more questions (admin)."""
    outcome = execute(GiveAnswer(**body))
    return service().result(outcome)  # type: ignore[no-any-return]


@blp.route("/dialogues/<uuid:dialogue_id>/candidates", methods=["GET"])
@blp.arguments(schemas.CandidateQuery(), location="query", unknown=RAISE)
@blp.response(200, schemas.CommitmentPage)
def list_candidates(args: dict[str, Any], dialogue_id: UUID) -> views.Page:
    """The dialogue's promise candidates still to be confirmed or rejected, in
    the order they were made; each one's `text` is the sentence quoted from
    the transcript. Confirm or reject with POST /commitments/{id}/updates
    (`confirm`, or `reject` with a note); correct with POST /commitments/{id}/edits."""
    check_read("candidates")
    queries().dialogue(dialogue_id)  # 404 for a dialogue that does not exist
    where = views.CommitmentFilter(dialogue=dialogue_id, status=Status.PROPOSED)
    return queries().list_commitments(where, sort=Sort.MADE, cursor=args.get("cursor"),
                                      limit=args["limit"])


@blp.route("/dialogues/<uuid:dialogue_id>/carry-overs", methods=["POST"])
@blp.arguments(schemas.CarryOverIn())
@blp.response(201, schemas.DialogueOut)
def carry_over(body: dict[str, Any], dialogue_id: UUID) -> views.DialogueView:
    """Carry a promise still owed from an earlier dialogue into this one
    (admin): the dialogue lists it under `carried_over`, the promise's
    history records it; its owner, dates and status stay."""
    execute(CarryOver(dialogue_id, body["commitment_id"]))
    return queries().dialogue(dialogue_id)


@blp.route("/questions/<uuid:question_id>/earlier", methods=["POST"])
@blp.arguments(schemas.EarlierIn())
@blp.response(201, schemas.QuestionOut)
def link_earlier(body: dict[str, Any], question_id: UUID) -> views.QuestionView:
    """Record that this question raises the same grievance as one asked at an
    earlier forum (admin): it then answers `raised_before` and `times_raised`."""
    execute(LinkEarlierQuestion(question_id, body["question_id"]))
    return queries().question(question_id)
