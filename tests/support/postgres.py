"""A PostgreSQL server for the tests: the running one, or a throwaway one.

Order: POSTGRES_HOST/POSTGRES_PORT (default 127.0.0.1:5432); if nothing
answers there, a temporary cluster started from the PostgreSQL binaries on
this machine; if there are none, a failure that says what to install.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname=dbname, autocommit=True,
            connect_timeout=3,
        )

    def env(self, dbname: str) -> dict[str, str]:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": "",
            "POSTGRES_DBNAME": dbname,
        }


class NoPostgres(RuntimeError):
    pass


def _answers(server: Server) -> bool:
    try:
        with server.connect():
            return True
    except psycopg.OperationalError:
        return False


def _bindir() -> str | None:
    if shutil.which("pg_ctl") and shutil.which("initdb"):
        return os.path.dirname(shutil.which("initdb") or "")
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _throwaway(bindir: str) -> Iterator[Server]:
    """initdb + pg_ctl in a temporary folder (as `postgres` when run as root,
    since PostgreSQL refuses to run as root)."""
    folder = tempfile.mkdtemp(prefix="commitments-pg-")
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = os.path.join(folder, "data"), _free_port()
    run = lambda *args: subprocess.run([*prefix, *args], check=True, capture_output=True)  # noqa: E731
    run(f"{bindir}/initdb", "-D", data, "-U", "postgres", "--auth=trust")
    run(f"{bindir}/pg_ctl", "-D", data, "-l", os.path.join(folder, "log"), "-w",
        "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start")
    try:
        yield Server("127.0.0.1", port, "postgres")
    finally:
        run(f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def server() -> Iterator[Server]:
    running = Server(
        os.environ.get("POSTGRES_HOST", "127.0.0.1"),
        int(os.environ.get("POSTGRES_PORT", "5432")),
        os.environ.get("POSTGRES_USER", "postgres"),
    )
    if _answers(running):
        yield running
        return
    bindir = _bindir()
    if bindir is None:
        raise NoPostgres(
            f"no PostgreSQL answers at {running.host}:{running.port} and no PostgreSQL "
            "binaries were found to start one: install them (apt-get install postgresql) "
            "or point POSTGRES_HOST/POSTGRES_PORT at a server with trust auth"
        )
    with _throwaway(bindir) as started:
        deadline = time.monotonic() + 30
        while not _answers(started):
            if time.monotonic() > deadline:
                raise NoPostgres(f"the throwaway PostgreSQL in {bindir} did not start")
            time.sleep(0.2)
        yield started


@contextmanager
def database(on: Server) -> Iterator[str]:
    """A database of its own for one test run, dropped afterwards."""
    name = f"commitments_test_{uuid.uuid4().hex[:12]}"
    with on.connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with on.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Cluster:
    """A throwaway cluster of the test's own, which it may stop and start
    again (same data folder, same port): never the machine's shared server."""

    server: Server
    bindir: str
    folder: str
    prefix: list[str]

    @property
    def data(self) -> str:
        return os.path.join(self.folder, "data")

    def _pg_ctl(self, *args: str) -> None:
        done = subprocess.run(
            [*self.prefix, f"{self.bindir}/pg_ctl", "-D", self.data, *args],
            capture_output=True, text=True, timeout=60,
        )
        if done.returncode != 0:
            raise NoPostgres(f"pg_ctl {' '.join(args)} failed ({done.returncode}): "
                             f"{done.stdout}{done.stderr}\n{self.log()}")

    def log(self, lines: int = 20) -> str:
        try:
            with open(os.path.join(self.folder, "log"), errors="replace") as file:
                return "".join(file.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def start(self, timeout: float = 30) -> None:
        """Start the server and wait until it answers."""
        self._pg_ctl("-l", os.path.join(self.folder, "log"), "-w", "-t", str(int(timeout)),
                     "-o", f"-p {self.server.port} -k {self.folder} "
                           "-c listen_addresses=127.0.0.1", "start")
        deadline = time.monotonic() + timeout
        while not _answers(self.server):
            if time.monotonic() > deadline:
                raise NoPostgres(f"the throwaway PostgreSQL did not answer:\n{self.log()}")
            time.sleep(0.1)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast`: disconnect clients; `immediate`: a crash)."""
        self._pg_ctl("-m", mode, "-w", "stop")


@contextmanager
def restartable() -> Iterator[Cluster]:
    """A started Cluster, removed afterwards (as `postgres` when run as root)."""
    bindir = _bindir()
    if bindir is None:
        raise NoPostgres("no PostgreSQL binaries (initdb, pg_ctl) were found to start a "
                         "server of the test's own: install them (apt-get install postgresql)")
    folder = tempfile.mkdtemp(prefix="commitments-pg-")
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(Server("127.0.0.1", _free_port(), "postgres"), bindir, folder, prefix)
    try:
        subprocess.run([*prefix, f"{bindir}/initdb", "-D", cluster.data, "-U", "postgres",
                        "--auth=trust", "--no-sync"], check=True, capture_output=True)
        cluster.start()
        yield cluster
    finally:
        subprocess.run([*prefix, f"{bindir}/pg_ctl", "-D", cluster.data, "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
