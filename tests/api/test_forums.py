"""What kind of forum a record comes from (a dialogue conference, a council's
interpellation, a voters' meeting, a written reply to petitions, a
resolution), through the JSON API and the import; and questions asked by a
group or a body as well as by a person. The pages: test_forum_pages.py."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest

from domain.dialogue import ForumKind
from tests.api.conftest import HELD_ON, Caller, World, created, promise, record
from tests.api.test_imports import TEXT, post_text

KINDS = [kind.value for kind in ForumKind]


@pytest.mark.parametrize("forum", [*KINDS, None])
def test_each_kind_of_forum_is_recorded_and_read(api: Caller, forum: str | None) -> None:
    dialogue = record(api, forum, f"Kỳ họp: {forum}")
    found = api.get(f"/api/v1/dialogues/{dialogue}")
    assert found.status_code == 200
    assert found.json["forum"] == (forum or "dialogue")
    assert api.service.get(UUID(dialogue)).forum.value == (forum or "dialogue")


def test_an_unknown_forum_is_refused_by_name_and_stores_nothing(api: Caller) -> None:
    before = api.events()
    response = api.post("/api/v1/dialogues", {"title": "Phiên họp", "held_on": "2024-06-15",
                                              "forum": "press_conference"})
    assert response.status_code == 422
    assert "forum" in response.json["error"]["fields"]
    assert "voters_meeting" in response.json["error"]["fields"]["forum"][0]
    assert api.events() == before


def test_commitments_are_filtered_by_forum(api: Caller, world: World,
                                           forums: dict[str, str]) -> None:
    def ids(**params: Any) -> list[str]:
        response = api.get("/api/v1/commitments", **params)
        assert response.status_code == 200, response.json
        assert response.json["total"] == len(response.json["items"])
        return [item["id"] for item in response.json["items"]]

    assert set(ids()) == {world.commitment, forums["meeting_promise"]}
    assert ids(forum="voters_meeting") == [forums["meeting_promise"]]
    assert ids(forum="dialogue") == [world.commitment]
    assert ids(forum="interpellation") == []
    # Beside the other filters, and on the dated history rows.
    assert ids(forum="voters_meeting", overdue="true") == [forums["meeting_promise"]]
    assert ids(forum="voters_meeting", q="duong lien xa") == [forums["meeting_promise"]]
    assert ids(forum="dialogue", q="duong lien xa") == []
    assert ids(forum="voters_meeting", as_of="2024-08-31") == [forums["meeting_promise"]]
    assert ids(forum="dialogue", as_of="2024-08-31") == [world.commitment]
    refused = api.get("/api/v1/commitments", forum="hop_bao")
    assert refused.status_code == 422 and "forum" in refused.json["error"]["fields"]


def test_an_officer_filters_its_own_commitments_by_forum(api: Caller, world: World,
                                                         forums: dict[str, str]) -> None:
    other = promise(api, forums["meeting"], "Sẽ rà soát trường học", agency="SGDDT")
    officer = api.as_(world.other_agency_token)
    listed = officer.get("/api/v1/commitments", forum="voters_meeting")
    assert [item["id"] for item in listed.json["items"]] == [other]


def test_the_public_scores_count_one_kind_of_forum(api: Caller, world: World,
                                                   forums: dict[str, str]) -> None:
    def totals(**params: Any) -> dict[str, int]:
        response = api.as_(None).get("/api/v1/public/reports/agencies", **params)
        assert response.status_code == 200, response.json
        return {row["agency"]: row["total"] for row in response.json}

    assert totals()["SYT"] == 2
    assert totals(forum="voters_meeting")["SYT"] == 1
    assert totals(forum="petition_reply")["SYT"] == 0
    assert totals(forum="voters_meeting", as_of="2024-08-31")["SYT"] == 1
    assert api.as_(None).get("/api/v1/public/reports/agencies",
                             forum="x").status_code == 422


def test_a_question_may_be_asked_by_a_group_or_a_body(api: Caller, world: World,
                                                      forums: dict[str, str]) -> None:
    meeting = forums["meeting"]
    group = created(api.post(f"/api/v1/dialogues/{meeting}/questions", {
        "asker": {"name": "Cử tri xã Phú Giáo", "kind": "group"},
        "text": "Đề nghị sửa chữa tuyến đường liên xã đã xuống cấp."}))
    body = created(api.post(f"/api/v1/dialogues/{meeting}/questions", {
        "asker": {"name": "Tổ đại biểu huyện Trấn Yên", "kind": "body"},
        "text": "Đề nghị cho biết tiến độ dự án."}))
    person = created(api.post(f"/api/v1/dialogues/{meeting}/questions", {
        "asker": {"name": "Ông Lý Văn Cường"}, "text": "Khi nào có nước sạch?"}))
    assert group["asker"] == {"name": "Cử tri xã Phú Giáo", "kind": "group"}
    assert body["asker"]["kind"] == "body"
    assert person["asker"]["kind"] == "person"  # a person unless said
    for made, kind in ((group, "group"), (body, "body"), (person, "person")):
        found = api.get(f"/api/v1/questions/{made['id']}")
        assert found.json["asker"]["kind"] == kind
        assert api.service.get(UUID(made["id"])).asker["kind"] == kind
    unanswered = api.get(f"/api/v1/dialogues/{meeting}").json["unanswered"]
    assert [q["asker"]["kind"] for q in unanswered] == ["group", "body", "person"]


def test_an_unknown_asker_kind_is_refused_and_stores_nothing(api: Caller, world: World) -> None:
    before = api.events()
    response = api.post(f"/api/v1/dialogues/{world.dialogue}/questions", {
        "asker": {"name": "Cử tri", "kind": "crowd"}, "text": "Hỏi"})
    assert response.status_code == 422
    assert response.json["error"]["fields"]["asker"]["kind"] == [
        "must be one of: person, group, body"]
    assert api.events() == before


def test_a_transcript_is_imported_as_the_forum_it_records(api: Caller) -> None:
    url = (f"/api/v1/imports/transcripts?dialogue_title=Tiếp xúc cử tri&held_on={HELD_ON}"
           "&forum=voters_meeting")
    imported = created(post_text(api, url, TEXT))
    dialogue = api.get(f"/api/v1/dialogues/{imported['dialogue_id']}").json
    assert dialogue["forum"] == "voters_meeting"
    candidates = {c["id"] for c in imported["candidates"]}
    listed = api.get("/api/v1/commitments", forum="voters_meeting", limit=500).json
    assert {item["id"] for item in listed["items"]} == candidates
    # Imported askers are people unless said otherwise.
    assert {q["asker"]["kind"] for q in imported["questions"]} == {"person"}
    # Without the parameter, a dialogue conference; a wrong one stores nothing.
    plain = created(post_text(api, url.replace("&forum=voters_meeting", ""), TEXT))
    assert api.get(f"/api/v1/dialogues/{plain['dialogue_id']}").json["forum"] == "dialogue"
    before = api.events()
    wrong = post_text(api, url.replace("voters_meeting", "talk_show"), TEXT)
    assert wrong.status_code == 422 and "forum" in wrong.json["error"]["fields"]
    assert api.events() == before


def test_the_openapi_document_names_the_forums(api: Caller) -> None:
    spec = json.loads(api.as_(None).get("/api/v1/openapi.json").data)
    schemas = spec["components"]["schemas"]
    for name in ("DialogueIn", "DialogueOut"):
        assert schemas[name]["properties"]["forum"]["enum"] == KINDS, name
    assert schemas["Person"]["properties"]["kind"]["enum"] == ["person", "group", "body"]
    listing = spec["paths"]["/api/v1/commitments"]["get"]["parameters"]
    assert [p["schema"]["enum"] for p in listing if p["name"] == "forum"] == [KINDS]
