"""One function per command: load what it needs, apply domain rules, and
return the aggregates to save (the one the caller asked about first).

Handlers never save; `Commitments.execute` saves all they return in one
atomic write, together with the idempotency record when there is one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.access import (
    Actor,
    Permission,
    Role,
    authorize,
    backdating_limit,
    permission_for,
    requests_only,
)
from domain.agency import Agency, AgencyName, agency_id, agency_name_id, alias_key
from domain.asker import AskerContact, contact_id, contact_of
from domain.calendar import Calendar
from domain.commitment import Commitment
from domain.deadlines import DueBasis, DuePolicy, Kind, due_date
from domain.dialogue import Answer, Dialogue, Question, asker_of
from domain.errors import AlreadyExists, Forbidden, InvalidInput, NotFound, VersionConflict
from domain.follow import Follow, Followed, follow_id
from domain.messages import Message, Purpose
from domain.published_report import PublishedReport, replies_close_on
from domain.recurrence import check_carry_over, check_raised_before
from domain.status import Action, Status, allowed_actions
from service import commands as c

A = TypeVar("A", bound=Aggregate)


class Store(Protocol):
    """What handlers read: the application's repository, or an import's view
    of it that also sees what the import has made so far."""

    def get(self, aggregate_id: UUID, *, version: int | None = None) -> Any: ...

    def __contains__(self, item: UUID, /) -> bool: ...


def load(repository: Store, cls: type[A], aggregate_id: UUID) -> A:
    """The aggregate of that kind with that id, or NotFound."""
    try:
        found: Aggregate | None = repository.get(aggregate_id)
    except AggregateNotFoundError:
        found = None
    if not isinstance(found, cls):
        raise NotFound(f"no {cls.__name__.lower()} with id {aggregate_id}")
    return found


@dataclass(frozen=True)
class Context:
    repository: Store
    actor: Actor
    today: date
    timezone: ZoneInfo
    due_policy: DuePolicy
    # Every commitment ever recorded as an agency's (read from the log).
    owned_by: Callable[[str], list[UUID]]
    calendar: Calendar

    @property
    def recorded_by(self) -> dict[str, Any]:
        return self.actor.as_record()

    def get(self, cls: type[A], aggregate_id: UUID, field: str | None = None) -> A:
        """The aggregate, or NotFound (InvalidInput naming `field` when the id
        came from the request body rather than the path)."""
        try:
            return load(self.repository, cls, aggregate_id)
        except NotFound as error:
            if field:
                raise InvalidInput(field, error.message) from None
            raise

    def agency(self, code: str, field: str) -> Agency:
        try:
            return self.get(Agency, agency_id(code), field)
        except InvalidInput:
            raise InvalidInput(field, f"no agency with code {code!r}") from None


Handler = Callable[[Any, Context], list[Aggregate]]


def register_agency(cmd: c.RegisterAgency, ctx: Context) -> list[Aggregate]:
    authorize(ctx.actor, Permission.RECORD)
    if agency_id(cmd.code) in ctx.repository:
        raise AlreadyExists(f"an agency with code {cmd.code!r} already exists")
    agency = Agency(
        code=cmd.code,
        name=cmd.name,
        name_en=cmd.name_en,
        contacts=cmd.contacts,
        webhook_url=cmd.webhook_url,
        actor=ctx.recorded_by,
        confirmed=cmd.confirmed,
        aliases=cmd.aliases,
    )
    # One claim per distinct key ("Sở Y tế" and "Sở Y tế tỉnh Bắc Kạn" are one
    # name); where two spellings share a key, the first given is kept.
    names = {alias_key(name): name for name in reversed(agency.names)}
    return [agency, *(_claim_name(ctx, name, cmd.code, "aliases" if name in cmd.aliases
                                  else "name") for name in names.values())]


def _claim_name(ctx: Context, name: str, code: str, field: str) -> AgencyName:
    """The record that `name` means agency `code`: what imports match by."""
    if not alias_key(name):
        raise InvalidInput(field, f"{name!r} has no letters to match an agency by")
    if agency_name_id(name) in ctx.repository:
        owner = ctx.get(AgencyName, agency_name_id(name))
        raise AlreadyExists(
            f"the name {name!r} already means agency {owner.code} (as {owner.name!r}); "
            "agencies are matched by name, so two cannot share one"
        )
    return AgencyName(name=name, code=code)


def add_agency_alias(cmd: c.AddAgencyAlias, ctx: Context) -> list[Aggregate]:
    authorize(ctx.actor, Permission.RECORD)
    agency = _agency_named_in_path(ctx, cmd.code)
    agency.add_alias(cmd.alias, actor=ctx.recorded_by)
    return [agency, _claim_name(ctx, cmd.alias, agency.code, "alias")]


def confirm_agency(cmd: c.ConfirmAgency, ctx: Context) -> list[Aggregate]:
    authorize(ctx.actor, Permission.RECORD)
    agency = _agency_named_in_path(ctx, cmd.code)
    agency.confirm(actor=ctx.recorded_by)
    return [agency]


def change_agency_contacts(cmd: c.ChangeAgencyContacts, ctx: Context) -> list[Aggregate]:
    authorize(ctx.actor, Permission.RECORD)
    agency = _agency_named_in_path(ctx, cmd.code)
    if cmd.expected_version is not None and agency.version != cmd.expected_version:
        raise VersionConflict(
            f"agency {agency.code} changed since its contacts were read (version "
            f"{agency.version}, not {cmd.expected_version}): reload it and try again"
        )
    agency.change_contacts(cmd.contacts, actor=ctx.recorded_by)
    return [agency]


def _agency_named_in_path(ctx: Context, code: str) -> Agency:
    try:
        return ctx.get(Agency, agency_id(code))
    except NotFound:
        raise NotFound(f"no agency with code {code!r}") from None


def record_succession(cmd: c.RecordSuccession, ctx: Context) -> list[Aggregate]:
    """The successor takes over every commitment still in play, in one write.
    Recorded again, it hands on what the first time missed, and nothing twice."""
    authorize(ctx.actor, Permission.RECORD)
    agency = _agency_named_in_path(ctx, cmd.code)
    successor = ctx.agency(cmd.successor_code, "successor_code")
    again = agency.successor is not None
    when = cmd.effective_on or agency.succeeded_on or ctx.today
    changed: list[Aggregate] = []
    pairs: list[dict[str, str]] = []
    for commitment_id in ctx.owned_by(agency.code):
        commitment = ctx.get(Commitment, commitment_id)
        if commitment.agency != agency.code or Action.TRANSFER not in allowed_actions(
            commitment.status
        ):
            continue  # handed on already, finished, or corrected to another owner
        if when < commitment.effective_on and not again:
            raise InvalidInput(
                "effective_on",
                f"commitment {commitment.id} changed on {commitment.effective_on}, after "
                f"the succession date {when}",
            )
        carried = commitment.transfer(successor.code, today=ctx.today, actor=ctx.recorded_by,
                                      effective_on=max(when, commitment.effective_on))
        changed += [commitment, carried]
        pairs.append({"from": str(commitment.id), "to": str(carried.id)})
    agency.succeed(successor, effective_on=when, today=ctx.today, transferred=pairs,
                   actor=ctx.recorded_by)
    return [agency, *changed]


def _owner_on(ctx: Context, agency: Agency, day: date) -> Agency:
    """The agency that carries `agency`'s work on `day`, along its successions."""
    seen = {agency.code}
    while (code := agency.owner_on(day)) is not None and code not in seen:
        seen.add(code)
        agency = ctx.get(Agency, agency_id(code))
    return agency


def _hand_on(ctx: Context, commitment: Commitment) -> list[Aggregate]:
    """A promise recorded for an agency that a successor replaced after the day
    it was made: handed on at once, dated the succession, along the chain; the
    last holder's commitment first, then the rest to save."""
    changed: list[Aggregate] = []
    holder = ctx.get(Agency, agency_id(commitment.agency))
    seen = {holder.code}
    while holder.successor is not None and holder.succeeded_on is not None \
            and holder.successor not in seen:
        seen.add(holder.successor)
        carried = commitment.transfer(
            holder.successor, today=ctx.today, actor=ctx.recorded_by,
            effective_on=max(holder.succeeded_on, commitment.effective_on))
        holder.hand_on([{"from": str(commitment.id), "to": str(carried.id)}],
                       actor=ctx.recorded_by)
        changed += [commitment, holder]
        commitment = carried
        holder = ctx.get(Agency, agency_id(holder.successor))
    return [commitment, *changed]


def record_dialogue(cmd: c.RecordDialogue, ctx: Context) -> list[Aggregate]:
    authorize(ctx.actor, Permission.RECORD)
    return [
        Dialogue(
            title=cmd.title,
            held_on=cmd.held_on,
            place=cmd.place,
            chair=cmd.chair,
            organiser=cmd.organiser,
            source_url=cmd.source_url,
            actor=ctx.recorded_by,
            chair_email=cmd.chair_email,
            forum=cmd.forum.value,
        )
    ]


def ask_question(cmd: c.AskQuestion, ctx: Context) -> list[Aggregate]:
    authorize(ctx.actor, Permission.RECORD)
    ctx.get(Dialogue, cmd.dialogue_id)
    for code in cmd.addressed_to:
        ctx.agency(code, "addressed_to")
    contact = contact_of(cmd.contact)
    question = Question(
        dialogue_id=cmd.dialogue_id,
        asker=asker_of(cmd.asker),
        text=cmd.text,
        addressed_to=cmd.addressed_to,
        topics=cmd.topics,
        asked_at=cmd.asked_at,
        actor=ctx.recorded_by,
    )
    if contact is None:
        return [question]
    return [question, AskerContact(question_id=question.id, email=contact.get("email"),
                                   phone=contact.get("phone"), actor=ctx.recorded_by)]


def _reachable(ctx: Context, question_ids: list[UUID]) -> list[UUID]:
    """The questions whose askers left an address to write to."""
    found = []
    for question_id in question_ids:
        if contact_id(question_id) in ctx.repository:
            contact = ctx.get(AskerContact, contact_id(question_id))
            if contact.email:
                found.append(question_id)
    return found


def _tell_askers(ctx: Context, purpose: Purpose, question_ids: list[UUID], about: str,
                 **ids: str) -> list[Aggregate]:
    """The mails owed to the askers of `question_ids`, opened in the write
    that owes them (domain.messages); `about` makes each one's key."""
    return [Message(key=f"{purpose.value}:{about}:{question_id}", purpose=purpose.value,
                    about={**ids, "question_id": str(question_id)})
            for question_id in _reachable(ctx, question_ids)]


def give_answer(cmd: c.GiveAnswer, ctx: Context) -> list[Aggregate]:
    authorize(ctx.actor, Permission.RECORD)
    questions = [ctx.get(Question, qid, "question_ids") for qid in cmd.question_ids]
    dialogues = {q.dialogue_id for q in questions}
    if len(dialogues) > 1:
        raise InvalidInput(
            "question_ids", "an answer addresses questions of one dialogue only"
        )
    if not dialogues:
        if cmd.dialogue_id is None:
            raise InvalidInput("question_ids", "name the questions this answer addresses")
        dialogues.add(ctx.get(Dialogue, cmd.dialogue_id, "dialogue_id").id)
    ctx.agency(cmd.responder["agency"], "responder.agency")
    if cmd.answered_at is not None:
        answered_on = cmd.answered_at.astimezone(ctx.timezone).date()
        held_on = ctx.get(Dialogue, next(iter(dialogues))).held_on
        if answered_on > ctx.today:
            raise InvalidInput("answered_at", f"answered_at {answered_on} is in the future")
        if answered_on < held_on:
            raise InvalidInput(
                "answered_at", f"answered_at {answered_on} is before the dialogue ({held_on})"
            )
    answer = Answer(
        dialogue_id=dialogues.pop(),
        question_ids=list(cmd.question_ids),
        responder=cmd.responder,
        text=cmd.text,
        answered_at=cmd.answered_at,
        channel=cmd.channel.value,
        actor=ctx.recorded_by,
        linked_by=cmd.linked_by,
        evidence=cmd.evidence,
    )
    return [answer, *_tell_askers(ctx, Purpose.ANSWERED, answer.question_ids, str(answer.id),
                                  answer_id=str(answer.id))]


def make_commitment(cmd: c.MakeCommitment, ctx: Context) -> list[Aggregate]:
    authorize(ctx.actor, Permission.RECORD)
    named = ctx.agency(cmd.agency, "agency")
    answer: Answer | None = None
    if cmd.answer_id is not None:
        answer = ctx.get(Answer, cmd.answer_id, "answer_id")
        if cmd.dialogue_id is not None and cmd.dialogue_id != answer.dialogue_id:
            raise InvalidInput("dialogue_id", "the answer belongs to another dialogue")
        dialogue = ctx.get(Dialogue, answer.dialogue_id)
    elif cmd.dialogue_id is not None:
        dialogue = ctx.get(Dialogue, cmd.dialogue_id, "dialogue_id")
    else:
        raise InvalidInput("answer_id", "give answer_id, or dialogue_id for a directive")
    due_on, basis = due_date(cmd.kind, cmd.due_on, dialogue.held_on, ctx.due_policy,
                             ctx.calendar)
    # A promise is made when it is spoken: the answer's time if known, else
    # the dialogue's date.
    made_on = dialogue.held_on
    if answer is not None and answer.answered_at is not None:
        made_on = answer.answered_at.astimezone(ctx.timezone).date()
    if made_on > ctx.today:
        # Updates are dated between the promise and today; a promise dated
        # later could never be updated.
        raise InvalidInput(
            "dialogue_id" if answer is None else "answer_id",
            f"the promise would be made on {made_on}, after today: record it once the "
            "dialogue has been held",
        )
    # Made for the agency that existed on the day it was spoken; if a successor
    # replaced that one since, the successor owns it from the succession on.
    commitment = Commitment(
        agency=_owner_on(ctx, named, made_on).code,
        text=cmd.text,
        kind=cmd.kind.value,
        due_on=due_on,
        due_basis=basis.value,
        made_on=made_on,
        dialogue_id=dialogue.id,
        answer_id=answer.id if answer else None,
        question_ids=list(answer.question_ids) if answer else [],
        status=(Status.PROPOSED if cmd.proposed else Status.OPEN).value,
        actor=ctx.recorded_by,
    )
    return _hand_on(ctx, commitment)


def _commitment_for_change(
    ctx: Context, commitment_id: UUID, expected_version: int | None
) -> Commitment:
    commitment = ctx.get(Commitment, commitment_id)
    # Reminders recorded since the caller read it change nothing it saw.
    if expected_version is not None and not commitment.unchanged_since(expected_version):
        raise VersionConflict(
            f"commitment {commitment_id} is at version {commitment.version}, "
            f"not {expected_version} as If-Match says: reload it and try again"
        )
    return commitment


def update_commitment(cmd: c.UpdateCommitment, ctx: Context) -> list[Aggregate]:
    commitment = _commitment_for_change(ctx, cmd.commitment_id, cmd.expected_version)
    authorize(ctx.actor, permission_for(cmd.action, ctx.actor), owner=commitment.agency)
    backdating = backdating_limit(ctx.actor)
    if requests_only(cmd.action, ctx.actor):
        # The body being judged does not move its own deadline: it asks.
        commitment.request_extension(
            cmd.new_due_on, today=ctx.today, actor=ctx.recorded_by, note=cmd.note,
            evidence=cmd.evidence, effective_on=cmd.effective_on, backdating=backdating)
        return [commitment]
    commitment.update(
        cmd.action,
        today=ctx.today,
        actor=ctx.recorded_by,
        note=cmd.note,
        evidence=cmd.evidence,
        new_due_on=cmd.new_due_on,
        effective_on=cmd.effective_on,
        backdating=backdating,
    )
    if commitment.claim_version != commitment.version:
        return [commitment]
    # A claim the askers are asked about: each gets a mail with two links.
    return [commitment, *_tell_askers(
        ctx, Purpose.CLAIMED, commitment.question_ids,
        f"{commitment.id}:{commitment.version}", commitment_id=str(commitment.id),
        claim_version=str(commitment.version))]


def give_asker_feedback(cmd: c.GiveAskerFeedback, ctx: Context) -> list[Aggregate]:
    if ctx.actor.role is not Role.ASKER:
        # Staff judge through verdicts; this is the asker's own word.
        raise Forbidden("only the person who asked gives this, through the link mailed to "
                        "them")
    commitment = ctx.get(Commitment, cmd.commitment_id)
    commitment.give_asker_feedback(cmd.verdict, claim_version=cmd.claim_version,
                                   today=ctx.today, actor=ctx.recorded_by, note=cmd.note)
    return [commitment]


def decide_extension(cmd: c.DecideExtension, ctx: Context) -> list[Aggregate]:
    commitment = _commitment_for_change(ctx, cmd.commitment_id, cmd.expected_version)
    authorize(ctx.actor, Permission.DECIDE)
    commitment.decide_extension(cmd.decision, today=ctx.today, actor=ctx.recorded_by,
                                note=cmd.note)
    return [commitment]


def _due(ctx: Context, commitment: Commitment, kind: Kind | None,
         due_on: date | None) -> tuple[date, DueBasis] | None:
    """The due date an edit or correction sets: a stated date wins; a new kind
    moves a default date with it."""
    if due_on is None and (kind is None or commitment.due_basis is not DueBasis.DEFAULT):
        return None
    held_on = ctx.get(Dialogue, commitment.dialogue_id).held_on
    return due_date(kind or commitment.kind, due_on, held_on, ctx.due_policy, ctx.calendar)


def edit_commitment(cmd: c.EditCommitment, ctx: Context) -> list[Aggregate]:
    commitment = _commitment_for_change(ctx, cmd.commitment_id, cmd.expected_version)
    authorize(ctx.actor, Permission.CONFIRM)
    if cmd.agency is not None:
        ctx.agency(cmd.agency, "agency")
    commitment.edit(today=ctx.today, actor=ctx.recorded_by, text=cmd.text, kind=cmd.kind,
                    agency=cmd.agency, due=_due(ctx, commitment, cmd.kind, cmd.due_on),
                    note=cmd.note)
    return [commitment]


def correct_commitment(cmd: c.CorrectCommitment, ctx: Context) -> list[Aggregate]:
    commitment = _commitment_for_change(ctx, cmd.commitment_id, cmd.expected_version)
    authorize(ctx.actor, Permission.CONFIRM)
    if cmd.agency is not None:
        ctx.agency(cmd.agency, "agency")
    commitment.correct(today=ctx.today, actor=ctx.recorded_by, note=cmd.note, text=cmd.text,
                       kind=cmd.kind, agency=cmd.agency,
                       due=_due(ctx, commitment, cmd.kind, cmd.due_on))
    return [commitment]


def give_verdict(cmd: c.GiveVerdict, ctx: Context) -> list[Aggregate]:
    commitment = _commitment_for_change(ctx, cmd.commitment_id, cmd.expected_version)
    authorize(ctx.actor, Permission.JUDGE)
    commitment.give_verdict(
        cmd.verdict,
        today=ctx.today,
        actor=ctx.recorded_by,
        note=cmd.note,
        effective_on=cmd.effective_on,
    )
    return [commitment]


def open_report_for_reply(cmd: c.OpenReportForReply, ctx: Context) -> list[Aggregate]:
    """The report, and a mail owed to each agency in it that has an address."""
    authorize(ctx.actor, Permission.RECORD)
    if cmd.as_of > ctx.today:
        raise InvalidInput("as_of", f"as_of {cmd.as_of.isoformat()} is in the future")
    replies_close_on(ctx.today, cmd.reply_days)  # refuses a window out of bounds
    report = PublishedReport(title=cmd.title, as_of=cmd.as_of, reply_days=cmd.reply_days,
                             opened_on=ctx.today, entries=cmd.entries, actor=ctx.recorded_by)
    invited: list[Aggregate] = []
    for code in report.agencies:
        agency = ctx.get(Agency, agency_id(code))
        if any(contact.get("email") for contact in agency.contacts):
            invited.append(Message(
                key=f"{Purpose.REPLY_INVITED.value}:{report.id}:{code}",
                purpose=Purpose.REPLY_INVITED.value,
                about={"report_id": str(report.id), "agency": code}))
    return [report, *invited]


def reply_to_report(cmd: c.ReplyToReport, ctx: Context) -> list[Aggregate]:
    report = ctx.get(PublishedReport, cmd.report_id)
    try:
        entry = report.entry(cmd.commitment_id)
    except NotFound as error:
        raise InvalidInput("commitment_id", error.message) from None
    # The owning agency replies (the secretariat may enter a reply sent by letter).
    authorize(ctx.actor, Permission.UPDATE, owner=entry["agency"])
    report.reply(cmd.commitment_id, cmd.text, today=ctx.today, actor=ctx.recorded_by)
    return [report]


def publish_report(cmd: c.PublishReport, ctx: Context) -> list[Aggregate]:
    authorize(ctx.actor, Permission.RECORD)
    report = ctx.get(PublishedReport, cmd.report_id)
    report.publish(today=ctx.today, head=cmd.head, actor=ctx.recorded_by)
    return [report]


def request_follow(cmd: c.RequestFollow, ctx: Context) -> list[Aggregate]:
    """A follow asked for, and its confirmation mail; nothing else is sent
    until it is confirmed. Asked again, a pending or ended follow gets a new
    mail; an active one, nothing (the answer is the same either way)."""
    target = _followable(ctx, cmd.kind, cmd.target)
    found = follow_id(cmd.email, cmd.kind, target)
    now = datetime.now(UTC)
    if found in ctx.repository:
        follow = ctx.get(Follow, found)
        if not follow.request_again(now):
            return [follow]
    else:
        follow = Follow(email=cmd.email, kind=cmd.kind.value, target=target, at=now)
    return [follow, Message(key=f"{Purpose.FOLLOW_CONFIRM.value}:{follow.id}:{follow.requests}",
                            purpose=Purpose.FOLLOW_CONFIRM.value,
                            about={"follow_id": str(follow.id),
                                   "request": str(follow.requests)})]


def _followable(ctx: Context, kind: Followed, target: str) -> str:
    """What may be followed: a promise of the public report, an agency, a
    dialogue; its key as the read tables hold it."""
    if kind is Followed.AGENCY:
        return ctx.agency(target, "agency").code
    field = f"{kind.value}_id"
    try:
        key = UUID(target)
    except ValueError:
        raise InvalidInput(field, f"no {kind.value} with id {target!r}") from None
    if kind is Followed.DIALOGUE:
        return str(ctx.get(Dialogue, key, field).id)
    commitment = ctx.get(Commitment, key, field)
    if commitment.status in (Status.PROPOSED, Status.REJECTED):
        raise InvalidInput(field, f"commitment {key} is not in the public report")
    return str(commitment.id)


def confirm_follow(cmd: c.ConfirmFollow, ctx: Context) -> list[Aggregate]:
    follow = ctx.get(Follow, cmd.follow_id)
    if cmd.request == follow.requests:
        follow.confirm(datetime.now(UTC))
    return [follow]


def end_follow(cmd: c.EndFollow, ctx: Context) -> list[Aggregate]:
    follow = ctx.get(Follow, cmd.follow_id)
    follow.end(datetime.now(UTC))
    return [follow]


def carry_over(cmd: c.CarryOver, ctx: Context) -> list[Aggregate]:
    """The dialogue lists the promise, and the promise's history says so."""
    authorize(ctx.actor, Permission.RECORD)
    dialogue = ctx.get(Dialogue, cmd.dialogue_id)
    commitment = ctx.get(Commitment, cmd.commitment_id, "commitment_id")
    source = ctx.get(Dialogue, commitment.dialogue_id)
    check_carry_over(commitment.status, source.id, source.held_on, dialogue.id,
                     dialogue.held_on, dialogue.carried, commitment.id)
    dialogue.carry_over(commitment.id, source.id, on=ctx.today, actor=ctx.recorded_by)
    commitment.carry_over(dialogue.id, today=ctx.today, actor=ctx.recorded_by)
    return [dialogue, commitment]


def _asked_on(ctx: Context, question: Question) -> date:
    """When a question was put: its time if recorded, else its forum's day."""
    if question.asked_at is not None:
        return question.asked_at.astimezone(ctx.timezone).date()
    return ctx.get(Dialogue, question.dialogue_id).held_on


def link_earlier_question(cmd: c.LinkEarlierQuestion, ctx: Context) -> list[Aggregate]:
    authorize(ctx.actor, Permission.RECORD)
    question = ctx.get(Question, cmd.question_id)
    earlier = ctx.get(Question, cmd.earlier_id, "question_id")
    check_raised_before(question.id, _asked_on(ctx, question), earlier.id,
                        _asked_on(ctx, earlier), question.raised_before)
    question.link_earlier(earlier.id, actor=ctx.recorded_by)
    return [question]


HANDLERS: dict[type, Handler] = {
    c.RegisterAgency: register_agency,
    c.AddAgencyAlias: add_agency_alias,
    c.ConfirmAgency: confirm_agency,
    c.ChangeAgencyContacts: change_agency_contacts,
    c.CorrectCommitment: correct_commitment,
    c.DecideExtension: decide_extension,
    c.EditCommitment: edit_commitment,
    c.RecordSuccession: record_succession,
    c.RecordDialogue: record_dialogue,
    c.AskQuestion: ask_question,
    c.GiveAnswer: give_answer,
    c.MakeCommitment: make_commitment,
    c.UpdateCommitment: update_commitment,
    c.GiveVerdict: give_verdict,
    c.GiveAskerFeedback: give_asker_feedback,
    c.OpenReportForReply: open_report_for_reply,
    c.ReplyToReport: reply_to_report,
    c.PublishReport: publish_report,
    c.RequestFollow: request_follow,
    c.ConfirmFollow: confirm_follow,
    c.EndFollow: end_follow,
    c.CarryOver: carry_over,
    c.LinkEarlierQuestion: link_earlier_question,
}
