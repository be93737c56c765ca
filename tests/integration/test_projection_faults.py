"""The projector as production runs it, `commitments projections run`, as a
separate OS process over a backlog of about 10,000 events: killed half way and
restarted, or run twice at once, it applies every event exactly once, and the
tables it leaves equal the ones a full rebuild makes from the log.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from domain.status import Status
from service.application import Commitments
from service.bootstrap import build, build_queries
from service.queries import Queries
from service.read_model import TABLE_NAMES, TALLIES, ReadModel
from service.settings import Settings
from tests.support import postgres
from tests.support.load import TODAY, Backlog, commitment_events, load_backlog

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
# About 3.4 events each: some 10,000 in all, about a second of catch-up.
BACKLOG = 3000
CATCH_UP_TIMEOUT = 60.0

Snapshot = dict[str, list[tuple[str, ...]]]


# -- stores and processes -------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment naming one empty store: an SQLite folder or a fresh database."""
    env = {"COMMITMENTS_DATA_DIR": str(tmp_path / "data")}
    if request.param == "sqlite":
        yield {**env, "PERSISTENCE_MODULE": "eventsourcing.sqlite"}
        return
    server: postgres.Server = request.getfixturevalue("pg_server")
    with postgres.database(server) as dbname:
        yield {**env, **server.env(dbname)}


@dataclass
class Harness:
    """The application and read side in this process, and the CLI in others."""

    env: dict[str, str]  # for the subprocesses
    logs: Path
    app: Commitments
    queries: Queries
    procs: list[tuple[subprocess.Popen[bytes], Path]] = field(default_factory=list)

    @property
    def view(self) -> ReadModel:
        return self.queries.view

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        log = self.logs / f"{len(self.procs)}-{'-'.join(args)}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([str(BIN / "commitments"), *args], env=self.env,
                                    stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        self.procs.append((proc, log))
        return proc

    def log_of(self, proc: subprocess.Popen[bytes]) -> str:
        [log] = [log for started, log in self.procs if started is proc]
        return log.read_text(errors="replace")

    def cli(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "commitments"), *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (
            f"commitments {' '.join(args)} exited {done.returncode}:\n"
            f"{done.stdout}{done.stderr}")
        return done.stdout

    def stop(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGTERM, which the projector handles by finishing its batch and leaving."""
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
            pytest.fail(f"the projector ignored SIGTERM:\n{self.log_of(proc)}", pytrace=False)
        assert proc.returncode == 0, f"exit {proc.returncode}:\n{self.log_of(proc)}"

    def wait_until(self, done: Callable[[], bool], what: str,
                   timeout: float = CATCH_UP_TIMEOUT, pause: float = 0.02) -> None:
        """Poll `done`; fail early, with its log, if a projector died meanwhile."""
        deadline = time.monotonic() + timeout
        while not done():
            for proc, log in self.procs:
                if proc.poll() is not None and proc.returncode not in (0, -signal.SIGKILL):
                    pytest.fail(f"a projector exited with {proc.returncode} while waiting "
                                f"for {what}:\n{log.read_text(errors='replace')}",
                                pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} within {timeout:.0f} s: position "
                            f"{self.view.position()} of {self.head()}", pytrace=False)
            time.sleep(pause)


@pytest.fixture
def harness(store: dict[str, str], tmp_path: Path) -> Iterator[Harness]:
    app = build(Settings.from_env(store), clock=lambda: TODAY)
    queries = build_queries(app)  # creates the read tables (CREATE_TABLE is on)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("POSTGRES_", "SQLITE_", "PERSISTENCE_MODULE", "COMMITMENTS_"))
           and key != "CREATE_TABLE"}
    env.update(store, PYTHONUNBUFFERED="1")  # log lines as they are written
    logs = tmp_path / "logs"
    logs.mkdir()
    harness = Harness(env=env, logs=logs, app=app, queries=queries)
    try:
        yield harness
    finally:
        for proc, _ in harness.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        queries.close()
        app.close()


# -- what the tables must say ---------------------------------------------------------


def _values(row: Any) -> tuple[Any, ...]:
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)


def snapshot(view: ReadModel) -> Snapshot:
    """Every row of every read table, as text, in a stable order."""
    return {
        table: sorted(tuple(str(value) for value in _values(row))
                      for row in view.rows(f"SELECT * FROM {table}"))
        for table in TABLE_NAMES
    }


def _one(view: ReadModel, sql: str) -> int:
    [row] = view.rows(sql)
    return int(_values(row)[0] or 0)


_RECOUNT = ", ".join(
    [
        f"SUM(CASE WHEN status <> '{Status.PROPOSED.value}' THEN 1 ELSE 0 END) AS total",
        *(f"SUM(CASE WHEN status = '{s.value}' THEN 1 ELSE 0 END) AS {s.value}"
          for s in Status),
        "SUM(CASE WHEN status = 'fulfilled' AND fulfilled_on <= due_on THEN 1 ELSE 0 END) "
        "AS fulfilled_on_time",
        "SUM(CASE WHEN status = 'fulfilled' AND fulfilled_on > due_on THEN 1 ELSE 0 END) "
        "AS fulfilled_late",
        "SUM(CASE WHEN status = 'fulfilled' AND fulfilled_on <= original_due_on THEN 1 "
        "ELSE 0 END) AS fulfilled_by_original_date",
        "SUM(CASE WHEN verdict = 'verified' THEN 1 ELSE 0 END) AS verified",
        "SUM(CASE WHEN verdict = 'disputed' THEN 1 ELSE 0 END) AS disputed",
    ]
)


def check_consistent(view: ReadModel, app: Commitments) -> int:
    """The tables hold each event up to their position once, and nothing after it;
    the counters say what the commitments rows say. Returns the position."""
    position = view.position()
    events = commitment_events(app, position)
    history = _one(view, "SELECT COUNT(*) FROM rm_history")
    assert history == events, f"{history} history rows for {events} commitment events"
    assert _one(view, "SELECT SUM(version) FROM rm_commitments") == history
    # Each commitment's history is exactly its versions 1..version.
    assert _one(view, "SELECT COUNT(*) FROM rm_commitments c JOIN (SELECT commitment_id, "
                      "COUNT(*) AS n, MIN(version) AS lo, MAX(version) AS hi FROM rm_history "
                      "GROUP BY commitment_id) h ON h.commitment_id = c.id "
                      "WHERE h.n = c.version AND h.lo = 1 AND h.hi = c.version"
                ) == _one(view, "SELECT COUNT(*) FROM rm_commitments")
    # The counters, recounted from the rows they summarise.
    expected = {}
    for scope, column in (("agency", "agency"), ("dialogue", "dialogue_id")):
        for row in view.rows(f"SELECT {column} AS key, {_RECOUNT} FROM rm_commitments "
                             f"GROUP BY {column}"):
            expected[(scope, str(row["key"]))] = {t: int(row[t]) for t in TALLIES}
    found = {(row["scope"], row["key"]): {t: int(row[t]) for t in TALLIES}
             for row in view.rows("SELECT * FROM rm_counters")}
    assert found == expected
    return position


def check_equals_rebuild(harness: Harness, backlog: Backlog) -> None:
    view = harness.view
    assert view.position() == backlog.head
    check_consistent(view, harness.app)
    assert _one(view, "SELECT COUNT(*) FROM rm_commitments") == backlog.commitments
    assert _one(view, "SELECT COUNT(*) FROM rm_history") == backlog.commitment_events
    assert _one(view, "SELECT COUNT(*) FROM rm_agencies") == 4
    assert _one(view, "SELECT COUNT(*) FROM rm_agencies WHERE successor IS NOT NULL") == 1
    before = snapshot(view)
    assert harness.queries.projector.rebuild() == backlog.head
    after = snapshot(view)
    for table in TABLE_NAMES:
        assert before[table] == after[table], f"{table} differs from a rebuild"
    assert view.position() == backlog.head


def _following_from(log: str) -> int:
    found = re.search(r"projector following the log from position (\d+)", log)
    assert found, log
    return int(found.group(1))


# -- tests ----------------------------------------------------------------------------


def test_a_projector_killed_half_way_resumes_without_applying_an_event_twice(
    harness: Harness,
) -> None:
    backlog = load_backlog(harness.app, BACKLOG)
    head = backlog.head
    assert harness.view.position() == 0
    first = harness.start("projections", "run")
    # Kill it once a quarter of the log is in: batches of 500 take tens of
    # milliseconds each, and this loop looks every 2 ms.
    harness.wait_until(lambda: harness.view.position() >= head // 4, "first quarter",
                       pause=0.002)
    first.kill()
    first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    killed_at = check_consistent(harness.view, harness.app)
    assert 0 < killed_at < head, f"killed at {killed_at} of {head}: not half way"

    second = harness.start("projections", "run")
    harness.wait_until(lambda: harness.view.position() == head, "catch-up after restart")
    harness.stop(second)
    assert _following_from(harness.log_of(second)) == killed_at
    check_equals_rebuild(harness, backlog)


@pytest.mark.parametrize("store", ["postgres"], indirect=True)
def test_two_projectors_at_once_apply_each_event_once(harness: Harness) -> None:
    backlog = load_backlog(harness.app, BACKLOG)
    copies = [harness.start("projections", "run") for _ in range(2)]
    harness.wait_until(lambda: harness.view.position() == backlog.head, "catch-up")
    for proc in copies:
        harness.stop(proc)
    # Both really followed the log while it was behind: they raced.
    for proc in copies:
        assert _following_from(harness.log_of(proc)) < backlog.head, harness.log_of(proc)
    check_equals_rebuild(harness, backlog)


_STATUS = re.compile(r"^read_model: position (\d+) of (\d+), lag (\d+) events(.*)$")


def test_status_reports_the_lag_and_rebuild_says_it_is_done(harness: Harness) -> None:
    backlog = load_backlog(harness.app, 60)
    head = backlog.head
    harness.queries.projector.catch_up(limit=50)

    def status() -> tuple[int, int, int, str]:
        [line] = harness.cli("projections", "status").splitlines()
        found = _STATUS.match(line)
        assert found, line
        position, of, lag = map(int, found.group(1, 2, 3))
        return position, of, lag, found.group(4)

    position, of, lag, rest = status()
    assert (position, of, lag) == (50, head, head - 50)
    assert re.fullmatch(r", oldest unapplied event \d+\.\d s old", rest), rest

    harness.queries.projector.catch_up()
    assert status() == (head, head, 0, "")
    caught_up = snapshot(harness.view)

    out = harness.cli("projections", "rebuild")
    assert out.splitlines()[-1] == f"rebuilt from {head} events; position {head}", out
    assert status() == (head, head, 0, "")
    assert snapshot(harness.view) == caught_up
    check_consistent(harness.view, harness.app)


@pytest.mark.parametrize("store", ["postgres"], indirect=True)
def test_a_rebuild_leaves_a_running_projector_running(harness: Harness) -> None:
    backlog = load_backlog(harness.app, 3)  # a short log: batches take a millisecond
    running = harness.start("projections", "run")
    harness.wait_until(lambda: harness.view.position() == backlog.head, "catch-up")
    for _ in range(20):
        harness.queries.projector.rebuild()
        assert running.poll() is None, (
            f"the projector died during a rebuild:\n{harness.log_of(running)}")
    harness.wait_until(lambda: harness.view.position() == backlog.head, "catch-up")
    harness.stop(running)
    check_equals_rebuild(harness, backlog)
