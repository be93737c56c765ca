"""`commitments serve` on the embedded default: its four children are
started, brought back when killed, and stopped with it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.integration.conftest import BIN, _cli, _free_port, _tail

pytestmark = pytest.mark.integration

CHILDREN = ("web", "worker", "beat", "projector")
BACK_WITHIN = 10.0
STARTED = re.compile(r"^serve: (\w+) started \(pid (\d+)\)$", re.MULTILINE)
EXITED = re.compile(r"^serve: (\w+) \(pid (\d+)\) (exited with code -?\d+|was killed by \w+)",
                    re.MULTILINE)

T = TypeVar("T")


class Serve:
    """The running `commitments serve` and what it has said."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path, port: int,
                 env: dict[str, str]) -> None:
        self.process = process
        self.log = log
        self.base = f"http://127.0.0.1:{port}"
        self.env = env

    def said(self) -> str:
        return self.log.read_text(errors="replace")

    def pids(self) -> dict[str, int]:
        """Each child's latest pid, as serve reported it."""
        return {name: int(pid) for name, pid in STARTED.findall(self.said())}

    def exits(self) -> list[tuple[str, int, str]]:
        return [(name, int(pid), how) for name, pid, how in EXITED.findall(self.said())]

    def health(self) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                found: dict[str, Any] = json.loads(response.read())
                return found if response.status == 200 else None
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def wait(self, what: str, found: Callable[[], T | None], timeout: float) -> T:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve exited with {self.process.returncode} waiting for {what}:\n"
                            f"{_tail(self.log, 60)}", pytrace=False)
            value = found()
            if value is not None:
                return value
            time.sleep(0.1)
        pytest.fail(f"waited {timeout:g} s for {what} in vain:\n{_tail(self.log, 60)}",
                    pytrace=False)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("POSTGRES_", "SQLITE_", "PERSISTENCE_MODULE", "CELERY_",
                                  "CREATE_TABLE"))}
    # No reminder scan during the test: a scan catches the tables up itself,
    # and would hide a projector that does not run.
    env.update(COMMITMENTS_DATA_DIR=str(tmp_path), REMINDER_SCAN_SECONDS="3600")
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "commitments"), "serve", "--port", str(port), "--workers", "1"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    running = Serve(process, log, port, env)
    try:
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()  # its children get SIGTERM from the kernel (PDEATHSIG)
                process.wait()


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def test_serve_brings_back_each_child_killed_and_stops_them_all(serve: Serve) -> None:
    first = serve.wait("four children started",
                       lambda: found if len(found := serve.pids()) == 4 else None, 30)
    assert set(first) == set(CHILDREN)
    serve.wait("/healthz answering", serve.health, 30)

    killed: dict[str, int] = {}
    for name in CHILDREN:
        old = killed[name] = serve.pids()[name]
        killed_at = time.monotonic()
        os.kill(old, signal.SIGKILL)
        new = serve.wait(f"{name} started again", lambda n=name, o=old: (
            pid if (pid := serve.pids()[n]) != o else None), BACK_WITHIN)
        assert (name, old, "was killed by SIGKILL") in serve.exits()
        if name == "web":
            # The old master's worker went with it: a 200 now is the new one's.
            serve.wait("/healthz from the new web server", serve.health,
                       BACK_WITHIN - (time.monotonic() - killed_at))
        assert new != old

    # The projector (started again above) follows the log by itself: an
    # event written from the shell reaches the read model's position with
    # no request reading a table (/healthz reads the position only).
    before = serve.wait("/healthz", serve.health, 10)
    _cli(serve.env, "token", "create", "--role", "auditor")
    serve.wait("the projector to apply the new event", lambda: (
        health if (health := serve.health()) and health["events"] == before["events"] + 1
        and health["read_model_lag"] == 0 else None), 10)
    # Read your writes over HTTP: a write names its position, and a read that
    # names it waits for serve's projector, not a catch-up of its own.
    token = _cli(serve.env, "token", "create", "--role", "admin").splitlines()[-1]
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    written = urllib.request.Request(
        serve.base + "/api/v1/agencies", method="POST", headers=auth,
        data=json.dumps({"code": "SYT", "name": "Sở Y tế"}).encode())
    with urllib.request.urlopen(written, timeout=10) as response:
        position = response.headers["X-Log-Position"]
    read = urllib.request.Request(serve.base + "/api/v1/agencies",
                                  headers={**auth, "X-Read-After": position})
    with urllib.request.urlopen(read, timeout=10) as response:
        assert [a["code"] for a in json.loads(response.read())] == ["SYT"]
        assert response.headers["X-Read-Model-Lag"] is None
    # Only the children killed here exited: none is failing and restarting.
    assert serve.exits() == [(name, pid, "was killed by SIGKILL") for name, pid in killed.items()]

    last = serve.pids()
    serve.process.send_signal(signal.SIGTERM)
    assert serve.process.wait(timeout=30) == 0, _tail(serve.log, 60)
    for name, pid in last.items():
        assert f"serve: {name} (pid {pid}) stopped" in serve.said()
        assert _group_gone(pid), f"{name}'s processes outlived serve"
