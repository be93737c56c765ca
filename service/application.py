"""The eventsourcing application: the one write path and the token store."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording, Transcoder
from eventsourcing.utils import get_topic

from domain.access import AccessToken, Actor, Role, token_id
from domain.account import Account, account_id, canonical_email
from domain.agency import Agency, agency_id
from domain.commitment import Commitment
from domain.errors import AlreadyExists, Forbidden, InvalidInput, NotFound, VersionConflict
from service.commands import Command, ImportTranscript
from service.handlers import HANDLERS, Context, Handler
from service.idempotency import Idempotency, IdempotencyRecord, Outcome
from service.importing import import_transcript
from service.integrity import stored_events
from service.passwords import (
    MINIMUM_LENGTH,
    check_password,
    decoy,
    hash_password,
    needs_rehash,
)
from service.settings import Settings
from service.transcoding import DateAsISO, EventTranscoder
from service.turns import Turns, turns_for

TOKEN_PREFIX = "cmt_"
# How long a process trusts a token it has looked up: one read fewer per
# request, at the price of a revocation elsewhere taking up to this long to
# apply (expiry is checked on every request).
TOKEN_CACHE_SECONDS = 10.0
# A new token's life unless the issuer says otherwise: long enough for a
# term of office, short enough that a forgotten one dies.
DEFAULT_TOKEN_LIFE = timedelta(days=365)


class Commitments(Application[UUID]):
    # Pinned: it names the PostgreSQL tables and the environment prefix.
    name = "Commitments"
    # Attempts, in turn, at a write whose aggregate another writer changed
    # meanwhile: eight clients updating one commitment at once all get through.
    save_attempts = 40

    def __init__(self, settings: Settings, clock: Callable[[], date] | None = None) -> None:
        self.settings = settings
        self.clock = clock or settings.clock()
        self._tokens: dict[str, tuple[float, AccessToken]] = {}
        # Wall-clock time, for token expiry; `clock` is the calendar day.
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        # Per thread: the log position of the last event it saved, which a
        # web request answers with (see api/freshness.py).
        self._saved = threading.local()
        super().__init__(env=settings.eventsourcing_env)
        self.turns: Turns = turns_for(self.recorder)

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        recordings = super().save(*objs, **kwargs)
        if recordings:
            self._saved.position = max(r.notification.id for r in recordings)
        return recordings

    def saved_position(self) -> int | None:
        """Where in the log this thread last saved (None: nothing since
        `forget_saved_position`)."""
        found: int | None = getattr(self._saved, "position", None)
        return found

    def forget_saved_position(self) -> None:
        self._saved.position = None

    def construct_transcoder(self) -> Transcoder:
        transcoder = EventTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def execute(
        self, command: Command, actor: Actor, idempotency: Idempotency | None = None
    ) -> Outcome:
        """Run one use case and save what it changed, atomically.

        A conflict with a concurrent writer is retried from a fresh read, so
        no accepted request loses an event; a command that names the version
        it expects (If-Match) then fails with VersionConflict instead.
        """
        handler = _handler(command)
        self._check_not_succeeded(actor)
        tried = self._attempt(handler, command, actor, idempotency)
        if isinstance(tried, Outcome):
            return tried
        # Another writer changed the aggregate between our read and write:
        # retry from a fresh read, in turn with the others that collided.
        with self.turns.turn(tried):
            for _ in range(self.save_attempts - 1):
                tried = self._attempt(handler, command, actor, idempotency)
                if isinstance(tried, Outcome):
                    return tried
        raise VersionConflict(
            "the record kept changing under concurrent writers; try the request again"
        )

    def _attempt(self, handler: Handler, command: Command, actor: Actor,
                 idempotency: Idempotency | None) -> Outcome | UUID:
        """Run the use case once and save it: its outcome, or the id of the
        aggregate whose stream another writer extended meanwhile."""
        if idempotency is not None and (kept := self._kept(idempotency)) is not None:
            return kept
        changed = handler(command, self._context(actor))
        primary = changed[0]
        outcome = Outcome(primary.id, primary.version, primary)
        if idempotency is not None:
            changed.append(
                IdempotencyRecord(
                    record_id=idempotency.record_id,
                    fingerprint=idempotency.fingerprint,
                    aggregate_id=outcome.aggregate_id,
                    version=outcome.version,
                )
            )
        events = [event for aggregate in changed for event in aggregate.collect_events()]
        try:
            self.save(*events)
        except IntegrityError:
            if self._stored(events):
                # The store took the write and its answer was lost; the
                # driver's retry then collided with our own events.
                return outcome
            return primary.id
        return outcome

    def _stored(self, events: list[Any]) -> bool:
        """Whether exactly these events are in the store: each event's state
        holds its creation time to the microsecond, so no other writer's event
        at the same version is equal to it."""
        for event in events:
            mine = self.mapper.to_stored_event(event)
            found = self.recorder.select_events(
                event.originator_id, gt=event.originator_version - 1,
                lte=event.originator_version)
            if not found or (found[0].topic, bytes(found[0].state)) != (mine.topic,
                                                                       bytes(mine.state)):
                return False
        return True

    def try_out(self, command: Command, actor: Actor) -> Aggregate:
        """What `execute` would answer, with nothing saved (a dry run)."""
        changed = _handler(command)(command, self._context(actor))
        return changed[0]

    def _check_not_succeeded(self, actor: Actor) -> None:
        """An agency that a successor replaced writes nothing from that day on:
        its officers now act for the successor, with its tokens."""
        if actor.role is not Role.AGENCY or actor.agency is None:
            return
        try:
            agency: Aggregate = self.repository.get(agency_id(actor.agency))
        except AggregateNotFoundError:
            return
        since = agency.succeeded_on if isinstance(agency, Agency) else None
        if isinstance(agency, Agency) and since is not None and since <= self.clock():
            raise Forbidden(
                f"agency {agency.code} was succeeded by {agency.successor} on "
                f"{since.isoformat()}: its tokens no longer write; ask the "
                f"secretariat for a token of {agency.successor}")

    def _context(self, actor: Actor) -> Context:
        return Context(
            repository=self.repository,
            actor=actor,
            today=self.clock(),
            timezone=self.settings.timezone,
            due_policy=self.settings.due_policy,
            owned_by=self.ever_owned_by,
            calendar=self.settings.calendar,
        )

    def ever_owned_by(self, agency: str) -> list[UUID]:
        """Every commitment ever recorded as `agency`'s, from the log itself:
        a succession must not miss one because the read tables lag. It reads
        every Made, Edited and Corrected event (a rare, administrative step);
        the caller checks each one's present owner and status."""
        topics = [get_topic(cls) for cls in (Commitment.Made, Commitment.Edited,  # type: ignore[attr-defined]
                                             Commitment.Corrected)]  # type: ignore[attr-defined]
        found: dict[UUID, None] = {}
        for stored in stored_events(self.recorder, topics=topics):
            event = self.mapper.to_domain_event(stored)
            named = getattr(event, "agency", None) or getattr(event, "changes", {}).get("agency")
            if named == agency:
                found[event.originator_id] = None
        return list(found)

    def _kept(self, idempotency: Idempotency) -> Outcome | None:
        try:
            record: Aggregate = self.repository.get(idempotency.record_id)
        except AggregateNotFoundError:
            return None
        assert isinstance(record, IdempotencyRecord)
        return record.replay(idempotency)

    # -- tokens ------------------------------------------------------------------

    def issue_token(self, role: Role, agency: str | None = None, label: str = "",
                    valid_for: timedelta | None = DEFAULT_TOKEN_LIFE) -> str:
        """A new bearer token, valid for `valid_for` (None: until revoked);
        only its hash is stored."""
        self._check_binding(role, agency)
        if valid_for is not None and valid_for <= timedelta(0):
            raise InvalidInput("valid_for", "a token must be valid for some time")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires_at = self.now() + valid_for if valid_for is not None else None
        self.save(AccessToken(digest=_digest(secret), role=role.value, agency=agency,
                              label=label, expires_at=expires_at))
        return secret

    def authenticate(self, secret: str) -> tuple[Actor, UUID] | None:
        """The actor a token stands for, with the token's id, or None."""
        if not secret.startswith(TOKEN_PREFIX):
            return None
        digest = _digest(secret)
        now = self.now()
        # Looked up by the digest's id: the secret itself is never compared.
        cached = self._tokens.get(digest)
        if cached is not None and cached[0] > time.monotonic():
            token = cached[1]
        else:
            try:
                found: Aggregate = self.repository.get(token_id(digest))
            except AggregateNotFoundError:
                return None
            if not isinstance(found, AccessToken):
                return None
            token = found
            self._tokens[digest] = (time.monotonic() + TOKEN_CACHE_SECONDS, token)
        if not token.accepts(digest, now):
            return None
        return token.actor, token.id

    def revoke_token(self, token: UUID) -> AccessToken:
        """Revoke a token by its id (`commitments token list` shows them)."""
        try:
            found: Aggregate = self.repository.get(token)
        except AggregateNotFoundError:
            raise NotFound(f"no token with id {token}") from None
        if not isinstance(found, AccessToken):
            raise NotFound(f"no token with id {token}")
        if not found.revoked:
            found.revoke()
            self.save(found)
        self._tokens.clear()
        return found

    # Lists of tokens and of accounts are read from the read tables
    # (`Queries.tokens`, `Queries.accounts`), not from a scan of the log.

    # -- personal accounts (the staff workspace) -------------------------------------

    def create_account(self, email: str, name: str, role: Role, agency: str | None,
                       password: str, actor: Actor) -> Account:
        """A person who signs in to the workspace; refuses a second account for
        the same address."""
        address = canonical_email(email)
        if not name.strip():
            raise InvalidInput("name", "give the person's name")
        self._check_binding(role, agency)
        if len(password) < MINIMUM_LENGTH:
            raise InvalidInput("password",
                               f"a password needs at least {MINIMUM_LENGTH} characters")
        if account_id(address) in self.repository:
            raise AlreadyExists(f"there is already an account for {address}")
        account = Account(email=address, name=name.strip(), role=role.value, agency=agency,
                          password_hash=hash_password(password), actor=actor.as_record())
        try:
            self.save(account)
        except IntegrityError:
            raise AlreadyExists(f"there is already an account for {address}") from None
        return account

    def sign_in(self, email: str, password: str) -> Account | None:
        """The account these credentials open, or None; as slow for an unknown
        address as for a wrong password."""
        try:
            found: Aggregate = self.repository.get(account_id(email))
        except (AggregateNotFoundError, InvalidInput):
            check_password(password, decoy())
            return None
        if not isinstance(found, Account):
            return None
        if not check_password(password, found.password_hash) or found.disabled:
            return None
        if needs_rehash(found.password_hash):
            # The password is known only now: the one moment an old hash can
            # be replaced by today's without asking the person for anything.
            found.rehash_password(hash_password(password), actor=found.actor.as_record())
            # Another sign-in or a new password may be stored first; what it
            # stored stands, and a sign-in that still finds an old hash
            # replaces it then.
            with suppress(IntegrityError):
                self.save(found)
        return found

    def account(self, email: str) -> Account:
        try:
            found: Aggregate = self.repository.get(account_id(email))
        except AggregateNotFoundError:
            raise NotFound(f"no account for {canonical_email(email)}") from None
        assert isinstance(found, Account)
        return found

    def set_password(self, email: str, password: str, actor: Actor) -> Account:
        if len(password) < MINIMUM_LENGTH:
            raise InvalidInput("password",
                               f"a password needs at least {MINIMUM_LENGTH} characters")
        account = self.account(email)
        account.change_password(hash_password(password), actor=actor.as_record())
        self.save(account)
        return account

    def disable_account(self, email: str, actor: Actor) -> Account:
        """The person signs in no more; what they did stays in the history."""
        account = self.account(email)
        if not account.disabled:
            account.disable(actor=actor.as_record())
            self.save(account)
        return account

    def _check_binding(self, role: Role, agency: str | None) -> None:
        if role in (Role.ASKER, Role.PUBLIC):
            raise InvalidInput("role", "people outside the service act through public pages "
                                       "and the links mailed to them, never with a token or "
                                       "an account")
        if role is Role.AGENCY:
            if not agency:
                raise InvalidInput("agency", "an agency officer needs --agency CODE")
            if agency_id(agency) not in self.repository:
                raise InvalidInput(
                    "agency", f"no agency with code {agency!r}: register it first"
                )
        elif agency:
            raise InvalidInput("agency", f"a {role.value} is not bound to an agency")

    def result(self, outcome: Outcome) -> Any:
        """The aggregate a write answered with, as it was just after the write."""
        if outcome.aggregate is not None:
            return outcome.aggregate
        return self.get(outcome.aggregate_id, outcome.version)

    def get(self, aggregate_id: UUID, version: int | None = None) -> Any:
        return self.repository.get(aggregate_id, version=version)


# Imports compose the other handlers, so their handler lives in a module of
# its own, which imports those.
_ALL_HANDLERS: dict[type, Handler] = {**HANDLERS, ImportTranscript: import_transcript}


def _handler(command: Command) -> Handler:
    return _ALL_HANDLERS[type(command)]


def token_id_of(secret: str) -> UUID:
    """The id of the token whose secret this is (printed, listed, revoked by)."""
    return token_id(_digest(secret))


def _digest(secret: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough: nothing to
    # brute-force, unlike a password.
    return hashlib.sha256(secret.encode()).hexdigest()
