"""A real gunicorn server, several worker processes, on a PostgreSQL database
of its own: what production runs (see Procfile), started from this venv."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support import postgres

BIN = Path(sys.executable).parent
WORKERS = 2
STARTUP_TIMEOUT = 20.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class LiveServer:
    """The running server, its environment and an admin token."""

    base_url: str
    env: dict[str, str]
    token: str
    log: Path
    # The last write's position in the log (X-Log-Position): every read
    # names it, so that it sees every write made so far, as a browser does.
    written: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            req.add_header(name, value)
        if method == "GET" and self.written and "X-Read-After" not in (headers or {}):
            req.add_header("X-Read-After", str(self.written))
        try:
            with urllib.request.urlopen(req, timeout=15) as response:
                position = response.headers.get("X-Log-Position")
                if position is not None:
                    with self._lock:
                        self.written = max(self.written, int(position))
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw or b"null")
            except ValueError:
                return error.code, raw.decode(errors="replace")

    def get(self, path: str) -> Any:
        status, body = self.request("GET", path)
        assert status == 200, (path, status, body)
        return body

    def create(self, path: str, body: Any) -> Any:
        status, reply = self.request("POST", path, body)
        assert status == 201, (path, status, reply)
        return reply


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "commitments"), *args], env=env, capture_output=True, text=True,
        timeout=60,
    )
    assert done.returncode == 0, (
        f"commitments {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
    )
    return done.stdout


def _wait_healthy(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last: object = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {proc.returncode}:\n{_tail(log)}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
                last = response.status
        except (urllib.error.URLError, OSError) as error:
            last = error
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer 200 in {STARTUP_TIMEOUT:.0f} s (last: {last}):\n"
                f"{_tail(log)}", pytrace=False)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    # SIGTERM: gunicorn's graceful stop; idle sync workers leave at once.
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@contextmanager
def _store(kind: str, request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Environment for one store: a fresh PostgreSQL database (not the shared
    `pg_database`, which other tests empty and refill) or the SQLite default."""
    if kind == "sqlite":
        yield {"PERSISTENCE_MODULE": "eventsourcing.sqlite"}
        return
    server: postgres.Server = request.getfixturevalue("pg_server")
    with postgres.database(server) as dbname:
        yield server.env(dbname)


@pytest.fixture(scope="module", params=["postgres", "sqlite"])
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """gunicorn with WORKERS workers on a free loopback port, on PostgreSQL
    (production) or on the embedded SQLite file (what `commitments serve` runs)."""
    data_dir = tmp_path_factory.mktemp("live-server")
    log = data_dir / "gunicorn.log"
    with _store(request.param, request) as store_env:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("POSTGRES_", "SQLITE_", "PERSISTENCE_MODULE"))}
        # A read that names a write waits for the projector as long as a
        # loaded test machine may need, rather than answer without it.
        env.update(store_env, COMMITMENTS_DATA_DIR=str(data_dir), READ_WAIT_SECONDS="30")
        env.pop("CREATE_TABLE", None)
        _cli(env, "init")
        token = _cli(env, "token", "create", "--role", "admin", "--label", "it").splitlines()[-1]
        with gunicorn(env, log, WORKERS) as base, \
                projector(env, data_dir / "projector.log"):
            yield LiveServer(base_url=base, env=env, token=token, log=log)


@contextmanager
def projector(env: dict[str, str], log: Path) -> Iterator[None]:
    """The Procfile's projector: only it writes the read tables that the
    web processes read."""
    with log.open("wb") as out:
        proc = subprocess.Popen([str(BIN / "commitments"), "projections", "run"],
                                env={**env, "CREATE_TABLE": "n"}, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        _stop(proc)


@contextmanager
def gunicorn(env: dict[str, str], log: Path, workers: int) -> Iterator[str]:
    """gunicorn as the Procfile runs it, on a free loopback port, answering
    /healthz: its base URL."""
    port = _free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "python:api.gunicorn_conf", "--no-control-socket",
             "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "api:create_app()"],
            env={**env, "CREATE_TABLE": "n"}, stdout=out, stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[2],
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(proc, base + "/healthz", log)
        yield base
    finally:
        _stop(proc)
