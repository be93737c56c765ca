"""The public report as JSON: the same figures the pages show.

Field names are the API's (`status`, `due_on`, `overdue`), not translated, so
a newsroom's script keeps working whatever language a reader chose (the CSV
and the documents speak the reader's language: api/documents). Links are
absolute, from PUBLIC_BASE_URL, so a row can be cited on its own.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from marshmallow import Schema, fields

from api.schemas import CarriedOverOut, GrievanceOut, LogHeadOut


def public_url(endpoint: str, **values: Any) -> str:
    base: str = current_app.extensions["commitments"].settings.public_base_url
    return base + url_for(endpoint, **values)


class ScorecardOut(Schema):
    made = fields.Int()
    fulfilled = fields.Int()
    fulfilled_on_time = fields.Int()
    fulfilled_late = fields.Int()
    fulfilled_by_original_date = fields.Int()
    pending_within_deadline = fields.Int()
    overdue = fields.Int()
    partially_fulfilled = fields.Int()
    declined = fields.Int()
    withdrawn = fields.Int()
    verified = fields.Int()
    disputed = fields.Int()
    confirmed_by_asker = fields.Int()
    contested_by_asker = fields.Int()


class StandingOut(Schema):
    rank = fields.Int(allow_none=True)
    agency = fields.Str(attribute="score.agency")
    name = fields.Str(attribute="score.name")
    commitments = fields.Int(attribute="owned")
    overdue_share = fields.Float()
    fulfilled_on_time = fields.Int(attribute="score.fulfilled_on_time")
    fulfilled_late = fields.Int(attribute="score.fulfilled_late")
    fulfilled_by_original_date = fields.Int(attribute="score.fulfilled_by_original_date")
    pending_within_deadline = fields.Int(attribute="score.pending_within_deadline")
    overdue = fields.Int(attribute="score.overdue")
    partially_fulfilled = fields.Int(attribute="score.partially_fulfilled")
    declined = fields.Int(attribute="score.declined")
    withdrawn = fields.Int(attribute="score.withdrawn")
    transferred = fields.Int(attribute="score.transferred")
    verified = fields.Int(attribute="score.verified")
    disputed = fields.Int(attribute="score.disputed")
    confirmed_by_asker = fields.Int(attribute="score.confirmed_by_asker")
    contested_by_asker = fields.Int(attribute="score.contested_by_asker")
    url = fields.Function(lambda s: public_url("reports.agency", code=s.score.agency))


class MonthOut(Schema):
    month = fields.Date(format="%Y-%m")
    made = fields.Int()
    fulfilled = fields.Int()


class DialogueSummaryOut(Schema):
    id = fields.UUID()
    title = fields.Str()
    forum = fields.Str(metadata={
        "description": "dialogue, interpellation, voters_meeting, petition_reply or resolution"})
    held_on = fields.Date()
    place = fields.Str(allow_none=True)
    questions = fields.Int()
    answered = fields.Int()
    scorecard = fields.Nested(ScorecardOut)
    url = fields.Function(lambda d: public_url("reports.dialogue", dialogue_id=d.id))


class OverviewOut(Schema):
    as_of = fields.Date()
    forum = fields.Str(allow_none=True, metadata={
        "description": "the kind of forum counted and listed; null: every kind"})
    scorecard = fields.Nested(ScorecardOut)
    minimum_ranked = fields.Int(attribute="minimum")
    agencies = fields.List(fields.Nested(StandingOut), attribute="standings")
    dialogues = fields.List(fields.Nested(DialogueSummaryOut))
    months = fields.List(fields.Nested(MonthOut))
    log = fields.Nested(LogHeadOut, allow_none=True)


class EvidenceOut(Schema):
    title = fields.Str()
    url = fields.Str()


class TimelineOut(Schema):
    event = fields.Str()
    effective_on = fields.Date()
    recorded_at = fields.DateTime()
    status = fields.Str()
    detail = fields.Dict()


class ReportedOut(Schema):
    id = fields.UUID(attribute="commitment.id")
    agency = fields.Str(attribute="commitment.agency")
    agency_name = fields.Str()
    handover = fields.Str(allow_none=True)
    text = fields.Str(attribute="commitment.text")
    kind = fields.Str(attribute="commitment.kind")
    status = fields.Str(attribute="commitment.status")
    made_on = fields.Date(attribute="commitment.made_on")
    original_due_on = fields.Date(attribute="commitment.original_due_on")
    due_on = fields.Date(attribute="commitment.due_on")
    due_basis = fields.Str(attribute="commitment.due_basis")
    extensions = fields.Int(attribute="commitment.extensions")
    overdue = fields.Bool(attribute="commitment.overdue")
    days_overdue = fields.Int(attribute="commitment.days_overdue")
    fulfilled_on = fields.Date(attribute="commitment.fulfilled_on", allow_none=True)
    verdict = fields.Str(attribute="commitment.verdict", allow_none=True)
    reminders_sent = fields.Int(attribute="commitment.reminders_sent")
    evidence = fields.List(fields.Nested(EvidenceOut), attribute="commitment.evidence")
    timeline = fields.List(fields.Nested(TimelineOut))
    url = fields.Function(lambda r: public_url("reports.commitment",
                                               commitment_id=r.commitment.id))


class AnswerOut(Schema):
    id = fields.UUID()
    responder = fields.Dict()
    text = fields.Str()
    answered_on = fields.Date(allow_none=True)


class QuestionOut(Schema):
    id = fields.UUID()
    asker = fields.Dict()
    text = fields.Str()
    answered = fields.Bool()
    answers = fields.List(fields.Nested(AnswerOut))
    commitments = fields.List(fields.Nested(ReportedOut(exclude=("timeline",))))


class DialogueReportOut(Schema):
    as_of = fields.Date()
    dialogue = fields.Nested(DialogueSummaryOut, attribute="summary")
    organiser = fields.Str(allow_none=True)
    source_url = fields.Str(allow_none=True)
    questions = fields.List(fields.Nested(QuestionOut))
    other_commitments = fields.List(fields.Nested(ReportedOut(exclude=("timeline",))),
                                    attribute="others")
    carried_over = fields.List(fields.Nested(CarriedOverOut))


class AgencyLinkOut(Schema):
    code = fields.Str()
    name = fields.Str()
    url = fields.Function(lambda a: public_url("reports.agency", code=a.code))


class AgencyReportOut(Schema):
    as_of = fields.Date()
    agency = fields.Nested(AgencyLinkOut)
    successor = fields.Nested(AgencyLinkOut, allow_none=True)
    predecessors = fields.List(fields.Nested(AgencyLinkOut))
    scorecard = fields.Nested(ScorecardOut)
    rank = fields.Int(attribute="standing.rank", allow_none=True)
    overdue_share = fields.Float(attribute="standing.overdue_share", allow_none=True)
    total = fields.Int()
    commitments = fields.List(fields.Nested(ReportedOut(exclude=("timeline",))))
    months = fields.List(fields.Nested(MonthOut))
    grievances = fields.List(fields.Nested(GrievanceOut))


class CommitmentReportOut(Schema):
    as_of = fields.Date()
    commitment = fields.Nested(ReportedOut, attribute="item")
    dialogue = fields.Nested(DialogueSummaryOut)
    answer = fields.Nested(AnswerOut, allow_none=True)
    questions = fields.List(fields.Nested(QuestionOut(exclude=("commitments",))))
