"""Questions asked of the service, answered from the read tables.

Only a commitment as it stands now reads its own events, and a question its
asker's contact (the tables never hold one); lists, counts, reports,
agencies, accounts, tokens, forums, a question with its answers, a
commitment's history and a commitment as of a date read the tables the
projection keeps.

Only the projector writes those tables. A web request or a worker's task
never applies an event nor takes the projection's lock: a read that must see
a given write names its position in the log and waits, bounded, for the
projector to pass it; any read says how far behind the tables are. One-shot
commands an operator runs, where no projector may be running, and tests may
apply what is pending themselves (`catches_up`).
"""

from __future__ import annotations

import base64
import json
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from enum import Enum, StrEnum
from typing import Any
from uuid import UUID

from domain.access import Role
from domain.agency import canonical_code
from domain.asker import AskerContact, contact_id
from domain.commitment import Commitment
from domain.dialogue import Channel as AnswerChannel
from domain.dialogue import Dialogue, ForumKind, Question
from domain.errors import InvalidInput, NotFound
from domain.recurrence import raised_before
from domain.reminders import Channel, Delivery, Rung
from domain.status import (
    JUDGEABLE,
    NOT_PROMISES,
    WORKING,
    Status,
    Verdict,
    days_overdue,
    is_overdue,
)
from domain.text import fold
from service.application import Commitments
from service.handlers import load
from service.projection import Projector
from service.read_model import (
    STATE_COLUMNS,
    STATIC_COLUMNS,
    TALLIES,
    ReadModel,
    as_date,
    tally_of,
)

# -- views ------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentView:
    """A commitment as it stands on a date (today, or an `as_of` date)."""

    id: UUID
    agency: str
    text: str
    kind: str
    status: str
    due_on: date
    due_basis: str
    overdue: bool
    days_overdue: int
    verdict: str | None
    version: int
    made_on: date
    updated_on: date
    fulfilled_on: date | None
    evidence: list[dict[str, Any]]
    source: dict[str, Any]
    as_of: date
    # The date first promised, how many extensions the union approved, and an
    # agency's request for a later date while it waits for a decision.
    original_due_on: date
    extensions: int
    extension_request: dict[str, Any] | None
    reminders_sent: int = 0
    # The asker's word on the last claim: read from the commitment itself,
    # so only a single commitment's read carries it.
    asker_feedback: dict[str, Any] | None = None

    @classmethod
    def of_row(cls, row: Any, on: date) -> CommitmentView:
        """From a read-table row (current, or as of `on`)."""
        status, due_on = Status(row["status"]), as_date(row["due_on"])
        return cls(
            id=UUID(str(row["id"])),
            agency=row["agency"],
            text=row["text"],
            kind=row["kind"],
            status=status.value,
            due_on=due_on,
            due_basis=row["due_basis"],
            overdue=is_overdue(status, due_on, on),
            days_overdue=days_overdue(status, due_on, on),
            verdict=row["verdict"],
            version=row["version"],
            made_on=as_date(row["made_on"]),
            updated_on=as_date(row["updated_on"]),
            fulfilled_on=as_date(row["fulfilled_on"]) if row["fulfilled_on"] else None,
            evidence=json.loads(row["evidence"]),
            source={
                "dialogue_id": UUID(str(row["dialogue_id"])),
                "answer_id": UUID(str(row["answer_id"])) if row["answer_id"] else None,
                "question_ids": [UUID(q) for q in json.loads(row["question_ids"])],
                "transferred_from": _uuid(row["transferred_from"]),
                "transferred_to": _uuid(row["transferred_to"]),
            },
            as_of=on,
            original_due_on=as_date(row["original_due_on"]),
            extensions=row["extensions"],
            extension_request=_request(row["extension_request"]),
            reminders_sent=row["reminders_sent"],
        )

    @classmethod
    def of(cls, commitment: Commitment, on: date) -> CommitmentView:
        return cls(
            id=commitment.id,
            agency=commitment.agency,
            text=commitment.text,
            kind=commitment.kind.value,
            status=commitment.status.value,
            due_on=commitment.due_on,
            due_basis=commitment.due_basis.value,
            overdue=commitment.is_overdue(on),
            days_overdue=commitment.days_overdue(on),
            verdict=commitment.verdict.value if commitment.verdict else None,
            version=commitment.version,
            made_on=commitment.made_on,
            updated_on=commitment.effective_on,
            fulfilled_on=commitment.fulfilled_on,
            evidence=list(commitment.evidence),
            source={
                "dialogue_id": commitment.dialogue_id,
                "answer_id": commitment.answer_id,
                "question_ids": list(commitment.question_ids),
                "transferred_from": commitment.transferred_from,
                "transferred_to": commitment.transferred_to,
            },
            as_of=on,
            original_due_on=commitment.original_due_on,
            extensions=commitment.extensions,
            extension_request=(dict(commitment.extension_request)
                               if commitment.extension_request else None),
            reminders_sent=commitment.times_reminded,
            asker_feedback=commitment.asker_feedback,
        )


@dataclass(frozen=True)
class AgencyView:
    """An agency as the agencies' table holds it."""

    id: UUID
    code: str
    name: str
    name_en: str | None
    contacts: list[dict[str, Any]]
    webhook_url: str | None
    confirmed: bool
    aliases: list[str]
    successor: str | None
    succeeded_on: date | None
    transferred: list[dict[str, str]]
    version: int

    @property
    def names(self) -> list[str]:
        """Every name it is known by (as the aggregate says)."""
        return [self.name, *([self.name_en] if self.name_en else []), *self.aliases]

    @classmethod
    def of_row(cls, row: Any) -> AgencyView:
        """From a row of `_AGENCIES`."""
        return cls(
            id=UUID(str(row["id"])), code=row["code"], name=row["name"],
            name_en=row["name_en"], contacts=json.loads(row["contacts"] or "[]"),
            webhook_url=row["webhook_url"], confirmed=bool(row["confirmed"]),
            aliases=json.loads(row["aliases"]), successor=row["successor"],
            succeeded_on=as_date(row["succeeded_on"]) if row["succeeded_on"] else None,
            transferred=json.loads(row["transferred"]), version=int(row["version"]))


# An agency with its contacts and webhook, which only the staff's reads show.
_AGENCIES = ("SELECT a.*, c.contacts, c.webhook_url FROM rm_agencies a "
             "LEFT JOIN rm_agency_contacts c ON c.code = a.code")


@dataclass(frozen=True)
class AccountView:
    """A person who signs in, as the admin's list shows them: no password hash."""

    id: UUID
    email: str
    name: str
    role: Role
    agency: str | None
    disabled: bool


@dataclass(frozen=True)
class TokenView:
    """An issued token, as `token list` shows it: no digest."""

    id: UUID
    role: Role
    agency: str | None
    label: str
    expires_at: datetime | None
    revoked: bool


@dataclass(frozen=True)
class HistoryEntry:
    type: str
    at: datetime
    effective_on: date
    version: int
    actor: dict[str, Any]
    data: dict[str, Any]


@dataclass(frozen=True)
class LadderRow:
    id: UUID
    status: Status
    due_on: date
    reminder_rank: int
    reminders_pending: int


@dataclass(frozen=True)
class CommitmentFilter:
    agency: str | None = None
    status: Status | None = None
    overdue: bool | None = None
    dialogue: UUID | None = None
    # Made at a forum of this kind (a voters' meeting, an interpellation...).
    forum: ForumKind | None = None
    verdict: Verdict | None = None
    q: str | None = None
    due_before: date | None = None
    due_after: date | None = None
    # Only promises: not candidates awaiting confirmation, nor rejected ones.
    promised: bool = False
    # Still being worked on (open or in progress), or not.
    active: bool | None = None
    # Claimed closed (domain.status.JUDGEABLE: delivered, partly, or declined)
    # and not yet judged by an auditor.
    unjudged: bool = False
    # An agency asked for a later date and the union has not decided yet.
    extension_requested: bool | None = None


@dataclass(frozen=True)
class Page:
    items: list[CommitmentView]
    next: str | None
    total: int
    # False when a text search matched more than it counts: `total` is then
    # that many, a lower bound.
    exact: bool = True


@dataclass(frozen=True)
class QuestionRecord:
    """A question as the questions' table holds it (as the forum heard it)."""

    id: UUID
    dialogue_id: UUID
    asker: dict[str, Any]
    text: str
    addressed_to: list[str]
    topics: list[str]
    asked_at: datetime | None

    @classmethod
    def of(cls, question: Question) -> QuestionRecord:
        """A question just asked, as its write answers it."""
        return cls(question.id, question.dialogue_id, dict(question.asker), question.text,
                   list(question.addressed_to), list(question.topics), question.asked_at)


@dataclass(frozen=True)
class AnswerRecord:
    """An answer as the answers' table holds it."""

    id: UUID
    dialogue_id: UUID
    question_ids: list[UUID]
    responder: dict[str, Any]
    text: str
    answered_at: datetime | None
    channel: AnswerChannel
    linked_by: str | None
    evidence: list[dict[str, Any]]


@dataclass(frozen=True)
class DialogueRecord:
    """A forum as the dialogues' table holds it: never its chair's address."""

    id: UUID
    title: str
    forum: ForumKind
    held_on: date
    place: str | None
    chair: str | None
    organiser: str | None
    source_url: str | None

    @classmethod
    def of(cls, dialogue: Dialogue) -> DialogueRecord:
        """A forum just recorded, as its write answers it."""
        return cls(dialogue.id, dialogue.title, ForumKind(dialogue.forum), dialogue.held_on,
                   dialogue.place, dialogue.chair, dialogue.organiser, dialogue.source_url)

    @classmethod
    def of_row(cls, row: Any) -> DialogueRecord:
        """A forum as its row in `rm_dialogues` holds it (the list and one dialogue)."""
        return cls(UUID(str(row["id"])), row["title"], ForumKind(row["forum"]),
                   as_date(row["held_on"]), row["place"], row["chair"], row["organiser"],
                   row["source_url"])


@dataclass(frozen=True)
class QuestionView:
    question: QuestionRecord
    answers: list[AnswerRecord]
    commitments: list[CommitmentView]
    # The asker's private contact: the read matrix shows it to admins only.
    contact: dict[str, str] | None = None
    # Every earlier raising of the same grievance, the nearest first.
    raised_before: list[UUID] = field(default_factory=list)

    @property
    def times_raised(self) -> int:
        return len(self.raised_before) + 1

    @property
    def answered(self) -> bool:
        return bool(self.answers)


@dataclass(frozen=True)
class DialogueFilter:
    year: int | None = None  # held in this year
    forum: ForumKind | None = None
    q: str | None = None  # words of its title, place, chair or organiser, accents or not


@dataclass(frozen=True)
class DialoguePage:
    items: list[DialogueRecord]
    next: str | None
    total: int


@dataclass(frozen=True)
class DialogueView:
    dialogue: DialogueRecord
    questions: int
    answered: int
    commitments: int
    by_status: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    unanswered: list[dict[str, Any]] = field(default_factory=list)
    # Promises of earlier dialogues carried into this one (issue 18).
    carried_over: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Grievance:
    """A grievance raised at several forums, by its latest question."""

    question_id: UUID
    text: str
    times_raised: int
    dialogue_id: UUID
    dialogue_title: str
    held_on: date
    agencies: list[str]


@dataclass(frozen=True)
class AgencyScore:
    """How an agency kept its word; the four timeliness buckets officials use
    are fulfilled_on_time, fulfilled_late, pending_within_deadline, overdue."""

    agency: str
    name: str
    total: int = 0
    fulfilled: int = 0
    fulfilled_on_time: int = 0
    fulfilled_late: int = 0
    # Fulfilled by the date first promised, before any approved extension.
    fulfilled_by_original_date: int = 0
    pending_within_deadline: int = 0
    overdue: int = 0
    open: int = 0
    partially_fulfilled: int = 0
    declined: int = 0
    withdrawn: int = 0
    transferred: int = 0
    verified: int = 0
    disputed: int = 0
    # Promises whose asker's last word confirmed, or contested, the agency's claim.
    confirmed_by_asker: int = 0
    contested_by_asker: int = 0

    @classmethod
    def of(cls, code: str, name: str, counts: dict[str, int], late: int) -> AgencyScore:
        pending = counts.get("open", 0) + counts.get("in_progress", 0)
        return cls(
            agency=code, name=name, total=counts.get("total", 0),
            fulfilled=counts.get("fulfilled", 0),
            fulfilled_on_time=counts.get("fulfilled_on_time", 0),
            fulfilled_late=counts.get("fulfilled_late", 0),
            fulfilled_by_original_date=counts.get("fulfilled_by_original_date", 0),
            pending_within_deadline=pending - late, overdue=late,
            # Still owed: being worked on, or only partly delivered.
            open=pending + counts.get("partially_fulfilled", 0),
            partially_fulfilled=counts.get("partially_fulfilled", 0),
            declined=counts.get("declined", 0), withdrawn=counts.get("withdrawn", 0),
            transferred=counts.get("transferred", 0), verified=counts.get("verified", 0),
            disputed=counts.get("disputed", 0),
        )


# -- the query side ----------------------------------------------------------------


# The statuses an auditor judges, in a fixed order: the same SQL each time.
_JUDGEABLE = sorted(JUDGEABLE)


class Sort(StrEnum):
    MADE = "made"  # oldest first: the order promises were made
    RECENT = "-made"
    DUE = "due_on"  # soonest due first: the most overdue at the top
    DUE_LAST = "-due_on"


# Columns a page is ordered by, ascending or not; the row's log position
# breaks ties, so the order is total and a cursor never skips or repeats.
_ORDER: dict[Sort, tuple[str | None, bool]] = {
    Sort.MADE: (None, True),
    Sort.RECENT: (None, False),
    Sort.DUE: ("due_on", True),
    Sort.DUE_LAST: ("due_on", False),
}

# As of a day, a commitment's reminders are those sent by then: the most any
# ReminderSent row sent by then counted (the count never goes down).
_SENT_BY = ("COALESCE((SELECT MAX(r.reminders_sent) FROM rm_history r "
            "WHERE r.commitment_id = h.commitment_id AND r.event = 'ReminderSent' "
            "AND r.occurred_on <= :as_of), 0) AS reminders_sent")
_STATE_COLUMNS = ", ".join(_SENT_BY if c == "reminders_sent" else f"h.{c}"
                           for c in STATE_COLUMNS)
_STATIC_COLUMNS = ", ".join(f"c.{c}" for c in STATIC_COLUMNS)
# The commitments as they stood at the end of :as_of: for each, the history
# row effective by then and not yet superseded (effective dates never go
# backwards along a history).
AS_OF = f"""(SELECT {_STATIC_COLUMNS}, {_STATE_COLUMNS}
    FROM rm_history h JOIN rm_commitments c ON c.id = h.commitment_id
    WHERE h.effective_on <= :as_of
      AND (h.superseded_on IS NULL OR h.superseded_on > :as_of))"""


# A commitment's forum is its dialogue's: a relation `s` of commitments made
# at a forum of kind :forum.
AT_FORUM = "s.dialogue_id IN (SELECT d.id FROM rm_dialogues d WHERE d.forum = :forum)"


class Queries:
    """Reads for the API, the CLI and the workers."""

    # Events a reader that catches up applies itself before answering; beyond
    # that it answers from the tables as they are and says how far behind.
    inline_limit = 2_000

    def __init__(self, app: Commitments, view: ReadModel, *, catches_up: bool = True) -> None:
        self.app = app
        self.view = view
        self.projector = Projector(app, view)
        # False in the web and worker processes: their reads never write the tables.
        self.catches_up = catches_up
        self.wait_seconds = app.settings.read_wait_seconds
        # One Queries serves a web process's threads: what one request waits
        # for, and the lag it saw, are its own.
        self._request = threading.local()

    def close(self) -> None:
        self.projector.close()
        self.view.datastore.close()

    @property
    def lag(self) -> int:
        """Events the tables were behind the log at this thread's last read."""
        found: int = getattr(self._request, "lag", 0)
        return found

    @lag.setter
    def lag(self, value: int) -> None:
        self._request.lag = value

    @property
    def position(self) -> int | None:
        """The tables' position this thread's last `fresh()` saw (None: none yet)."""
        found: int | None = getattr(self._request, "position", None)
        return found

    def read_after(self, position: int | None) -> None:
        """The reads that follow (in this thread) must see the log up to
        `position`, a write's: the first waits for the projector to pass it.
        Called as each request begins: its first read looks where the tables
        are, the reads after it take that look as theirs."""
        self._request.after = position
        self._request.wanted = position
        self._request.checked = False
        self.lag = 0

    @property
    def wanted(self) -> int | None:
        """The position this thread's reads must see (a write's), if any."""
        found: int | None = getattr(self._request, "wanted", None)
        return found

    def request_done(self) -> None:
        """The request is over: reads outside one look at the tables anew."""
        self._request.checked = None

    def fresh(self) -> int:
        """Tables ready to read; returns how many events they are behind.

        A reader that catches up applies pending events (up to
        `inline_limit`). Otherwise the first read after `read_after` waits,
        up to `wait_seconds`, for the projector to pass that position, and
        answers anyway when it has not; later reads do not wait again."""
        if self.catches_up:
            return self.catch_up(limit=self.inline_limit)
        after: int | None = getattr(self._request, "after", None)
        checked: bool | None = getattr(self._request, "checked", None)
        if checked and after is None:
            # A request's answer is read at one look at the tables: a page's
            # later reads spare the two queries.
            return self.lag
        self._request.after = None
        position = self.view.position()
        if after is not None and position < after:
            position = self._wait_for(after)
        head = self.app.recorder.max_notification_id() or 0
        self.lag = max(head - position, 0)
        self._request.position = position
        if checked is not None:
            self._request.checked = True
        return self.lag

    def catch_up(self, limit: int | None = None) -> int:
        """Apply pending events (up to `limit`) here, for a reader that is no
        request: returns how many are still pending."""
        head = self.app.recorder.max_notification_id() or 0
        position = self.view.position()
        if head > position:
            self.projector.catch_up(limit=limit)
            position = self.view.position()
        self.lag = max(head - position, 0)
        self._request.position = position
        return self.lag

    def _looked_up(self, sql: str, **params: Any) -> list[Any]:
        """The rows of a lookup by id or code. None found while the tables are
        behind the log: what is asked for may be among the events not yet
        applied (a link in a mail just sent, another client's write), so the
        lookup waits, as a read naming a write does, for the projector to
        reach the log's head and looks again. "Not found" is said only of
        what the tables, caught up or past the wait, do not hold."""
        rows = self._rows(sql, **params)
        if rows or self.catches_up or not self.lag:
            return rows
        head = self.app.recorder.max_notification_id() or 0
        self.lag = max(head - self._wait_for(head), 0)
        return self._rows(sql, **params)

    def _wait_for(self, after: int) -> int:
        """Poll the tracking position until it reaches `after` or the wait is
        over; returns the last position seen. The library's
        `TrackingRecorder.wait` first sleeps 100 ms, where the projector
        applies a write within a few: this starts at 2 ms and doubles to 50."""
        deadline = time.monotonic() + self.wait_seconds
        pause = 0.002
        while (position := self.view.position()) < after:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(pause, left))
            pause = min(pause * 2, 0.05)
        return position

    def _rows(self, sql: str, **params: Any) -> list[Any]:
        return self.view.rows(sql, **params)

    # -- one commitment: its own events ------------------------------------------------

    def commitment(self, commitment_id: UUID, as_of: date | None = None) -> CommitmentView:
        """The commitment today, or as it stood at the end of `as_of`."""
        if as_of is None:
            found = load(self.app.repository, Commitment, commitment_id)
            return CommitmentView.of(found, self.app.clock())
        self.fresh()
        # Its history row in force at the end of that day, as the lists read it.
        rows = self._rows(f"SELECT * FROM {AS_OF} s WHERE s.id = :id",
                          id=str(commitment_id), as_of=as_of)
        if not rows:
            if not self._looked_up("SELECT 1 FROM rm_commitments WHERE id = :id",
                              id=str(commitment_id)):
                raise NotFound(f"no commitment with id {commitment_id}")
            raise NotFound(
                f"commitment {commitment_id} had not been made by {as_of.isoformat()}")
        return CommitmentView.of_row(rows[0], as_of)

    def history(self, commitment_id: UUID) -> list[HistoryEntry]:
        """Every event of a commitment, oldest first, from its history entries."""
        self.fresh()
        rows = self._looked_up("SELECT version, type, at, actor, data FROM rm_history_entries "
                               "WHERE commitment_id = :id ORDER BY version", id=str(commitment_id))
        if not rows:
            raise NotFound(f"no commitment with id {commitment_id}")
        entries = []
        when = None
        for row in rows:
            data = json.loads(row["data"])
            when = _entry_on(row["type"], data, when, self.app.settings.timezone)
            entries.append(HistoryEntry(
                type=row["type"], at=datetime.fromisoformat(row["at"]), effective_on=when,
                version=int(row["version"]), actor=json.loads(row["actor"]), data=data))
        return entries

    # -- lists ---------------------------------------------------------------------------

    def list_commitments(
        self,
        where: CommitmentFilter,
        *,
        as_of: date | None = None,
        sort: Sort = Sort.MADE,
        cursor: str | None = None,
        limit: int = 50,
        count: bool = True,
    ) -> Page:
        """Commitments matching `where`, a page at a time, with the total
        (`count=False`: a caller who knows it saves a pass over the rows; 0)."""
        self.fresh()
        on = as_of or self.app.clock()
        source = AS_OF if as_of is not None else "rm_commitments"
        clauses, params = _where(replace(where, q=None), on)
        text, words = _text(where.q)
        params.update(words)
        params["as_of"] = on
        column, ascending = _ORDER[sort]
        key = f"s.{column}, s.position" if column else "s.position"
        direction = "" if ascending else " DESC"
        order = f"{key.replace(',', direction + ',')}{direction}"
        page_clauses = list(clauses)
        if cursor is not None:
            after = _decode_cursor(cursor, with_value=column is not None)
            params.update(after)
            mark = "(:k_value, :k_position)" if column else ":k_position"
            page_clauses.append(f"({key}) {'>' if ascending else '<'} {mark}")
        exact = True
        # Today's lists the counters can size are not counted row by row.
        listed = _listed(where) if as_of is None else None
        if text and count:
            rows, total, exact = self._searched(source, clauses, text, page_clauses, params,
                                                order, column, ascending, limit, listed)
        else:
            filters = " AND ".join(clauses + text) or "1 = 1"
            rows = self._rows(
                f"SELECT * FROM {source} s WHERE {' AND '.join(page_clauses + text) or '1 = 1'} "
                f"ORDER BY {order} LIMIT :limit", **params, limit=limit + 1)
            counting = (f"SELECT {listed} AS n" if listed
                        else f"SELECT COUNT(*) AS n FROM {source} s WHERE {filters}")
            [found] = self._rows(counting, **params) if count else [{"n": 0}]
            total = int(found["n"])
        items = rows[:limit]
        more = len(rows) > limit
        next_cursor = None
        if more:
            last = items[-1]
            next_cursor = _encode_cursor(last["position"], last[column] if column else None)
        return Page(items=[CommitmentView.of_row(row, on) for row in items], next=next_cursor,
                    total=total, exact=exact)

    # A text search counts its matches up to this many: counting every one
    # of tens of thousands would cost more than finding them.
    search_counted = 1_000
    # Where an index finds the words (PostgreSQL): a word found in one row in
    # ten or more of the first `_SAMPLED` rows read without the index is
    # counted past `search_counted` among the first `_COMMON_WITHIN`.
    _SAMPLED = 500
    _COMMON_WITHIN = 10_000
    # Rows of the list's own order a common word's page is looked for in
    # first, before the whole list.
    _SEARCH_WINDOWS = (5_000, 50_000)

    def _searched(self, source: str, others: list[str], text: list[str],
                  page_clauses: list[str], params: dict[str, Any], order: str,
                  column: str | None, ascending: bool, limit: int,
                  listed: str | None = None) -> tuple[list[Any], int, bool]:
        """A page of a text search, its total and whether that is exact.

        The matches are found, no more than `search_counted` and one: when
        that is all of them, the total is exact and the page is chosen among
        them here (by position and sort key, then its rows are read by
        position). A word common enough to match more is found soon along the
        list's own order: the page is read from the first rows of that order
        (an index), and the total says "at least".

        An index of words gathers all of a word's matches before it gives one
        (a bitmap): for a common word, tens of thousands of rows at 100,000
        commitments. Rows read in turn without it find `search_counted` and
        one sooner; for a rare word they would be read in vain. So the first
        `_SAMPLED` rows tell which the word is, and only a common one is
        counted by reading rows, up to `_COMMON_WITHIN`.

        `listed`: how many rows the list holds, as SQL over the counters
        (`_listed`), where they tell it."""
        most = self.search_counted
        key = f", s.{column} AS k" if column else ""
        # Rows read in turn, and sorted, cost little from the table itself
        # (what a search reads of a row before it has chosen it: `narrow`);
        # as of a date each is first joined to its history.
        plain = source == "rm_commitments"
        narrow = f"s.position, s.search{f', s.{column}' if column else ''}" if plain else "*"
        found: list[Any] = []
        every_row_read = False
        if self.view.words_indexed and plain:
            # The limits keep the index out: the words are tested row by row,
            # and none at all past the sample if it holds too few. Where the
            # rows read are the whole list, fewer matches than
            # `search_counted` are all there are, and the index need not find
            # them again (an agency's list of a few thousand promises).
            first = f"FROM {source} s WHERE {' AND '.join(others) or '1 = 1'} LIMIT"
            words = " AND ".join(text)
            common = (f"(SELECT COUNT(*) FROM (SELECT s.search {first} :sampled) s "
                      f"WHERE {words}) >= :enough")
            within = self._COMMON_WITHIN
            limits = {"within": within, "sampled": self._SAMPLED,
                      "enough": math.ceil((most + 1) * self._SAMPLED / within)}
            if listed is not None:
                # The counters say how long the list is, in the statement's
                # own snapshot: the rows need no numbers (numbering them
                # cost a fifth of an officer's search of 4,000 promises).
                # The matches are counted and the page read in the same
                # statement, where they are all there are.
                keyed = f"s.position{f', s.{column}' if column else ''}"
                past = " AND ".join(page_clauses[len(others):]) or "1 = 1"
                rows = self._rows(
                    f"WITH found AS MATERIALIZED (SELECT {keyed} FROM (SELECT {narrow} "
                    f"{first} :within) s WHERE {words} AND {common} LIMIT :most) "
                    f"SELECT s.*, c.found, c.listed FROM (SELECT COUNT(*) AS found, "
                    f"{listed} AS listed FROM found) c LEFT JOIN {source} s "
                    "ON c.found <= :counted AND c.listed <= :within AND s.position IN "
                    # Here `s` is a match, there a row of the table.
                    f"(SELECT s.position FROM found s WHERE {past} ORDER BY {order} "
                    f"LIMIT :limit) ORDER BY {order}",
                    **params, **limits, most=most + 1, counted=most, limit=limit + 1)
                matched, whole = int(rows[0]["found"]), int(rows[0]["listed"]) <= within
                if matched > most:
                    return self._first_matches(source, text, page_clauses, params, order,
                                               narrow, limit), most, False
                if matched and whole:
                    return [row for row in rows if row["position"] is not None], matched, True
            else:
                # The row at `:within` comes too, matching or not: it says
                # the list goes on.
                read = self._rows(
                    f"SELECT s.position{key}, s.n, ({words}) AS hit FROM "
                    f"(SELECT {narrow}, ROW_NUMBER() OVER () AS n {first} :within) s "
                    f"WHERE ({words} OR s.n = :within) AND {common} LIMIT :most",
                    **params, **limits, most=most + 2)
                found = [row for row in read if row["hit"]]
                every_row_read = bool(read) and all(int(r["n"]) < within for r in read)
        if len(found) <= most and not every_row_read:
            found = self._rows(f"SELECT s.position{key} FROM {source} s WHERE "
                               f"{' AND '.join(others + text)} LIMIT :most",
                               **params, most=most + 1)
        if len(found) <= most:
            marks = sorted(((as_date(r["k"]), int(r["position"])) if column
                            else (int(r["position"]),) for r in found), reverse=not ascending)
            if "k_position" in params:
                after = ((params["k_value"], params["k_position"]) if column
                         else (params["k_position"],))
                marks = [m for m in marks if (m > after if ascending else m < after)]
            chosen = [m[-1] for m in marks[:limit + 1]]
            names = {f"p{n}": position for n, position in enumerate(chosen)}
            rows = self._rows(f"SELECT * FROM {source} s WHERE s.position IN "
                              f"({', '.join(':' + n for n in names)})", **params,
                              **names) if chosen else []
            by = {int(row["position"]): row for row in rows}
            return [by[p] for p in chosen], len(found), True
        return self._first_matches(source, text, page_clauses, params, order, narrow,
                                   limit), most, False

    def _first_matches(self, source: str, text: list[str], page_clauses: list[str],
                       params: dict[str, Any], order: str, narrow: str,
                       limit: int) -> list[Any]:
        """A page of a search with more matches than are counted: found
        soon along the list's own order, first among its first rows."""
        plain = source == "rm_commitments"
        # From the table, only the rows' keys and words are sorted (whole
        # rows outgrow the sort's memory and spill to disk), then the page's
        # rows read by position.
        pages = " AND ".join(page_clauses) or "1 = 1"
        for window in self._SEARCH_WINDOWS:
            page = (f"(SELECT {narrow} FROM {source} s WHERE {pages} ORDER BY {order} "
                    f"LIMIT :window) s WHERE {' AND '.join(text)} ORDER BY {order} LIMIT :limit")
            rows = self._rows(
                f"SELECT * FROM {source} s WHERE s.position IN (SELECT s.position FROM {page}) "
                f"ORDER BY {order}" if plain else f"SELECT * FROM {page}",
                **params, window=window, limit=limit + 1)
            if len(rows) > limit:
                return rows
        return self._rows(f"SELECT * FROM {source} s WHERE {' AND '.join(page_clauses + text)} "
                          f"ORDER BY {order} LIMIT :limit", **params, limit=limit + 1)

    def every_commitment(self, where: CommitmentFilter, *, as_of: date | None = None,
                         sort: Sort = Sort.MADE) -> Iterator[CommitmentView]:
        """All commitments matching `where`, read a thousand at a time (for
        exports: no count, no page left out)."""
        cursor = None
        while True:
            page = self.list_commitments(where, as_of=as_of, sort=sort, cursor=cursor,
                                         limit=1000, count=False)
            yield from page.items
            if page.next is None:
                return
            cursor = page.next

    def extension_steps(self, ids: list[UUID]) -> dict[UUID, list[dict[str, Any]]]:
        """Each commitment's extension requests, decisions and direct
        extensions, oldest first: what an auditor weighs a new request against."""
        if not ids:
            return {}
        names = {f"id{n}": str(i) for n, i in enumerate(ids)}
        found: dict[UUID, list[dict[str, Any]]] = {i: [] for i in ids}
        for row in self._rows(
                "SELECT commitment_id, effective_on, event, detail FROM rm_history "
                "WHERE event IN ('ExtensionRequested', 'ExtensionDecided', 'DeadlineExtended') "
                f"AND commitment_id IN ({', '.join(':' + n for n in names)}) "
                "ORDER BY commitment_id, version", **names):
            found[UUID(str(row["commitment_id"]))].append({
                "event": row["event"], "effective_on": as_date(row["effective_on"]),
                **json.loads(row["detail"])})
        return found

    def due_between(self, first: date, last: date) -> list[CommitmentView]:
        """Commitments still being worked on that fall due from `first` to `last`:
        what the reminder scan reads, by the due index."""
        self.fresh()
        rows = self._rows(
            "SELECT * FROM rm_commitments WHERE active = 1 AND due_on >= :first "
            "AND due_on <= :last ORDER BY due_on, position", first=first, last=last)
        return [CommitmentView.of_row(row, self.app.clock()) for row in rows]

    def ladder_candidates(self, horizon: date) -> list[LadderRow]:
        """What the reminder scan considers, by two indexes: promises still chased
        whose ladder is unfinished and whose due date is no later than `horizon`,
        and those with a delivery begun and not finished. Rows far from their
        due date, or done with their ladder, are never touched."""
        self.fresh()
        # Deliveries in flight: few at any time, by a partial index.
        in_flight: dict[str, list[tuple[date, int]]] = {}
        for row in self._rows("SELECT commitment_id, due_on, rank FROM rm_deliveries "
                              "WHERE open = 1"):
            in_flight.setdefault(str(row["commitment_id"]), []).append(
                (as_date(row["due_on"]), int(row["rank"])))
        columns = "id, status, due_on, reminder_rank, reminders_pending"
        found: dict[str, LadderRow] = {}
        for sql in (
            f"SELECT {columns} FROM rm_commitments WHERE active = 1 "
            "AND reminder_rank IN (0, 1, 2) AND due_on <= :horizon",
            # Two statements, not an OR: each is answered by its own index.
            f"SELECT {columns} FROM rm_commitments WHERE reminders_pending > 0",
            f"SELECT {columns} FROM rm_commitments WHERE id IN "
            "(SELECT commitment_id FROM rm_deliveries WHERE open = 1)",
        ):
            for row in self._rows(sql, horizon=horizon):
                key, due_on = str(row["id"]), as_date(row["due_on"])
                flying = in_flight.get(key, [])
                # A claim in flight has begun its rung, as a sent one has.
                rank = max([int(row["reminder_rank"]),
                            *(r for d, r in flying if d == due_on)])
                found[key] = LadderRow(UUID(key), Status(row["status"]), due_on, rank,
                                       int(row["reminders_pending"]) + len(flying))
        return list(found.values())

    def open_deliveries(self, commitment_id: UUID) -> list[Delivery]:
        """A commitment's deliveries begun and not yet sent or given up."""
        self.fresh()
        return [Delivery(Rung(row["rung"]), as_date(row["due_on"]), Channel(row["channel"]))
                for row in self._rows("SELECT rung, due_on, channel FROM rm_deliveries "
                                      "WHERE commitment_id = :id AND open = 1",
                                      id=str(commitment_id))]

    # -- agencies, dialogues, questions -----------------------------------------------

    def contested_by_asker(self, ids: list[UUID]) -> set[UUID]:
        """Those of `ids` whose agency's last claim the asker contested."""
        if not ids:
            return set()
        marks = ", ".join(f":id{n}" for n in range(len(ids)))
        rows = self._rows(
            f"SELECT h.commitment_id FROM rm_history h WHERE h.commitment_id IN ({marks}) "
            "AND h.event = 'AskerContested' AND h.version = (SELECT MAX(l.version) FROM "
            "rm_history l WHERE l.commitment_id = h.commitment_id AND l.event IN "
            "('Fulfilled', 'PartiallyFulfilled', 'Declined', 'AskerConfirmed', "
            "'AskerContested'))", **{f"id{n}": str(i) for n, i in enumerate(ids)})
        return {UUID(str(row["commitment_id"])) for row in rows}

    def decline_reasons(self, ids: list[UUID]) -> dict[UUID, str]:
        """The reason the agency gave for each of `ids` it declined: what an
        auditor weighs, as a delivery's evidence."""
        if not ids:
            return {}
        marks = ", ".join(f":id{n}" for n in range(len(ids)))
        rows = self._rows(
            f"SELECT commitment_id, detail FROM rm_history WHERE commitment_id IN ({marks}) "
            "AND event = 'Declined'", **{f"id{n}": str(i) for n, i in enumerate(ids)})
        return {UUID(str(row["commitment_id"])): json.loads(row["detail"]).get("note", "")
                for row in rows}

    def open_messages(self, limit: int = 1000) -> list[UUID]:
        """Messages owed and not yet sent or given up, oldest first."""
        self.fresh()
        return [UUID(str(row["id"])) for row in self._rows(
            "SELECT id FROM rm_messages WHERE open = 1 ORDER BY position LIMIT :limit",
            limit=limit)]

    def agency(self, code: str) -> AgencyView:
        """One agency by its exact code, with its contacts (for the read
        matrix to filter)."""
        # No code of that form was ever registered; and PostgreSQL refuses a
        # NUL in a parameter, which must read as "not found", not a 500.
        try:
            canonical_code(code)
            well_formed = True
        except ValueError:
            well_formed = False
        self.fresh()
        found = well_formed and self._looked_up(f"{_AGENCIES} WHERE a.code = :code", code=code)
        if not found:
            raise NotFound(f"no agency with code {code!r}")
        return AgencyView.of_row(found[0])

    def agencies(self) -> list[AgencyView]:
        """Every agency, by code, with its contacts (for the read matrix to filter)."""
        self.fresh()
        return [AgencyView.of_row(row) for row in self._rows(f"{_AGENCIES} ORDER BY a.code")]

    def people(self, commitment_id: UUID) -> dict[datetime, str]:
        """Who, by name, recorded each step of a commitment's history through
        the workspace (an account's name, by the step's moment); staff see
        the person, the public report only the role."""
        self.fresh()
        steps: dict[datetime, str] = {}
        for row in self._rows("SELECT at, actor FROM rm_history_entries "
                              "WHERE commitment_id = :id", id=str(commitment_id)):
            actor = json.loads(row["actor"])
            via = actor.get("via") if isinstance(actor, dict) else None
            if isinstance(via, str) and via.startswith("account:"):
                steps[datetime.fromisoformat(row["at"])] = via.removeprefix("account:")
        ids = sorted(set(steps.values()))
        if not ids:
            return {}
        marks = ", ".join(f":id{n}" for n in range(len(ids)))
        names = {str(row["id"]): row["name"] for row in self._rows(
            f"SELECT id, name FROM rm_accounts WHERE id IN ({marks})",
            **{f"id{n}": key for n, key in enumerate(ids)})}
        return {at: names[key] for at, key in steps.items() if names.get(key)}

    def accounts(self) -> list[AccountView]:
        """Every account ever created, disabled ones too, by name (folded:
        "Đỗ" sorts with "Do", not after "Z")."""
        self.fresh()
        # Sorted here: a database's collation would weigh spaces and case its own way.
        return [AccountView(UUID(str(row["id"])), row["email"], row["name"], Role(row["role"]),
                            row["agency"], bool(row["disabled"]))
                for row in sorted(self._rows("SELECT id, email, name, sort_name, role, agency, "
                                             "disabled FROM rm_accounts"),
                                  key=lambda row: (row["sort_name"], row["email"]))]

    def tokens(self) -> list[TokenView]:
        """Every token ever issued, oldest first."""
        self.fresh()
        return [TokenView(UUID(str(row["id"])), Role(row["role"]), row["agency"], row["label"],
                          datetime.fromisoformat(row["expires_at"]) if row["expires_at"]
                          else None, bool(row["revoked"]))
                for row in self._rows("SELECT id, role, agency, label, expires_at, revoked "
                                      "FROM rm_tokens ORDER BY position")]

    def question(self, question_id: UUID) -> QuestionView:
        self.fresh()
        found = self._looked_up("SELECT * FROM rm_questions WHERE id = :id",
                                id=str(question_id))
        if not found:
            raise NotFound(f"no question with id {question_id}")
        [question] = found
        answers = self._rows("SELECT a.* FROM rm_answer_questions aq JOIN rm_answers a "
                             "ON a.id = aq.answer_id WHERE aq.question_id = :id "
                             "ORDER BY aq.position", id=str(question_id))
        commitments = self._rows(
            "SELECT c.* FROM rm_commitments c JOIN rm_commitment_questions q "
            "ON q.commitment_id = c.id WHERE q.question_id = :id ORDER BY c.position",
            id=str(question_id))
        today = self.app.clock()
        # How to reach the asker is never copied into the tables (only the
        # admin may read it; the read matrix drops it for anyone else): the
        # one read here of a stream of the log, a contact's single event.
        contact = None
        if contact_id(question_id) in self.app.repository:
            contact = load(self.app.repository, AskerContact, contact_id(question_id)).as_dict()
        return QuestionView(
            question=QuestionRecord(
                id=UUID(str(question["id"])), dialogue_id=UUID(str(question["dialogue_id"])),
                asker=json.loads(question["asker"]), text=question["text"],
                addressed_to=json.loads(question["addressed_to"]),
                topics=json.loads(question["topics"]),
                asked_at=_moment(question["asked_at"])),
            answers=[AnswerRecord(
                id=UUID(str(row["id"])), dialogue_id=UUID(str(row["dialogue_id"])),
                question_ids=[UUID(q) for q in json.loads(row["question_ids"])],
                responder=json.loads(row["responder"]), text=row["text"],
                answered_at=_moment(row["answered_at"]), channel=AnswerChannel(row["channel"]),
                linked_by=row["linked_by"], evidence=json.loads(row["evidence"]))
                for row in answers],
            commitments=[CommitmentView.of_row(row, today) for row in commitments],
            contact=contact,
            raised_before=self.raised_before(question_id),
        )

    def raised_before(self, question_id: UUID) -> list[UUID]:
        """The earlier raisings of a question's grievance: the links its
        chain's questions recorded (issue 18), read in one statement that
        follows them back, each question's in the order it recorded them."""
        links: dict[UUID, list[UUID]] = {}
        for row in self._rows(
                "WITH RECURSIVE chain (question_id, earlier_id, position) AS ("
                "SELECT question_id, earlier_id, position FROM rm_question_links "
                "WHERE question_id = :id UNION "
                "SELECT l.question_id, l.earlier_id, l.position FROM rm_question_links l "
                "JOIN chain c ON l.question_id = c.earlier_id) "
                "SELECT question_id, earlier_id FROM chain ORDER BY position",
                id=str(question_id)):
            links.setdefault(UUID(str(row["question_id"])), []).append(
                UUID(str(row["earlier_id"])))
        return raised_before(question_id, links)

    def grievances(self, agency: str | None = None, limit: int = 5) -> list[Grievance]:
        """The grievances raised most often (at least twice), each by its
        latest question; only those put to `agency` when given. The first
        rows of the projection's ranking (rm_grievances): as
        domain.recurrence.most_raised ranks them, without reading every link."""
        self.fresh()
        return [Grievance(UUID(str(row["question_id"])), row["text"], int(row["times"]),
                          UUID(str(row["dialogue_id"])), row["title"], as_date(row["held_on"]),
                          json.loads(row["agencies"]))
                for row in self._rows(
                    "SELECT g.question_id, g.times, g.agencies, q.text, q.dialogue_id, d.title, "
                    "d.held_on FROM rm_grievances g JOIN rm_questions q ON q.id = g.question_id "
                    "JOIN rm_dialogues d ON d.id = q.dialogue_id WHERE g.scope = :scope "
                    "ORDER BY g.times DESC, g.question_id LIMIT :limit",
                    scope=agency or "", limit=limit)]

    def still_owed_before(self, held_on: date, limit: int = 50) -> list[CommitmentView]:
        """Promises of dialogues held before `held_on` still owed, the overdue
        first, then the latest dialogue's: what a new dialogue may carry over."""
        self.fresh()
        today = self.app.clock()
        rows = self._rows(
            "SELECT c.* FROM rm_commitments c JOIN rm_dialogues d ON d.id = c.dialogue_id "
            "WHERE d.held_on < :held_on AND c.status IN ('open', 'in_progress', "
            "'partially_fulfilled') ORDER BY CASE WHEN c.active = 1 AND c.due_on < :today "
            "THEN 0 ELSE 1 END, d.held_on DESC, c.due_on, c.position LIMIT :limit",
            held_on=held_on, today=today, limit=limit)
        return [CommitmentView.of_row(row, today) for row in rows]

    def questions_before(self, held_on: date, limit: int = 200) -> list[dict[str, Any]]:
        """Questions of the forums held before `held_on`, the latest first."""
        self.fresh()
        return [{"id": UUID(str(row["id"])), "text": row["text"], "title": row["title"],
                 "held_on": as_date(row["held_on"])} for row in self._rows(
            "SELECT q.id, q.text, d.title, d.held_on FROM rm_questions q JOIN rm_dialogues d "
            "ON d.id = q.dialogue_id WHERE d.held_on < :held_on "
            "ORDER BY d.held_on DESC, q.position LIMIT :limit", held_on=held_on, limit=limit)]

    def carried_over(self, dialogue_id: UUID, on: date | None = None) -> list[dict[str, Any]]:
        """The promises carried into a dialogue (by `on`), in the order they
        were carried, each with where it came from."""
        self.fresh()
        by = " AND o.carried_on <= :on" if on is not None else ""
        return [{"commitment_id": UUID(str(row["commitment_id"])),
                 "from_dialogue_id": UUID(str(row["from_dialogue_id"])),
                 "from_title": row["title"], "from_held_on": as_date(row["held_on"]),
                 "on": as_date(row["carried_on"]), "text": row["text"],
                 "agency": row["agency"], "status": row["status"],
                 "due_on": as_date(row["due_on"])}
                for row in self._rows(
                    "SELECT o.commitment_id, o.from_dialogue_id, o.carried_on, c.text, "
                    "c.agency, c.status, c.due_on, d.title, d.held_on FROM rm_carried_over o "
                    "JOIN rm_commitments c ON c.id = o.commitment_id "
                    "JOIN rm_dialogues d ON d.id = c.dialogue_id "
                    f"WHERE o.dialogue_id = :id{by} ORDER BY o.position",
                    id=str(dialogue_id), on=on)]

    def dialogue(self, dialogue_id: UUID) -> DialogueView:
        self.fresh()
        key = str(dialogue_id)
        rows = self._looked_up("SELECT * FROM rm_dialogues WHERE id = :id", id=key)
        if not rows:
            raise NotFound(f"no dialogue with id {dialogue_id}")
        [row] = rows
        found = DialogueRecord.of_row(row)
        [questions] = self._rows(
            "SELECT COUNT(*) AS asked, COALESCE(SUM(CASE WHEN answers > 0 THEN 1 ELSE 0 END), 0)"
            " AS answered FROM rm_questions WHERE dialogue_id = :id", id=key)
        counts = self._rows("SELECT * FROM rm_counters WHERE scope = 'dialogue' AND key = :id",
                            id=key)
        by_status: dict[str, int] = {
            status.value: int(counts[0][status.value]) for status in Status
            if counts and status.value in TALLIES and counts[0][status.value]}
        [overdue] = self._rows(
            "SELECT COUNT(*) AS n FROM rm_commitments WHERE dialogue_id = :id AND active = 1 "
            "AND due_on < :today", id=key, today=self.app.clock())
        unanswered = [
            {"id": str(row["id"]), "asker": json.loads(row["asker"]), "text": row["text"]}
            for row in self._rows("SELECT id, asker, text FROM rm_questions WHERE "
                                  "dialogue_id = :id AND answers = 0 ORDER BY position", id=key)]
        return DialogueView(
            carried_over=self.carried_over(dialogue_id),
            dialogue=found,
            questions=int(questions["asked"]),
            answered=int(questions["answered"]),
            commitments=sum(by_status.values()),
            by_status=by_status,
            overdue=int(overdue["n"]),
            unanswered=unanswered,
        )

    def list_dialogues(self, where: DialogueFilter, *, cursor: str | None = None,
                       limit: int = 50) -> DialoguePage:
        """Dialogues matching `where`, the most recently held first, a page
        at a time (the cursor as the commitments list's), with the total."""
        self.fresh()
        clauses: list[str] = []
        params: dict[str, Any] = {}
        if where.year is not None:
            clauses.append("s.held_on >= :first AND s.held_on < :after")
            params.update(first=date(where.year, 1, 1), after=date(where.year + 1, 1, 1))
        if where.forum is not None:
            clauses.append("s.forum = :forum")
            params["forum"] = where.forum.value
        for n, word in enumerate(fold(where.q or "").split()):
            clauses.append(f"s.search LIKE :word{n} ESCAPE '\\'")
            params[f"word{n}"] = f"% {_escaped(word)}%"
        page_clauses = list(clauses)
        if cursor is not None:
            params.update(_decode_cursor(cursor, with_value=True))
            page_clauses.append("(s.held_on, s.position) < (:k_value, :k_position)")
        rows = self._rows(
            f"SELECT * FROM rm_dialogues s WHERE {' AND '.join(page_clauses) or '1 = 1'} "
            "ORDER BY s.held_on DESC, s.position DESC LIMIT :limit", **params, limit=limit + 1)
        [total] = self._rows(
            f"SELECT COUNT(*) AS n FROM rm_dialogues s WHERE {' AND '.join(clauses) or '1 = 1'}",
            **params)
        items = rows[:limit]
        next_cursor = None
        if len(rows) > limit:
            next_cursor = _encode_cursor(items[-1]["position"], as_date(items[-1]["held_on"]))
        return DialoguePage(items=[DialogueRecord.of_row(row) for row in items],
                            next=next_cursor, total=int(total["n"]))

    # -- reports -------------------------------------------------------------------------

    def agency_scores(self, *, as_of: date | None = None, dialogue: UUID | None = None,
                      forum: ForumKind | None = None) -> list[AgencyScore]:
        """Per agency: what it promised and how it kept it, as of a date, at
        one dialogue or at the forums of one kind."""
        self.fresh()
        names = {row["code"]: row["name"] for row in self._rows(
            "SELECT code, name FROM rm_agencies")}
        tallies, late = self.tallies("agency", as_of=as_of,
                                     where=CommitmentFilter(dialogue=dialogue, forum=forum))
        said = self.asker_feedback_counts(as_of=as_of, dialogue=dialogue, forum=forum)
        return [
            replace(AgencyScore.of(code, names.get(code, code), tallies.get(code, {}),
                                   late.get(code, 0)),
                    confirmed_by_asker=said.get(code, {}).get("confirmed_by_asker", 0),
                    contested_by_asker=said.get(code, {}).get("contested_by_asker", 0))
            for code in sorted(set(names) | set(tallies))
        ]

    def asker_feedback_counts(self, *, as_of: date | None = None, dialogue: UUID | None = None,
                              forum: ForumKind | None = None) -> dict[str, dict[str, int]]:
        """Per agency: promises whose asker's last word, by the end of `as_of`,
        confirmed the agency's claim, and those where it contested it."""
        on = as_of or self.app.clock()
        words = "('AskerConfirmed', 'AskerContested')"
        only = ""
        if dialogue is not None:
            only += " AND c.dialogue_id = :dialogue"
        if forum is not None:
            only += " AND c.dialogue_id IN (SELECT id FROM rm_dialogues WHERE forum = :forum)"
        found: dict[str, dict[str, int]] = {}
        for row in self._rows(
                "SELECT c.agency AS agency, h.event AS event, COUNT(*) AS n FROM rm_history h "
                "JOIN rm_commitments c ON c.id = h.commitment_id "
                f"WHERE h.event IN {words} AND h.effective_on <= :on{only} AND NOT EXISTS ("
                "SELECT 1 FROM rm_history l WHERE l.commitment_id = h.commitment_id "
                f"AND l.event IN {words} AND l.version > h.version AND l.effective_on <= :on) "
                "GROUP BY c.agency, h.event", on=on,
                dialogue=str(dialogue) if dialogue else None,
                forum=forum.value if forum else None):
            name = ("confirmed_by_asker" if row["event"] == "AskerConfirmed"
                    else "contested_by_asker")
            found.setdefault(str(row["agency"]), {})[name] = int(row["n"])
        return found

    def tallies(self, by: str, *, as_of: date | None = None,
                where: CommitmentFilter | None = None,
                ) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
        """Counters per agency or per dialogue (`by`), and how many of each
        group's promises are late on the day: from the kept counters today,
        from the history rows as of an earlier date."""
        assert by in ("agency", "dialogue")
        where = where or CommitmentFilter()
        on = as_of or self.app.clock()
        column = "agency" if by == "agency" else "dialogue_id"
        tallies: dict[str, dict[str, int]] = {}
        late: dict[str, int] = {}
        if as_of is None and where == CommitmentFilter(agency=where.agency) and (
                by == "agency" or where.agency is None):
            # The counters, plus what only today can tell: who is late now.
            only = " AND key = :key" if where.agency is not None else ""
            for row in self._rows(f"SELECT * FROM rm_counters WHERE scope = :scope{only}",
                                  scope=by, key=where.agency):
                tallies[row["key"]] = {t: int(row[t]) for t in TALLIES}
            clauses, params = _where(CommitmentFilter(agency=where.agency, overdue=True), on)
            late = {str(row["k"]): int(row["n"]) for row in self._rows(
                f"SELECT s.{column} AS k, COUNT(*) AS n FROM rm_commitments s "
                f"WHERE {' AND '.join(clauses)} GROUP BY s.{column}", **params)}
            return tallies, late
        source = AS_OF if as_of is not None else "rm_commitments"
        clauses, params = _where(where, on)
        # Counted by the database, a row per kind of state, not per commitment.
        for row in self._rows(
            f"SELECT s.{column} AS k, s.status, s.verdict, CASE WHEN s.fulfilled_on IS NULL "
            "THEN NULL WHEN s.fulfilled_on <= s.due_on THEN 1 ELSE 0 END AS on_time, "
            "CASE WHEN s.fulfilled_on IS NULL THEN NULL WHEN s.fulfilled_on <= "
            "s.original_due_on THEN 1 ELSE 0 END AS by_original, "
            "CASE WHEN s.active = 1 AND s.due_on < :late_on THEN 1 ELSE 0 END AS late, "
            f"COUNT(*) AS n FROM {source} s WHERE {' AND '.join(clauses) or '1 = 1'} "
            "GROUP BY 1, 2, 3, 4, 5, 6", **params, as_of=on, late_on=on):
            key, n = str(row["k"]), int(row["n"])
            counts = tallies.setdefault(key, dict.fromkeys(TALLIES, 0))
            on_time = None if row["on_time"] is None else bool(row["on_time"])
            by_original = None if row["by_original"] is None else bool(row["by_original"])
            for name, value in tally_of(row["status"], on_time, row["verdict"],
                                        by_original).items():
                counts[name] += value * n
            if row["late"]:
                late[key] = late.get(key, 0) + n
        return tallies, late


def _where(where: CommitmentFilter, on: date) -> tuple[list[str], dict[str, Any]]:
    """SQL conditions over a relation `s` with the read table's columns."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    for column, value in (("agency", where.agency), ("status", where.status),
                          ("verdict", where.verdict)):
        if value is not None:
            clauses.append(f"s.{column} = :{column}")
            params[column] = str(value.value if isinstance(value, Enum) else value)
    if where.dialogue is not None:
        clauses.append("s.dialogue_id = :dialogue")
        params["dialogue"] = str(where.dialogue)
    if where.forum is not None:
        clauses.append(AT_FORUM)
        params["forum"] = where.forum.value
    if where.overdue is not None:
        late = "(s.active = 1 AND s.due_on < :today)"
        clauses.append(late if where.overdue else f"NOT {late}")
        params["today"] = on
    if where.unjudged:
        claims = {f"claimed{n}": status.value for n, status in enumerate(_JUDGEABLE)}
        clauses.append(f"s.status IN ({', '.join(':' + name for name in claims)}) "
                       "AND s.verdict IS NULL")
        params.update(claims)
    if where.extension_requested is not None:
        clauses.append("s.extension_request IS " + ("NOT NULL" if where.extension_requested
                                                     else "NULL"))
    if where.active is not None:
        clauses.append(f"s.active = {1 if where.active else 0}")
    if where.promised:
        clauses.append("s.status NOT IN (:not_yet, :never)")
        params.update(not_yet=Status.PROPOSED.value, never=Status.REJECTED.value)
    if where.due_before is not None:
        clauses.append("s.due_on < :due_before")
        params["due_before"] = where.due_before
    if where.due_after is not None:
        clauses.append("s.due_on > :due_after")
        params["due_after"] = where.due_after
    text, words = _text(where.q)
    return clauses + text, {**params, **words}


def _listed(where: CommitmentFilter) -> str | None:
    """How many commitments `where` lists (its words aside), as SQL over the
    counters, or None where they cannot tell: filters other than an agency or
    a dialogue, a status, being worked on and being a promise."""
    if replace(where, agency=None, dialogue=None, status=None, active=None, promised=False,
               q=None) != CommitmentFilter() or (where.agency and where.dialogue):
        return None
    working = [status.value for status in WORKING]
    if where.status is not None:
        status = where.status.value
        if status not in TALLIES:
            return None
        ruled_out = ((where.promised and where.status in NOT_PROMISES)
                     or (where.active is not None and (status in working) != where.active))
        count = "0" if ruled_out else status
    elif where.active:
        count = " + ".join(working)
    else:
        # `total` counts promises only.
        listed = " + ".join(["total"] + ([] if where.promised
                                         else [status.value for status in NOT_PROMISES]))
        count = listed if where.active is None else f"{listed} - {' - '.join(working)}"
    for scope, key in (("agency", where.agency), ("dialogue", where.dialogue)):
        if key is not None:  # the parameter `_where` names after the scope
            return (f"COALESCE((SELECT {count} FROM rm_counters WHERE scope = '{scope}' "
                    f"AND key = :{scope}), 0)")
    return f"(SELECT COALESCE(SUM({count}), 0) FROM rm_counters WHERE scope = 'agency')"


def _text(q: str | None) -> tuple[list[str], dict[str, Any]]:
    """SQL conditions that each word of the query begins a word of the
    folded text (over a relation `s`)."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    for n, word in enumerate(fold(q or "").split()):
        clauses.append(f"s.search LIKE :word{n} ESCAPE '\\'")
        params[f"word{n}"] = f"% {_escaped(word)}%"
    return clauses, params


def _escaped(word: str) -> str:
    """A word for LIKE, its wildcards taken literally."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _encode_cursor(position: int, value: Any) -> str:
    text = json.dumps([position, value.isoformat() if isinstance(value, date) else value])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, *, with_value: bool) -> dict[str, Any]:
    try:
        if len(cursor) > 200:  # those given out are about 60 characters
            raise ValueError(cursor)
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        position, value = json.loads(raw)
        # A forged position beyond a 64-bit integer is no row's, and no
        # database takes it as a parameter.
        if (not isinstance(position, int) or not 0 <= position < 2**63
                or (with_value and not isinstance(value, str))):
            raise ValueError(raw)
        found: dict[str, Any] = {"k_position": position}
        if with_value:
            found["k_value"] = date.fromisoformat(value)
        return found
    except ValueError:
        raise InvalidInput(
            "cursor", "cursor is not one this service gave out for this sort") from None



def _request(stored: str | None) -> dict[str, Any] | None:
    if not stored:
        return None
    request: dict[str, Any] = json.loads(stored)
    return {**request, "new_due_on": date.fromisoformat(request["new_due_on"]),
            "requested_on": date.fromisoformat(request["requested_on"])}


def _uuid(value: Any) -> UUID | None:
    return UUID(str(value)) if value else None


def _moment(stored: str | None) -> datetime | None:
    return datetime.fromisoformat(stored) if stored else None


def _entry_on(kind: str, data: dict[str, Any], previous: date | None,
              timezone: tzinfo) -> date:
    """The date a history entry counts from: its event's effective date (a
    commitment's made or taken over on), or for a reminder, which has none,
    the day it was sent (where the service is), never before the entry
    before it."""
    given = data.get("effective_on") or data.get("taken_over_on") or data.get("made_on")
    if given:
        return date.fromisoformat(given)
    assert previous is not None, f"{kind} cannot start a history"
    at = data.get("at")
    if kind.startswith("Reminder") and isinstance(at, str) and "T" in at:
        return max(previous, datetime.fromisoformat(at).astimezone(timezone).date())
    return previous
