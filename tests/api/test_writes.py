"""Writes through the HTTP contract: each one, and each way it can be refused.

After every refusal the store holds exactly as many events as before.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from uuid import UUID

import pytest

from domain.access import Role
from domain.reminders import Channel
from service.bootstrap import build_queries
from service.notices import Notice
from service.reminders import DeliveryFailed, Reminders
from tests.api.conftest import TODAY, Caller, World, created
from tests.support.deliveries import delivery_events


def refused(api: Caller, response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.json
    error: dict[str, Any] = response.json["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def update(api: Caller, world: World, body: dict[str, Any], **headers: str) -> Any:
    return api.post(f"/api/v1/commitments/{world.commitment}/updates", body, **headers)


# -- auth ---------------------------------------------------------------------------


def test_a_write_without_a_token_is_401_and_stores_nothing(api: Caller, world: World) -> None:
    before = api.events()
    refused(api, api.as_(None).post("/api/v1/dialogues", {"title": "x", "held_on": "2024-01-01"}),
            401, "unauthorized")
    refused(api, api.as_("cmt_not-a-token").post(
        "/api/v1/dialogues", {"title": "x", "held_on": "2024-01-01"}), 401)
    assert api.events() == before


def test_private_reads_need_a_token(api: Caller, world: World) -> None:
    refused(api, api.as_(None).get(f"/api/v1/commitments/{world.commitment}"), 401)
    refused(api, api.as_(None).get("/api/v1/commitments"), 401)


def test_only_the_secretariat_records(api: Caller, world: World) -> None:
    before = api.events()
    for token in (world.agency_token, world.auditor_token):
        error = refused(api, api.as_(token).post(
            "/api/v1/agencies", {"code": "SNV", "name": "Sở Nội vụ"}), 403, "forbidden")
        assert "may not record" in error["message"]
    assert api.events() == before


def test_an_agency_updates_only_its_own_commitments(api: Caller, world: World) -> None:
    before = api.events()
    error = refused(api, api.as_(world.other_agency_token).post(
        f"/api/v1/commitments/{world.commitment}/updates", {"action": "progress"}), 403)
    assert "SYT" in error["message"]
    assert api.events() == before
    ok = api.as_(world.agency_token).post(
        f"/api/v1/commitments/{world.commitment}/updates",
        {"action": "progress", "note": "Đã có văn bản trình UBND"})
    assert ok.status_code == 200, ok.json
    assert ok.json["status"] == "in_progress"


def test_an_agency_cannot_confirm_nor_judge(api: Caller, world: World) -> None:
    proposed = created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "study", "dialogue_id": world.dialogue, "status": "proposed",
        "text": "Nghiên cứu chế độ hỗ trợ"}))
    before = api.events()
    agency = api.as_(world.agency_token)
    refused(api, agency.post(f"/api/v1/commitments/{proposed['id']}/updates",
                             {"action": "confirm"}), 403)
    refused(api, agency.post(f"/api/v1/commitments/{world.commitment}/verdicts",
                             {"verdict": "verified"}), 403)
    assert api.events() == before


# -- creating -----------------------------------------------------------------------


def test_a_commitment_without_a_date_gets_the_default_for_its_kind(
    api: Caller, world: World
) -> None:
    body = api.get(f"/api/v1/commitments/{world.commitment}").json
    assert body["due_on"] == "2024-07-09"  # review: 60 days after 2024-05-10
    assert body["due_basis"] == "default"
    assert body["status"] == "open"
    assert body["source"]["answer_id"] == world.answer
    assert body["source"]["question_ids"] == [world.question]
    assert body["source"]["dialogue_id"] == world.dialogue


def test_a_stated_due_date_wins(api: Caller, world: World) -> None:
    body = created(api.post("/api/v1/commitments", {
        "agency": "SGDDT", "kind": "implement", "dialogue_id": world.dialogue,
        "due_on": "2024-12-31", "text": "Bổ sung biên chế trong năm 2024"}))
    assert (body["due_on"], body["due_basis"]) == ("2024-12-31", "stated")


def test_text_is_stored_in_nfc(api: Caller, world: World) -> None:
    nfd = unicodedata.normalize("NFD", "Kiến nghị tăng phụ cấp")
    body = created(api.post(f"/api/v1/dialogues/{world.dialogue}/questions",
                            {"asker": {"name": "Bà Hà Thị Miên"}, "text": nfd}))
    assert body["text"] == unicodedata.normalize("NFC", nfd)
    assert body["text"] != nfd


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/agencies", {"name": "Sở"}, "code"),
        ("/api/v1/agencies", {"code": "S", "name": "Sở"}, "code"),
        ("/api/v1/agencies", {"code": "SNV", "name": "  "}, "name"),
        ("/api/v1/agencies", {"code": "SNV", "name": "x", "contacts": [{"email": "no"}]},
         "contacts"),
        ("/api/v1/agencies", {"code": "SNV", "name": "x", "colour": "red"}, "colour"),
        ("/api/v1/dialogues", {"title": "x", "held_on": "10/05/2024"}, "held_on"),
        ("/api/v1/dialogues", {"held_on": "2024-05-10"}, "title"),
        ("/api/v1/answers", {"question_ids": [], "responder": {"name": "A", "agency": "SYT"},
                             "text": "x"}, "question_ids"),
        ("/api/v1/answers", {"question_ids": ["7e0d3f4c-0000-4000-8000-000000000000"],
                             "responder": {"name": "A", "agency": "SYT"}, "text": "x"},
         "question_ids"),
        ("/api/v1/commitments", {"agency": "SYT", "text": "x", "kind": "promise"}, "kind"),
        ("/api/v1/commitments", {"agency": "NOPE", "text": "x", "kind": "review"}, "agency"),
        ("/api/v1/commitments", {"agency": "SYT", "text": "x", "kind": "review"}, "answer_id"),
        ("/api/v1/commitments", {"agency": "SYT", "text": "x", "kind": "review",
                                 "dialogue_id": "7e0d3f4c-0000-4000-8000-000000000000"},
         "dialogue_id"),
    ],
)
def test_invalid_input_is_422_naming_the_field(
    api: Caller, world: World, path: str, body: dict[str, Any], field: str
) -> None:
    before = api.events()
    error = refused(api, api.post(path, body), 422)
    assert field in error["fields"], error
    assert api.events() == before


def test_a_due_date_before_the_dialogue_is_refused(api: Caller, world: World) -> None:
    before = api.events()
    error = refused(api, api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "review", "dialogue_id": world.dialogue,
        "due_on": "2024-01-01", "text": "x"}), 422)
    assert "due_on" in error["fields"]
    assert api.events() == before


def test_a_duplicate_agency_code_is_409(api: Caller, world: World) -> None:
    before = api.events()
    error = refused(api, api.post("/api/v1/agencies", {"code": "syt", "name": "Khác"}),
                    409, "already_exists")
    assert "SYT" in error["message"]
    assert api.events() == before


def test_an_agency_s_contacts_are_replaced_as_a_whole(api: Caller, world: World) -> None:
    path = "/api/v1/agencies/syt/contacts"
    version = api.get("/api/v1/agencies/SYT").json["version"]
    changed = api.put(path, {"contacts": [
        {"email": "vanphong@syt.example.vn", "role": "office"},
        {"email": "giamdoc@syt.example.vn", "name": "Ông Nguyễn Văn A", "role": "head"}]},
        **{"If-Match": f'"{version}"'})
    assert changed.status_code == 200, changed.json
    assert [c["email"] for c in changed.json["contacts"]] == [
        "vanphong@syt.example.vn", "giamdoc@syt.example.vn"]
    assert changed.json["version"] == version + 1
    before = api.events()
    refused(api, api.put(path, {"contacts": []}, **{"If-Match": f'"{version}"'}), 409)
    refused(api, api.put(path, {"contacts": [{"email": "not an address"}]}), 422)
    refused(api, api.as_(world.agency_token).put(path, {"contacts": []}), 403)
    refused(api, api.put("/api/v1/agencies/SXD/contacts", {"contacts": []}), 404)
    assert api.events() == before
    assert api.get("/api/v1/agencies/SYT").json["contacts"] == changed.json["contacts"]


def test_unknown_path_ids_are_404(api: Caller, world: World) -> None:
    missing = "7e0d3f4c-0000-4000-8000-000000000000"
    before = api.events()
    refused(api, api.post(f"/api/v1/dialogues/{missing}/questions",
                          {"asker": {"name": "A"}, "text": "x"}), 404, "not_found")
    refused(api, api.post(f"/api/v1/commitments/{missing}/updates", {"action": "progress"}),
            404)
    refused(api, api.get(f"/api/v1/commitments/{missing}"), 404)
    refused(api, api.get(f"/api/v1/questions/{world.commitment}"), 404)
    assert api.events() == before


# -- body format --------------------------------------------------------------------


def test_non_json_is_415(api: Caller, world: World) -> None:
    before = api.events()
    response = api.client.post("/api/v1/dialogues", data="title=x",
                               headers={"Authorization": f"Bearer {api.token}",
                                        "Content-Type": "application/x-www-form-urlencoded"})
    refused(api, response, 415, "unsupported_media_type")
    assert api.events() == before


def test_malformed_json_is_400(api: Caller, world: World) -> None:
    before = api.events()
    response = api.client.post("/api/v1/dialogues", data='{"title": ',
                               headers={"Authorization": f"Bearer {api.token}",
                                        "Content-Type": "application/json"})
    refused(api, response, 400, "bad_request")
    assert api.events() == before


def test_a_body_over_1_mib_is_413(api: Caller, world: World) -> None:
    before = api.events()
    big = {"title": "x" * (1024 * 1024), "held_on": "2024-05-10"}
    refused(api, api.post("/api/v1/dialogues", big), 413, "body_too_large")
    assert api.events() == before


# -- commitment lifecycle ---------------------------------------------------------


def test_a_forbidden_transition_is_409_saying_why(api: Caller, world: World) -> None:
    assert update(api, world, {"action": "withdraw", "note": "ghi nhầm"}).status_code == 200
    before = api.events()
    error = refused(api, update(api, world, {"action": "fulfil"}), 409, "transition_not_allowed")
    assert "withdrawn" in error["message"] and "fulfil" in error["message"]
    assert api.events() == before


def test_extend_needs_a_later_date_and_a_reason(api: Caller, world: World) -> None:
    before = api.events()
    refused(api, update(api, world, {"action": "extend", "new_due_on": "2024-07-01",
                                     "note": "x"}), 422)
    refused(api, update(api, world, {"action": "extend", "new_due_on": "2024-10-01"}), 422)
    assert api.events() == before
    body = update(api, world, {"action": "extend", "new_due_on": "2024-10-01",
                               "note": "Chờ ý kiến của Bộ"}).json
    assert (body["due_on"], body["due_basis"], body["overdue"]) == ("2024-10-01", "extended",
                                                                   False)


def test_overdue_is_by_date_in_the_service_time_zone(api: Caller, world: World,
                                                    clock: Any) -> None:
    from datetime import date

    clock.today = date(2024, 7, 9)  # the due date itself: not yet late
    assert api.get(f"/api/v1/commitments/{world.commitment}").json["overdue"] is False
    clock.today = date(2024, 7, 10)
    body = api.get(f"/api/v1/commitments/{world.commitment}").json
    assert (body["overdue"], body["days_overdue"]) == (True, 1)


def test_fulfil_then_verdicts_keep_claim_and_judgement_apart(api: Caller, world: World) -> None:
    agency, auditor = api.as_(world.agency_token), api.as_(world.auditor_token)
    refused(api, auditor.post(f"/api/v1/commitments/{world.commitment}/verdicts",
                              {"verdict": "verified"}), 409)
    fulfilled = agency.post(f"/api/v1/commitments/{world.commitment}/updates", {
        "action": "fulfil", "note": "Đã ban hành văn bản",
        "evidence": [{"title": "Công văn số 473/SNV-CCVC", "url": "https://example.vn/473",
                      "dated": "2024-06-28"}],
        "effective_on": "2024-08-15"})
    assert fulfilled.status_code == 200, fulfilled.json
    assert fulfilled.json["evidence"][0]["dated"] == "2024-06-28"
    refused(api, auditor.post(f"/api/v1/commitments/{world.commitment}/verdicts",
                              {"verdict": "disputed"}), 422)
    body = auditor.post(f"/api/v1/commitments/{world.commitment}/verdicts",
                        {"verdict": "disputed", "note": "Văn bản chưa giải quyết kiến nghị"}).json
    assert (body["status"], body["verdict"]) == ("fulfilled", "disputed")
    assert body["evidence"][0]["title"] == "Công văn số 473/SNV-CCVC"


def test_evidence_with_a_date_that_is_no_date_is_refused(api: Caller, world: World) -> None:
    before = api.events()
    error = refused(api, update(api, world, {"action": "progress", "evidence": [
        {"title": "Công văn 12", "dated": "28/06/2024"}]}), 422)
    assert "evidence" in error["fields"], error
    assert api.events() == before


def test_effective_on_cannot_be_in_the_future_or_before_the_promise(
    api: Caller, world: World
) -> None:
    before = api.events()
    error = refused(api, update(api, world, {"action": "progress", "effective_on": "2030-01-01"}),
                    422)
    assert "effective_on" in error["fields"]
    refused(api, update(api, world, {"action": "progress", "effective_on": "2024-01-01"}), 422)
    assert api.events() == before


# -- If-Match and Idempotency-Key -------------------------------------------------------


def test_a_stale_if_match_is_409_and_stores_nothing(api: Caller, world: World) -> None:
    first = update(api, world, {"action": "progress", "note": "a"}, **{"If-Match": '"1"'})
    assert first.status_code == 200, first.json
    assert first.headers["ETag"] == '"2"'
    before = api.events()
    refused(api, update(api, world, {"action": "progress", "note": "b"}, **{"If-Match": "1"}),
            409, "version_conflict")
    assert api.events() == before
    refused(api, update(api, world, {"action": "progress"}, **{"If-Match": "abc"}), 400)


def test_reminders_sent_meanwhile_do_not_fail_an_officers_if_match(
    api: Caller, world: World
) -> None:
    """Issue 14: an officer reads the commitment (ETag "1"); meanwhile a sender
    claims the overdue reminder, fails once, retries and sends it. The claims
    and the failed try are in the delivery's stream, not the commitment's; the
    officer's write with If-Match "1" is accepted."""
    officer = api.as_(world.agency_token)
    read = officer.get(f"/api/v1/commitments/{world.commitment}")
    assert read.headers["ETag"] == '"1"'
    failing = {"left": 1}

    def mail(notice: Notice) -> str:
        if failing["left"]:
            failing["left"] -= 1
            raise DeliveryFailed("SMTP: connection refused")
        return "250 OK"

    queries = build_queries(api.service)
    try:
        reminders = Reminders(api.service, queries, {Channel.EMAIL: mail})
        [due] = reminders.scan(TODAY)
        for attempt in (0, 1):
            reminders.deliver(due, today=TODAY, claim="task", attempt=attempt, final=False)
    finally:
        queries.close()
    commitment = UUID(world.commitment)
    assert [e.type for e in delivery_events(api.service, commitment)] == [
        "Claimed", "AttemptFailed", "Claimed", "Closed"]
    history = officer.get(f"/api/v1/commitments/{world.commitment}/history").json
    assert [h["type"] for h in history] == ["Made", "ReminderSent"]
    written = officer.post(f"/api/v1/commitments/{world.commitment}/updates",
                           {"action": "progress", "note": "Đang tổng hợp"},
                           **{"If-Match": read.headers["ETag"]})
    assert written.status_code == 200, written.json
    assert written.headers["ETag"] == '"3"'


def test_the_same_idempotency_key_and_body_replay_the_first_response(
    api: Caller, world: World
) -> None:
    body = {"action": "progress", "note": "Đang lấy ý kiến các sở"}
    first = update(api, world, body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == 200
    after_first = api.events()
    again = update(api, world, dict(reversed(body.items())), **{"Idempotency-Key": "k-1"})
    assert again.status_code == 200
    assert again.json == first.json
    assert api.events() == after_first
    history = api.get(f"/api/v1/commitments/{world.commitment}/history").json
    assert [e["type"] for e in history] == ["Made", "ProgressReported"]


def test_a_replayed_create_returns_the_same_resource(api: Caller, world: World) -> None:
    body = {"title": "Đối thoại với công nhân KCN", "held_on": "2024-06-01"}
    first = api.post("/api/v1/dialogues", body, **{"Idempotency-Key": "dlg-1"})
    count = api.events()
    again = api.post("/api/v1/dialogues", body, **{"Idempotency-Key": "dlg-1"})
    assert (again.status_code, again.json["id"]) == (201, first.json["id"])
    assert api.events() == count


def test_the_same_key_with_another_body_is_422(api: Caller, world: World) -> None:
    assert update(api, world, {"action": "progress", "note": "a"},
                  **{"Idempotency-Key": "k-2"}).status_code == 200
    before = api.events()
    refused(api, update(api, world, {"action": "progress", "note": "b"},
                        **{"Idempotency-Key": "k-2"}), 422, "idempotency_key_reused")
    assert api.events() == before


def test_keys_of_different_callers_do_not_collide(api: Caller, world: World) -> None:
    body = {"action": "progress", "note": "same"}
    assert update(api, world, body, **{"Idempotency-Key": "shared"}).status_code == 200
    other = api.as_(world.agency_token).post(
        f"/api/v1/commitments/{world.commitment}/updates", body, **{"Idempotency-Key": "shared"})
    assert (other.status_code, other.json["version"]) == (200, 3)
    history = api.get(f"/api/v1/commitments/{world.commitment}/history").json
    assert [e["actor"]["role"] for e in history[1:]] == ["admin", "agency"]


def test_an_answer_cannot_be_dated_in_the_future_or_before_its_dialogue(
    api: Caller, world: World
) -> None:
    before = api.events()
    for when in ("2030-01-01T09:00:00+07:00", "2024-05-01T09:00:00+07:00"):
        error = refused(api, api.post("/api/v1/answers", {
            "question_ids": [world.other_question], "answered_at": when,
            "responder": {"name": "Ông B", "agency": "SGDDT"}, "text": "Sẽ xem xét"}), 422)
        assert "answered_at" in error["fields"]
    assert api.events() == before


def test_a_promise_of_a_dialogue_not_yet_held_is_refused(api: Caller, world: World) -> None:
    upcoming = created(api.post("/api/v1/dialogues", {"title": "Đối thoại 2025",
                                                      "held_on": "2025-05-10"}))
    before = api.events()
    error = refused(api, api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "review", "dialogue_id": upcoming["id"], "text": "x"}), 422)
    assert "dialogue_id" in error["fields"]
    assert api.events() == before


# -- agency succession ------------------------------------------------------------------


def test_a_successor_takes_over_the_commitments_still_in_play(api: Caller, world: World) -> None:
    created(api.post("/api/v1/agencies", {"code": "SNV", "name": "Sở Nội vụ"}))
    done = created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "report", "dialogue_id": world.dialogue, "text": "Báo cáo"}))
    assert api.post(f"/api/v1/commitments/{done['id']}/updates",
                    {"action": "fulfil", "effective_on": "2024-06-01",
                     "evidence": [{"title": "Báo cáo 8/BC-SYT"}]}).status_code == 200
    assert api.post(f"/api/v1/commitments/{world.commitment}/updates",
                    {"action": "progress", "effective_on": "2024-06-15"}).status_code == 200
    # Partly delivered: what is still owed passes on too.
    partial = created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "implement", "dialogue_id": world.dialogue,
        "text": "Bổ sung biên chế"}))
    assert api.post(f"/api/v1/commitments/{partial['id']}/updates",
                    {"action": "partially_fulfil", "effective_on": "2024-06-20",
                     "evidence": [{"url": "https://syt.example.vn/bc9"}]}).status_code == 200

    response = api.post("/api/v1/agencies/syt/successor",
                        {"successor_code": "SNV", "effective_on": "2024-07-01"})
    assert response.status_code == 200, response.json
    agency = response.json
    assert (agency["successor"], agency["succeeded_on"]) == ("SNV", "2024-07-01")
    pair, partial_pair = agency["transferred"]
    assert pair["from"] == world.commitment
    assert partial_pair["from"] == partial["id"]
    carried = api.get(f"/api/v1/commitments/{partial_pair['to']}").json
    assert (carried["agency"], carried["status"]) == ("SNV", "partially_fulfilled")

    old = api.get(f"/api/v1/commitments/{world.commitment}").json
    new = api.get(f"/api/v1/commitments/{pair['to']}").json
    assert (old["status"], old["source"]["transferred_to"]) == ("transferred", pair["to"])
    assert (new["agency"], new["status"], new["due_on"]) == ("SNV", "in_progress", old["due_on"])
    assert new["source"]["transferred_from"] == world.commitment
    assert new["source"]["question_ids"] == [world.question]
    # What was finished stays with the agency that finished it.
    assert api.get(f"/api/v1/commitments/{done['id']}").json["agency"] == "SYT"
    # Before the date the promise was still the old agency's, and open.
    then = api.get(f"/api/v1/commitments/{world.commitment}", as_of="2024-06-30").json
    assert (then["agency"], then["status"]) == ("SYT", "in_progress")
    assert api.get(f"/api/v1/commitments/{pair['to']}", as_of="2024-06-30").status_code == 404
    # The old agency's officers can no longer report on it; the new one's can.
    refused(api, api.as_(world.agency_token).post(
        f"/api/v1/commitments/{pair['to']}/updates", {"action": "progress"}), 403)
    # Its tokens write nothing at all from the succession date on.
    before = api.events()
    stale = api.as_(world.agency_token).post(
        f"/api/v1/commitments/{done['id']}/updates", {"action": "progress"})
    assert stale.status_code == 403
    assert "was succeeded by SNV on 2024-07-01" in stale.json["error"]["message"]
    assert api.events() == before
    snv = api.service.issue_token(Role.AGENCY, "SNV")
    assert api.as_(snv).post(f"/api/v1/commitments/{pair['to']}/updates",
                             {"action": "progress"}).status_code == 200


def test_succession_is_refused_when_it_cannot_be_right(api: Caller, world: World) -> None:
    created(api.post("/api/v1/agencies", {"code": "SNV", "name": "Sở Nội vụ"}))
    before = api.events()
    refused(api, api.post("/api/v1/agencies/SYT/successor", {"successor_code": "SYT"}), 422)
    refused(api, api.post("/api/v1/agencies/SYT/successor", {"successor_code": "NOPE"}), 422)
    refused(api, api.post("/api/v1/agencies/NOPE/successor", {"successor_code": "SNV"}), 404)
    refused(api, api.post("/api/v1/agencies/SYT/successor",
                          {"successor_code": "SNV", "effective_on": "2030-01-01"}), 422)
    # The commitment changed after this date: handing it over then would rewrite history.
    assert api.post(f"/api/v1/commitments/{world.commitment}/updates",
                    {"action": "progress", "effective_on": "2024-08-01"}).status_code == 200
    before = api.events()
    error = refused(api, api.post("/api/v1/agencies/SYT/successor",
                                  {"successor_code": "SNV", "effective_on": "2024-07-01"}), 422)
    assert world.commitment in error["message"]
    refused(api, api.as_(world.agency_token).post(
        "/api/v1/agencies/SYT/successor", {"successor_code": "SNV"}), 403)
    assert api.events() == before
    assert api.post("/api/v1/agencies/SYT/successor", {"successor_code": "SNV"}).status_code == 200
    # Recorded again it changes nothing (nothing was missed); another successor
    # or another date is a contradiction.
    before = api.events()
    assert api.post("/api/v1/agencies/SYT/successor", {"successor_code": "SNV"}).status_code == 200
    assert api.events() == before
    created(api.post("/api/v1/agencies", {"code": "STC", "name": "Sở Tài chính"}))
    refused(api, api.post("/api/v1/agencies/SYT/successor", {"successor_code": "STC"}), 409)
    refused(api, api.post("/api/v1/agencies/SYT/successor",
                          {"successor_code": "SNV", "effective_on": "2024-08-01"}), 409)
    refused(api, api.post("/api/v1/agencies/SGDDT/successor", {"successor_code": "SYT"}), 422)
