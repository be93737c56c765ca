"""Personal accounts of the people who work in the staff workspace."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.access import Actor, Role
from domain.errors import InvalidInput
from domain.ids import natural_id

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def canonical_email(email: str) -> str:
    found = email.strip().lower()
    if not _EMAIL.match(found):
        raise InvalidInput("email", f"{email!r} is not an e-mail address")
    return found


def account_id(email: str) -> UUID:
    """One account per address: a second one is a conflict in the store itself."""
    return natural_id("account", canonical_email(email))


class Account(Aggregate):
    """A person who signs in: a role, an agency for an officer, and the slow
    hash of a password (never the password)."""

    @staticmethod
    def create_id(email: str, **_: Any) -> UUID:
        return account_id(email)

    @event("Created")
    def __init__(self, email: str, name: str, role: str, agency: str | None,
                 password_hash: str, actor: dict[str, Any]) -> None:
        self.email = email
        self.name = name
        self.role = Role(role)
        self.agency = agency
        self.password_hash = password_hash
        self.disabled = False

    @event("PasswordChanged")
    def change_password(self, password_hash: str, actor: dict[str, Any]) -> None:
        self.password_hash = password_hash

    @event("PasswordRehashed")
    def rehash_password(self, password_hash: str, actor: dict[str, Any]) -> None:
        """The same password, kept under a stronger hash. Not a
        PasswordChanged: nobody chose a new password, the account's own
        sign-in upgraded how it is stored."""
        self.password_hash = password_hash

    @event("Disabled")
    def disable(self, actor: dict[str, Any]) -> None:
        self.disabled = True

    @property
    def actor(self) -> Actor:
        """Who this person acts as: the events they write name the account."""
        return Actor(self.role, self.agency, via=f"account:{self.id}")
