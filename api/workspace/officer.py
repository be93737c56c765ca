"""The agency officer's pages: the agency's commitments, and a report on one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from flask import abort, current_app, g, redirect, render_template, request, url_for
from marshmallow import EXCLUDE, ValidationError, fields
from marshmallow.validate import OneOf

from api import i18n
from api.context import queries, service
from api.i18n import N_, Day
from api.schemas import CODE, CURSOR, NOTE, SEARCH, TITLE, Input, Link, Text
from api.workspace.core import PAGE_SIZE, Form, blank_as_missing, blp, form_errors, signed_in
from domain.access import Permission, Role, holds, requests_only
from domain.account import Account
from domain.agency import canonical_code
from domain.commitment import Commitment
from domain.deadlines import Kind
from domain.dialogue import ForumKind
from domain.errors import DomainError
from domain.status import JUDGEABLE, Action, ExtensionDecision, Status, Verdict
from service import commands as c
from service.queries import CommitmentFilter, Sort


class ListArgs(Input):
    class Meta:
        unknown = EXCLUDE

    q = Text(max_length=SEARCH, load_default=None)
    status = fields.Str(validate=OneOf([s.value for s in Status]), load_default=None)
    agency = Text(max_length=CODE, load_default=None)
    forum = fields.Str(validate=OneOf([f.value for f in ForumKind]), load_default=None)
    finished = fields.Bool(load_default=False)
    after = Text(max_length=CURSOR, load_default=None)
    lang = fields.Str(validate=OneOf(i18n.LANGUAGES), load_default=None)



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
                             forum=ForumKind(args["forum"]) if args["forum"] else None,
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


# And what only the secretariat does to a recorded promise.
SECRETARIAT_ACTIONS = (*OFFICER_ACTIONS, Action.WITHDRAW)


class UpdateForm(Form):
    """An officer's report on a commitment, as the form posts it."""

    action = fields.Str(required=True, validate=OneOf(
        [a.value for a in SECRETARIAT_ACTIONS]))
    note = Text(max_length=NOTE, load_default=None)
    evidence_title = Text(max_length=TITLE, load_default=None)
    evidence_url = Link(load_default=None)
    evidence_dated = Day(label=N_("Evidence: the document's date"), load_default=None)
    new_due_on = Day(label=N_("New due date"), load_default=None)
    effective_on = Day(label=N_("Date it happened"), load_default=None)
    version = fields.Int(required=True)


class CorrectionForm(Form):
    """The secretariat's correction of a recorded promise: what changes, and why."""

    text = Text(load_default=None)
    kind = fields.Str(validate=OneOf([k.value for k in Kind]), load_default=None)
    agency = Text(max_length=CODE, load_default=None)
    due_on = Day(label=N_("Due date"), load_default=None)
    note = Text(max_length=NOTE, load_default=None)
    version = fields.Int(required=True)


class DecisionForm(Form):
    decision = fields.Str(required=True, validate=OneOf([d.value for d in ExtensionDecision]))
    note = Text(max_length=NOTE, load_default=None)
    version = fields.Int(required=True)


class VerdictForm(Form):
    verdict = fields.Str(required=True, validate=OneOf([v.value for v in Verdict]))
    note = Text(max_length=NOTE, load_default=None)
    version = fields.Int(required=True)


@blp.route("/commitments/<commitment_id>", methods=["GET", "POST"])
@signed_in
def commitment(commitment_id: str) -> Any:
    """One commitment: its state and history, and the form its people may use:
    an officer of its agency reports on it, an auditor judges a claim."""
    account: Account = g.account
    # One commitment as it stands now is read from its own events, as
    # Queries.commitment reads it: its forms post the version they saw, and
    # whether it may still be corrected is the aggregate's to say.
    try:
        found = service().get(UUID(commitment_id))
    except (ValueError, AggregateNotFoundError):
        abort(404)
    if not isinstance(found, Commitment):
        abort(404)
    may_report = account.role is Role.ADMIN or (
        account.role is Role.AGENCY and account.agency == found.agency)
    may_judge = holds(account.actor, Permission.JUDGE)
    may_decide = holds(account.actor, Permission.DECIDE)
    may_correct = holds(account.actor, Permission.CONFIRM) and found.correctable
    if account.role is Role.AGENCY and account.agency != found.agency:
        # Another agency's work: not shown, let alone changed.
        abort(403)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        form = request.form.get("form")
        try:
            if form == "update" and may_report:
                data = UpdateForm().load(blank_as_missing(request.form))
                evidence = _evidence(data)
                action = Action(data["action"])
                service().execute(c.UpdateCommitment(
                    found.id, action, note=data["note"], evidence=evidence,
                    new_due_on=data["new_due_on"], effective_on=data["effective_on"],
                    expected_version=data["version"]), account.actor)
                if requests_only(action, account.actor):
                    form = "request"
            elif form == "correction" and may_correct:
                data = CorrectionForm().load(blank_as_missing(request.form))
                service().execute(c.CorrectCommitment(
                    found.id, note=data["note"] or "",
                    text=data["text"] if data["text"] != found.text else None,
                    kind=Kind(data["kind"]) if data["kind"] else None,
                    agency=_code(data["agency"]),
                    due_on=data["due_on"], expected_version=data["version"]), account.actor)
            elif form == "decision" and may_decide:
                data = DecisionForm().load(blank_as_missing(request.form))
                service().execute(c.DecideExtension(
                    found.id, ExtensionDecision(data["decision"]), note=data["note"],
                    expected_version=data["version"]), account.actor)
            elif form == "verdict" and may_judge:
                data = VerdictForm().load(blank_as_missing(request.form))
                service().execute(c.GiveVerdict(
                    found.id, Verdict(data["verdict"]), note=data["note"],
                    expected_version=data["version"]), account.actor)
            else:
                abort(403)
            return redirect(url_for("workspace.commitment", commitment_id=found.id,
                                    saved=form))
        except (ValidationError, DomainError) as error:
            errors, status = form_errors(error)
        found = service().get(found.id)
    report = current_app.extensions["reports"].commitment(found.id)
    return render_template(
        "workspace/commitment.html", account=account, c=found, report=report,
        may_report=may_report, may_judge=may_judge and found.status in JUDGEABLE,
        may_decide=may_decide,
        may_correct=may_correct, errors=errors, form=request.form,
        actions=[a.value for a in (SECRETARIAT_ACTIONS if account.role is Role.ADMIN
                                   else OFFICER_ACTIONS)],
        kinds=[k.value for k in Kind], saved=request.args.get("saved"),
        people=queries().people(found.id)), status


def _code(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return canonical_code(text)
    except ValueError as error:
        raise ValidationError({"agency": [str(error)]}) from None


def _evidence(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The form's one piece of evidence (a document number or title, its
    date, a link), or none; a date or a link alone is not evidence."""
    title, url, dated = data["evidence_title"], data["evidence_url"], data["evidence_dated"]
    if not (title or url):
        if dated:
            raise ValidationError({"evidence_title": [i18n._(
                "Give the document's number or title, or its link.")]})
        return []
    item: dict[str, Any] = {"title": title or url}
    if url:
        item["url"] = url
    if dated:
        item["dated"] = dated.isoformat()
    return [item]
