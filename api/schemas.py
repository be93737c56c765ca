"""Request and response schemas; the OpenAPI document is generated from them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, ClassVar
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
from domain.dialogue import AskerKind, Channel, ForumKind
from domain.status import Action, ExtensionDecision, Status, Verdict
from domain.text import Fault, fault, normalise
from service.queries import Sort

# -- what one request may carry ----------------------------------------------------------
# Far above what a secretariat writes, low enough that one request cannot
# flood the log: a whole day's live blog is about 35,000 characters, a long
# answer a few thousand, an agency has a handful of contacts and a question
# is put to a few agencies. docs/api.md lists them.
NAME = 200  # a person's name
LABEL = 300  # a title of office, an organisation, an agency's name or alias
TITLE = 500  # a dialogue's title or place, an evidence document's title
NOTE = 5_000  # a reason, a verdict's or a correction's note
TEXT = 20_000  # a question, an answer, a promise
# An imported transcript: no tighter than the default body limit (1 MiB), so
# that a megabyte of transcript imports (issue 15).
TRANSCRIPT = 1_048_576
TOPIC = 100
URL = 2_000
EMAIL = 254  # the longest address mail can carry (RFC 5321)
PASSWORD = 1_000
SEARCH = 200  # the words of a search
CURSOR = 200  # a page cursor this service gave out (about 60 characters)
CODE = 100  # an agency code as typed, before it is checked (2 to 40 characters)
CONTACTS = 50
ALIASES = 50
AGENCIES = 50  # agencies a question is put to
TOPICS = 20
QUESTIONS = 100  # questions one answer addresses
EVIDENCE = 50  # documents one update cites

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


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


class Input(Schema):
    """Whatever comes in: a JSON body, a query string, a workspace form.

    Before any field loads, the text of every declared field (inside its
    lists and objects too) is normalised and held to the text rule
    (`domain.text.fault`): every schema that takes input derives from this
    one, so none can leave the rule out. A field named in `as_typed` is held
    to the rule but kept as typed.
    """

    as_typed: ClassVar[tuple[str, ...]] = ()

    def refusal(self, found: Fault) -> str:
        """What a refused text's field is told (a form says it in the reader's language)."""
        return str(found)

    @pre_load
    def _storable(self, data: Any, **_: Any) -> Any:
        if not isinstance(data, Mapping):
            return data  # marshmallow refuses it for its type
        declared = {field.data_key or name for name, field in self.load_fields.items()}
        errors: dict[str, Any] = {}
        clean: dict[str, Any] = {}
        for key in data:
            named = self._name_fault(key)
            if named is not None:
                # Refused by name, and not echoed back: it may not even encode.
                errors.setdefault("_schema", []).append(named)
                continue
            value = data[key]
            if key in declared:
                value, problems = self._checked(value, tidy=key not in self.as_typed)
                if problems:
                    errors[key] = problems
            clean[key] = value
        if errors:
            raise ValidationError(errors)
        return clean

    def _name_fault(self, key: Any) -> str | None:
        found = fault(key) if isinstance(key, str) else None
        return None if found is None else f"a field name {found}"

    def _checked(self, value: Any, *, tidy: bool) -> tuple[Any, Any]:
        """The value with its text normalised, and the messages for its
        refused text, shaped like marshmallow's (by index, by key)."""
        if isinstance(value, str):
            text = normalise(value) if tidy else value
            found = fault(text)
            return text, None if found is None else [self.refusal(found)]
        if isinstance(value, list):
            items: list[Any] = []
            problems: dict[int, Any] = {}
            for index, item in enumerate(value):
                item, problem = self._checked(item, tidy=tidy)
                items.append(item)
                if problem:
                    problems[index] = problem
            return items, problems or None
        if isinstance(value, Mapping):
            entries: dict[Any, Any] = {}
            found_problems: dict[Any, Any] = {}
            for key, item in value.items():
                named = self._name_fault(key)
                if named is not None:
                    found_problems.setdefault("_schema", []).append(named)
                    continue
                item, problem = self._checked(item, tidy=tidy)
                entries[key] = item
                if problem:
                    found_problems[key] = problem
            return entries, found_problems or None
        return value, None


class Body(Input):
    """A JSON body: unknown fields are refused by name."""

    class Meta:
        unknown = RAISE


class Text(fields.String):
    """Text of at most `max_length` characters (required: not empty either)."""

    def __init__(self, *, required: bool = False, max_length: int = TEXT,
                 **kwargs: Any) -> None:
        checks = [validate.Length(max=max_length, error="at most {max} characters")]
        if required:
            checks.insert(0, _NOT_EMPTY)
        super().__init__(required=required, validate=checks, **kwargs)


class Items(fields.List[Any]):
    """A list of at most `most` items, counted before any item is loaded."""

    def __init__(self, inner: fields.Field[Any], *, most: int, **kwargs: Any) -> None:
        given = kwargs.pop("validate", None)
        checks = [validate.Length(max=most, error="at most {max} items"),
                  *([given] if given else [])]
        super().__init__(inner, validate=checks, **kwargs)
        self.most = most

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, list) and len(value) > self.most:
            raise ValidationError(f"at most {self.most} items, got {len(value)}")
        return super()._deserialize(value, attr, data, **kwargs)


class Link(fields.Url):
    """An http(s) link of at most URL characters, measured before it is parsed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(schemes={"http", "https"}, require_tld=False,
                         validate=validate.Length(max=URL), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and len(value) > URL:
            raise ValidationError(f"at most {URL} characters")
        return super()._deserialize(value, attr, data, **kwargs)


class Address(fields.Email):
    """An e-mail address of at most EMAIL characters, measured before it is parsed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Length(max=EMAIL), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and len(value) > EMAIL:
            raise ValidationError(f"at most {EMAIL} characters")
        return super()._deserialize(value, attr, data, **kwargs)


class AgencyCode(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > CODE:
            raise ValidationError(f"not an agency code: at most 40 characters, got {len(text)}")
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
    email = Address(required=True)
    name = Text(max_length=NAME)
    role = Text(max_length=NAME, metadata={"description": "e.g. head, office"})


class ContactsIn(Body):
    contacts = Items(fields.Nested(Contact), most=CONTACTS, required=True, metadata={
        "description": "the whole new list: reminders go to every contact, escalations "
                       "to those whose role says head"})


class AgencyIn(Body):
    code = AgencyCode(required=True, metadata={"example": "SYT"})
    name = Text(required=True, max_length=LABEL, metadata={"example": "Sở Y tế"})
    name_en = Text(max_length=LABEL, metadata={"example": "Department of Health"})
    contacts = Items(fields.Nested(Contact), most=CONTACTS, load_default=list)
    webhook_url = Link()
    aliases = Items(Text(required=True, max_length=LABEL), most=ALIASES, load_default=list,
                    metadata={
        "description": "other names it goes by; transcript imports match agencies by name",
        "example": ["Sở Y tế tỉnh Bắc Kạn"]})


class AliasIn(Body):
    alias = Text(required=True, max_length=LABEL, metadata={"example": "Bảo hiểm xã hội tỉnh"})


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


_FORUM = ("dialogue (a dialogue conference), interpellation (a People's Council's "
          "interpellation session), voters_meeting, petition_reply (a written reply to "
          "voters' petitions), resolution (a resolution or conclusion that gives tasks)")


class DialogueIn(Body):
    title = Text(required=True, max_length=TITLE)
    forum = EnumValue(ForumKind, load_default=ForumKind.DIALOGUE,
                      metadata={"description": f"the kind of forum: {_FORUM}"})
    held_on = fields.Date(required=True, metadata={"example": "2024-05-10"})
    place = Text(max_length=TITLE)
    chair = Text(max_length=LABEL)
    chair_email = Address(metadata={
        "description": "the chair's office: escalated reminders go there (never shown publicly)"})
    organiser = Text(max_length=LABEL)
    source_url = Link()


class DialogueOut(Disclosed):
    resource = "dialogue"
    id = fields.UUID(attribute="dialogue.id")
    title = fields.String(attribute="dialogue.title")
    forum = EnumValue(ForumKind, attribute="dialogue.forum",
                      metadata={"description": f"the kind of forum: {_FORUM}"})
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
    carried_over = fields.List(fields.Nested(lambda: CarriedOverOut()), metadata={
        "description": "promises of earlier dialogues carried into this one, each with "
                       "where it came from"})


class DialogueQuery(Body):
    year = fields.Integer(validate=validate.Range(min=1900, max=2999),
                          metadata={"description": "held in this year", "example": 2024})
    kind = EnumValue(ForumKind, metadata={"description": f"the kind of forum: {_FORUM}"})
    q = Text(max_length=SEARCH, metadata={
        "description": "accent-insensitive words of the title, place, chair or organiser"})
    cursor = Text(max_length=CURSOR)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class DialogueSummaryOut(Disclosed):
    resource = "dialogue"
    id = fields.UUID()
    title = fields.String()
    forum = EnumValue(ForumKind)
    held_on = fields.Date()
    place = fields.String(allow_none=True)
    chair = fields.String(allow_none=True)
    organiser = fields.String(allow_none=True)
    source_url = fields.String(allow_none=True)


class DialoguePage(Schema):
    items = fields.List(fields.Nested(DialogueSummaryOut))
    next = fields.String(allow_none=True, metadata={"description": "cursor of the next page"})
    total = fields.Integer()


class AskerContactIn(Body):
    email = Address()
    phone = Text(max_length=40, metadata={"example": "0912 345 678"})


class Person(Body):
    contact = fields.Nested(AskerContactIn, metadata={
        "description": "how to reach the asker, for the mails about their question: "
                       "private (only admins read it back, never a public page)"})
    name = Text(required=True, max_length=NAME, metadata={
        "description": "a person's name, or a group's or body's: "
                       "\"Cử tri xã Phú Giáo\", \"Tổ đại biểu huyện Trấn Yên\""})
    title = Text(max_length=LABEL)
    organisation = Text(max_length=LABEL)
    kind = EnumValue(AskerKind, metadata={
        "description": "person (the default), group (the voters of a commune, a union's "
                       "members) or body (an agency, a council's group of deputies)"})


class Responder(Body):
    name = Text(required=True, max_length=NAME)
    title = Text(max_length=LABEL)
    agency = AgencyCode(required=True)


class QuestionIn(Body):
    asker = fields.Nested(Person, required=True)
    text = Text(required=True)
    addressed_to = Items(AgencyCode(), most=AGENCIES, load_default=list)
    topics = Items(Text(required=True, max_length=TOPIC), most=TOPICS, load_default=list)
    asked_at = fields.AwareDateTime()


class AnswerIn(Body):
    question_ids = Items(
        fields.UUID(), most=QUESTIONS, required=True,
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


class AskerFeedbackOut(Schema):
    verdict = fields.String(metadata={"description": "confirmed or contested"})
    on = fields.Date()
    note = fields.String(allow_none=True)


class AskerFeedbackIn(Body):
    token = Text(required=True, max_length=1_000, metadata={
        "description": "the signed link's last part, from the mail to the asker"})
    note = Text(max_length=NOTE, metadata={"description": "what was not done (contested)"})


class FollowIn(Body):
    email = Address(required=True)
    commitment_id = fields.UUID(metadata={"description": "follow one promise"})
    agency = AgencyCode(metadata={"description": "or every promise of one agency"})
    dialogue_id = fields.UUID(metadata={"description": "or every promise of one dialogue"})

    @validates_schema
    def _one_thing(self, data: dict[str, Any], **_: Any) -> None:
        given = [name for name in ("commitment_id", "agency", "dialogue_id") if name in data]
        if len(given) != 1:
            raise ValidationError("give one of commitment_id, agency, dialogue_id",
                                  field_name="_schema")


class FollowAccepted(Schema):
    message = fields.String()


class AskerFeedbackGiven(Schema):
    commitment_id = fields.UUID(attribute="id")
    asker_feedback = fields.Nested(AskerFeedbackOut)


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
    asker_feedback = fields.Nested(AskerFeedbackOut, allow_none=True, metadata={
        "description": "the asker's word on the agency's last claim (one commitment's "
                       "read only; null in lists)"})


class Evidence(Body):
    """A document (its number or title), a link, or both."""

    title = Text(max_length=TITLE, metadata={"example": "Công văn số 473/SNV-CCVC"})
    url = Link()
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
    note = Text(max_length=NOTE)
    evidence = Items(fields.Nested(Evidence), most=EVIDENCE, load_default=list)
    new_due_on = fields.Date(metadata={"description": "for extend"})
    effective_on = fields.Date(metadata={"description": "when it happened, if earlier"})


class EditIn(Body):
    """A correction of a proposed candidate, recorded as an `Edited` event."""

    text = Text()
    kind = EnumValue(Kind)
    agency = AgencyCode()
    due_on = fields.Date(metadata={"description": "the date the promise states"})
    note = Text(max_length=NOTE)


class CorrectionIn(Body):
    """A correction of a recorded promise, recorded as a `Corrected` event."""

    text = Text()
    kind = EnumValue(Kind)
    agency = AgencyCode()
    due_on = fields.Date(metadata={"description": "the date the promise stated"})
    note = Text(required=True, max_length=NOTE, metadata={"description": "why"})


class ExtensionDecisionIn(Body):
    decision = EnumValue(ExtensionDecision, required=True)
    note = Text(max_length=NOTE, metadata={"description": "required to refuse"})


class VerdictIn(Body):
    verdict = EnumValue(Verdict, required=True)
    note = Text(max_length=NOTE)
    effective_on = fields.Date()


class CommitmentQuery(Body):
    agency = AgencyCode()
    status = EnumValue(Status)
    overdue = fields.Boolean()
    dialogue = fields.UUID()
    forum = EnumValue(ForumKind, metadata={
        "description": "made at a forum of this kind: dialogue, interpellation, "
                       "voters_meeting, petition_reply, resolution"})
    verdict = EnumValue(Verdict)
    q = Text(max_length=SEARCH, metadata={"description": "accent-insensitive words"})
    due_before = fields.Date()
    due_after = fields.Date()
    as_of = fields.Date()
    extension_requested = fields.Boolean(metadata={
        "description": "an agency's request for a later date waits for a decision"})
    sort = EnumValue(Sort, load_default=Sort.MADE, metadata={
        "description": "made (oldest first), -made, due_on (soonest due first), -due_on"})
    cursor = Text(max_length=CURSOR)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class CandidateQuery(Body):
    cursor = Text(max_length=CURSOR)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class AsOfQuery(Body):
    as_of = fields.Date()


class CommitmentPage(Schema):
    items = fields.List(fields.Nested(CommitmentOut))
    next = fields.String(allow_none=True, metadata={"description": "cursor of the next page"})
    total = fields.Integer()
    total_exact = fields.Boolean(attribute="exact", metadata={
        "description": "false when a text search (`q`) matched more than 1,000: `total` is "
                       "then 1,000, a lower bound"})


class HistoryEntryOut(Disclosed):
    resource = "history"
    type = fields.String()
    at = fields.AwareDateTime(metadata={"description": "when it was recorded"})
    effective_on = fields.Date(metadata={"description": "when it happened"})
    version = fields.Integer()
    actor = fields.Dict()
    data = fields.Function(lambda entry: _leaves(entry.data, _plain))


class CarriedOverOut(Schema):
    commitment_id = fields.UUID()
    from_dialogue_id = fields.UUID()
    from_title = fields.String()
    from_held_on = fields.Date()
    on = fields.Date(metadata={"description": "when it was carried over"})
    text = fields.String()
    agency = fields.String()
    status = fields.String()
    due_on = fields.Date()


class CarryOverIn(Body):
    commitment_id = fields.UUID(required=True)


class EarlierIn(Body):
    question_id = fields.UUID(required=True, metadata={
        "description": "the same grievance, raised at an earlier forum"})


class GrievanceOut(Schema):
    question_id = fields.UUID(metadata={"description": "its latest raising"})
    text = fields.String()
    times_raised = fields.Integer()
    dialogue_id = fields.UUID()
    dialogue_title = fields.String()
    held_on = fields.Date()
    agencies = fields.List(fields.String())


class GrievanceQuery(Body):
    agency = AgencyCode()


class QuestionOut(Disclosed):
    resource = "question"
    id = fields.UUID(attribute="question.id")
    dialogue_id = fields.UUID(attribute="question.dialogue_id")
    asker = fields.Function(lambda view: {**view.question.asker, **(
        {"contact": view.contact} if view.contact else {})}, metadata={
        "description": "name, title, organisation, kind; `contact` for admins only"})
    text = fields.String(attribute="question.text")
    addressed_to = fields.List(fields.String(), attribute="question.addressed_to")
    topics = fields.List(fields.String(), attribute="question.topics")
    asked_at = fields.AwareDateTime(attribute="question.asked_at", allow_none=True)
    answered = fields.Boolean()
    answers = fields.List(fields.Nested(AnswerOut))
    commitments = fields.List(fields.Nested(CommitmentOut))
    raised_before = fields.List(fields.UUID(), metadata={
        "description": "the same grievance raised at earlier forums, the nearest first"})
    times_raised = fields.Integer(metadata={"description": "1 + len(raised_before)"})


class ReportQuery(Body):
    as_of = fields.Date()
    dialogue = fields.UUID()
    forum = EnumValue(ForumKind, metadata={"description": "only forums of this kind"})


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
    confirmed_by_asker = fields.Integer(metadata={
        "description": "promises whose asker's last word confirmed the agency's claim"})
    contested_by_asker = fields.Integer(metadata={
        "description": "promises whose asker's last word contested the agency's claim"})


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
    dialogue_title = Text(required=True, max_length=TITLE)
    held_on = fields.Date(required=True, metadata={"example": "2024-05-10"})
    place = Text(max_length=TITLE)
    source_url = Link()
    forum = EnumValue(ForumKind, load_default=ForumKind.DIALOGUE,
                      metadata={"description": f"the kind of forum: {_FORUM}"})
    dry_run = fields.Boolean(load_default=False, metadata={
        "description": "parse and match, answer what would be recorded, store nothing"})


class TranscriptIn(Body):
    """A transcript as sent (text/plain), held to the rule every text is."""

    text = Text(required=True, max_length=TRANSCRIPT)


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


# -- reports before they go out: the agencies' right of reply -------------------------


class PublishedReportIn(Body):
    title = Text(required=True, max_length=TITLE, metadata={
        "example": "Báo cáo kết quả thực hiện cam kết đối thoại năm 2024"})
    as_of = fields.Date(required=True, metadata={"description": "the report's date"})
    reply_days = fields.Integer(load_default=10, validate=validate.Range(min=0, max=60),
                                metadata={"description": "days the agencies may reply "
                                                         "(0: publish at once)"})


class ReplyIn(Body):
    commitment_id = fields.UUID(required=True)
    text = Text(required=True, max_length=NOTE)


class ReportReplyOut(Schema):
    """An agency's reply, as shown beside its entry."""

    agency = fields.String()
    text = fields.String()
    on = fields.Date()


class ReplyOut(ReportReplyOut):
    report_id = fields.UUID()
    commitment_id = fields.UUID()


class ReportEntryOut(Schema):
    id = fields.UUID()
    agency = fields.String()
    text = fields.String()
    kind = fields.String()
    status = fields.String()
    # As kept in the report when it was opened: ISO dates.
    made_on = fields.String(metadata={"format": "date"})
    due_on = fields.String(metadata={"format": "date"})
    overdue = fields.Boolean()
    days_overdue = fields.Integer()
    fulfilled_on = fields.String(allow_none=True, metadata={"format": "date"})
    verdict = fields.String(allow_none=True)
    dialogue_id = fields.UUID()
    reply = fields.Nested(ReportReplyOut, allow_none=True)


class LogHeadOut(Schema):
    """The hash chain's last link; a published report keeps events and digest only."""

    events = fields.Integer()
    digest = fields.String()
    chained_at = fields.DateTime()


class PublishedReportSummaryOut(Schema):
    id = fields.UUID()
    title = fields.String()
    as_of = fields.Date()
    state = fields.String(metadata={"description": "open_for_reply or published"})
    opened_on = fields.Date()
    replies_close_on = fields.Date()
    published_on = fields.Date(allow_none=True)
    log_head = fields.Nested(LogHeadOut, attribute="head", allow_none=True, metadata={
        "description": "the log's head when it was published: note the digest"})
    agencies = fields.List(fields.String())


class PublishedReportOut(PublishedReportSummaryOut):
    entries = fields.List(fields.Nested(ReportEntryOut))
