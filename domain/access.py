"""Who may do what: roles, the acting party recorded on events, and tokens."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Forbidden
from domain.ids import natural_id
from domain.status import Action


class Role(StrEnum):
    ADMIN = "admin"  # union secretariat
    AUDITOR = "auditor"  # union leader
    AGENCY = "agency"  # an officer of one agency
    # The person who asked a question, through a signed link in a mail: holds
    # no permission and no token; recorded on the word they give.
    ASKER = "asker"
    # Anyone else outside the service: a reader who follows a promise.
    PUBLIC = "public"


# Roles a token or an account may have.
STAFF_ROLES = (Role.ADMIN, Role.AUDITOR, Role.AGENCY)


class Permission(StrEnum):
    RECORD = "record"  # agencies, dialogues, questions, answers, commitments
    CONFIRM = "confirm"  # turn a proposed commitment into an open one
    UPDATE = "update"  # report on a commitment the actor's agency owns
    JUDGE = "judge"  # give an auditor's verdict
    DECIDE = "decide"  # grant or refuse a deadline extension, or extend directly


@dataclass(frozen=True)
class Actor:
    role: Role
    agency: str | None = None
    via: str | None = None  # "cli" for the administrator at a shell

    def as_record(self) -> dict[str, Any]:
        """What an event keeps of who acted: never the credential itself."""
        record = {"role": self.role.value, "agency": self.agency}
        return {**record, "via": self.via} if self.via else record


# The union decides; an agency claims and requests. What each role decides.
_AUDITOR_HOLDS = frozenset({Permission.JUDGE, Permission.DECIDE})
# How many days back an agency may date what it reports: it reports as things
# happen, and cannot reach back into a past report period to look on time.
# The secretariat, entering an old dialogue's history, may date anything.
AGENCY_BACKDATING_DAYS = 30


def holds(actor: Actor, permission: Permission) -> bool:
    """Whether the role holds `permission` over every commitment."""
    return actor.role is Role.ADMIN or (actor.role is Role.AUDITOR
                                        and permission in _AUDITOR_HOLDS)


def backdating_limit(actor: Actor) -> int | None:
    """Days back the actor may date an update or a claim; None: no limit."""
    return AGENCY_BACKDATING_DAYS if actor.role is Role.AGENCY else None


def permission_for(action: Action, actor: Actor) -> Permission:
    """What an update takes. Whether a candidate is a promise at all, and
    whether a promise was recorded in error, is the secretariat's call. An
    extension is the union's decision; from anyone else it is a request, which
    the owner may make like any report (UPDATE)."""
    if action in (Action.CONFIRM, Action.REJECT, Action.WITHDRAW):
        return Permission.CONFIRM
    if action is Action.EXTEND and holds(actor, Permission.DECIDE):
        return Permission.DECIDE
    return Permission.UPDATE


def requests_only(action: Action, actor: Actor) -> bool:
    """Whether `action` by `actor` is a request for the union to decide (an
    agency's extend), not a change made there and then."""
    return action is Action.EXTEND and permission_for(action, actor) is not Permission.DECIDE


def authorize(actor: Actor, permission: Permission, owner: str | None = None) -> None:
    """Raise Forbidden unless `actor` holds `permission` (over `owner`'s records)."""
    if holds(actor, permission):
        return
    if permission is Permission.UPDATE and actor.role is Role.AGENCY:
        if owner is not None and actor.agency == owner:
            return
        raise Forbidden(
            f"an agency token of {actor.agency} can only update commitments owned by "
            f"{actor.agency}; this one is owned by {owner}"
        )
    raise Forbidden(f"the {actor.role.value} role may not {permission.value}")


def token_id(digest: str) -> UUID:
    return natural_id("token", digest)


class AccessToken(Aggregate):
    """A bearer token, known only by the hash of its secret."""

    @staticmethod
    def create_id(digest: str, **_: Any) -> UUID:
        return token_id(digest)

    @event("Issued")
    def __init__(self, digest: str, role: str, agency: str | None, label: str,
                 expires_at: datetime | None = None) -> None:
        self.digest = digest
        self.role = Role(role)
        self.agency = agency
        self.label = label
        # Tokens issued before expiry existed have none: they last until revoked.
        self.expires_at = expires_at
        self.revoked = False

    @event("Revoked")
    def revoke(self) -> None:
        self.revoked = True

    def accepts(self, digest: str, now: datetime) -> bool:
        """Whether this token lets the holder of `digest` in at `now`."""
        # Compared in constant time, though finding the token by its digest's
        # id already needed the whole digest.
        if not hmac.compare_digest(self.digest, digest):
            return False
        return not self.revoked and (self.expires_at is None or now < self.expires_at)

    @property
    def actor(self) -> Actor:
        return Actor(self.role, self.agency)
