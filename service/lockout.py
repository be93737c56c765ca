"""Failed attempts to present a credential, counted where every web process
sees them, so that a guesser is held back by what failed and nothing else.

A counter allows `allowed` failures within a moving window of `window`
seconds; once full, what it counts is refused until its oldest failure leaves
the window. Only failures count: an attempt is reserved as a failure before
the credential is checked (so that processes racing each other cannot let
more through than allowed) and taken back when the credential was right.

Who is counted where (see `Lockout`):

- bad tokens, by client address; a valid token is never refused (a token is
  256 random bits: nobody guesses one however often they may try);
- failed sign-ins from a browser that has not signed in to the account
  before, by client address and by account; from a browser that has, by
  account and address together. So a guesser locks out its own address and
  the account's unknown browsers, never the person on their own browser or
  anyone signing in to another account from elsewhere.

The counters live in Redis when there is one (RATE_LIMIT_STORAGE_URL, by
default the Celery broker's Redis), else in an SQLite file in the data
folder, which every process on the machine opens.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import sqlite3
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from service.settings import Settings

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class Scope(Enum):
    """What a full counter holds back, for the message that says so."""

    ADDRESS = "address"
    ACCOUNT = "account"


@dataclass(frozen=True)
class Counter:
    key: str
    allowed: int
    window: float
    scope: Scope = Scope.ADDRESS


@dataclass(frozen=True)
class Attempt:
    """A reserved failure (`wait` == 0), or a refusal: `wait` seconds until
    the full counter `refused_by` has room again."""

    entry: str
    counters: tuple[Counter, ...]
    wait: float = 0.0
    refused_by: Counter | None = None

    @property
    def refused(self) -> bool:
        return self.wait > 0

    @property
    def retry_after(self) -> int:
        """`wait` in whole seconds, for a Retry-After header."""
        return max(1, math.ceil(self.wait))


class FailureLedger(ABC):
    """Failures under counters, shared by every process that opens the same
    storage. Both methods are atomic across processes."""

    def __init__(self, clock: Clock = time.time) -> None:
        # Wall-clock time: the counters outlive processes and are shared
        # between them (and, over Redis, between machines).
        self.clock = clock

    def reserve(self, counters: Sequence[Counter]) -> Attempt:
        """Count one failure under every counter, or under none if any is
        full (then the attempt is refused, and is not counted)."""
        entry = uuid.uuid4().hex
        counted = tuple(counters)
        try:
            found = self._reserve(counted, entry, self.clock())
        except self.outages as error:
            # Failing open: refusing every sign-in while the counters' store is
            # down would turn a Redis outage into a workspace outage.
            log.warning("failed attempts not counted: their store is unreachable (%s)", error)
            return Attempt(entry, ())
        if found is None:
            return Attempt(entry, counted)
        wait, index = found
        return Attempt(entry, counted, wait=wait, refused_by=counted[index])

    def take_back(self, attempt: Attempt) -> None:
        """The credential was right: the reserved failure was none."""
        if attempt.refused or not attempt.counters:
            return
        try:
            self._take_back(attempt.counters, attempt.entry)
        except self.outages as error:
            log.warning("a reserved failure could not be taken back (%s)", error)

    outages: tuple[type[Exception], ...] = ()

    @abstractmethod
    def _reserve(self, counters: tuple[Counter, ...], entry: str,
                 now: float) -> tuple[float, int] | None:
        """None once reserved; else the wait and the index of the counter
        that refused."""

    @abstractmethod
    def _take_back(self, counters: tuple[Counter, ...], entry: str) -> None: ...

    @abstractmethod
    def close(self) -> None:
        """Release connections."""


# -- in Redis ----------------------------------------------------------------------

# One sorted set per counter: member = the attempt's entry, score = its time.
# KEYS: the counters; ARGV: now, entry, then allowed and window of each key.
# Returns nil once reserved, else {index (1-based), wait as text}.
_RESERVE = """
local now = tonumber(ARGV[1])
local longest, refused = 0, 0
for i, key in ipairs(KEYS) do
  local allowed = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= allowed then
    local freeing = redis.call('ZRANGE', key, count - allowed, count - allowed, 'WITHSCORES')
    local wait = tonumber(freeing[2]) + window - now
    if wait > longest then longest, refused = wait, i end
  end
end
if refused > 0 then return {refused, tostring(longest)} end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[2])
  redis.call('PEXPIRE', key, math.ceil(tonumber(ARGV[2 + 2 * i]) * 1000))
end
return nil
"""


class RedisLedger(FailureLedger):
    PREFIX = "commitments:failures:"

    def __init__(self, url: str, clock: Clock = time.time) -> None:
        import redis

        super().__init__(clock)
        self.outages = (redis.RedisError, OSError)
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._script = self._client.register_script(_RESERVE)

    def _reserve(self, counters: tuple[Counter, ...], entry: str,
                 now: float) -> tuple[float, int] | None:
        arguments: list[Any] = [repr(now), entry]
        for counter in counters:
            arguments += [counter.allowed, repr(counter.window)]
        found = self._script(keys=[self.PREFIX + c.key for c in counters], args=arguments)
        if found is None:
            return None
        index, wait = found
        return float(wait), int(index) - 1

    def _take_back(self, counters: tuple[Counter, ...], entry: str) -> None:
        with self._client.pipeline(transaction=True) as pipe:
            for counter in counters:
                pipe.zrem(self.PREFIX + counter.key, entry)
            pipe.execute()

    def close(self) -> None:
        self._client.close()


# -- in an SQLite file ------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS failures (
    key TEXT NOT NULL, entry TEXT NOT NULL, at REAL NOT NULL, expires REAL NOT NULL,
    PRIMARY KEY (key, entry)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS failures_by_expiry ON failures (expires);
"""


class SqliteLedger(FailureLedger):
    """One file for every process on the machine; BEGIN IMMEDIATE makes
    each reservation a single writer's check-and-count."""

    outages = (sqlite3.OperationalError,)

    def __init__(self, path: Path, clock: Clock = time.time) -> None:
        super().__init__(clock)
        self.path = path
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        # One per thread and per process: a connection must not cross a fork.
        found: tuple[int, sqlite3.Connection] | None = getattr(self._local, "found", None)
        if found is not None and found[0] == os.getpid():
            return found[1]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None,
                                     check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(_SCHEMA)
        self._local.found = (os.getpid(), connection)
        return connection

    def _reserve(self, counters: tuple[Counter, ...], entry: str,
                 now: float) -> tuple[float, int] | None:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM failures WHERE expires <= ?", (now,))
            longest, refused = 0.0, -1
            for index, counter in enumerate(counters):
                recent = [at for (at,) in db.execute(
                    "SELECT at FROM failures WHERE key = ? AND at > ? ORDER BY at",
                    (counter.key, now - counter.window))]
                if len(recent) >= counter.allowed:
                    wait = recent[len(recent) - counter.allowed] + counter.window - now
                    if wait > longest:
                        longest, refused = wait, index
            if refused >= 0:
                db.execute("COMMIT")
                return longest, refused
            db.executemany(
                "INSERT INTO failures (key, entry, at, expires) VALUES (?, ?, ?, ?)",
                [(c.key, entry, now, now + c.window) for c in counters])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return None

    def _take_back(self, counters: tuple[Counter, ...], entry: str) -> None:
        self._connection().executemany(
            "DELETE FROM failures WHERE key = ? AND entry = ?",
            [(c.key, entry) for c in counters])

    def close(self) -> None:
        found: tuple[int, sqlite3.Connection] | None = getattr(self._local, "found", None)
        if found is not None and found[0] == os.getpid():
            found[1].close()
            self._local.found = None


def open_ledger(settings: Settings) -> FailureLedger:
    url = settings.failure_store_url
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisLedger(url)
    return SqliteLedger(Path(url.removeprefix("sqlite:///")))


# -- who is counted where -----------------------------------------------------------


class Lockout:
    """The counters each kind of credential is held back by."""

    def __init__(self, settings: Settings, ledger: FailureLedger | None = None) -> None:
        self.settings = settings
        self.ledger = ledger if ledger is not None else open_ledger(settings)

    def bad_token(self, address: str) -> Attempt:
        """A bad token from `address`: counted, or refused (429) if the
        address has presented too many lately. Only bad tokens come here."""
        return self.ledger.reserve([Counter(
            f"token:address:{address}", self.settings.token_failures_allowed,
            self.settings.token_failure_window)])

    def sign_in(self, address: str, email: str, known_browser: bool) -> Attempt:
        """Reserved as a failure before the password is checked (pass it to
        `succeeded` if it was right), or refused. A browser the account has
        signed in from before is not the guesser who fills the address's and
        the account's counters: it is held back by a counter of its own."""
        allowed = self.settings.sign_in_failures_allowed
        window = self.settings.sign_in_failure_window
        # Hashed: the typed address may be anything, of any length.
        account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        if known_browser:
            return self.ledger.reserve([
                Counter(f"sign-in:known:{account}:{address}", allowed, window)])
        return self.ledger.reserve([
            Counter(f"sign-in:address:{address}", allowed, window),
            Counter(f"sign-in:account:{account}", self.settings.account_failures_allowed,
                    window, Scope.ACCOUNT),
        ])

    def follow_sign_up(self, client: str, email: str) -> Attempt:
        """A sign-up to follow something (issue 18): every one counts, by the
        address it would mail and by the client asking, so that nobody
        floods an inbox with confirmation mails or the service with sign-ups."""
        window = self.settings.follow_sign_up_window
        address = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        return self.ledger.reserve([
            Counter(f"follow:email:{address}", self.settings.follow_sign_ups_per_address,
                    window, Scope.ACCOUNT),
            Counter(f"follow:client:{client}", self.settings.follow_sign_ups_per_client,
                    window),
        ])

    def succeeded(self, attempt: Attempt) -> None:
        self.ledger.take_back(attempt)

    def close(self) -> None:
        self.ledger.close()
