"""PostgreSQL crashes and restarts while writers run, through a real gunicorn.

The server is a throwaway cluster of this test's own (never the machine's
shared PostgreSQL, which other tests use), stopped with `pg_ctl -m immediate`
(a crash: no shutdown checkpoint, crash recovery on start) and started again
on the same data folder and port.

What is asserted: while it is down a write is answered 503 with the clear
message and Retry-After (never a 500, never a hang); after it is back every
writer's writes succeed again; every write answered 2xx is in the store, once,
at the version its answer named; a note sent again after a 503 (same
Idempotency-Key) is never stored twice.

Timing, which the outage is placed to fit:
- eventsourcing retries each store call 10 times, 0.2 s apart, each attempt
  waiting up to POSTGRES_CONNECT_TIMEOUT (1 s here, its smallest value) for a
  pooled connection. The request in flight in each gunicorn worker when the
  server dies burns the pool's dead connections fast and answers 503 about 6 s
  into the outage; a request meeting an empty pool gives up after 11.8 s.
  Outages shorter than that are ridden out: the request waits, then succeeds.
- psycopg_pool reconnects with backoff: about 1, 3, 7, 15, 31 s (x 0.9-1.1)
  after a connection was lost. A server back before about 13 s is found by
  the 15 s attempt at the latest, in time for every request still waiting;
  one back at 18 s waits for the 31 s attempt, and writes sent after the
  restart would be answered 503 while the server is up.
Hence the server is started again as soon as every writer has had its 503
(about 6 s in), and is back 6 to 11 s after the crash (`pg_ctl start`, with
crash recovery, takes 0.3 to 5 s on a busy two-core machine).
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from domain.access import Role
from service.bootstrap import build, build_queries
from service.settings import Settings
from tests.integration.conftest import (
    LiveServer,
    _tail,
    gunicorn,
)
from tests.support import postgres

pytestmark = pytest.mark.integration

WRITERS = ("w0", "w1", "w2")
GUNICORN_WORKERS = len(WRITERS)  # no request queues behind one waiting on the store
STOP_MODE = "immediate"
BEFORE = 2.0  # seconds of writing before PostgreSQL stops
FIRST_503 = 20.0  # at most this long after the stop until every writer had a 503
RECOVERY = 15.0  # at most this long after the restart until every writer has a 2xx
AFTER = 1.0  # and then this long more of writing
CLIENT_TIMEOUT = 25.0  # a request without an answer by then is a hang
RETRY_PAUSE = 0.2  # before sending a 503'd note again
MESSAGE = ("the event store is not reachable, so the request may not have been carried out; "
           "retry it shortly (a write with the same Idempotency-Key is never stored twice)")


@dataclass(frozen=True)
class Answer:
    """One request and what came back."""

    writer: str
    note: str
    started: float  # time.monotonic()
    ended: float
    wall: float  # time.time() when sent, to compare with events' timestamps
    status: int | str  # the HTTP status, or what the client got instead of one
    body: Any
    retry_after: str | None


def _post(base: str, token: str, path: str, body: Any, key: str
          ) -> tuple[int | str, Any, str | None]:
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST")
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", "application/json")
    req.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(req, timeout=CLIENT_TIMEOUT) as response:
            return response.status, json.loads(response.read() or b"null"), None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            reply: Any = json.loads(raw or b"null")
        except ValueError:
            reply = raw.decode(errors="replace")
        return error.code, reply, error.headers.get("Retry-After")
    except (urllib.error.URLError, OSError) as error:  # timeout, reset, refused
        return f"no answer: {error!r}", None, None


def _writer(name: str, base: str, token: str, commitment_id: str, stop: threading.Event,
            answers: list[Answer]) -> None:
    """Progress notes `name-0`, `name-1`, ..., each under an Idempotency-Key of
    its own. A note answered 503 is sent again with the same key (what a client
    told Retry-After does) until it gets another answer or the run ends."""
    path = f"/api/v1/commitments/{commitment_id}/updates"
    n = 0
    while not stop.is_set():
        note, key = f"{name}-{n}", uuid.uuid4().hex
        n += 1
        while True:
            started, wall = time.monotonic(), time.time()
            status, body, retry_after = _post(
                base, token, path, {"action": "progress", "note": note}, key)
            answers.append(Answer(name, note, started, time.monotonic(), wall, status, body,
                                  retry_after))
            if status != 503 or stop.is_set():
                break
            time.sleep(RETRY_PAUSE)


def _stored(env: dict[str, str], commitment_ids: list[str]) -> dict[str, list[tuple[int,
                                                                                   float]]]:
    """Each progress note in the store: (version, timestamp) of every event carrying it."""
    app = build(Settings.from_env({**env, "CREATE_TABLE": "n"}))
    try:
        found: dict[str, list[tuple[int, float]]] = {}
        for cid in commitment_ids:
            event: Any
            for event in app.events.get(uuid.UUID(cid)):
                if type(event).__name__ == "ProgressReported":
                    found.setdefault(event.note, []).append(
                        (event.originator_version, event.timestamp.timestamp()))
        return found
    finally:
        app.close()


def _show(answers: list[Answer], t0: float) -> str:
    return "\n".join(f"{a.writer} {a.note} {a.started - t0:.2f}-{a.ended - t0:.2f}s "
                     f"{a.status} {a.body!r} Retry-After={a.retry_after}" for a in answers)


def test_writes_through_a_postgres_restart(tmp_path: Path) -> None:
    began = time.monotonic()
    with postgres.restartable() as cluster, postgres.database(cluster.server) as dbname:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("POSTGRES_", "SQLITE_", "PERSISTENCE_MODULE"))}
        env.pop("CREATE_TABLE", None)
        env.update(cluster.server.env(dbname), COMMITMENTS_DATA_DIR=str(tmp_path),
                   # How long a request waits for a pooled connection, per attempt.
                   POSTGRES_CONNECT_TIMEOUT="1")
        setup = build(Settings.from_env(env))  # what `commitments init` does
        try:
            build_queries(setup).close()
            token = setup.issue_token(Role.ADMIN, label="postgres restart")
        finally:
            setup.close()
        log = tmp_path / "gunicorn.log"
        answers: list[Answer] = []
        stop = threading.Event()
        with gunicorn(env, log, GUNICORN_WORKERS) as base:
            live = LiveServer(base_url=base, env=env, token=token, log=log)
            live.create("/api/v1/agencies", {"code": "SYT", "name": "Sở Y tế"})
            dialogue = live.create("/api/v1/dialogues", {
                "title": "Hội nghị đối thoại 2024", "held_on": "2024-05-10",
                "chair": "Chủ tịch UBND tỉnh"})["id"]
            # A commitment per writer: no version conflicts between writers.
            commitments = {name: live.create("/api/v1/commitments", {
                "agency": "SYT", "kind": "review", "dialogue_id": dialogue,
                "text": f"Sẽ xem xét chế độ phụ cấp ({name})."})["id"] for name in WRITERS}
            threads = [threading.Thread(target=_writer, daemon=True,
                                        args=(name, base, token, cid, stop, answers))
                       for name, cid in commitments.items()]
            t0 = time.monotonic()
            try:
                for thread in threads:
                    thread.start()
                time.sleep(BEFORE)
                down_at = time.monotonic()
                cluster.stop(STOP_MODE)
                stopped_at = time.monotonic()
                # Started again once every writer's request has been refused
                # (see the module docstring for why not later).
                while time.monotonic() < stopped_at + FIRST_503:
                    if {a.writer for a in list(answers) if a.status == 503} == set(WRITERS):
                        break
                    time.sleep(0.05)
                restarting_at = time.monotonic()
                cluster.start()
                up_at = time.monotonic()
                while time.monotonic() < up_at + RECOVERY:
                    if {a.writer for a in list(answers)
                            if a.status == 200 and a.started > up_at} == set(WRITERS):
                        break
                    time.sleep(0.1)
                recovered = time.monotonic() - up_at
                time.sleep(AFTER)
            finally:
                stop.set()
                for thread in threads:
                    thread.join(CLIENT_TIMEOUT + 5)
            hung = [thread.name for thread in threads if thread.is_alive()]
        assert not hung, f"writers still waiting for an answer: {hung}\n{_tail(log)}"
        stored = _stored(env, list(commitments.values()))
        pg_log = cluster.log()

    # -- what the clients saw, counted -----------------------------------------------
    statuses = Counter(a.status for a in answers)
    ok = [a for a in answers if a.status == 200]
    unavailable = [a for a in answers if a.status == 503]
    others = [a for a in answers if a.status not in (200, 503)]
    first_503 = min((a.ended - down_at for a in unavailable), default=float("nan"))
    print(f"\nrequests: {len(answers)}; 2xx {len(ok)}, 503 {len(unavailable)}, "
          f"others {len(others)} {dict(statuses)}")
    print(f"setup {t0 - began:.1f} s; PostgreSQL down {down_at - t0:.1f}-{up_at - t0:.1f} s, "
          f"{up_at - down_at:.1f} s (stop took {stopped_at - down_at:.1f} s, start "
          f"{up_at - restarting_at:.1f} s); "
          f"first 503 {first_503:.1f} s into the outage; every writer had a 2xx "
          f"{recovered:.1f} s after the restart; slowest request "
          f"{max(a.ended - a.started for a in answers):.1f} s")

    # -- what the store kept ------------------------------------------------------
    # Counting: a note is one write; all its attempts carry one Idempotency-Key.
    # A note answered 2xx must be stored exactly once, at the version its answer
    # named (a replayed answer names the version first stored). A note never
    # answered 2xx (its attempts were answered 503 when the run ended) may be
    # stored at most once: an attempt can commit and lose its answer with the
    # server. A note counts as "stored by an attempt answered 503" when its
    # event is older than its first 2xx attempt: that 2xx replayed a write
    # committed by an earlier attempt, which the client was told (503)
    # may not have been carried out. That is expected (the key makes the retry
    # safe), and printed.
    sent = {a.note for a in answers}
    versions = {a.note: a.body["version"] for a in ok}
    twice = {note: events for note, events in stored.items() if len(events) > 1}
    unknown = set(stored) - sent
    lost = sorted(note for note in versions if note not in stored)
    misplaced = {note: (version, stored[note][0][0]) for note, version in versions.items()
                 if note in stored and stored[note][0][0] != version}
    first_ok: dict[str, Answer] = {}
    for a in ok:
        first_ok.setdefault(a.note, a)
    replayed = sorted(note for note, a in first_ok.items()
                      if note in stored and stored[note][0][1] < a.wall)
    retried = {a.note for a in unavailable}
    unresolved = sent - set(versions)
    print(f"notes: sent {len(sent)}, answered 2xx {len(versions)}, in the store "
          f"{len(stored)}, lost {len(lost)}, stored twice {len(twice)}; sent again after a "
          f"503 {len(retried)}, stored by an attempt answered 503 {len(replayed)} {replayed}; "
          f"never answered 2xx {len(unresolved)}, of which stored "
          f"{len(unresolved & set(stored))}; test {time.monotonic() - began:.1f} s")
    assert not lost, f"answered 2xx but not in the store: {lost}"
    assert not twice, f"notes stored more than once: {twice}"
    assert not unknown, f"notes nobody sent: {unknown}"
    assert not misplaced, f"(answered version, stored version): {misplaced}"

    # -- what the clients saw, asserted ---------------------------------------------
    gunicorn_log = _tail(log)
    assert not others, f"answers other than 200 and 503:\n{_show(others, t0)}\n{gunicorn_log}"
    for a in unavailable:
        assert a.body == {"error": {"code": "unavailable", "message": MESSAGE, "fields": {}}}, \
            _show([a], t0)
        assert a.retry_after == "5", _show([a], t0)
        # Refused only while the store was away: sent before it was back, and
        # not answered before it went.
        assert a.started < up_at and a.ended > down_at, (
            f"503 outside the outage {down_at - t0:.2f}-{up_at - t0:.2f}s:\n{_show([a], t0)}")
    accepted_while_down = [a for a in ok if a.started > stopped_at and a.ended < restarting_at]
    assert not accepted_while_down, _show(accepted_while_down, t0)
    for name in WRITERS:
        mine = [a for a in answers if a.writer == name]
        assert any(a.status == 503 for a in mine), f"{name} never saw the outage"
        assert any(a.status == 200 and a.started > up_at for a in mine), (
            f"{name} had no 2xx within {RECOVERY:.0f} s of the restart:\n"
            f"{_show(mine[-5:], t0)}\n{gunicorn_log}\n{pg_log}")
