"""The kind of forum, and a group or body asking, on the public report's
pages and in the staff workspace."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from flask.testing import FlaskClient

from domain.dialogue import ForumKind
from tests.api.conftest import (
    HELD_ON,
    Caller,
    World,
    created,
    form_of,
)
from tests.api.test_imports import TEXT


def test_the_report_front_page_is_filtered_by_forum(api: Caller, world: World,
                                                    forums: dict[str, str]) -> None:
    reader = api.as_(None)
    everything = reader.get("/reports/", format="json").json
    assert everything["forum"] is None
    assert {d["forum"] for d in everything["dialogues"]} == {"dialogue", "voters_meeting"}
    assert everything["scorecard"]["made"] == 2

    meetings = reader.get("/reports/", format="json", forum="voters_meeting").json
    assert meetings["forum"] == "voters_meeting"
    assert [d["id"] for d in meetings["dialogues"]] == [forums["meeting"]]
    assert meetings["scorecard"]["made"] == 1
    assert meetings["scorecard"]["overdue"] == 1
    assert [m["made"] for m in meetings["months"]][-1] == 1
    assert [a["agency"] for a in meetings["agencies"]] == ["SYT"]
    dated = reader.get("/reports/", format="json", forum="dialogue", as_of="2024-08-31").json
    assert [d["id"] for d in dated["dialogues"]] == [world.dialogue]
    assert dated["scorecard"]["made"] == 1

    html = reader.get("/reports/", forum="voters_meeting").data.decode()
    assert 'aria-current="page">Tiếp xúc cử tri</strong>' in html
    assert "Tiếp xúc cử tri xã Phú Giáo" in html
    assert "Hội nghị đối thoại 2024" not in html  # the conference is another kind
    # The date form keeps the choice, and the CSV is of the same forums.
    assert '<input type="hidden" name="forum" value="voters_meeting">' in html
    exported = reader.get("/reports/", format="csv", forum="voters_meeting")
    assert "scorecard-voters_meeting-" in exported.headers["Content-Disposition"]
    none = reader.get("/reports/", forum="resolution").data.decode()
    assert "Chưa có hoạt động nào thuộc hình thức này" in none

    wrong = reader.get("/reports/", forum="hop_bao")
    assert wrong.status_code == 400 and "forum" in wrong.data.decode()


def test_report_pages_say_what_kind_of_forum_it_was(api: Caller, world: World,
                                                    forums: dict[str, str]) -> None:
    reader = api.as_(None)
    front = reader.get("/reports/").data.decode()
    assert "Hội nghị đối thoại" in front and "Tiếp xúc cử tri" in front
    page = reader.get(f"/reports/dialogues/{forums['meeting']}").data.decode()
    assert '<span class="forum">Tiếp xúc cử tri</span>' in page
    english = reader.get(f"/reports/dialogues/{forums['meeting']}", lang="en").data.decode()
    assert "Voters&#39; meeting" in english or "Voters' meeting" in english
    data = reader.get(f"/reports/dialogues/{forums['meeting']}", format="json").json
    assert data["dialogue"]["forum"] == "voters_meeting"
    # English was chosen, and is remembered, until Vietnamese is chosen again.
    one = reader.get(f"/reports/commitments/{forums['meeting_promise']}").data.decode()
    assert '<html lang="en">' in one
    one = reader.get(f"/reports/commitments/{forums['meeting_promise']}", lang="vi")
    assert "(Tiếp xúc cử tri)" in one.data.decode()


def test_the_report_says_who_asked_as_a_group_or_a_body(api: Caller, world: World,
                                                       forums: dict[str, str]) -> None:
    meeting = forums["meeting"]
    for asker in ({"name": "Cử tri xã Phú Giáo", "kind": "group"},
                  {"name": "Tổ đại biểu huyện Trấn Yên", "kind": "body"},
                  {"name": "Ông Lý Văn Cường"}):
        created(api.post(f"/api/v1/dialogues/{meeting}/questions",
                         {"asker": asker, "text": "Đề nghị cho biết tiến độ."}))

    page = api.as_(None).get(f"/reports/dialogues/{meeting}").data.decode()
    assert re.search(r"Cử tri xã Phú Giáo</span>\s*<span class=\"muted asker-kind\">"
                     r"\(nhóm, tập thể\)</span>", page)
    assert "(cơ quan, tổ chức)" in page
    assert page.count("asker-kind") == 2  # a person's name needs no label
    data = api.as_(None).get(f"/reports/dialogues/{meeting}", format="json").json
    assert [q["asker"]["kind"] for q in data["questions"]] == ["group", "body", "person"]


# -- the workspace ------------------------------------------------------------------

def test_the_secretariat_records_the_kind_of_forum(api: Caller, world: World,
                                                   clerk: FlaskClient) -> None:
    listing = clerk.get("/workspace/dialogues").data.decode()
    assert re.search(r'<select id="dialogue-forum" name="forum">\s*<option value="dialogue" '
                     r'selected>Hội nghị đối thoại</option>', listing)
    made = clerk.post("/workspace/dialogues", data={
        **form_of(clerk, "/workspace/dialogues", "dialogue-form"), "forum": "interpellation",
        "title": "Phiên chất vấn kỳ họp thứ 7", "held_on": "2024-07-10"})
    assert made.status_code == 302, made.data.decode()
    path = made.headers["Location"].split("?")[0]
    dialogue = UUID(path.rsplit("/", 1)[1])
    assert api.service.get(dialogue).forum is ForumKind.INTERPELLATION
    assert '<span class="forum">Phiên chất vấn</span>' in clerk.get(path).data.decode()
    listing = clerk.get("/workspace/dialogues").data.decode()
    assert '<td class="forum">Phiên chất vấn</td>' in listing
    assert '<td class="forum">Hội nghị đối thoại</td>' in listing  # the world's

    before = api.events()
    wrong = clerk.post("/workspace/dialogues", data={
        **form_of(clerk, "/workspace/dialogues", "dialogue-form"), "forum": "hop_bao",
        "title": "Sai", "held_on": "2024-07-10"})
    assert wrong.status_code == 422
    assert 'id="error-dialogue-forum"' in wrong.data.decode()
    assert api.events() == before

    imported = clerk.post("/workspace/dialogues", data={
        **form_of(clerk, "/workspace/dialogues", "import-form"), "forum": "petition_reply",
        "title": "Trả lời kiến nghị cử tri", "held_on": HELD_ON.isoformat(), "text": TEXT})
    assert imported.status_code == 302, imported.data.decode()[:2000]
    path = imported.headers["Location"].split("?")[0]
    assert api.service.get(UUID(path.rsplit("/", 1)[1])).forum is ForumKind.PETITION_REPLY


def test_the_secretariat_records_a_group_asking(api: Caller, world: World,
                                                clerk: FlaskClient) -> None:
    path = f"/workspace/dialogues/{world.dialogue}"
    asked = clerk.post(path, data={
        **form_of(clerk, path, "question-form"), "asker_kind": "group",
        "asker_name": "Cử tri tổ 1, ấp Hóa Nhựt", "text": "Đề nghị lắp đèn đường."})
    assert asked.status_code == 302, asked.data.decode()[:2000]
    page = clerk.get(path).data.decode()
    [question] = re.findall(r'id="q-([0-9a-f-]{36})"', page)[-1:]
    assert api.service.get(UUID(question)).asker == {
        "name": "Cử tri tổ 1, ấp Hóa Nhựt", "kind": "group"}
    assert "Cử tri tổ 1, ấp Hóa Nhựt <span class=\"muted asker-kind\">· nhóm, tập thể</span>" \
        in page
    wrong = clerk.post(path, data={**form_of(clerk, path, "question-form"),
                                   "asker_kind": "mob", "asker_name": "X", "text": "Y"})
    assert wrong.status_code == 422
    assert 'id="error-question-asker_kind"' in wrong.data.decode()


def test_the_workspace_list_is_filtered_by_forum(api: Caller, world: World,
                                                 forums: dict[str, str],
                                                 clerk: FlaskClient) -> None:
    def listed(**params: Any) -> set[str]:
        response = clerk.get("/workspace/", query_string=params)
        assert response.status_code == 200
        return set(re.findall(r'/workspace/commitments/([0-9a-f-]{36})"',
                              response.data.decode()))

    assert {world.commitment, forums["meeting_promise"]} <= listed()
    assert listed(forum="voters_meeting") == {forums["meeting_promise"]}
    assert forums["meeting_promise"] not in listed(forum="dialogue")
    assert world.commitment in listed(forum="dialogue")
    assert clerk.get("/workspace/", query_string={"forum": "x"}).status_code == 400
