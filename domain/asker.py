"""The person who asked: how to reach them (private), and their word on
what was done about their question ("two keys to close").

An agency claims a promise kept, partly kept, or declines it; the person
who asked is then asked whether that is so. Their answer is recorded on the
commitment and counted in the report; a contested claim goes back to the
auditors.
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidInput, TransitionNotAllowed
from domain.ids import natural_id
from domain.status import JUDGEABLE, Status

# How long the links in a claim's mail stay valid.
LINK_VALIDITY = timedelta(days=60)

# The claims an asker is asked about: those that say the matter is settled,
# the very claims the auditors judge.
ASKED_ABOUT = JUDGEABLE

# Digits, with a leading + and the spaces, dots and dashes people write.
_PHONE = re.compile(r"\+?[0-9][0-9 .\-]{6,22}[0-9]")


class FeedbackVerdict(StrEnum):
    CONFIRMED = "confirmed"
    CONTESTED = "contested"


def contact_id(question_id: UUID) -> UUID:
    return natural_id("asker-contact", str(question_id))


def contact_of(details: dict[str, Any] | None) -> dict[str, str] | None:
    """The contact details as kept: an address and a phone number, either
    optional; None when neither is given."""
    if not details:
        return None
    email = (details.get("email") or "").strip().lower() or None
    phone = (details.get("phone") or "").strip() or None
    if phone is not None and not _PHONE.fullmatch(phone):
        raise InvalidInput("asker.contact.phone",
                           "a phone number is 8 to 15 digits, with an optional leading +")
    if email is None and phone is None:
        return None
    return {key: value for key, value in (("email", email), ("phone", phone)) if value}


class AskerContact(Aggregate):
    """How to reach whoever asked one question: kept apart from the question,
    which is public, so that nothing that shows a question can show it."""

    class Given(Aggregate.Created):
        question_id: UUID
        email: str | None
        phone: str | None
        actor: dict[str, Any]

    @staticmethod
    def create_id(question_id: UUID, **_: Any) -> UUID:
        return contact_id(question_id)

    @event(Given)
    def __init__(self, question_id: UUID, email: str | None, phone: str | None,
                 actor: dict[str, Any]) -> None:
        self.question_id = question_id
        self.email = email
        self.phone = phone

    def as_dict(self) -> dict[str, str]:
        return {key: value for key, value in (("email", self.email), ("phone", self.phone))
                if value}


def check_feedback(status: Status, claim_version: int | None, link_claim: int,
                   given: dict[str, Any] | None, verdict: FeedbackVerdict,
                   note: str | None) -> None:
    """Whether the asker may give `verdict` on the claim their link was for
    (`link_claim`, the version that recorded it); raise saying why not."""
    if status not in ASKED_ABOUT or claim_version is None:
        raise TransitionNotAllowed(
            f"this promise is {status.value}: there is no claim of the agency to confirm "
            "or contest")
    if link_claim != claim_version:
        raise TransitionNotAllowed(
            "the agency has reported again since this link was sent: use the link in the "
            "latest mail")
    if given is not None:
        raise TransitionNotAllowed(
            f"this claim was already {given['verdict']} on {given['on'].isoformat()}")
    if verdict is FeedbackVerdict.CONTESTED and not (note or "").strip():
        raise InvalidInput("note", "say what was not done: a contested claim needs a note")
