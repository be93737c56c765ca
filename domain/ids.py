"""Identifiers derived from natural keys, so a duplicate key is a conflict in
the event store itself rather than a race between a read and a write."""

from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("5b0f7c6e-3c1f-4c52-9e7b-2f61c0d1a9e4")


def natural_id(kind: str, key: str) -> UUID:
    return uuid5(NAMESPACE, f"{kind}:{key}")
