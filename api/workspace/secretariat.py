"""The secretariat's pages: dialogues, recorded as the meeting goes or
imported from a transcript, and the import's candidates worked through."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any
from uuid import UUID

from flask import abort, g, redirect, render_template, request, url_for
from markupsafe import Markup
from marshmallow import ValidationError, fields, validate

from api import i18n, passages
from api import schemas as s
from api.context import queries, service
from api.i18n import N_, Day
from api.schemas import AgencyCode, EnumValue, Text
from api.workspace.core import Form, blank_as_missing, blp, form_errors, once, requires
from domain.access import Role
from domain.account import Account
from domain.deadlines import Kind
from domain.dialogue import AskerKind, ForumKind
from domain.errors import DomainError, NotFound
from domain.status import Action
from service import commands as c
from service.meeting import dialogues, meeting


class DialogueForm(Form):
    title = Text(required=True, max_length=s.TITLE)
    forum = EnumValue(ForumKind, load_default=ForumKind.DIALOGUE)
    held_on = Day(label=N_("Held on"), required=True)
    place = Text(max_length=s.TITLE)
    chair = Text(max_length=s.LABEL)
    chair_email = s.Address()
    organiser = Text(max_length=s.LABEL)
    source_url = s.Link()


class ImportForm(Form):
    title = Text(required=True, max_length=s.TITLE)
    forum = EnumValue(ForumKind, load_default=ForumKind.DIALOGUE)
    held_on = Day(label=N_("Held on"), required=True)
    place = Text(max_length=s.TITLE)
    source_url = s.Link()
    transcript = Text(required=True, max_length=s.TRANSCRIPT)


class QuestionForm(Form):
    asker_kind = EnumValue(AskerKind, load_default=AskerKind.PERSON)
    asker_name = Text(required=True, max_length=s.NAME)
    asker_title = Text(max_length=s.LABEL)
    asker_organisation = Text(max_length=s.LABEL)
    # Private: the mails about the question go there (domain.asker).
    asker_email = s.Address()
    asker_phone = Text(max_length=40)
    text = Text(required=True)
    addressed_to = s.Items(AgencyCode(), most=s.AGENCIES, load_default=list)
    asked_at = fields.Time(load_default=None)


class CarryForm(Form):
    commitment_id = fields.UUID(required=True)


class EarlierForm(Form):
    question_id = fields.UUID(required=True)
    earlier_id = fields.UUID(required=True)


class AnswerForm(Form):
    question_ids = s.Items(fields.UUID(), most=s.QUESTIONS, required=True,
                           validate=validate.Length(
                               min=1, error="Tick the questions this answer addresses."))
    responder_name = Text(required=True, max_length=s.NAME)
    responder_title = Text(max_length=s.LABEL)
    responder_agency = AgencyCode(required=True)
    text = Text(required=True)
    answered_at = fields.Time(load_default=None)


class CommitmentForm(Form):
    answer_id = fields.UUID(load_default=None)
    agency = AgencyCode(required=True)
    kind = EnumValue(Kind, required=True)
    text = Text(required=True)
    due_on = Day(label=N_("Due date"), load_default=None)


class DecisionForm(Form):
    """Confirm, reject or correct one candidate."""

    commitment_id = fields.UUID(required=True)
    version = fields.Int(required=True)
    note = Text(max_length=s.NOTE, load_default=None)
    text = Text(load_default=None)
    kind = EnumValue(Kind, load_default=None)
    agency = AgencyCode(load_default=None)
    due_on = Day(label=N_("Due date"), load_default=None)


# Form fields that may be given more than once (checkboxes, multiple selects).
_LISTS = ("addressed_to", "question_ids")


def _form_data() -> dict[str, Any]:
    data: dict[str, Any] = blank_as_missing(request.form)
    for name in _LISTS:
        values = [v.strip() for v in request.form.getlist(name) if v.strip()]
        if values:
            data[name] = values
    return data


@blp.route("/dialogues", methods=["GET", "POST"], endpoint="dialogues")
@requires(Role.ADMIN)
def dialogues_page() -> Any:
    """Every dialogue, newest first, with what is left to do on each; a form
    to record a new one and one to import a transcript."""
    account: Account = g.account
    errors: dict[str, list[str]] = {}
    status = 200
    posted = request.form.get("form") if request.method == "POST" else None
    if posted is not None:
        try:
            if posted == "dialogue":
                data = DialogueForm().load(blank_as_missing(request.form))
                outcome = service().execute(c.RecordDialogue(**data), account.actor,
                                            once(request.form))
                return redirect(url_for("workspace.dialogue",
                                        dialogue_id=outcome.aggregate_id, saved="dialogue"))
            if posted == "import":
                data = ImportForm().load({**blank_as_missing(request.form),
                                          "transcript": _transcript()})
                outcome = service().execute(c.ImportTranscript(text=data.pop("transcript"),
                                                               **data),
                                            account.actor, once(request.form))
                return redirect(url_for("workspace.dialogue",
                                        dialogue_id=outcome.aggregate_id, saved="import"))
            abort(400, description=i18n._("This form is not one of this page's."))
        except (ValidationError, DomainError) as error:
            errors, status = form_errors(error)
    return render_template("workspace/dialogues.html", account=account,
                           dialogues=dialogues(queries()), errors=errors, posted=posted,
                           form=request.form), status


def _transcript() -> str:
    """The uploaded file, or the text pasted instead."""
    upload = request.files.get("transcript")
    if upload is not None and upload.filename:
        raw: bytes = upload.read()
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                {"transcript": [i18n._("The file is not UTF-8 text: save it as UTF-8 "
                                       "(or paste the text) and send it again.")]}) from None
    pasted = request.form.get("text", "").strip()
    if not pasted:
        raise ValidationError({"transcript": [i18n._(
            "Choose the transcript file, or paste its text.")]})
    return pasted


@blp.route("/dialogues/<uuid:dialogue_id>", methods=["GET", "POST"])
@requires(Role.ADMIN)
def dialogue(dialogue_id: UUID) -> Any:
    """One dialogue in the order of the meeting: each question, each answer
    with the promises it carries, candidates to confirm, correct or reject,
    and forms to record what is said next."""
    account: Account = g.account
    try:
        found = meeting(queries(), dialogue_id)
    except NotFound:
        abort(404, description=i18n._("There is no such dialogue."))
    errors: dict[str, list[str]] = {}
    status = 200
    posted = request.form.get("form") if request.method == "POST" else None
    target = request.form.get("commitment_id") if posted else None
    if posted is not None:
        try:
            _record(posted, found.held_on, dialogue_id, account)
            anchor = f"c-{target}" if target else posted
            return redirect(url_for("workspace.dialogue", dialogue_id=dialogue_id,
                                    saved=posted, _anchor=anchor))
        except (ValidationError, DomainError) as error:
            errors, status = form_errors(error)
        found = meeting(queries(), dialogue_id)
    agencies = queries().agencies()
    # Last dialogues' promises still owed, to carry into this one, and their
    # questions, to link a grievance raised again (issue 18).
    held_on = found.held_on
    return render_template(
        "workspace/dialogue.html", account=account, m=found, errors=errors, posted=posted,
        target=target, form=request.form, agencies=agencies, kinds=[k.value for k in Kind],
        saved=request.args.get("saved"),
        carried=queries().carried_over(dialogue_id),
        owed=queries().still_owed_before(held_on),
        earlier=queries().questions_before(held_on)), status


def _record(posted: str, held_on: Any, dialogue_id: UUID, account: Account) -> None:
    """Carry out one of the dialogue page's forms, or raise before storing."""
    zone = service().settings.timezone
    data = _form_data()

    def at(moment: time | None) -> datetime | None:
        return None if moment is None else datetime.combine(held_on, moment, tzinfo=zone)

    command: Any
    if posted == "question":
        q = QuestionForm().load(data)
        asker = {"name": q["asker_name"], "title": q.get("asker_title"),
                 "organisation": q.get("asker_organisation"), "kind": q["asker_kind"].value}
        command = c.AskQuestion(
            dialogue_id=dialogue_id, asker={k: v for k, v in asker.items() if v},
            text=q["text"], addressed_to=q["addressed_to"], asked_at=at(q["asked_at"]),
            contact={"email": q.get("asker_email"), "phone": q.get("asker_phone")})
    elif posted == "answer":
        a = AnswerForm().load(data)
        responder = {"name": a["responder_name"], "title": a.get("responder_title"),
                     "agency": a["responder_agency"]}
        command = c.GiveAnswer(
            question_ids=a["question_ids"], responder={k: v for k, v in responder.items() if v},
            text=a["text"], answered_at=at(a["answered_at"]), dialogue_id=dialogue_id)
    elif posted == "commitment":
        m = CommitmentForm().load(data)
        command = c.MakeCommitment(
            agency=m["agency"], text=m["text"], kind=m["kind"], answer_id=m["answer_id"],
            dialogue_id=dialogue_id, due_on=m["due_on"])
    elif posted in ("confirm", "reject", "edit"):
        d = DecisionForm().load(data)
        _check_belongs(d["commitment_id"], dialogue_id)
        if posted == "edit":
            command = c.EditCommitment(
                d["commitment_id"], text=d["text"], kind=d["kind"], agency=d["agency"],
                due_on=d["due_on"], note=d["note"], expected_version=d["version"])
        else:
            if posted == "reject" and not d["note"]:
                raise ValidationError({"note": [i18n._(
                    "Say why this is no promise: the reason stays in the history.")]})
            command = c.UpdateCommitment(
                d["commitment_id"], Action.CONFIRM if posted == "confirm" else Action.REJECT,
                note=d["note"], expected_version=d["version"])
    elif posted == "carry_over":
        command = c.CarryOver(dialogue_id, CarryForm().load(data)["commitment_id"])
    elif posted == "earlier":
        e = EarlierForm().load(data)
        command = c.LinkEarlierQuestion(e["question_id"], e["earlier_id"])
    else:
        abort(400, description=i18n._("This form is not one of this page's."))
    service().execute(command, account.actor, once(request.form))


def _check_belongs(commitment_id: UUID, dialogue_id: UUID) -> None:
    view = queries().commitment(commitment_id)
    if view.source["dialogue_id"] != dialogue_id:
        abort(404, description=i18n._("That commitment is not part of this dialogue."))


@blp.app_template_filter("marked")
def marked(text: str, quotes: list[str]) -> Markup:
    """The answer's text with the sentences taken from it as promises marked,
    so a candidate is read in its context; its lists kept, a long one folded
    (open where a quote lies). Spacing may differ between the two; anything
    else and the quote is not marked."""
    spans: list[tuple[int, int]] = []
    for quote in quotes:
        words = quote.split()
        if not words:
            continue
        pattern = r"\s+".join(re.escape(w) for w in words)
        found = re.search(pattern, text)
        if found and not any(a < found.end() and found.start() < b for a, b in spans):
            # Overlapping quotes: the first one marks the place.
            spans.append(found.span())
    return passages.html(text, folded=True, marks=spans)
