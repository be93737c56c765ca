"""Rules of domain.access: who may do what, and what an event keeps of the actor."""

from __future__ import annotations

import pytest

from domain.access import Actor, Permission, Role, authorize
from domain.errors import Forbidden

ADMIN = Actor(Role.ADMIN)
AUDITOR = Actor(Role.AUDITOR)
SYT = Actor(Role.AGENCY, "SYT")


@pytest.mark.parametrize("permission", list(Permission), ids=str)
@pytest.mark.parametrize("owner", [None, "SYT", "SGDDT"])
def test_admin_may_do_everything(permission: Permission, owner: str | None) -> None:
    """The admin role holds every permission over every owner."""
    authorize(ADMIN, permission, owner)


@pytest.mark.parametrize("owner", [None, "SYT"])
def test_auditor_may_judge(owner: str | None) -> None:
    """An auditor gives verdicts."""
    authorize(AUDITOR, Permission.JUDGE, owner)


@pytest.mark.parametrize(
    "permission", [Permission.RECORD, Permission.CONFIRM, Permission.UPDATE], ids=str
)
def test_auditor_may_do_nothing_else(permission: Permission) -> None:
    """An auditor may not record, confirm or update."""
    with pytest.raises(Forbidden, match=f"the auditor role may not {permission.value}"):
        authorize(AUDITOR, permission, "SYT")


def test_agency_may_update_its_own() -> None:
    """An agency officer updates commitments its agency owns."""
    authorize(SYT, Permission.UPDATE, "SYT")


@pytest.mark.parametrize("owner", ["SGDDT", None])
def test_agency_may_not_update_another_owner(owner: str | None) -> None:
    """An agency may not update what another agency (or nobody) owns."""
    with pytest.raises(Forbidden, match=f"owned by {owner}$"):
        authorize(SYT, Permission.UPDATE, owner)


@pytest.mark.parametrize(
    "permission", [Permission.RECORD, Permission.CONFIRM, Permission.JUDGE], ids=str
)
def test_agency_may_not_record_confirm_or_judge(permission: Permission) -> None:
    """Even over its own records, an agency may not record, confirm or judge."""
    with pytest.raises(Forbidden, match=f"the agency role may not {permission.value}"):
        authorize(SYT, permission, "SYT")


def test_forbidden_code() -> None:
    """Forbidden carries the code the API maps to 403."""
    with pytest.raises(Forbidden) as raised:
        authorize(AUDITOR, Permission.RECORD)
    assert raised.value.code == "forbidden"


def test_as_record_keeps_only_role_and_agency() -> None:
    """An event keeps the role and agency, nothing else."""
    assert SYT.as_record() == {"role": "agency", "agency": "SYT"}
    assert ADMIN.as_record() == {"role": "admin", "agency": None}
    assert type(SYT.as_record()["role"]) is str
