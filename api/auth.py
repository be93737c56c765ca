"""Bearer tokens and the checks every private API request passes first."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request

from api.context import service
from api.errors import ApiError

_WRITES = frozenset({"POST", "PUT", "PATCH"})


def require_token() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(
            401, "this call needs a header 'Authorization: Bearer <token>'; "
            "issue one with 'commitments token create'",
        )
    found = service().authenticate(secret.strip())
    if found is None:
        raise ApiError(401, "the bearer token is unknown or revoked")
    g.actor, g.token_id = found


def require_small_body() -> None:
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "the request body is larger than 1 MiB")


def require_json_body() -> None:
    if request.method not in _WRITES:
        return
    require_small_body()
    if not request.is_json:
        got = request.mimetype or "no Content-Type"
        raise ApiError(415, f"send the body as application/json (got {got})")


def protect(blueprint: Blueprint) -> None:
    """Token first, then the body's media type, on every route of `blueprint`."""
    blueprint.before_request(require_token)
    blueprint.before_request(require_json_body)
