"""Bearer tokens and the checks every private API request passes first."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request

from api.context import service
from api.errors import ApiError
from service.lockout import Lockout

_WRITES = frozenset({"POST", "PUT", "PATCH"})


def require_token() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(
            401, "this call needs a header 'Authorization: Bearer <token>'; "
            "issue one with 'commitments token create'",
        )
    # Checked first: a valid token is served even to an address that has
    # presented too many bad ones (nobody guesses a 256-bit token).
    found = service().authenticate(secret.strip())
    if found is None:
        lockout: Lockout = current_app.extensions["lockout"]
        attempt = lockout.bad_token(request.remote_addr or "unknown")
        if attempt.refused:
            raise ApiError(429, "too many requests with a bad token from this address; try "
                           f"again in {attempt.retry_after} s",
                           headers={"Retry-After": str(attempt.retry_after)})
        raise ApiError(401, "the bearer token is unknown, expired or revoked")
    g.actor, g.token_id = found


def require_small_body() -> None:
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "the request body is larger than 1 MiB")


def require_json_body() -> None:
    if request.method not in _WRITES:
        return
    require_small_body()
    # A POST that carries nothing (confirming an agency) needs no media type.
    if not request.content_length and not request.get_data(cache=True):
        return
    if not request.is_json:
        got = request.mimetype or "no Content-Type"
        raise ApiError(415, f"send the body as application/json (got {got})")


def protect(blueprint: Blueprint) -> None:
    """Token first, then the body's media type, on every route of `blueprint`."""
    blueprint.before_request(require_token)
    blueprint.before_request(require_json_body)
