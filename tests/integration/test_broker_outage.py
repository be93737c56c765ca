"""The broker stopped for a minute while reminders are due: they are sent
after it comes back, once each.

Real processes, as the Procfile runs them: a Celery worker (the default
prefork pool, one child) and a beat, on a `redis-server` of the test's own
(`tests.support.brokers.own_redis`, never the machine's shared one); the
reminder mails go to a real SMTP server on loopback; the store is a
PostgreSQL database of the test's own.

The broker restarts empty (no persistence), the hardest case for delivery:

- one reminder is in the middle of its send (held by the SMTP server inside
  DATA) when the broker stops: its worker finishes it while the broker is
  away and cannot acknowledge it;
- the other reminders the last scan queued are waiting in the broker, and are
  lost with it;
- more reminders fall due while it is away (commitments recorded then): no
  scan can be queued to find them.

After the broker is back on the same port, the worker and the beat (the same
processes: they must survive and reconnect, Celery's broker_connection_retry)
carry on, and every reminder reaches the SMTP server exactly once, with
exactly one claim (in the delivery's own stream) and one confirmed
ReminderSent in its commitment's history.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from domain.reminders import Rung
from tests.integration import test_reminders as reminders
from tests.integration.test_reminders import (
    AUDITORS,
    CHAIR,
    CLERK,
    HEAD,
    Mail,
    Proc,
    Stack,
    agency,
    check_history,
    check_mails,
    commitment,
    day,
    dialogue,
    mail,
)
from tests.support import brokers

pytestmark = pytest.mark.integration

# The fixture of test_reminders: a database, an SMTP server and the
# application of the test's own, and every process it starts killed at the end.
stack = reminders.stack

OUTAGE = 60.0  # seconds the broker is down: the minute
SCAN_SECONDS = 2.0  # beat's period (REMINDER_SCAN_SECONDS)
STARTUP = 30.0
# After the restart: the worker retries its connection 2, 4, 6, ... s apart
# (at most 30 s; kombu's defaults), then a scan, then the sends.
RECOVERY = 90.0
# Held inside DATA this long after the broker stopped, then answered.
HELD_INTO_OUTAGE = 3.0
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the service's default: beat scans for its today

CONTACTS = [{"email": CLERK, "role": "Văn thư"}, {"email": HEAD, "role": "giám đốc"}]
LOST = re.compile(r"consumer: Connection to broker lost|Cannot connect to redis://")
CONNECTED = re.compile(r"Connected to redis://\S*127\.0\.0\.1:\d+/0")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[brokers.OwnRedis]:
    """Requested before `stack`: torn down after its processes are killed."""
    with brokers.own_redis(tmp_path / "redis") as server:
        yield server


def _expected(commitment_id: UUID, text: str, rung: Rung, due: int, today: date) -> Mail:
    """The mail `rung` must be for a commitment due `due` days from `today`."""
    due_on = day(due, today)
    to, cc = {
        Rung.DUE_SOON: ([CLERK, HEAD], []),
        Rung.OVERDUE: ([CLERK, HEAD], [AUDITORS]),
        Rung.ESCALATION: ([HEAD, CHAIR], [AUDITORS]),
    }[rung]
    return mail(commitment_id, text, rung, due_on, today, to, cc)


def test_reminders_due_while_the_broker_is_down_are_sent_after_once_each(
        redis_server: brokers.OwnRedis, stack: Callable[..., Stack]) -> None:
    started = time.monotonic()
    s = stack("redis", REMINDER_SCAN_SECONDS=f"{SCAN_SECONDS:g}")
    # Every process uses the broker of the test's own, with Celery's default
    # visibility timeout (an hour): nothing is handed out twice by the clock.
    on_own = {"CELERY_BROKER_URL": redis_server.url, "CELERY_VISIBILITY_TIMEOUT": "3600"}
    today = datetime.now(ZONE).date()
    code = agency(s, "SXD", CONTACTS)
    talk = dialogue(s, day(-60, today))

    # Due before the outage: (text, rung, due date in days from today).
    plan_before = {
        "soon": ("Rà soát quỹ nhà ở xã hội cho công nhân", Rung.DUE_SOON, 2),
        "late": ("Công bố danh sách dự án nhà ở xã hội", Rung.OVERDUE, -3),
        "long_late": ("Hướng dẫn thủ tục mua nhà ở xã hội", Rung.ESCALATION, -31),
    }
    # Falling due while the broker is away: recorded then.
    plan_during = {
        "soon2": ("Mở điểm tiếp nhận hồ sơ tại khu công nghiệp", Rung.DUE_SOON, 5),
        "late2": ("Kiểm tra việc đóng bảo hiểm xã hội", Rung.OVERDUE, -1),
        "long_late2": ("Quy hoạch thiết chế công đoàn", Rung.ESCALATION, -45),
    }
    made = {name: commitment(s, code, talk, day(due, today), text)
            for name, (text, _, due) in plan_before.items()}

    # The first reminder to reach the SMTP server is held inside DATA.
    release = s.smtp.handler.hold_next()
    # The pool the Procfile's worker runs (prefork; Stack.worker runs solo): the
    # main process holds the broker connection while a child sends.
    worker = s._start("worker", ["worker", "--concurrency=1", "-l", "info", "-n", "worker@%h"],
                      {**s.env, **on_own})
    s.wait_until(lambda: " ready." in worker.text(), "the worker to be ready", STARTUP)
    beat = s.beat("beat", **on_own)
    s.wait_until(s.smtp.handler.holding.is_set, "the first reminder to reach the SMTP server",
                 STARTUP)
    held = s.wait_until(
        lambda: [n for n, c in made.items() if s.claims(c)],
        "the held reminder's claim")
    # The scan queued the other two: they wait in the broker, behind the held one.
    s.wait_until(lambda: _queued(redis_server, "reminders.remind") >= 2,
                 "the other reminders to wait in the broker")
    queued_at_stop = _queued(redis_server, "reminders.remind")

    # -- the outage ---------------------------------------------------------------------
    redis_server.stop()
    down = time.monotonic()
    made |= {name: commitment(s, code, talk, day(due, today), text)
             for name, (text, _, due) in plan_during.items()}
    time.sleep(HELD_INTO_OUTAGE)
    release.set()  # the held send ends while the broker is away
    [held_name] = held
    s.wait_until(lambda: s.history(made[held_name]),
                 "the held reminder to be recorded as sent", 15)
    s.wait_until(lambda: time.monotonic() - down >= OUTAGE, "the end of the outage",
                 OUTAGE + 10, pause=0.5)  # failing at once if a process dies
    sent_while_down = len(s.smtp.received)
    lost_lines = len(LOST.findall(worker.text()))
    beat_errors = beat.text().count("Message Error")
    redis_server.start()
    back, back_wall = time.monotonic(), time.time()

    # -- after ---------------------------------------------------------------------------
    plans = plan_before | plan_during
    expected = [_expected(made[name], text, rung, due, today)
                for name, (text, rung, due) in plans.items()]
    wanted = {m.message_id for m in expected}
    s.wait_until(lambda: wanted <= {m.header("Message-ID") for m in s.smtp.received},
                 "every reminder after the broker came back", RECOVERY, pause=0.1)
    all_in = time.monotonic()
    connected = _connected_again(worker)
    reconnected = None if connected is None else connected - back_wall

    # Beat keeps scanning: three more scans end, and send nothing more.
    mark = _scans(s)
    s.wait_until(lambda: _scans(s) >= mark + 3, "three more scans", 10 * SCAN_SECONDS)
    # The same processes, alive throughout: they reconnected, nobody restarted them.
    assert worker.popen.poll() is None and beat.popen.poll() is None, s.logs()
    s.stop(beat)
    s.wait_until(lambda: s.tasks().idle, "the worker to finish what it took")
    if datetime.now(ZONE).date() != today:
        pytest.fail("the date changed in Asia/Ho_Chi_Minh during the test: run it again")

    assert worker.popen.poll() is None, s.logs()
    assert lost_lines >= 1, f"the worker never noticed the broker was gone:\n{worker.tail()}"
    assert reconnected is not None, f"the worker never reconnected:\n{worker.tail()}"

    # Exactly the expected mails, one SMTP transaction each; one claim and one
    # confirmed ReminderSent each.
    check_mails(s, expected)
    counts = Counter(m.header("Message-ID") for m in s.smtp.received)
    assert set(counts.values()) == {1}, counts
    check_history(s, {made[name]: [m] for name, m in zip(plans, expected, strict=True)})
    assert sent_while_down == 1, (
        f"{sent_while_down} mails while the broker was down: only the held one can be")
    tasks = s.tasks()
    reminds = tasks.of("reminders.remind", tasks.received)
    print(
        f"\nbroker outage {back - down:.1f} s (redis-server on port {redis_server.port}, "
        f"restarted empty): reminders expected {len(expected)} "
        f"({len(plan_before)} due before it, {len(plan_during)} falling due during it), "
        f"mails received {len(s.smtp.received)}, duplicates "
        f"{sum(n - 1 for n in counts.values())}; "
        f"in flight at the stop 1 (finished during the outage), queued and lost "
        f"{queued_at_stop}; mails while down {sent_while_down}; "
        f"worker connection-loss log lines {lost_lines}, beat publish errors {beat_errors}; "
        f"worker reconnected {reconnected:.1f} s after the restart, every reminder in "
        f"{all_in - back:.1f} s after it; remind tasks received {len(reminds)}, "
        f"scans run {_scans(s)}; test {time.monotonic() - started:.0f} s")


def _queued(server: brokers.OwnRedis, task: str) -> int:
    """Messages for `task` waiting in the broker's `celery` list."""
    client = server.client()
    try:
        return sum(1 for raw in client.lrange(brokers.QUEUE, 0, -1)
                   if f'"task": "{task}"'.encode() in raw)
    finally:
        client.close()


def _scans(s: Stack) -> int:
    tasks = s.tasks()
    return len(tasks.of("reminders.scan", tasks.succeeded))


def _connected_again(worker: Proc) -> float | None:
    """When (Unix time, from its log's timestamps) the worker logged a new
    connection after its first connection-loss line; None if it did not."""
    stamps = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): ", re.MULTILINE)
    lost_at = None
    for line in worker.text().splitlines():
        stamp = stamps.match(line)
        if not stamp:
            continue
        at = datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
        if lost_at is None and LOST.search(line):
            lost_at = at
        elif lost_at is not None and CONNECTED.search(line):
            return at
    return None
