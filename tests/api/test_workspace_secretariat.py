"""The secretariat's workspace pages: a dialogue recorded as the meeting goes,
a transcript imported and its candidates worked through, and who may do it."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any
from uuid import UUID

from flask.testing import FlaskClient

from tests.api.conftest import CLERK, Caller, World, csrf, form_of, hidden_fields, sign_in
from tests.api.test_imports import TEXT


def candidate_forms(client: FlaskClient, path: str, commitment_id: str) -> str:
    page = client.get(path).data.decode()
    found = re.search(rf'<div class="promise[^"]*" id="c-{commitment_id}">(.*?)</details>\s*</div>',
                      page, re.S)
    assert found is not None, page
    return found.group(0)


def hidden(html: str, form_class: str) -> dict[str, str]:
    found = re.search(rf'<form[^>]*class="[^"]*{form_class}[^"]*".*?</form>', html, re.S)
    assert found is not None
    return hidden_fields(found.group(0))


def actor_of(api: Caller, aggregate_id: str | UUID, event: str) -> Any:
    [found] = [e for e in api.service.events.get(UUID(str(aggregate_id)))
               if type(e).__name__ == event]
    return found.actor


def test_a_dialogue_is_recorded_in_meeting_order(api: Caller, world: World,
                                                 clerk: FlaskClient) -> None:
    listed = clerk.get("/workspace/dialogues")
    assert listed.status_code == 200 and "Hội nghị đối thoại 2024" in listed.data.decode()
    made = clerk.post("/workspace/dialogues", data={
        **form_of(clerk, "/workspace/dialogues", "dialogue-form"),
        "title": "Đối thoại với công nhân KCN", "held_on": "2024-06-20", "place": "Bắc Kạn"})
    assert made.status_code == 302
    path = made.headers["Location"].split("?")[0]
    dialogue = path.rsplit("/", 1)[1]
    assert api.service.get(UUID(dialogue)).title == "Đối thoại với công nhân KCN"

    asked = clerk.post(path, data={
        **form_of(clerk, path, "question-form"), "asker_name": "Chị Hà Thị Mai",
        "asker_organisation": "Công đoàn Công ty May", "text": "Khi nào có nhà ở xã hội?",
        "addressed_to": ["SYT", "SGDDT"], "asked_at": "09:15"})
    assert asked.status_code == 302, asked.data.decode()
    [question] = [q for q in re.findall(r'id="q-([0-9a-f-]{36})"', clerk.get(path).data.decode())]
    q = api.service.get(UUID(question))
    assert q.addressed_to == ["SYT", "SGDDT"] and q.asked_at.hour == 9
    page = clerk.get(path).data.decode()
    assert 'class="question unanswered"' in page  # highlighted until answered
    assert "· 09:15</span>" in page

    answered = clerk.post(path, data={
        **form_of(clerk, path, "answer-form"), "question_ids": [question],
        "responder_name": "Ông Nguyễn Văn A", "responder_agency": "syt",
        "text": "Sở sẽ rà soát quỹ đất. Sẽ báo cáo trong quý III."})
    assert answered.status_code == 302
    page = clerk.get(path).data.decode()
    [answer] = re.findall(r'id="a-([0-9a-f-]{36})"', page)
    assert 'class="question unanswered"' not in page

    promised = clerk.post(path, data={
        **form_of(clerk, path, "commitment-form"), "answer_id": answer, "agency": "SYT",
        "kind": "report", "text": "Sẽ báo cáo trong quý III.", "due_on": "2024-09-30"})
    assert promised.status_code == 302
    page = clerk.get(path).data.decode()
    # Question #1, then its answer #2 with the promise marked in its text.
    assert page.index(f'id="q-{question}"') < page.index(f'id="a-{answer}"')
    assert "<mark>Sẽ báo cáo trong quý III.</mark>" in page
    account = api.service.account(CLERK)
    who = {"role": "admin", "agency": None, "via": f"account:{account.id}"}
    assert actor_of(api, dialogue, "Recorded") == who
    assert actor_of(api, question, "Asked") == who
    assert actor_of(api, answer, "Given") == who


def test_text_typed_in_decomposed_form_is_stored_composed(
    api: Caller, world: World, clerk: FlaskClient
) -> None:
    path = f"/workspace/dialogues/{world.dialogue}"
    decomposed = unicodedata.normalize("NFD", "Chị Hà Thị Mai")
    assert clerk.post(path, data={**form_of(clerk, path, "question-form"),
                                  "asker_name": decomposed, "text": "Câu hỏi?"}
                      ).status_code == 302
    page = clerk.get(path).data.decode()
    [question] = re.findall(r'id="q-([0-9a-f-]{36})"', page)[-1:]
    assert api.service.get(UUID(question)).asker["name"] == "Chị Hà Thị Mai"


def test_a_form_sent_twice_records_once(api: Caller, world: World, clerk: FlaskClient) -> None:
    path = f"/workspace/dialogues/{world.dialogue}"
    data = {**form_of(clerk, path, "question-form"), "asker_name": "Anh Tú",
            "text": "Câu hỏi gửi hai lần?"}
    before = api.events()
    assert clerk.post(path, data=data).status_code == 302
    after_first = api.events()
    assert after_first > before
    assert clerk.post(path, data=data).status_code == 302  # a reload, the same submission
    assert api.events() == after_first
    page = clerk.get(path).data.decode()
    assert page.count("Câu hỏi gửi hai lần?") == 2  # once in the meeting, once in the answer form


def test_bad_forms_name_the_field_and_store_nothing(api: Caller, world: World,
                                                   clerk: FlaskClient) -> None:
    path = f"/workspace/dialogues/{world.dialogue}"
    before = api.events()
    no_text = clerk.post(path, data={**form_of(clerk, path, "question-form"),
                                     "asker_name": "Anh Tú", "addressed_to": ["NOPE!"]})
    assert no_text.status_code == 422
    page = no_text.data.decode()
    assert 'id="error-question-text"' in page and 'id="error-question-addressed_to"' in page
    assert 'value="Anh Tú"' in page  # what was typed is kept
    no_question = clerk.post(path, data={**form_of(clerk, path, "answer-form"),
                                         "responder_name": "X", "responder_agency": "SYT",
                                         "text": "Trả lời"})
    assert no_question.status_code == 422
    assert 'id="error-answer-question_ids"' in no_question.data.decode()
    unknown_agency = clerk.post(path, data={**form_of(clerk, path, "commitment-form"),
                                            "agency": "SXD", "kind": "review",
                                            "text": "Sẽ xem xét"})
    assert unknown_agency.status_code == 422
    assert 'id="error-commitment-agency"' in unknown_agency.data.decode()
    bad_day = clerk.post("/workspace/dialogues", data={
        **form_of(clerk, "/workspace/dialogues", "dialogue-form"), "title": "X",
        "held_on": "20/13/2024"})
    assert bad_day.status_code == 422
    assert 'id="error-dialogue-held_on"' in bad_day.data.decode()
    assert "Ngày tổ chức: “20/13/2024” không phải là ngày" in bad_day.data.decode()
    assert api.events() == before


def _import(clerk: FlaskClient) -> str:
    data: dict[str, Any] = {
        **form_of(clerk, "/workspace/dialogues", "import-form"),
        "title": "Đối thoại Chủ tịch UBND tỉnh với CNVCLĐ 2024", "held_on": "2024-05-10",
        "transcript": (io.BytesIO(TEXT.encode()), "liveblog.txt")}
    done = clerk.post("/workspace/dialogues", data=data, content_type="multipart/form-data")
    assert done.status_code == 302, done.data.decode()
    return str(done.headers["Location"].split("?")[0])


def test_an_imported_transcript_is_worked_through_in_context(
    api: Caller, world: World, clerk: FlaskClient
) -> None:
    path = _import(clerk)
    page = clerk.get(f"{path}?saved=import").data.decode()
    assert "Đã nhập" in page
    candidates = re.findall(r'<div class="promise candidate" id="c-([0-9a-f-]{36})">', page)
    assert len(candidates) >= 5
    # Each candidate's sentence is marked inside the answer it came from.
    assert page.count("<mark>") >= len(candidates) - 2
    assert 'class="question unanswered"' in page  # the sample leaves some unanswered
    assert "liên kết khi nhập: có nêu tên người hỏi" in page  # how the import linked them

    first, second, third = candidates[:3]
    confirm = hidden(candidate_forms(clerk, path, first), "confirm-form")
    assert clerk.post(path, data={**confirm}).status_code == 302
    assert api.service.get(UUID(first)).status.value == "open"
    assert actor_of(api, first, "Confirmed")["via"].startswith("account:")

    html = candidate_forms(clerk, path, second)
    refused = clerk.post(path, data={**hidden(html, "reject-form"), "note": ""})
    assert refused.status_code == 422
    assert f'id="c-{second}"' in refused.data.decode()
    assert 'id="error-reject-note"' in refused.data.decode()
    assert api.service.get(UUID(second)).status.value == "proposed"
    rejected = clerk.post(path, data={**hidden(html, "reject-form"),
                                      "note": "Chỉ là giải thích, không phải lời hứa"})
    assert rejected.status_code == 302
    assert api.service.get(UUID(second)).status.value == "rejected"

    html = candidate_forms(clerk, path, third)
    edited = clerk.post(path, data={**hidden(html, "edit-form"), "text": "Lời hứa đã sửa",
                                    "kind": "advise", "agency": "SYT", "due_on": "2024-12-31",
                                    "note": "Sửa câu chữ"})
    assert edited.status_code == 302
    after = api.service.get(UUID(third))
    assert (after.text, after.kind.value, after.due_on.isoformat()) == (
        "Lời hứa đã sửa", "advise", "2024-12-31")

    # The same confirm form again: the version moved on, nothing more stored.
    before = api.events()
    again = clerk.post(path, data={**confirm, "submission": "another"})
    assert again.status_code == 409
    assert "Có người vừa thay đổi mục này" in again.data.decode()
    assert api.events() == before


def test_an_upload_that_is_not_text_is_refused(api: Caller, world: World,
                                               clerk: FlaskClient) -> None:
    before = api.events()
    refused = clerk.post("/workspace/dialogues", data={
        **form_of(clerk, "/workspace/dialogues", "import-form"), "title": "X",
        "held_on": "2024-05-10", "transcript": (io.BytesIO("Đối thoại".encode("utf-16")), "x.txt")},
        content_type="multipart/form-data")
    assert refused.status_code == 422
    assert 'id="error-import-transcript"' in refused.data.decode()
    nothing = clerk.post("/workspace/dialogues", data={
        **form_of(clerk, "/workspace/dialogues", "import-form"), "title": "X",
        "held_on": "2024-05-10"})
    assert nothing.status_code == 422 and 'id="error-import-transcript"' in nothing.data.decode()
    assert api.events() == before


def test_only_the_secretariat_records_dialogues(api: Caller, world: World,
                                               people: dict[str, str]) -> None:
    for email in (people["officer"], people["auditor"]):
        api.client.post("/workspace/sign-out", data={"csrf_token": csrf(api.client)})
        sign_in(api.client, email)
        path = f"/workspace/dialogues/{world.dialogue}"
        assert api.client.get("/workspace/dialogues").status_code == 403
        assert api.client.get(path).status_code == 403
        before = api.events()
        token = csrf(api.client, "/workspace/")
        posted = api.client.post(path, data={"csrf_token": token, "form": "question",
                                             "asker_name": "X", "text": "Y"})
        assert posted.status_code == 403
        assert api.events() == before
        assert "/workspace/dialogues" not in api.client.get("/workspace/").data.decode()


def test_a_candidate_of_another_dialogue_is_not_decided_here(
    api: Caller, world: World, clerk: FlaskClient
) -> None:
    path = _import(clerk)
    candidate = re.findall(r'id="c-([0-9a-f-]{36})"', clerk.get(path).data.decode())[0]
    other = f"/workspace/dialogues/{world.dialogue}"
    before = api.events()
    posted = clerk.post(other, data={**form_of(clerk, other, "question-form"),
                                     "form": "confirm", "commitment_id": candidate,
                                     "version": "1"})
    assert posted.status_code == 404
    assert api.events() == before


def test_the_workspace_speaks_english_on_request(api: Caller, world: World,
                                                 clerk: FlaskClient) -> None:
    path = f"/workspace/dialogues/{world.dialogue}"
    page = clerk.get(path).data.decode()
    assert "Diễn biến hội nghị, theo thứ tự" in page
    assert f'href="{path}?lang=en"' in page
    english = clerk.get(f"{path}?lang=en").data.decode()
    assert "The meeting, in order" in english and 'lang="en"' in english
    # The choice is kept for the session, on the next page too.
    assert "Record a dialogue" in clerk.get("/workspace/dialogues").data.decode()
