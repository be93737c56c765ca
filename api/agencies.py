from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api import schemas
from api.auth import protect
from api.context import queries, service
from api.visibility import check_read
from api.writes import execute, expected_version
from domain.agency import Agency
from service.commands import (
    AddAgencyAlias,
    ChangeAgencyContacts,
    ConfirmAgency,
    RecordSuccession,
    RegisterAgency,
)
from service.queries import AgencyView

blp = Blueprint("agencies", __name__, url_prefix="/api/v1/agencies",
                description="Agencies that own commitments")
protect(blp)


@blp.route("")
class Agencies(MethodView):
    @blp.response(200, schemas.AgencyOut(many=True))
    def get(self) -> list[AgencyView]:
        """List agencies, by code; contacts and webhooks as the read matrix allows."""
        check_read("agency")
        return queries().agencies()

    @blp.arguments(schemas.AgencyIn())
    @blp.response(201, schemas.AgencyOut)
    def post(self, body: dict[str, Any]) -> Agency:
        """Register an agency (admin)."""
        outcome = execute(RegisterAgency(**body))
        return service().result(outcome)  # type: ignore[no-any-return]


@blp.route("/<code>")
class AgencyResource(MethodView):
    @blp.response(200, schemas.AgencyOut)
    def get(self, code: str) -> AgencyView:
        """One agency by its code (case-insensitive)."""
        check_read("agency", code.upper())
        return queries().agency(code.upper())


@blp.route("/<code>/successor")
class AgencySuccessor(MethodView):
    @blp.arguments(schemas.SuccessorIn())
    @blp.response(200, schemas.AgencyOut)
    def post(self, body: dict[str, Any], code: str) -> Agency:
        """Record that another agency succeeds this one (a merger); its commitments
        still in play are transferred to the successor (admin)."""
        outcome = execute(RecordSuccession(code=code.upper(), **body))
        return service().result(outcome)  # type: ignore[no-any-return]


@blp.route("/<code>/aliases")
class AgencyAliases(MethodView):
    @blp.arguments(schemas.AliasIn())
    @blp.response(200, schemas.AgencyOut)
    def post(self, body: dict[str, Any], code: str) -> Agency:
        """Another name the agency goes by (admin): transcript imports match
        agencies by name, ignoring accents, case and the province's name."""
        outcome = execute(AddAgencyAlias(code=code.upper(), alias=body["alias"]))
        return service().result(outcome)  # type: ignore[no-any-return]


@blp.route("/<code>/contacts")
class AgencyContacts(MethodView):
    @blp.arguments(schemas.ContactsIn())
    @blp.response(200, schemas.AgencyOut)
    @blp.doc(parameters=[{"in": "header", "name": "If-Match", "schema": {"type": "string"}}])
    def put(self, body: dict[str, Any], code: str) -> Agency:
        """Replace the agency's contacts, whom its reminders go to (admin).
        With If-Match (the agency's version), a change made meanwhile gives 409."""
        outcome = execute(ChangeAgencyContacts(code=code.upper(), contacts=body["contacts"],
                                               expected_version=expected_version()))
        return service().result(outcome)  # type: ignore[no-any-return]


@blp.route("/<code>/confirm")
class AgencyConfirmation(MethodView):
    @blp.response(200, schemas.AgencyOut)
    def post(self, code: str) -> Agency:
        """Confirm an agency a transcript import created (admin). One that
        duplicates an existing agency is better recorded as succeeded by it."""
        outcome = execute(ConfirmAgency(code=code.upper()))
        return service().result(outcome)  # type: ignore[no-any-return]
