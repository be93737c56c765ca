"""The projection that keeps the read tables, and the projector that runs it.

eventsourcing's `ProjectionRunner` commits one transaction per event and needs
a subscription, which SQLite has not; catching up a million events needs
batches. So the projector follows the log itself a page at a time,
and each batch commits its view writes and eventsourcing's tracking record in
one transaction that first takes the projection's lock and checks the
position it started from: a second copy either waits and then moves on, or
finds the position moved and starts again. Every event is applied once.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    InfrastructureFactory,
    InterfaceError,
    OperationalError,
    Tracking,
)
from eventsourcing.projection import Projection
from eventsourcing.utils import Environment

from domain.access import AccessToken, Role
from domain.account import Account
from domain.agency import Agency
from domain.commitment import Commitment
from domain.delivery import ReminderDelivery
from domain.dialogue import Answer, Dialogue, ForumKind, Question, in_public
from domain.follow import Follow
from domain.messages import Message, Purpose
from domain.published_report import PublishedReport, ReportState
from domain.reminders import FINAL, Channel, Delivery, Mark, Rung
from domain.status import WORKING
from domain.text import fold
from service.appends import appends_of
from service.application import Commitments
from service.disclosure import disclosed, event_name
from service.log_pages import pages
from service.read_model import (
    SOURCE,
    Batch,
    PositionMoved,
    PostgresReadModel,
    ReadModel,
    SQLiteReadModel,
    dumps,
    json_encoder,
    tally,
)
from service.schema import schema_lock
from service.settings import SQLITE

logger = logging.getLogger(__name__)
# Failures of the store itself: the event is not at fault.
_UNAVAILABLE = (OperationalError, InterfaceError)

_ACTIVE = tuple(status.value for status in WORKING)


def commitment_state(c: Commitment, evidence: str | None = None) -> dict[str, Any]:
    """The columns that change along a commitment's history (`evidence`: its
    evidence's JSON, when the caller has it already)."""
    # `_value_`, not `value`: an enum's `value` is a descriptor, called for
    # each of a catch-up's millions of reads.
    status = c.status._value_
    verdict = c.verdict
    return {
        "status": status,
        "active": int(status in _ACTIVE),
        "due_on": c.due_on,
        "due_basis": c.due_basis._value_,
        "verdict": verdict._value_ if verdict else None,
        "fulfilled_on": c.fulfilled_on,
        "updated_on": c.effective_on,
        # Most steps carry no evidence: spare the encoder an empty list.
        "evidence": evidence or (dumps(c.evidence) if c.evidence else "[]"),
        "transferred_to": str(c.transferred_to) if c.transferred_to else None,
        "version": c.version,
        "reminder_rank": c.reminder_rank,
        "reminders_pending": c.reminders_pending,
        "reminders_sent": c.times_reminded,
        "original_due_on": c.original_due_on,
        "extensions": c.extensions,
        "extension_request": (dumps(_request(c.extension_request))
                              if c.extension_request else None),
    }


def _request(request: dict[str, Any]) -> dict[str, Any]:
    return {**request, "new_due_on": request["new_due_on"].isoformat(),
            "requested_on": request["requested_on"].isoformat()}


def is_reminder(event: Any) -> bool:
    """The sender's events: they record who was told, and change no state."""
    return event_name(event).startswith("Reminder")


def occurred_on(event: Any, effective_on: date, timezone: tzinfo) -> date:
    """The day a step happened: a reminder's is the day it was sent, where the
    service is; any other step's is its effective date."""
    at = getattr(event, "at", None)
    if is_reminder(event) and isinstance(at, datetime):
        return max(effective_on, at.astimezone(timezone).date())
    return effective_on


# Who acted, for an event that names nobody: the service itself.
_SYSTEM = {"role": "system"}
# What of an event its columns in rm_history_entries already hold.
_NOT_DATA = frozenset({"originator_id", "originator_version", "timestamp", "actor",
                       "originator_topic"})


def _plain(value: Any) -> Any:
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    return str(value)  # a UUID


_ENCODE_ENTRY = json_encoder(_plain)


def entry_data(event: Any) -> str:
    """An event's fields as its history entry gives them: JSON, with dates
    and moments as ISO text and identifiers as text (as the API writes them)."""
    return _ENCODE_ENTRY({key: value for key, value in event.__dict__.items()
                          if key not in _NOT_DATA})


# A commitment's version, owner, dialogue and what it adds to their counters.
Counted = tuple[int, str, str, dict[str, int]]


def _tally(state: dict[str, Any]) -> dict[str, int]:
    return tally(state["status"], state["fulfilled_on"], state["due_on"], state["verdict"],
                 state["original_due_on"])


class ReadModelProjection(Projection[ReadModel]):
    """Turns each event into changes of the current batch."""

    name = ReadModel.name

    def __init__(self, view: ReadModel, app: Commitments, cache_size: int = 20_000) -> None:
        super().__init__(view)
        self.app = app
        self.batch = Batch()
        # Commitments as they stand after the last event applied, so that each
        # event is applied by the domain's own code, not a copy of its rules;
        # keyed by the id as text (a UUID hashes in Python, text in C).
        self._cache: OrderedDict[str, Commitment] = OrderedDict()
        # What each commitment counted when the last batch settled.
        self._counted: OrderedDict[str, Counted] = OrderedDict()
        self._cache_size = cache_size
        # Each cached commitment's evidence as last encoded: evidence only
        # grows, and most steps add none, so most events reuse the text.
        self._evidence: dict[str, tuple[list[Any], int, Any, str]] = {}
        # Who acted, encoded: a log has few distinct actors.
        self._actors: dict[tuple[Any, ...], str] = {}
        # Commitments' ids as text, by their number: a UUID spells itself in
        # Python, and a commitment has a dozen events or so.
        self._ids: dict[int, str] = {}

    def forget(self) -> None:
        self.batch = Batch()
        self._cache.clear()
        self._counted.clear()
        self._evidence.clear()

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        # Tokens and idempotency records: nothing to show, only to track.
        self.batch.last = tracking

    def handler_for(self, event_class: type) -> Callable[[Any, Tracking], None]:
        """What `process_event` calls for events of `event_class`, bound."""
        dispatcher = type(self).__dict__["process_event"].dispatcher
        found: Callable[[Any, Tracking], None] = dispatcher.dispatch(event_class).__get__(self)
        return found

    @process_event.register
    def _(self, event: Commitment.Event, tracking: Tracking) -> None:
        key = self._id_text(event.originator_id)
        made = event.originator_version == Commitment.INITIAL_VERSION
        batch = self.batch
        row = batch.commitments.get(key)
        if row is None and not made:
            # Its first change in this batch: what it counted before is taken
            # off its owner's and dialogue's counters when the batch settles.
            batch.counted[key] = self._counted_before(key, event)
        commitment = self._apply(key, event)
        state = commitment_state(commitment, self._evidence_of(key, commitment))
        text = commitment.text
        if row is None:
            if made:
                batch.new.add(key)
            row = {
                "id": key, "position": tracking.notification_id, "agency": commitment.agency,
                "dialogue_id": str(commitment.dialogue_id),
                "answer_id": str(commitment.answer_id) if commitment.answer_id else None,
                "question_ids": dumps([str(q) for q in commitment.question_ids]),
                "kind": commitment.kind._value_, "text": text, "search": " " + fold(text),
                "made_on": commitment.made_on,
                "transferred_from": (str(commitment.transferred_from)
                                     if commitment.transferred_from else None),
            }
            batch.commitments[key] = row
        elif row["text"] != text:
            row.update(text=text, search=" " + fold(text))
        row.update(state)
        row["agency"] = commitment.agency
        row["kind"] = commitment.kind._value_
        name, at = type(event).__name__, event.timestamp.isoformat()
        effective_on = state["updated_on"]
        # The state, with what says which step it is, is the step's history row.
        history = state
        history["commitment_id"] = key
        history["effective_on"] = effective_on
        history["event"] = name
        history["recorded_at"] = at
        history["occurred_on"] = occurred_on(event, effective_on, self.app.settings.timezone)
        history["detail"] = dumps(disclosed(event))
        batch.record_history(history)
        batch.entries.append({
            "commitment_id": key, "version": event.originator_version, "type": name, "at": at,
            "actor": self._actor_of(event), "data": entry_data(event)})
        if made:
            batch.links += [{"commitment_id": key, "question_id": str(q)}
                            for q in commitment.question_ids]
        batch.last = tracking

    def _id_text(self, originator_id: UUID) -> str:
        number = originator_id.int
        found = self._ids.get(number)
        if found is None:
            if len(self._ids) >= self._cache_size:
                self._ids.clear()
            found = self._ids[number] = str(originator_id)
        return found

    def _evidence_of(self, key: str, commitment: Commitment) -> str:
        items = commitment.evidence
        if not items:
            return "[]"
        found = self._evidence.get(key)
        if (found is not None and found[0] is items and found[1] == len(items)
                and found[2] is items[-1]):
            return found[3]
        text = dumps(items)
        self._evidence[key] = (items, len(items), items[-1], text)
        return text

    def _actor_of(self, event: Any) -> str:
        # Reminders are recorded by the service itself, not a person.
        actor = getattr(event, "actor", _SYSTEM)
        if not isinstance(actor, dict):
            return dumps(actor)
        key = tuple(actor.items())
        try:
            return self._actors[key]
        except KeyError:
            text = self._actors[key] = dumps(actor)
            if len(self._actors) > 1_000:  # not a log's actors: a bug, not a leak
                self._actors.clear()
            return text
        except TypeError:  # a value that is no key
            return dumps(actor)

    def settle(self) -> None:
        """Move each commitment the batch changed from the counters it was on
        to those of its state at the batch's end: once per commitment, not
        once per event."""
        batch = self.batch
        for key, row in batch.commitments.items():
            before = batch.counted.get(key)
            if before is not None:
                _, owner, dialogue, counts = before
                batch.count("agency", owner, counts, -1)
                batch.count("dialogue", dialogue, counts, -1)
            counts = _tally(row)
            batch.count("agency", row["agency"], counts, +1)
            batch.count("dialogue", row["dialogue_id"], counts, +1)
            self._counted[key] = (row["version"], row["agency"], row["dialogue_id"], counts)
            self._counted.move_to_end(key)
        while len(self._counted) > self._cache_size:
            self._counted.popitem(last=False)

    def _counted_before(self, key: str, event: Any) -> Counted:
        """What a commitment counted just before `event`: as the last batch
        settled it, or from the aggregate."""
        found = self._counted.get(key)
        if found is not None and found[0] == event.originator_version - 1:
            return found
        previous = self._commitment_before(key, event)
        return (previous.version, previous.agency, str(previous.dialogue_id),
                _tally(commitment_state(previous)))

    def _commitment_before(self, key: str, event: Any) -> Commitment:
        cached = self._cache.get(key)
        if cached is not None and cached.version == event.originator_version - 1:
            return cached
        found: Commitment = self.app.repository.get(
            event.originator_id, version=event.originator_version - 1)
        self._remember(key, found)
        return found

    def _apply(self, key: str, event: Any) -> Commitment:
        previous = (None if event.originator_version == Commitment.INITIAL_VERSION
                    else self._commitment_before(key, event))
        commitment: Commitment = event.mutate(previous)
        self._remember(key, commitment)
        return commitment

    def _remember(self, key: str, commitment: Commitment) -> None:
        cache = self._cache
        cache[key] = commitment
        cache.move_to_end(key)
        if len(cache) > self._cache_size:
            gone, _ = cache.popitem(last=False)
            self._evidence.pop(gone, None)

    @process_event.register
    def _(self, event: Agency.Event, tracking: Tracking) -> None:
        # An agency has a handful of events: its row is written whole from
        # the aggregate after each one.
        agency = self._small(event)
        assert isinstance(agency, Agency)
        row = {"code": agency.code, "id": str(agency.id), "name": agency.name,
               "name_en": agency.name_en, "successor": agency.successor,
               "position": tracking.notification_id, "confirmed": int(agency.confirmed),
               "aliases": dumps(agency.aliases), "succeeded_on": agency.succeeded_on,
               "transferred": dumps(agency.transferred), "version": agency.version}
        self.batch.execute(
            f"INSERT INTO rm_agencies ({', '.join(row)}) VALUES "
            f"({', '.join(':' + c for c in row)}) ON CONFLICT (code) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in row if c not in ("code", "position")),
            **row)
        self.batch.execute(
            "INSERT INTO rm_agency_contacts VALUES (:code, :contacts, :webhook_url) "
            "ON CONFLICT (code) DO UPDATE SET contacts = excluded.contacts, "
            "webhook_url = excluded.webhook_url", code=agency.code,
            contacts=dumps(agency.contacts), webhook_url=agency.webhook_url)
        self.batch.last = tracking

    def _small(self, event: Any) -> Any:
        """The aggregate of a short stream after `event`."""
        previous = (None if event.originator_version == 1 else self.app.repository.get(
            event.originator_id, version=event.originator_version - 1))
        return event.mutate(previous)

    @process_event.register
    def _(self, event: PublishedReport.Opened, tracking: Tracking) -> None:
        report = self._small(event)
        assert isinstance(report, PublishedReport)
        self.batch.execute(
            "INSERT INTO rm_published_reports VALUES (:id, :title, :as_of, :opened_on, "
            ":replies_close_on, :state, NULL, NULL, :entries, :position)",
            id=str(report.id), title=report.title, as_of=report.as_of,
            opened_on=report.opened_on, replies_close_on=report.replies_close_on,
            state=report.state.value,
            entries=dumps(dict(sorted(Counter(e["agency"] for e in report.entries).items()))),
            position=tracking.notification_id)
        self.batch.last = tracking

    @process_event.register
    def _(self, event: PublishedReport.Published, tracking: Tracking) -> None:
        self.batch.execute(
            "UPDATE rm_published_reports SET state = :state, published_on = :on, "
            "head = :head WHERE id = :id", state=ReportState.PUBLISHED.value, on=event.on,
            head=dumps(event.head) if event.head is not None else None,
            id=str(event.originator_id))
        self.batch.last = tracking

    @process_event.register
    def _(self, event: AccessToken.Issued, tracking: Tracking) -> None:  # type: ignore[name-defined]
        # Never the digest: the log keeps it, for the one lookup that needs it.
        self.batch.execute(
            "INSERT INTO rm_tokens VALUES (:id, :role, :agency, :label, :expires_at, 0, "
            ":position)", id=str(event.originator_id), role=Role(event.role).value,
            agency=event.agency, label=event.label,
            expires_at=event.expires_at.isoformat() if event.expires_at else None,
            position=tracking.notification_id)
        self.batch.last = tracking

    @process_event.register
    def _(self, event: AccessToken.Revoked, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.batch.execute("UPDATE rm_tokens SET revoked = 1 WHERE id = :id",
                           id=str(event.originator_id))
        self.batch.last = tracking

    @process_event.register
    def _(self, created: Account.Created, tracking: Tracking) -> None:
        # Never the password's hash.
        event: Any = created
        self.batch.execute(
            "INSERT INTO rm_accounts VALUES (:id, :email, :name, :sort_name, :role, :agency, "
            "0, :position)", id=str(event.originator_id), email=event.email, name=event.name,
            sort_name=fold(event.name), role=Role(event.role).value, agency=event.agency,
            position=tracking.notification_id)
        self.batch.last = tracking

    @process_event.register
    def _(self, event: Account.Disabled, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.batch.execute("UPDATE rm_accounts SET disabled = 1 WHERE id = :id",
                           id=str(event.originator_id))
        self.batch.last = tracking

    @process_event.register
    def _(self, event: ReminderDelivery.Opened, tracking: Tracking) -> None:
        delivery = Delivery(Rung(event.rung), event.due_on, Channel(event.channel))
        self.batch.execute(
            "INSERT INTO rm_deliveries VALUES (:id, :commitment_id, :rung, :rank, :due_on, "
            ":channel, NULL, 0, :position)", id=str(event.originator_id),
            commitment_id=str(event.commitment_id), rung=delivery.rung.value,
            rank=delivery.rung.rank, due_on=delivery.due_on, channel=delivery.channel.value,
            position=tracking.notification_id)
        self.batch.last = tracking

    @process_event.register
    def _(self, event: ReminderDelivery.Claimed, tracking: Tracking) -> None:
        self._delivery_marked(event, Mark.CLAIMED, tracking)

    @process_event.register
    def _(self, event: ReminderDelivery.AttemptFailed, tracking: Tracking) -> None:
        self._delivery_marked(event, Mark.ATTEMPT_FAILED, tracking)

    @process_event.register
    def _(self, event: ReminderDelivery.Closed, tracking: Tracking) -> None:
        self._delivery_marked(event, Mark(event.mark), tracking)

    def _delivery_marked(self, event: ReminderDelivery.Event, mark: Mark,
                         tracking: Tracking) -> None:
        self.batch.execute(
            "UPDATE rm_deliveries SET mark = :mark, open = :open, position = :position "
            "WHERE id = :id", mark=mark.value, open=int(mark not in FINAL),
            position=tracking.notification_id, id=str(event.originator_id))
        self.batch.last = tracking

    @process_event.register
    def _(self, event: Dialogue.Recorded, tracking: Tracking) -> None:
        self.batch.execute(
            "INSERT INTO rm_dialogues (id, title, held_on, place, organiser, source_url, "
            "position, forum, chair, search) VALUES (:id, :title, :held_on, :place, :organiser, "
            ":source_url, :position, :forum, :chair, :search)", id=str(event.originator_id),
            title=event.title, held_on=event.held_on, place=event.place,
            organiser=event.organiser, source_url=event.source_url,
            position=tracking.notification_id, forum=ForumKind(event.forum).value,
            chair=event.chair, search=" " + fold(" ".join(
                part for part in (event.title, event.place, event.chair, event.organiser)
                if part)))
        self.batch.last = tracking

    @process_event.register
    def _(self, event: Question.Asked, tracking: Tracking) -> None:
        self.batch.execute(
            "INSERT INTO rm_questions (id, dialogue_id, position, answers, asker, text, "
            "asked_at, addressed_to, topics, recorded_at) VALUES (:id, :dialogue_id, :position, "
            "0, :asker, :text, :asked_at, :addressed_to, :topics, :recorded_at)",
            id=str(event.originator_id), dialogue_id=str(event.dialogue_id),
            position=tracking.notification_id, asker=dumps(in_public(event.asker)),
            text=event.text,
            asked_at=event.asked_at.isoformat() if event.asked_at else None,
            addressed_to=dumps(list(event.addressed_to)), topics=dumps(list(event.topics)),
            recorded_at=event.timestamp.isoformat(),
        )
        self.batch.last = tracking

    @process_event.register
    def _(self, event: Answer.Given, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.batch.execute(
            "INSERT INTO rm_answers (id, dialogue_id, responder, text, answered_on, channel, "
            "position, linked_by, answered_at, question_ids, evidence, recorded_at) VALUES (:id, "
            ":dialogue_id, :responder, :text, :answered_on, :channel, :position, :linked_by, "
            ":answered_at, :question_ids, :evidence, :recorded_at)", id=str(event.originator_id),
            dialogue_id=str(event.dialogue_id), responder=dumps(in_public(event.responder)),
            text=event.text,
            answered_on=event.answered_at.date() if event.answered_at else None,
            channel=event.channel, position=tracking.notification_id,
            # Answers recorded before imports linked them carry no linked_by,
            # nor evidence.
            linked_by=getattr(event, "linked_by", None),
            answered_at=event.answered_at.isoformat() if event.answered_at else None,
            question_ids=dumps([str(q) for q in event.question_ids]),
            evidence=dumps(list(getattr(event, "evidence", None) or [])),
            recorded_at=event.timestamp.isoformat())
        for question_id in event.question_ids:
            self.batch.execute(
                "INSERT INTO rm_answer_questions VALUES (:answer_id, :question_id, :position)",
                answer_id=str(event.originator_id), question_id=str(question_id),
                position=tracking.notification_id,
            )
            self.batch.execute("UPDATE rm_questions SET answers = answers + 1 WHERE id = :id",
                               id=str(question_id))
        self.batch.last = tracking

    # -- messages owed to people outside the service (service/read_model/loop_tables.py) -----

    @process_event.register
    def _(self, event: Message.Opened, tracking: Tracking) -> None:
        self.batch.execute("INSERT INTO rm_messages VALUES (:id, :purpose, 1, :position)",
                           id=str(event.originator_id), purpose=event.purpose,
                           position=tracking.notification_id)
        if event.purpose == Purpose.FOLLOW_CHANGE.value:
            self.batch.execute(
                "INSERT INTO rm_follow_mails VALUES (:follow_id, :commitment_id, :version)",
                follow_id=event.about["follow_id"], commitment_id=event.about["commitment_id"],
                version=int(event.about["version"]))
        elif event.purpose == Purpose.FOLLOW_SAID.value:
            self.batch.execute("INSERT INTO rm_follow_said VALUES (:follow_id, :said_id)",
                               follow_id=event.about["follow_id"],
                               said_id=event.about["said_id"])
        self.batch.last = tracking

    @process_event.register
    def _(self, event: Follow.Requested, tracking: Tracking) -> None:
        self.batch.execute(
            "INSERT INTO rm_follows VALUES (:id, :kind, :target, 0, NULL, :position)",
            id=str(event.originator_id), kind=event.kind, target=event.target,
            position=tracking.notification_id)
        self.batch.last = tracking

    @process_event.register
    def _(self, event: Follow.RequestedAgain, tracking: Tracking) -> None:
        self._follow_is(event, active=False, since=None, tracking=tracking)

    @process_event.register
    def _(self, event: Follow.Confirmed, tracking: Tracking) -> None:
        self._follow_is(event, active=True, since=event.timestamp.isoformat(),
                        tracking=tracking)

    @process_event.register
    def _(self, event: Follow.Ended, tracking: Tracking) -> None:
        self._follow_is(event, active=False, since=None, tracking=tracking)

    @process_event.register
    def _(self, event: Question.RaisedBefore, tracking: Tracking) -> None:  # type: ignore[name-defined]
        question, earlier = str(event.originator_id), str(event.question_id)
        self.batch.execute(
            "INSERT INTO rm_question_links VALUES (:question_id, :earlier_id, :agencies, "
            ":position)", question_id=question, earlier_id=earlier,
            agencies=dumps(event.addressed_to), position=tracking.notification_id)
        # The ranking's rows (rm_grievances), kept by statements run in the
        # batch's transaction, in the log's order: they read the links as
        # the batch has left them so far, which this thread cannot. The
        # earlier question is a grievance's latest raising no more.
        self.batch.execute("DELETE FROM rm_grievances WHERE question_id = :id", id=earlier)
        # A question's agencies are those it was put to, the same on each of
        # its links; it ranks once for all and once for each of them, while
        # no later question links to it.
        agencies = sorted(set(event.addressed_to))
        for scope in ("", *agencies):
            self.batch.execute(_LATEST_RAISING, question_id=question, scope=scope,
                               agencies=dumps(agencies))
        self.batch.execute(_RECOUNT, question_id=question)
        self.batch.last = tracking

    @process_event.register
    def _(self, event: Dialogue.TranscriptImported, tracking: Tracking) -> None:  # type: ignore[name-defined]
        # Only the agencies it created, named as the page names them.
        created = [{"code": a["code"], "name": a["name"]}
                   for a in event.summary.get("agencies_created") or []]
        self.batch.execute("INSERT INTO rm_imports VALUES (:dialogue_id, :position, :created)",
                           dialogue_id=str(event.originator_id),
                           position=tracking.notification_id, created=dumps(created))
        self.batch.last = tracking

    @process_event.register
    def _(self, event: Dialogue.CarriedOver, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.batch.execute(
            "INSERT INTO rm_carried_over VALUES (:dialogue_id, :commitment_id, "
            ":from_dialogue_id, :carried_on, :position)", dialogue_id=str(event.originator_id),
            commitment_id=str(event.commitment_id),
            from_dialogue_id=str(event.from_dialogue_id), carried_on=event.on,
            position=tracking.notification_id)
        self.batch.last = tracking

    def _follow_is(self, event: Follow.Event, *, active: bool, since: str | None,
                   tracking: Tracking) -> None:
        self.batch.execute("UPDATE rm_follows SET active = :active, since = :since "
                           "WHERE id = :id", active=int(active), since=since,
                           id=str(event.originator_id))
        self.batch.last = tracking

    @process_event.register
    def _(self, event: Message.Closed, tracking: Tracking) -> None:
        self.batch.execute("UPDATE rm_messages SET open = 0 WHERE id = :id",
                           id=str(event.originator_id))
        self.batch.last = tracking


# A question's rows in the ranking, while it is the latest raising of its
# grievance; counted by `_RECOUNT`.
_LATEST_RAISING = (
    "INSERT INTO rm_grievances (question_id, scope, times, agencies) "
    "SELECT CAST(:question_id AS TEXT), CAST(:scope AS TEXT), 0, CAST(:agencies AS TEXT) "
    "WHERE NOT EXISTS "
    "(SELECT 1 FROM rm_question_links WHERE earlier_id = :question_id) "
    "ON CONFLICT (question_id, scope) DO NOTHING")
# The times each grievance a new link lengthens was raised: for each latest
# raising at or after the linking question, the questions its links reach
# back to, itself included (domain.recurrence.most_raised counts the same).
_RECOUNT = (
    "WITH RECURSIVE later (id) AS (SELECT CAST(:question_id AS TEXT) UNION "
    "SELECT l.question_id FROM rm_question_links l JOIN later ON l.earlier_id = later.id), "
    "reached (head, id) AS (SELECT question_id, question_id FROM rm_grievances "
    "WHERE question_id IN (SELECT id FROM later) UNION "
    "SELECT r.head, l.earlier_id FROM rm_question_links l JOIN reached r "
    "ON l.question_id = r.id) "
    "UPDATE rm_grievances SET times = (SELECT COUNT(*) FROM reached "
    "WHERE reached.head = rm_grievances.question_id) "
    "WHERE question_id IN (SELECT id FROM later)")


class _Collections:
    """The cyclic collector's pace while a backlog is projected: a catch-up
    makes a few dozen objects per event and nearly no cycles, and each of the
    collector's passes walks the objects the projection holds (the
    commitments it keeps at hand), which cost 7 % of a catch-up's time at
    10,000 commitments and 13 % at 100,000. Held by as many catch-ups as run
    at once; the pace is set back when the last one ends."""

    # Objects made between two of the youngest generation's passes (700 by
    # default): garbage is freed as it goes, this only delays finding cycles.
    YOUNGEST = 50_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held = 0
        self._saved = gc.get_threshold()

    @contextmanager
    def fewer(self) -> Iterator[None]:
        with self._lock:
            if not self._held:
                self._saved = gc.get_threshold()
                first, *older = self._saved
                if first:  # 0: the collector is off, and stays so
                    gc.set_threshold(max(first, self.YOUNGEST), *older)
            self._held += 1
        try:
            yield
        finally:
            with self._lock:
                self._held -= 1
                if not self._held:
                    gc.set_threshold(*self._saved)


_fewer_collections = _Collections().fewer


@dataclass(frozen=True)
class Quarantined:
    """An event the projection could not apply, and why."""

    position: int
    originator_id: str
    originator_version: int
    topic: str
    error: str
    at: str


@dataclass(frozen=True)
class ProjectorStatus:
    position: int
    head: int
    oldest_pending_age: float | None
    quarantined: int = 0

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


@dataclass(frozen=True)
class _Pending:
    """A batch handed to the writer: its write, its events, where it began."""

    future: Future[None]
    notifications: Sequence[Any]
    start: int

    @property
    def end(self) -> int:
        return int(self.notifications[-1].id)


class Projector:
    """Follows the log into the read tables, a batch per transaction."""

    def __init__(self, app: Commitments, view: ReadModel, batch_size: int = 5_000,
                 rebuild_size: int = 20_000) -> None:
        self.app = app
        self.view = view
        self.projection = ReadModelProjection(view, app)
        # 5,000 rather than 2,000 (or 500): fewer statements and commits, and
        # fewer commitments whose events straddle two batches (each one's row
        # is updated rather than inserted): 15 % less of PostgreSQL's CPU time
        # in a catch-up, 4 % less of ours, measured with bench/catch_up.py.
        # Larger batches gain little more, and the first batch's projection
        # and the last one's write are not overlapped.
        self.batch_size = batch_size
        # From the first event, a log of this many events is written into
        # tables without their indexes, made at the end (`ReadModel.defer_indexes`).
        self.rebuild_size = rebuild_size
        # Whether the indexes wait for the end of a rebuild. None: to be asked
        # of the store, at the start and whenever another copy of the
        # projector has written (a rebuild stopped half way leaves them so).
        self._deferred: bool | None = None
        # The position this projector last left the tables at: found lower,
        # they were rebuilt by another copy meanwhile.
        self._left_at = 0
        self._read = pages(app.recorder)
        # Each event class's handler, looked up and bound once: a call through
        # the singledispatchmethod looks it up and binds it for every event.
        self._handlers: dict[type, Callable[[Any, Tracking], None]] = {}
        self._executor: ThreadPoolExecutor | None = None

    def catch_up(self, limit: int | None = None,
                 progress: Callable[[int], None] | None = None) -> int:
        """Apply what is new, up to `limit` events; returns how many were applied
        (quarantined ones included: the position moved past them).

        A batch is written by a second thread while this one reads and
        projects the next: the store's work (and SQLite's, which lets go of
        the interpreter's lock) overlaps the projection's. A batch is written
        only once the one before it is; if that one fails, what was projected
        after it is dropped and read again."""
        applied = 0
        # After a batch failed, its events are taken one at a time, to find
        # the one that cannot be applied and let the others through.
        single = 0
        pending: _Pending | None = None
        backlog, bulk = ExitStack(), False
        try:
            while True:
                queued = len(pending.notifications) if pending else 0
                start = pending.end if pending else self.view.position()
                if start < self._left_at:
                    self._deferred = None
                self._left_at = start
                size = 1 if single else self.batch_size
                if limit is not None:
                    size = min(size, limit - applied - queued)
                notifications = self._read(start + 1, size) if size > 0 else []
                if len(notifications) == self.batch_size and not bulk:
                    # A backlog, not the odd new event.
                    bulk = True
                    backlog.enter_context(_fewer_collections())
                    if start == 0 and not self._deferred:
                        self._defer_indexes()
                batch: Batch | None = None
                failure: Exception | None = None
                if notifications:
                    try:
                        batch = self._project(notifications)
                    except _UNAVAILABLE:
                        raise
                    except Exception as error:  # a fault of one event
                        self.projection.forget()
                        failure = error
                if pending is not None:
                    # The batch before is written first, whatever this one holds.
                    done, pending = pending, None
                    count, retry = self._written(done)
                    applied += self._count(count, progress)
                    if retry is not None:
                        # What was projected after it goes too.
                        self.projection.forget()
                        single = max(single, retry)
                        continue
                    single = max(single - count, 0)
                if not notifications:
                    if size:  # at the head
                        self._indexes_at_head()
                    break
                if batch is None:
                    assert failure is not None
                    if len(notifications) > 1:
                        single = len(notifications)
                        continue
                    try:
                        self._quarantine(notifications[0], start, failure)
                    except PositionMoved:
                        self._deferred = None
                        continue
                    applied += self._count(1, progress)
                    single = max(single - 1, 0)
                    continue
                pending = _Pending(self._writer().submit(self.view.commit, batch, start),
                                   notifications, start)
        except BaseException:
            self.projection.forget()
            if pending is not None:
                # Not left writing behind the caller's back.
                pending.future.exception()
            raise
        finally:
            backlog.close()
        return applied

    def _defer_indexes(self) -> None:
        """From the first event, a long log is written without the tables'
        indexes, and they are made once at its end: a few seconds of sorting
        instead of every row's insert into each of them."""
        head = self.app.recorder.max_notification_id() or 0
        if head >= self.rebuild_size and self.view.defer_indexes():
            self._deferred = True

    def _indexes_at_head(self) -> None:
        if self._deferred is None:
            self._deferred = self.view.indexes_deferred()
        if self._deferred:
            self.view.make_indexes()
            self._deferred = False

    def _project(self, notifications: Sequence[Any]) -> Batch:
        self.projection.batch = Batch(events=notifications)
        decode, handlers = self.app.mapper.to_domain_event, self._handlers
        for notification in notifications:
            event = decode(notification)
            handler = handlers.get(type(event))
            if handler is None:
                handler = handlers[type(event)] = self.projection.handler_for(type(event))
            handler(event, Tracking(SOURCE, notification.id))
        self.projection.settle()
        return self.projection.batch

    def _written(self, pending: _Pending) -> tuple[int, int | None]:
        """Wait for a batch to be written. Returns how many events the
        position moved past, and None, or, when what was projected after it
        must be read again, how many events to take one at a time from there
        (0: as many as a batch). A store that is not there is raised."""
        try:
            pending.future.result()
        except PositionMoved:
            # Another copy got there first: its writes stand, ours go.
            self._deferred = None
            return 0, 0
        except _UNAVAILABLE:
            # The store, not the event: nothing is set aside, the caller retries.
            raise
        except Exception as error:
            # A value the store refused: which event's, one at a time.
            if len(pending.notifications) > 1:
                return 0, len(pending.notifications)
            try:
                self._quarantine(pending.notifications[0], pending.start, error)
            except PositionMoved:
                self._deferred = None
                return 0, 0
            return 1, 0
        return len(pending.notifications), None

    @staticmethod
    def _count(count: int, progress: Callable[[int], None] | None) -> int:
        if progress is not None and count:
            progress(count)
        return count

    def close(self) -> None:
        """Let the writer's thread go (a later catch-up starts another)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _writer(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="projection-writer")
        return self._executor

    def _quarantine(self, notification: Any, start: int, error: Exception) -> None:
        """Set aside an event that cannot be applied, and move past it: the
        read side goes on, and the event stays listed until a rebuild with
        fixed code applies it. It is still linked into the hash chain."""
        message = f"{type(error).__name__}: {error}"
        logger.error("projection: event %s (%s v%s) set aside: %s", notification.id,
                     notification.originator_id, notification.originator_version, message,
                     exc_info=error)
        batch = Batch(events=[notification], last=Tracking(SOURCE, notification.id))
        batch.execute(
            "INSERT INTO rm_quarantine VALUES (:position, :originator_id, :version, :topic, "
            ":error, :at)", position=notification.id,
            originator_id=str(notification.originator_id),
            version=notification.originator_version, topic=notification.topic,
            # The message may quote the very byte that broke the write.
            error=_printable(message)[:2000], at=datetime.now(UTC).isoformat())
        self.view.commit(batch, start)

    def quarantined(self) -> list[Quarantined]:
        return [Quarantined(int(r["position"]), str(r["originator_id"]),
                            int(r["originator_version"]), str(r["topic"]), str(r["error"]),
                            str(r["quarantined_at"]))
                for r in self.view.rows("SELECT * FROM rm_quarantine ORDER BY position")]

    def status(self) -> ProjectorStatus:
        position = self.view.position()
        head = self.app.recorder.max_notification_id() or 0
        age = None
        if head > position:
            [first] = self.app.recorder.select_notifications(position + 1, 1)
            try:
                event: Any = self.app.mapper.to_domain_event(first)
                age = time.time() - event.timestamp.timestamp()
            except Exception:  # one the projector will set aside: age unknown
                age = None
        [count] = self.view.rows("SELECT COUNT(*) AS n FROM rm_quarantine")
        return ProjectorStatus(position=position, head=head, oldest_pending_age=age,
                               quarantined=int(count["n"]))

    def run_forever(self, poll: float = 0.05, stop: Callable[[], bool] = lambda: False,
                    spacing: float = 0.05) -> None:
        """Catch up, then wait for the log to grow: on PostgreSQL until an
        append is announced, at most `poll` seconds; on SQLite `poll` seconds.

        A catch-up that applies events starts at least `spacing` seconds
        after the last one that did: a write after a quiet moment is applied
        as soon as it is announced, and a stream of writes `spacing` seconds
        at a time. Woken for each write, the projector applied 400 writes a
        second one by one, and the web's writes and mixed load lost a fifth
        of their rate (bench/http_load.py)."""
        appends = appends_of(self.app.recorder, self.app.settings.is_embedded)
        applied = -spacing  # when the last catch-up that applied events began
        try:
            while not stop():
                if (early := applied + spacing - time.monotonic()) > 0:
                    time.sleep(early)  # what comes meanwhile is applied together
                began = time.monotonic()
                if self.catch_up():
                    applied = began
                else:
                    appends.wait(poll)
        finally:
            appends.close()

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        self.view.drop_read_tables()
        self.view.create_read_tables()
        self.projection.forget()
        return self.catch_up(progress=progress)


def open_view(app: Commitments) -> ReadModel:
    """The read model's store: its own SQLite file, or the events' PostgreSQL."""
    settings = app.settings
    env = dict(settings.eventsourcing_env)
    if settings.persistence_module == SQLITE:
        env["SQLITE_DBNAME"] = str(settings.data_dir / "readmodel.sqlite3")
        view_class: type[Any] = SQLiteReadModel
    else:
        view_class = PostgresReadModel
    # Prefixed variables (COMMITMENTS_SQLITE_DBNAME) name the event store, not this.
    env = {key: value for key, value in env.items() if not key.startswith("COMMITMENTS_")}
    factory = InfrastructureFactory[Any].construct(env=Environment(ReadModel.name, env))
    if not settings.creates_tables:
        found: ReadModel = factory.tracking_recorder(view_class)
        return found
    with schema_lock(settings.persistence_module, env, ReadModel.name):
        view: ReadModel = factory.tracking_recorder(view_class)
    return view


def _printable(text: str) -> str:
    """Control characters and lone surrogates escaped: what a store refuses."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(c if c.isprintable() or c == "\n" else ascii(c)[1:-1] for c in text)
