"""Reports before they go out: the secretariat opens and publishes them, an
agency's officer replies to its own entries (service/published_reports.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError, fields, validate

from api import i18n
from api import schemas as s
from api.context import queries, service
from api.i18n import N_, Day
from api.schemas import Text
from api.workspace.core import Form, blank_as_missing, blp, form_errors, once, requires
from domain.access import Role
from domain.account import Account
from domain.errors import DomainError, NotFound
from service.published_reports import PublishedReports, view_of


class OpenForm(Form):
    title = Text(required=True, max_length=s.TITLE)
    as_of = Day(label=N_("As of"), required=True)
    reply_days = fields.Integer(load_default=10, validate=validate.Range(min=0, max=60))


class ReplyForm(Form):
    commitment_id = fields.UUID(required=True)
    text = Text(required=True, max_length=s.NOTE)


def _reports() -> PublishedReports:
    return PublishedReports(service(), queries())


def _own(account: Account) -> str | None:
    return account.agency if account.role is Role.AGENCY else None


@blp.route("/published-reports", methods=["GET", "POST"])
@requires(Role.ADMIN, Role.AUDITOR, Role.AGENCY)
def published_reports() -> Any:
    """Every report; the secretariat opens one for the agencies' replies."""
    account: Account = g.account
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        if account.role is not Role.ADMIN:
            abort(403, description=i18n._("This page is not part of your work."))
        try:
            data = OpenForm().load(blank_as_missing(request.form))
            report = _reports().open(account.actor, data["title"], data["as_of"],
                                     data["reply_days"], once(request.form))
            return redirect(url_for("workspace.published_report", report_id=report.id))
        except (ValidationError, DomainError) as error:
            errors, status = form_errors(error)
    return render_template("workspace/published_reports.html", account=account,
                           reports=_reports().lines(_own(account)),
                           errors=errors, form=request.form), status


@blp.route("/published-reports/<uuid:report_id>", methods=["GET", "POST"])
@requires(Role.ADMIN, Role.AUDITOR, Role.AGENCY)
def published_report(report_id: UUID) -> Any:
    """A report's entries (an officer's: its agency's own) with the replies
    beside them; an officer replies while it is open, the secretariat
    publishes it once replies have closed."""
    account: Account = g.account
    errors: dict[str, list[str]] = {}
    status = 200
    try:
        _reports().get(report_id)
    except NotFound:
        abort(404, description=i18n._("There is no such report."))
    if request.method == "POST":
        try:
            if request.form.get("form") == "publish":
                if account.role is not Role.ADMIN:
                    abort(403, description=i18n._("This page is not part of your work."))
                _reports().publish(account.actor, report_id)
            else:
                data = ReplyForm().load(blank_as_missing(request.form))
                _reports().reply(account.actor, report_id, data["commitment_id"], data["text"],
                                 once(request.form))
            return redirect(url_for("workspace.published_report", report_id=report_id,
                                    saved=request.form.get("form")))
        except (ValidationError, DomainError) as error:
            errors, status = form_errors(error)
    view = view_of(_reports().get(report_id), _own(account))
    return render_template("workspace/published_report.html", account=account, report=view,
                           errors=errors, form=request.form, today=service().clock(),
                           saved=request.args.get("saved")), status
