"""The reminder scan at scale, and reminders sent per second by Celery workers.

Part 1, the scan. One throwaway PostgreSQL database grows through the sizes
(default 10,000, 100,000 and 1,000,000 commitments, capped by --max): 20
agencies, 50 dialogues, then open commitments built as aggregates (a Made
event each, about a quarter also a ProgressReported, so open and in_progress)
and appended with `app.save(*chunk)`; after each growth
`build_queries(app).projector.catch_up()` brings rm_commitments up to the
log's head, as in bench/read_models.py, so the read tables are those
production has. Exactly --due (100) of the commitments, all among the first
size's, are due on the chosen day (2025-06-01): half due within the
`due_soon` window, half a few days `overdue`; every other one is due 1 to 3
years later. After each growth, `VACUUM (ANALYZE) rm_commitments` (autovacuum
would have done it; --no-vacuum skips it), then, warm:

  scan   `Reminders.scan(today)`: `Queries.ladder_candidates(horizon)` (the
         view's `fresh()` check and two indexed queries) and the ladder, over
         --runs calls: median and p95, the reminders found (must be the 100),
         and the median's ratio to the first size's;
  naive  the baseline measured in the same run: `fresh()`, then
         `SELECT id, status, due_on, reminder_rank, reminders_pending FROM
         rm_commitments WHERE active = 1`, every row turned into a LadderRow
         and passed through the same ladder, over --naive-runs calls; and the
         ratio scan/naive.

Part 2, delivery. For each worker count (default 1 and 2) a fresh database:
one agency with 2 contacts, one dialogue, --mails (500) open commitments all
due on the day (half due_soon, half overdue; one mail to both contacts each),
projected. An SMTP server (aiosmtpd's Controller, on loopback in this
process) counts the messages. The workers are real processes,
`celery -A workers.app worker --pool solo` (or --pool prefork --concurrency
1), one per count, on Redis database --redis-db (claimed with the tests'
lock key, so a concurrent test run skips it, and emptied before and after),
with SMTP_HOST/SMTP_PORT at that server. Once every worker answers a ping,
2 x workers warm-up scans for a day with nothing due make each build its
connection pool; then one "reminders.scan" for the day is sent through the
broker and the clock runs until the SMTP server has all the mails and the
log has a ReminderSent for every commitment. mails/s = mails / that time.

Whole default run on a 2-core machine: about 10 minutes, most of it building
the 1,000,000 commitments (see --max).

    python bench/reminder_scan.py                    # 10k, 100k, 1M; 1 and 2 workers
    python bench/reminder_scan.py --max 100000
    python bench/reminder_scan.py --sizes 2000,5000 --mails 50
    python bench/reminder_scan.py --no-workers       # part 1 only
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis
from aiosmtpd.controller import Controller
from measure import Progress, log, pct, positive_numbers
from store import connect, postgres_database

from domain.access import Actor, Role
from domain.agency import Agency
from domain.commitment import Commitment
from domain.deadlines import DueBasis, Kind
from domain.dialogue import Dialogue
from domain.reminders import Ladder
from domain.status import Action, Status
from service.application import Commitments
from service.bootstrap import build, build_queries
from service.queries import LadderRow, Queries
from service.reminders import Reminders
from service.settings import Settings
from workers.app import make_celery

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2025, 6, 1)
NOTHING_DUE = date(2000, 1, 1)  # the warm-up scans' day: before every due date
AGENCIES = ("SYT", "SGDDT", "SNV", "SLDTBXH", "STC", "SXD", "SGTVT", "STNMT", "SKHDT", "SCT",
            "SNNPTNT", "SVHTTDL", "STTTT", "STP", "SKHCN", "BHXH", "CA", "BQLKCN", "CTHUE",
            "LDLD")
DIALOGUES = 50
PROGRESS_SHARE = 0.25
_TEXTS = (
    "Xem xét, kiến nghị tăng biên chế giáo viên cho các trường mầm non",
    "Nghiên cứu điều chỉnh phụ cấp ưu đãi nghề cho nhân viên y tế cơ sở",
    "Tiếp thu kiến nghị về nhà ở xã hội cho công nhân khu công nghiệp",
    "Kiểm tra việc chậm đóng bảo hiểm xã hội tại doanh nghiệp",
    "Sửa chữa, nâng cấp đường giao thông vào khu công nghiệp",
    "Tổ chức khám sức khỏe định kỳ cho lao động nữ",
)
_KINDS = list(Kind)
_SENT_TOPIC = f"{Commitment.__module__}:{Commitment.__qualname__}.ReminderSent"
NAIVE_SQL = ("SELECT id, status, due_on, reminder_rank, reminders_pending "
             "FROM rm_commitments WHERE active = 1")
LADDER_SQL = ("SELECT id, status, due_on, reminder_rank, reminders_pending FROM rm_commitments "
              "WHERE active = 1 AND reminder_rank IN (0, 1, 2) AND due_on <= %s")
# Part 1's verdict: the scan may grow this much from the first size to the last.
FLAT = 2.0


def clock() -> date:
    return TODAY


@dataclass
class Timing:
    samples: list[float]  # seconds

    @property
    def p50(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95(self) -> float:
        return pct(self.samples, 95) * 1000


def timed(call: Callable[[], object], runs: int, warmup: int) -> Timing:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0)
    return Timing(samples)


# -- the data -----------------------------------------------------------------------------


@dataclass
class Seed:
    agencies: list[str]
    dialogues: list[tuple[UUID, date]]
    actor: dict[str, Any]


def seed(app: Commitments, rng: random.Random, agencies: tuple[str, ...], dialogues: int,
         contacts: int = 0) -> Seed:
    actor = Actor(Role.ADMIN).as_record()
    made = [Agency(code=code, name=f"Cơ quan {code}", name_en=None,
                   contacts=[{"name": f"Cán bộ {k + 1}", "email": f"canbo{k + 1}@{code.lower()}"
                              ".example.vn", "role": "head" if k == 0 else "chuyên viên"}
                             for k in range(contacts)],
                   webhook_url=None, actor=actor) for code in agencies]
    held = [Dialogue(title=f"Hội nghị đối thoại số {n + 1}/2024",
                     held_on=date(2024, 1, 8) + timedelta(days=rng.randint(0, 350)),
                     place=None, chair=None, organiser=None, source_url=None, actor=actor)
            for n in range(dialogues)]
    app.save(*made, *held)
    return Seed([a.code for a in made], [(d.id, d.held_on) for d in held], actor)


def due_dates(count: int, rng: random.Random) -> list[date]:
    """`count` due dates on which TODAY has a reminder: half due_soon, half overdue."""
    return [TODAY + timedelta(days=rng.randint(0, 6)) if k % 2 == 0
            else TODAY - timedelta(days=rng.randint(1, 20)) for k in range(count)]


def commitment(rng: random.Random, s: Seed, n: int, due_on: date) -> Commitment:
    """An open commitment (Made), a quarter of them in progress (ProgressReported)."""
    dialogue_id, held_on = rng.choice(s.dialogues)
    c = Commitment(agency=rng.choice(s.agencies), text=f"{rng.choice(_TEXTS)} (mục {n + 1})",
                   kind=rng.choice(_KINDS).value, due_on=due_on,
                   due_basis=DueBasis.STATED.value, made_on=held_on, dialogue_id=dialogue_id,
                   answer_id=None, question_ids=[], status=Status.OPEN.value, actor=s.actor)
    if rng.random() < PROGRESS_SHARE:
        c.update(Action.PROGRESS, today=TODAY, actor=s.actor, note="Đang triển khai",
                 effective_on=held_on + timedelta(days=rng.randint(0, (TODAY - held_on).days)))
    return c


@dataclass
class Grown:
    events: int = 0
    save_seconds: float = 0.0
    build_seconds: float = 0.0
    catch_up_seconds: float = 0.0
    vacuum_seconds: float = 0.0


class Store:
    """One database grown through the sizes, and the due commitments placed in it."""

    def __init__(self, app: Commitments, queries: Queries, args: argparse.Namespace) -> None:
        self.app, self.queries, self.args = app, queries, args
        self.rng = random.Random(args.seed)
        self.seed = seed(app, self.rng, AGENCIES, DIALOGUES)
        self.count = 0
        first = args.sizes[0]
        self.due: dict[int, date] = dict(zip(sorted(self.rng.sample(range(first), args.due)),
                                             due_dates(args.due, self.rng), strict=True))

    def grow(self, n: int) -> Grown:
        grown = Grown()
        progress = Progress(f"append {self.count:,}->{n:,} commitments", n - self.count)
        while self.count < n:
            t0 = time.perf_counter()
            chunk = []
            for i in range(self.count, min(self.count + self.args.chunk, n)):
                far = TODAY + timedelta(days=self.rng.randint(365, 3 * 365))
                chunk.append(commitment(self.rng, self.seed, i, self.due.get(i, far)))
            t1 = time.perf_counter()
            grown.events += len(self.app.save(*chunk))
            grown.save_seconds += time.perf_counter() - t1
            grown.build_seconds += t1 - t0
            self.count += len(chunk)
            progress.add(len(chunk))
        head = self.app.recorder.max_notification_id() or 0
        behind = head - self.queries.view.position()
        progress = Progress("catch-up events", behind)
        t0 = time.perf_counter()
        applied = self.queries.projector.catch_up(progress=progress.add)
        grown.catch_up_seconds = time.perf_counter() - t0
        if applied != behind or self.queries.view.position() != head:
            raise SystemExit(f"catch-up applied {applied} of {behind} events")
        if not self.args.no_vacuum:
            t0 = time.perf_counter()
            with connect(self.app.settings) as conn:
                conn.execute("VACUUM (ANALYZE) rm_commitments")
            grown.vacuum_seconds = time.perf_counter() - t0
        return grown


# -- part 1: the scan -----------------------------------------------------------------------


def naive_scan(queries: Queries, ladder: Ladder, app: Commitments, today: date) -> int:
    """Every active row through the ladder: what the scan would cost without its index."""
    queries.fresh()
    found = 0
    calendar = app.settings.calendar
    for row in queries.view.rows(NAIVE_SQL):
        due_on = row["due_on"]
        r = LadderRow(UUID(str(row["id"])), Status(row["status"]),
                      due_on if isinstance(due_on, date) else date.fromisoformat(due_on),
                      int(row["reminder_rank"]), int(row["reminders_pending"]))
        if (ladder.next_reminder(r.status, r.due_on, r.reminder_rank, today, calendar)
                is not None or r.reminders_pending):
            found += 1
    return found


def plan(settings: Settings, horizon: date) -> str:
    """The scan nodes of the ladder query's plan, e.g. 'Index Only Scan using ...'."""
    with connect(settings) as conn:
        lines = [str(r[0]) for r in conn.execute(f"EXPLAIN {LADDER_SQL}", (horizon,))]
    nodes = [re.sub(r"\s+\(cost=.*", "", line).strip(" ->") for line in lines
             if "Scan" in line]
    return "; ".join(nodes) or lines[0]


@dataclass
class ScanResult:
    n: int
    active: int
    grown: Grown
    scan: Timing
    naive: Timing
    found: int
    due: int
    naive_found: int
    plan: str


def measure_scan(store: Store, reminders: Reminders, n: int) -> ScanResult:
    args = store.args
    grown = store.grow(n)
    queries, app = store.queries, store.app
    active = queries.view.rows("SELECT COUNT(*) AS n FROM rm_commitments WHERE active = 1")[0]["n"]
    found = reminders.scan(TODAY)
    due = sum(1 for d in found if d.rung is not None)
    ladder = app.settings.reminders.ladder
    horizon = ladder.horizon(TODAY, app.settings.calendar)
    scan = timed(lambda: reminders.scan(TODAY), args.runs, warmup=3)
    naive_found = naive_scan(queries, ladder, app, TODAY)
    naive = timed(lambda: naive_scan(queries, ladder, app, TODAY), args.naive_runs, warmup=0)
    return ScanResult(n=n, active=int(active), grown=grown, scan=scan, naive=naive,
                      found=len(found), due=due, naive_found=naive_found,
                      plan=plan(app.settings, horizon))


def part_scan(args: argparse.Namespace) -> list[ScanResult]:
    results: list[ScanResult] = []
    with postgres_database("commitments_scan", keep=args.keep_db) as settings:
        with connect(settings) as conn:
            autovacuum = conn.execute("SHOW autovacuum").fetchone()
        log(f"postgres: autovacuum {autovacuum[0] if autovacuum else '?'}; "
            + ("no VACUUM after loading" if args.no_vacuum
               else "VACUUM (ANALYZE) rm_commitments after each growth"))
        app = build(settings, clock=clock)
        queries = build_queries(app)
        try:
            store = Store(app, queries, args)
            reminders = Reminders(app, queries, senders={})
            for n in args.sizes:
                if results:
                    _estimate(results[-1], n)
                began = time.perf_counter()
                log(f"[{n:,}] growing to {n:,} open commitments ({args.due} due on {TODAY})")
                r = measure_scan(store, reminders, n)
                g = r.grown
                log(f"[{n:,}] appended {g.events:,} events in {g.save_seconds:.1f} s "
                    f"(+{g.build_seconds:.1f} s building aggregates), caught up in "
                    f"{g.catch_up_seconds:.1f} s, vacuum {g.vacuum_seconds:.1f} s; "
                    f"{r.active:,} active rows")
                log(f"[{n:,}] ladder query plan: {r.plan}")
                log(f"[{n:,}] scan: {r.found} found ({r.due} with a reminder due), "
                    f"p50 {r.scan.p50:.2f} ms, p95 {r.scan.p95:.2f} ms over {args.runs}")
                log(f"[{n:,}] naive: {r.naive_found} found, p50 {r.naive.p50:.1f} ms, "
                    f"p95 {r.naive.p95:.1f} ms over {args.naive_runs}; "
                    f"scan/naive {r.scan.p50 / r.naive.p50:.4f}")
                log(f"[{n:,}] done in {time.perf_counter() - began:.0f} s")
                results.append(r)
        finally:
            queries.close()
            app.close()
    return results


def _estimate(last: ScanResult, n: int) -> None:
    g = last.grown
    per = (g.save_seconds + g.build_seconds + g.catch_up_seconds) / max(last.n, 1)
    naive = last.naive.p50 / 1000
    log(f"estimate for {n:,}: ~{per * (n - last.n) / 60:.1f} min to grow from {last.n:,} "
        f"(linear), naive scan ~{naive * n / last.n:.1f} s a call")


# -- part 2: delivery by Celery workers ----------------------------------------------------


class MailCounter:
    """aiosmtpd handler: counts messages, their distinct Message-IDs, and when they came."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: list[float] = []
        self.ids: set[str] = set()
        self.recipients = 0

    def reset(self) -> None:
        with self.lock:
            self.times, self.ids, self.recipients = [], set(), 0

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.times)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.content
        head = (content if isinstance(content, bytes) else content.encode()).split(b"\r\n\r\n")[0]
        found = re.search(rb"(?im)^message-id:\s*(\S+)", head)
        with self.lock:
            self.times.append(time.perf_counter())
            self.ids.add(found.group(1).decode() if found else f"?{len(self.times)}")
            self.recipients += len(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[MailCounter, int]]:
    counter = MailCounter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    log(f"smtp: aiosmtpd counting messages at 127.0.0.1:{port}")
    try:
        yield counter, port
    finally:
        controller.stop()


# The key by which the test suite (tests/support/brokers.py) claims a Redis
# database; the benchmark claims its own the same way, so neither empties the
# other's queue.
REDIS_LOCK = "commitments-tests:lock"


@contextmanager
def claimed(broker: redis.Redis, url: str, seconds: int = 900) -> Iterator[None]:
    """The broker's Redis database, claimed and emptied; emptied and released after."""
    token = f"bench-{os.getpid()}-{time.time_ns()}"
    if not broker.set(REDIS_LOCK, token, nx=True, ex=seconds):
        raise SystemExit(f"{url} is claimed by another run ({REDIS_LOCK} is set): choose "
                         "another --redis-db, or wait")

    def empty() -> None:
        for key in broker.scan_iter(count=1000):
            if key != REDIS_LOCK.encode():
                broker.delete(key)

    try:
        empty()
        yield
    finally:
        empty()
        if broker.get(REDIS_LOCK) == token.encode():
            broker.delete(REDIS_LOCK)
        log(f"redis: emptied and released {url}")


def worker_env(settings: Settings, broker: str, smtp_port: int) -> dict[str, str]:
    """What a worker process sees: the bench database, the broker, the SMTP server."""
    env = {k: v for k, v in os.environ.items()
           if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "USER")}
    env.update(settings.eventsourcing_env)
    env.update({
        "COMMITMENTS_DATA_DIR": str(settings.data_dir),
        "CELERY_BROKER_URL": broker,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "PYTHONPATH": str(ROOT),
    })
    return env


@dataclass
class Workers:
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def stop(self) -> None:
        for p in self.processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)  # warm shutdown
        for p in self.processes:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)

    def tails(self) -> str:
        out = []
        for name, path in zip(self.names, self.logs, strict=True):
            text = path.read_text(errors="replace") if path.exists() else ""
            out.append(f"--- {name} ({path}):\n" + "\n".join(text.splitlines()[-20:]))
        return "\n".join(out)


def start_workers(count: int, env: dict[str, str], folder: Path, pool: str) -> Workers:
    celery = str(Path(sys.executable).parent / "celery")
    workers = Workers()
    for k in range(count):
        name = f"bench{k + 1}-{os.getpid()}@{socket.gethostname()}"
        path = folder / f"worker{k + 1}.log"
        command = [celery, "-A", "workers.app", "worker", "--pool", pool, "-n", name,
                   "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
                   "--without-heartbeat"]
        if pool == "prefork":
            command += ["--concurrency", "1"]
        with path.open("wb") as out:
            workers.processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                                      stderr=subprocess.STDOUT))
        workers.logs.append(path)
        workers.names.append(name)
    return workers


@dataclass
class DeliveryResult:
    workers: int
    mails: int
    received: int
    distinct: int
    recipients: int
    recorded: int
    mail_seconds: float  # from the send to the last mail
    seconds: float  # from the send to all mails and every ReminderSent

    @property
    def rate(self) -> float:
        return self.mails / self.seconds if self.seconds else 0.0

    @property
    def complete(self) -> bool:
        return self.received >= self.mails and self.recorded >= self.mails


def run_delivery(count: int, args: argparse.Namespace, counter: MailCounter,
                 smtp_port: int) -> DeliveryResult:
    rng = random.Random(args.seed + count)
    broker = redis.Redis.from_url(args.broker)
    with ExitStack() as stack:
        stack.callback(broker.close)
        settings = stack.enter_context(
            postgres_database(f"commitments_mail_{count}w", keep=args.keep_db))
        app = build(settings, clock=clock)
        stack.callback(app.close)
        queries = build_queries(app)
        stack.callback(queries.close)
        s = seed(app, rng, ("SYT",), 1, contacts=2)
        made = [commitment(rng, s, n, due_on)
                for n, due_on in enumerate(due_dates(args.mails, rng))]
        for start in range(0, len(made), args.chunk):
            app.save(*made[start:start + args.chunk])
        queries.projector.catch_up()
        expected = len(Reminders(app, queries, senders={}).scan(TODAY))
        if expected != args.mails:
            raise SystemExit(f"[{count}w] the scan finds {expected}, not {args.mails}")
        stack.enter_context(claimed(broker, args.broker))
        env = worker_env(settings, args.broker, smtp_port)
        client = make_celery(Settings.from_env(env))
        stack.callback(client.close)
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-workers-")))
        name = settings.eventsourcing_env["POSTGRES_DBNAME"]
        log(f"[{count}w] {args.mails} commitments due in {name}; starting {count} worker "
            f"process(es), --pool {args.pool}")
        workers = start_workers(count, env, folder, args.pool)
        stack.callback(workers.stop)
        began = time.perf_counter()
        answered: set[str] = set()
        while len(answered) < count:
            if time.perf_counter() - began > 90 or any(p.poll() is not None
                                                       for p in workers.processes):
                raise SystemExit(f"[{count}w] workers did not start:\n{workers.tails()}")
            for reply in client.control.ping(timeout=1.0) or []:
                answered.update(n for n in reply if n in workers.names)
        log(f"[{count}w] {count} worker(s) answered a ping after "
            f"{time.perf_counter() - began:.1f} s; warming up")
        for _ in range(2 * count):
            client.send_task("reminders.scan", args=[NOTHING_DUE.isoformat()])
        deadline = time.perf_counter() + 60
        while broker.llen("celery") and time.perf_counter() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # the last warm-up scans finish
        counter.reset()
        position = app.recorder.max_notification_id() or 0
        recorded: set[UUID] = set()
        done_at: float | None = None
        mails_at: float | None = None
        t0 = time.perf_counter()
        client.send_task("reminders.scan", args=[TODAY.isoformat()])
        deadline = t0 + args.timeout
        last_note = t0
        while time.perf_counter() < deadline:
            time.sleep(0.02)
            while True:
                batch = app.recorder.select_notifications(position, 1000, topics=[_SENT_TOPIC],
                                                          inclusive_of_start=False)
                if not batch:
                    break
                recorded.update(n.originator_id for n in batch)  # type: ignore[misc]
                position = batch[-1].id
            now = time.perf_counter()
            received = counter.count
            if mails_at is None and received >= args.mails:
                mails_at = counter.times[args.mails - 1]
            if mails_at is not None and len(recorded) >= args.mails:
                done_at = now
                break
            if now - last_note > 5:
                last_note = now
                log(f"  [{count}w] {now - t0:.0f} s: {received} mails, "
                    f"{len(recorded)} ReminderSent")
            if any(p.poll() is not None for p in workers.processes):
                raise SystemExit(f"[{count}w] a worker died:\n{workers.tails()}")
        end = done_at if done_at is not None else time.perf_counter()
        time.sleep(1.0)  # a duplicate would arrive now
        result = DeliveryResult(
            workers=count, mails=args.mails, received=counter.count, distinct=len(counter.ids),
            recipients=counter.recipients, recorded=len(recorded),
            mail_seconds=(mails_at or end) - t0, seconds=end - t0)
        if not result.complete:
            log(f"[{count}w] INCOMPLETE after {args.timeout:g} s:\n{workers.tails()}")
        log(f"[{count}w] {result.received} mails ({result.distinct} distinct Message-IDs, "
            f"{result.recipients} recipients), {result.recorded} ReminderSent; all mails "
            f"{result.mail_seconds:.2f} s, all recorded {result.seconds:.2f} s after the "
            f"send: {result.rate:.1f} mails/s")
    return result


def part_delivery(args: argparse.Namespace) -> list[DeliveryResult]:
    results = []
    with smtp_server() as (counter, port):
        for count in args.workers:
            results.append(run_delivery(count, args, counter, port))
    return results


# -- the report -----------------------------------------------------------------------------


def report(scans: list[ScanResult], deliveries: list[DeliveryResult],
           args: argparse.Namespace, seconds: float) -> bool:
    ok = True
    print()
    if scans:
        first = scans[0]
        print(f"Reminder scan on PostgreSQL, today {TODAY}: N open commitments, {args.due} due "
              "(half due_soon, half overdue), the rest due in 1-3 years; one database grown "
              f"through {', '.join(f'{r.n:,}' for r in scans)}"
              + (f" (capped by --max {args.max:,})" if args.capped else "") + ".")
        print(f"scan = Reminders.scan(today), ms over {args.runs} warm calls; naive = fresh() + "
              f"'{NAIVE_SQL}' + the ladder in Python, over {args.naive_runs} calls; "
              + ("no VACUUM." if args.no_vacuum else "VACUUM (ANALYZE) after each growth."))
        print()
        header = (f"{'N':>9} {'found/due':>9} {'scan p50':>9} {'scan p95':>9} "
                  f"{f'/{first.n // 1000}k p50':>9} {'naive p50':>10} {'naive p95':>10} "
                  f"{'scan/naive':>10} {'build s':>8}")
        print(header)
        print("-" * len(header))
        for r in scans:
            g = r.grown
            build_s = g.save_seconds + g.build_seconds + g.catch_up_seconds + g.vacuum_seconds
            print(f"{r.n:>9,} {f'{r.found}/{r.due}':>9} {r.scan.p50:>9.2f} {r.scan.p95:>9.2f} "
                  f"{r.scan.p50 / first.scan.p50:>8.2f}x {r.naive.p50:>10.1f} "
                  f"{r.naive.p95:>10.1f} {r.scan.p50 / r.naive.p50:>10.4f} {build_s:>8.0f}")
        print()
        right = all(r.found == args.due and r.due == args.due and r.naive_found == args.due
                    for r in scans)
        growth = scans[-1].scan.p50 / first.scan.p50
        flat = growth < FLAT
        ok = ok and right and flat
        print(f"  scan finds exactly the {args.due} due at every N (naive agrees): "
              f"{'yes' if right else 'NO'}")
        print(f"  scan p50 {first.n:,} -> {scans[-1].n:,}: {growth:.2f}x "
              f"({'flat, < ' if flat else 'NOT flat, >= '}{FLAT:g}x); naive grows "
              f"{scans[-1].naive.p50 / first.naive.p50:.1f}x")
        print()
    if deliveries:
        print(f"Delivery: {args.mails} reminders due (1 agency, 2 contacts, one mail each), one "
              f"reminders.scan sent through {args.broker}; workers: celery worker --pool "
              f"{args.pool}" + (" --concurrency 1" if args.pool == "prefork" else "")
              + ", one process each; time = send -> every mail at the SMTP server and a "
              "ReminderSent in the log for every commitment.")
        print()
        header = (f"{'workers':>7} {'mails':>6} {'distinct':>8} {'recorded':>8} "
                  f"{'mails in s':>10} {'all in s':>8} {'mails/s':>8} {'vs 1w':>6}")
        print(header)
        print("-" * len(header))
        base = next((d for d in deliveries if d.workers == 1), deliveries[0])
        for d in deliveries:
            ok = ok and d.complete and d.received == d.mails and d.distinct == d.mails
            print(f"{d.workers:>7} {d.received:>6} {d.distinct:>8} {d.recorded:>8} "
                  f"{d.mail_seconds:>10.2f} {d.seconds:>8.2f} {d.rate:>8.1f} "
                  f"{d.rate / base.rate if base.rate else 0:>5.2f}x")
        print()
    print(f"runtime {seconds:.0f} s" + ("" if ok else "  (a check above FAILED)"))
    return ok


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Reminder scan time at 10k/100k/1M open commitments (100 due) against a "
        "naive full scan measured in the same run, and reminders delivered per second by "
        "one and two Celery worker processes through Redis to a local SMTP server.",
        epilog="PostgreSQL is reached at POSTGRES_HOST:POSTGRES_PORT (default 127.0.0.1:5432) "
        "as POSTGRES_USER (default postgres); each database the script creates is dropped "
        "at the end unless --keep-db.",
    )
    parser.add_argument("--sizes", type=positive_numbers, default=[10_000, 100_000, 1_000_000],
                        help="numbers of open commitments, comma separated, grown in one "
                        "database (default: 10000,100000,1000000)")
    parser.add_argument("--max", type=lambda t: positive_numbers(t)[0], default=1_000_000,
                        help="largest number of commitments: sizes above it are dropped and "
                        "it is run instead (default: %(default)s)")
    parser.add_argument("--due", type=int, default=100,
                        help="commitments due on the day, among the first size's "
                        "(default: %(default)s)")
    parser.add_argument("--runs", type=int, default=30,
                        help="timed scans per size, after 3 warm-up calls (default: %(default)s)")
    parser.add_argument("--naive-runs", type=int, default=5,
                        help="timed naive scans per size (default: %(default)s)")
    parser.add_argument("--chunk", type=int, default=500,
                        help="commitments per app.save while loading (default: %(default)s)")
    parser.add_argument("--no-vacuum", action="store_true",
                        help="skip VACUUM (ANALYZE) rm_commitments after each growth (the "
                        "server's autovacuum may be off)")
    parser.add_argument("--workers", type=positive_numbers, default=[1, 2],
                        help="worker process counts to deliver with (default: 1,2)")
    parser.add_argument("--mails", type=int, default=500,
                        help="reminders to deliver per worker count (default: %(default)s)")
    parser.add_argument("--pool", choices=("solo", "prefork"), default="solo",
                        help="each worker's pool; prefork runs with --concurrency 1 "
                        "(default: %(default)s)")
    parser.add_argument("--redis-db", type=int, default=14,
                        help="Redis database for the broker: claimed with the tests' lock key "
                        f"({REDIS_LOCK}), emptied before and after (default: %(default)s)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379",
                        help="Redis server (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds to wait for one delivery run (default: %(default)s)")
    parser.add_argument("--no-scan", action="store_true", help="skip part 1 (the scan)")
    parser.add_argument("--no-workers", action="store_true",
                        help="skip part 2 (delivery by workers)")
    parser.add_argument("--seed", type=int, default=20250601,
                        help="random seed of the generated data (default: %(default)s)")
    parser.add_argument("--keep-db", action="store_true",
                        help="keep the databases instead of dropping them")
    args = parser.parse_args(argv)
    asked = sorted(set(args.sizes))
    args.sizes = [n for n in asked if n <= args.max]
    args.capped = args.max < asked[-1]  # some sizes were dropped
    if args.capped and (not args.sizes or args.sizes[-1] < args.max):
        args.sizes.append(args.max)
    if args.due < 1 or args.due > args.sizes[0]:
        parser.error(f"--due must be between 1 and the first size ({args.sizes[0]})")
    if min(args.runs, args.naive_runs, args.chunk, args.mails) < 1:
        parser.error("--runs, --naive-runs, --chunk and --mails must be positive")
    args.broker = f"{args.redis.rstrip('/')}/{args.redis_db}"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    began = time.perf_counter()
    log("scan: " + ("skipped" if args.no_scan else ", ".join(f"{n:,}" for n in args.sizes)
                    + " commitments" + (f" (capped by --max {args.max:,})" if args.capped
                                        else ""))
        + "; delivery: " + ("skipped" if args.no_workers else
                            f"{args.mails} mails with {args.workers} workers via {args.broker}"))
    scans = [] if args.no_scan else part_scan(args)
    deliveries = [] if args.no_workers else part_delivery(args)
    ok = report(scans, deliveries, args, time.perf_counter() - began)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
