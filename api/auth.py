"""Bearer tokens and the checks every private API request passes first."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque

from flask import Blueprint, current_app, g, request

from api.context import service
from api.errors import ApiError

_WRITES = frozenset({"POST", "PUT", "PATCH"})


class FailedTokens:
    """Clients that keep presenting bad tokens are slowed down: after
    `allowed` failures within `window` seconds a client is refused (429)
    until its oldest failure leaves the window. Kept per process: with N web
    processes a guesser gets at most N times the allowance."""

    def __init__(self, allowed: int, window: float, clients: int = 10_000) -> None:
        self.allowed = allowed
        self.window = window
        self.clients = clients
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, client: str, now: float) -> float:
        """Seconds `client` must wait before trying again (0: it may try)."""
        with self._lock:
            failures = self._failures.get(client)
            if failures is None:
                return 0.0
            while failures and failures[0] <= now - self.window:
                failures.popleft()
            if len(failures) < self.allowed:
                return 0.0
            return failures[0] + self.window - now

    def failed(self, client: str, now: float) -> None:
        with self._lock:
            failures = self._failures.setdefault(client, deque())
            failures.append(now)
            self._failures.move_to_end(client)
            # A flood of clients forgets the oldest, not the process's memory.
            while len(self._failures) > self.clients:
                self._failures.popitem(last=False)


def require_token() -> None:
    limiter: FailedTokens = current_app.extensions["failed_tokens"]
    client = request.remote_addr or "unknown"
    wait = limiter.wait(client, time.monotonic())
    if wait > 0:
        raise ApiError(429, f"too many requests with a bad token from this address; try "
                       f"again in {math.ceil(wait)} s", headers={"Retry-After":
                                                                  str(math.ceil(wait))})
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(
            401, "this call needs a header 'Authorization: Bearer <token>'; "
            "issue one with 'commitments token create'",
        )
    found = service().authenticate(secret.strip())
    if found is None:
        limiter.failed(client, time.monotonic())
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
