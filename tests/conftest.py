from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import postgres

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    """Under CI=true a skipped integration or browser test is a failure, not a pass."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and (item.get_closest_marker("integration")
                                     or item.get_closest_marker("browser")):
        report.outcome = "failed"
        report.longrepr = f"integration test skipped under CI=true: {report.longrepr}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[postgres.Server]:
    try:
        with postgres.server() as server:
            yield server
    except postgres.NoPostgres as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def pg_database(pg_server: postgres.Server) -> Iterator[str]:
    with postgres.database(pg_server) as name:
        yield name
