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
