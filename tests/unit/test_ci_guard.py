"""Under CI=true a skipped integration test fails the run (tests/conftest.py)."""

from __future__ import annotations

import pytest

pytest_plugins = ("pytester",)

INNER = """
import pytest

@pytest.mark.integration
def test_needs_a_server():
    pytest.skip("no server")

def test_plain():
    pytest.skip("not integration")
"""

CONFTEST = """
from tests.conftest import pytest_runtest_makereport  # noqa: F401

def pytest_configure(config):
    config.addinivalue_line("markers", "integration: needs real servers")
"""


@pytest.mark.parametrize(("ci", "failed", "skipped"), [("true", 1, 1), ("", 0, 2)])
def test_a_skipped_integration_test_fails_only_in_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str, failed: int,
    skipped: int,
) -> None:
    monkeypatch.setattr("tests.conftest.IN_CI", ci == "true")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(INNER)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=failed, skipped=skipped)
