"""Issue 18 §2, the agency's right of reply: a report is opened as of a date,
each agency in it is mailed a link to its entries and may reply to them
until the window closes, then the report is published, frozen, with the
log's head digest. Before that, nobody outside the staff reads it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from service.bootstrap import build_queries
from service.composers import COMPOSERS
from service.messages import Messages
from service.settings import MailSettings
from tests.api.conftest import (
    TODAY,
    Caller,
    World,
    created,
    form_of,
    hidden_fields,
    sign_in,
)
from tests.support.clock import FixedClock
from tests.support.smtp import SmtpServer, smtp_server
from workers.mail import SmtpMailer

REPORTS = "/api/v1/published-reports"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def _send_owed(api: Caller, smtp: SmtpServer) -> None:
    queries = build_queries(api.service)
    try:
        messages = Messages(api.service, SmtpMailer(MailSettings(
            host=smtp.host, port=smtp.port)), COMPOSERS)
        for owed in queries.open_messages():
            messages.deliver(owed, claim=f"task-{owed}", attempt=0, final=False)
    finally:
        queries.close()


def test_replies_then_a_frozen_publication(api: Caller, world: World, clock: FixedClock,
                                          smtp: SmtpServer) -> None:
    other = created(api.post("/api/v1/commitments", {
        "agency": "SGDDT", "kind": "review", "dialogue_id": world.dialogue,
        "text": "Rà soát biên chế kế toán trường học."}))["id"]
    opened = api.post(REPORTS, {"title": "Báo cáo năm 2024", "as_of": "2024-08-31",
                                "reply_days": 5})
    assert opened.status_code == 201, opened.json
    report = opened.json
    assert (report["state"], report["replies_close_on"]) == ("open_for_reply", "2024-09-06")
    assert report["agencies"] == ["SGDDT", "SYT"]
    path = f"{REPORTS}/{report['id']}"
    # SYT has an address, SGDDT none: one mail, with the link to its entries.
    _send_owed(api, smtp)
    [invitation] = smtp.received
    assert invitation.rcpt_tos == ("syt@example.vn",)
    assert f"/workspace/published-reports/{report['id']}" in invitation.text

    syt, sgddt = api.as_(world.agency_token), api.as_(world.other_agency_token)
    assert api.as_(None).get(path).status_code == 401
    assert api.client.get(f"/reports/published/{report['id']}").status_code == 404
    assert [e["id"] for e in sgddt.get(path).json["entries"]] == [other]
    assert api.as_(world.auditor_token).get(path).status_code == 200
    assert api.post(f"{path}/publish").status_code == 409  # replies still open
    reply = {"commitment_id": world.commitment, "text": "Sở đã trình UBND tỉnh ngày 20/8."}
    assert sgddt.post(f"{path}/replies", reply).status_code == 403
    assert api.as_(world.auditor_token).post(f"{path}/replies", reply).status_code == 403
    given = syt.post(f"{path}/replies", reply)
    assert given.status_code == 201, given.json
    assert given.json["agency"] == "SYT" and given.json["on"] == TODAY.isoformat()
    missing = syt.post(f"{path}/replies", {**reply, "commitment_id": other})
    assert missing.status_code == 403  # SGDDT's entry

    clock.today = TODAY + timedelta(days=6)
    late = syt.post(f"{path}/replies", {**reply, "text": "Bổ sung"})
    assert late.status_code == 409
    assert sgddt.post(f"{path}/publish").status_code == 403
    published = api.post(f"{path}/publish")
    assert published.status_code == 200, published.json
    head = published.json["log_head"]
    assert published.json["state"] == "published" and len(head["digest"]) == 64
    assert api.post(f"{path}/publish").status_code == 409

    # Later changes leave the published report as it was.
    assert syt.post(f"/api/v1/commitments/{world.commitment}/updates", {
        "action": "fulfil", "evidence": [{"title": "Quyết định 5/QĐ-UBND"}]}).status_code == 200
    page = api.client.get(f"/reports/published/{report['id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sở đã trình UBND tỉnh ngày 20/8." in html and head["digest"] in html
    frozen = api.client.get(f"/reports/published/{report['id']}?format=json").json
    [entry] = [e for e in frozen["entries"] if e["id"] == world.commitment]
    assert entry["status"] == "open" and entry["reply"]["text"] == reply["text"]
    assert frozen["log_head"] == head
    # The CSV in the reader's language: the promise as frozen, its reply beside it.
    table = api.client.get(f"/reports/published/{report['id']}?format=csv")
    lines = table.get_data(as_text=True).splitlines()
    assert "Ý kiến phản hồi của cơ quan" in lines[0]
    [row] = [line for line in lines if world.commitment in line]
    assert reply["text"] in row and "chưa thực hiện" in row
    refused = api.client.get(f"/reports/published/{report['id']}?format=pdf")
    assert refused.status_code == 400 and "format" in refused.json["error"]["fields"]


def test_no_reply_window_publishes_at_once(api: Caller, world: World) -> None:
    opened = created(api.post(REPORTS, {"title": "Báo cáo nhanh", "as_of": "2024-09-01",
                                        "reply_days": 0}))
    assert api.post(REPORTS, {"title": "x", "as_of": "2024-09-02"}).status_code == 422
    assert api.post(REPORTS, {"title": "x", "as_of": "2024-09-01",
                              "reply_days": 61}).status_code == 422
    assert api.post(f"{REPORTS}/{opened['id']}/publish").status_code == 200
    listed = api.get(REPORTS).json
    assert [r["id"] for r in listed] == [opened["id"]] and listed[0]["state"] == "published"


def test_from_the_workspace(api: Caller, world: World, clerk: FlaskClient,
                            people: dict[str, str]) -> None:
    page = "/workspace/published-reports"
    opened = clerk.post(page, data={**form_of(clerk, page, "open-report-form"),
                                    "title": "Báo cáo quý III", "as_of": "01/09/2024",
                                    "reply_days": "0"})
    assert opened.status_code == 302, opened.data.decode()
    path = opened.headers["Location"]
    # Typed day/month/year, as every date field of the workspace.
    assert api.get(f"{REPORTS}/{path.rsplit('/', 1)[-1]}").json["as_of"] == "2024-09-01"
    officer = api.client.application.test_client()
    assert sign_in(officer, people["officer"]).status_code == 302
    mine = officer.get(path).data.decode()
    assert world.commitment in mine and "Rà soát biên chế kế toán" not in mine  # SGDDT's
    refused = officer.post(path, data={**hidden_fields(mine), "form": "reply",
                                       "commitment_id": world.commitment, "text": ""})
    assert refused.status_code == 422
    replied = officer.post(path, data={**form_of(officer, path, f"reply-{world.commitment}"),
                                       "text": "Đã trình UBND tỉnh."})
    assert replied.status_code == 302, replied.data.decode()
    assert officer.post(path, data={**form_of(officer, path, f"reply-{world.commitment}"),
                                    "form": "publish"}).status_code == 403
    assert clerk.post(path, data=form_of(clerk, path, "publish-form")).status_code == 302
    report = path.rsplit("/", 1)[1]
    public = api.client.get(f"/reports/published/{report}").get_data(as_text=True)
    assert "Đã trình UBND tỉnh." in public
