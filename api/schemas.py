"""Request and response schemas; the OpenAPI document is generated from them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from api.visibility import Disclosed
from domain.agency import canonical_code
from domain.deadlines import DueBasis, Kind
from domain.dialogue import Channel
from domain.status import Action, ExtensionDecision, Status, Verdict
from domain.text import normalise
from service.queries import Sort

_NOT_EMPTY = validate.Length(min=1, error="must not be empty")


def _choices(members: Any) -> validate.OneOf:
    values = [member.value for member in members]
    return validate.OneOf(values, error=f"must be one of: {', '.join(values)}")


def _leaves(value: Any, change: Callable[[Any], Any]) -> Any:
    """`value` with `change` applied to every leaf of its lists and dicts."""
    if isinstance(value, list):
        return [_leaves(item, change) for item in value]
    if isinstance(value, dict):
        return {key: _leaves(item, change) for key, item in value.items()}
    return change(value)


def _nfc(value: Any) -> Any:
    return normalise(value) if isinstance(value, str) else value


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


class Body(Schema):
    """Input: unknown fields are refused by name, text arrives as NFC."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _nfc(self, data: Any, **_: Any) -> Any:
        return _leaves(data, _nfc)


class Text(fields.String):
    def __init__(self, *, required: bool = False, max_length: int = 20_000, **kwargs: Any) -> None:
        checks = [validate.Length(max=max_length)]
        if required:
            checks.insert(0, _NOT_EMPTY)
        super().__init__(required=required, validate=checks, **kwargs)


class AgencyCode(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return canonical_code(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class EnumValue(fields.String):
    """A string restricted to an Enum's values, loaded as the member."""

    def __init__(self, enum: Any, only: list[Any] | None = None, **kwargs: Any) -> None:
        self.enum = enum
        super().__init__(validate=_choices(only or list(enum)), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        self._validate(text)
        return self.enum(text)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value.value if hasattr(value, "value") else value


# -- agencies -------------------------------------------------------------------------


class Contact(Body):
    email = fields.Email(required=True)
    name = Text(max_length=200)
    role = Text(max_length=200, metadata={"description": "e.g. head, office"})


class ContactsIn(Body):
    contacts = fields.List(fields.Nested(Contact), required=True, metadata={
        "description": "the whole new list: reminders go to every contact, escalations "
                       "to those whose role says head"})


class AgencyIn(Body):
    code = AgencyCode(required=True, metadata={"example": "SYT"})
    name = Text(required=True, max_length=300, metadata={"example": "Sở Y tế"})
    name_en = Text(max_length=300, metadata={"example": "Department of Health"})
    contacts = fields.List(fields.Nested(Contact), load_default=list)
    webhook_url = fields.Url(schemes={"http", "https"}, require_tld=False)
    aliases = fields.List(Text(required=True, max_length=300), load_default=list, metadata={
        "description": "other names it goes by; transcript imports match agencies by name",
        "example": ["Sở Y tế tỉnh Bắc Kạn"]})


class AliasIn(Body):
    alias = Text(required=True, max_length=300, metadata={"example": "Bảo hiểm xã hội tỉnh"})


class AgencyOut(Disclosed):
    resource = "agency"
    owner_field = "code"
    id = fields.UUID()
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    contacts = fields.List(fields.Dict())
    webhook_url = fields.String(allow_none=True)
    confirmed = fields.Boolean(metadata={
        "description": "false for an agency a transcript import created; confirm it, or "
                       "give its name as an alias of the agency it meant"})
    aliases = fields.List(fields.String())
    successor = fields.String(allow_none=True, metadata={"description": "code of the successor"})
    succeeded_on = fields.Date(allow_none=True)
    transferred = fields.List(
        fields.Dict(), metadata={"description": "pairs {from, to} of commitment ids handed over"}
    )
    version = fields.Integer()


class SuccessorIn(Body):
    successor_code = AgencyCode(required=True, metadata={"example": "SNV"})
    effective_on = fields.Date(metadata={"description": "from when; default today"})


# -- dialogues, questions, answers ---------------------------------------------------


class DialogueIn(Body):
    title = Text(required=True, max_length=500)
    held_on = fields.Date(required=True, metadata={"example": "2024-05-10"})
    place = Text(max_length=500)
    chair = Text(max_length=300)
    chair_email = fields.Email(metadata={
        "description": "the chair's office: escalated reminders go there (never shown publicly)"})
    organiser = Text(max_length=300)
    source_url = fields.Url(schemes={"http", "https"}, require_tld=False)


class DialogueOut(Disclosed):
    resource = "dialogue"
    id = fields.UUID(attribute="dialogue.id")
    title = fields.String(attribute="dialogue.title")
    held_on = fields.Date(attribute="dialogue.held_on")
    place = fields.String(attribute="dialogue.place", allow_none=True)
    chair = fields.String(attribute="dialogue.chair", allow_none=True)
    organiser = fields.String(attribute="dialogue.organiser", allow_none=True)
    source_url = fields.String(attribute="dialogue.source_url", allow_none=True)
    questions = fields.Integer(metadata={"description": "questions asked"})
    answered = fields.Integer(metadata={"description": "questions with an answer"})
    commitments = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    overdue = fields.Integer()
    unanswered = fields.List(fields.Dict(), metadata={
        "description": "questions nobody answered: {id, asker, text}"})


class Person(Body):
    name = Text(required=True, max_length=200)
    title = Text(max_length=300)
    organisation = Text(max_length=300)


class Responder(Body):
    name = Text(required=True, max_length=200)
    title = Text(max_length=300)
    agency = AgencyCode(required=True)


class QuestionIn(Body):
    asker = fields.Nested(Person, required=True)
    text = Text(required=True)
    addressed_to = fields.List(AgencyCode(), load_default=list)
    topics = fields.List(Text(required=True, max_length=100), load_default=list)
    asked_at = fields.AwareDateTime()


class AnswerIn(Body):
    question_ids = fields.List(
        fields.UUID(), required=True,
        validate=validate.Length(min=1, error="name at least one question"),
    )
    responder = fields.Nested(Responder, required=True)
    text = Text(required=True)
    answered_at = fields.AwareDateTime()
    channel = EnumValue(Channel, load_default=Channel.MEETING)


class AnswerOut(Schema):
    id = fields.UUID()
    dialogue_id = fields.UUID()
    question_ids = fields.List(fields.UUID())
    responder = fields.Dict()
    text = fields.String()
    answered_at = fields.AwareDateTime(allow_none=True)
    channel = EnumValue(Channel)
    linked_by = fields.String(allow_none=True, metadata={
        "description": "how an import tied it to its questions: name, nearest or topic"})
    evidence = fields.List(fields.Dict(), metadata={
        "description": "what the answer says was already done (documents), from an import"})


# -- commitments ------------------------------------------------------------------------


class CommitmentIn(Body):
    agency = AgencyCode(required=True)
    text = Text(required=True)
    kind = EnumValue(Kind, required=True)
    answer_id = fields.UUID()
    dialogue_id = fields.UUID(metadata={"description": "for a directive of the chair"})
    due_on = fields.Date(metadata={"description": "the date stated in the promise"})
    status = fields.String(
        load_default="open",
        validate=validate.OneOf(["open", "proposed"], error="must be open or proposed"),
        metadata={"description": "proposed: a candidate still to be confirmed"},
    )


class Source(Schema):
    dialogue_id = fields.UUID()
    answer_id = fields.UUID(allow_none=True)
    question_ids = fields.List(fields.UUID())
    transferred_from = fields.UUID(allow_none=True, metadata={
        "description": "the predecessor agency's commitment this one carries on"})
    transferred_to = fields.UUID(allow_none=True)


class ExtensionRequestOut(Schema):
    new_due_on = fields.Date()
    note = fields.String()
    requested_on = fields.Date()
    evidence = fields.List(fields.Dict())


class CommitmentOut(Disclosed):
    resource = "commitment"
    owner_field = "agency"
    id = fields.UUID()
    agency = fields.String()
    text = fields.String()
    kind = EnumValue(Kind)
    status = EnumValue(Status)
    due_on = fields.Date()
    due_basis = EnumValue(DueBasis)
    overdue = fields.Boolean()
    days_overdue = fields.Integer()
    verdict = fields.String(allow_none=True)
    version = fields.Integer()
    made_on = fields.Date()
    updated_on = fields.Date()
    evidence = fields.List(fields.Dict())
    source = fields.Nested(Source)
    as_of = fields.Date()
    reminders_sent = fields.Integer(metadata={"description": "reminders delivered so far"})
    original_due_on = fields.Date(metadata={
        "description": "the date first promised, before any approved extension"})
    extensions = fields.Integer(metadata={"description": "extensions the union approved"})
    extension_request = fields.Nested(ExtensionRequestOut, allow_none=True, metadata={
        "description": "the agency's request for a later date, until the union decides"})


class Evidence(Body):
    """A document (its number or title), a link, or both."""

    title = Text(max_length=500, metadata={"example": "Công văn số 473/SNV-CCVC"})
    url = fields.Url(schemes={"http", "https"}, require_tld=False)
    dated = fields.Date(metadata={"description": "the document's date"})

    @validates_schema
    def _title_or_link(self, data: dict[str, Any], **_: Any) -> None:
        if not (data.get("title") or "").strip() and not data.get("url"):
            raise ValidationError("give the document's number or title, a link, or both",
                                  field_name="title")

    @post_load
    def _dated_as_text(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        # Evidence is stored as given, in events and read tables alike: as JSON.
        if "dated" in data:
            data["dated"] = data["dated"].isoformat()
        return data


class UpdateIn(Body):
    # Transfers follow an agency's succession; they are not an update.
    action = EnumValue(Action, only=[a for a in Action if a is not Action.TRANSFER],
                       required=True)
    note = Text(max_length=5000)
    evidence = fields.List(fields.Nested(Evidence), load_default=list)
    new_due_on = fields.Date(metadata={"description": "for extend"})
    effective_on = fields.Date(metadata={"description": "when it happened, if earlier"})


class EditIn(Body):
    """A correction of a proposed candidate, recorded as an `Edited` event."""

    text = Text()
    kind = EnumValue(Kind)
    agency = AgencyCode()
    due_on = fields.Date(metadata={"description": "the date the promise states"})
    note = Text(max_length=5000)


class CorrectionIn(Body):
    """A correction of a recorded promise, recorded as a `Corrected` event."""

    text = Text()
    kind = EnumValue(Kind)
    agency = AgencyCode()
    due_on = fields.Date(metadata={"description": "the date the promise stated"})
    note = Text(required=True, max_length=5000, metadata={"description": "why"})


class ExtensionDecisionIn(Body):
    decision = EnumValue(ExtensionDecision, required=True)
    note = Text(max_length=5000, metadata={"description": "required to refuse"})


class VerdictIn(Body):
    verdict = EnumValue(Verdict, required=True)
    note = Text(max_length=5000)
    effective_on = fields.Date()


class CommitmentQuery(Body):
    agency = AgencyCode()
    status = EnumValue(Status)
    overdue = fields.Boolean()
    dialogue = fields.UUID()
    verdict = EnumValue(Verdict)
    q = Text(max_length=200, metadata={"description": "accent-insensitive words"})
    due_before = fields.Date()
    due_after = fields.Date()
    as_of = fields.Date()
    extension_requested = fields.Boolean(metadata={
        "description": "an agency's request for a later date waits for a decision"})
    sort = EnumValue(Sort, load_default=Sort.MADE, metadata={
        "description": "made (oldest first), -made, due_on (soonest due first), -due_on"})
    cursor = fields.String()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class CandidateQuery(Body):
    cursor = fields.String()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class AsOfQuery(Body):
    as_of = fields.Date()


class CommitmentPage(Schema):
    items = fields.List(fields.Nested(CommitmentOut))
    next = fields.String(allow_none=True, metadata={"description": "cursor of the next page"})
    total = fields.Integer()


class HistoryEntryOut(Disclosed):
    resource = "history"
    type = fields.String()
    at = fields.AwareDateTime(metadata={"description": "when it was recorded"})
    effective_on = fields.Date(metadata={"description": "when it happened"})
    version = fields.Integer()
    actor = fields.Dict()
    data = fields.Function(lambda entry: _leaves(entry.data, _plain))


class QuestionOut(Disclosed):
    resource = "question"
    id = fields.UUID(attribute="question.id")
    dialogue_id = fields.UUID(attribute="question.dialogue_id")
    asker = fields.Dict(attribute="question.asker")
    text = fields.String(attribute="question.text")
    addressed_to = fields.List(fields.String(), attribute="question.addressed_to")
    topics = fields.List(fields.String(), attribute="question.topics")
    asked_at = fields.AwareDateTime(attribute="question.asked_at", allow_none=True)
    answered = fields.Boolean()
    answers = fields.List(fields.Nested(AnswerOut))
    commitments = fields.List(fields.Nested(CommitmentOut))


class ReportQuery(Body):
    as_of = fields.Date()
    dialogue = fields.UUID()


class AgencyScoreOut(Schema):
    agency = fields.String()
    name = fields.String()
    total = fields.Integer(metadata={"description": "confirmed promises"})
    fulfilled = fields.Integer()
    fulfilled_on_time = fields.Integer(metadata={
        "description": "done by the due date in force (after approved extensions)"})
    fulfilled_by_original_date = fields.Integer(metadata={
        "description": "done by the date first promised"})
    fulfilled_late = fields.Integer(metadata={"description": "done late"})
    pending_within_deadline = fields.Integer()
    overdue = fields.Integer(metadata={"description": "pending and past the due date"})
    open = fields.Integer(metadata={"description": "still owed: pending or partly done"})
    partially_fulfilled = fields.Integer()
    declined = fields.Integer()
    withdrawn = fields.Integer()
    transferred = fields.Integer()
    verified = fields.Integer()
    disputed = fields.Integer()


class HealthOut(Schema):
    status = fields.String()
    store = fields.String()
    events = fields.Integer()
    read_model_lag = fields.Integer(metadata={"description": "events not yet in the read tables"})
    problems = fields.List(fields.String(), metadata={
        "description": "what is down or stuck; empty when status is ok"})
    parts = fields.Dict(metadata={
        "description": "seconds since each part's last heartbeat (null: never seen)"})
    quarantined = fields.Integer(metadata={
        "description": "events the read side could not apply and set aside"})
    quarantined_events = fields.List(fields.Dict(), metadata={
        "description": "the first of them: position, topic, aggregate, error"})


# -- transcript imports ----------------------------------------------------------------


class ImportQuery(Body):
    dialogue_title = Text(required=True, max_length=500)
    held_on = fields.Date(required=True, metadata={"example": "2024-05-10"})
    place = Text(max_length=500)
    source_url = fields.Url(schemes={"http", "https"}, require_tld=False)
    dry_run = fields.Boolean(load_default=False, metadata={
        "description": "parse and match, answer what would be recorded, store nothing"})


class ImportOut(Schema):
    dialogue_id = fields.UUID()
    dry_run = fields.Boolean()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    questions = fields.List(fields.Dict(), metadata={
        "description": "{id, key, asker, answered}, in meeting order"})
    answers = fields.List(fields.Dict(), metadata={
        "description": "{id, key, responder, question_ids, linked_by: name|nearest|topic}"})
    candidates = fields.List(fields.Dict(), metadata={
        "description": "proposed commitments: {id, agency, kind, text (the quoted sentence), "
                       "due_on, due_basis, due_text, answer_id}"})
    unanswered = fields.List(fields.String(), metadata={"description": "question ids"})
    agencies_created = fields.List(fields.Dict(), metadata={
        "description": "unconfirmed agencies made for names that matched none: {name, code}"})
    agencies_matched = fields.List(fields.Dict())
