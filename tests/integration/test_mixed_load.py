"""A minute of mixed load on every process production runs, on loopback,
against one PostgreSQL database: zero lost events, zero duplicated events or
reminders, and read tables equal to a rebuild at the end.

The processes, as in the Procfile: gunicorn with three workers, two
`commitments projections run`, two Celery workers and a beat (scanning every
two seconds) on a Redis database claimed for this test, and a real SMTP
server. The load: client threads in this process, for DURATION seconds or
MAX_REQUESTS requests, whichever comes first, each looping over a weighted
mix of

- commitments created (one in DUE_EVERY with a reminder due today: due soon,
  overdue or long overdue, so that reminders flow during the load);
- progress reported on a commitment picked at random, often one of a few
  hot ones or one with a reminder due (so writers, and the reminder senders,
  meet on the same stream);
- progress reported with an Idempotency-Key, sent three times (the request
  and two retries), one after another or all at once;
- reads: the commitments list with filters, the public report, one
  commitment, its history.

Afterwards: every 2xx write is in the log exactly once, nothing else is; each
idempotent request made one event, and its three answers agree; every reminder
due was mailed exactly once (one claim, one ReminderSent) and nothing else
was; the projectors caught up and their tables equal a rebuild from the log;
the hash chain they kept verifies. No 5xx, no dropped connection.
"""

from __future__ import annotations

import os
import random
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
import requests

from domain.reminders import Rung
from service.read_model import TABLE_NAMES
from tests.integration import test_reminders as reminders
from tests.integration.conftest import BIN, _cli, _free_port, _wait_healthy
from tests.integration.test_projection_faults import check_consistent, snapshot
from tests.integration.test_reminders import (
    AUDITORS,
    CHAIR,
    CLERK,
    HEAD,
    ROOT,
    Mail,
    Proc,
    Stack,
    agency,
    check_history,
    check_mails,
    day,
    dialogue,
    mail,
)

pytestmark = pytest.mark.integration

# The fixture of test_reminders: a database, a Redis database (claimed with
# tests/support/brokers.py), an SMTP server and the application of the
# test's own; every process it starts is killed at the end.
stack = reminders.stack

DURATION = 60.0  # seconds of load
MAX_REQUESTS = 20_000  # and never more requests than this
CLIENTS = 6  # client threads
WEB_WORKERS = 3
SCAN_SECONDS = 2.0
DUE_EVERY = 8  # one create in this many has a reminder due today
MAX_DUE = 60  # and at most this many
HOT = 5  # commitments that many writers update at once
CLIENT_TIMEOUT = 30.0  # a request that takes longer is a failure
STARTUP = 30.0
SETTLE = 90.0  # for reminders, and for the projectors to catch up, after the load
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the service's default: beat scans for its today

CONTACTS = [{"email": CLERK, "role": "Văn thư"}, {"email": HEAD, "role": "giám đốc"}]
# Due dates (days from today) with a reminder due today, and which.
DUE = ((2, Rung.DUE_SOON), (5, Rung.DUE_SOON), (-1, Rung.OVERDUE), (-10, Rung.OVERDUE),
       (-31, Rung.ESCALATION), (-45, Rung.ESCALATION))
LISTS = ("limit=20", "overdue=true&limit=50", "agency=SXD&sort=-due_on&limit=20",
         "q=ra%20soat&limit=20", "status=in_progress&sort=due_on&limit=20")


# -- the load -------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request as the client saw it."""

    kind: str
    status: int  # -1: no answer (connection refused or dropped, timeout)
    seconds: float
    key: str = ""  # the text or note it wrote
    body: Any = None  # the answer to a write
    lag: int = 0  # X-Read-Model-Lag


@dataclass(frozen=True)
class Due:
    commitment_id: UUID
    text: str
    days: int
    rung: Rung


@dataclass
class Load:
    base: str
    token: str
    dialogue_id: str
    today: date
    deadline: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    calls: list[Call] = field(default_factory=list)
    made: list[str] = field(default_factory=list)  # ids of commitments made (2xx)
    due: list[Due] = field(default_factory=list)
    due_taken: int = 0  # creates that asked for a reminder due (made or not)
    idempotent: list[list[Call]] = field(default_factory=list)  # the three of each key
    sent: int = 0  # requests begun
    errors: list[str] = field(default_factory=list)  # exceptions in the clients

    def take(self, n: int = 1) -> bool:
        """Room for `n` more requests, in time and in count."""
        with self.lock:
            if time.monotonic() >= self.deadline or self.sent + n > MAX_REQUESTS:
                return False
            self.sent += n
            return True

    def call(self, session: requests.Session, kind: str, method: str, path: str,
             body: Any = None, key: str = "", headers: dict[str, str] | None = None,
             auth: bool = True) -> Call:
        sent = dict(headers or {})
        if auth:
            sent["Authorization"] = f"Bearer {self.token}"
        start = time.monotonic()
        try:
            response = session.request(method, self.base + path, json=body, headers=sent,
                                       timeout=CLIENT_TIMEOUT)
            status, seconds = response.status_code, time.monotonic() - start
            reply = None
            if method != "GET" or status >= 400:
                try:
                    reply = response.json()
                except ValueError:
                    reply = response.text[:500]
            lag = int(response.headers.get("X-Read-Model-Lag", "0"))
            done = Call(kind, status, seconds, key, reply, lag)
        except requests.RequestException as error:
            done = Call(kind, -1, time.monotonic() - start, key, repr(error))
        with self.lock:
            self.calls.append(done)
        return done

    # -- what a client does -----------------------------------------------------------

    def create(self, session: requests.Session, name: str, rng: random.Random) -> None:
        text = f"Xem xét kiến nghị {name} về nhà ở cho công nhân"
        due = None
        with self.lock:
            if rng.randrange(DUE_EVERY) == 0 and self.due_taken < MAX_DUE:
                due = DUE[self.due_taken % len(DUE)]
                self.due_taken += 1
        days = due[0] if due else 150 + rng.randrange(100)
        done = self.call(session, "create", "POST", "/api/v1/commitments", {
            "agency": "SXD", "kind": "review", "dialogue_id": self.dialogue_id,
            "text": text, "due_on": day(days, self.today).isoformat()}, key=text)
        if done.status == 201:
            with self.lock:
                self.made.append(done.body["id"])
                if due:
                    self.due.append(Due(UUID(done.body["id"]), text, days, due[1]))

    def progress(self, session: requests.Session, name: str, rng: random.Random) -> None:
        note = f"tiến độ {name}"
        self.call(session, "progress", "POST", f"/api/v1/commitments/{self.pick(rng)}/updates",
                  {"action": "progress", "note": note}, key=note)

    def idempotent_progress(self, session: requests.Session, name: str,
                            rng: random.Random) -> None:
        """The request and two retries with the same key: one after another,
        or (every other time) all three at once."""
        key, note = str(uuid.uuid4()), f"tiến độ một lần {name}"
        path = f"/api/v1/commitments/{self.pick(rng)}/updates"
        body = {"action": "progress", "note": note}

        def send(with_session: requests.Session) -> Call:
            return self.call(with_session, "progress+key", "POST", path, body, key=note,
                             headers={"Idempotency-Key": key})

        if rng.randrange(2):
            three = [send(session) for _ in range(3)]
        else:
            got: list[Call] = []

            def racer() -> None:
                with requests.Session() as own:
                    got.append(send(own))

            racers = [threading.Thread(target=racer, daemon=True) for _ in range(3)]
            for thread in racers:
                thread.start()
            for thread in racers:
                thread.join(CLIENT_TIMEOUT + 10)
            three = got
        with self.lock:
            self.idempotent.append(three)

    def read(self, session: requests.Session, rng: random.Random) -> None:
        which = rng.randrange(10)
        if which < 5:
            self.call(session, "list", "GET", f"/api/v1/commitments?{rng.choice(LISTS)}")
        elif which < 7:
            self.call(session, "report", "GET", "/reports/", auth=False)
        elif which < 9:
            self.call(session, "get", "GET", f"/api/v1/commitments/{self.pick(rng)}")
        else:
            self.call(session, "history", "GET",
                      f"/api/v1/commitments/{self.pick(rng)}/history")

    def pick(self, rng: random.Random) -> str:
        """A commitment to update or read: one in five of the HOT first ones
        (writers meet there), one in five with a reminder due (the senders'
        claims meet the writers there), else any."""
        roll = rng.random()
        with self.lock:
            if roll < 0.2:
                return rng.choice(self.made[:HOT])
            if roll < 0.4 and self.due:
                return str(rng.choice(self.due).commitment_id)
            return rng.choice(self.made)

    def client(self, number: int) -> None:
        rng = random.Random(number)
        n = 0
        try:
            with requests.Session() as session:
                while True:
                    n += 1
                    name, roll = f"c{number}-{n}", rng.random()
                    if not self.take(3 if 0.45 <= roll < 0.55 else 1):
                        return
                    if roll < 0.20:
                        self.create(session, name, rng)
                    elif roll < 0.45:
                        self.progress(session, name, rng)
                    elif roll < 0.55:
                        self.idempotent_progress(session, name, rng)
                    else:
                        self.read(session, rng)
        except Exception as error:  # a bug in the client: reported, never swallowed
            with self.lock:
                self.errors.append(f"client {number}: {error!r}")


# -- processes ------------------------------------------------------------------------


def _spawn(s: Stack, name: str, argv: list[str]) -> Proc:
    """A process of the service beside the Celery ones, watched and killed by `s`."""
    log = s.data / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(argv, env=s.env, stdout=out, stderr=subprocess.STDOUT,
                                 cwd=ROOT, start_new_session=True)
    proc = Proc(name, popen, log)
    s.procs.append(proc)
    return proc


def _stop(s: Stack, proc: Proc) -> None:
    """SIGTERM, and it must leave cleanly."""
    s.stop(proc)
    assert proc.popen.returncode == 0, (
        f"{proc.name} exited with {proc.popen.returncode} on SIGTERM:\n{proc.tail()}")


# -- figures --------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _latency(calls: list[Call]) -> str:
    seconds = [c.seconds for c in calls]
    return (f"p50 {_percentile(seconds, 0.50) * 1000:.0f} ms, "
            f"p95 {_percentile(seconds, 0.95) * 1000:.0f} ms, "
            f"max {max(seconds, default=0) * 1000:.0f} ms")


def _expected(due: Due, today: date) -> Mail:
    to, cc = {
        Rung.DUE_SOON: ([CLERK, HEAD], []),
        Rung.OVERDUE: ([CLERK, HEAD], [AUDITORS]),
        Rung.ESCALATION: ([HEAD, CHAIR], [AUDITORS]),
    }[due.rung]
    return mail(due.commitment_id, due.text, due.rung, day(due.days, today), today, to, cc)


# -- the test -------------------------------------------------------------------------


def test_a_minute_of_mixed_load_loses_and_duplicates_nothing(
        stack: Callable[..., Stack]) -> None:
    started = time.monotonic()
    # Two projectors of its own, below; reads wait for them no longer than by
    # default: a scan that answers without them leaves the rest to the next.
    s = stack("redis", projector=False, REMINDER_SCAN_SECONDS=f"{SCAN_SECONDS:g}",
              READ_WAIT_SECONDS="2")
    today = datetime.now(ZONE).date()
    agency(s, "SXD", CONTACTS)
    talk = dialogue(s, day(-90, today))
    token = _cli(s.env, "token", "create", "--role", "admin", "--label", "load").splitlines()[-1]

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    web = _spawn(s, "gunicorn", [str(BIN / "gunicorn"), "--no-control-socket", "--workers",
                                 str(WEB_WORKERS), "--bind", f"127.0.0.1:{port}",
                                 "api:create_app()"])
    projectors = [_spawn(s, f"projector{n}", [str(BIN / "commitments"), "projections", "run"])
                  for n in (1, 2)]
    workers = [s.worker(f"worker{n}", wait=False) for n in (1, 2)]
    _wait_healthy(web.popen, base + "/healthz", web.log)
    for proc in workers:
        s.wait_until(_says(proc, " ready."), f"{proc.name} to be ready", STARTUP)
    for proc in projectors:
        s.wait_until(_says(proc, "projector following the log"), f"{proc.name} to start",
                     STARTUP)
    beat = s.beat("beat")

    load = Load(base, token, str(talk), today, deadline=0.0)
    with requests.Session() as session:  # something to update from the first request
        load.deadline = time.monotonic() + STARTUP
        for n in range(10):
            load.create(session, f"seed-{n}", random.Random(-n - 1))
    assert len(load.made) == 10, load.calls

    # -- a minute of load --------------------------------------------------------------
    head_before = s.app.recorder.max_notification_id() or 0
    seeded = len(load.calls)
    clients = [threading.Thread(target=load.client, args=(n,), name=f"client-{n}",
                                daemon=True) for n in range(CLIENTS)]
    begun = time.monotonic()
    load.deadline = begun + DURATION
    for thread in clients:
        thread.start()
    # Watching the processes meanwhile: one that dies fails the test at once.
    s.wait_until(lambda: not any(t.is_alive() for t in clients), "the load to end",
                 DURATION + CLIENT_TIMEOUT + 30, pause=0.5)
    elapsed = time.monotonic() - begun
    head_after_load = s.app.recorder.max_notification_id() or 0
    assert not load.errors, load.errors
    calls = load.calls[seeded:]  # the seeds are not the load

    # -- settling ----------------------------------------------------------------------
    expected = [_expected(d, today) for d in load.due]
    wanted = {m.message_id for m in expected}
    s.wait_until(lambda: wanted <= {m.header("Message-ID") for m in s.smtp.received},
                 f"the {len(wanted)} reminders due", SETTLE, pause=0.2)
    mark = _scans(s)
    s.wait_until(lambda: _scans(s) >= mark + 2, "two more scans", 10 * SCAN_SECONDS)
    s.stop(beat)
    s.wait_until(lambda: s.tasks().idle, "the workers to finish what they took")
    for proc in workers:
        s.stop(proc)
    _stop(s, web)
    head = s.app.recorder.max_notification_id() or 0
    view = s.queries.view
    s.wait_until(lambda: view.position() == head, f"the projectors to reach {head}", SETTLE,
                 pause=0.1)
    for proc in projectors:
        _stop(s, proc)
    if datetime.now(ZONE).date() != today:
        pytest.fail("the date changed in Asia/Ho_Chi_Minh during the test: run it again")

    # -- what the clients were told ----------------------------------------------------
    by_status = Counter(c.status for c in calls)
    failed = [c for c in calls if c.status < 0 or c.status >= 500]
    assert not failed, f"{len(failed)} failures, first: {failed[:5]}\n{s.logs()}"
    # The only refusal a well-formed request may get under load: a stream
    # that kept changing under five attempts in a row.
    refused = [c for c in calls if 400 <= c.status < 500]
    assert all(c.status == 409 and c.kind.startswith("progress")
               and c.body["error"]["code"] == "version_conflict" for c in refused), refused[:5]

    # -- the log: every 2xx write once, nothing else -----------------------------------
    # (PostgreSQL leaves gaps in the notification ids: a write that lost a
    # race used some and rolled back.)
    notifications = s.app.recorder.select_notifications(1, head, stop=head)
    events: list[Any] = [s.app.mapper.to_domain_event(n) for n in notifications]
    during = sum(1 for n in notifications if head_before < n.id <= head_after_load)
    types = Counter(type(e).__qualname__ for e in events)
    made = Counter(str(e.text) for e in events if type(e).__qualname__ == "Commitment.Made")
    notes = Counter(str(e.note) for e in events
                    if type(e).__qualname__ == "Commitment.ProgressReported")
    creates = [c for c in load.calls if c.kind == "create"]
    assert all(c.status == 201 for c in creates), [c for c in creates if c.status != 201][:5]
    assert made == Counter(c.key for c in creates), "commitments lost or made twice"
    ids = {str(e.originator_id) for e in events if type(e).__qualname__ == "Commitment.Made"}
    assert ids == set(load.made)
    accepted = Counter(c.key for c in calls if c.kind == "progress" and c.status == 200)
    for group in load.idempotent:
        assert len(group) == 3, group
        # Each copy is answered 200 with the same commitment at the same
        # version, or (after five lost races in a row) 409 having stored nothing.
        ok = [c for c in group if c.status == 200]
        assert all(c in refused for c in group if c not in ok), group
        assert all(c.body == ok[0].body for c in ok), f"one key, different answers: {group}"
        if ok:
            accepted[group[0].key] += 1  # one event for the three
    assert notes == accepted, (
        f"progress events differ from the 2xx answers: lost "
        f"{sorted((accepted - notes).elements())[:10]}, extra or duplicated "
        f"{sorted((notes - accepted).elements())[:10]}")
    assert max(notes.values(), default=1) == 1

    # -- reminders: each due one mailed once, nothing else ------------------------------
    check_mails(s, expected)
    mails = Counter(m.header("Message-ID") for m in s.smtp.received)
    assert set(mails.values()) <= {1}, mails
    check_history(s, {d.commitment_id: [m] for d, m in zip(load.due, expected, strict=True)})
    assert types["ReminderDelivery.Claimed"] == len(expected), types
    assert types["Commitment.ReminderClaimed"] == 0, types  # claims keep out of it
    assert types["Commitment.ReminderSent"] == len(expected), types

    # -- the read tables: consistent, and equal to a rebuild from the log ---------------
    assert check_consistent(view, s.app) == head
    assert len(view.rows("SELECT id FROM rm_commitments")) == len(load.made)
    live = snapshot(view)
    assert s.queries.projector.rebuild() == len(events)
    assert view.position() == head
    rebuilt = snapshot(view)
    differ = [t for t in TABLE_NAMES if live[t] != rebuilt[t]]
    assert not differ, f"read tables that differ from a rebuild: {differ}"
    verdict = _cli(s.env, "audit", "verify").strip().splitlines()[-1]
    assert verdict.startswith(f"ok, {len(events)} events, head "), verdict

    # -- the figures ---------------------------------------------------------------------
    reads = [c for c in calls if c.kind in ("list", "report", "get", "history")]
    writes = [c for c in calls if c.kind not in ("list", "report", "get", "history")]
    kinds = Counter(c.kind for c in calls)
    tasks = s.tasks()
    reminds = tasks.of("reminders.remind", tasks.received)
    results = [r for task in reminds for r in tasks.succeeded.get(task, [])]
    print(
        f"\nmixed load: {len(calls)} requests in {elapsed:.1f} s = "
        f"{len(calls) / elapsed:.0f} requests/s from {CLIENTS} clients, "
        f"gunicorn {WEB_WORKERS} workers, 2 projectors, 2 Celery workers + beat "
        f"({os.cpu_count()} CPUs)\n"
        f"  latency all: {_latency(calls)}; reads: {_latency(reads)}; "
        f"writes: {_latency(writes)}\n"
        f"  by kind: {dict(sorted(kinds.items()))}\n"
        f"  status: 2xx {sum(n for k, n in by_status.items() if 200 <= k < 300)}, "
        f"4xx {sum(n for k, n in by_status.items() if 400 <= k < 500)} "
        f"(409 version_conflict {len(refused)}), "
        f"5xx {sum(n for k, n in by_status.items() if k >= 500)}, no answer "
        f"{by_status.get(-1, 0)}; largest X-Read-Model-Lag {max(c.lag for c in calls)}\n"
        f"  events: {len(events)} in the log, last id {head} ({during} during the load), "
        f"commitments made {len(load.made)}, progress events {sum(notes.values())} "
        f"(of which {len(load.idempotent)} from idempotent triples, "
        f"{3 * len(load.idempotent)} requests), lost 0, duplicated 0; "
        f"by type {dict(sorted(types.items()))}\n"
        f"  reminders: due {len(expected)}, mailed {sum(mails.values())}, duplicates "
        f"{sum(n - 1 for n in mails.values())}; scans {_scans(s)}, remind tasks "
        f"{len(reminds)} (sent {sum('sent 1,' in r for r in results)}, found it begun "
        f"already {sum('already begun' in r for r in results)})\n"
        f"  notification ids left unused by appends rolled back after losing a race "
        f"(each retried or decided again from a fresh read): {head - len(events)}\n"
        f"  read tables equal a rebuild at position {head}; audit: {verdict}; "
        f"test {time.monotonic() - started:.0f} s")


def _says(proc: Proc, words: str) -> Callable[[], bool]:
    return lambda: words in proc.text()


def _scans(s: Stack) -> int:
    tasks = s.tasks()
    return len(tasks.of("reminders.scan", tasks.succeeded))
