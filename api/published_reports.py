"""Reports before they go out: opened for the agencies' replies, then
published and frozen (the public page is /reports/published/{id})."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Blueprint

from api import schemas
from api.auth import protect
from api.context import actor, queries, service
from api.visibility import check_read, own_agency_only
from service.published_reports import PublishedReports, ReportLine, ReportView, view_of

blp = Blueprint("published_reports", __name__, url_prefix="/api/v1",
                description="Reports before they go out: the agencies' right of reply")
protect(blp)


def reports() -> PublishedReports:
    return PublishedReports(service(), queries())


@blp.route("/published-reports", methods=["POST"])
@blp.arguments(schemas.PublishedReportIn())
@blp.response(201, schemas.PublishedReportOut)
def open_report(body: dict[str, Any]) -> ReportView:
    """Open a report as of a date for the agencies' replies (admin): its
    entries are every promise in play on `as_of`, as the record stands now;
    each agency in it with an address is mailed a link to its entries."""
    return view_of(reports().open(actor(), body["title"], body["as_of"], body["reply_days"]))


@blp.route("/published-reports", methods=["GET"])
@blp.response(200, schemas.PublishedReportSummaryOut(many=True))
def list_reports() -> list[ReportLine]:
    """Every report, the latest opened first (staff and agencies; the public
    reads published ones at /reports/published/{id})."""
    check_read("published_report")
    return reports().lines(own_agency_only())


@blp.route("/published-reports/<uuid:report_id>", methods=["GET"])
@blp.response(200, schemas.PublishedReportOut)
def get_report(report_id: UUID) -> ReportView:
    """A report with its entries and the replies beside them; an agency's
    officer reads its own agency's entries only."""
    check_read("published_report")
    return view_of(reports().get(report_id), own_agency_only())


@blp.route("/published-reports/<uuid:report_id>/replies", methods=["POST"])
@blp.arguments(schemas.ReplyIn())
@blp.response(201, schemas.ReplyOut)
def reply(body: dict[str, Any], report_id: UUID) -> dict[str, Any]:
    """The owning agency's reply to one of its entries, while replies are
    open (a later reply replaces it); the secretariat may enter one too."""
    found = reports().reply(actor(), report_id, body["commitment_id"], body["text"])
    return {"report_id": found.id, "commitment_id": body["commitment_id"],
            **found.replies[str(body["commitment_id"])]}


@blp.route("/published-reports/<uuid:report_id>/publish", methods=["POST"])
@blp.response(200, schemas.PublishedReportOut)
def publish(report_id: UUID) -> ReportView:
    """Publish and freeze the report (admin), once the reply window has
    closed (at once when `reply_days` was 0), with the log's head digest."""
    return view_of(reports().publish(actor(), report_id))
