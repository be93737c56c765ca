"""The public accountability report: who promised what, and who kept their word.

Everything here is read from the tables the projection keeps (never by
replaying aggregates), as things stand today or as they stood at the end of
an earlier day. Only promises are reported: candidates an import found and
nobody confirmed, and those rejected, are not anyone's word yet.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.dialogue import ForumKind
from domain.errors import NotFound
from domain.status import NOT_PROMISES, Status
from service.disclosure import SHOWN
from service.queries import (
    AS_OF,
    AT_FORUM,
    AgencyScore,
    CommitmentFilter,
    CommitmentView,
    Grievance,
    Queries,
    Sort,
)
from service.read_model import as_date

# What the months' figures leave out, as parameters: candidates, which are no
# promises, and promises passed on (counted at the agency they went to).
_NOT_MONTHLY = {f"not_{status.value}": status.value
                for status in (*NOT_PROMISES, Status.TRANSFERRED)}

# -- pure rules ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scorecard:
    """The figures a reader looks for first, over any set of agencies."""

    made: int = 0
    fulfilled: int = 0
    fulfilled_on_time: int = 0
    fulfilled_late: int = 0
    fulfilled_by_original_date: int = 0
    pending_within_deadline: int = 0
    overdue: int = 0
    partially_fulfilled: int = 0
    declined: int = 0
    withdrawn: int = 0
    verified: int = 0
    disputed: int = 0
    confirmed_by_asker: int = 0
    contested_by_asker: int = 0

    @classmethod
    def of(cls, scores: Iterable[AgencyScore]) -> Scorecard:
        totals = dict.fromkeys((f.name for f in fields(cls)), 0)
        for score in scores:
            # A transferred promise lives on at its new owner: counted once.
            totals["made"] += score.total - score.transferred
            for name in totals:
                if name != "made":
                    totals[name] += getattr(score, name)
        return cls(**totals)


@dataclass(frozen=True)
class Standing:
    """An agency's place in the league table; unranked below the minimum."""

    score: AgencyScore
    owned: int
    overdue_share: float
    rank: int | None


def league(scores: Iterable[AgencyScore], minimum: int) -> list[Standing]:
    """Agencies by share of their promises overdue, the lowest first; ties
    share a rank (1, 2, 2, 4). An agency with fewer than `minimum` promises is
    listed after the ranked ones, unranked: one late promise out of one says
    little about an agency."""
    standings = []
    for score in scores:
        owned = score.total - score.transferred
        if owned == 0:
            continue
        standings.append(Standing(score, owned, score.overdue / owned, None))
    ranked = sorted((s for s in standings if s.owned >= minimum),
                    key=lambda s: (s.overdue_share, -s.score.fulfilled_on_time / s.owned,
                                   s.score.agency))
    result: list[Standing] = []
    for place, standing in enumerate(ranked, start=1):
        tied = result and result[-1].overdue_share == standing.overdue_share
        rank = result[-1].rank if tied else place
        result.append(Standing(standing.score, standing.owned, standing.overdue_share, rank))
    result += sorted((s for s in standings if s.owned < minimum), key=lambda s: s.score.agency)
    return result


@dataclass(frozen=True)
class MonthPoint:
    """Promises made and fulfilled up to the end of `month` (cumulative)."""

    month: date
    made: int
    fulfilled: int


def by_month(made: Mapping[date, int], fulfilled: Mapping[date, int],
             until: date) -> list[MonthPoint]:
    """Running totals at each month end, from the first month with a promise
    to the month of `until`."""
    if not made:
        return []
    month = min(made).replace(day=1)
    last = until.replace(day=1)
    points = []
    total_made = total_fulfilled = 0
    made_months = _months(made)
    fulfilled_months = _months(fulfilled)
    while month <= last:
        total_made += made_months.get(month, 0)
        total_fulfilled += fulfilled_months.get(month, 0)
        points.append(MonthPoint(month, total_made, total_fulfilled))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return points


def _months(days: Mapping[date, int]) -> dict[date, int]:
    found: dict[date, int] = {}
    for day, count in days.items():
        key = day.replace(day=1)
        found[key] = found.get(key, 0) + count
    return found


# -- what the pages show ----------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    event: str
    effective_on: date
    recorded_at: datetime
    status: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class Reported:
    """A promise on a page: its state on the day, and its dated steps."""

    commitment: CommitmentView
    agency_name: str
    timeline: list[TimelineEntry]
    # "Sở LĐTBXH → Sở Nội vụ" when the promise changed hands in a succession.
    handover: str | None = None


@dataclass(frozen=True)
class DialogueSummary:
    id: UUID
    title: str
    held_on: date
    place: str | None
    forum: str
    questions: int
    answered: int
    scorecard: Scorecard


@dataclass(frozen=True)
class LogHead:
    """The hash chain's last link: whoever notes it can later tell whether the
    history up to it was rewritten (`commitments audit verify`)."""

    events: int
    digest: str
    chained_at: datetime


@dataclass(frozen=True)
class Overview:
    as_of: date
    scorecard: Scorecard
    standings: list[Standing]
    minimum: int
    dialogues: list[DialogueSummary]
    months: list[MonthPoint]
    log: LogHead | None = None
    # Only the forums of this kind are counted and listed (None: all).
    forum: ForumKind | None = None


@dataclass(frozen=True)
class AnswerItem:
    id: UUID
    responder: dict[str, Any]
    text: str
    answered_on: date | None


@dataclass(frozen=True)
class QuestionItem:
    id: UUID
    asker: dict[str, Any]
    text: str
    answers: list[AnswerItem]
    commitments: list[Reported]

    @property
    def answered(self) -> bool:
        return bool(self.answers)


@dataclass(frozen=True)
class DialogueReport:
    as_of: date
    summary: DialogueSummary
    organiser: str | None
    source_url: str | None
    questions: list[QuestionItem]
    # Promises recorded against the dialogue but no question.
    others: list[Reported]
    # Promises of earlier dialogues carried into this one (issue 18).
    carried_over: list[dict[str, Any]] = field(default_factory=list)

    @property
    def commitments(self) -> list[Reported]:
        seen: dict[UUID, Reported] = {}
        for question in self.questions:
            for item in question.commitments:
                seen.setdefault(item.commitment.id, item)
        for item in self.others:
            seen.setdefault(item.commitment.id, item)
        return list(seen.values())


@dataclass(frozen=True)
class AgencyLink:
    code: str
    name: str


@dataclass(frozen=True)
class AgencyReport:
    as_of: date
    agency: AgencyLink
    name_en: str | None
    successor: AgencyLink | None
    predecessors: list[AgencyLink]
    score: AgencyScore
    scorecard: Scorecard
    standing: Standing | None
    commitments: list[Reported]
    total: int
    next: str | None
    months: list[MonthPoint]
    # The grievances put to it raised most often (issue 18).
    grievances: list[Grievance] = field(default_factory=list)


@dataclass(frozen=True)
class CommitmentReport:
    as_of: date
    item: Reported
    dialogue: DialogueSummary
    answer: AnswerItem | None
    questions: list[QuestionItem]


class Reports:
    """The report's reads. `as_of=None` is today, from the current tables."""

    def __init__(self, queries: Queries, minimum_ranked: int) -> None:
        self.queries = queries
        self.minimum = minimum_ranked

    def today(self) -> date:
        return self.queries.app.clock()

    # -- the front page ----------------------------------------------------------------

    def overview(self, as_of: date | None = None,
                 forum: ForumKind | None = None) -> Overview:
        """The front page: every forum, or only those of one kind."""
        scores = self.queries.agency_scores(as_of=as_of, forum=forum)
        on = as_of or self.today()
        return Overview(
            as_of=on,
            scorecard=Scorecard.of(scores),
            standings=league(scores, self.minimum),
            minimum=self.minimum,
            dialogues=self._dialogues(as_of, forum=forum),
            months=self._months(as_of, forum=forum),
            log=self.log_head(),
            forum=forum,
        )

    def log_head(self) -> LogHead | None:
        head = self.queries.view.chain_head()
        if head is None:
            return None
        return LogHead(int(head["seq"]), head["digest"],
                       datetime.fromisoformat(head["chained_at"]))

    def _dialogues(self, as_of: date | None, only: UUID | None = None,
                   forum: ForumKind | None = None) -> list[DialogueSummary]:
        on = as_of or self.today()
        tallies, late = self.queries.tallies(
            "dialogue", as_of=as_of, where=CommitmentFilter(dialogue=only))
        one = " AND d.id = :id" if only is not None else ""
        if forum is not None:
            one += " AND d.forum = :forum"
        rows = self._rows(
            "SELECT d.id, d.title, d.held_on, d.place, d.forum, "
            "(SELECT COUNT(*) FROM rm_questions q WHERE q.dialogue_id = d.id) AS asked, "
            "(SELECT COUNT(*) FROM rm_questions q WHERE q.dialogue_id = d.id AND EXISTS ("
            "  SELECT 1 FROM rm_answer_questions aq JOIN rm_answers a ON a.id = aq.answer_id"
            "  WHERE aq.question_id = q.id AND (a.answered_on IS NULL OR a.answered_on <= :on)"
            ")) AS answered "
            f"FROM rm_dialogues d WHERE d.held_on <= :on{one} ORDER BY d.held_on DESC, d.position",
            on=on, id=str(only) if only else None, forum=forum.value if forum else None)
        summaries = []
        for row in rows:
            key = str(row["id"])
            score = AgencyScore.of(key, key, tallies.get(key, {}), late.get(key, 0))
            if only is not None:
                # One dialogue's page: what its askers said, over its agencies.
                said = self.queries.asker_feedback_counts(as_of=as_of, dialogue=only)
                score = replace(
                    score,
                    confirmed_by_asker=sum(c.get("confirmed_by_asker", 0)
                                           for c in said.values()),
                    contested_by_asker=sum(c.get("contested_by_asker", 0)
                                           for c in said.values()))
            summaries.append(DialogueSummary(
                id=UUID(key), title=row["title"], held_on=as_date(row["held_on"]),
                place=row["place"], forum=row["forum"], questions=int(row["asked"]),
                answered=int(row["answered"]), scorecard=Scorecard.of([score])))
        return summaries

    def _months(self, as_of: date | None, agency: str | None = None,
                forum: ForumKind | None = None) -> list[MonthPoint]:
        source = AS_OF if as_of is not None else "rm_commitments"
        only = " AND s.agency = :agency" if agency else ""
        if forum is not None:
            only += f" AND {AT_FORUM}"
        made: dict[date, int] = {}
        fulfilled: dict[date, int] = {}
        # One pass: promises by the day they were made and the day they were
        # kept (a promise passed to another agency is counted there).
        for row in self._rows(
                f"SELECT s.made_on, s.fulfilled_on, s.status, COUNT(*) AS n FROM {source} s "
                f"WHERE s.status NOT IN ({', '.join(':' + k for k in _NOT_MONTHLY)}){only} "
                "GROUP BY s.made_on, s.fulfilled_on, s.status",
                as_of=as_of or self.today(), agency=agency, forum=forum.value if forum else None,
                **_NOT_MONTHLY):
            n = int(row["n"])
            day = as_date(row["made_on"])
            made[day] = made.get(day, 0) + n
            if row["status"] == Status.FULFILLED.value and row["fulfilled_on"] is not None:
                kept = as_date(row["fulfilled_on"])
                fulfilled[kept] = fulfilled.get(kept, 0) + n
        return by_month(made, fulfilled, as_of or self.today())

    # -- one dialogue ------------------------------------------------------------------

    def dialogue(self, dialogue_id: UUID, as_of: date | None = None) -> DialogueReport:
        self.queries.fresh()
        on = as_of or self.today()
        found = self._rows("SELECT * FROM rm_dialogues WHERE id = :id", id=str(dialogue_id))
        if not found:
            raise NotFound(f"no dialogue with id {dialogue_id}")
        summaries = self._dialogues(as_of, only=dialogue_id)
        if not summaries:
            raise NotFound(f"dialogue {dialogue_id} had not been held by {on.isoformat()}")
        names = self._agency_names()
        promised = self._commitments(CommitmentFilter(dialogue=dialogue_id), as_of, names)
        links: dict[str, list[str]] = {}
        for row in self._rows(
                "SELECT l.commitment_id, l.question_id FROM rm_commitment_questions l "
                "JOIN rm_questions q ON q.id = l.question_id WHERE q.dialogue_id = :id",
                id=str(dialogue_id)):
            links.setdefault(str(row["question_id"]), []).append(str(row["commitment_id"]))
        by_id = {str(item.commitment.id): item for item in promised}
        questions = self._questions(dialogue_id, on)
        listed = [
            QuestionItem(q.id, q.asker, q.text, q.answers,
                         [by_id[c] for c in links.get(str(q.id), []) if c in by_id])
            for q in questions
        ]
        linked = {c for ids in links.values() for c in ids}
        others = [item for key, item in by_id.items() if key not in linked]
        row = found[0]
        carried = self.queries.carried_over(dialogue_id, on)
        return DialogueReport(as_of=on, summary=summaries[0], organiser=row["organiser"],
                              source_url=row["source_url"], questions=listed, others=others,
                              carried_over=carried)

    def _questions(self, dialogue_id: UUID, on: date,
                   only: list[str] | None = None) -> list[QuestionItem]:
        answers: dict[str, list[AnswerItem]] = {}
        for row in self._rows(
                "SELECT aq.question_id, a.* FROM rm_answer_questions aq "
                "JOIN rm_answers a ON a.id = aq.answer_id WHERE a.dialogue_id = :id "
                "AND (a.answered_on IS NULL OR a.answered_on <= :on) ORDER BY a.position",
                id=str(dialogue_id), on=on):
            answers.setdefault(str(row["question_id"]), []).append(_answer(row))
        return [
            QuestionItem(UUID(str(row["id"])), json.loads(row["asker"]), row["text"],
                         answers.get(str(row["id"]), []), [])
            for row in self._rows("SELECT id, asker, text FROM rm_questions "
                                  "WHERE dialogue_id = :id ORDER BY position",
                                  id=str(dialogue_id))
            if only is None or str(row["id"]) in only
        ]

    # -- one agency --------------------------------------------------------------------

    def agency(self, code: str, as_of: date | None = None, *, cursor: str | None = None,
               limit: int | None = 50) -> AgencyReport:
        """The agency's scorecard and its promises, the soonest due first, a
        page at a time with their timelines (`limit=None`: all, no timelines)."""
        self.queries.fresh()
        rows = self._rows("SELECT * FROM rm_agencies WHERE code = :code", code=code)
        if not rows:
            raise NotFound(f"no agency with code {code!r}")
        row = rows[0]
        names = self._agency_names()
        successor = (AgencyLink(row["successor"], names.get(row["successor"], row["successor"]))
                     if row["successor"] else None)
        predecessors = [AgencyLink(r["code"], r["name"]) for r in self._rows(
            "SELECT code, name FROM rm_agencies WHERE successor = :code ORDER BY code",
            code=code)]
        # Every agency's score: the league gives this one's rank.
        scores = self.queries.agency_scores(as_of=as_of)
        score = next((s for s in scores if s.agency == code), None) or AgencyScore(code, code)
        where = CommitmentFilter(agency=code, promised=True)
        if limit is None:
            page_items = self._commitments(where, as_of, names)
            total, after = len(page_items), None
        else:
            # Promises are what the score counts: its total is the list's.
            page = self.queries.list_commitments(where, as_of=as_of, sort=Sort.DUE,
                                                 cursor=cursor, limit=limit, count=False)
            timelines = self._timelines([str(c.id) for c in page.items], as_of)
            page_items = self._reported(page.items, names, timelines)
            total, after = score.total, page.next
        standing = next((s for s in league(scores, self.minimum) if s.score.agency == code),
                        None)
        return AgencyReport(
            as_of=as_of or self.today(), agency=AgencyLink(code, row["name"]),
            name_en=row["name_en"], successor=successor, predecessors=predecessors,
            score=score, scorecard=Scorecard.of([score]), standing=standing,
            commitments=page_items, total=total, next=after,
            months=self._months(as_of, agency=code), grievances=self.queries.grievances(code))

    # -- one commitment ----------------------------------------------------------------

    def commitment(self, commitment_id: UUID, as_of: date | None = None) -> CommitmentReport:
        self.queries.fresh()
        on = as_of or self.today()
        key = str(commitment_id)
        source = AS_OF if as_of is not None else "rm_commitments"
        rows = self._rows(f"SELECT * FROM {source} s WHERE s.id = :id", id=key, as_of=on)
        if not rows:
            exists = self._rows("SELECT id FROM rm_commitments WHERE id = :id", id=key)
            if exists:
                raise NotFound(f"commitment {commitment_id} had not been made by "
                               f"{on.isoformat()}")
            raise NotFound(f"no commitment with id {commitment_id}")
        row = rows[0]
        if row["status"] in NOT_PROMISES:
            raise NotFound(f"commitment {commitment_id} is not public: it is a candidate "
                           "nobody has confirmed as a promise")
        view = CommitmentView.of_row(row, on)
        names = self._agency_names()
        [item] = self._reported([view], names, self._timelines([key], as_of))
        dialogue_id = view.source["dialogue_id"]
        dialogues = self._dialogues(as_of, only=dialogue_id)
        if not dialogues:
            raise NotFound(f"no dialogue with id {dialogue_id}")
        answer = None
        if view.source["answer_id"] is not None:
            found = self._rows("SELECT * FROM rm_answers WHERE id = :id",
                               id=str(view.source["answer_id"]))
            answer = _answer(found[0]) if found else None
        questions = self._questions(dialogue_id, on,
                                    only=[str(q) for q in view.source["question_ids"]])
        return CommitmentReport(as_of=on, item=item, dialogue=dialogues[0], answer=answer,
                                questions=questions)

    # -- shared reads --------------------------------------------------------------------

    def _rows(self, sql: str, **params: Any) -> list[Any]:
        return self.queries.view.rows(sql, **params)

    def _agency_names(self) -> dict[str, str]:
        rows = self._rows("SELECT code, name FROM rm_agencies")
        return {row["code"]: row["name"] for row in rows}

    def _commitments(self, where: CommitmentFilter, as_of: date | None,
                     names: Mapping[str, str]) -> list[Reported]:
        """Every promise matching `where` (no timelines), in the order made."""
        promised = replace(where, promised=True)
        return self._reported(list(self.queries.every_commitment(promised, as_of=as_of)),
                              names, {})

    def _reported(self, views: list[CommitmentView], names: Mapping[str, str],
                  timelines: Mapping[str, list[TimelineEntry]]) -> list[Reported]:
        """Promises with their owner's name, and both names where a promise was
        handed from an agency to its successor."""
        other = {str(v.source[k]): v for v in views
                 for k in ("transferred_from", "transferred_to") if v.source[k]}
        owners: dict[str, str] = {}
        if other:
            marks = ", ".join(f":o{n}" for n in range(len(other)))
            owners = {str(row["id"]): row["agency"] for row in self._rows(
                f"SELECT id, agency FROM rm_commitments WHERE id IN ({marks})",
                **{f"o{n}": key for n, key in enumerate(other)})}
        found = []
        for view in views:
            handover = None
            before, after = view.source["transferred_from"], view.source["transferred_to"]
            if before is not None and str(before) in owners:
                handover = f"{_name(names, owners[str(before)])} → {_name(names, view.agency)}"
            elif after is not None and str(after) in owners:
                handover = f"{_name(names, view.agency)} → {_name(names, owners[str(after)])}"
            found.append(Reported(view, _name(names, view.agency),
                                  timelines.get(str(view.id), []), handover))
        return found

    def _timelines(self, ids: list[str], as_of: date | None) -> dict[str, list[TimelineEntry]]:
        if not ids:
            return {}
        marks = ", ".join(f":c{n}" for n in range(len(ids)))
        # A step shows from the day it happened: a reminder from the day it was sent.
        cutoff = " AND occurred_on <= :as_of" if as_of is not None else ""
        found: dict[str, list[TimelineEntry]] = {}
        for row in self._rows(
                "SELECT commitment_id, event, occurred_on AS effective_on, recorded_at, status, "
                "detail "
                f"FROM rm_history WHERE commitment_id IN ({marks}){cutoff} "
                "ORDER BY commitment_id, version",
                **{f"c{n}": key for n, key in enumerate(ids)}, as_of=as_of):
            if row["event"] not in SHOWN:
                continue
            found.setdefault(str(row["commitment_id"]), []).append(TimelineEntry(
                event=row["event"], effective_on=as_date(row["effective_on"]),
                recorded_at=datetime.fromisoformat(row["recorded_at"]),
                status=row["status"], detail=json.loads(row["detail"])))
        return found


def _name(names: Mapping[str, str], code: str) -> str:
    return names.get(code, code)


def _answer(row: Any) -> AnswerItem:
    return AnswerItem(UUID(str(row["id"])), json.loads(row["responder"]), row["text"],
                      as_date(row["answered_on"]) if row["answered_on"] else None)

