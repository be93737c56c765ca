"""The secretariat's registers: the agencies commitments belong to (their
names, contacts and successions) and the accounts people sign in with."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, g, redirect, render_template, request, url_for
from marshmallow import ValidationError, fields, validates_schema
from marshmallow.validate import OneOf
from werkzeug.datastructures import MultiDict

from api import i18n, schemas
from api.context import queries, service
from api.i18n import N_, Day
from api.workspace.core import (
    AS_TYPED,
    Form,
    blank_as_missing,
    blp,
    form_errors,
    once,
    requires,
)
from domain.access import STAFF_ROLES, Role
from domain.account import Account, canonical_email
from domain.agency import canonical_code
from domain.errors import DomainError, NotFound
from service import commands as c
from service.passwords import MINIMUM_LENGTH
from service.queries import AgencyView


def _posted(form: MultiDict[str, str]) -> dict[str, str]:
    """The form's given fields; a password as typed, unless left empty."""
    data = blank_as_missing(form)
    for name in AS_TYPED:
        if name in data:
            data[name] = form[name]
    return data


# -- agencies --------------------------------------------------------------------------


class RegisterForm(Form):
    code = schemas.AgencyCode(required=True)
    name = schemas.Text(required=True, max_length=schemas.LABEL)
    name_en = schemas.Text(max_length=schemas.LABEL, load_default=None)
    # One address to start with; the agency's page edits the whole list.
    contact_email = schemas.Address(load_default=None)


class AliasForm(Form):
    alias = schemas.Text(required=True, max_length=schemas.LABEL)


class SuccessionForm(Form):
    successor_code = schemas.AgencyCode(required=True)
    effective_on = Day(label=N_("Effective from"), load_default=None)


class ContactsForm(Form):
    version = fields.Int(load_default=None)


# Empty rows under the agency's contacts, for adding some.
SPARE_CONTACT_ROWS = 2
_CONTACT_FIELD = re.compile(r"^contacts\.(\d+)\.(email|name|role)$")


def _contact_rows(form: MultiDict[str, str]) -> list[dict[str, str]]:
    """The contact rows as posted (`contacts.N.email`, `.name`, `.role`), in
    their order; emptied rows are dropped, so a row's number is its place in
    the list the domain receives and its errors name that number too."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        found = _CONTACT_FIELD.match(key)
        if found and value.strip():
            rows.setdefault(int(found[1]), {})[found[2]] = value.strip()
    return [rows[n] for n in sorted(rows)]


def _contacts(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The rows checked as the API checks a new list of contacts (its schema)."""
    try:
        contacts: list[dict[str, Any]] = schemas.ContactsIn().load({"contacts": rows})[
            "contacts"]
    except ValidationError as error:
        assert isinstance(error.messages, dict)  # a schema's errors are by field
        found = error.messages.get("contacts", {})
        if not isinstance(found, dict):  # the list as a whole: too many rows
            raise ValidationError({"contacts": found}) from None
        # By row, then by field: named as the form names them.
        raise ValidationError({f"contacts.{n}.{field}": [str(m) for m in messages]
                               for n, row in found.items()
                               for field, messages in row.items()}) from None
    return contacts


def _agency(code: str) -> AgencyView:
    try:
        return queries().agency(canonical_code(code))
    except (ValueError, NotFound):
        abort(404, description=i18n._("There is no such agency."))


@blp.route("/agencies", methods=["GET", "POST"])
@requires(Role.ADMIN)
def agencies() -> Any:
    """Every agency, those an import created and nobody confirmed yet first;
    and the form to register one."""
    account: Account = g.account
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            data = RegisterForm().load(_posted(request.form))
            contacts = [{"email": data["contact_email"]}] if data["contact_email"] else []
            service().execute(c.RegisterAgency(
                code=data["code"], name=data["name"], name_en=data["name_en"],
                contacts=contacts), account.actor, once(request.form))
            return redirect(url_for("workspace.agency", code=data["code"], saved="register"))
        except (ValidationError, DomainError) as error:
            errors, status = form_errors(error)
    every = sorted(queries().agencies(), key=lambda a: (a.confirmed, a.code))
    return render_template("workspace/agencies.html", account=account, agencies=every,
                           errors=errors, form=request.form), status


@blp.route("/agencies/<code>", methods=["GET", "POST"])
@requires(Role.ADMIN)
def agency(code: str) -> Any:
    """One agency: its names, contacts and succession, and the forms that
    change them."""
    account: Account = g.account
    found = _agency(code)
    errors: dict[str, list[str]] = {}
    status = 200
    posted = request.form.get("form") if request.method == "POST" else None
    rows = [{k: str(v) for k, v in contact.items()} for contact in found.contacts]
    if request.method == "POST":
        command: c.Command
        try:
            if posted == "alias":
                data = AliasForm().load(_posted(request.form))
                command = c.AddAgencyAlias(found.code, data["alias"])
            elif posted == "confirm":
                command = c.ConfirmAgency(found.code)
            elif posted == "contacts":
                rows = _contact_rows(request.form)
                version = ContactsForm().load(_posted(request.form))["version"]
                command = c.ChangeAgencyContacts(found.code, _contacts(rows),
                                                 expected_version=version)
            elif posted == "succession":
                data = SuccessionForm().load(_posted(request.form))
                command = c.RecordSuccession(found.code, data["successor_code"],
                                             effective_on=data["effective_on"])
            else:
                abort(400)
            service().execute(command, account.actor, once(request.form))
            return redirect(url_for("workspace.agency", code=found.code, saved=posted))
        except (ValidationError, DomainError) as error:
            errors, status = form_errors(error)
    others = [a for a in queries().agencies() if a.code != found.code]
    return render_template(
        "workspace/agency.html", account=account, agency=found, errors=errors,
        form=request.form, posted=posted, saved=request.args.get("saved"),
        contact_rows=rows + [{}] * SPARE_CONTACT_ROWS,
        predecessors=[a for a in others if a.successor == found.code],
        successors=[a for a in others if a.successor is None],
        today=service().clock()), status


# -- accounts --------------------------------------------------------------------------


class AccountForm(Form):
    email = schemas.Address(required=True)
    name = schemas.Text(required=True, max_length=schemas.NAME)
    role = fields.Str(required=True, validate=OneOf([r.value for r in STAFF_ROLES]))
    agency = schemas.AgencyCode(load_default=None)
    # Its least length is the service's rule, checked there.
    password = schemas.Text(required=True, max_length=schemas.PASSWORD)

    @validates_schema
    def _agency_for_officers_only(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("role") == Role.AGENCY.value and not data.get("agency"):
            raise ValidationError(
                i18n._("An agency officer needs the code of their agency."), "agency")
        if data.get("role") in (Role.ADMIN.value, Role.AUDITOR.value) and data.get("agency"):
            raise ValidationError(
                i18n._("Only an agency officer belongs to an agency."), "agency")


class PersonForm(Form):
    email = schemas.Text(required=True, max_length=schemas.EMAIL)


class PasswordForm(PersonForm):
    password = schemas.Text(required=True, max_length=schemas.PASSWORD)


@blp.route("/accounts", methods=["GET", "POST"])
@requires(Role.ADMIN)
def accounts() -> Any:
    """Every account, disabled ones too; the form to create one, and per
    person a new password or disabling."""
    account: Account = g.account
    errors: dict[str, list[str]] = {}
    status = 200
    posted = request.form.get("form") if request.method == "POST" else None
    if request.method == "POST":
        try:
            if posted == "create":
                data = AccountForm().load(_posted(request.form))
                service().create_account(data["email"], data["name"], Role(data["role"]),
                                         data["agency"], data["password"], account.actor)
            elif posted == "password":
                data = PasswordForm().load(_posted(request.form))
                service().set_password(data["email"], data["password"], account.actor)
            elif posted == "disable":
                data = PersonForm().load(_posted(request.form))
                if canonical_email(data["email"]) == account.email:
                    # The last secretariat account could lock everyone out.
                    raise ValidationError(
                        i18n._("You cannot disable your own account."), "_form")
                service().disable_account(data["email"], account.actor)
            else:
                abort(400)
            return redirect(url_for("workspace.accounts", saved=posted))
        except (ValidationError, DomainError) as error:
            errors, status = form_errors(error)
    # An officer belongs to an agency that still writes: not a succeeded one.
    bindable = [a for a in queries().agencies() if a.successor is None]
    return render_template(
        "workspace/accounts.html", account=account, accounts=queries().accounts(),
        agencies=bindable, roles=[r.value for r in STAFF_ROLES], errors=errors, form=request.form,
        posted=posted, person=request.form.get("email", "").strip().lower(),
        minimum=MINIMUM_LENGTH, saved=request.args.get("saved")), status
