"""GET /api/v1/dialogues: every forum recorded, newest first, filtered by
year, kind of forum and accent-insensitive words, a page at a time."""

from __future__ import annotations

from typing import Any

from domain.access import Role
from tests.api.conftest import Caller, created

FORUMS = [
    # (title, held_on, forum, place)
    ("Hội nghị đối thoại với công nhân khu công nghiệp", "2023-04-20", "dialogue", "Bắc Kạn"),
    ("Tiếp xúc cử tri xã Phú Giáo", "2024-03-02", "voters_meeting", "Xã Phú Giáo"),
    ("Đối thoại Chủ tịch UBND tỉnh với CNVCLĐ", "2024-05-10", "dialogue", "Hội trường tỉnh"),
    ("Chất vấn tại kỳ họp thứ 8 HĐND tỉnh", "2024-07-11", "interpellation", None),
    ("Đối thoại với giáo viên mầm non", "2024-11-05", "dialogue", "Chợ Đồn"),
]


def _record(api: Caller) -> dict[str, str]:
    ids = {}
    for title, held_on, forum, place in FORUMS:
        body: dict[str, Any] = {"title": title, "held_on": held_on, "forum": forum}
        if place:
            body["place"] = place
        ids[title] = created(api.post("/api/v1/dialogues", body))["id"]
    return ids


def _titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["title"] for item in response.json["items"]]


def test_dialogues_are_listed_newest_first_and_filtered(api: Caller) -> None:
    ids = _record(api)
    every = api.get("/api/v1/dialogues")
    assert _titles(every) == [title for title, *_ in reversed(FORUMS)]
    assert every.json["total"] == 5 and every.json["next"] is None
    first = every.json["items"][-1]
    assert first == {"id": ids[FORUMS[0][0]], "title": FORUMS[0][0], "forum": "dialogue",
                     "held_on": "2023-04-20", "place": "Bắc Kạn", "chair": None,
                     "organiser": None, "source_url": None}
    assert _titles(api.get("/api/v1/dialogues", year=2023)) == [FORUMS[0][0]]
    assert _titles(api.get("/api/v1/dialogues", year=2024, kind="dialogue")) == [
        FORUMS[4][0], FORUMS[2][0]]
    # Accent-insensitive, each word the start of a word: in the title or the place.
    assert _titles(api.get("/api/v1/dialogues", q="doi thoai")) == [
        FORUMS[4][0], FORUMS[2][0], FORUMS[0][0]]
    assert _titles(api.get("/api/v1/dialogues", q="PHU GIAO")) == [FORUMS[1][0]]
    assert _titles(api.get("/api/v1/dialogues", q="cho don")) == [FORUMS[4][0]]
    assert _titles(api.get("/api/v1/dialogues", q="hoai")) == []  # not a word's start
    assert _titles(api.get("/api/v1/dialogues", q="100%_")) == []
    # Anyone signed in reads them, an agency's officer too.
    created(api.post("/api/v1/agencies", {"code": "SYT", "name": "Sở Y tế"}))
    officer = api.as_(api.service.issue_token(Role.AGENCY, "SYT"))
    assert _titles(officer.get("/api/v1/dialogues", kind="interpellation")) == [FORUMS[3][0]]
    assert api.as_(None).get("/api/v1/dialogues").status_code == 401


def test_dialogues_page_by_cursor_without_gaps_or_repeats(api: Caller) -> None:
    _record(api)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2, "year": 2024}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/api/v1/dialogues", **params)
        seen += _titles(page)
        assert page.json["total"] == 4
        pages += 1
        cursor = page.json["next"]
        if cursor is None:
            break
    assert pages == 2
    assert seen == [title for title, held_on, *_ in reversed(FORUMS) if held_on >= "2024"]


def test_bad_list_arguments_are_named(api: Caller) -> None:
    for params, field in (({"year": "hai nghìn"}, "year"), ({"year": 99}, "year"),
                          ({"kind": "party"}, "kind"), ({"limit": 0}, "limit"),
                          ({"cursor": "not-one"}, "cursor"), ({"sort": "title"}, "sort")):
        response = api.get("/api/v1/dialogues", **params)
        assert response.status_code == 422, (params, response.json)
        assert field in response.json["error"]["fields"], (params, response.json)
