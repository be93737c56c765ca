"""The staff workspace: sign-in, sessions, CSRF, and the commitments home page."""

from __future__ import annotations

import io
import re
from uuid import UUID

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from tests.api.conftest import (
    CLERK,
    PASSWORD,
    Caller,
    World,
    created,
    csrf,
    hidden_fields,
    loads_from_here,
    sign_in,
)
from tests.api.test_imports import TEXT, URL, post_text


def test_the_home_page_needs_a_signed_in_person(api: Caller) -> None:
    response = api.client.get("/workspace/")
    assert response.status_code == 302
    assert "/workspace/sign-in?next=" in response.headers["Location"]
    page = api.client.get("/workspace/sign-in").data.decode()
    assert "Đăng nhập" in page and 'type="password"' in page


def test_signing_in_opens_a_session_in_a_safe_cookie(api: Caller,
                                                     people: dict[str, str]) -> None:
    response = sign_in(api.client, people["officer"])
    assert response.status_code == 302 and response.headers["Location"] == "/workspace/"
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 2  # the session, and the browser's memory of the account
    assert all("HttpOnly" in cookie and "SameSite=Lax" in cookie for cookie in cookies)
    home = api.client.get("/workspace/")
    assert home.status_code == 200
    assert home.headers["Cache-Control"] == "no-store"
    assert "Trần Văn B" in home.data.decode()
    # The agency's report to file, in the officer's language.
    assert re.search(r'href="/reports/agencies/SYT\?[^"]*format=docx', home.data.decode())


def test_a_wrong_password_is_refused_and_repeated_failures_slowed(
    api: Caller, people: dict[str, str]
) -> None:
    refused = sign_in(api.client, people["officer"], "sai mật khẩu rồi")
    assert refused.status_code == 200 and "Set-Cookie" not in refused.headers
    assert "không khớp với tài khoản nào" in refused.data.decode()
    for _ in range(4):
        sign_in(api.client, people["officer"], "sai mật khẩu rồi")
    # Even the right password, from this browser that never signed in to the
    # account at this address: it is the guesser's, as far as anyone can tell.
    slowed = sign_in(api.client, people["officer"])
    assert slowed.status_code == 429
    assert 0 < int(slowed.headers["Retry-After"]) <= 300
    assert "Đăng nhập sai quá nhiều lần từ địa chỉ này" in slowed.data.decode()


def test_a_form_without_its_csrf_token_is_refused(api: Caller, people: dict[str, str]) -> None:
    response = api.client.post("/workspace/sign-in", data={
        "email": people["officer"], "password": PASSWORD})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.data.decode()
    sign_in(api.client, people["officer"])
    forged = api.client.post("/workspace/sign-out", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert api.client.get("/workspace/").status_code == 200  # still signed in


def test_signing_out_ends_the_session(api: Caller, people: dict[str, str]) -> None:
    sign_in(api.client, people["officer"])
    token = csrf(api.client, "/workspace/")
    assert api.client.post("/workspace/sign-out", data={"csrf_token": token}).status_code == 302
    assert api.client.get("/workspace/").status_code == 302


def test_an_officer_sees_only_their_agency_overdue_first(api: Caller,
                                                         people: dict[str, str]) -> None:
    sign_in(api.client, people["officer"])
    page = api.client.get("/workspace/", query_string={"agency": "SGDDT"}).data.decode()
    assert "Rà soát biên chế kế toán" not in page  # another agency's, even when asked
    overdue = page.index("Sẽ xem xét, nghiên cứu, kiến nghị")
    soon = page.index("Nghiên cứu chế độ trực đêm")
    assert overdue < soon
    assert "quá hạn · 54 ngày" in page and "sắp đến hạn" in page
    # Accent-insensitive search.
    found = api.client.get("/workspace/", query_string={"q": "truc dem"}).data.decode()
    assert "Nghiên cứu chế độ trực đêm" in found and "Sẽ xem xét" not in found


def test_an_auditor_sees_every_agency(api: Caller, people: dict[str, str]) -> None:
    sign_in(api.client, people["auditor"])
    page = api.client.get("/workspace/").data.decode()
    assert "Rà soát biên chế kế toán" in page and "Nghiên cứu chế độ trực đêm" in page
    only = api.client.get("/workspace/", query_string={"agency": "SGDDT"}).data.decode()
    assert "Nghiên cứu chế độ trực đêm" not in only


@pytest.mark.parametrize("target", [
    "//evil.example/x", "https://evil.example/", "/\\evil.example/x", "/\\/evil.example",
    "/\t/evil.example", "/\n/evil.example", " //evil.example", "javascript:alert(1)"])
def test_next_never_leads_off_the_site(api: Caller, people: dict[str, str],
                                       target: str) -> None:
    """Browsers read a backslash as a slash and drop tabs and line breaks from
    an address, so each of these would be another site's address."""
    token = csrf(api.client)
    response = api.client.post("/workspace/sign-in", query_string={"next": target}, data={
        "email": people["auditor"], "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/workspace/"


def test_a_reminders_link_leads_through_sign_in_to_the_commitment(
        api: Caller, world: World, people: dict[str, str]) -> None:
    """The workspace link a reminder carries: sign in first, then the page."""
    path = f"/workspace/commitments/{world.commitment}"
    first = api.client.get(path)
    assert first.status_code == 302
    sign_in_page = first.headers["Location"]
    assert sign_in_page.startswith("/workspace/sign-in?next=")
    token = csrf(api.client, sign_in_page)
    signed = api.client.post(sign_in_page, data={
        "email": people["officer"], "password": PASSWORD, "csrf_token": token})
    assert signed.headers["Location"].rstrip("?") == path
    assert "Sẽ xem xét, nghiên cứu" in api.client.get(path).data.decode()


def _form(client: FlaskClient, path: str) -> dict[str, str]:
    found = hidden_fields(client.get(path).data.decode())
    fields = {k: v for k, v in found.items() if k in ("csrf_token", "version")}
    assert {"csrf_token", "version"} <= set(fields), found
    return fields


def test_an_officer_reports_progress_and_sees_it_in_the_history(
    api: Caller, world: World, people: dict[str, str]
) -> None:
    sign_in(api.client, people["officer"])
    path = f"/workspace/commitments/{world.commitment}"
    saved = api.client.post(path, data={
        **_form(api.client, path), "form": "update", "action": "progress",
        "note": "Đã họp với các huyện", "evidence_title": "Công văn 12/SYT",
        "evidence_url": "https://syt.example.vn/cv12", "evidence_dated": "01/07/2024"})
    assert saved.status_code == 302
    page = api.client.get(saved.headers["Location"]).data.decode()
    assert "Đã lưu" in page and "Đã họp với các huyện" in page
    assert 'href="https://syt.example.vn/cv12"' in page
    [event] = [e for e in api.service.events.get(UUID(world.commitment))
               if type(e).__name__ == "ProgressReported"]
    account = api.service.sign_in(people["officer"], PASSWORD)
    assert account is not None
    assert event.actor == {"role": "agency", "agency": "SYT",
                           "via": f"account:{account.id}"}
    assert event.evidence == [{"title": "Công văn 12/SYT", "url": "https://syt.example.vn/cv12",
                               "dated": "2024-07-01"}]
    assert "Công văn 12/SYT</a> (01/07/2024)" in page
    assert '<span class="person">Trần Văn B</span>' in page  # staff see who, by name
    public = api.client.get(f"/reports/commitments/{world.commitment}").data.decode()
    assert "Trần Văn B" not in public and "Đã họp với các huyện" in public


def test_agencies_names_and_meetings_are_read_from_the_tables(
    api: Caller, world: World, clerk: FlaskClient, people: dict[str, str],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: an agency (its API, feed and page), the names of who wrote a
    commitment's steps, a dialogue's page with what its import created and
    the list of reports before they go out are rows; no read loads an
    agency, a dialogue, a report or another person's account."""
    sign_in(clerk, people["officer"])
    path = f"/workspace/commitments/{world.commitment}"
    assert clerk.post(path, data={**_form(clerk, path), "form": "update",
                                  "action": "progress", "note": "Đã họp"}).status_code == 302
    imported = created(post_text(api, URL, TEXT))
    made = imported["agencies_created"]
    assert made
    report = created(api.post("/api/v1/published-reports", {
        "title": "Báo cáo quý III", "as_of": "2024-08-31", "reply_days": 5}))
    sign_in(clerk, CLERK)
    loaded = loads_from_here(api, monkeypatch)
    [line] = api.as_(world.agency_token).get("/api/v1/published-reports").json
    assert (line["id"], line["agencies"], line["state"]) == (report["id"], ["SGDDT", "SYT"],
                                                             "open_for_reply")
    page = clerk.get("/workspace/published-reports").data.decode()
    assert re.search(rf'<tr id="r-{report["id"]}">.*?<td>3</td>\s*</tr>', page, re.S), page
    agency = api.get("/api/v1/agencies/syt").json
    assert (agency["name"], agency["contacts"]) == ("Sở Y tế", [{"email": "syt@example.vn"}])
    assert api.get("/api/v1/agencies/XYZ").status_code == 404
    assert "Sở Y tế" in clerk.get("/reports/agencies/SYT/feed.atom").data.decode()
    page = clerk.get("/workspace/agencies/SYT").data.decode()
    assert 'value="syt@example.vn"' in page and 'name="version" value="1"' in page
    page = clerk.get(f"/workspace/dialogues/{imported['dialogue_id']}").data.decode()
    for a in made:
        assert f'<a href="/workspace/agencies/{a["code"]}">{a["code"]} · {a["name"]}</a>' in page
    assert clerk.get(f"/workspace/dialogues/{world.commitment}").status_code == 404
    assert '<span class="person">Trần Văn B</span>' in clerk.get(path).data.decode()
    me = api.service.account(CLERK).id
    assert not {"Agency", "Dialogue", "Question", "PublishedReport"} & {
        kind for kind, _ in loaded}, loaded
    # Besides the API's bearer token: the signed-in account, on each request
    # (a disabled one is out at once), and the commitment page's own.
    assert {(kind, key) for kind, key in loaded if kind != "AccessToken"} <= {
        ("Account", me), ("Commitment", UUID(world.commitment))}, loaded


def test_a_bad_form_shows_errors_by_the_field_and_saves_nothing(
    api: Caller, world: World, people: dict[str, str]
) -> None:
    sign_in(api.client, people["officer"])
    path = f"/workspace/commitments/{world.commitment}"
    before = api.events()
    refused = api.client.post(path, data={
        **_form(api.client, path), "form": "update", "action": "extend",
        "new_due_on": "2024-12-31", "evidence_url": "not a link"})
    assert refused.status_code == 422
    page = refused.data.decode()
    assert 'id="error-evidence_url"' in page
    dated_only = api.client.post(path, data={
        **_form(api.client, path), "form": "update", "action": "progress",
        "evidence_dated": "2024-07-01"})
    assert dated_only.status_code == 422
    assert 'id="error-evidence_title"' in dated_only.data.decode()
    assert 'value="2024-12-31"' in page  # what was typed is kept
    # A date field is typed day/month/year; a wrong one is named.
    form = re.search(r'<form[^>]*id="update-form".*?</form>', page, re.S)
    assert form is not None
    assert 'placeholder="dd/mm/yyyy"' in form.group(0) and 'type="date"' not in form.group(0)
    bad_day = api.client.post(path, data={
        **_form(api.client, path), "form": "update", "action": "extend",
        "new_due_on": "31/13/2024", "note": "Chờ ý kiến Bộ"}).data.decode()
    assert "Hạn mới: “31/13/2024” không phải là ngày" in bad_day
    assert 'id="error-new_due_on"' in bad_day
    missing_note = api.client.post(path, data={
        **_form(api.client, path), "form": "update", "action": "extend",
        "new_due_on": "2024-12-31"})
    assert missing_note.status_code == 422
    assert 'id="error-note"' in missing_note.data.decode()
    # The domain's refusal, led by a line in the page's language.
    assert "Hãy nêu lý do. (extend needs a note giving the reason)" in missing_note.data.decode()
    english = api.client.post(f"{path}?lang=en", data={
        **_form(api.client, path), "form": "update", "action": "extend",
        "new_due_on": "2024-12-31"}).data.decode()
    assert ">extend needs a note giving the reason<" in english
    assert api.events() == before


def test_an_officer_cannot_see_or_post_to_another_agency(
    api: Caller, world: World, people: dict[str, str]
) -> None:
    other = created(api.post("/api/v1/commitments", {
        "agency": "SGDDT", "kind": "review", "dialogue_id": world.dialogue,
        "text": "Việc của Sở Giáo dục"}))["id"]
    sign_in(api.client, people["officer"])
    path = f"/workspace/commitments/{other}"
    assert api.client.get(path).status_code == 403
    token = csrf(api.client, "/workspace/")
    before = api.events()
    posted = api.client.post(path, data={"csrf_token": token, "form": "update",
                                         "action": "progress", "version": "1"})
    assert posted.status_code == 403
    assert "thuộc cơ quan khác" in posted.data.decode()
    assert api.events() == before


def test_an_auditor_disputes_a_claim(api: Caller, world: World,
                                     people: dict[str, str]) -> None:
    assert api.post(f"/api/v1/commitments/{world.commitment}/updates",
                    {"action": "fulfil", "evidence": [{"title": "Báo cáo 9"}]}
                    ).status_code == 200
    sign_in(api.client, people["auditor"])
    path = f"/workspace/commitments/{world.commitment}"
    page = api.client.get(path).data.decode()
    assert 'id="verdict-form"' in page and 'id="update-form"' not in page
    no_note = api.client.post(path, data={**_form(api.client, path), "form": "verdict",
                                          "verdict": "disputed"})
    assert no_note.status_code == 422 and 'id="error-note"' in no_note.data.decode()
    done = api.client.post(path, data={**_form(api.client, path), "form": "verdict",
                                       "verdict": "disputed",
                                       "note": "Chưa có quyết định phụ cấp"})
    assert done.status_code == 302
    assert api.get(f"/api/v1/commitments/{world.commitment}").json["verdict"] == "disputed"


def test_the_auditor_queue_holds_unjudged_claims_and_exports_lists(
    api: Caller, world: World, people: dict[str, str]
) -> None:
    claimed = created(api.post("/api/v1/commitments", {
        "agency": "SGDDT", "kind": "report", "dialogue_id": world.dialogue,
        "text": "Báo cáo rà soát trường học"}))["id"]
    assert api.post(f"/api/v1/commitments/{claimed}/updates", {
        "action": "fulfil", "evidence": [{"title": "Báo cáo 7/SGDĐT",
                                          "url": "https://sgd.example.vn/7"}]}
    ).status_code == 200
    sign_in(api.client, people["auditor"])
    queue = api.client.get("/workspace/claims").data.decode()
    assert "Báo cáo rà soát trường học" in queue
    assert 'href="https://sgd.example.vn/7"' in queue
    assert "Sẽ xem xét, nghiên cứu" not in queue  # not claimed delivered
    assert api.post(f"/api/v1/commitments/{claimed}/verdicts",
                    {"verdict": "disputed", "note": "Thiếu số liệu"}).status_code == 200
    assert "Báo cáo rà soát trường học" not in api.client.get("/workspace/claims").data.decode()
    overdue = api.client.get("/workspace/lists/overdue.csv")
    assert overdue.content_type.startswith("text/csv")
    rows = overdue.data.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Mã,Mã cơ quan,Cơ quan,Cam kết,Tình trạng,Hạn,Số ngày quá hạn")
    assert any("Sẽ xem xét, nghiên cứu" in row and ",54," in row for row in rows[1:])
    book = load_workbook(io.BytesIO(api.client.get("/workspace/lists/overdue.xlsx").data))
    assert any("Sẽ xem xét, nghiên cứu" in row[3] and row[6] == 54
               for row in book.active.iter_rows(min_row=2, values_only=True))
    disputed = api.client.get("/workspace/lists/disputed.csv").data.decode("utf-8-sig")
    assert "Báo cáo rà soát trường học" in disputed and "Công đoàn không đồng ý" in disputed
    page = api.client.get("/workspace/lists/overdue").data.decode()
    assert "Sẽ xem xét, nghiên cứu" in page and "54 ngày" in page and "Sở Y tế" in page
    assert "Báo cáo rà soát trường học" not in page
    page = api.client.get("/workspace/lists/disputed").data.decode()
    assert "Báo cáo rà soát trường học" in page and 'href="https://sgd.example.vn/7"' in page
    assert api.client.get("/workspace/lists/forgotten").status_code == 404


def test_an_officer_has_no_auditor_pages(api: Caller, people: dict[str, str]) -> None:
    sign_in(api.client, people["officer"])
    assert api.client.get("/workspace/claims").status_code == 403
    assert api.client.get("/workspace/lists/overdue.csv").status_code == 403
    assert api.client.get("/workspace/lists/overdue").status_code == 403


def test_an_officer_asks_for_more_time_and_an_auditor_decides(
    api: Caller, world: World, people: dict[str, str]
) -> None:
    path = f"/workspace/commitments/{world.commitment}"
    officer = api.client
    sign_in(officer, people["officer"])
    no_reason = officer.post(path, data={**_form(officer, path), "form": "update",
                                         "action": "extend", "new_due_on": "2024-12-31"})
    assert no_reason.status_code == 422 and 'id="error-note"' in no_reason.data.decode()
    asked = officer.post(path, data={**_form(officer, path), "form": "update",
                                     "action": "extend", "new_due_on": "2024-12-31",
                                     "note": "Chờ ý kiến của Bộ Y tế"})
    assert asked.status_code == 302 and "saved=request" in asked.headers["Location"]
    page = officer.get(asked.headers["Location"]).data.decode()
    assert "thời hạn giữ nguyên cho đến khi công đoàn quyết định" in page
    assert 'id="extension-request"' in page and "đang chờ công đoàn quyết định" in page
    assert 'id="decision-form"' not in page  # an officer does not decide
    assert api.get(f"/api/v1/commitments/{world.commitment}").json["due_on"] == "2024-07-09"
    # A claim without evidence is refused on the form, by its field.
    claim = officer.post(path, data={**_form(officer, path), "form": "update",
                                     "action": "fulfil"})
    assert claim.status_code == 422 and 'id="error-evidence"' in claim.data.decode()

    auditor = api.client.application.test_client()
    sign_in(auditor, people["auditor"])
    queue = auditor.get("/workspace/claims").data.decode()
    requests = queue[queue.index('id="requests"'):]
    assert "Sẽ xem xét, nghiên cứu" in requests and "Chờ ý kiến của Bộ Y tế" in requests
    page = auditor.get(path).data.decode()
    assert 'id="decision-form"' in page
    refused = auditor.post(path, data={**_form(auditor, path), "form": "decision",
                                       "decision": "refuse"})
    assert refused.status_code == 422 and 'id="error-note"' in refused.data.decode()
    approved = auditor.post(path, data={**_form(auditor, path), "form": "decision",
                                        "decision": "approve"})
    assert approved.status_code == 302, approved.data.decode()[:500]
    body = api.get(f"/api/v1/commitments/{world.commitment}").json
    assert (body["due_on"], body["extensions"], body["extension_request"]) == (
        "2024-12-31", 1, None)
    queue = auditor.get("/workspace/claims").data.decode()
    assert "Không có đề nghị gia hạn nào đang chờ quyết định" in queue
