"""The secretariat's registers in the workspace: agencies (names, contacts,
successions) and accounts; only the secretariat may see or change them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from domain.access import Actor, Role
from domain.account import Account
from domain.agency import Agency, agency_id, agency_name_id
from service import commands as c
from service.settings import Settings
from tests.api.conftest import PASSWORD, Caller, World, created, csrf, hidden_fields, sign_in

ADMIN_EMAIL = "thuky@ldld.example.vn"
NEW_PASSWORD = "một mật khẩu mới khác"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """SQLite only: these pages write through the same service calls on
    either store, and each test signs people in (a deliberately slow hash);
    test_workspace.py and test_workspace_secretariat.py run on PostgreSQL too."""
    return Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path)})


@pytest.fixture
def admin(api: Caller, people: dict[str, str]) -> Account:
    """The secretariat's own account, signed in on `api.client`."""
    account = api.service.create_account(ADMIN_EMAIL, "Hoàng Thị Thư", Role.ADMIN, None,
                                         PASSWORD, Actor(Role.ADMIN))
    assert sign_in(api.client, ADMIN_EMAIL).status_code == 302
    return account


def by(account: Account) -> dict[str, Any]:
    """What an event keeps of a write made by this person."""
    return {"role": account.role.value, "agency": account.agency,
            "via": f"account:{account.id}"}


def post(client: FlaskClient, path: str, **data: str) -> Any:
    return client.post(path, data={"csrf_token": csrf(client, path), **data})


def events(api: Caller, aggregate_id: UUID) -> dict[str, Any]:
    """The aggregate's last event of each kind, by kind."""
    return {type(e).__name__: e for e in api.service.events.get(aggregate_id)}


def the_agency(api: Caller, code: str) -> Agency:
    found: Agency = api.service.get(agency_id(code))
    return found


def fresh_client(api: Caller) -> FlaskClient:
    return api.client.application.test_client()


# -- agencies -------------------------------------------------------------------------------


def test_an_admin_registers_an_agency(api: Caller, admin: Account) -> None:
    saved = post(api.client, "/workspace/agencies", code=" sxd ", name="Sở Xây dựng",
                 name_en="Department of Construction", contact_email="vp@sxd.example.vn")
    assert saved.status_code == 302
    assert saved.headers["Location"] == "/workspace/agencies/SXD?saved=register"
    found = the_agency(api, "SXD")
    assert (found.name, found.name_en, found.confirmed) == (
        "Sở Xây dựng", "Department of Construction", True)
    assert found.contacts == [{"email": "vp@sxd.example.vn"}]
    assert agency_name_id("Sở Xây dựng") in api.service.repository  # imports match by it
    assert events(api, found.id)["Registered"].actor == by(admin)
    page = api.client.get(saved.headers["Location"]).data.decode()
    assert 'id="saved"' in page and "Sở Xây dựng" in page


def test_an_alias_form_sent_twice_records_once(api: Caller, admin: Account) -> None:
    path = "/workspace/agencies/SYT"
    page = api.client.get(path).data.decode()
    form = re.search(r'<form[^>]*>(?:(?!</form>).)*name="form" value="alias".*?</form>', page,
                     re.S)
    assert form is not None
    hidden = hidden_fields(form.group(0))
    assert hidden.get("submission")
    data = {**hidden, "alias": "Ngành Y tế"}
    assert api.client.post(path, data=data).status_code == 302
    before = api.events()
    # A reload after a lost answer: the same submission, not "already known".
    assert api.client.post(path, data=data).status_code == 302
    assert api.events() == before
    assert the_agency(api, "SYT").aliases == ["Ngành Y tế"]


def test_the_list_shows_unconfirmed_agencies_first_and_marked(api: Caller,
                                                              admin: Account) -> None:
    api.service.execute(c.RegisterAgency("AA", "Ban quản lý dự án", confirmed=False,
                                         contacts=[{"email": "a@x.vn"}, {"email": "b@x.vn"}]),
                        Actor(Role.ADMIN))
    api.service.execute(c.AddAgencyAlias("SYT", "Ngành Y tế"), Actor(Role.ADMIN))
    # Written straight through the service: the list reads them once projected.
    assert api.projector is not None
    api.projector.settle()
    page = api.client.get("/workspace/agencies").data.decode()
    rows = re.findall(r'<tr( class="candidate")? id="agency-([A-Z0-9_.-]+)">(.*?)</tr>', page,
                      re.DOTALL)
    assert [(code, bool(marked)) for marked, code, _ in rows] == [
        ("AA", True), ("SGDDT", False), ("SYT", False)]
    cells = {code: re.findall(r"<td>(.*?)</td>", row, re.DOTALL) for _, code, row in rows}
    assert cells["AA"][3] == "2" and cells["SYT"][3] == "1"  # contacts
    assert cells["SYT"][2] == "Ngành Y tế"  # aliases
    assert 'href="/workspace/agencies/SYT"' in page


def test_an_admin_adds_an_alias_and_confirms_an_agency(api: Caller, admin: Account) -> None:
    api.service.execute(c.RegisterAgency("BQLDA", "Ban quản lý dự án", confirmed=False),
                        Actor(Role.ADMIN))
    path = "/workspace/agencies/bqlda"  # codes are case-insensitive in the path too
    page = api.client.get(path).data.decode()
    assert 'id="confirm-form"' in page and 'id="unconfirmed"' in page
    alias = post(api.client, path, form="alias", alias="BQL dự án tỉnh")
    assert alias.headers["Location"] == "/workspace/agencies/BQLDA?saved=alias"
    confirm = post(api.client, path, form="confirm")
    assert confirm.status_code == 302
    found = the_agency(api, "BQLDA")
    assert found.aliases == ["BQL dự án tỉnh"] and found.confirmed
    assert agency_name_id("BQL dự án tỉnh") in api.service.repository
    kinds = events(api, found.id)
    assert kinds["AliasAdded"].actor == kinds["Confirmed"].actor == by(admin)
    assert 'id="confirm-form"' not in api.client.get(path).data.decode()


def test_a_name_another_agency_has_is_refused(api: Caller, admin: Account) -> None:
    before = api.events()
    refused = post(api.client, "/workspace/agencies/SGDDT", form="alias", alias="Sở y tế")
    assert refused.status_code == 409
    page = refused.data.decode()
    assert 'id="error-form"' in page and "already means agency SYT" in page
    assert 'value="Sở y tế"' in page  # what was typed is kept
    assert the_agency(api, "SGDDT").aliases == [] and api.events() == before


def _contacts_form(client: FlaskClient, path: str) -> dict[str, str]:
    page = client.get(path).data.decode()
    return dict(re.findall(r'name="(csrf_token|version|contacts\.\d+\.\w+)" [^>]*?value="([^"]*)"',
                           page))


def test_an_admin_changes_the_contacts(api: Caller, admin: Account) -> None:
    path = "/workspace/agencies/SYT"
    shown = _contacts_form(api.client, path)
    assert shown["contacts.0.email"] == "syt@example.vn"
    assert shown["contacts.1.email"] == shown["contacts.2.email"] == ""  # rows to add
    saved = api.client.post(path, data={
        **shown, "form": "contacts", "contacts.0.email": "", "contacts.1.email":
        "vanthu@syt.example.vn", "contacts.1.name": "Văn thư", "contacts.2.email":
        "gd@syt.example.vn", "contacts.2.role": "head"})
    assert saved.status_code == 302
    assert the_agency(api, "SYT").contacts == [
        {"email": "vanthu@syt.example.vn", "name": "Văn thư"},
        {"email": "gd@syt.example.vn", "role": "head"}]
    assert events(api, agency_id("SYT"))["ContactsChanged"].actor == by(admin)
    assert 'value="gd@syt.example.vn"' in api.client.get(path).data.decode()


def test_contacts_are_refused_when_bad_unchanged_or_edited_meanwhile(
    api: Caller, admin: Account
) -> None:
    path = "/workspace/agencies/SYT"
    before = api.events()
    shown = _contacts_form(api.client, path)
    bad = api.client.post(path, data={**shown, "form": "contacts",
                                      "contacts.1.email": "not an address",
                                      "contacts.1.name": "Văn thư"})
    assert bad.status_code == 422
    page = bad.data.decode()
    assert re.search(r'id="error-contacts\.1\.email">[^<]+<', page)
    assert 'value="not an address"' in page and 'value="Văn thư"' in page
    unchanged = api.client.post(path, data={**shown, "form": "contacts"})
    assert unchanged.status_code == 422
    assert 'id="error-contacts"' in unchanged.data.decode()
    assert api.events() == before
    # Another admin saves first: the list edited from the older version is refused.
    api.service.execute(c.ChangeAgencyContacts("SYT", [{"email": "moi@syt.example.vn"}]),
                        Actor(Role.ADMIN))
    stale = api.client.post(path, data={**shown, "form": "contacts",
                                        "contacts.0.email": "cu@syt.example.vn"})
    assert stale.status_code == 409
    assert the_agency(api, "SYT").contacts == [{"email": "moi@syt.example.vn"}]


def test_an_admin_records_a_succession(api: Caller, admin: Account) -> None:
    [in_play] = [cm for cm in api.get("/api/v1/commitments", agency="SGDDT").json["items"]]
    saved = post(api.client, "/workspace/agencies/SGDDT", form="succession",
                 successor_code="syt", effective_on="2024-08-01")
    assert saved.status_code == 302
    found = the_agency(api, "SGDDT")
    assert (found.successor, found.succeeded_on.isoformat()) == ("SYT", "2024-08-01")
    [pair] = found.transferred
    assert pair["from"] == in_play["id"]
    assert api.get(f"/api/v1/commitments/{pair['to']}").json["agency"] == "SYT"
    assert events(api, found.id)["Succeeded"].actor == by(admin)
    page = api.client.get("/workspace/agencies/SGDDT").data.decode()
    assert 'id="successor"' in page and 'id="succession-form"' not in page
    successor = api.client.get("/workspace/agencies/SYT").data.decode()
    predecessors = re.search(r'id="predecessors">(.*?)</p>', successor, re.DOTALL)
    assert predecessors is not None and "SGDDT" in predecessors.group(1)


@pytest.mark.parametrize(("data", "field"), [
    ({"successor_code": "KHONGCO"}, "successor_code"),
    ({"successor_code": "!!"}, "successor_code"),
    ({"successor_code": "SGDDT"}, "successor_code"),  # itself
    ({"successor_code": "SYT", "effective_on": "2099-01-01"}, "effective_on"),
    ({"successor_code": "SYT", "effective_on": "hôm qua"}, "effective_on"),
])
def test_a_bad_succession_is_shown_by_its_field_and_stores_nothing(
    api: Caller, admin: Account, data: dict[str, str], field: str
) -> None:
    before = api.events()
    refused = post(api.client, "/workspace/agencies/SGDDT", form="succession", **data)
    assert refused.status_code == 422
    page = refused.data.decode()
    assert re.search(rf'id="error-{field}">[^<]+<', page), page
    assert f'value="{data["successor_code"]}"' in page
    assert the_agency(api, "SGDDT").successor is None and api.events() == before


@pytest.mark.parametrize(("data", "field"), [
    ({"code": "Sở!", "name": "Sở Tư pháp"}, "code"),
    ({"code": "S", "name": "Sở Tư pháp"}, "code"),
    ({"code": "STP"}, "name"),
    ({"code": "STP", "name": "Sở Tư pháp", "contact_email": "vp at stp"}, "contact_email"),
])
def test_a_bad_registration_is_shown_by_its_field_and_stores_nothing(
    api: Caller, admin: Account, data: dict[str, str], field: str
) -> None:
    before = api.events()
    refused = post(api.client, "/workspace/agencies", **data)
    assert refused.status_code == 422
    page = refused.data.decode()
    assert re.search(rf'id="error-{field}">[^<]+<', page), page
    if field == "code":
        assert "is not an agency code" in page  # canonical_code's own words
    assert api.events() == before
    assert agency_id("STP") not in api.service.repository


def test_a_second_agency_with_a_code_is_a_conflict(api: Caller, admin: Account) -> None:
    before = api.events()
    refused = post(api.client, "/workspace/agencies", code="syt", name="Sở Y tế mới")
    assert refused.status_code == 409 and 'id="error-form"' in refused.data.decode()
    assert the_agency(api, "SYT").name == "Sở Y tế" and api.events() == before


def test_an_unknown_agency_is_not_found(api: Caller, admin: Account) -> None:
    assert api.client.get("/workspace/agencies/KHONGCO").status_code == 404
    assert api.client.get("/workspace/agencies/!!").status_code == 404


# -- accounts -------------------------------------------------------------------------------


def test_an_admin_lists_accounts_by_name_without_secrets(api: Caller, admin: Account) -> None:
    page = api.client.get("/workspace/accounts").data.decode()
    names = re.findall(r'<tr id="account-[^"]+">\s*<td>([^<]+)<', page)
    # Folded, so "Hoàng" sorts before "Nông" and "Trần"
    assert names == ["Hoàng Thị Thư", "Nông Thị Nga", "Trần Văn B"]
    assert "officer@syt.example.vn" in page
    assert "$argon2id$" not in page and PASSWORD not in page
    assert [a.email for a in api.client.application.extensions["queries"].accounts()] == [
        ADMIN_EMAIL, "nga@ldld.example.vn", "officer@syt.example.vn"]


def test_an_admin_creates_an_account_who_then_signs_in(api: Caller, admin: Account) -> None:
    saved = post(api.client, "/workspace/accounts", form="create", name="Lê Văn C",
                 email="Officer2@SGDDT.example.vn", role="agency", agency="sgddt",
                 password=f" {PASSWORD} ")
    assert saved.status_code == 302
    found = api.service.account("officer2@sgddt.example.vn")
    assert (found.name, found.role, found.agency, found.disabled) == (
        "Lê Văn C", Role.AGENCY, "SGDDT", False)
    assert events(api, found.id)["Created"].actor == by(admin)
    person = fresh_client(api)
    # The password is taken as typed, spaces and all.
    assert sign_in(person, "officer2@sgddt.example.vn", PASSWORD).status_code == 200
    assert sign_in(person, "officer2@sgddt.example.vn", f" {PASSWORD} ").status_code == 302
    assert person.get("/workspace/").status_code == 200


def test_an_admin_sets_a_password(api: Caller, admin: Account,
                                  people: dict[str, str]) -> None:
    saved = post(api.client, "/workspace/accounts", form="password", email=people["officer"],
                 password=NEW_PASSWORD)
    assert saved.status_code == 302
    person = fresh_client(api)
    assert sign_in(person, people["officer"]).status_code == 200  # the old one: refused
    assert sign_in(person, people["officer"], NEW_PASSWORD).status_code == 302
    found = api.service.account(people["officer"])
    assert events(api, found.id)["PasswordChanged"].actor == by(admin)


def test_a_disabled_person_signs_in_no_more(api: Caller, admin: Account,
                                           people: dict[str, str]) -> None:
    person = fresh_client(api)
    assert sign_in(person, people["auditor"]).status_code == 302
    saved = post(api.client, "/workspace/accounts", form="disable", email=people["auditor"])
    assert saved.status_code == 302
    found = api.service.account(people["auditor"])
    assert found.disabled and events(api, found.id)["Disabled"].actor == by(admin)
    assert person.get("/workspace/").status_code == 302  # the open session ends too
    assert sign_in(fresh_client(api), people["auditor"]).status_code == 200
    page = api.client.get("/workspace/accounts").data.decode()
    row = re.search(rf'id="account-{found.id}">(.*?)</tr>', page, re.DOTALL)
    assert row is not None and 'class="flag"' in row.group(1)
    assert 'value="disable"' not in row.group(1)


def test_an_admin_cannot_disable_their_own_account(api: Caller, admin: Account) -> None:
    before = api.events()
    refused = post(api.client, "/workspace/accounts", form="disable", email=ADMIN_EMAIL)
    assert refused.status_code == 422 and 'id="error-form"' in refused.data.decode()
    assert not api.service.account(ADMIN_EMAIL).disabled and api.events() == before


@pytest.mark.parametrize(("data", "field"), [
    ({"email": "not an address", "role": "auditor"}, "email"),
    ({"email": "x@ldld.example.vn", "role": "auditor", "password": "ngắn"}, "password"),
    ({"email": "x@ldld.example.vn", "role": "agency"}, "agency"),
    ({"email": "x@ldld.example.vn", "role": "agency", "agency": "KHONGCO"}, "agency"),
    ({"email": "x@ldld.example.vn", "role": "auditor", "agency": "SYT"}, "agency"),
    ({"email": "x@ldld.example.vn", "role": "boss"}, "role"),
    ({"email": "x@ldld.example.vn", "role": "auditor", "name": ""}, "name"),
])
def test_a_bad_account_is_shown_by_its_field_and_stores_nothing(
    api: Caller, admin: Account, data: dict[str, str], field: str
) -> None:
    before = api.events()
    form = {"form": "create", "name": "Lê Văn C", "password": NEW_PASSWORD, **data}
    refused = post(api.client, "/workspace/accounts", **form)
    assert refused.status_code == 422
    page = refused.data.decode()
    assert re.search(rf'id="error-{field}">[^<]+<', page), page
    assert form["password"] not in page  # never echoed back
    if field != "email":
        assert 'value="x@ldld.example.vn"' in page
    assert api.events() == before
    assert len(api.client.application.extensions["queries"].accounts()) == 3


def test_a_short_new_password_is_refused_in_its_row(api: Caller, admin: Account,
                                                    people: dict[str, str]) -> None:
    before = api.events()
    refused = post(api.client, "/workspace/accounts", form="password",
                   email=people["officer"], password="ngắn quá")
    assert refused.status_code == 422
    page = refused.data.decode()
    officer = api.service.account(people["officer"])
    row = re.search(rf'id="account-{officer.id}">(.*?)</tr>', page, re.DOTALL)
    assert row is not None and 'id="error-password"' in row.group(1)
    assert page.count('id="error-password"') == 1 and "ngắn quá" not in page
    assert api.events() == before


def test_an_existing_address_is_a_conflict(api: Caller, admin: Account,
                                           people: dict[str, str]) -> None:
    before = api.events()
    refused = post(api.client, "/workspace/accounts", form="create", name="Ai đó",
                   email=people["auditor"].upper(), role="auditor", password=NEW_PASSWORD)
    assert refused.status_code == 409 and 'id="error-form"' in refused.data.decode()
    assert api.service.account(people["auditor"]).name == "Nông Thị Nga"
    assert api.events() == before


# -- who may -------------------------------------------------------------------------------


def test_only_the_secretariat_sees_the_links(api: Caller, admin: Account,
                                             people: dict[str, str]) -> None:
    page = api.client.get("/workspace/").data.decode()
    assert 'href="/workspace/agencies"' in page and 'href="/workspace/accounts"' in page
    officer = fresh_client(api)
    sign_in(officer, people["officer"])
    page = officer.get("/workspace/").data.decode()
    assert 'href="/workspace/agencies"' not in page and 'href="/workspace/accounts"' not in page


@pytest.mark.parametrize("who", ["officer", "auditor"])
@pytest.mark.parametrize(("path", "data"), [
    ("/workspace/agencies", {"code": "STP", "name": "Sở Tư pháp"}),
    ("/workspace/agencies/SYT", {"form": "alias", "alias": "Ngành Y tế"}),
    ("/workspace/agencies/SYT", {"form": "contacts", "contacts.0.email": "x@syt.example.vn"}),
    ("/workspace/agencies/SGDDT", {"form": "succession", "successor_code": "SYT"}),
    ("/workspace/accounts", {"form": "create", "email": "x@ldld.example.vn", "name": "X",
                             "role": "admin", "password": NEW_PASSWORD}),
    ("/workspace/accounts", {"form": "password", "email": ADMIN_EMAIL,
                             "password": NEW_PASSWORD}),
    ("/workspace/accounts", {"form": "disable", "email": ADMIN_EMAIL}),
])
def test_officers_and_auditors_are_refused(
    api: Caller, admin: Account, people: dict[str, str], who: str, path: str,
    data: dict[str, str]
) -> None:
    client = fresh_client(api)
    sign_in(client, people[who])
    assert client.get(path).status_code == 403
    before = api.events()
    token = csrf(client, "/workspace/")
    refused = client.post(path, data={"csrf_token": token, **data})
    assert refused.status_code == 403
    assert 'id="error-message"' in refused.data.decode()
    assert api.events() == before
    assert api.service.sign_in(ADMIN_EMAIL, PASSWORD) is not None  # unchanged
    assert the_agency(api, "SYT").contacts == [{"email": "syt@example.vn"}]


@pytest.mark.parametrize(("path", "data"), [
    ("/workspace/agencies", {"code": "STP", "name": "Sở Tư pháp"}),
    ("/workspace/agencies/SYT", {"form": "alias", "alias": "Ngành Y tế"}),
    ("/workspace/accounts", {"form": "disable", "email": "officer@syt.example.vn"}),
])
def test_a_form_without_its_csrf_token_is_refused(api: Caller, admin: Account,
                                                  path: str, data: dict[str, str]) -> None:
    before = api.events()
    assert api.client.post(path, data=data).status_code == 400
    assert api.client.post(path, data={**data, "csrf_token": "forged"}).status_code == 400
    assert api.events() == before
    assert not api.service.account("officer@syt.example.vn").disabled


def test_an_unknown_form_is_a_bad_request(api: Caller, admin: Account) -> None:
    before = api.events()
    assert post(api.client, "/workspace/agencies/SYT", form="rename").status_code == 400
    assert post(api.client, "/workspace/accounts", form="delete",
                email=ADMIN_EMAIL).status_code == 400
    assert api.events() == before


def test_the_secretariat_corrects_and_withdraws_a_recorded_promise(
    api: Caller, world: World, people: dict[str, str]
) -> None:
    """Issue 14: corrections and withdrawals, through the workspace."""
    from tests.api.test_workspace import _form

    clerk = api.client
    api.service.create_account("ha@ldld.example.vn", "Lê Thu Hà", Role.ADMIN, None, PASSWORD,
                               Actor(Role.ADMIN))
    sign_in(clerk, "ha@ldld.example.vn")
    path = f"/workspace/commitments/{world.commitment}"
    page = clerk.get(path).data.decode()
    assert 'id="correction-form"' in page and 'value="withdraw"' in page
    no_reason = clerk.post(path, data={**_form(clerk, path), "form": "correction",
                                       "due_on": "2024-08-31"})
    assert no_reason.status_code == 422 and 'id="error-note"' in no_reason.data.decode()
    bad_code = clerk.post(path, data={**_form(clerk, path), "form": "correction",
                                      "agency": "Sở Y tế!", "note": "sai mã"})
    assert bad_code.status_code == 422 and 'id="error-agency"' in bad_code.data.decode()
    fixed = clerk.post(path, data={**_form(clerk, path), "form": "correction",
                                   "text": "", "due_on": "2024-08-31",
                                   "note": "Biên bản ghi hạn 31/8"})
    assert fixed.status_code == 302, fixed.data.decode()[:400]
    body = api.get(f"/api/v1/commitments/{world.commitment}").json
    assert (body["due_on"], body["original_due_on"], body["due_basis"]) == (
        "2024-08-31", "2024-08-31", "stated")
    withdrawn = clerk.post(path, data={**_form(clerk, path), "form": "update",
                                       "action": "withdraw", "note": "Ghi nhầm"})
    assert withdrawn.status_code == 302
    assert api.get(f"/api/v1/commitments/{world.commitment}").json["status"] == "withdrawn"
    # An officer sees neither.
    officer = api.client.application.test_client()
    other = created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "review", "dialogue_id": world.dialogue, "text": "Rà soát"}))
    sign_in(officer, people["officer"])
    page = officer.get(f"/workspace/commitments/{other['id']}").data.decode()
    assert 'id="correction-form"' not in page and 'value="withdraw"' not in page
