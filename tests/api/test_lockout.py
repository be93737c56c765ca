"""Failed sign-ins hold back only what failed: the guessing address, and the
account for browsers it has not been used on; never the person on their own
browser, nor anyone signing in from elsewhere. Successes are not counted."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask.testing import FlaskClient

from service.lockout import Lockout
from tests.api.conftest import PASSWORD, Caller, csrf

WRONG = "sai mật khẩu rồi"


def _sign_in(client: FlaskClient, address: str, email: str, password: str = PASSWORD) -> Any:
    return client.post("/workspace/sign-in", environ_base={"REMOTE_ADDR": address}, data={
        "email": email, "password": password, "csrf_token": csrf(client)})


def _browser(api: Caller) -> FlaskClient:
    """Another browser: cookies of its own, on the same server."""
    return api.client.application.test_client()


def test_five_failures_from_an_address_then_only_that_address_is_held_back(
    api: Caller, people: dict[str, str],
) -> None:
    guesser = _browser(api)
    statuses = [_sign_in(guesser, "203.0.113.5", people["officer"], WRONG).status_code
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # The right password from another address opens the account.
    assert _sign_in(_browser(api), "198.51.100.7", people["officer"]).status_code == 302


def test_a_browser_that_signed_in_before_is_not_held_back_by_a_guesser(
    api: Caller, people: dict[str, str],
) -> None:
    own = _browser(api)
    assert _sign_in(own, "203.0.113.5", people["officer"]).status_code == 302
    guesser = _browser(api)  # behind the same address (one office, one router)
    for _ in range(5):
        _sign_in(guesser, "203.0.113.5", people["officer"], WRONG)
    assert _sign_in(guesser, "203.0.113.5", people["officer"]).status_code == 429
    assert _sign_in(own, "203.0.113.5", people["officer"]).status_code == 302
    # The browser's own mistakes are counted for it, apart.
    statuses = [_sign_in(own, "203.0.113.5", people["officer"], WRONG).status_code
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_a_success_is_not_counted_as_a_failure(api: Caller, people: dict[str, str]) -> None:
    guesser = _browser(api)
    for _ in range(4):
        assert _sign_in(guesser, "203.0.113.5", people["officer"], WRONG).status_code == 200
    # Another person's browser at the same address signs in: not a failure.
    assert _sign_in(_browser(api), "203.0.113.5", people["auditor"]).status_code == 302
    assert _sign_in(guesser, "203.0.113.5", people["officer"], WRONG).status_code == 200
    assert _sign_in(guesser, "203.0.113.5", people["officer"], WRONG).status_code == 429


def test_an_account_guessed_from_many_addresses_is_held_back_for_unknown_browsers(
    api: Caller, people: dict[str, str],
) -> None:
    own = _browser(api)
    assert _sign_in(own, "192.0.2.1", people["officer"]).status_code == 302
    guesser = _browser(api)
    for n in range(20):  # ACCOUNT_SIGN_IN_FAILURES_ALLOWED, four at a time per address
        address = f"203.0.113.{n // 4 + 10}"
        assert _sign_in(guesser, address, people["officer"], WRONG).status_code == 200
    refused = _sign_in(_browser(api), "198.51.100.7", people["officer"])
    assert refused.status_code == 429
    assert "vào tài khoản này" in refused.data.decode()
    # The person's own browser still opens it, and other accounts are untouched.
    assert _sign_in(own, "198.51.100.7", people["officer"]).status_code == 302
    assert _sign_in(_browser(api), "198.51.100.7", people["auditor"]).status_code == 302


def test_a_forged_browser_cookie_counts_for_nothing(api: Caller,
                                                   people: dict[str, str]) -> None:
    guesser = _browser(api)
    guesser.set_cookie("commitments_browser", "forged", path="/workspace/sign-in")
    for _ in range(5):
        _sign_in(guesser, "203.0.113.5", people["officer"], WRONG)
    assert _sign_in(guesser, "203.0.113.5", people["officer"]).status_code == 429


def test_the_allowances_are_settings(api: Caller, people: dict[str, str]) -> None:
    settings = replace(api.service.settings, sign_in_failures_allowed=2)
    api.client.application.extensions["lockout"] = Lockout(settings)
    guesser = _browser(api)
    statuses = [_sign_in(guesser, "203.0.113.5", people["officer"], WRONG).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]
