"""Many processes starting at once on an empty PostgreSQL database."""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

import pytest

from tests.support import postgres

pytestmark = pytest.mark.integration

STARTERS = 6


def _start(env: dict[str, str], barrier: Any, errors: Any) -> None:
    os.environ.update(env)
    from service.bootstrap import build, build_queries
    from service.settings import Settings

    barrier.wait(timeout=60)
    try:
        build_queries(build(Settings.from_env()))
    except Exception as error:  # reported to the test, which names it
        errors.put(f"{type(error).__name__}: {error}")


def test_processes_starting_together_all_create_their_tables(
    pg_server: postgres.Server, tmp_path: Any
) -> None:
    # Gunicorn workers, projectors and Celery workers all start together
    # after a deploy; each creates the tables it needs.
    context = multiprocessing.get_context("spawn")
    for attempt in range(3):
        with postgres.database(pg_server) as dbname:
            env = {**pg_server.env(dbname), "COMMITMENTS_DATA_DIR": str(tmp_path)}
            barrier, errors = context.Barrier(STARTERS), context.Queue()
            starters = [
                context.Process(target=_start, args=(env, barrier, errors))
                for _ in range(STARTERS)
            ]
            for process in starters:
                process.start()
            for process in starters:
                process.join(timeout=120)
            assert [p.exitcode for p in starters] == [0] * STARTERS, attempt
            failures = [errors.get() for _ in range(errors.qsize())]
            assert failures == [], f"attempt {attempt}: {failures}"
