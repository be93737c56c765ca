"""Bearer tokens and the checks every private API request passes first."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, g, request

from api.context import service
from api.errors import ApiError, body_limit
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
        raise ApiError(413, f"the request body is larger than {body_limit()}")


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
    _require_json_object(request.get_data(cache=True))


# The deepest body a route takes is three levels (an update, its evidence,
# one document); a body nested deeper is no request of this service's.
MAX_DEPTH = 16


def _refused_body(status: int, problem: str) -> ApiError:
    return ApiError(status, f"the body {problem}", fields={"_body": [problem]})


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _require_json_object(raw: bytes) -> None:
    """Refused before any schema sees it: a body that is not UTF-8, not JSON,
    nested deeper than MAX_DEPTH (Python's parser would exhaust its stack on
    50,000 brackets), or not an object."""
    try:
        text = raw.decode("utf-8")  # JSON is UTF-8 (RFC 8259), whatever the header says
    except UnicodeDecodeError as error:
        raise _refused_body(400, f"is not UTF-8: byte {error.start} cannot start or continue "
                                 "a character") from None
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise _refused_body(400, f"nests arrays or objects more than {MAX_DEPTH} deep") from None
    except ValueError as error:
        raise _refused_body(400, f"is not valid JSON: {error}") from None
    if _deeper_than(value, MAX_DEPTH):
        raise _refused_body(400, f"nests arrays or objects more than {MAX_DEPTH} deep")
    if not isinstance(value, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null",
                int: "a number", float: "a number"}.get(type(value), "not an object")
        raise _refused_body(422, f"must be a JSON object ({{...}}), not {kind}")


def _deeper_than(value: Any, most: int) -> bool:
    # Level by level, not recursively: a value nested deep enough to matter
    # would exhaust recursion. Only arrays and objects are visited.
    level: list[Any] = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > most:
            return True
        level = [child for item in level
                 for child in (item.values() if isinstance(item, dict) else item)
                 if isinstance(child, (dict, list))]
    return False


def protect(blueprint: Blueprint) -> None:
    """Token first, then the body's media type, on every route of `blueprint`."""
    blueprint.before_request(require_token)
    blueprint.before_request(require_json_body)
