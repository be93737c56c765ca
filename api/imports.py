"""Transcript imports: a live blog or an article in, a dialogue with its
questions, answers and promise candidates out."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import RAISE

from api import schemas
from api.auth import require_small_body, require_token
from api.context import actor, service
from api.errors import ApiError
from api.writes import execute
from domain.dialogue import Dialogue
from service.commands import ImportTranscript
from service.transcript.spreadsheet import (
    XLSX,
    NotATable,
    NotAWorkbook,
    rows_from_csv,
    rows_from_xlsx,
)

blp = Blueprint("imports", __name__, url_prefix="/api/v1/imports",
                description="Turning a dialogue's transcript into records to confirm")
blp.before_request(require_token)


def _text_body() -> str:
    require_small_body()
    if request.mimetype not in ("text/plain", "text/csv", XLSX):
        got = request.mimetype or "no Content-Type"
        raise ApiError(415, "send the transcript as text/plain; charset=utf-8, or a table of "
                       f"petitions and replies as text/csv or as XLSX ({XLSX}) (got {got})")
    raw = request.get_data()
    if request.mimetype == XLSX:
        try:
            table = rows_from_xlsx(raw)
        except NotAWorkbook as error:
            raise ApiError(400, str(error), fields={"body": ["not an XLSX workbook"]}) from None
        except NotATable as error:
            raise ApiError(422, str(error), fields={"body": [str(error)]}) from None
        rows: str = schemas.TranscriptIn().load({"text": table})["text"]
        return rows
    try:
        text = raw.decode(request.mimetype_params.get("charset", "utf-8"))
    except (UnicodeDecodeError, LookupError) as error:
        raise ApiError(400, f"the transcript is not valid text in its charset: {error}",
                       fields={"body": ["not UTF-8 text"]}) from None
    transcript: str = schemas.TranscriptIn().load({"text": text})["text"]
    if request.mimetype == "text/csv":
        try:
            return rows_from_csv(transcript)
        except NotATable as error:
            raise ApiError(422, str(error), fields={"body": [str(error)]}) from None
    return transcript


@blp.route("/transcripts", methods=["POST"])
@blp.arguments(schemas.ImportQuery(), location="query", unknown=RAISE)
@blp.response(201, schemas.ImportOut)
@blp.alt_response(200, schema=schemas.ImportOut, description="a dry run: nothing stored")
@blp.doc(requestBody={"required": True, "content": {
    "text/plain": {"schema": {"type": "string", "description": "the transcript, UTF-8"}},
    "text/csv": {"schema": {"type": "string", "description":
                 "a table of petitions and replies (a header row, then a row each)"}},
    XLSX: {"schema": {"type": "string", "format": "binary", "description":
           "the same table as an XLSX workbook (its first sheet)"}}}})
def import_transcript(args: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Import a transcript (admin): records the dialogue, its questions and
    answers, and each promise found as a `proposed` commitment to confirm,
    edit or reject. Agencies are matched by name (aliases); a name that
    matches none makes an unconfirmed agency. `dry_run=true` stores nothing."""
    command = ImportTranscript(
        title=args["dialogue_title"], held_on=args["held_on"], text=_text_body(),
        place=args.get("place"), source_url=args.get("source_url"), forum=args["forum"])
    if args["dry_run"]:
        dialogue = service().try_out(command, actor())
    else:
        dialogue = service().result(execute(command))
    assert isinstance(dialogue, Dialogue)
    return import_result(dialogue, dry_run=args["dry_run"]), 200 if args["dry_run"] else 201


def import_result(dialogue: Dialogue, dry_run: bool) -> dict[str, Any]:
    summary = dialogue.imports[-1]
    counts = {
        "questions": len(summary["questions"]),
        "answers": len(summary["answers"]),
        "links": sum(len(a["question_ids"]) for a in summary["answers"]),
        "candidates": len(summary["candidates"]),
        "unanswered": len(summary["unanswered"]),
        "agencies_created": len(summary["agencies_created"]),
    }
    return {"dialogue_id": dialogue.id, "dry_run": dry_run, "counts": counts, **summary}
