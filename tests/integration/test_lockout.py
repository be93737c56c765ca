"""Failed tokens and sign-ins are counted once for all web processes: gunicorn
with four workers allows exactly the documented number (10 bad tokens a
minute, 5 failed sign-ins in 5 minutes from one address), then answers 429,
whichever worker takes each request; and only what failed is held back.

Counted in Redis (the broker's, as production configures it) and in the
embedded default's SQLite file. Clients are told apart the way a reverse
proxy names them (PROXY_HOPS=1, X-Forwarded-For).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.integration.conftest import _cli, gunicorn
from tests.support.brokers import redis_broker

pytestmark = pytest.mark.integration

WORKERS = 4
EMAIL = "ha@ldld.example.vn"
PASSWORD = "mật khẩu đủ dài"
GUESSER = "203.0.113.9"
ELSEWHERE = "198.51.100.7"


@dataclass
class Site:
    base: str
    token: str


@pytest.fixture(params=["redis", "sqlite"], scope="module")
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
         ) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp(f"lockout-{request.param}")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("POSTGRES_", "SQLITE_", "PERSISTENCE_MODULE", "CELERY_",
                                  "RATE_LIMIT_", "TOKEN_FAILURE", "SIGN_IN_FAILURE",
                                  "ACCOUNT_SIGN_IN"))}
    env.update(COMMITMENTS_DATA_DIR=str(data_dir), PERSISTENCE_MODULE="eventsourcing.sqlite",
               PROXY_HOPS="1", COMMITMENTS_NEW_PASSWORD=PASSWORD)
    env.pop("CREATE_TABLE", None)
    broker: AbstractContextManager[Any] = (
        redis_broker() if request.param == "redis" else nullcontext(None))
    with broker as found:
        if found is not None:
            env["CELERY_BROKER_URL"] = found.url  # the counters go to the broker's Redis
        _cli(env, "init")
        token = _cli(env, "token", "create", "--role", "admin").splitlines()[-1]
        _cli(env, "user", "create", "--email", EMAIL, "--name", "Lê Thu Hà", "--role", "admin")
        with gunicorn(env, data_dir / "gunicorn.log", WORKERS) as base:
            yield Site(base, token)
        if request.param == "sqlite":
            assert (data_dir / "failures.sqlite3").is_file()


class Browser:
    """One browser (its cookies) at one client address."""

    def __init__(self, site: Site, address: str) -> None:
        self.site, self.address = site, address
        self.cookies: dict[str, str] = {}

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = requests.request(
            method, self.site.base + path, cookies=self.cookies, allow_redirects=False,
            headers={"X-Forwarded-For": self.address, **kwargs.pop("headers", {})},
            timeout=30, **kwargs)
        self.cookies.update(response.cookies.get_dict())
        return response

    def sign_in(self, password: str) -> requests.Response:
        response = self.post_sign_in(self.csrf(), password)
        self.cookies.update(response.cookies.get_dict())
        return response

    def post_sign_in(self, csrf: str, password: str) -> requests.Response:
        # No cookie is taken from these answers: racing, they would overwrite
        # each other's (the session is unchanged by a failed sign-in anyway).
        return requests.post(
            self.site.base + "/workspace/sign-in", cookies=dict(self.cookies),
            data={"email": EMAIL, "password": password, "csrf_token": csrf},
            headers={"X-Forwarded-For": self.address}, allow_redirects=False, timeout=30)

    def csrf(self) -> str:
        page = self._call("GET", "/workspace/sign-in").text
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert found, page[:300]
        return found.group(1)

    def api(self, token: str) -> requests.Response:
        return self._call("GET", "/api/v1/commitments",
                          headers={"Authorization": f"Bearer {token}"})


def _at_once(calls: int, call: Any) -> list[requests.Response]:
    """`calls` requests at once, so that every worker takes some of them."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda _: call(), range(calls)))


def test_exactly_ten_bad_tokens_a_minute_across_workers_and_a_good_token_still_works(
    site: Site,
) -> None:
    guesser = Browser(site, "192.0.2.44")
    answers = _at_once(25, lambda: guesser.api("cmt_guessed"))
    assert Counter(a.status_code for a in answers) == {401: 10, 429: 15}
    refused = next(a for a in answers if a.status_code == 429)
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "too many requests with a bad token" in refused.json()["error"]["message"]
    # From the same address, a valid token is served; a bad one is still refused.
    assert guesser.api(site.token).status_code == 200
    assert guesser.api("cmt_guessed").status_code == 429
    assert Browser(site, "192.0.2.45").api("cmt_guessed").status_code == 401


def test_exactly_five_failed_sign_ins_across_workers_then_only_the_guesser_waits(
    site: Site,
) -> None:
    own = Browser(site, GUESSER)  # the account's person, at the same address
    assert own.sign_in(PASSWORD).status_code == 302
    guesser = Browser(site, GUESSER)
    csrf = guesser.csrf()
    answers = _at_once(20, lambda: guesser.post_sign_in(csrf, "sai mật khẩu rồi"))
    assert Counter(a.status_code for a in answers) == {200: 5, 429: 15}
    refused = next(a for a in answers if a.status_code == 429)
    assert 0 < int(refused.headers["Retry-After"]) <= 300
    # The guesser's browser is refused even with the right password ...
    assert guesser.post_sign_in(csrf, PASSWORD).status_code == 429
    # ... but the same account opens from another client, and from the
    # person's own browser at the guesser's address.
    assert Browser(site, ELSEWHERE).sign_in(PASSWORD).status_code == 302
    assert own.sign_in(PASSWORD).status_code == 302
    # And a valid token works from the guesser's address.
    assert guesser.api(site.token).status_code == 200
