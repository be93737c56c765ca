"""How a write request reaches the service: key, expected version, actor."""

from __future__ import annotations

import hashlib
import json

from flask import request

from api.context import actor, credential_id, queries, service
from api.errors import ApiError
from service.commands import Command
from service.idempotency import Idempotency, Outcome

_MAX_KEY = 200


def execute(command: Command) -> Outcome:
    """Run the command; what the handler reads afterwards sees its events
    (a read of the tables waits for the projector to pass them)."""
    outcome = service().execute(command, actor(), _idempotency())
    position = service().saved_position()
    if position is not None:
        queries().read_after(position)
    return outcome


def expected_version() -> int | None:
    """The version named by If-Match (`3`, `"3"` or `W/"3"`), if any."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    tag = header.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise ApiError(
            400, f"If-Match must be a commitment version such as \"3\", got {header!r}",
            fields={"If-Match": ["not a version number"]},
        )
    return int(tag)


def _idempotency() -> Idempotency | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > _MAX_KEY:
        raise ApiError(
            400, f"Idempotency-Key must be 1 to {_MAX_KEY} characters",
            fields={"Idempotency-Key": ["empty or too long"]},
        )
    # Same key, same request: same path and query, same If-Match and the same
    # JSON (key order and spacing do not make a request different) or, for a
    # text body, the same bytes.
    if request.is_json:
        body = json.dumps(request.get_json(silent=True), sort_keys=True, ensure_ascii=False)
    else:
        body = hashlib.sha256(request.get_data()).hexdigest()
    query = request.query_string.decode("latin-1")
    basis = (f"{request.method} {request.path}?{query}\n"
             f"{request.headers.get('If-Match', '')}\n{body}")
    return Idempotency(
        scope=str(credential_id()),
        key=key,
        fingerprint=hashlib.sha256(basis.encode()).hexdigest(),
    )
