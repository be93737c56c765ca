"""Reads through the HTTP contract: filters, pagination, history, point in time."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Caller, World, created

PROOF = [{"title": "Báo cáo 21/BC-SYT"}]


def make(api: Caller, world: World, text: str, agency: str = "SYT", **extra: Any) -> str:
    body = {"agency": agency, "kind": "review", "dialogue_id": world.dialogue, "text": text,
            **extra}
    return str(created(api.post("/api/v1/commitments", body))["id"])


def ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.json
    return {item["id"] for item in response.json["items"]}


def act(api: Caller, commitment: str, **body: Any) -> None:
    response = api.post(f"/api/v1/commitments/{commitment}/updates", body)
    assert response.status_code == 200, response.json


@pytest.fixture
def several(api: Caller, world: World) -> dict[str, str]:
    """Commitments in different states (today is 2024-09-01)."""
    made = {
        "overdue": world.commitment,  # review due 2024-07-09, still open
        "teachers": make(api, world, "Bổ sung biên chế kế toán trường học", agency="SGDDT",
                         due_on="2024-12-31"),
        "done": make(api, world, "Hỗ trợ đoàn viên khó khăn", due_on="2024-08-01"),
        "late": make(api, world, "Đào tạo nhân viên y tế thôn bản", due_on="2024-06-30"),
    }
    act(api, made["done"], action="fulfil", effective_on="2024-07-15", evidence=PROOF)
    act(api, made["late"], action="fulfil", effective_on="2024-08-20", evidence=PROOF)
    verdict = api.post(f"/api/v1/commitments/{made['late']}/verdicts",
                       {"verdict": "disputed", "note": "Chưa có bằng chứng"})
    assert verdict.status_code == 200, verdict.json
    return made


def test_filters(api: Caller, several: dict[str, str]) -> None:
    everything = set(several.values())
    assert ids(api.get("/api/v1/commitments")) == everything
    assert ids(api.get("/api/v1/commitments", agency="sgddt")) == {several["teachers"]}
    assert ids(api.get("/api/v1/commitments", status="fulfilled")) == {several["done"],
                                                                       several["late"]}
    assert ids(api.get("/api/v1/commitments", overdue="true")) == {several["overdue"]}
    assert ids(api.get("/api/v1/commitments", overdue="false")) == everything - {
        several["overdue"]}
    assert ids(api.get("/api/v1/commitments", verdict="disputed")) == {several["late"]}
    assert ids(api.get("/api/v1/commitments", due_before="2024-07-01")) == {several["late"]}
    assert ids(api.get("/api/v1/commitments", due_after="2024-08-01")) == {several["teachers"]}


def test_dialogue_filter(api: Caller, world: World, several: dict[str, str]) -> None:
    other = created(api.post("/api/v1/dialogues", {"title": "Khác", "held_on": "2024-06-01"}))
    elsewhere = make(api, world, "Ở hội nghị khác", dialogue_id=other["id"])
    assert ids(api.get("/api/v1/commitments", dialogue=other["id"])) == {elsewhere}
    assert elsewhere not in ids(api.get("/api/v1/commitments", dialogue=world.dialogue))


@pytest.mark.parametrize("query", ["bien che ke toan", "BIÊN CHẾ", "dao tao thon ban",
                                   "Đào  tạo"])
def test_text_search_ignores_accents_and_case(
    api: Caller, several: dict[str, str], query: str
) -> None:
    found = ids(api.get("/api/v1/commitments", q=query))
    assert found and found <= {several["teachers"], several["late"]}


def test_d_matches_dj(api: Caller, several: dict[str, str]) -> None:
    assert ids(api.get("/api/v1/commitments", q="doan vien")) == {several["done"]}


def test_bad_filters_are_422_naming_them(api: Caller, world: World) -> None:
    for params, field in [({"status": "late"}, "status"), ({"overdue": "maybe"}, "overdue"),
                          ({"as_of": "yesterday"}, "as_of"), ({"limit": "0"}, "limit"),
                          ({"colour": "red"}, "colour"), ({"cursor": "!!"}, "cursor")]:
        response = api.get("/api/v1/commitments", **params)
        assert response.status_code == 422, (params, response.json)
        assert field in response.json["error"]["fields"]


def test_pages_follow_the_cursor_without_gaps(api: Caller, world: World) -> None:
    made = [world.commitment] + [make(api, world, f"Cam kết số {n}") for n in range(6)]
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 3}
    while True:
        page = api.get("/api/v1/commitments", **params).json
        assert page["total"] == 7
        seen += [item["id"] for item in page["items"]]
        if page["next"] is None:
            break
        params["cursor"] = page["next"]
    assert seen == made


def test_as_of_shows_the_state_at_the_end_of_that_date(
    api: Caller, world: World, several: dict[str, str]
) -> None:
    path = f"/api/v1/commitments/{several['done']}"
    before = api.get(path, as_of="2024-07-14").json
    assert (before["status"], before["version"], before["as_of"]) == ("open", 1, "2024-07-14")
    on_the_day = api.get(path, as_of="2024-07-15").json
    assert on_the_day["status"] == "fulfilled"
    # On 2024-07-10 the first commitment was one day late.
    late = api.get(f"/api/v1/commitments/{world.commitment}", as_of="2024-07-10").json
    assert (late["overdue"], late["days_overdue"]) == (True, 1)
    # The list answers the same question.
    listed = api.get("/api/v1/commitments", as_of="2024-07-14", status="fulfilled")
    assert ids(listed) == set()
    listed = api.get("/api/v1/commitments", as_of="2024-07-31", status="fulfilled")
    assert ids(listed) == {several["done"]}


def test_as_of_before_the_promise_was_made_is_404(api: Caller, world: World) -> None:
    response = api.get(f"/api/v1/commitments/{world.commitment}", as_of="2024-05-09")
    assert response.status_code == 404
    assert "2024-05-09" in response.json["error"]["message"]


def test_history_lists_every_event_with_actor_and_never_a_token(
    api: Caller, world: World
) -> None:
    agency = api.as_(world.agency_token)
    assert agency.post(f"/api/v1/commitments/{world.commitment}/updates",
                       {"action": "progress", "note": "Đã trình"}).status_code == 200
    history = api.get(f"/api/v1/commitments/{world.commitment}/history").json
    assert [(e["type"], e["actor"]) for e in history] == [
        ("Made", {"role": "admin", "agency": None}),
        ("ProgressReported", {"role": "agency", "agency": "SYT"}),
    ]
    assert history[1]["data"]["note"] == "Đã trình"
    assert history[0]["at"] <= history[1]["at"]
    assert history[0]["effective_on"] == "2024-05-10"
    text = str(history)
    for token in (api.token, world.agency_token):
        assert token is not None and token not in text


def test_a_question_knows_its_answers_and_commitments(api: Caller, world: World) -> None:
    answered = api.get(f"/api/v1/questions/{world.question}").json
    assert answered["answered"] is True
    assert [a["id"] for a in answered["answers"]] == [world.answer]
    assert [c["id"] for c in answered["commitments"]] == [world.commitment]
    unanswered = api.get(f"/api/v1/questions/{world.other_question}").json
    assert (unanswered["answered"], unanswered["answers"]) == (False, [])


def test_a_dialogue_counts_its_commitments_by_status(
    api: Caller, world: World, several: dict[str, str]
) -> None:
    body = api.get(f"/api/v1/dialogues/{world.dialogue}").json
    assert body["by_status"] == {"open": 2, "fulfilled": 2}
    assert (body["questions"], body["answered"], body["commitments"], body["overdue"]) == (
        2, 1, 4, 1)


def test_the_public_report_needs_no_token_and_shows_no_contacts(
    api: Caller, world: World, several: dict[str, str]
) -> None:
    make(api, world, "Ứng viên chưa xác nhận", status="proposed")
    response = api.as_(None).get("/api/v1/public/reports/agencies")
    assert response.status_code == 200
    rows = {row["agency"]: row for row in response.json}
    assert rows["SYT"] == {
        "agency": "SYT", "name": "Sở Y tế", "total": 3, "fulfilled": 2,
        "fulfilled_on_time": 1, "fulfilled_late": 1, "fulfilled_by_original_date": 1,
        "pending_within_deadline": 0,
        "overdue": 1, "open": 1, "partially_fulfilled": 0, "declined": 0, "withdrawn": 0,
        "transferred": 0, "verified": 0, "disputed": 1, "confirmed_by_asker": 0,
        "contested_by_asker": 0}
    assert rows["SGDDT"]["pending_within_deadline"] == 1  # due 2024-12-31
    assert "syt@example.vn" not in response.get_data(as_text=True)
    then = api.as_(None).get("/api/v1/public/reports/agencies", as_of="2024-07-31").json
    assert {r["agency"]: r["fulfilled"] for r in then}["SYT"] == 1


def test_a_verdict_does_not_move_the_date_of_fulfilment(
    api: Caller, world: World, several: dict[str, str]
) -> None:
    verdict = api.post(f"/api/v1/commitments/{several['done']}/verdicts",
                       {"verdict": "verified"})
    assert verdict.status_code == 200, verdict.json
    rows = {row["agency"]: row for row in api.as_(None).get("/api/v1/public/reports/agencies").json}
    assert rows["SYT"]["fulfilled_on_time"] == 1


def test_healthz(api: Caller) -> None:
    response = api.as_(None).get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"


def _contract_routes() -> set[tuple[str, str]]:
    # The repository's own, live contract: a fresh clone has nothing beside it.
    contract = Path(__file__).resolve().parents[2] / "docs" / "api.md"
    text = contract.read_text(encoding="utf-8")
    routes = set()
    for method, path in re.findall(r"(GET|POST|PUT) (/api/v1/[^\s|`?,]+|/healthz)", text):
        routes.add((method, re.sub(r"\{[^}]+\}", "{}", path)))
    return routes


def test_every_api_route_of_the_contract_is_in_the_openapi_document(api: Caller) -> None:
    spec = api.as_(None).get("/api/v1/openapi.json").json
    documented = {
        (method.upper(), re.sub(r"\{[^}]+\}", "{}", path))
        for path, operations in spec["paths"].items()
        for method in operations
    }
    contract = _contract_routes()
    assert len(contract) >= 15
    assert {("POST", "/api/v1/imports/transcripts"),
            ("POST", "/api/v1/commitments/{}/extension-decisions"),
            ("POST", "/api/v1/commitments/{}/corrections")} <= contract
    assert contract <= documented, sorted(contract - documented)
    assert "bearerAuth" in spec["components"]["securitySchemes"]
