"""The staff workspace: pages where people sign in and do their work.

Sessions live in a signed cookie (HttpOnly, SameSite=Lax, Secure behind
https) holding only the account id and a CSRF token; every form posts that
token back. Repeated failed sign-ins from one address are slowed down.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from marshmallow import EXCLUDE, Schema, ValidationError, fields
from marshmallow.validate import OneOf
from werkzeug.exceptions import HTTPException

from api import i18n
from api.auth import FailedTokens
from api.context import queries, service
from api.reports import csv_response
from domain.access import Role
from domain.account import Account
from domain.commitment import Commitment
from domain.errors import DomainError, TransitionNotAllowed, VersionConflict
from domain.status import Action, Status, Verdict
from service import commands as c
from service.queries import CommitmentFilter, Sort

blp = Blueprint("workspace", __name__, url_prefix="/workspace")

PAGE_SIZE = 50


class ListArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.Str(load_default=None)
    status = fields.Str(validate=OneOf([s.value for s in Status]), load_default=None)
    agency = fields.Str(load_default=None)
    finished = fields.Bool(load_default=False)
    after = fields.Str(load_default=None)
    lang = fields.Str(validate=OneOf(i18n.LANGUAGES), load_default=None)


def configure(app: Any, secret: str, https: bool) -> None:
    app.secret_key = secret
    app.config.update(
        SESSION_COOKIE_NAME="commitments_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
    )
    app.extensions["failed_sign_ins"] = FailedTokens(allowed=5, window=300.0)
    app.register_blueprint(blp)


@blp.before_request
def _language_and_csrf() -> None:
    g.language = i18n.choose(request.args.get("lang") or session.get("lang"), request)
    if request.args.get("lang") in i18n.LANGUAGES:
        session["lang"] = request.args["lang"]
    session.setdefault("csrf", secrets.token_urlsafe(32))
    if request.method == "POST":
        sent = request.form.get("csrf_token", "")
        if not secrets.compare_digest(sent, session["csrf"]):
            # The form did not come from a page this session was given.
            abort(400, description=i18n._(
                "This form has expired or did not come from this site; reload the page "
                "and send it again."))


@blp.after_request
def _no_store(response: Response) -> Response:
    # Workspace pages show a person's own work: never from a shared cache.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    response.headers["Content-Language"] = i18n.language()
    return response


@blp.errorhandler(400)
@blp.errorhandler(403)
@blp.errorhandler(404)
def _refused(error: HTTPException) -> Any:
    messages = {403: i18n._("This belongs to another agency: you cannot see or change it."),
                404: i18n._("There is no such commitment.")}
    message = messages.get(error.code or 400, error.description)
    return render_template("workspace/error.html", message=message,
                           account=g.get("account")), error.code


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        account = _account()
        if account is None:
            return redirect(url_for("workspace.sign_in", next=request.full_path))
        g.account = account
        return view(*args, **kwargs)
    return wrapper


def _account() -> Account | None:
    raw = session.get("account")
    if not raw:
        return None
    try:
        found = service().get(UUID(raw))
    except (ValueError, AggregateNotFoundError):  # an id that opens nothing now
        session.clear()
        return None
    if not isinstance(found, Account) or found.disabled:
        session.clear()
        return None
    return found


@blp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    error = None
    email = ""
    status = 200
    if request.method == "POST":
        limiter: FailedTokens = current_app.extensions["failed_sign_ins"]
        client = request.remote_addr or "unknown"
        email = request.form.get("email", "").strip()
        wait = limiter.wait(client, time.monotonic())
        if wait > 0:
            error = i18n._("Too many failed sign-ins from this address; try again in "
                           "%(minutes)d minutes.", minutes=max(1, round(wait / 60)))
            status = 429
        else:
            account = service().sign_in(email, request.form.get("password", ""))
            if account is None:
                limiter.failed(client, time.monotonic())
                # The form again, with the message: a page, not a refusal.
                error = i18n._("That e-mail address and password do not match an account.")
            else:
                lang = session.get("lang")
                session.clear()  # a new session: nothing carried over from before
                session.permanent = True
                session.update(account=str(account.id), csrf=secrets.token_urlsafe(32))
                if lang:
                    session["lang"] = lang
                return redirect(_safe_next(request.args.get("next")))
    return render_template("workspace/sign_in.html", error=error, email=email), status


@blp.route("/sign-out", methods=["POST"])
def sign_out() -> Any:
    session.clear()
    return redirect(url_for("workspace.sign_in"))


@blp.route("/")
@signed_in
def home() -> Any:
    """The commitments a person works on: an officer's own agency's, anyone's
    for the secretariat and auditors; those in play first, the most overdue
    at the top, then those due soon, then the rest."""
    try:
        args = ListArgs().load(request.args)
    except ValidationError as error:
        abort(400, description=str(error.messages))
    account: Account = g.account
    agency = account.agency if account.role is Role.AGENCY else (args["agency"] or None)
    where = CommitmentFilter(agency=agency, q=args["q"], promised=True,
                             status=Status(args["status"]) if args["status"] else None,
                             active=None if args["finished"] else True)
    page = queries().list_commitments(where, sort=Sort.DUE, cursor=args["after"],
                                      limit=PAGE_SIZE)
    soon = service().settings.reminders.ladder.due_soon_days
    return render_template("workspace/home.html", account=account, page=page, args=args,
                           agency=agency, today=service().clock(), soon_days=soon,
                           agencies=queries().agencies() if agency is None else [])


# What an officer reports through the workspace; confirming, rejecting and
# transfers are the secretariat's.
OFFICER_ACTIONS = (Action.PROGRESS, Action.EXTEND, Action.FULFIL, Action.PARTIALLY_FULFIL,
                   Action.DECLINE)


class UpdateForm(Schema):
    """An officer's report on a commitment, as the form posts it."""

    class Meta:
        unknown = EXCLUDE

    action = fields.Str(required=True, validate=OneOf(
        [a.value for a in OFFICER_ACTIONS]))
    note = fields.Str(load_default=None)
    evidence_title = fields.Str(load_default=None)
    evidence_url = fields.Url(schemes={"http", "https"}, require_tld=False, load_default=None)
    new_due_on = fields.Date(load_default=None)
    effective_on = fields.Date(load_default=None)
    version = fields.Int(required=True)


class VerdictForm(Schema):
    class Meta:
        unknown = EXCLUDE

    verdict = fields.Str(required=True, validate=OneOf([v.value for v in Verdict]))
    note = fields.Str(load_default=None)
    version = fields.Int(required=True)


@blp.route("/commitments/<commitment_id>", methods=["GET", "POST"])
@signed_in
def commitment(commitment_id: str) -> Any:
    """One commitment: its state and history, and the form its people may use:
    an officer of its agency reports on it, an auditor judges a claim."""
    account: Account = g.account
    try:
        found = service().get(UUID(commitment_id))
    except (ValueError, AggregateNotFoundError):
        abort(404)
    if not isinstance(found, Commitment):
        abort(404)
    may_report = account.role is Role.ADMIN or (
        account.role is Role.AGENCY and account.agency == found.agency)
    may_judge = account.role in (Role.ADMIN, Role.AUDITOR)
    if account.role is Role.AGENCY and account.agency != found.agency:
        # Another agency's work: not shown, let alone changed.
        abort(403)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        form = request.form.get("form")
        try:
            if form == "update" and may_report:
                data = UpdateForm().load(_blank_as_missing(request.form))
                evidence = ([{"title": data["evidence_title"] or data["evidence_url"],
                              **({"url": data["evidence_url"]} if data["evidence_url"] else {})}]
                            if data["evidence_title"] or data["evidence_url"] else [])
                service().execute(c.UpdateCommitment(
                    found.id, Action(data["action"]), note=data["note"], evidence=evidence,
                    new_due_on=data["new_due_on"], effective_on=data["effective_on"],
                    expected_version=data["version"]), account.actor)
            elif form == "verdict" and may_judge:
                data = VerdictForm().load(_blank_as_missing(request.form))
                service().execute(c.GiveVerdict(
                    found.id, Verdict(data["verdict"]), note=data["note"],
                    expected_version=data["version"]), account.actor)
            else:
                abort(403)
            return redirect(url_for("workspace.commitment", commitment_id=found.id,
                                    saved=form))
        except ValidationError as error:
            errors = {str(k): list(v) if isinstance(v, list) else [str(v)]
                      for k, v in dict(error.messages).items()}  # type: ignore[arg-type]
            status = 422
        except DomainError as error:
            errors = dict(error.fields) or {"_form": [error.message]}
            status = 409 if isinstance(error, (VersionConflict, TransitionNotAllowed)) else 422
        found = service().get(found.id)
    report = current_app.extensions["reports"].commitment(found.id)
    return render_template(
        "workspace/commitment.html", account=account, c=found, report=report,
        may_report=may_report, may_judge=may_judge, errors=errors, form=request.form,
        actions=[a.value for a in OFFICER_ACTIONS], saved=request.args.get("saved")), status


@blp.route("/claims")
@signed_in
def claims() -> Any:
    """The auditor's queue: what agencies say they delivered and nobody has
    judged yet, oldest claim first, with its evidence."""
    account: Account = g.account
    if account.role is Role.AGENCY:
        abort(403)
    page = queries().list_commitments(CommitmentFilter(unjudged=True, promised=True),
                                      sort=Sort.MADE, cursor=request.args.get("after"),
                                      limit=PAGE_SIZE)
    return render_template("workspace/claims.html", account=account, page=page)


@blp.route("/lists/<which>.csv")
@signed_in
def export(which: str) -> Any:
    """Overdue or disputed promises across agencies, for a report to the
    Party committee or the People's Council."""
    account: Account = g.account
    if account.role is Role.AGENCY or which not in ("overdue", "disputed"):
        abort(403 if account.role is Role.AGENCY else 404)
    where = (CommitmentFilter(overdue=True, promised=True) if which == "overdue"
             else CommitmentFilter(verdict=Verdict.DISPUTED, promised=True))
    rows = [{"id": str(v.id), "agency": v.agency, "text": v.text, "status": v.status,
             "due_on": v.due_on.isoformat(), "days_overdue": v.days_overdue,
             "verdict": v.verdict or "", "reminders_sent": v.reminders_sent}
            for v in queries().every_commitment(where, sort=Sort.DUE)]
    return csv_response(rows, ("id", "agency", "text", "status", "due_on", "days_overdue",
                               "verdict", "reminders_sent"),
                        f"{which}-{service().clock().isoformat()}")


def _blank_as_missing(form: Any) -> dict[str, str]:
    """An empty field of an HTML form means "not given"."""
    return {key: value.strip() for key, value in form.items() if value.strip()}


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never a redirect to somewhere else."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("workspace.home")
