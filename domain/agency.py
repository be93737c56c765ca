"""Agencies own commitments; one is found by its code."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import AlreadyExists, InvalidInput
from domain.ids import natural_id


def agency_id(code: str) -> UUID:
    return natural_id("agency", code)


class Agency(Aggregate):
    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return agency_id(code)

    @event("Registered")
    def __init__(
        self,
        code: str,
        name: str,
        name_en: str | None,
        contacts: list[dict[str, Any]],
        webhook_url: str | None,
        actor: dict[str, Any],
    ) -> None:
        self.code = code
        self.name = name
        self.name_en = name_en
        self.contacts = contacts
        self.webhook_url = webhook_url
        self.successor: str | None = None
        self.succeeded_on: date | None = None
        self.transferred: list[dict[str, str]] = []

    def succeed(
        self,
        successor: Agency,
        *,
        effective_on: date,
        today: date,
        transferred: list[dict[str, str]],
        actor: dict[str, Any],
    ) -> None:
        """Record that `successor` carries on this agency's work from a date
        (a merger or a renaming); `transferred` pairs old and new commitments."""
        if successor.code == self.code:
            raise InvalidInput("successor_code", "an agency cannot succeed itself")
        if self.successor is not None:
            raise AlreadyExists(
                f"{self.code} was already succeeded by {self.successor} on {self.succeeded_on}"
            )
        if successor.successor is not None:
            raise InvalidInput(
                "successor_code",
                f"{successor.code} was itself succeeded by {successor.successor}: "
                f"name {successor.successor} instead",
            )
        if effective_on > today:
            raise InvalidInput("effective_on", f"effective_on {effective_on} is in the future")
        self._succeeded(successor=successor.code, effective_on=effective_on,
                        transferred=transferred, actor=actor)

    @event("Succeeded")
    def _succeeded(
        self,
        successor: str,
        effective_on: date,
        transferred: list[dict[str, str]],
        actor: dict[str, Any],
    ) -> None:
        self.successor = successor
        self.succeeded_on = effective_on
        self.transferred = transferred


_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{1,39}$")


def canonical_code(code: str) -> str:
    """Agency codes compare case-insensitively: `syt` and `SYT` are one agency."""
    canonical = code.strip().upper()
    if not _CODE.match(canonical):
        raise ValueError(
            f"{code!r} is not an agency code: 2 to 40 letters A-Z, digits, '_', '.' "
            "or '-', starting with a letter or digit"
        )
    return canonical
