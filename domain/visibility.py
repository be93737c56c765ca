"""Who may read what: one read matrix, per resource and per field.

Five audiences read the record: the public (the report's pages, no token),
the officer of the agency that owns a thing, an officer of any other agency,
the union's auditors and its secretariat (admin). Everything the public
report shows is public; the matrix says what the API adds for whom. The API
enforces it in one place (api.visibility): a read of a resource the caller's
audience may not read is refused, and fields it may not see are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from domain.access import Actor, Role


class Audience(StrEnum):
    PUBLIC = "public"
    OWN_AGENCY = "own agency"
    OTHER_AGENCY = "other agency"
    AUDITOR = "auditor"
    ADMIN = "admin"


EVERYONE = frozenset(Audience)
STAFF = frozenset({Audience.AUDITOR, Audience.ADMIN})
OWNER_AND_STAFF = STAFF | {Audience.OWN_AGENCY}
ADMIN_ONLY = frozenset({Audience.ADMIN})
OWNER_AND_ADMIN = frozenset({Audience.OWN_AGENCY, Audience.ADMIN})


def audience(actor: Actor | None, owner: str | None) -> Audience:
    """The caller's audience for a thing owned by agency `owner` (None: owned
    by no agency, such as a dialogue)."""
    if actor is None or actor.role in (Role.ASKER, Role.PUBLIC):
        return Audience.PUBLIC
    if actor.role is Role.ADMIN:
        return Audience.ADMIN
    if actor.role is Role.AUDITOR:
        return Audience.AUDITOR
    return Audience.OWN_AGENCY if owner is not None and owner == actor.agency \
        else Audience.OTHER_AGENCY


@dataclass(frozen=True)
class Resource:
    """Who may read a resource, and fields (dotted paths) only some of them see."""

    readers: frozenset[Audience]
    fields: Mapping[str, frozenset[Audience]] = field(default_factory=dict)
    why: str = ""


READS: dict[str, Resource] = {
    # A promise through the API: its owner and the union. Other agencies and
    # the public read promises in the public report, where candidates nobody
    # confirmed and rejected ones never appear.
    "commitment": Resource(OWNER_AND_STAFF,
                           why="an agency reads its own commitments; the others are in "
                               "the public report"),
    # A promise's history names who was reminded and how: the agency's own
    # contacts and webhook, the mail server's receipt and errors.
    "history": Resource(OWNER_AND_STAFF, {
        "data.recipient": OWNER_AND_STAFF,
        # A webhook's address carries its secret path.
        "data.webhook": OWNER_AND_ADMIN,
        "data.receipt": ADMIN_ONLY,
        "data.error": ADMIN_ONLY,
        "actor.via": ADMIN_ONLY,
    }, why="an agency reads the history of its own commitments"),
    # Names, codes and successions are public; who is reminded is not.
    "agency": Resource(EVERYONE - {Audience.PUBLIC}, {
        "contacts": OWNER_AND_STAFF,
        "webhook_url": OWNER_AND_ADMIN,
    }),
    # Dialogues and questions are what the forum heard in public.
    "dialogue": Resource(EVERYONE),
    # ... but how to reach the person who asked is the secretariat's alone.
    "question": Resource(EVERYONE, {"asker.contact": ADMIN_ONLY}),
    # Import candidates are the secretariat's draft, not yet anybody's promise.
    "candidates": Resource(STAFF, why="candidates are the secretariat's draft; the union "
                                      "confirms them first"),
    "public_report": Resource(EVERYONE),
    # A report before it goes out: staff, and each agency for its own entries
    # (the handler leaves out the others'); the public reads it once published.
    "published_report": Resource(EVERYONE - {Audience.PUBLIC},
                                 why="a report is public once it is published, at "
                                     "/reports/published/{id}"),
    # The API's own description, for anyone writing a client.
    "documentation": Resource(EVERYONE),
}


def may_read(resource: str, who: Audience) -> bool:
    return who in READS[resource].readers


def sees(resource: str, path: str, who: Audience) -> bool:
    """Whether `who` sees the field at `path` of a resource it may read."""
    allowed = READS[resource].fields.get(path)
    return allowed is None or who in allowed


def field_path(prefix: str, key: str, within: Mapping[str, object]) -> str:
    """The matrix's name for a field: a reminder's recipient on the webhook
    channel is the webhook's address."""
    if prefix == "data." and key == "recipient" and within.get("channel") == "webhook":
        return "data.webhook"
    return prefix + key
