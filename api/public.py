from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import RAISE

from api import schemas
from api.context import queries
from api.visibility import check_read
from service import queries as views

blp = Blueprint("public", __name__, url_prefix="/api/v1/public",
                description="Anonymous reads for public accountability")


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
