"""Issue 15 §2: every GET route of the API, read by each of the five
audiences, answers as the read matrix (domain.visibility) says: refused where
the audience may not read the resource, and without the fields it may not see.
A new route fails here until it is given its resource."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.access import Actor, Role
from domain.reminders import Channel
from domain.visibility import READS, Audience, audience, field_path, may_read, sees
from service.bootstrap import build_queries
from service.notices import Notice
from service.reminders import DeliveryFailed, Due, Reminders
from tests.api.conftest import TODAY, Caller, World, created

HOOK = "https://hooks.sxd.example.vn/secret-path-3f9a"
OUTBOX = "/srv/commitments/outbox/0001.eml"
ASKER_MAIL, ASKER_PHONE = "lo.thi.mai@example.vn", "+84 912 345 678"
# Each GET route under /api/v1: the resource it reads, and the agency that owns
# what it reads (None: nobody, or a list of many owners).
ROUTES: dict[str, tuple[str, str | None]] = {
    "/api/v1/agencies": ("agency", None),
    "/api/v1/agencies/<code>": ("agency", "SXD"),
    "/api/v1/commitments": ("commitment", None),
    "/api/v1/commitments/<uuid:commitment_id>": ("commitment", "SXD"),
    "/api/v1/commitments/<uuid:commitment_id>/history": ("history", "SXD"),
    "/api/v1/dialogues": ("dialogue", None),
    "/api/v1/dialogues/<uuid:dialogue_id>": ("dialogue", None),
    "/api/v1/dialogues/<uuid:dialogue_id>/candidates": ("candidates", None),
    "/api/v1/questions/<uuid:question_id>": ("question", None),
    "/api/v1/public/reports/agencies": ("public_report", None),
    "/api/v1/public/reports/grievances": ("public_report", None),
    "/api/v1/openapi.json": ("documentation", None),
    "/api/v1/published-reports": ("published_report", None),
    "/api/v1/published-reports/<uuid:report_id>": ("published_report", None),
}
# Lists an officer reads limited to its own agency's items.
OWN_LISTS = {"/api/v1/commitments"}
ACTORS: dict[Audience, Actor | None] = {
    Audience.PUBLIC: None, Audience.OWN_AGENCY: Actor(Role.AGENCY, "SXD"),
    Audience.OTHER_AGENCY: Actor(Role.AGENCY, "SGDDT"), Audience.AUDITOR: Actor(Role.AUDITOR),
    Audience.ADMIN: Actor(Role.ADMIN)}


@dataclass
class Reminded:
    """SXD, with contacts and a webhook, owns an overdue promise made in answer
    to the world's question: its reminder was mailed, and given up on the
    webhook. SGDDT has a candidate in answer to the same question."""

    world: World
    commitment: str
    tokens: dict[Audience, str | None]
    question: str  # asked by someone who left a contact
    report: str  # opened for the agencies' replies


@pytest.fixture
def reminded(api: Caller, world: World) -> Reminded:
    created(api.post("/api/v1/agencies", {
        "code": "SXD", "name": "Sở Xây dựng", "contacts": [{"email": "vp@sxd.example.vn"}],
        "webhook_url": HOOK}))
    commitment = created(api.post("/api/v1/commitments", {
        "agency": "SXD", "kind": "report", "answer_id": world.answer, "due_on": "2024-07-01",
        "text": "Sẽ báo cáo tiến độ nhà ở xã hội cho công nhân."}))["id"]
    created(api.post("/api/v1/commitments", {
        "agency": "SGDDT", "kind": "review", "answer_id": world.answer, "status": "proposed",
        "text": "Sẽ rà soát biên chế kế toán trường học."}))

    question = created(api.post(f"/api/v1/dialogues/{world.dialogue}/questions", {
        "asker": {"name": "Chị Lò Thị Mai", "contact": {"email": ASKER_MAIL,
                                                        "phone": ASKER_PHONE}},
        "text": "Bao giờ có nhà ở xã hội cho công nhân?"}))["id"]

    def mail(notice: Notice) -> str:
        return OUTBOX

    def webhook(notice: Notice) -> str:
        raise DeliveryFailed("HTTP 500 from the hook")

    queries = build_queries(api.service)
    try:
        reminders = Reminders(api.service, queries,
                              {Channel.EMAIL: mail, Channel.WEBHOOK: webhook},
                              now=lambda: datetime(2024, 9, 1, 2, tzinfo=UTC))
        [due] = [d for d in reminders.scan(TODAY) if str(d.commitment_id) == commitment]
        reminders.deliver(due, today=TODAY, claim="t", attempt=0, final=False)
        reminders.deliver(Due(due.commitment_id, due.due_on, None), today=TODAY, claim="t",
                          attempt=1, final=True)
    finally:
        queries.close()
    tokens = {Audience.PUBLIC: None,
              Audience.OWN_AGENCY: api.service.issue_token(Role.AGENCY, "SXD"),
              Audience.OTHER_AGENCY: world.other_agency_token,
              Audience.AUDITOR: world.auditor_token, Audience.ADMIN: api.token}
    report = created(api.post("/api/v1/published-reports", {
        "title": "Báo cáo 2024", "as_of": "2024-08-31", "reply_days": 5}))["id"]
    return Reminded(world, commitment, tokens, question, report)


def _path(rule: str, r: Reminded) -> str:
    return (rule.replace("<code>", "SXD")
            .replace("<uuid:commitment_id>", r.commitment)
            .replace("<uuid:dialogue_id>", r.world.dialogue)
            .replace("<uuid:question_id>", r.question)
            .replace("<uuid:report_id>", r.report))


def _fields(value: Any, prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every field of a JSON document as (the matrix's dotted path, the object
    holding it); items of lists under their list's path."""
    if isinstance(value, list):
        for item in value:
            yield from _fields(item, prefix)
    elif isinstance(value, dict):
        for key, inner in value.items():
            path = field_path(prefix, key, value)
            yield path, value
            yield from _fields(inner, path + ".")


def test_every_get_route_is_in_the_matrix(api: Caller) -> None:
    rules = {r.rule for r in api.client.application.url_map.iter_rules()
             if r.rule.startswith("/api/v1") and "GET" in (r.methods or ())}
    unknown = {r for r in rules - set(ROUTES) if not r.startswith("/api/v1/docs")}
    assert not unknown, f"give these routes their resource in the matrix: {unknown}"
    assert {resource for resource, _ in ROUTES.values()} <= set(READS)


@pytest.mark.parametrize("who", list(Audience), ids=lambda a: a.value.replace(" ", "_"))
def test_each_route_answers_each_audience_as_the_matrix_says(
        api: Caller, reminded: Reminded, who: Audience) -> None:
    caller = ACTORS[who]
    for rule, (resource, owner) in ROUTES.items():
        response = api.as_(reminded.tokens[who]).get(_path(rule, reminded))
        if caller is None and not rule.startswith(("/api/v1/public/", "/api/v1/openapi")):
            assert response.status_code == 401, (rule, response.json)
            continue
        route_audience = audience(caller, caller.agency if caller and rule in OWN_LISTS
                                  else owner)
        if not may_read(resource, route_audience):
            assert response.status_code == 403, (rule, who, response.json)
            assert response.json["error"]["message"], rule
            continue
        assert response.status_code == 200, (rule, who, response.json)
        checked = 0
        for path, holder in _fields(response.json):
            if path not in READS[resource].fields:
                continue
            item_owner = holder.get("code") if resource == "agency" else owner
            assert sees(resource, path, audience(caller, item_owner)), (rule, who, path)
            checked += 1
        if who is Audience.ADMIN:
            # The admin sees every restricted field this world fills in.
            assert checked or not READS[resource].fields, rule
        if rule in OWN_LISTS and caller is not None and caller.role is Role.AGENCY:
            assert {c["agency"] for c in response.json["items"]} <= {caller.agency}


def test_what_each_audience_reads_of_a_history(api: Caller, reminded: Reminded) -> None:
    """The leak found: another agency read e-mail addresses, the webhook's
    secret path and the server's mail file path in a history."""
    path = f"/api/v1/commitments/{reminded.commitment}/history"

    def read(who: Audience) -> str:
        response = api.as_(reminded.tokens[who]).get(path)
        return str(response.json) if response.status_code == 200 else str(response.status_code)

    assert read(Audience.OTHER_AGENCY) == "403"
    admin = read(Audience.ADMIN)
    assert all(s in admin for s in ("vp@sxd.example.vn", HOOK, OUTBOX, "HTTP 500"))
    auditor = read(Audience.AUDITOR)
    assert "vp@sxd.example.vn" in auditor
    assert not any(s in auditor for s in (HOOK, OUTBOX, "HTTP 500"))
    own = read(Audience.OWN_AGENCY)
    assert "vp@sxd.example.vn" in own and HOOK in own
    assert not any(s in own for s in (OUTBOX, "HTTP 500"))


def test_only_staff_tables_hold_who_was_reminded(api: Caller, reminded: Reminded) -> None:
    """The public report reads the read tables: the addresses a reminder went
    to, the hook's secret path and the mail server's file path are only in
    the history's entries and the agencies' contacts, which staff reads read."""
    assert api.projector is not None
    api.projector.settle()
    queries = build_queries(api.service)
    try:
        holding = {table for table in queries.view.read_table_names()
                   if any(s in repr([dict(r) for r in queries.view.rows(
                       f"SELECT * FROM {table}")]) for s in ("vp@sxd.example.vn", HOOK, OUTBOX))}
    finally:
        queries.close()
    assert holding == {"rm_history_entries", "rm_agency_contacts"}


def test_what_each_audience_reads_of_agencies(api: Caller, reminded: Reminded) -> None:
    def sxd(who: Audience) -> dict[str, Any]:
        token = reminded.tokens[who]
        listed = {a["code"]: a for a in api.as_(token).get("/api/v1/agencies").json}
        one: dict[str, Any] = api.as_(token).get("/api/v1/agencies/sxd").json
        assert listed["SXD"] == one
        return one

    assert {"contacts", "webhook_url"} <= set(sxd(Audience.ADMIN))
    own = sxd(Audience.OWN_AGENCY)
    assert own["webhook_url"] == HOOK and own["contacts"]
    auditor = sxd(Audience.AUDITOR)
    assert auditor["contacts"] and "webhook_url" not in auditor
    other = sxd(Audience.OTHER_AGENCY)
    assert not {"contacts", "webhook_url"} & set(other)
    assert other["name"] == "Sở Xây dựng"


def test_an_officer_reads_its_own_commitments_only(api: Caller, reminded: Reminded) -> None:
    other = api.as_(reminded.tokens[Audience.OTHER_AGENCY])
    assert other.get(f"/api/v1/commitments/{reminded.commitment}").status_code == 403
    listed = other.get("/api/v1/commitments").json
    assert {c["agency"] for c in listed["items"]} == {"SGDDT"}
    refused = other.get("/api/v1/commitments", agency="SXD")
    assert refused.status_code == 403
    assert "public report" in refused.json["error"]["message"]
    # A question answered by three agencies shows an officer its own promises only.
    by = {who: sorted(c["agency"] for c in api.as_(reminded.tokens[who]).get(
        f"/api/v1/questions/{reminded.world.question}").json["commitments"])
        for who in (Audience.OWN_AGENCY, Audience.OTHER_AGENCY, Audience.AUDITOR)}
    assert by == {Audience.OWN_AGENCY: ["SXD"], Audience.OTHER_AGENCY: ["SGDDT"],
                  Audience.AUDITOR: ["SGDDT", "SXD", "SYT"]}


def test_an_askers_contact_is_read_by_admins_only(api: Caller, reminded: Reminded) -> None:
    """Issue 18: how to reach the person who asked is written once and read
    back by the secretariat alone; no public page, export or history has it."""
    path = f"/api/v1/questions/{reminded.question}"
    admin = api.as_(reminded.tokens[Audience.ADMIN]).get(path).json
    assert admin["asker"]["contact"] == {"email": ASKER_MAIL, "phone": ASKER_PHONE}
    for who in (Audience.AUDITOR, Audience.OWN_AGENCY, Audience.OTHER_AGENCY):
        read = api.as_(reminded.tokens[who]).get(path).json
        assert read["asker"]["name"] == "Chị Lò Thị Mai" and "contact" not in read["asker"]
    dialogue = reminded.world.dialogue
    public: list[tuple[str, dict[str, str]]] = [
        (f"/reports/dialogues/{dialogue}", {}),
        *((f"/reports/dialogues/{dialogue}", {"format": f}) for f in ("json", "csv")),
        (f"/reports/commitments/{reminded.commitment}", {}), ("/reports/", {"format": "json"}),
        (f"/api/v1/dialogues/{dialogue}", {}),
        (f"/api/v1/commitments/{reminded.commitment}/history", {})]
    for page, args in public:
        response = api.as_(reminded.tokens[Audience.AUDITOR]).get(page, **args)
        assert response.status_code == 200, page
        text = response.get_data(as_text=True)
        assert ASKER_MAIL not in text and "912 345" not in text, page
    shown = api.client.get(f"/reports/dialogues/{dialogue}").get_data(as_text=True)
    assert "Lò Thị Mai" in shown


def test_an_agency_reads_its_own_entries_of_a_report_before_it_goes_out(
        api: Caller, reminded: Reminded) -> None:
    path = f"/api/v1/published-reports/{reminded.report}"
    agencies = {who: {e["agency"] for e in api.as_(reminded.tokens[who]).get(path).json[
        "entries"]} for who in (Audience.ADMIN, Audience.OWN_AGENCY, Audience.OTHER_AGENCY)}
    assert agencies == {Audience.ADMIN: {"SYT", "SXD"}, Audience.OWN_AGENCY: {"SXD"},
                        Audience.OTHER_AGENCY: set()}
    assert api.client.get(f"/reports/published/{reminded.report}").status_code == 404
