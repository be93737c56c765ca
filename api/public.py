from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import RAISE

from api import schemas
from api.auth import require_json_body
from api.context import queries, service
from api.visibility import check_read
from domain.commitment import Commitment
from service import queries as views
from service.asker import give_feedback

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


@blp.route("/asker-feedback", methods=["POST"])
@blp.arguments(schemas.AskerFeedbackIn())
@blp.response(201, schemas.AskerFeedbackGiven)
@blp.doc(security=[])
def asker_feedback(body: dict[str, Any]) -> Commitment:
    """The asker confirms the agency's claim, or contests it with a note: the
    verdict is the one the mailed link stands for (no token: the link's
    signature is the proof; valid 60 days, for the agency's latest claim)."""
    return give_feedback(service(), body["token"], body.get("note"))
