"""Two OS processes writing to one commitment through a real multi-worker
gunicorn on PostgreSQL: no accepted update is lost, no refused one is kept.

Each writer is a separate Python process (stdlib only, so it starts fast);
both wait at a barrier and then race, round after round, GET then POST.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

import pytest

from tests.integration.conftest import LiveServer, gunicorn

pytestmark = pytest.mark.integration

HELD_ON = "2024-05-10"
ROUNDS = 40
WRITERS = ("alpha", "beta")

# argv: base_url token commitment_id name rounds if_match(0/1)
# stdout: "ready", then (after a line on stdin) one JSON list of
# [note, status, sent_version, reply_version, error] per round.
WRITER = textwrap.dedent(
    """
    import json, sys, urllib.error, urllib.request

    base, token, cid, name, rounds, if_match = sys.argv[1:]

    def call(method, path, body=None, headers=()):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(base + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        for key, value in headers:
            req.add_header(key, value)
        try:
            with urllib.request.urlopen(req, timeout=15) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, raw.decode(errors="replace")
        except Exception as error:
            return -1, repr(error)

    print("ready", flush=True)
    sys.stdin.readline()
    results = []
    path = "/api/v1/commitments/" + cid
    for n in range(int(rounds)):
        note = f"{name}-{n}"
        status, body = call("GET", path)
        if status != 200:
            results.append([note, "GET %s" % status, None, None, body])
            continue
        version = body["version"]
        headers = [("If-Match", f'"{version}"')] if if_match == "1" else []
        status, body = call("POST", path + "/updates",
                            {"action": "progress", "note": note}, headers)
        reply_version = body.get("version") if isinstance(body, dict) else None
        error = None if status == 200 else body
        results.append([note, status, version, reply_version, error])
    print(json.dumps(results), flush=True)
    """
)


@dataclass(frozen=True)
class Result:
    note: str
    status: int | str
    sent_version: int | None
    reply_version: int | None
    error: Any


@pytest.fixture(scope="module")
def dialogue(live_server: LiveServer) -> str:
    """An agency and a dialogue that each test's commitment comes from."""
    live_server.create("/api/v1/agencies", {"code": "SYT", "name": "Sở Y tế"})
    body = live_server.create("/api/v1/dialogues", {
        "title": "Hội nghị đối thoại 2024", "held_on": HELD_ON,
        "chair": "Chủ tịch UBND tỉnh",
    })
    dialogue_id: str = body["id"]
    return dialogue_id


def _commitment(server: LiveServer, dialogue_id: str) -> str:
    body = server.create("/api/v1/commitments", {
        "agency": "SYT", "kind": "review", "dialogue_id": dialogue_id,
        "text": f"Sẽ xem xét chế độ phụ cấp ({uuid.uuid4().hex[:6]}).",
    })
    assert body["version"] == 1, body
    commitment_id: str = body["id"]
    return commitment_id


def _race(server: LiveServer, commitment_id: str, if_match: bool,
          writers: tuple[str, ...] = WRITERS, rounds: int = ROUNDS) -> list[Result]:
    """The writers started, released together, and their reports gathered."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, server.base_url, server.token, commitment_id,
             name, str(rounds), "1" if if_match else "0"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for name in writers
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            ready = proc.stdout.readline().strip()
            assert ready == "ready", (ready, proc.stderr.read() if proc.stderr else "")
        for proc in procs:  # the barrier: both are waiting on stdin
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results: list[Result] = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            results.extend(Result(*row) for row in json.loads(out))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert len(results) == rounds * len(writers)
    return results


def _notes_in_history(server: LiveServer, commitment_id: str) -> Counter[str]:
    # The writers were other processes: the read names the log's head, so
    # that it sees all they wrote.
    head = server.get("/healthz")["events"]
    status, history = server.request("GET", f"/api/v1/commitments/{commitment_id}/history",
                                     headers={"X-Read-After": str(head)})
    assert status == 200, history
    assert history[0]["type"] == "Made", history[0]
    updates = history[1:]
    assert {entry["type"] for entry in updates} <= {"ProgressReported"}, updates
    assert [entry["version"] for entry in history] == list(range(1, len(history) + 1))
    for entry in updates:
        assert entry["actor"], entry
        assert entry["at"], entry
    return Counter(entry["data"]["note"] for entry in updates)


def _unexpected(results: list[Result], allowed: set[int]) -> list[Result]:
    return [r for r in results if r.status not in allowed]


def test_if_match_writers_conflict_but_lose_nothing(
    live_server: LiveServer, dialogue: str
) -> None:
    commitment_id = _commitment(live_server, dialogue)

    results = _race(live_server, commitment_id, if_match=True)

    assert not _unexpected(results, {200, 409}), _unexpected(results, {200, 409})
    accepted = {r.note for r in results if r.status == 200}
    refused = {r.note for r in results if r.status == 409}
    assert refused, "two writers racing with If-Match never got a 409"
    assert accepted, "no update was accepted"
    for r in results:
        if r.status == 200:
            # Accepted exactly on top of the version the writer had read.
            assert r.reply_version == r.sent_version + 1, r
        else:
            assert r.error["error"]["code"] == "version_conflict", r
    in_history = _notes_in_history(live_server, commitment_id)
    assert set(in_history) == accepted
    assert all(count == 1 for count in in_history.values()), in_history
    assert not refused & set(in_history)
    final = live_server.get(f"/api/v1/commitments/{commitment_id}")
    assert final["version"] == 1 + len(accepted)


def test_writers_without_if_match_are_all_accepted(
    live_server: LiveServer, dialogue: str
) -> None:
    commitment_id = _commitment(live_server, dialogue)

    results = _race(live_server, commitment_id, if_match=False)

    assert not _unexpected(results, {200}), _unexpected(results, {200})
    notes = {r.note for r in results}
    assert len(notes) == ROUNDS * len(WRITERS)
    in_history = _notes_in_history(live_server, commitment_id)
    assert set(in_history) == notes
    assert all(count == 1 for count in in_history.values()), in_history
    final = live_server.get(f"/api/v1/commitments/{commitment_id}")
    assert final["version"] == 1 + len(notes)
    # Every reply names a distinct version: each update landed on its own.
    assert len({r.reply_version for r in results}) == len(results)


def test_eight_writers_without_if_match_are_all_accepted(
    live_server: LiveServer, dialogue: str
) -> None:
    """Issue 14: eight clients at once, 400 updates, none refused as a conflict:
    a writer that collides retries after a random pause, not at once."""
    commitment_id = _commitment(live_server, dialogue)
    writers = tuple(f"w{n}" for n in range(8))
    # Four processes, as the Procfile's default, so that writes truly race.
    with gunicorn(live_server.env, live_server.log.with_name("gunicorn-4.log"), 4) as base:
        server = replace(live_server, base_url=base)
        results = _race(server, commitment_id, if_match=False, writers=writers, rounds=50)

    refused = _unexpected(results, {200})
    assert not refused, (len(refused), refused[:3])
    in_history = _notes_in_history(live_server, commitment_id)
    assert set(in_history) == {r.note for r in results}
    assert all(count == 1 for count in in_history.values())
    assert live_server.get(f"/api/v1/commitments/{commitment_id}")["version"] == 401
