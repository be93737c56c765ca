"""Issue 18 §3: following a promise, an agency or a dialogue by mail, and the
Atom feeds. A sign-up gets one mail, to confirm; nothing else is sent before
it is confirmed; then each public change (at a dialogue, each question and
answer too) sends a mail with a one-click unsubscribe. Mails go to a real
SMTP server through the worker's own steps (fan-out, then the message
sender)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from email.message import EmailMessage
from typing import cast
from uuid import UUID

import pytest

from domain.access import Actor, Role
from service.bootstrap import build_queries
from service.commands import GiveAnswer
from service.composers import COMPOSERS
from service.follows import Follows
from service.messages import Messages
from service.settings import MailSettings
from tests.api.conftest import Caller, World, created
from tests.support.smtp import Received, SmtpServer, smtp_server
from workers.mail import SmtpMailer

FOLLOWS = "/api/v1/public/follows"
READER = "doc.gia@example.vn"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def _deliver(api: Caller, smtp: SmtpServer) -> list[Received]:
    """What the message scan task does (fan out, then send), once; the mails
    it sent."""
    before = len(smtp.received)
    queries = build_queries(api.service)
    try:
        Follows(api.service).fan_out(queries)
        messages = Messages(api.service, SmtpMailer(MailSettings(
            host=smtp.host, port=smtp.port)), COMPOSERS)
        for owed in queries.open_messages():
            messages.deliver(owed, claim=f"task-{owed}", attempt=0, final=False)
    finally:
        queries.close()
    return smtp.received[before:]


def _update(api: Caller, token: str, commitment: str, body: dict[str, object]) -> None:
    response = api.as_(token).post(f"/api/v1/commitments/{commitment}/updates", body)
    assert response.status_code == 200, response.json


def test_a_reader_follows_a_promise_until_one_click_stops_it(
        api: Caller, world: World, smtp: SmtpServer) -> None:
    anonymous = api.as_(None)
    asked = anonymous.post(FOLLOWS, {"email": READER, "commitment_id": world.commitment})
    assert asked.status_code == 202, asked.json
    [confirmation] = _deliver(api, smtp)
    assert confirmation.rcpt_tos == (READER,) and "Xác nhận" in confirmation.header("Subject")
    [token] = re.findall(r"/reports/follows/confirm/([\w.\-]+)", confirmation.text)
    # Nothing is sent before it is confirmed.
    _update(api, world.agency_token, world.commitment, {"action": "progress",
                                                        "note": "Đã lập tờ trình"})
    assert _deliver(api, smtp) == []
    page = api.client.get(f"/reports/follows/confirm/{token}")
    assert page.status_code == 200 and 'id="follow-confirm-form"' in page.get_data(as_text=True)
    assert 'id="follow-confirmed"' in api.client.post(
        f"/reports/follows/confirm/{token}").get_data(as_text=True)

    _update(api, world.agency_token, world.commitment, {
        "action": "fulfil", "evidence": [{"title": "Quyết định 7/QĐ-UBND"}]})
    [change] = _deliver(api, smtp)
    assert "đã thực hiện" in change.header("Subject")
    assert change.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    [stop] = re.findall(r"<https?://[^/]+(/reports/follows/end/[\w.\-]+)>",
                        change.header("List-Unsubscribe"))
    assert stop in change.text
    assert _deliver(api, smtp) == []  # each change is mailed once
    # Asking again while it is active sends nothing, and says the same.
    assert anonymous.post(FOLLOWS, {"email": READER, "commitment_id": world.commitment}
                          ).status_code == 202
    assert _deliver(api, smtp) == []

    # A mail program's one-click unsubscribe (RFC 8058).
    ended = api.client.post(stop, data={"List-Unsubscribe": "One-Click"})
    assert ended.status_code == 200 and 'id="follow-ended"' in ended.get_data(as_text=True)
    assert api.as_(world.auditor_token).post(f"/api/v1/commitments/{world.commitment}/verdicts",
                                             {"verdict": "verified"}).status_code == 200
    assert _deliver(api, smtp) == []


def test_an_agency_followed_from_its_page(api: Caller, world: World, smtp: SmtpServer) -> None:
    page = api.client.get("/reports/agencies/SYT").get_data(as_text=True)
    assert 'id="follow-form"' in page and "/reports/agencies/SYT/feed.atom" in page
    sent = api.client.post("/reports/follows", data={"email": READER, "kind": "agency",
                                                     "target": "syt"})
    assert sent.status_code == 202 and 'id="follow-sent"' in sent.get_data(as_text=True)
    [confirmation] = _deliver(api, smtp)
    [token] = re.findall(r"/reports/follows/confirm/([\w.\-]+)", confirmation.text)
    assert api.client.post(f"/reports/follows/confirm/{token}").status_code == 200
    created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "study", "dialogue_id": world.dialogue,
        "text": "Nghiên cứu chế độ trực đêm cho y tế thôn bản."}))
    created(api.post("/api/v1/commitments", {
        "agency": "SGDDT", "kind": "study", "dialogue_id": world.dialogue,
        "text": "Nghiên cứu định mức giáo viên."}))
    [made] = _deliver(api, smtp)
    assert "Cam kết mới" in made.header("Subject") and "trực đêm" in made.text


def test_a_dialogue_s_follower_gets_each_question_and_answer_its_page_shows_once(
        api: Caller, world: World, smtp: SmtpServer) -> None:
    assert api.as_(None).post(FOLLOWS, {"email": READER, "dialogue_id": world.dialogue}
                              ).status_code == 202
    [confirmation] = _deliver(api, smtp)
    [token] = re.findall(r"/reports/follows/confirm/([\w.\-]+)", confirmation.text)
    assert api.client.post(f"/reports/follows/confirm/{token}").status_code == 200
    question = created(api.post(f"/api/v1/dialogues/{world.dialogue}/questions", {
        "asker": {"name": "Cử tri xã Phú Giáo", "kind": "group",
                  "contact": {"email": "hoa.lo@example.vn", "phone": "0912 345 678"}},
        "text": "Khi nào có nhà trẻ cho con công nhân?"}))["id"]
    created(api.post("/api/v1/answers", {
        "question_ids": [question], "text": "Năm 2025 khởi công nhà trẻ.",
        "responder": {"name": "Bà Lê Thị B", "title": "Giám đốc Sở", "agency": "SGDDT"}}))
    # Neither an answer the page does not show nor a candidate is mailed.
    api.service.execute(GiveAnswer(
        question_ids=[], dialogue_id=UUID(world.dialogue), text="Lời phát biểu chung.",
        responder={"name": "Ông Trần Văn C", "agency": "SYT"}), Actor(Role.ADMIN))
    created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "review", "answer_id": world.answer, "status": "proposed",
        "text": "Ứng viên chưa xác nhận."}))
    asked, answered = [m for m in _deliver(api, smtp) if m.rcpt_tos == (READER,)]
    # The dialogue heads the subject: a reader may follow several.
    assert asked.header("Subject") == ("[Theo dõi: Hội nghị đối thoại 2024] Câu hỏi của Cử "
                                       "tri xã Phú Giáo (nhóm, tập thể): Khi nào có nhà trẻ "
                                       "cho con công nhân?")
    assert answered.header("Subject").startswith(
        "[Theo dõi: Hội nghị đối thoại 2024] Trả lời của Bà Lê Thị B, Giám đốc")
    for mail in (asked, answered):
        part = mail.message.get_body(preferencelist=("html",))
        assert part is not None
        html = cast(EmailMessage, part).get_content()
        assert "Ngừng nhận thư" in html and f"#q-{question}" in html
        assert f"/reports/dialogues/{world.dialogue}#q-{question}" in mail.text
        assert not any(contact in body for contact in ("hoa.lo@", "345 678")
                       for body in (mail.text, html))
        [stop] = re.findall(r"<https?://[^/]+(/reports/follows/end/[\w.\-]+)>",
                            mail.header("List-Unsubscribe"))
        assert stop in mail.text
    assert "Khi nào có nhà trẻ" in answered.text  # what it answers
    assert _deliver(api, smtp) == []  # each once
    # The tables remember each mail opened (rm_follow_said, rm_follow_mails):
    # the scan finds none owed, rather than each again and then its mail.
    queries = build_queries(api.service)
    try:
        assert Follows(api.service).owed(queries) == []
    finally:
        queries.close()


def test_what_cannot_be_followed_and_how_often(api: Caller, world: World) -> None:
    anonymous = api.as_(None)
    candidate = created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "review", "answer_id": world.answer, "status": "proposed",
        "text": "Ứng viên chưa xác nhận."}))["id"]
    for body in ({"email": READER}, {"email": READER, "agency": "SYT",
                                     "commitment_id": world.commitment},
                 {"email": READER, "commitment_id": candidate},
                 {"email": "not an address", "agency": "SYT"}, {"email": READER,
                                                                "agency": "NOPE"}):
        assert anonymous.post(FOLLOWS, body).status_code == 422, body
    before = api.events()
    for _ in range(3):  # FOLLOW_SIGN_UPS_PER_ADDRESS
        assert anonymous.post(FOLLOWS, {"email": "a@example.vn", "agency": "SYT"}
                              ).status_code == 202
    refused = anonymous.post(FOLLOWS, {"email": "A@example.vn", "dialogue_id": world.dialogue})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert api.events() == before + 2 + 2 * 2  # a follow and its mail, then a mail each


def _entries(api: Caller, path: str) -> list[ET.Element]:
    response = api.client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    entries = ET.fromstring(response.data).findall(f"{ATOM}entry")
    updated = [e.findtext(f"{ATOM}updated") or "" for e in entries]
    assert updated == sorted(updated, reverse=True), path
    return entries


def test_feeds_list_each_public_change_newest_first(api: Caller, world: World) -> None:
    _update(api, world.agency_token, world.commitment, {"action": "progress",
                                                        "note": "Đã lập tờ trình"})
    created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "review", "answer_id": world.answer, "status": "proposed",
        "text": "Ứng viên chưa xác nhận."}))
    paths = ["/reports/feed.atom", "/reports/agencies/SYT/feed.atom",
             f"/reports/commitments/{world.commitment}/feed.atom"]
    for path in paths:
        entries = _entries(api, path)
        titles = [e.findtext(f"{ATOM}title") or "" for e in entries]
        assert len(entries) == 2, (path, titles)  # made, then progress; never the candidate
        assert "Đã lập tờ trình" in (entries[0].findtext(f"{ATOM}summary") or "")
    assert api.client.get("/reports/agencies/SGDDT/feed.atom").status_code == 200
    assert api.client.get("/reports/agencies/NOPE/feed.atom").status_code == 404

    # A dialogue's feed has its questions and answers too, by whom, never an
    # asker's contact, nor an answer its page does not show (one tied to no
    # question, as an import may record).
    created(api.post(f"/api/v1/dialogues/{world.dialogue}/questions", {
        "asker": {"name": "Chị Lò Thị Hoa", "contact": {"email": "hoa.lo@example.vn",
                                                          "phone": "0912 345 678"}},
        "text": "Khi nào có nhà trẻ cho con công nhân?"}))
    api.service.execute(GiveAnswer(
        question_ids=[], dialogue_id=UUID(world.dialogue), text="Lời phát biểu chung.",
        responder={"name": "Ông Trần Văn C", "agency": "SYT"}), Actor(Role.ADMIN))
    path = f"/reports/dialogues/{world.dialogue}/feed.atom"
    raw = api.client.get(path).get_data(as_text=True)
    assert "hoa.lo@example.vn" not in raw and "345 678" not in raw
    assert "Lời phát biểu chung" not in raw and "Ứng viên chưa xác nhận" not in raw
    entries = _entries(api, path)
    titles = [(e.findtext(f"{ATOM}title") or "") for e in entries]
    assert [title.split(":")[0] for title in titles] == [
        "Câu hỏi của Chị Lò Thị Hoa", "Báo cáo tiến độ", "Đưa ra cam kết",
        "Trả lời của Ông Nguyễn Văn A, Phó Giám đốc Sở Y tế", "Câu hỏi của Ông Đỗ Thanh Vân",
        "Câu hỏi của Bà Nông Thị Nga, Công đoàn ngành Y tế"], titles
    answer = entries[3]
    assert (answer.findtext(f"{ATOM}summary") or "").startswith("Sở Y tế tiếp thu, sẽ xem xét")
    link = answer.find(f"{ATOM}link")
    assert link is not None and link.get("href", "").endswith(
        f"/reports/dialogues/{world.dialogue}#q-{world.question}")
    page = api.client.get(f"/reports/commitments/{world.commitment}").get_data(as_text=True)
    assert f"/reports/commitments/{world.commitment}/feed.atom" in page
    assert 'rel="alternate" type="application/atom+xml"' in page
