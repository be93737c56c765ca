"""The read matrix (domain.visibility) applied to every read of the API: a
guard each handler calls with what it reads, and a schema base that leaves
out the fields the caller's audience may not see."""

from __future__ import annotations

from typing import Any, ClassVar

from flask import g
from marshmallow import Schema, post_dump

from domain.access import Actor, Role
from domain.errors import Forbidden
from domain.visibility import READS, Audience, audience, field_path, may_read, sees


def _caller() -> Actor | None:
    found: Actor | None = g.get("actor")
    return found


def check_read(resource: str, owner: str | None = None) -> Audience:
    """The caller's audience for this resource, or Forbidden saying where to
    read it instead. Remembers the owner for the fields of what it returns."""
    who = audience(_caller(), owner)
    if not may_read(resource, who):
        raise Forbidden(READS[resource].why or f"{who} may not read this")
    g.read_owner = owner
    return who


def own_agency_only() -> str | None:
    """For a list: the agency an agency's officer is limited to (None: all)."""
    caller = _caller()
    return caller.agency if caller is not None and caller.role is Role.AGENCY else None


class Disclosed(Schema):
    """Dumps only what the caller's audience may see of `resource`; a nested
    item it may not read at all is left out of its list."""

    resource: ClassVar[str]
    # The dumped field naming the owner agency; None: the owner the guard checked.
    owner_field: ClassVar[str | None] = None

    @post_dump
    def _disclose(self, data: dict[str, Any], **_: Any) -> dict[str, Any] | None:
        owner = data.get(self.owner_field) if self.owner_field else g.get("read_owner")
        who = audience(_caller(), owner)
        if not may_read(self.resource, who):
            return None
        for key, value in list(data.items()):
            if isinstance(value, list):
                data[key] = [item for item in value if item is not None]
        return _visible(self.resource, data, who, "")


def _visible(resource: str, data: dict[str, Any], who: Audience, prefix: str
             ) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for key, value in data.items():
        path = field_path(prefix, key, data)
        if not sees(resource, path, who):
            continue
        shown[key] = _visible(resource, value, who, path + ".") if isinstance(value, dict) \
            else value
    return shown
