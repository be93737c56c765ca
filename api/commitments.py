from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from api import schemas
from api.auth import protect
from api.context import actor, queries, service
from api.visibility import check_read, own_agency_only
from api.writes import execute, expected_version
from domain.access import requests_only
from service import queries as views
from service.commands import (
    CorrectCommitment,
    DecideExtension,
    EditCommitment,
    GiveVerdict,
    MakeCommitment,
    UpdateCommitment,
)
from service.idempotency import Outcome

blp = Blueprint("commitments", __name__, url_prefix="/api/v1/commitments",
                description="Promises, their updates and the auditors' verdicts")
protect(blp)

Reply = tuple[views.CommitmentView, int, dict[str, str]]


def _reply(outcome: Outcome, status: int) -> Reply:
    app = service()
    view = views.CommitmentView.of(app.result(outcome), app.clock())
    return view, status, {"ETag": f'"{view.version}"'}


@blp.route("")
class CommitmentList(MethodView):
    @blp.arguments(schemas.CommitmentQuery(), location="query", unknown=RAISE)
    @blp.response(200, schemas.CommitmentPage)
    def get(self, args: dict[str, Any]) -> views.Page:
        """Commitments, filtered and sorted, a page at a time, with the total.

        Read from the read tables; a response carrying `X-Read-Model-Lag: N`
        was answered while N events were not yet applied to them."""
        own = own_agency_only()
        if own is not None:
            if args.get("agency") not in (None, own):
                check_read("commitment", args["agency"])  # refused, saying where to look
            args["agency"] = own
        as_of = args.pop("as_of", None)
        cursor = args.pop("cursor", None)
        limit = args.pop("limit")
        sort = args.pop("sort")
        return queries().list_commitments(
            views.CommitmentFilter(**args), as_of=as_of, sort=sort, cursor=cursor, limit=limit,
        )

    @blp.arguments(schemas.CommitmentIn())
    @blp.response(201, schemas.CommitmentOut)
    def post(self, body: dict[str, Any]) -> Reply:
        """Record a commitment made in an answer or a directive (admin)."""
        proposed = body.pop("status") == "proposed"
        return _reply(execute(MakeCommitment(proposed=proposed, **body)), 201)


@blp.route("/<uuid:commitment_id>")
class CommitmentResource(MethodView):
    @blp.arguments(schemas.AsOfQuery(), location="query", unknown=RAISE)
    @blp.response(200, schemas.CommitmentOut)
    def get(self, args: dict[str, Any], commitment_id: UUID) -> Reply:
        """A commitment now, or at the end of `as_of` by effective dates."""
        view = queries().commitment(commitment_id, as_of=args.get("as_of"))
        check_read("commitment", view.agency)
        return view, 200, {"ETag": f'"{view.version}"'}


@blp.route("/<uuid:commitment_id>/history")
class CommitmentHistory(MethodView):
    @blp.response(200, schemas.HistoryEntryOut(many=True))
    def get(self, commitment_id: UUID) -> list[views.HistoryEntry]:
        """Every event of the commitment, oldest first."""
        check_read("history", queries().commitment(commitment_id).agency)
        return queries().history(commitment_id)


@blp.route("/<uuid:commitment_id>/updates")
class CommitmentUpdates(MethodView):
    @blp.arguments(schemas.UpdateIn())
    @blp.response(200, schemas.CommitmentOut)
    @blp.alt_response(202, schema=schemas.CommitmentOut,
                      description="an agency's extend: requested, waiting for the union")
    @blp.doc(parameters=[{"in": "header", "name": "If-Match", "schema": {"type": "string"}}])
    def post(self, body: dict[str, Any], commitment_id: UUID) -> Reply:
        """Report progress, fulfil or partially fulfil (with evidence), decline
        (with a reason), or extend: an agency's extend is a request the union
        decides (202); an auditor's or admin's moves the date. Confirm, reject
        and withdraw (with a reason) are the secretariat's."""
        command = UpdateCommitment(
            commitment_id=commitment_id, expected_version=expected_version(), **body
        )
        return _reply(execute(command), 202 if requests_only(command.action, actor()) else 200)


@blp.route("/<uuid:commitment_id>/edits")
class CommitmentEdits(MethodView):
    @blp.arguments(schemas.EditIn())
    @blp.response(200, schemas.CommitmentOut)
    @blp.doc(parameters=[{"in": "header", "name": "If-Match", "schema": {"type": "string"}}])
    def post(self, body: dict[str, Any], commitment_id: UUID) -> Reply:
        """Correct a proposed candidate's text, kind, agency or due date (admin);
        confirm it (`confirm`) or reject it (`reject`, with a note) by an update."""
        command = EditCommitment(
            commitment_id=commitment_id, expected_version=expected_version(), **body
        )
        return _reply(execute(command), 200)


@blp.route("/<uuid:commitment_id>/extension-decisions")
class CommitmentExtensionDecisions(MethodView):
    @blp.arguments(schemas.ExtensionDecisionIn())
    @blp.response(200, schemas.CommitmentOut)
    @blp.doc(parameters=[{"in": "header", "name": "If-Match", "schema": {"type": "string"}}])
    def post(self, body: dict[str, Any], commitment_id: UUID) -> Reply:
        """Approve (the due date moves) or refuse (with a note) the extension
        the agency requested (auditor or admin)."""
        command = DecideExtension(
            commitment_id=commitment_id, expected_version=expected_version(), **body
        )
        return _reply(execute(command), 200)


@blp.route("/<uuid:commitment_id>/corrections")
class CommitmentCorrections(MethodView):
    @blp.arguments(schemas.CorrectionIn())
    @blp.response(200, schemas.CommitmentOut)
    @blp.doc(parameters=[{"in": "header", "name": "If-Match", "schema": {"type": "string"}}])
    def post(self, body: dict[str, Any], commitment_id: UUID) -> Reply:
        """Correct a recorded promise's text, kind, owner or stated due date,
        with the reason (admin); shown in its history and public page."""
        command = CorrectCommitment(
            commitment_id=commitment_id, expected_version=expected_version(), **body
        )
        return _reply(execute(command), 200)


@blp.route("/<uuid:commitment_id>/verdicts")
class CommitmentVerdicts(MethodView):
    @blp.arguments(schemas.VerdictIn())
    @blp.response(200, schemas.CommitmentOut)
    @blp.doc(parameters=[{"in": "header", "name": "If-Match", "schema": {"type": "string"}}])
    def post(self, body: dict[str, Any], commitment_id: UUID) -> Reply:
        """An auditor's verdict on the agency's claim that closes the promise:
        fulfilled, partially fulfilled or declined (auditor or admin)."""
        command = GiveVerdict(
            commitment_id=commitment_id, expected_version=expected_version(), **body
        )
        return _reply(execute(command), 200)
