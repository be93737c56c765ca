"""A record nobody can game: agencies claim and request, the union decides.

Tried as the agency whose score is at stake would try it, with its own token,
on SQLite and PostgreSQL. Today is 2024-09-01; the world's promise (SYT,
review, made 2024-05-10) was due 2024-07-09 and is overdue.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Caller, World, created

PROOF = [{"title": "Công văn số 473/SYT-KHTC", "url": "https://syt.example.vn/cv473"}]


def post(caller: Caller, world: World, what: str, body: dict[str, Any],
         **headers: str) -> Any:
    return caller.post(f"/api/v1/commitments/{world.commitment}/{what}", body, **headers)


def refused(caller: Caller, response: Any, status: int, field: str | None = None) -> Any:
    assert response.status_code == status, response.json
    if field is not None:
        assert field in response.json["error"]["fields"], response.json
    return response.json["error"]


def league_row(api: Caller, code: str = "SYT") -> dict[str, Any]:
    rows = api.as_(None).get("/api/v1/public/reports/agencies").json
    found: dict[str, Any] = next(r for r in rows if r["agency"] == code)
    return found


def test_an_agencys_extend_is_a_request_that_moves_nothing(api: Caller, world: World) -> None:
    agency = api.as_(world.agency_token)
    before = league_row(api)
    response = post(agency, world, "updates", {
        "action": "extend", "new_due_on": "2024-12-31", "note": "Chờ ý kiến của Bộ Y tế",
        "evidence": [{"title": "Công văn 88/SYT"}]})
    assert response.status_code == 202, response.json
    body = response.json
    assert (body["due_on"], body["overdue"], body["days_overdue"]) == ("2024-07-09", True, 54)
    assert body["extension_request"] == {
        "new_due_on": "2024-12-31", "note": "Chờ ý kiến của Bộ Y tế",
        "requested_on": "2024-09-01", "evidence": [{"title": "Công văn 88/SYT"}]}
    assert (body["original_due_on"], body["extensions"]) == ("2024-07-09", 0)
    # The same through a fresh read, the list's filter and the public report.
    again = api.get(f"/api/v1/commitments/{world.commitment}").json
    assert again["extension_request"]["new_due_on"] == "2024-12-31"
    assert again["due_on"] == "2024-07-09"
    waiting = api.get("/api/v1/commitments", extension_requested="true").json["items"]
    assert [c["id"] for c in waiting] == [world.commitment]
    assert waiting[0]["extension_request"]["requested_on"] == "2024-09-01"
    assert api.get("/api/v1/commitments", extension_requested="false").json["total"] == 0
    assert league_row(api) == before
    history = [e["type"] for e in api.get(f"/api/v1/commitments/{world.commitment}/history").json]
    assert history[-1] == "ExtensionRequested"


def test_a_second_request_waits_for_the_first(api: Caller, world: World) -> None:
    agency = api.as_(world.agency_token)
    assert post(agency, world, "updates", {"action": "extend", "new_due_on": "2024-12-31",
                                           "note": "lý do"}).status_code == 202
    events = api.events()
    error = refused(api, post(agency, world, "updates", {
        "action": "extend", "new_due_on": "2025-06-30", "note": "lý do khác"}), 409)
    assert "2024-12-31" in error["message"] and "waiting" in error["message"]
    assert api.events() == events


def test_the_union_approves_and_the_date_moves(api: Caller, world: World) -> None:
    agency, auditor = api.as_(world.agency_token), api.as_(world.auditor_token)
    post(agency, world, "updates", {"action": "extend", "new_due_on": "2024-12-31",
                                    "note": "Chờ ý kiến của Bộ"})
    # The body being judged cannot decide its own request.
    refused(api, post(agency, world, "extension-decisions", {"decision": "approve"}), 403)
    response = post(auditor, world, "extension-decisions",
                    {"decision": "approve", "note": "Có căn cứ"})
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["due_on"], body["due_basis"], body["overdue"]) == ("2024-12-31", "extended",
                                                                     False)
    assert (body["original_due_on"], body["extensions"], body["extension_request"]) == (
        "2024-07-09", 1, None)
    assert league_row(api)["overdue"] == 0
    # Decided once: nothing waits any more.
    refused(api, post(auditor, world, "extension-decisions", {"decision": "approve"}), 409)
    history = api.get(f"/api/v1/commitments/{world.commitment}/history").json
    decided = history[-1]
    assert decided["type"] == "ExtensionDecided"
    assert decided["data"]["decision"] == "approve"
    assert decided["actor"]["role"] == "auditor"


def test_the_union_refuses_with_a_reason_and_the_date_holds(api: Caller, world: World) -> None:
    agency = api.as_(world.agency_token)
    post(agency, world, "updates", {"action": "extend", "new_due_on": "2024-12-31",
                                    "note": "Chờ ý kiến"})
    events = api.events()
    refused(api, post(api, world, "extension-decisions", {"decision": "refuse"}), 422, "note")
    assert api.events() == events
    response = post(api, world, "extension-decisions",
                    {"decision": "refuse", "note": "Đã quá hạn hai tháng, không có căn cứ"})
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["due_on"], body["overdue"], body["extensions"],
            body["extension_request"]) == ("2024-07-09", True, 0, None)
    # Refused, the agency may ask again with a better reason.
    assert post(agency, world, "updates", {"action": "extend", "new_due_on": "2024-10-31",
                                           "note": "Đã có dự thảo"}).status_code == 202


def test_a_decision_without_a_request_is_refused(api: Caller, world: World) -> None:
    events = api.events()
    error = refused(api, post(api, world, "extension-decisions", {"decision": "approve"}), 409)
    assert "no extension request" in error["message"]
    refused(api, post(api, world, "extension-decisions", {"decision": "maybe"}), 422,
            "decision")
    assert api.events() == events


@pytest.mark.parametrize("token", ["auditor", "admin"])
def test_the_union_may_extend_directly(api: Caller, world: World, token: str) -> None:
    caller = api.as_(world.auditor_token) if token == "auditor" else api
    response = post(caller, world, "updates", {"action": "extend", "new_due_on": "2024-10-31",
                                               "note": "Theo kết luận của Chủ tịch"})
    assert response.status_code == 200, response.json
    assert (response.json["due_on"], response.json["extensions"]) == ("2024-10-31", 1)


@pytest.mark.parametrize("new_due_on", ["9999-12-31", "2030-01-01", "2029-05-11"])
def test_a_new_date_is_at_most_five_years_after_the_promise(
    api: Caller, world: World, new_due_on: str
) -> None:
    events = api.events()
    for caller, status in ((api.as_(world.agency_token), 422), (api, 422)):
        error = refused(caller, post(caller, world, "updates", {
            "action": "extend", "new_due_on": new_due_on, "note": "cần thêm thời gian"}),
            status, "new_due_on")
        assert "2029-05-10" in error["message"]
    assert api.events() == events
    assert post(api, world, "updates", {"action": "extend", "new_due_on": "2029-05-10",
                                        "note": "chương trình 5 năm"}).status_code == 200


def test_a_stated_date_beyond_five_years_is_refused(api: Caller, world: World) -> None:
    events = api.events()
    refused(api, api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "implement", "dialogue_id": world.dialogue,
        "due_on": "2099-12-31", "text": "Xây bệnh viện"}), 422, "due_on")
    assert api.events() == events


def test_withdraw_is_the_secretariats_with_a_reason(api: Caller, world: World) -> None:
    agency = api.as_(world.agency_token)
    events = api.events()
    refused(api, post(agency, world, "updates", {"action": "withdraw", "note": "thôi"}), 403)
    refused(api, post(api, world, "updates", {"action": "withdraw"}), 422, "note")
    assert api.events() == events
    response = post(api, world, "updates", {"action": "withdraw",
                                            "note": "Ghi nhầm: không phải lời hứa của Sở"})
    assert response.status_code == 200, response.json
    assert response.json["status"] == "withdrawn"


def test_an_agency_that_will_not_deliver_declines_and_is_counted(
    api: Caller, world: World
) -> None:
    agency = api.as_(world.agency_token)
    refused(api, post(agency, world, "updates", {"action": "decline"}), 422, "note")
    response = post(agency, world, "updates", {"action": "decline",
                                               "note": "Ngoài thẩm quyền của Sở"})
    assert response.status_code == 200, response.json
    row = league_row(api)
    assert (row["total"], row["overdue"]) == (1, 0)
    scores = api.as_(None).get("/reports/", format="json").json["agencies"]
    assert next(s for s in scores if s["agency"] == "SYT")["declined"] == 1


@pytest.mark.parametrize("action", ["fulfil", "partially_fulfil"])
@pytest.mark.parametrize("evidence", [None, [], [{}], [{"title": "  "}], [{"dated": "2024-08-01"}]])
def test_a_claim_of_delivery_needs_evidence(
    api: Caller, world: World, action: str, evidence: Any
) -> None:
    agency = api.as_(world.agency_token)
    body: dict[str, Any] = {"action": action}
    if evidence is not None:
        body["evidence"] = evidence
    events = api.events()
    refused(api, post(agency, world, "updates", body), 422, "evidence")
    assert api.events() == events
    for proof in ([{"title": "Quyết định 12/QĐ-SYT"}], [{"url": "https://syt.example.vn/qd"}]):
        fresh = created(api.post("/api/v1/commitments", {
            "agency": "SYT", "kind": "review", "dialogue_id": world.dialogue, "text": "Rà soát"}))
        response = agency.post(f"/api/v1/commitments/{fresh['id']}/updates",
                               {"action": action, "evidence": proof})
        assert response.status_code == 200, response.json


def test_an_agency_dates_what_it_reports_at_most_30_days_back(
    api: Caller, world: World
) -> None:
    agency = api.as_(world.agency_token)
    events = api.events()
    # Fulfilled "on 2024-06-30", sent on 2024-09-01: the gaming the issue found.
    error = refused(api, post(agency, world, "updates", {
        "action": "fulfil", "effective_on": "2024-06-30", "evidence": PROOF}), 422,
        "effective_on")
    assert "30 days" in error["message"]
    assert api.events() == events
    assert post(agency, world, "updates", {"action": "progress", "effective_on": "2024-08-02",
                                           "note": "đã họp"}).status_code == 200
    # The secretariat, entering an old dialogue's history, may date further back.
    other = created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "review", "dialogue_id": world.dialogue, "text": "Rà soát"}))
    response = api.post(f"/api/v1/commitments/{other['id']}/updates", {
        "action": "fulfil", "effective_on": "2024-06-30", "evidence": PROOF})
    assert response.status_code == 200, response.json


def test_the_agency_cannot_climb_the_league_table_by_itself(api: Caller, world: World) -> None:
    """The issue's three calls, on promises long overdue: none moves the score."""
    made = [world.commitment] + [created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "review", "dialogue_id": world.dialogue,
        "due_on": "2024-07-01", "text": f"Lời hứa {n}"}))["id"] for n in range(6)]
    before = league_row(api)
    assert before["overdue"] == 7
    agency = api.as_(world.agency_token)
    tries = [
        ({"action": "extend", "new_due_on": "2030-01-01", "note": "need more time"}, 422),
        ({"action": "extend", "new_due_on": "2025-01-01", "note": "need more time"}, 202),
        ({"action": "fulfil", "effective_on": "2024-06-30"}, 422),
        ({"action": "fulfil", "effective_on": "2024-06-30", "evidence": PROOF}, 422),
        ({"action": "withdraw", "note": "never mind"}, 403),
    ]
    for commitment, (body, status) in zip(made, tries, strict=False):
        response = agency.post(f"/api/v1/commitments/{commitment}/updates", body)
        assert response.status_code == status, (body, response.json)
    assert league_row(api) == before


# -- on time by which date -------------------------------------------------------------


def test_kept_after_an_extension_is_on_time_but_not_by_the_original_date(
    api: Caller, world: World
) -> None:
    agency = api.as_(world.agency_token)
    post(agency, world, "updates", {"action": "extend", "new_due_on": "2024-10-31",
                                    "note": "Chờ kinh phí"})
    post(api, world, "extension-decisions", {"decision": "approve"})
    kept = created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "report", "dialogue_id": world.dialogue,
        "due_on": "2024-09-30", "text": "Báo cáo kết quả"}))["id"]
    assert agency.post(f"/api/v1/commitments/{kept}/updates",
                       {"action": "fulfil", "evidence": PROOF}).status_code == 200
    response = post(agency, world, "updates", {"action": "fulfil", "evidence": PROOF})
    assert response.status_code == 200, response.json
    row = league_row(api)
    assert (row["fulfilled"], row["fulfilled_on_time"], row["fulfilled_by_original_date"]) == (
        2, 2, 1)
    overview = api.as_(None).get("/reports/", format="json").json
    standing = next(s for s in overview["agencies"] if s["agency"] == "SYT")
    assert (standing["fulfilled_on_time"], standing["fulfilled_by_original_date"]) == (2, 1)
    assert overview["scorecard"]["fulfilled_by_original_date"] == 1
    csv = api.as_(None).get("/reports/", format="csv", lang="en").get_data(as_text=True)
    assert "Fulfilled by the original date" in csv.splitlines()[0].split(",")
    agency_csv = api.as_(None).get("/reports/agencies/SYT", format="csv",
                                   lang="en").get_data(as_text=True)
    assert {"First due", "Extensions"} <= set(agency_csv.splitlines()[0].split(","))
    # As of a day before the extension nothing was fulfilled yet.
    then = api.as_(None).get("/api/v1/public/reports/agencies", as_of="2024-08-31").json
    assert next(r for r in then if r["agency"] == "SYT")["fulfilled_by_original_date"] == 0
    page = api.as_(None).get("/reports/", lang="en").get_data(as_text=True)
    assert "fulfilled by the original date" in page and "How each figure is counted" in page
    detail = api.as_(None).get(f"/reports/commitments/{world.commitment}", lang="en")
    assert "first promised for" in detail.get_data(as_text=True)


# -- corrections ----------------------------------------------------------------------------


def test_the_secretariat_corrects_a_recorded_promise(api: Caller, world: World) -> None:
    events = api.events()
    agency, auditor = api.as_(world.agency_token), api.as_(world.auditor_token)
    body = {"text": "Sẽ trình UBND tỉnh chế độ phụ cấp", "note": "Sai so với băng ghi âm"}
    refused(api, post(agency, world, "corrections", body), 403)
    refused(api, post(auditor, world, "corrections", body), 403)
    refused(api, post(api, world, "corrections", {"text": "x"}), 422, "note")
    refused(api, post(api, world, "corrections", {"note": "không đổi gì"}), 422)
    refused(api, post(api, world, "corrections", {"due_on": "2040-01-01", "note": "typo"}),
            422, "due_on")
    assert api.events() == events
    response = post(api, world, "corrections", {**body, "due_on": "2024-12-31",
                                                "kind": "propose"})
    assert response.status_code == 200, response.json
    corrected = response.json
    assert (corrected["text"], corrected["kind"], corrected["due_on"],
            corrected["original_due_on"], corrected["due_basis"]) == (
        body["text"], "propose", "2024-12-31", "2024-12-31", "stated")
    entry = api.get(f"/api/v1/commitments/{world.commitment}/history").json[-1]
    assert entry["type"] == "Corrected" and entry["data"]["note"] == body["note"]
    page = api.as_(None).get(f"/reports/commitments/{world.commitment}").get_data(as_text=True)
    assert "Sai so với băng ghi âm" in page and "Văn phòng đính chính" in page


def test_a_correction_of_the_owner_moves_the_promise_between_agencies(
    api: Caller, world: World
) -> None:
    response = post(api, world, "corrections", {"agency": "SGDDT",
                                                "note": "Thuộc ngành giáo dục"})
    assert response.status_code == 200, response.json
    assert league_row(api, "SGDDT")["total"] == 1
    syt = [r for r in api.as_(None).get("/api/v1/public/reports/agencies").json
           if r["agency"] == "SYT"]
    assert not syt or syt[0]["total"] == 0
    # Now the new owner's officers report on it, and the old one's may not.
    refused(api, post(api.as_(world.agency_token), world, "updates",
                      {"action": "progress"}), 403)
    assert post(api.as_(world.other_agency_token), world, "updates",
                {"action": "progress"}).status_code == 200
    refused(api, post(api, world, "corrections", {"agency": "NOPE", "note": "x"}), 422,
            "agency")


def test_a_candidate_is_edited_not_corrected(api: Caller, world: World) -> None:
    candidate = created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "review", "dialogue_id": world.dialogue, "text": "Ứng viên",
        "status": "proposed"}))["id"]
    error = refused(api, api.post(f"/api/v1/commitments/{candidate}/corrections",
                                  {"text": "Khác", "note": "sửa"}), 409)
    assert "edit" in error["message"]
    # And a recorded promise is corrected, not edited.
    error = refused(api, post(api, world, "edits", {"text": "Khác"}), 409)
    assert "corrections" in error["message"]
