"""Agencies own commitments; one is found by its code."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.account import canonical_email
from domain.errors import AlreadyExists, InvalidInput
from domain.ids import natural_id
from domain.text import fold


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
        confirmed: bool = True,
        aliases: list[str] | None = None,
    ) -> None:
        self.code = code
        self.name = name
        self.name_en = name_en
        self.contacts = contacts
        self.webhook_url = webhook_url
        # An import creates the agencies it cannot match, unconfirmed, for
        # the secretariat to confirm or to map onto an existing agency.
        self.confirmed = confirmed
        self.aliases = list(aliases or [])
        self.successor: str | None = None
        self.succeeded_on: date | None = None
        self.transferred: list[dict[str, str]] = []

    @property
    def names(self) -> list[str]:
        """Every name it is known by: what an import matches against."""
        return [self.name, *([self.name_en] if self.name_en else []), *self.aliases]

    def add_alias(self, alias: str, actor: dict[str, Any]) -> None:
        if alias_key(alias) in {alias_key(name) for name in self.names}:
            raise AlreadyExists(f"{self.code} is already known as {alias!r}")
        self._alias_added(alias=alias, actor=actor)

    @event("AliasAdded")
    def _alias_added(self, alias: str, actor: dict[str, Any]) -> None:
        self.aliases.append(alias)

    def confirm(self, actor: dict[str, Any]) -> None:
        if self.confirmed:
            raise AlreadyExists(f"agency {self.code} is already confirmed")
        self._confirmed(actor=actor)

    @event("Confirmed")
    def _confirmed(self, actor: dict[str, Any]) -> None:
        self.confirmed = True

    def change_contacts(self, contacts: list[dict[str, Any]], actor: dict[str, Any]) -> None:
        """Replace the people reminders go to: the whole list, as the
        secretariat now knows it."""
        checked = [_checked_contact(contact, f"contacts.{n}")
                   for n, contact in enumerate(contacts)]
        if checked == self.contacts:
            # An event that changes nothing would still read as a change in
            # the agency's history.
            raise InvalidInput("contacts", f"these are already the contacts of {self.code}")
        self._contacts_changed(contacts=checked, actor=actor)

    @event("ContactsChanged")
    def _contacts_changed(self, contacts: list[dict[str, Any]], actor: dict[str, Any]) -> None:
        self.contacts = contacts

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
        (a merger or a renaming); `transferred` pairs old and new commitments.
        Recorded again with the same successor, it hands on what was missed."""
        if successor.code == self.code:
            raise InvalidInput("successor_code", "an agency cannot succeed itself")
        if self.successor is not None:
            if successor.code != self.successor or effective_on != self.succeeded_on:
                raise AlreadyExists(
                    f"{self.code} was already succeeded by {self.successor} on "
                    f"{self.succeeded_on}")
            self.hand_on(transferred, actor=actor)
            return
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

    def hand_on(self, transferred: list[dict[str, str]], actor: dict[str, Any]) -> None:
        """Commitments handed to the successor after the succession: missed by
        it, or recorded later for a day the agency still existed."""
        if self.successor is None:
            raise InvalidInput("successor_code", f"{self.code} has no successor")
        if transferred:
            self._handed_on(transferred=transferred, actor=actor)

    @event("HandedOn")
    def _handed_on(self, transferred: list[dict[str, str]], actor: dict[str, Any]) -> None:
        self.transferred = [*self.transferred, *transferred]

    def owner_on(self, day: date) -> str | None:
        """The successor that carries this agency's work on `day`, if it was
        succeeded by then (one step: the caller follows a chain)."""
        if self.successor is not None and self.succeeded_on is not None \
                and self.succeeded_on <= day:
            return self.successor
        return None

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


def _checked_contact(contact: dict[str, Any], field: str) -> dict[str, Any]:
    """A contact as registration takes one: an e-mail address, and optionally
    a name and a role (`head` for whom escalations go to)."""
    email = contact.get("email")
    if not isinstance(email, str) or not email.strip():
        raise InvalidInput(f"{field}.email", "a contact needs an e-mail address")
    try:
        canonical_email(email)
    except InvalidInput as error:
        raise InvalidInput(f"{field}.email", error.message) from None
    unknown = set(contact) - {"email", "name", "role"}
    if unknown:
        raise InvalidInput(field, f"a contact has no {', '.join(sorted(unknown))}")
    for key in ("name", "role"):
        if not isinstance(contact.get(key, ""), str):
            raise InvalidInput(f"{field}.{key}", f"a contact's {key} is text")
    # Kept as given, as registration keeps it: reminders send to it verbatim.
    return {**contact, "email": email.strip()}


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


# Words that qualify a name without changing which body it is: "Sở Y tế tỉnh
# Bắc Kạn" is "Sở Y tế". Folded.
_PROVINCE = re.compile(r"\s+tinh(\s+.*)?$")


def alias_key(name: str) -> str:
    """The form names are matched in: folded, punctuation and the province
    qualifier dropped, "&" read as "và". `Sở Giáo dục & Đào tạo tỉnh Bắc Kạn`
    and `so giao duc va dao tao` are one key."""
    folded = fold(name.replace("&", " và "))
    words = re.sub(r"[^\w\s]", " ", folded)
    key = " ".join(words.split())
    # A province-level body other than a department keeps its "tỉnh"
    # ("bảo hiểm xã hội tỉnh"): only the province's own name is dropped.
    if key.startswith("so "):
        return _PROVINCE.sub("", key)
    return re.sub(r"\btinh(\s+.*)?$", "tinh", key)


def agency_name_id(name: str) -> UUID:
    return natural_id("agency-name", alias_key(name))


class AgencyName(Aggregate):
    """One name (or alias) of one agency. Its id is derived from the name's
    key, so two agencies claiming the same name conflict in the event store
    itself, whichever process writes second."""

    @staticmethod
    def create_id(name: str, **_: Any) -> UUID:
        return agency_name_id(name)

    @event("Claimed")
    def __init__(self, name: str, code: str) -> None:
        self.name = name
        self.code = code


def initials_code(name: str) -> str:
    """A code for an agency created by an import: the initials of its name,
    with words already in capitals kept whole (`Sở Y tế` -> `SYT`,
    `UBND tỉnh` -> `UBNDT`); "và" and punctuation are skipped."""
    letters = []
    words = [w for w in re.split(r"[\s,;()/&-]+", name) if w]
    department = bool(words) and fold(words[0]) == "so"
    for word in words:
        if fold(word) == "tinh":
            # The province's name is no part of the code; a department
            # drops "tỉnh" too, as its key does.
            if not department:
                letters.append("T")
            break
        if fold(word) == "va":
            continue
        bare = fold(word).upper()
        letters.append(bare if word.isupper() and len(word) > 1 else bare[:1])
    code = re.sub(r"[^A-Z0-9]", "", "".join(letters))[:30]
    return code if len(code) >= 2 else f"AG{code}"
