"""Tokens: they expire, they can be revoked, guessing them is slowed down, and
the history names who acted by role and agency, never by token."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from api import create_app
from domain.access import Role
from service.application import token_id_of
from service.bootstrap import build_queries
from service.lockout import Lockout
from tests.api.conftest import Caller, World


def test_a_token_stops_working_when_it_expires(api: Caller, world: World) -> None:
    app = api.service
    secret = app.issue_token(Role.AUDITOR, valid_for=timedelta(days=30))
    assert api.as_(secret).get("/api/v1/commitments").status_code == 200
    issued = app.now()
    app.now = lambda: issued + timedelta(days=30, seconds=1)
    response = api.as_(secret).get("/api/v1/commitments")
    assert response.status_code == 401
    assert "expired" in response.json["error"]["message"]


def test_a_revoked_token_is_refused_at_once(api: Caller, world: World) -> None:
    app = api.service
    secret = app.issue_token(Role.AUDITOR)
    assert api.as_(secret).get("/api/v1/commitments").status_code == 200
    app.revoke_token(token_id_of(secret))
    assert api.as_(secret).get("/api/v1/commitments").status_code == 401
    [token] = [t for t in api.client.application.extensions["queries"].tokens()
               if t.id == token_id_of(secret)]
    assert token.revoked


def _lockout(service: Any, **allowances: Any) -> Lockout:
    return Lockout(replace(service.settings, **allowances))


def test_repeated_bad_tokens_from_one_client_are_slowed(api: Caller, world: World) -> None:
    api.client.application.extensions["lockout"] = _lockout(api.service,
                                                            token_failures_allowed=3)
    good = api.service.issue_token(Role.AUDITOR)
    for _ in range(3):
        assert api.as_("cmt_wrong").get("/api/v1/commitments").status_code == 401
    refused = api.as_("cmt_wrong").get("/api/v1/commitments")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "too many requests with a bad token" in refused.json["error"]["message"]
    # Only what failed is held back: a valid token from the same address is served.
    assert api.as_(good).get("/api/v1/commitments").status_code == 200
    # Another address is not held back by this one's guessing.
    other = api.client.get("/api/v1/commitments", headers={"Authorization": "Bearer cmt_x"},
                           environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 401


def test_bad_tokens_are_counted_in_the_shared_store(api: Caller) -> None:
    """A second app over the same data folder (another web process) sees the
    failures the first one counted."""
    api.client.application.extensions["lockout"] = _lockout(api.service,
                                                            token_failures_allowed=2)
    for _ in range(2):
        assert api.as_("cmt_wrong").get("/api/v1/commitments").status_code == 401
    queries = build_queries(api.service)
    other = create_app(api.service, queries)
    other.extensions["lockout"] = _lockout(api.service, token_failures_allowed=2)
    refused = other.test_client().get("/api/v1/commitments",
                                      headers={"Authorization": "Bearer cmt_wrong"})
    assert refused.status_code == 429
    queries.close()


def test_the_history_names_the_role_and_agency_never_the_token(api: Caller,
                                                               world: World) -> None:
    response = api.as_(world.agency_token).post(
        f"/api/v1/commitments/{world.commitment}/updates",
        {"action": "progress", "note": "Đã họp"})
    assert response.status_code == 200, response.json
    history = api.get(f"/api/v1/commitments/{world.commitment}/history").json
    last = history["items"][-1] if isinstance(history, dict) else history[-1]
    assert last["actor"] == {"role": "agency", "agency": "SYT"}
    stored = b"".join(bytes(n.state) for n in api.service.recorder.select_notifications(1, 500))
    for secret in (world.agency_token, world.auditor_token, api.token):
        assert secret is not None
        assert secret.encode() not in stored
    assert str(token_id_of(world.agency_token)).encode() not in stored


def test_a_token_without_expiry_lasts_until_revoked(api: Caller) -> None:
    secret = api.service.issue_token(Role.AUDITOR, valid_for=None)
    api.service.now = lambda: datetime(2100, 1, 1, tzinfo=UTC)
    assert api.as_(secret).get("/api/v1/commitments").status_code == 200


def test_behind_a_proxy_the_forwarded_client_is_limited(service: Any) -> None:
    settings = replace(service.settings, proxy_hops=1)
    service.settings = settings
    queries = build_queries(service)
    app = create_app(service, queries)
    app.extensions["lockout"] = _lockout(service, token_failures_allowed=2)
    client = app.test_client()

    def bad(forwarded_for: str) -> int:
        return client.get("/api/v1/commitments", headers={
            "Authorization": "Bearer cmt_wrong", "X-Forwarded-For": forwarded_for},
            environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code

    assert [bad("203.0.113.5") for _ in range(3)] == [401, 401, 429]
    # Another reader behind the same proxy is not held back.
    assert bad("198.51.100.7") == 401
    queries.close()
