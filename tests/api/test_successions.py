"""Successions done right: what is recorded for an agency after a successor
replaced it goes to the successor, and recording the succession again hands on
what was missed, once. Today is 2024-09-01; SYT is succeeded by SNV on
2024-07-01."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.access import Role
from domain.commitment import Commitment
from domain.reminders import Channel
from service.reminders import Reminders
from tests.api.conftest import Caller, World, created


@pytest.fixture
def merged(api: Caller, world: World) -> dict[str, Any]:
    created(api.post("/api/v1/agencies", {"code": "SNV", "name": "Sở Nội vụ"}))
    response = api.post("/api/v1/agencies/SYT/successor",
                        {"successor_code": "SNV", "effective_on": "2024-07-01"})
    assert response.status_code == 200, response.json
    body: dict[str, Any] = response.json
    return body


def test_a_promise_recorded_after_the_merger_belongs_to_the_successor(
    api: Caller, world: World, merged: dict[str, Any]
) -> None:
    # Made at the May dialogue, when SYT still existed, but recorded in
    # September: SYT's until the merger, SNV's from it.
    body = created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "review", "dialogue_id": world.dialogue,
        "text": "Rà soát chế độ trực đêm"}))
    assert (body["agency"], body["made_on"]) == ("SNV", "2024-05-10")
    first = body["source"]["transferred_from"]
    assert first is not None
    old = api.get(f"/api/v1/commitments/{first}").json
    assert (old["agency"], old["status"]) == ("SYT", "transferred")
    snv = api.service.issue_token(Role.AGENCY, "SNV")
    assert api.as_(snv).post(f"/api/v1/commitments/{body['id']}/updates",
                             {"action": "progress"}).status_code == 200
    agency = api.get("/api/v1/agencies/SYT").json
    assert {"from": first, "to": body["id"]} in agency["transferred"]
    # A dialogue held after the merger: SNV's from the start, nothing to hand on.
    later = created(api.post("/api/v1/dialogues", {"title": "Tiếp xúc cử tri",
                                                   "held_on": "2024-08-15"}))["id"]
    direct = created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "review", "dialogue_id": later, "text": "Trả lời cử tri"}))
    assert (direct["agency"], direct["source"]["transferred_from"]) == ("SNV", None)


def test_a_candidate_recorded_after_the_merger_is_confirmed_as_the_successors(
    api: Caller, world: World, merged: dict[str, Any]
) -> None:
    candidate = created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "study", "dialogue_id": world.dialogue,
        "text": "Nghiên cứu phụ cấp", "status": "proposed"}))
    assert (candidate["agency"], candidate["status"]) == ("SNV", "proposed")
    confirmed = api.post(f"/api/v1/commitments/{candidate['id']}/updates",
                         {"action": "confirm"})
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["agency"] == "SNV"


def _missed(api: Caller, world: World) -> UUID:
    """A promise of SYT's left behind, as an older version could leave one
    (it looked for them in read tables that lagged)."""
    app = api.service
    commitment = Commitment(
        agency="SYT", text="Bị bỏ sót khi sáp nhập", kind="review", due_on=date(2024, 10, 1),
        due_basis="stated", made_on=date(2024, 5, 10), dialogue_id=UUID(world.dialogue),
        answer_id=None, question_ids=[], status="open", actor={"role": "admin", "agency": None})
    app.save(commitment)
    return commitment.id


def test_recording_the_succession_again_hands_on_what_was_missed_once(
    api: Caller, world: World, merged: dict[str, Any]
) -> None:
    missed = _missed(api, world)
    again = api.post("/api/v1/agencies/SYT/successor", {"successor_code": "SNV"})
    assert again.status_code == 200, again.json
    handed = [p for p in again.json["transferred"] if p["from"] == str(missed)]
    assert len(handed) == 1
    carried = api.get(f"/api/v1/commitments/{handed[0]['to']}").json
    assert (carried["agency"], carried["status"]) == ("SNV", "open")
    before = api.events()
    third = api.post("/api/v1/agencies/SYT/successor",
                     {"successor_code": "SNV", "effective_on": "2024-07-01"})
    assert third.status_code == 200, third.json
    assert api.events() == before
    assert third.json["transferred"] == again.json["transferred"]


def test_a_succeeded_agency_gets_no_reminder(api: Caller, world: World,
                                             merged: dict[str, Any]) -> None:
    missed = _missed(api, world)
    sent: list[Any] = []
    queries = api.client.application.extensions["queries"]
    reminders = Reminders(api.service, queries, {
        channel: (lambda notice: sent.append(notice) or "ok") for channel in Channel})
    for day in (date(2024, 9, 25), date(2024, 10, 2), date(2024, 11, 5)):
        for due in reminders.scan(day):
            if due.commitment_id == missed:
                report = reminders.deliver(due, today=day, claim=f"t-{day}", attempt=0,
                                           final=False)
                assert report.skipped and "succeeded by SNV" in report.skipped
    assert sent == []


def test_a_handed_on_promise_keeps_the_day_it_was_made_and_counts_once(
    api: Caller, world: World, merged: dict[str, Any]
) -> None:
    [pair] = merged["transferred"]
    carried = api.get(f"/api/v1/commitments/{pair['to']}").json
    assert carried["made_on"] == "2024-05-10"
    months = {m["month"]: m["made"] for m in
              api.as_(None).get("/reports/", format="json").json["months"]}
    # One promise, made in May: the line does not jump at the merger.
    assert months["2024-05"] == months["2024-07"] == months["2024-09"] == 1
    overview = api.as_(None).get("/reports/", format="json").json
    assert overview["scorecard"]["made"] == 1
    # Before the handover the successor's copy did not exist.
    assert api.get(f"/api/v1/commitments/{pair['to']}", as_of="2024-06-30").status_code == 404
