"""Idempotency keys, kept in the event store beside the write they guard.

The record is saved in the same atomic write as the events of the request it
answers, so two processes racing on one key cannot both succeed: the loser's
whole write fails on the record's natural id and it returns the winner's
outcome instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.ids import natural_id


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class Idempotency:
    """A client's key, scoped to its credential, and the request's fingerprint."""

    scope: str
    key: str
    fingerprint: str

    @property
    def record_id(self) -> UUID:
        return natural_id("idempotency", f"{self.scope}\n{self.key}")


@dataclass(frozen=True)
class Outcome:
    """What a write produced: the aggregate to answer with, at its version.

    A fresh write carries the saved aggregate itself, so answering needs no
    read; a replayed one carries only the id and version it recorded.
    """

    aggregate_id: UUID
    version: int
    aggregate: Any = field(default=None, compare=False, repr=False)


class IdempotencyRecord(Aggregate):
    @staticmethod
    def create_id(record_id: UUID, **_: Any) -> UUID:
        return record_id

    @event("Kept")
    def __init__(
        self, record_id: UUID, fingerprint: str, aggregate_id: UUID, version: int
    ) -> None:
        self.fingerprint = fingerprint
        self.outcome = Outcome(aggregate_id, version)

    def replay(self, idempotency: Idempotency) -> Outcome:
        if self.fingerprint != idempotency.fingerprint:
            raise IdempotencyKeyReused(
                f"Idempotency-Key {idempotency.key!r} was used before with a different "
                "request; use a new key for a new request"
            )
        return self.outcome
