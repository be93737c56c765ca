"""Celery brokers for the tests: the Redis and RabbitMQ servers on loopback.

Each use gets a broker of its own, so that no task left behind by another test
(or an earlier run) reaches its workers:

- Redis: a database number claimed with a lock key (SET NX, with an expiry
  in case a run dies; bench/reminder_scan.py honours the same key), taken
  only if it holds nothing else, and emptied after use;
- RabbitMQ: the default virtual host, whose `celery` queue (the only one the
  service publishes to) is purged before and after use.

A server that does not answer is a failure saying what to install or start,
never a skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

REDIS_HOST = os.environ.get("TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("TEST_REDIS_PORT", "6379"))
RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")
# The queue the service's tasks go to (Celery's default: no routes are set).
QUEUE = "celery"
# Redis databases the tests may claim (0 is left to whatever else runs here).
_REDIS_DBS = range(1, 16)
_LOCK = "commitments-tests:lock"
_LOCK_SECONDS = 900


@dataclass(frozen=True)
class Broker:
    """What a worker, a beat and a client need: the URL and extra settings."""

    name: str
    url: str
    env: dict[str, str] = field(default_factory=dict)


def _redis_client(db: int) -> redis.Redis:
    return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db, socket_timeout=5,
                       socket_connect_timeout=3)


def _empty(client: redis.Redis, keep: str) -> None:
    for key in client.scan_iter(count=500):
        if key != keep.encode():
            client.delete(key)


@contextmanager
def redis_broker(visibility_timeout: float = 3.0) -> Iterator[Broker]:
    """A Redis database of this use's own. `visibility_timeout` is how soon a
    task taken by a worker that died is handed out again (CELERY_VISIBILITY_TIMEOUT)."""
    token = f"{os.getpid()}-{uuid.uuid4().hex}"
    try:
        _redis_client(0).ping()
    except redis.RedisError as error:
        pytest.fail(
            f"no Redis answers at {REDIS_HOST}:{REDIS_PORT} ({error}): install it "
            "(apt-get install redis-server) and start it (redis-server --daemonize yes "
            "--bind 127.0.0.1 --port 6379, or see .ci/run)", pytrace=False)
    for db in _REDIS_DBS:
        client = _redis_client(db)
        if client.set(_LOCK, token, nx=True, ex=_LOCK_SECONDS):
            if client.dbsize() == 1:
                break  # ours, and nobody else's data is in it
            if client.get(_LOCK) == token.encode():  # in use without the lock: leave it
                client.delete(_LOCK)
        client.close()
    else:
        pytest.fail(f"no Redis database {_REDIS_DBS.start}..{_REDIS_DBS.stop - 1} at "
                    f"{REDIS_HOST}:{REDIS_PORT} is free: each is claimed by another run "
                    f"({_LOCK}) or holds other data; wait, or free one", pytrace=False)
    try:
        yield Broker("redis", f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}",
                     {"CELERY_VISIBILITY_TIMEOUT": f"{visibility_timeout:g}"})
    finally:
        _empty(client, keep=_LOCK)
        if client.get(_LOCK) == token.encode():
            client.delete(_LOCK)
        client.close()


def redis_unacked(broker: Broker) -> list[float]:
    """When each task a worker took but did not acknowledge was taken (Unix
    time), from kombu's index of them: once older than the visibility timeout,
    the next worker to start (or sweep) puts it back in the queue."""
    from kombu.transport.redis import Channel

    assert broker.name == "redis", broker
    client = _redis_client(int(broker.url.rsplit("/", 1)[1]))
    try:
        found = client.zrange(Channel.unacked_index_key, 0, -1, withscores=True)
        return [float(score) for _, score in found]
    finally:
        client.close()


def _purge_rabbitmq() -> None:
    from kombu import Connection

    with Connection(RABBITMQ_URL, connect_timeout=3) as conn:
        conn.ensure_connection(max_retries=1)
        channel = conn.channel()
        try:
            channel.queue_purge(QUEUE)
        except conn.channel_errors:
            pass  # no such queue yet: nothing to purge
        finally:
            channel.close()


@contextmanager
def rabbitmq_broker() -> Iterator[Broker]:
    """RabbitMQ's default virtual host, with the task queue empty."""
    from kombu.exceptions import OperationalError

    try:
        _purge_rabbitmq()
    except (OperationalError, OSError) as error:
        pytest.fail(
            f"no RabbitMQ answers at {RABBITMQ_URL} ({error}): install it "
            "(apt-get install rabbitmq-server) and start it (rabbitmq-server -detached, "
            "or see .ci/run); the guest user must be allowed on loopback", pytrace=False)
    try:
        yield Broker("rabbitmq", RABBITMQ_URL)
    finally:
        _purge_rabbitmq()


@contextmanager
def broker(name: str) -> Iterator[Broker]:
    """`redis` or `rabbitmq`, by name (for parametrized fixtures)."""
    factory = {"redis": redis_broker, "rabbitmq": rabbitmq_broker}[name]
    with factory() as found:
        yield found


# -- a Redis server of a test's own, to stop and start ---------------------------------


@dataclass
class OwnRedis:
    """A `redis-server` of one test's own on a free loopback port (never the
    shared one), which the test may stop and start again on the same port.

    Nothing is saved to disk (`--save "" --appendonly no`): it comes back
    empty, as a broker restarted without persistence does, so whatever was
    queued in it when it stopped (tasks, kombu's bindings and its index of
    unacknowledged tasks) is gone."""

    port: int
    folder: Path
    popen: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5,
                           socket_connect_timeout=3)

    def answers(self) -> bool:
        client = self.client()
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def log(self, lines: int = 20) -> str:
        logs = sorted(self.folder.glob("redis-*.log"))
        if not logs:
            return "(no log)"
        return "\n".join(logs[-1].read_text(errors="replace").splitlines()[-lines:])

    def start(self, timeout: float = 15.0) -> None:
        """Start it on its port and wait until it answers PING."""
        assert not self.running, "already running"
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("no redis-server binary to start a broker of the test's own: "
                        "install it (apt-get install redis-server)", pytrace=False)
        self.starts += 1
        with (self.folder / f"redis-{self.starts}.log").open("wb") as out:
            self.popen = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--daemonize", "no", "--dir", str(self.folder)],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.popen.poll() is not None:
                pytest.fail(f"redis-server on port {self.port} exited with "
                            f"{self.popen.returncode}:\n{self.log()}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"redis-server on port {self.port} did not answer within "
                            f"{timeout:.0f} s:\n{self.log()}", pytrace=False)
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop it (SIGTERM, SIGKILL if it lingers): every client's connection
        drops, and nothing answers on the port until `start`."""
        popen, self.popen = self.popen, None
        if popen is None or popen.poll() is not None:
            return
        popen.send_signal(signal.SIGTERM)
        try:
            popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(timeout=5)
        assert not self.answers(), f"something else answers on port {self.port}"


@contextmanager
def own_redis(folder: Path) -> Iterator[OwnRedis]:
    """An OwnRedis, started, on a free port; stopped on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = OwnRedis(port, folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
