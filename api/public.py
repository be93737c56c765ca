from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import RAISE

from api import schemas
from api.auth import require_json_body
from api.context import queries, service
from api.errors import ApiError
from api.visibility import check_read
from domain.commitment import Commitment
from domain.follow import Followed
from service import queries as views
from service.asker import give_feedback
from service.follows import Follows, TooManySignUps

blp = Blueprint("public", __name__, url_prefix="/api/v1/public",
                description="Anonymous reads for public accountability, and what the "
                            "people who asked send back")
blp.before_request(require_json_body)


@blp.route("/reports/agencies", methods=["GET"])
@blp.arguments(schemas.ReportQuery(), location="query", unknown=RAISE)
@blp.response(200, schemas.AgencyScoreOut(many=True))
@blp.doc(security=[])
def agency_report(args: dict[str, Any]) -> list[views.AgencyScore]:
    """Per agency: promises made and kept, as of a date, for one dialogue, the
    forums of one kind, or all."""
    check_read("public_report")
    return queries().agency_scores(as_of=args.get("as_of"), dialogue=args.get("dialogue"),
                                   forum=args.get("forum"))


@blp.route("/reports/grievances", methods=["GET"])
@blp.arguments(schemas.GrievanceQuery(), location="query", unknown=RAISE)
@blp.response(200, schemas.GrievanceOut(many=True))
@blp.doc(security=[])
def grievances(args: dict[str, Any]) -> list[views.Grievance]:
    """The grievances raised most often (at least twice), each by its latest
    question; `?agency=` those put to one agency."""
    check_read("public_report")
    return queries().grievances(args.get("agency"))


@blp.route("/asker-feedback", methods=["POST"])
@blp.arguments(schemas.AskerFeedbackIn())
@blp.response(201, schemas.AskerFeedbackGiven)
@blp.doc(security=[])
def asker_feedback(body: dict[str, Any]) -> Commitment:
    """The asker confirms the agency's claim, or contests it with a note: the
    verdict is the one the mailed link stands for (no token: the link's
    signature is the proof; valid 60 days, for the agency's latest claim)."""
    return give_feedback(service(), body["token"], body.get("note"))


@blp.route("/follows", methods=["POST"])
@blp.arguments(schemas.FollowIn())
@blp.response(202, schemas.FollowAccepted)
@blp.alt_response(429, description="too many sign-ups lately from this client or for "
                                   "this address (Retry-After)")
@blp.doc(security=[])
def follow(body: dict[str, Any]) -> dict[str, str]:
    """Follow a promise, an agency or a dialogue by mail (no token): a mail
    with a link to confirm is sent, and nothing else until it is confirmed;
    then each public change sends a mail with a one-click unsubscribe link.
    The answer is the same whether or not the address follows it already."""
    kind, target = followed(body)
    try:
        Follows(service(), current_app.extensions["lockout"]).request(
            client=request.remote_addr or "unknown", email=body["email"], kind=kind,
            target=target)
    except TooManySignUps as error:
        raise ApiError(429, error.message, code=error.code,
                       headers={"Retry-After": str(error.retry_after)}) from None
    return {"message": "if the address can follow it, a mail with a link to confirm is on "
                       "its way"}


def followed(body: dict[str, Any]) -> tuple[Followed, str]:
    """What a sign-up follows, from its one given field."""
    if body.get("commitment_id"):
        return Followed.COMMITMENT, str(body["commitment_id"])
    if body.get("agency"):
        return Followed.AGENCY, str(body["agency"])
    return Followed.DIALOGUE, str(body["dialogue_id"])
