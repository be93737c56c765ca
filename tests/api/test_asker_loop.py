"""Issue 18 §1, two keys to close: the person who asked is mailed when their
question is answered and when the agency claims its promise kept, partly
kept or declined; the claim's mail carries two signed links to confirm or
contest; the asker's word is on the commitment, a contested claim goes back
to the auditors, and the report counts both. Mails go to a real SMTP server,
through the same sender the worker's task runs."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from domain.reminders import Mark
from service.bootstrap import build_queries
from service.composers import COMPOSERS
from service.messages import Messages, Outcome
from service.settings import MailSettings
from tests.api.conftest import Caller, World, created, form_of, sign_in
from tests.support.smtp import SmtpServer, smtp_server
from workers.mail import SmtpMailer

ASKER = "nga.nong@example.vn"
LINK = re.compile(r"/reports/asker/([\w.\-]+)")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def _send_owed(api: Caller, smtp: SmtpServer) -> list[tuple[Outcome, str]]:
    """What the message scan and tasks do: every open message, sent once."""
    queries = build_queries(api.service)
    try:
        messages = Messages(api.service, SmtpMailer(MailSettings(
            host=smtp.host, port=smtp.port, sender="doithoai@ldld.example.vn")), COMPOSERS)
        return [messages.deliver(m, claim=f"task-{m}", attempt=0, final=False)
                for m in queries.open_messages()]
    finally:
        queries.close()


def _asked(api: Caller, world: World) -> tuple[str, str]:
    """A question whose asker left a contact, answered with a promise by SYT."""
    question = created(api.post(f"/api/v1/dialogues/{world.dialogue}/questions", {
        "asker": {"name": "Bà Nông Thị Nga", "contact": {"email": ASKER}},
        "text": "Đề nghị hỗ trợ nhà ở cho công nhân khu công nghiệp?", "addressed_to": ["SYT"],
    }))["id"]
    answer = created(api.post("/api/v1/answers", {
        "question_ids": [question], "text": "Sở sẽ rà soát và báo cáo UBND tỉnh.",
        "responder": {"name": "Ông Nguyễn Văn A", "title": "Phó Giám đốc", "agency": "SYT"},
    }))["id"]
    commitment = created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "report", "answer_id": answer,
        "text": "Báo cáo UBND tỉnh về nhà ở cho công nhân."}))["id"]
    return question, commitment


def _claim(api: Caller, world: World, commitment: str, action: str = "fulfil") -> None:
    body = {"action": action, "evidence": [{"title": "Công văn số 12/SYT"}]}
    if action == "decline":
        body = {"action": action, "note": "Không thuộc thẩm quyền của Sở"}
    response = api.as_(world.agency_token).post(f"/api/v1/commitments/{commitment}/updates",
                                                body)
    assert response.status_code == 200, response.json


def test_the_asker_is_told_and_contests_the_claim(api: Caller, world: World,
                                                  smtp: SmtpServer) -> None:
    _, commitment = _asked(api, world)
    assert [o for o, _ in _send_owed(api, smtp)] == [Outcome.SENT]
    [answered] = smtp.received
    assert answered.rcpt_tos == (ASKER,)
    assert "đã được trả lời" in answered.header("Subject")
    assert "Sở sẽ rà soát và báo cáo UBND tỉnh." in answered.text
    assert answered.message.get_body(preferencelist=("html",)) is not None

    _claim(api, world, commitment)
    assert [o for o, _ in _send_owed(api, smtp)] == [Outcome.SENT]
    # Sent once: a second scan finds nothing open, a retried task sends nothing.
    assert _send_owed(api, smtp) == []
    assert len(smtp.received) == 2
    claimed = smtp.received[1]
    assert "xác nhận" in claimed.header("Subject")
    assert "Công văn số 12/SYT" in claimed.text
    confirm, contest = LINK.findall(claimed.text)
    html = claimed.message.get_body(preferencelist=("html",))
    assert html is not None and contest in str(html.get_content())  # type: ignore[attr-defined]

    page = api.client.get(f"/reports/asker/{contest}")
    assert page.status_code == 200 and 'id="asker-feedback"' in page.get_data(as_text=True)
    refused = api.client.post(f"/reports/asker/{contest}", data={"note": " "})
    assert refused.status_code == 422  # an objection needs a note
    tampered = api.client.post("/api/v1/public/asker-feedback",
                               json={"token": contest[:-5] + "xx" + contest[-3:], "note": "x"})
    assert tampered.status_code == 403
    given = api.client.post("/api/v1/public/asker-feedback", json={
        "token": contest, "note": "Chưa có nhà ở nào được bố trí."})
    assert given.status_code == 201, given.json
    assert given.json["asker_feedback"] == {
        "verdict": "contested", "on": "2024-09-01", "note": "Chưa có nhà ở nào được bố trí."}
    # One word per claim: the other link is refused now.
    again = api.client.post("/api/v1/public/asker-feedback", json={"token": confirm})
    assert again.status_code == 409

    read = api.get(f"/api/v1/commitments/{commitment}").json
    assert read["asker_feedback"]["verdict"] == "contested" and read["verdict"] is None
    history = api.get(f"/api/v1/commitments/{commitment}/history").json
    assert history[-1]["type"] == "AskerContested"
    assert history[-1]["actor"] == {"role": "asker", "agency": None, "via": "link"}
    public = api.client.get(f"/reports/commitments/{commitment}?format=json").get_data(
        as_text=True)
    assert "AskerContested" in public and "Chưa có nhà ở" not in public
    [syt] = [s for s in api.client.get("/api/v1/public/reports/agencies").json
             if s["agency"] == "SYT"]
    assert (syt["confirmed_by_asker"], syt["contested_by_asker"]) == (0, 1)
    queries = build_queries(api.service)
    try:
        assert queries.contested_by_asker([UUID(commitment)]) == {UUID(commitment)}
    finally:
        queries.close()


def test_a_confirmation_and_a_superseded_link(api: Caller, world: World,
                                             smtp: SmtpServer) -> None:
    _, commitment = _asked(api, world)
    _claim(api, world, commitment, "partially_fulfil")
    _send_owed(api, smtp)
    first_confirm, _ = LINK.findall(smtp.received[-1].text)
    _claim(api, world, commitment, "fulfil")
    _send_owed(api, smtp)
    assert len(smtp.received) == 3
    # The partial claim's link is for a claim the agency has since replaced.
    stale = api.client.post("/api/v1/public/asker-feedback", json={"token": first_confirm})
    assert stale.status_code == 409 and "latest mail" in stale.json["error"]["message"]
    confirm, _ = LINK.findall(smtp.received[-1].text)
    done = api.client.post(f"/reports/asker/{confirm}", data={"note": ""})
    assert done.status_code == 200 and 'id="feedback-recorded"' in done.get_data(as_text=True)
    read = api.get(f"/api/v1/commitments/{commitment}").json
    assert read["asker_feedback"] == {"verdict": "confirmed", "on": "2024-09-01", "note": None}
    [syt] = [s for s in api.client.get("/api/v1/public/reports/agencies").json
             if s["agency"] == "SYT"]
    assert (syt["confirmed_by_asker"], syt["contested_by_asker"]) == (1, 0)
    # The scorecard's CSV counts it too, under its header in the reader's language.
    table = csv.reader(io.StringIO(
        api.client.get("/reports/?format=csv").get_data(as_text=True).lstrip("\ufeff")))
    header, *rows = list(table)
    [row] = [r for r in rows if r[header.index("Mã cơ quan")] == "SYT"]
    assert (row[header.index("Người hỏi xác nhận")],
            row[header.index("Người hỏi phản hồi không đúng")]) == ("1", "0")


def test_a_sender_that_died_holding_the_claim_never_sends_again(
        api: Caller, world: World, smtp: SmtpServer) -> None:
    _asked(api, world)
    queries = build_queries(api.service)
    try:
        [owed] = queries.open_messages()
    finally:
        queries.close()
    message = api.service.get(owed)
    message.claim(claim="dead", attempt=0, at=datetime.now(UTC),
                  lease=api.service.settings.reminders.lease)
    api.service.save(message)
    # Its redelivery (the same task id) settles it as sent, unconfirmed.
    messages = Messages(api.service, SmtpMailer(MailSettings(host=smtp.host, port=smtp.port)),
                        COMPOSERS)
    outcome, _ = messages.deliver(owed, claim="dead", attempt=0, final=False)
    assert outcome is Outcome.SETTLED and smtp.received == []
    assert api.service.get(owed).last.mark is Mark.SENT


def test_from_the_workspace(api: Caller, world: World, clerk: FlaskClient,
                            smtp: SmtpServer) -> None:
    """The clerk records the asker's address with the question; a claim the
    union had verified and the asker contested is back in the queue, marked."""
    path = f"/workspace/dialogues/{world.dialogue}"
    form = {**form_of(clerk, path, "question-form"), "asker_name": "Chị Hà Thị Mai",
            "text": "Khi nào có nhà ở xã hội?", "asker_email": "mai.ha@example.vn"}
    before = api.events()
    bad = clerk.post(path, data={**form, "asker_phone": "gọi tôi"})
    assert bad.status_code == 422 and "error-question-asker.contact.phone" in bad.data.decode()
    assert api.events() == before
    assert clerk.post(path, data={**form, "asker_phone": "0912 345 678"}).status_code == 302
    [question] = [q["id"] for q in api.get(f"/api/v1/dialogues/{world.dialogue}").json[
        "unanswered"] if q["asker"]["name"] == "Chị Hà Thị Mai"]
    assert api.get(f"/api/v1/questions/{question}").json["asker"]["contact"] == {
        "email": "mai.ha@example.vn", "phone": "0912 345 678"}
    answer = created(api.post("/api/v1/answers", {
        "question_ids": [question], "text": "Sẽ bố trí trong năm nay.",
        "responder": {"name": "Ông Nguyễn Văn A", "agency": "SYT"}}))["id"]
    commitment = created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "implement", "answer_id": answer,
        "text": "Bố trí nhà ở xã hội trong năm nay."}))["id"]
    _claim(api, world, commitment)
    verdict = api.post(f"/api/v1/commitments/{commitment}/verdicts", {"verdict": "verified"})
    assert verdict.status_code == 200, verdict.json
    assert commitment not in clerk.get("/workspace/claims").data.decode()
    _send_owed(api, smtp)
    assert [m.rcpt_tos for m in smtp.received] == [("mai.ha@example.vn",)] * 2
    _, contest = LINK.findall(smtp.received[-1].text)
    assert clerk.post(f"/reports/asker/{contest}", data={
        "note": "Chưa bố trí được căn nào."}).status_code == 200
    queue = clerk.get("/workspace/claims").data.decode()
    assert commitment in queue and 'class="contested"' in queue
    page = clerk.get(f"/workspace/commitments/{commitment}").data.decode()
    assert 'id="asker-feedback"' in page and "Chưa bố trí được căn nào." in page


def test_a_contested_decline_goes_back_to_the_auditors(
        api: Caller, world: World, people: dict[str, str], smtp: SmtpServer) -> None:
    """A decline is a claim that closes the promise: the asker contests it by
    the mailed link, the auditors find it in their queue marked so, with its
    reason, dispute it, and the agency's score counts it disputed."""
    _, commitment = _asked(api, world)
    _claim(api, world, commitment, "decline")
    _send_owed(api, smtp)
    claimed = smtp.received[-1]
    assert "không thể thực hiện" in claimed.text and "Không thuộc thẩm quyền" in claimed.text
    _, contest = LINK.findall(claimed.text)
    assert api.client.post(f"/reports/asker/{contest}", data={
        "note": "Sở đã nhận trả lời tại hội nghị."}).status_code == 200

    sign_in(api.client, people["auditor"])
    queue = api.client.get("/workspace/claims").data.decode()
    row = queue[queue.index(f"/workspace/commitments/{commitment}"):]
    row = row[:row.index("</tr>")]
    assert 'class="contested"' in row and "Không thuộc thẩm quyền của Sở" in row
    path = f"/workspace/commitments/{commitment}"
    disputed = api.client.post(path, data={
        **form_of(api.client, path, "verdict-form"), "verdict": "disputed",
        "note": "Việc này thuộc thẩm quyền của Sở."})
    assert disputed.status_code == 302, disputed.data.decode()[:500]
    assert f"/workspace/commitments/{commitment}" not in api.client.get(
        "/workspace/claims").data.decode()
    read = api.get(f"/api/v1/commitments/{commitment}").json
    assert (read["status"], read["verdict"]) == ("declined", "disputed")
    [syt] = [s for s in api.client.get("/api/v1/public/reports/agencies").json
             if s["agency"] == "SYT"]
    assert (syt["declined"], syt["disputed"], syt["contested_by_asker"]) == (1, 1, 1)
