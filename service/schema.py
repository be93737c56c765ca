"""Serialised table creation on PostgreSQL.

Every process (gunicorn workers, projectors, Celery workers) creates the
tables it needs when it starts. PostgreSQL's `CREATE ... IF NOT EXISTS` and
`CREATE OR REPLACE FUNCTION` are not safe against a twin running at the same
moment: one of them fails with "tuple concurrently updated". A session
advisory lock makes the starters take turns; the lock goes with the
connection, so a crash cannot leave it held.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import psycopg
from eventsourcing.utils import Environment

from service.settings import POSTGRES

# Any constant names the lock; this one spells "schema" in ASCII.
_LOCK = 0x736368656D61


@contextmanager
def schema_lock(persistence_module: str, env: Mapping[str, str], name: str) -> Iterator[None]:
    if persistence_module != POSTGRES:
        yield
        return
    # Read the connection settings as eventsourcing does, prefixed names first.
    settings = Environment(name, dict(env))
    with psycopg.connect(
        dbname=settings.get("POSTGRES_DBNAME", ""),
        host=settings.get("POSTGRES_HOST", ""),
        port=settings.get("POSTGRES_PORT", ""),
        user=settings.get("POSTGRES_USER", ""),
        password=settings.get("POSTGRES_PASSWORD", ""),
        connect_timeout=int(settings.get("POSTGRES_CONNECT_TIMEOUT", "") or 30),
        autocommit=True,
    ) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (_LOCK,))
        yield
