"""How the read model scales: loading, catching up, answering, keeping up.

For each size N (default 1,000, 10,000 and 100,000 commitments), on a fresh
PostgreSQL database created for the size and dropped after it:

  load      20 agencies, 50 dialogues held in 2024, then N commitments with
            about --events-per-commitment events each (Made, then progress,
            extend with a later due date and a note, fulfil, partially fulfil,
            decline, withdraw, verdicts on delivered ones), built in memory and
            appended with `app.save(*aggregates)`, --chunk commitments a call.
            "append ev/s" counts the time inside `app.save` only.
  catch-up  `build_queries(app).projector.catch_up()` from position 0 to the
            head: every event of the log into the rm_* tables.
  reads     p50/p95 over --samples calls each, with the view caught up (each
            call still runs its `fresh()` check, which is part of the cost):
              overdue  list_commitments(CommitmentFilter(agency=X, overdue=True),
                       limit=50), X rotating over the agencies;
              search   list_commitments(CommitmentFilter(q="bien che"), limit=50),
                       accent-free words of Vietnamese texts ("biên chế");
              report   agency_scores().
  lag       a second application with its own Queries runs
            `projector.run_forever(poll=0.05)` in a thread while the main
            thread appends single "progress" updates (repository.get, update,
            save) at --lag-rate per second for --lag-seconds; a third thread
            polls the view's position every 5 ms. The lag of a write is the
            time from `app.save` returning to the first poll that sees the
            position at or past its notification id. (All three threads share
            one interpreter lock.)

The application's clock is fixed at 2025-06-01, so which commitments are
overdue does not depend on the day the benchmark runs.

Targets: the overdue list's p95 under 20 ms at 100,000 commitments, and growing
less than 2x from 10,000 to 100,000; the search's p95 under 15 ms at 100,000;
the projection lag's p99 under 0.5 s.

PostgreSQL is reached at POSTGRES_HOST:POSTGRES_PORT (default 127.0.0.1:5432)
as POSTGRES_USER (default postgres) with POSTGRES_PASSWORD.

    python bench/read_models.py                       # 1k, 10k, 100k
    python bench/read_models.py --sizes 1000,10000
    python bench/read_models.py --sizes 10000 --profile 10000 --no-lag
"""

from __future__ import annotations

import argparse
import bisect
import cProfile
import inspect
import io
import pstats
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from measure import Progress, log, pct, positive_numbers
from store import connect, postgres_database

from domain.access import Actor, Role
from domain.agency import Agency
from domain.commitment import Commitment
from domain.deadlines import DueBasis, Kind
from domain.dialogue import Dialogue
from domain.status import Action, Status, Verdict
from service.application import Commitments
from service.bootstrap import build, build_queries
from service.projection import ReadModelProjection, open_view
from service.queries import CommitmentFilter, Queries
from service.settings import Settings

TODAY = date(2025, 6, 1)
AGENCIES = 20
DIALOGUES = 50
SEARCH = "bien che"
OVERDUE_P95_MS = 20.0
OVERDUE_GROWTH = 2.0
SEARCH_P95_MS = 15.0
LAG_P99_S = 0.5


def clock() -> date:
    return TODAY


# -- the store ------------------------------------------------------------------------


# -- the data ---------------------------------------------------------------------------

# Agencies of a provincial government: code, name.
_AGENCY_NAMES = [
    ("SYT", "Sở Y tế"), ("SGDDT", "Sở Giáo dục và Đào tạo"), ("SNV", "Sở Nội vụ"),
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội"), ("STC", "Sở Tài chính"),
    ("SXD", "Sở Xây dựng"), ("SGTVT", "Sở Giao thông vận tải"),
    ("STNMT", "Sở Tài nguyên và Môi trường"), ("SKHDT", "Sở Kế hoạch và Đầu tư"),
    ("SCT", "Sở Công Thương"), ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"), ("STTTT", "Sở Thông tin và Truyền thông"),
    ("STP", "Sở Tư pháp"), ("SKHCN", "Sở Khoa học và Công nghệ"), ("BHXH", "Bảo hiểm xã hội tỉnh"),
    ("CA", "Công an tỉnh"), ("BQLKCN", "Ban Quản lý các khu công nghiệp"),
    ("CTHUE", "Cục Thuế tỉnh"), ("LDLD", "Liên đoàn Lao động tỉnh"),
]

# About one text in eight speaks of "biên chế" (staffing quotas).
_TEXTS = [
    "Xem xét, kiến nghị tăng biên chế giáo viên cho các trường mầm non",
    "Nghiên cứu điều chỉnh phụ cấp ưu đãi nghề cho nhân viên y tế cơ sở",
    "Tiếp thu kiến nghị về nhà ở xã hội cho công nhân khu công nghiệp",
    "Rà soát chế độ phụ cấp trách nhiệm cho cán bộ công đoàn cơ sở",
    "Tham mưu UBND tỉnh giải quyết kiến nghị về đất đai của người lao động",
    "Đề xuất bổ sung biên chế cho trạm y tế xã vùng sâu, vùng xa",
    "Kiểm tra việc chậm đóng bảo hiểm xã hội tại doanh nghiệp",
    "Xây dựng nhà trẻ cho con công nhân tại khu công nghiệp",
    "Hướng dẫn thủ tục hưởng trợ cấp thất nghiệp trực tuyến",
    "Sửa chữa, nâng cấp đường giao thông vào khu công nghiệp",
    "Xem xét hỗ trợ tiền thuê trọ cho người lao động có thu nhập thấp",
    "Báo cáo kết quả thanh tra an toàn vệ sinh lao động",
    "Kiến nghị Bộ Nội vụ về chỉ tiêu biên chế viên chức ngành giáo dục",
    "Tổ chức khám sức khỏe định kỳ cho lao động nữ",
    "Nghiên cứu chính sách thu hút bác sĩ về công tác tại tuyến huyện",
    "Giải quyết chế độ phụ cấp độc hại cho công nhân môi trường đô thị",
]
_NOTES = [
    "Đã làm việc với các đơn vị liên quan", "Đang tổng hợp ý kiến các sở, ngành",
    "Đã trình UBND tỉnh xem xét", "Đang chờ hướng dẫn của bộ, ngành trung ương",
]
_KINDS = list(Kind)


@dataclass
class Seed:
    agencies: list[str]
    dialogues: list[tuple[UUID, date]]
    actor: dict[str, Any]
    auditor: dict[str, Any]


def setup(app: Commitments, rng: random.Random) -> Seed:
    """20 agencies and 50 dialogues held in 2024, in one save."""
    actor = Actor(Role.ADMIN).as_record()
    agencies = [Agency(code=code, name=name, name_en=None, contacts=[], webhook_url=None,
                       actor=actor) for code, name in _AGENCY_NAMES[:AGENCIES]]
    dialogues = []
    for n in range(DIALOGUES):
        held_on = date(2024, 1, 8) + timedelta(days=rng.randint(0, 350))
        dialogues.append(Dialogue(title=f"Hội nghị đối thoại số {n + 1}/2024", held_on=held_on,
                                  place=None, chair=None, organiser=None, source_url=None,
                                  actor=actor))
    app.save(*agencies, *dialogues)
    return Seed(agencies=[a.code for a in agencies],
                dialogues=[(d.id, d.held_on) for d in dialogues],
                actor=actor, auditor=Actor(Role.AUDITOR).as_record())


Step = Callable[[Commitment, date], None]


def _plan(rng: random.Random, proposed: bool, updates: int) -> list[str]:
    """Names of the updates of one commitment, in order, `updates` of them."""
    if proposed and rng.random() < 0.4:
        return []  # a candidate nobody has confirmed yet: its Made event alone
    head = ["confirm"] if proposed else []
    outcome = rng.random()
    tail: list[str]
    if outcome < 0.05:  # open: no progress reported, only deadlines moved
        return (head + ["extend"] * updates)[:updates]
    if outcome < 0.45:  # in progress
        tail = []
    elif outcome < 0.75:  # delivered, some judged
        tail = ["fulfil"] + ["verdict"] * rng.choice((0, 0, 1, 1, 1, 2))
    elif outcome < 0.85:  # partly delivered, sometimes completed later
        tail = ["partially_fulfil"] + (["fulfil"] if rng.random() < 0.4 else [])
        tail += ["verdict"] if rng.random() < 0.5 else []
    elif outcome < 0.93:
        tail = ["decline"]
    else:
        tail = ["withdraw"]
    middle = max(updates - len(head) - len(tail), 0)
    steps = head + ["extend" if rng.random() < 0.3 else "progress" for _ in range(middle)]
    return (steps + tail)[:updates]


def make_commitment(rng: random.Random, seed: Seed, n: int, events: int
                    ) -> tuple[Commitment, list[tuple[str, date]]]:
    """A commitment with its Made event pending, and the updates still to apply."""
    agency = rng.choice(seed.agencies)
    dialogue_id, held_on = rng.choice(seed.dialogues)
    proposed = rng.random() < 0.05
    commitment = Commitment(
        agency=agency,
        text=f"{rng.choice(_TEXTS)} (mục {n + 1})",
        kind=rng.choice(_KINDS).value,
        due_on=held_on + timedelta(days=rng.randint(30, 365)),
        due_basis=DueBasis.STATED.value,
        made_on=held_on,
        dialogue_id=dialogue_id,
        answer_id=None,
        question_ids=[],
        status=(Status.PROPOSED if proposed else Status.OPEN).value,
        actor=seed.actor,
    )
    plan = _plan(rng, proposed, events - 1)
    span = (TODAY - held_on).days
    days = sorted(rng.randint(0, span) for _ in plan)
    dated = [(step, held_on + timedelta(days=d)) for step, d in zip(plan, days, strict=True)]
    return commitment, dated


def apply_step(rng: random.Random, seed: Seed, c: Commitment, step: str, when: date) -> None:
    evidence = ([{"title": f"Công văn số {rng.randint(1, 999)}/{c.agency}",
                  "url": f"https://example.vn/vb/{rng.randint(1, 10**6)}"}]
                if rng.random() < 0.3 else [])
    if step == "verdict":
        verdict = Verdict.VERIFIED if rng.random() < 0.7 else Verdict.DISPUTED
        c.give_verdict(verdict, today=TODAY, actor=seed.auditor, effective_on=when,
                       note="Chưa đúng như báo cáo" if verdict is Verdict.DISPUTED else None)
    elif step == "extend":
        c.update(Action.EXTEND, today=TODAY, actor=seed.actor, effective_on=when,
                 new_due_on=c.due_on + timedelta(days=rng.randint(20, 90)),
                 note="Gia hạn do chờ ý kiến của bộ, ngành")
    elif step in ("decline", "progress", "withdraw"):
        c.update(Action(step), today=TODAY, actor=seed.actor, effective_on=when,
                 note=rng.choice(_NOTES), evidence=evidence)
    else:
        # A claim of delivery carries its evidence.
        c.update(Action(step), today=TODAY, actor=seed.actor, effective_on=when,
                 evidence=evidence or [{"title": f"Báo cáo số {rng.randint(1, 999)}"}])


@dataclass
class Load:
    events: int = 0
    build_seconds: float = 0.0
    save_seconds: float = 0.0
    active: list[UUID] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def append_rate(self) -> float:
        return self.events / self.save_seconds

    @property
    def load_rate(self) -> float:
        return self.events / (self.save_seconds + self.build_seconds)

    def count(self, c: Commitment) -> None:
        self.statuses[c.status.value] = self.statuses.get(c.status.value, 0) + 1
        if c.status in (Status.OPEN, Status.IN_PROGRESS):
            self.active.append(c.id)


def load(app: Commitments, n: int, args: argparse.Namespace) -> Load:
    rng = random.Random(args.seed)
    result = Load()
    began = time.perf_counter()
    seed = setup(app, rng)
    result.save_seconds += time.perf_counter() - began
    result.events = app.recorder.max_notification_id() or 0
    progress = Progress("load", n * args.events_per_commitment, "events")
    if args.order == "chunked":
        for start in range(0, n, args.chunk):
            t0 = time.perf_counter()
            chunk = []
            for i in range(start, min(start + args.chunk, n)):
                c, plan = make_commitment(rng, seed, i, args.events_per_commitment)
                for step, when in plan:
                    apply_step(rng, seed, c, step, when)
                chunk.append(c)
            t1 = time.perf_counter()
            recordings = app.save(*chunk)
            t2 = time.perf_counter()
            result.build_seconds += t1 - t0
            result.save_seconds += t2 - t1
            result.events += len(recordings)
            for c in chunk:
                result.count(c)
            progress.add(len(recordings), result.save_seconds)
    else:
        # The log as it grows in use: every commitment made first, then every
        # commitment's first update, then the second ... (a chunk per save).
        t0 = time.perf_counter()
        made = [make_commitment(rng, seed, i, args.events_per_commitment) for i in range(n)]
        result.build_seconds += time.perf_counter() - t0
        for round_ in range(args.events_per_commitment):
            due = [(c, plan) for c, plan in made if round_ == 0 or len(plan) >= round_]
            for start in range(0, len(due), args.chunk):
                t0 = time.perf_counter()
                chunk = []
                for c, plan in due[start:start + args.chunk]:
                    if round_ > 0:
                        apply_step(rng, seed, c, *plan[round_ - 1])
                    chunk.append(c)
                t1 = time.perf_counter()
                recordings = app.save(*chunk)
                t2 = time.perf_counter()
                result.build_seconds += t1 - t0
                result.save_seconds += t2 - t1
                result.events += len(recordings)
                progress.add(len(recordings), result.save_seconds)
        for c, _ in made:
            result.count(c)
    head = app.recorder.max_notification_id() or 0
    if head != result.events:
        raise SystemExit(f"expected {result.events} events in the store, found {head}")
    return result


# -- measurements -----------------------------------------------------------------------


@dataclass
class Latency:
    samples: list[float]

    @property
    def p50(self) -> float:
        return pct(self.samples, 50) * 1000

    @property
    def p95(self) -> float:
        return pct(self.samples, 95) * 1000

    def __str__(self) -> str:
        return f"p50 {self.p50:.1f} ms, p95 {self.p95:.1f} ms"


def timed_calls(call: Callable[[int], Any], samples: int, warmup: int = 5) -> Latency:
    for i in range(warmup):
        call(i)
    took = []
    for i in range(samples):
        began = time.perf_counter()
        call(i)
        took.append(time.perf_counter() - began)
    return Latency(took)


@dataclass
class Reads:
    overdue: Latency
    search: Latency
    report: Latency
    overdue_total: int  # mean over the agencies
    search_total: int


def measure_reads(queries: Queries, seed_agencies: list[str], samples: int) -> Reads:
    totals: dict[str, int] = {}

    def overdue(i: int) -> None:
        agency = seed_agencies[i % len(seed_agencies)]
        page = queries.list_commitments(CommitmentFilter(agency=agency, overdue=True), limit=50)
        totals[agency] = page.total

    def search(i: int) -> None:
        page = queries.list_commitments(CommitmentFilter(q=SEARCH), limit=50)
        totals["q"] = page.total

    def report(i: int) -> None:
        queries.agency_scores()

    result = Reads(
        overdue=timed_calls(overdue, samples),
        search=timed_calls(search, samples),
        report=timed_calls(report, samples),
        overdue_total=0, search_total=0,
    )
    result.search_total = totals.pop("q")
    result.overdue_total = sum(totals.values()) // max(len(totals), 1)
    return result


@dataclass
class Lag:
    lags: list[float]
    writes: int
    seconds: float
    behind_at_start: int

    @property
    def p50(self) -> float:
        return pct(self.lags, 50)

    @property
    def p99(self) -> float:
        return pct(self.lags, 99)

    @property
    def rate(self) -> float:
        return self.writes / self.seconds


def measure_lag(settings: Settings, app: Commitments, active: list[UUID],
                args: argparse.Namespace) -> Lag:
    follower = build(settings, clock=clock)
    follower_queries = build_queries(follower)
    watch = open_view(follower)  # its own connection pool
    stop_projector, stop_watch = threading.Event(), threading.Event()
    failures: list[BaseException] = []
    seen: list[tuple[float, int]] = []  # (time, position) at each change

    def project() -> None:
        try:
            follower_queries.projector.run_forever(poll=0.05, stop=stop_projector.is_set)
        except BaseException as error:
            failures.append(error)

    def poll() -> None:
        last = -1
        try:
            while not stop_watch.is_set():
                position = watch.position()
                now = time.perf_counter()
                if position != last:
                    seen.append((now, position))
                    last = position
                time.sleep(0.005)
        except BaseException as error:
            failures.append(error)

    behind = (app.recorder.max_notification_id() or 0) - watch.position()
    threads = [threading.Thread(target=project, daemon=True),
               threading.Thread(target=poll, daemon=True)]
    for thread in threads:
        thread.start()
    rng = random.Random(args.seed + 1)
    actor = Actor(Role.ADMIN).as_record()
    total = int(args.lag_rate * args.lag_seconds)
    writes: list[tuple[int, float]] = []
    interval = 1 / args.lag_rate
    began = time.perf_counter()
    next_at = began
    try:
        for i in range(total):
            now = time.perf_counter()
            if now < next_at:
                time.sleep(next_at - now)
            commitment: Commitment = app.repository.get(rng.choice(active))
            commitment.update(Action.PROGRESS, today=TODAY, actor=actor, note=f"lag-{i}")
            [recording] = app.save(commitment)
            writes.append((recording.notification.id, time.perf_counter()))
            next_at += interval
            if failures:
                break
        written = time.perf_counter() - began
        last_id = writes[-1][0] if writes else 0
        deadline = time.perf_counter() + 120
        while (not seen or seen[-1][1] < last_id) and time.perf_counter() < deadline:
            if failures:
                break
            time.sleep(0.01)
    finally:
        stop_projector.set()
        stop_watch.set()
        for thread in threads:
            thread.join(timeout=30)
        follower_queries.close()
        watch.datastore.close()
        follower.close()
    if failures:
        raise failures[0]
    positions = [position for _, position in seen]
    lags = []
    for notification_id, committed in writes:
        k = bisect.bisect_left(positions, notification_id)
        if k == len(positions):
            raise SystemExit(f"the projector never reached event {notification_id}")
        lags.append(max(seen[k][0] - committed, 0.0))
    return Lag(lags=lags, writes=len(writes), seconds=written, behind_at_start=behind)


# -- one size -------------------------------------------------------------------------------


@dataclass
class Result:
    n: int
    load: Load
    catch_up_events: int
    catch_up_seconds: float
    reads: Reads | None
    lag: Lag | None
    rows: dict[str, int]
    seconds: float

    @property
    def catch_up_rate(self) -> float:
        return self.catch_up_events / self.catch_up_seconds


def _profiled(enabled: bool, call: Callable[[], Any]) -> tuple[Any, str]:
    if not enabled:
        return call(), ""
    profile = cProfile.Profile()
    found = profile.runcall(call)
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(25)
    return found, out.getvalue()


def _vacuum(settings: Settings) -> None:
    """What autovacuum would have done by now: dead row versions gone, statistics fresh."""
    with connect(settings) as conn:
        conn.execute("VACUUM (ANALYZE)")


def _server_notes(settings: Settings) -> None:
    with connect(settings) as conn:
        found = {name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
                 for name in ("server_version", "autovacuum", "shared_buffers",
                              "synchronous_commit")}
    log("postgres: " + ", ".join(f"{k} {v}" for k, v in found.items()))
    if found["autovacuum"] != "on":
        log("postgres: autovacuum is OFF on this server: rows the projection updates stay "
            "as dead versions and no statistics are gathered; --vacuum runs VACUUM (ANALYZE) "
            "after the catch-up, as autovacuum would have")


def run_size(n: int, args: argparse.Namespace) -> Result:
    began = time.perf_counter()
    with postgres_database(f"commitments_rm_{n}", keep=args.keep_db) as settings:
        if n == args.sizes[0]:
            _server_notes(settings)
        app = build(settings, clock=clock)
        queries = None
        try:
            profile = n in args.profile
            log(f"[{n:,}] loading {n:,} commitments x {args.events_per_commitment} events "
                f"({args.order}, {args.chunk} commitments per save)")
            loaded, text = _profiled(profile, lambda: load(app, n, args))
            log(f"[{n:,}] loaded {loaded.events:,} events: append {loaded.append_rate:,.0f} ev/s "
                f"(in app.save, {loaded.save_seconds:.1f} s), "
                f"{loaded.load_rate:,.0f} ev/s with building the aggregates "
                f"({loaded.build_seconds:.1f} s)")
            log(f"[{n:,}] statuses: " + ", ".join(
                f"{k} {v:,}" for k, v in sorted(loaded.statuses.items())))
            if text:
                log(f"[{n:,}] profile of the load:\n{text}")
            queries = build_queries(app)
            progress = Progress("catch-up", loaded.events, "events")
            log(f"[{n:,}] catch-up from position {queries.view.position()} to "
                f"{loaded.events:,}")
            t0 = time.perf_counter()
            applied, text = _profiled(
                profile, lambda: queries.projector.catch_up(progress=progress.add))
            catch_up_seconds = time.perf_counter() - t0
            if applied != loaded.events or queries.view.position() != loaded.events:
                raise SystemExit(f"catch-up applied {applied} of {loaded.events} events")
            log(f"[{n:,}] catch-up: {applied:,} events in {catch_up_seconds:.1f} s, "
                f"{applied / catch_up_seconds:,.0f} ev/s (append was "
                f"{loaded.append_rate:,.0f} ev/s)")
            if text:
                log(f"[{n:,}] profile of the catch-up:\n{text}")
            rows = {table: queries.view.rows(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"]
                    for table in ("rm_commitments", "rm_history", "rm_counters")}
            log(f"[{n:,}] rows: " + ", ".join(f"{t} {c:,}" for t, c in rows.items()))
            if args.vacuum:
                t1 = time.perf_counter()
                _vacuum(settings)
                log(f"[{n:,}] VACUUM (ANALYZE) done in {time.perf_counter() - t1:.1f} s")
            reads = None
            if args.samples:
                reads = measure_reads(queries, [code for code, _ in _AGENCY_NAMES[:AGENCIES]],
                                      args.samples)
                log(f"[{n:,}] overdue list ({reads.overdue_total:,} overdue per agency on "
                    f"average): {reads.overdue}")
                log(f"[{n:,}] search q={SEARCH!r} ({reads.search_total:,} matches): "
                    f"{reads.search}")
                log(f"[{n:,}] agency report: {reads.report}")
            lag = None
            if args.lag_seconds > 0 and (args.lag_all or n == max(args.sizes)):
                log(f"[{n:,}] lag: {args.lag_rate:g} updates/s for {args.lag_seconds:g} s, "
                    "projector thread polling every 50 ms")
                lag = measure_lag(settings, app, loaded.active, args)
                log(f"[{n:,}] lag: {lag.writes:,} writes at {lag.rate:,.0f}/s; "
                    f"p50 {lag.p50:.3f} s, p99 {lag.p99:.3f} s, max {max(lag.lags):.3f} s")
        finally:
            if queries is not None:
                queries.close()
            app.close()
    seconds = time.perf_counter() - began
    log(f"[{n:,}] done in {seconds:.0f} s")
    return Result(n=n, load=loaded, catch_up_events=applied,
                  catch_up_seconds=catch_up_seconds, reads=reads, lag=lag, rows=rows,
                  seconds=seconds)


# -- the report ----------------------------------------------------------------------------


def _targets(results: list[Result]) -> list[tuple[str, str, bool | None]]:
    by_n = {r.n: r for r in results if r.reads is not None}
    found: list[tuple[str, str, bool | None]] = []
    big, small = by_n.get(100_000), by_n.get(10_000)
    if big is not None and big.reads is not None:
        p95 = big.reads.overdue.p95
        found.append((f"overdue list p95 < {OVERDUE_P95_MS:g} ms at 100k",
                      f"{p95:.1f} ms", p95 < OVERDUE_P95_MS))
    else:
        found.append((f"overdue list p95 < {OVERDUE_P95_MS:g} ms at 100k", "not measured", None))
    if big is not None and small is not None and big.reads and small.reads:
        growth = big.reads.overdue.p95 / small.reads.overdue.p95
        found.append((f"overdue list p95 grows < {OVERDUE_GROWTH:g}x from 10k to 100k",
                      f"{growth:.2f}x", growth < OVERDUE_GROWTH))
    else:
        found.append((f"overdue list p95 grows < {OVERDUE_GROWTH:g}x from 10k to 100k",
                      "not measured", None))
    name = f"search p95 < {SEARCH_P95_MS:g} ms at 100k"
    if big is not None and big.reads is not None:
        found.append((name, f"{big.reads.search.p95:.1f} ms",
                      big.reads.search.p95 < SEARCH_P95_MS))
    else:
        found.append((name, "not measured", None))
    lagged = [r for r in results if r.lag is not None]
    if not lagged:
        found.append((f"lag p99 < {LAG_P99_S:g} s", "not measured", None))
    for r in lagged:
        assert r.lag is not None
        found.append((f"lag p99 < {LAG_P99_S:g} s at {r.n:,}", f"{r.lag.p99:.3f} s",
                      r.lag.p99 < LAG_P99_S))
    return found


def report(results: list[Result], args: argparse.Namespace, seconds: float) -> bool:
    print()
    print(f"Read model on PostgreSQL; {args.events_per_commitment} events per commitment, "
          f"{AGENCIES} agencies, {DIALOGUES} dialogues, clock {TODAY}, order {args.order}.")
    print(f"Reads: p50/p95 in ms over {args.samples} calls each (view caught up, each call "
          "runs fresh()); overdue = one agency's overdue list, limit 50;")
    lag = (f"{args.lag_rate:g} single updates/s for {args.lag_seconds:g} s, projector "
           "thread run_forever(poll=0.05)" if args.lag_seconds > 0 else "not measured")
    print(f"search = q={SEARCH!r}, limit 50; report = agency_scores(); "
          f"{'VACUUM (ANALYZE) before the reads' if args.vacuum else 'no VACUUM/ANALYZE'}. "
          f"Lag: {lag}.")
    print()
    header = (f"{'N':>7} {'events':>9} {'append ev/s':>11} {'catch-up ev/s':>13} "
              f"{'overdue p50/p95':>15} {'search p50/p95':>15} {'report p50/p95':>15} "
              f"{'lag p50/p99 s':>13}")
    print(header)
    print("-" * len(header))

    def pair(latency: Latency | None) -> str:
        return f"{latency.p50:.1f}/{latency.p95:.1f}" if latency else "-"

    for r in results:
        lag = f"{r.lag.p50:.3f}/{r.lag.p99:.3f}" if r.lag else "-"
        reads = r.reads
        print(f"{r.n:>7,} {r.load.events:>9,} {r.load.append_rate:>11,.0f} "
              f"{r.catch_up_rate:>13,.0f} {pair(reads.overdue if reads else None):>15} "
              f"{pair(reads.search if reads else None):>15} "
              f"{pair(reads.report if reads else None):>15} {lag:>13}")
    print()
    for r in results:
        print(f"{r.n:>7,}: load {r.load.save_seconds + r.load.build_seconds:.0f} s "
              f"(app.save {r.load.save_seconds:.0f} s), catch-up {r.catch_up_seconds:.0f} s, "
              f"whole size {r.seconds:.0f} s"
              + (f"; lag writes {r.lag.writes:,} at {r.lag.rate:,.0f}/s" if r.lag else ""))
    print()
    print("Targets:")
    met_all = True
    for name, value, met in _targets(results):
        verdict = "-" if met is None else ("met" if met else "NOT met")
        met_all = met_all and met is not False
        print(f"  {name:<48} {value:>12}  {verdict}")
    print()
    print(f"runtime {seconds:.0f} s")
    return met_all


def _estimate(results: list[Result], n: int) -> None:
    if not results:
        return
    last = results[-1]
    scale = n / last.n
    load_s = (last.load.save_seconds + last.load.build_seconds) * scale
    catch_s = last.catch_up_seconds * scale
    log(f"estimate for {n:,} from {last.n:,} (linear): load ~{load_s / 60:.1f} min, "
        f"catch-up ~{catch_s / 60:.1f} min")
    cache = inspect.signature(ReadModelProjection).parameters["cache_size"].default
    if n > cache >= last.n:
        log(f"  (the projection keeps {cache:,} commitments in memory; beyond that a log whose "
            "commitments' events are spread out (--order interleaved) replays each one from "
            "the store, and the catch-up can be several times slower than this estimate)")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Read model at scale on PostgreSQL: append and projection catch-up "
        "rates, list/search/report latencies, and projection lag under writes.",
        epilog="PostgreSQL is reached at POSTGRES_HOST:POSTGRES_PORT (default "
        "127.0.0.1:5432) as POSTGRES_USER (default postgres); a database is created "
        "for each size and dropped after it.",
    )
    parser.add_argument("--sizes", type=positive_numbers, default=[1_000, 10_000, 100_000],
                        help="numbers of commitments, comma separated "
                        "(default: 1000,10000,100000)")
    parser.add_argument("--events-per-commitment", type=int, default=10,
                        help="events of each commitment, Made included (default: %(default)s)")
    parser.add_argument("--chunk", type=int, default=200,
                        help="commitments per app.save while loading (default: %(default)s)")
    parser.add_argument("--order", choices=("chunked", "interleaved"), default="chunked",
                        help="chunked: each commitment's events together; interleaved: all "
                        "Made events, then every first update, ... (default: %(default)s)")
    parser.add_argument("--samples", type=int, default=100,
                        help="timed calls per read; 0 skips the reads (default: %(default)s)")
    parser.add_argument("--lag-rate", type=float, default=200,
                        help="updates per second while measuring lag (default: %(default)s)")
    parser.add_argument("--lag-seconds", type=float, default=10,
                        help="how long to write while measuring lag; 0 skips it "
                        "(default: %(default)s)")
    parser.add_argument("--lag-all", action="store_true",
                        help="measure lag at every size, not only the largest")
    parser.add_argument("--no-lag", dest="lag_seconds", action="store_const", const=0,
                        help="skip the lag measurement")
    parser.add_argument("--vacuum", action="store_true",
                        help="run VACUUM (ANALYZE) after the catch-up, before the reads "
                        "(what autovacuum does, where it is on)")
    parser.add_argument("--profile", type=positive_numbers, default=[],
                        help="sizes whose load and catch-up run under cProfile, e.g. 10000")
    parser.add_argument("--seed", type=int, default=20250601,
                        help="random seed of the generated data (default: %(default)s)")
    parser.add_argument("--keep-db", action="store_true",
                        help="keep each size's database instead of dropping it")
    args = parser.parse_args(argv)
    if args.events_per_commitment < 1 or args.chunk < 1 or args.samples < 0:
        parser.error("--events-per-commitment and --chunk must be positive")
    if args.lag_seconds > 0 and args.lag_rate <= 0:
        parser.error("--lag-rate must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    results: list[Result] = []
    began = time.perf_counter()
    for n in args.sizes:
        _estimate(results, n)
        results.append(run_size(n, args))
    report(results, args, time.perf_counter() - began)
    return 0


if __name__ == "__main__":
    sys.exit(main())
