"""What a caller asks the service to do: one dataclass per use case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.asker import FeedbackVerdict
from domain.deadlines import Kind
from domain.dialogue import Channel, ForumKind
from domain.follow import Followed
from domain.status import Action, ExtensionDecision, Verdict


@dataclass(frozen=True)
class RegisterAgency:
    code: str
    name: str
    name_en: str | None = None
    contacts: list[dict[str, Any]] = field(default_factory=list)
    webhook_url: str | None = None
    aliases: list[str] = field(default_factory=list)
    confirmed: bool = True


@dataclass(frozen=True)
class AddAgencyAlias:
    code: str
    alias: str


@dataclass(frozen=True)
class ConfirmAgency:
    code: str


@dataclass(frozen=True)
class ChangeAgencyContacts:
    """Replace an agency's contacts (whom reminders go to) with this list."""

    code: str
    contacts: list[dict[str, Any]]
    # The agency's version the list was edited from: a change made meanwhile
    # would otherwise be overwritten unseen.
    expected_version: int | None = None


@dataclass(frozen=True)
class RecordSuccession:
    code: str
    successor_code: str
    effective_on: date | None = None


@dataclass(frozen=True)
class RecordDialogue:
    title: str
    held_on: date
    place: str | None = None
    chair: str | None = None
    organiser: str | None = None
    source_url: str | None = None
    chair_email: str | None = None
    forum: ForumKind = ForumKind.DIALOGUE


@dataclass(frozen=True)
class AskQuestion:
    dialogue_id: UUID
    asker: dict[str, Any]
    text: str
    addressed_to: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    asked_at: datetime | None = None
    # How to reach the asker: {email, phone}, kept apart and never shown.
    contact: dict[str, Any] | None = None


@dataclass(frozen=True)
class GiveAnswer:
    question_ids: list[UUID]
    responder: dict[str, Any]
    text: str
    answered_at: datetime | None = None
    channel: Channel = Channel.MEETING
    # An answer that addresses no recorded question (an import found none)
    # names its dialogue instead.
    dialogue_id: UUID | None = None
    linked_by: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class MakeCommitment:
    agency: str
    text: str
    kind: Kind
    answer_id: UUID | None = None
    dialogue_id: UUID | None = None
    due_on: date | None = None
    proposed: bool = False


@dataclass(frozen=True)
class UpdateCommitment:
    commitment_id: UUID
    action: Action
    note: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    new_due_on: date | None = None
    effective_on: date | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class EditCommitment:
    """Correct a proposed candidate: any of its text, kind, owner, due date."""

    commitment_id: UUID
    text: str | None = None
    kind: Kind | None = None
    agency: str | None = None
    due_on: date | None = None
    note: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class CorrectCommitment:
    """Correct a recorded promise (not a candidate): what it said, its kind, its
    owner or its stated due date, with the reason."""

    commitment_id: UUID
    note: str
    text: str | None = None
    kind: Kind | None = None
    agency: str | None = None
    due_on: date | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class DecideExtension:
    """Approve or refuse the extension an agency asked for."""

    commitment_id: UUID
    decision: ExtensionDecision
    note: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class ImportTranscript:
    title: str
    held_on: date
    text: str
    place: str | None = None
    source_url: str | None = None
    forum: ForumKind = ForumKind.DIALOGUE


@dataclass(frozen=True)
class GiveVerdict:
    commitment_id: UUID
    verdict: Verdict
    note: str | None = None
    effective_on: date | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class GiveAskerFeedback:
    """The asker's word on the agency's claim, through a signed link."""

    commitment_id: UUID
    claim_version: int
    verdict: FeedbackVerdict
    note: str | None = None


@dataclass(frozen=True)
class OpenReportForReply:
    """A report as of a date, opened for the agencies' replies; its entries
    are read by the service (service/published_reports.py), not given."""

    title: str
    as_of: date
    reply_days: int
    entries: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ReplyToReport:
    report_id: UUID
    commitment_id: UUID
    text: str


@dataclass(frozen=True)
class PublishReport:
    report_id: UUID
    # The log's head when it is published: {events, digest}.
    head: dict[str, Any] | None = None


@dataclass(frozen=True)
class RequestFollow:
    email: str
    kind: Followed
    target: str


@dataclass(frozen=True)
class ConfirmFollow:
    follow_id: UUID
    # Which request the link answered: a link from before an unsubscribe
    # does not start the follow again.
    request: int


@dataclass(frozen=True)
class EndFollow:
    follow_id: UUID


@dataclass(frozen=True)
class CarryOver:
    """An unresolved promise of an earlier dialogue, carried into this one."""

    dialogue_id: UUID
    commitment_id: UUID


@dataclass(frozen=True)
class LinkEarlierQuestion:
    """This question raises the same grievance as an earlier one."""

    question_id: UUID
    earlier_id: UUID


Command = (
    RegisterAgency
    | AddAgencyAlias
    | ConfirmAgency
    | ChangeAgencyContacts
    | CorrectCommitment
    | DecideExtension
    | EditCommitment
    | ImportTranscript
    | RecordSuccession
    | RecordDialogue
    | AskQuestion
    | GiveAnswer
    | MakeCommitment
    | UpdateCommitment
    | GiveVerdict
    | GiveAskerFeedback
    | OpenReportForReply
    | ReplyToReport
    | PublishReport
    | RequestFollow
    | ConfirmFollow
    | EndFollow
    | CarryOver
    | LinkEarlierQuestion
)
