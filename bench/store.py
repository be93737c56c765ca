"""A throwaway PostgreSQL database for one benchmark run."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from service.settings import Settings


@contextmanager
def postgres_database(prefix: str, *, keep: bool = False) -> Iterator[Settings]:
    """Settings for a new database at POSTGRES_HOST:POSTGRES_PORT (default
    127.0.0.1:5432) as POSTGRES_USER (default postgres), dropped afterwards
    unless `keep`."""
    host = os.environ.get("POSTGRES_HOST", "127.0.0.1")
    port = os.environ.get("POSTGRES_PORT", "5432")
    user = os.environ.get("POSTGRES_USER", "postgres")
    password = os.environ.get("POSTGRES_PASSWORD", "")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"

    def admin() -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(host=host, port=port, user=user, password=password,
                               dbname="postgres", autocommit=True, connect_timeout=5)

    try:
        with admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        raise SystemExit(f"cannot reach PostgreSQL at {host}:{port} as {user}: {error}\n"
                         "set POSTGRES_HOST/POSTGRES_PORT/POSTGRES_USER") from None
    print(f"postgres: created database {name} at {host}:{port}", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="commitments-bench-") as folder:
            yield Settings.from_env({
                "COMMITMENTS_DATA_DIR": folder,
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_HOST": host,
                "POSTGRES_PORT": port,
                "POSTGRES_USER": user,
                "POSTGRES_PASSWORD": password,
                "POSTGRES_DBNAME": name,
            })
    finally:
        if keep:
            print(f"postgres: kept database {name}", flush=True)
        else:
            with admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"postgres: dropped database {name}", flush=True)


def connect(settings: Settings) -> psycopg.Connection[tuple[object, ...]]:
    """A connection of its own to the database `settings` name (autocommit)."""
    env = settings.eventsourcing_env
    return psycopg.connect(host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
                           user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"],
                           dbname=env["POSTGRES_DBNAME"], autocommit=True)
