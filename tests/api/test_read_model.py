"""The read tables answer what replaying the aggregates would answer."""

from __future__ import annotations

import itertools
import random
import threading
from dataclasses import replace
from datetime import date, timedelta, tzinfo
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.access import Actor, Role
from domain.deadlines import Kind
from domain.dialogue import ForumKind
from domain.errors import NotFound
from domain.status import Action, Status, Verdict
from domain.text import matches
from service import commands as c
from service.application import Commitments
from service.bootstrap import build_queries
from service.disclosure import SHOWN
from service.projection import Projector, is_reminder, occurred_on
from service.queries import (
    _ORDER,
    CommitmentFilter,
    CommitmentView,
    Queries,
    Sort,
    _encode_cursor,
    _listed,
    _where,
)
from service.read_model import dialect
from service.reports import Reports
from tests.api.conftest import Caller
from tests.support.clock import FixedClock

ADMIN = Actor(Role.ADMIN)
START = date(2024, 3, 1)
TODAY = date(2025, 6, 1)
WORDS = ["xem xét chế độ phụ cấp", "kiến nghị bổ sung biên chế", "đào tạo nhân viên y tế",
         "hỗ trợ đoàn viên khó khăn", "tham mưu UBND tỉnh"]


def _history(app: Commitments, rng: random.Random, commitment: UUID, made_on: date) -> None:
    """A few updates on increasing effective dates, each allowed by the table."""
    when = made_on
    status = Status.OPEN
    for _ in range(rng.randint(0, 4)):
        when += timedelta(days=rng.randint(0, 60))
        if when > TODAY:
            return
        options = {
            Status.OPEN: [Action.PROGRESS, Action.EXTEND, Action.FULFIL, Action.DECLINE],
            Status.IN_PROGRESS: [Action.PROGRESS, Action.EXTEND, Action.FULFIL,
                                 Action.PARTIALLY_FULFIL],
            Status.PARTIALLY_FULFILLED: [Action.FULFIL],
        }.get(status)
        if options is None:
            if status is Status.FULFILLED and rng.random() < 0.5:
                verdict = rng.choice(list(Verdict))
                app.execute(c.GiveVerdict(commitment, verdict, note="ghi chú",
                                          effective_on=when), ADMIN)
            return
        action = rng.choice(options)
        current = app.get(commitment)
        app.execute(c.UpdateCommitment(
            commitment, action, note="lý do", evidence=[{"title": "Báo cáo 3/BC"}],
            new_due_on=current.due_on + timedelta(days=30) if action is Action.EXTEND else None,
            effective_on=when), ADMIN)
        status = app.get(commitment).status


@pytest.fixture
def history(api: Caller, clock: FixedClock) -> list[UUID]:
    """Forty commitments with histories spread over 2024 and 2025."""
    clock.today = TODAY
    app = api.service
    rng = random.Random(20240510)
    for code in ("SYT", "SGDDT", "SNV"):
        app.execute(c.RegisterAgency(code=code, name=f"Sở {code}"), ADMIN)
    made = []
    for n in range(40):
        held_on = START + timedelta(days=rng.randint(0, 300))
        dialogue = app.execute(c.RecordDialogue(title=f"Đối thoại {n}", held_on=held_on), ADMIN)
        outcome = app.execute(c.MakeCommitment(
            agency=rng.choice(["SYT", "SGDDT", "SNV"]), text=f"Sẽ {rng.choice(WORDS)} ({n})",
            kind=rng.choice(list(Kind)), dialogue_id=dialogue.aggregate_id,
            due_on=held_on + timedelta(days=rng.randint(10, 200))), ADMIN)
        _history(app, rng, outcome.aggregate_id, held_on)
        made.append(outcome.aggregate_id)
    return made


def _key(view: CommitmentView) -> tuple[Any, ...]:
    return (view.id, view.agency, view.status, view.due_on, view.due_basis, view.verdict,
            view.overdue, view.days_overdue, view.version, view.updated_on, view.fulfilled_on)


def _replayed(queries: Queries, ids: list[UUID], on: date) -> dict[UUID, CommitmentView]:
    """Each commitment as it stood at the end of `on`, replayed from its own
    events: the state after the last event effective by then (reminders are
    dated the day they were sent)."""
    app = queries.app
    found = {}
    for commitment in ids:
        version, when = None, None
        for stored in app.events.get(commitment):
            when = _effective_on(stored, when, app.settings.timezone)
            if when <= on:
                version = stored.originator_version
            elif not is_reminder(stored):
                break
        if version is not None:
            found[commitment] = CommitmentView.of(app.get(commitment, version=version), on)
    return found


def _effective_on(event: Any, previous: date | None, timezone: tzinfo) -> date:
    """The date an event counts from, read off the event itself: a reminder's
    is the day it was sent, never before the change before it."""
    when: date | None = (getattr(event, "effective_on", None)
                         or getattr(event, "taken_over_on", None)
                         or getattr(event, "made_on", None))
    if when is None:
        assert previous is not None
        return occurred_on(event, previous, timezone)
    return when


def _dates(count: int) -> list[date]:
    rng = random.Random(7)
    span = (TODAY - START).days
    return sorted({START + timedelta(days=rng.randint(0, span)) for _ in range(count)})


@pytest.fixture
def queries(api: Caller) -> Any:
    found = build_queries(api.service)
    yield found
    found.close()


def test_as_of_lists_equal_replaying_the_aggregates(
    queries: Queries, history: list[UUID]
) -> None:
    for on in _dates(12):
        listed = queries.list_commitments(CommitmentFilter(), as_of=on, limit=500).items
        replayed = _replayed(queries, history, on)
        assert sorted(map(_key, listed)) == sorted(map(_key, replayed.values())), on
        for commitment in history:
            if commitment in replayed:
                found = queries.commitment(commitment, as_of=on)
                assert _key(found) == _key(replayed[commitment]), (on, commitment)
            else:
                with pytest.raises(NotFound, match="had not been made"):
                    queries.commitment(commitment, as_of=on)
        for where in (CommitmentFilter(overdue=True), CommitmentFilter(status=Status.FULFILLED),
                      CommitmentFilter(agency="SYT", overdue=False),
                      CommitmentFilter(q="bien che"), CommitmentFilter(verdict=Verdict.DISPUTED)):
            page = queries.list_commitments(where, as_of=on, limit=500)
            expected = {v.id for v in replayed.values() if _accepts(where, v)}
            assert {v.id for v in page.items} == expected, (on, where)
            assert page.total == len(expected)


def test_as_of_reports_equal_replaying_the_aggregates(
    queries: Queries, history: list[UUID]
) -> None:
    for on in _dates(6):
        replayed = _replayed(queries, history, on).values()
        for score in queries.agency_scores(as_of=on):
            mine = [v for v in replayed if v.agency == score.agency
                    and v.status != Status.PROPOSED.value]
            fulfilled = [v for v in mine if v.status == Status.FULFILLED.value]
            assert score.total == len(mine)
            assert score.fulfilled == len(fulfilled)
            assert score.fulfilled_on_time == sum(
                v.fulfilled_on is not None and v.fulfilled_on <= v.due_on for v in fulfilled)
            assert score.overdue == sum(v.overdue for v in mine)
            assert score.disputed == sum(v.verdict == Verdict.DISPUTED.value for v in mine)


def test_counters_agree_with_the_rows_today(queries: Queries, history: list[UUID]) -> None:
    """The incrementally kept counters equal a count of the rows."""
    today = _replayed(queries, history, TODAY).values()
    for score in queries.agency_scores():
        mine = [v for v in today if v.agency == score.agency]
        assert score.total == len(mine)
        assert score.fulfilled_late == sum(
            v.status == Status.FULFILLED.value and v.fulfilled_on is not None
            and v.fulfilled_on > v.due_on for v in mine)
        assert score.pending_within_deadline == sum(
            v.status in (Status.OPEN.value, Status.IN_PROGRESS.value) and not v.overdue
            for v in mine)


@pytest.mark.parametrize("sort", list(Sort))
def test_every_sort_pages_without_gaps(queries: Queries, history: list[UUID],
                                       sort: Sort) -> None:
    seen: list[CommitmentView] = []
    cursor = None
    while True:
        page = queries.list_commitments(CommitmentFilter(), sort=sort, cursor=cursor, limit=7)
        seen += page.items
        if page.next is None:
            break
        cursor = page.next
    assert sorted(v.id for v in seen) == sorted(history)
    if sort in (Sort.DUE, Sort.DUE_LAST):
        dues = [v.due_on for v in seen]
        assert dues == sorted(dues, reverse=sort is Sort.DUE_LAST)
    if sort is Sort.RECENT:
        assert [v.id for v in seen] == list(reversed(history))


def test_a_text_search_pages_as_the_whole_list_filtered(
        queries: Queries, history: list[UUID]) -> None:
    """Counted whole, or past the count (a lower bound), read from the
    list's first rows or from all of it, a search's pages are the list's
    own order, without gaps."""
    queries._SEARCH_WINDOWS = (4,)  # a window, then the whole list
    found = len([v for v in queries.list_commitments(CommitmentFilter(), limit=500).items
                 if matches("bien che", v.text)])
    assert 3 < found < len(history)
    # All counted (the first rows read hold them all, and rows besides), or
    # a lower bound, found among the first rows read or by the index; with
    # the list's length from the counters (promises) or not (every row).
    for counted, within, sampled in ((found, 10_000, 500), (3, 10_000, 500), (3, 2, 500),
                                     (3, 20, 20), (3, len(history), 20)):
        queries.search_counted, queries._COMMON_WITHIN = counted, within
        queries._SAMPLED = sampled
        for sort, on, where in [(sort, on, where) for sort in Sort for on in (None, TODAY)
                                for where in (CommitmentFilter(),
                                              CommitmentFilter(promised=True))]:
            whole = queries.list_commitments(where, sort=sort, as_of=on, limit=500).items
            expected = [v.id for v in whole if matches("bien che", v.text)]
            seen, cursor = [], None
            while True:
                page = queries.list_commitments(replace(where, q="bien che"), sort=sort,
                                                as_of=on, cursor=cursor, limit=2)
                assert (page.total, page.exact) == ((found, True) if counted == found
                                                    else (3, False))
                seen += [v.id for v in page.items]
                if page.next is None:
                    break
                cursor = page.next
            assert seen == expected, (counted, within, sort, on, where)


def test_a_search_page_past_its_last_match_is_empty(
        queries: Queries, history: list[UUID]) -> None:
    """A cursor past every match (one kept from before, or made up) finds an
    empty page, with the matches still counted."""
    # All the rows sampled: they hold enough matches to be read in turn.
    queries._SAMPLED = len(history)
    for where in (CommitmentFilter(q="bien che"), CommitmentFilter(q="bien che", promised=True)):
        total = queries.list_commitments(where).total
        assert total * queries._COMMON_WITHIN >= (queries.search_counted + 1) * len(history)
        for sort in Sort:
            _, ascending = _ORDER[sort]
            cursor = (_encode_cursor(2**62, date.max) if ascending
                      else _encode_cursor(0, date.min))
            page = queries.list_commitments(where, sort=sort, cursor=cursor)
            assert (page.items, page.total, page.next) == ([], total, None), (where, sort)


def test_a_search_is_counted_whole_only_from_the_whole_list(
        queries: Queries, history: list[UUID]) -> None:
    """Words common in the first rows read and rarer after them: the rows read
    in turn hold no more matches than are counted, but the list goes on past
    them. Those rows' matches are not the total: there are more than counted."""
    for where in (CommitmentFilter(), CommitmentFilter(promised=True)):
        expected = [v.id for v in queries.list_commitments(where, limit=500).items
                    if matches("bien che", v.text)]
        clauses, params = _where(where, TODAY)
        # The rows in the order a search reads them in turn (the table's own).
        hits = [matches("bien che", row["search"]) for row in queries.view.rows(
            f"SELECT s.search FROM rm_commitments s WHERE {' AND '.join(clauses) or '1 = 1'} "
            "LIMIT :n", **params, n=len(history))]
        # Rows sampled, rows read in turn and matches counted such that the
        # sample passes for common words and the rows read hold too few.
        chosen = next((sampled, within, most)
                      for within in range(2, len(hits)) for sampled in range(1, within)
                      for most in range(1, sum(hits))
                      if sum(hits[:sampled]) * within >= (most + 1) * sampled
                      and sum(hits[:within]) <= most)
        queries._SAMPLED, queries._COMMON_WITHIN, queries.search_counted = chosen
        page = queries.list_commitments(replace(where, q="bien che"), limit=500)
        # More than are counted: the total says "at least", and the page
        # holds every match all the same.
        assert ([v.id for v in page.items], page.total, page.exact) == (
            expected, chosen[2], False), chosen


def test_the_counters_tell_how_long_a_list_is_where_they_can(
        api: Caller, queries: Queries, history: list[UUID]) -> None:
    """What a search reads in turn stops at `_COMMON_WITHIN` rows: the
    counters say whether that was the whole list, and a list's total, and
    must say them exactly."""
    [some] = queries.view.rows("SELECT dialogue_id FROM rm_commitments WHERE agency = 'SYT' "
                               "LIMIT 1")
    dialogue_id = UUID(str(some["dialogue_id"]))
    # Candidates besides the promises: waiting, rejected, confirmed.
    for agency, action in (("SYT", None), ("SYT", Action.REJECT), ("SNV", Action.REJECT),
                           ("SYT", Action.CONFIRM), ("SNV", None)):
        made = api.service.execute(c.MakeCommitment(
            agency=agency, text="Sẽ xem xét", kind=Kind.REVIEW, dialogue_id=dialogue_id,
            due_on=TODAY + timedelta(days=30), proposed=True), ADMIN).aggregate_id
        if action is not None:
            api.service.execute(c.UpdateCommitment(made, action, note="không phải cam kết"),
                                ADMIN)
    told = 0
    for agency, dialogue, status, active, promised in itertools.product(
            (None, "SYT", "SNV"), (None, dialogue_id), (None, *Status), (None, True, False),
            (False, True)):
        where = CommitmentFilter(agency=agency, dialogue=dialogue, status=status,
                                 active=active, promised=promised)
        listed = _listed(where)
        if listed is None:
            continue
        page = queries.list_commitments(where)  # once the tables hold the log
        clauses, params = _where(where, TODAY)
        [rows] = queries.view.rows("SELECT COUNT(*) AS n FROM rm_commitments s WHERE "
                                   f"{' AND '.join(clauses) or '1 = 1'}", **params)
        [row] = queries.view.rows(f"SELECT {listed} AS n", **params)
        assert int(row["n"]) == int(rows["n"]) == page.total, where
        told += 1
    assert told > 150
    assert {v.status for v in queries.list_commitments(CommitmentFilter(), limit=500).items
            } >= {Status.PROPOSED.value, Status.REJECTED.value}
    assert _listed(CommitmentFilter(agency="SYT", overdue=True)) is None
    assert _listed(CommitmentFilter(forum=ForumKind.DIALOGUE)) is None
    assert _listed(CommitmentFilter(agency="SYT", dialogue=dialogue_id)) is None


def test_the_due_index_answers_the_reminder_scan(queries: Queries,
                                                 history: list[UUID]) -> None:
    first, last = date(2024, 9, 1), date(2024, 12, 31)
    due = queries.due_between(first, last)
    today = _replayed(queries, history, TODAY).values()
    assert {v.id for v in due} == {
        v.id for v in today if first <= v.due_on <= last
        and v.status in (Status.OPEN.value, Status.IN_PROGRESS.value)}
    assert [v.due_on for v in due] == sorted(v.due_on for v in due)


def test_a_read_of_tables_behind_the_log_says_how_far_behind_they_are(
    api: Caller, queries: Queries, history: list[UUID]
) -> None:
    # The projector stopped, and the tables emptied: the whole log is unread.
    api.projector.stop()
    queries.view.drop_read_tables()
    queries.view.create_read_tables()
    head = api.events()
    # A read that names no write answers from the tables as they are, and
    # applies nothing: only the projector writes them.
    reader = api.client.application.test_client()
    auth = {"Authorization": f"Bearer {api.token}"}
    response = reader.get("/api/v1/commitments", headers=auth)
    assert response.status_code == 200 and response.json["total"] == 0
    assert int(response.headers["X-Read-Model-Lag"]) == head
    assert queries.view.position() == 0
    # A request that reads no table says nothing about it.
    one = reader.get(f"/api/v1/commitments/{history[0]}", headers=auth)
    assert one.status_code == 200 and "X-Read-Model-Lag" not in one.headers


def test_a_lookup_behind_the_log_waits_for_what_it_asks_before_saying_not_found(
    api: Caller, history: list[UUID]
) -> None:
    # A promise recorded while the projector is stopped: its id may be in a
    # mail already, and a reader that names no write asks for its history.
    api.projector.stop()
    dialogue = api.service.execute(c.RecordDialogue(title="Tiếp xúc cử tri", held_on=TODAY),
                                   ADMIN)
    made = api.service.execute(c.MakeCommitment(
        agency="SYT", text="Sẽ trả lời bằng văn bản", kind=Kind.IMPLEMENT,
        dialogue_id=dialogue.aggregate_id, due_on=TODAY + timedelta(days=30)), ADMIN)
    reader = api.client.application.test_client()
    auth = {"Authorization": f"Bearer {api.token}"}
    threading.Timer(0.3, api.projector.start).start()
    found = reader.get(f"/api/v1/commitments/{made.aggregate_id}/history", headers=auth)
    assert found.status_code == 200, found.json
    # What the log does not hold is not found, once the tables have caught up.
    missing = reader.get(f"/api/v1/commitments/{uuid4()}/history", headers=auth)
    assert missing.status_code == 404


def _accepts(where: CommitmentFilter, view: CommitmentView) -> bool:
    """The filter, applied to a replayed view: what the SQL must agree with."""
    return (
        (where.agency is None or view.agency == where.agency)
        and (where.status is None or view.status == where.status.value)
        and (where.overdue is None or view.overdue == where.overdue)
        and (where.verdict is None or view.verdict == where.verdict.value)
        and (where.q is None or matches(where.q, view.text))
    )


def test_report_scorecards_as_of_equal_replaying_the_aggregates(
    queries: Queries, history: list[UUID]
) -> None:
    reports = Reports(queries, minimum_ranked=1)
    for on in _dates(6):
        promised = [v for v in _replayed(queries, history, on).values()
                    if v.status not in (Status.PROPOSED.value, Status.REJECTED.value)]
        card = reports.overview(as_of=on).scorecard
        assert card.made == sum(v.status != Status.TRANSFERRED.value for v in promised), on
        assert card.overdue == sum(v.overdue for v in promised), on
        kept = [v for v in promised if v.status == Status.FULFILLED.value]
        assert card.fulfilled == len(kept), on
        assert card.fulfilled_on_time == sum(
            v.fulfilled_on is not None and v.fulfilled_on <= v.due_on for v in kept), on
        assert card.disputed == sum(v.verdict == Verdict.DISPUTED.value for v in promised), on
        for commitment in history[:8]:
            try:
                shown = reports.commitment(commitment, as_of=on).item.timeline
            except NotFound:
                continue
            assert [(e.event, e.effective_on) for e in shown] == [
                (e.type, e.effective_on) for e in queries.history(commitment)
                if e.effective_on <= on and e.type in SHOWN], (commitment, on)


def test_an_older_read_model_is_rebuilt_from_the_log(
    api: Caller, queries: Queries, history: list[UUID]
) -> None:
    before = queries.list_commitments(CommitmentFilter(), limit=500).items
    # Tables of an earlier shape, as a deploy of new code would find them,
    # opened by it before any projector reads them.
    api.projector.stop()
    with queries.view.datastore.transaction(commit=True) as cursor:
        cursor.execute(queries.view.sql("UPDATE rm_meta SET value = '1'"))
    reopened = build_queries(api.service)
    try:
        assert reopened.view.position() == 0
        after = reopened.list_commitments(CommitmentFilter(), limit=500).items
        assert [_key(v) for v in after] == [_key(v) for v in before]
        assert reopened.view.position() == api.service.recorder.max_notification_id()
    finally:
        reopened.close()


def _tables(queries: Queries) -> dict[str, list[str]]:
    """Every read table's rows, in an order of their own, and the indexes."""
    view = queries.view
    found = {table: sorted(repr(sorted(dict(row).items()))
                           for row in view.rows(f"SELECT * FROM {table}"))
             for table in view.read_table_names()}
    found["indexes"] = sorted(
        str(row["name"]) for row in view.rows(
            "SELECT name FROM sqlite_master WHERE type = 'index'"
            if queries.app.settings.is_embedded else
            "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()"))
    return found


def _analyzed(queries: Queries) -> bool:
    """Whether the planner has statistics of the commitments' table."""
    if queries.app.settings.is_embedded:
        return bool(queries.view.rows("SELECT name FROM sqlite_master "
                                      "WHERE name = 'sqlite_stat1'"))
    return bool(queries.view.rows("SELECT 1 FROM pg_stats WHERE schemaname = current_schema() "
                                  "AND tablename = 'rm_commitments'"))


def test_a_rebuild_in_batches_writes_what_one_event_at_a_time_writes(
    api: Caller, queries: Queries, history: list[UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long rebuild writes its rows in batches, without the long tables'
    indexes, and makes them at its end: the tables are what the projector
    writes one event at a time, with every index kept up. Stopped half way,
    it leaves the indexes to whichever projector reaches the end, one that
    was running all along included."""
    # On SQLite a batch's rows go a few to a statement (here four history
    # rows), so a batch's rows straddle statements.
    monkeypatch.setattr(dialect, "_SQLITE_PARAMETERS", 100)
    api.projector.stop()
    app, view = api.service, queries.view
    one_at_a_time = Projector(app, view, batch_size=1)
    in_batches = Projector(app, view, batch_size=16, rebuild_size=1)
    resumed = Projector(app, view)
    try:
        one_at_a_time.rebuild()
        expected = _tables(queries)
        assert "rm_history_in_force" in str(expected["indexes"])
        in_batches.rebuild()
        assert _tables(queries) == expected
        assert resumed.catch_up() == 0
        view.drop_read_tables()
        view.create_read_tables()
        in_batches.catch_up(limit=48)
        assert view.indexes_deferred()
        assert "rm_history_in_force" not in str(_tables(queries)["indexes"])
        assert not _analyzed(queries)
        resumed.catch_up()
        assert not view.indexes_deferred()
        assert _tables(queries) == expected
        # The planner knows the new tables' rows (PostgreSQL; SQLite plans
        # without statistics as it did).
        assert _analyzed(queries) == (not queries.app.settings.is_embedded)
    finally:
        for projector in (one_at_a_time, in_batches, resumed):
            projector.close()


def test_a_history_read_from_its_table_equals_its_events(
    api: Caller, queries: Queries, history: list[UUID]
) -> None:
    """Each entry as the events themselves say it: every field but the
    event's identity, dates as ISO text, reminders dated when sent."""
    app = api.service
    for commitment in history[:10]:
        expected, when = [], None
        for event in app.events.get(commitment):
            when = _effective_on(event, when, app.settings.timezone)
            data = {key: value.isoformat() if isinstance(value, date) else
                    str(value) if isinstance(value, UUID) else value
                    for key, value in event.__dict__.items()
                    if key not in ("originator_id", "originator_version", "timestamp",
                                   "actor", "originator_topic")}
            expected.append((type(event).__name__, event.timestamp, when,
                             event.originator_version, event.actor, data))
        found = [(e.type, e.at, e.effective_on, e.version, e.actor, e.data)
                 for e in queries.history(commitment)]
        assert found == expected
    with pytest.raises(NotFound):
        queries.history(UUID(int=7))


def test_no_read_table_holds_a_token_digest_or_a_password_hash(
    api: Caller, queries: Queries
) -> None:
    """Tokens and accounts are listed from the read tables, which never copy
    the secrets' hashes: those stay in the log, for sign-in alone."""
    app = api.service
    secret = app.issue_token(Role.AUDITOR, label="kiểm toán")
    app.create_account("nga@ldld.example.vn", "Nông Thị Nga", Role.AUDITOR, None,
                       "mật khẩu đủ dài 2025", ADMIN)
    [token] = [t for t in queries.tokens() if t.label == "kiểm toán"]
    assert token.role is Role.AUDITOR and not token.revoked
    assert [a.email for a in queries.accounts()] == ["nga@ldld.example.vn"]
    digest = app.get(token.id).digest
    password_hash = app.account("nga@ldld.example.vn").password_hash
    for table in queries.view.read_table_names():
        # A row as a dict: its values, on either store (a row of psycopg's
        # iterates over its column names).
        text = repr([dict(row) for row in queries.view.rows(f"SELECT * FROM {table}")])
        assert digest not in text and password_hash not in text and secret not in text, table
