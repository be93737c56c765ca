"""Transcript imports through the HTTP contract, on the real sample: what is
recorded, the candidates' workflow, and each way an import is refused (after
which the store holds exactly as many events as before)."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.access import Role
from domain.deadlines import recordable_due
from tests.api.conftest import HELD_ON, Caller, created

# The tests read only what the repository carries: a copy of the shared sample.
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures/transcripts/liveblog-dialogue-2024.txt"
TEXT = SAMPLE.read_text(encoding="utf-8")
QUERY = f"dialogue_title=Đối thoại Chủ tịch UBND tỉnh với CNVCLĐ 2024&held_on={HELD_ON}"
URL = f"/api/v1/imports/transcripts?{QUERY}"


def post_text(api: Caller, url: str, text: str | bytes,
              content_type: str = "text/plain; charset=utf-8", **headers: str) -> Any:
    data = text.encode() if isinstance(text, str) else text
    auth = {"Authorization": f"Bearer {api.token}"} if api.token else {}
    return api.client.post(url, data=data, headers={**auth, "Content-Type": content_type,
                                                    **headers})


def refused(api: Caller, response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.json
    error: dict[str, Any] = response.json["error"]
    assert error["message"]
    if field is not None:
        assert field in error["fields"], error
    return error


@pytest.fixture
def agencies(api: Caller) -> None:
    """Three of the seven answering agencies are known, one by an alias."""
    created(api.post("/api/v1/agencies", {"code": "SYT", "name": "Sở Y tế"}))
    created(api.post("/api/v1/agencies", {"code": "SGDDT", "name": "Sở Giáo dục và Đào tạo"}))
    created(api.post("/api/v1/agencies", {"code": "BHXH", "name": "Bảo hiểm xã hội Bắc Kạn",
                                          "aliases": ["Bảo hiểm xã hội tỉnh"]}))


@pytest.fixture
def imported(api: Caller, agencies: None) -> dict[str, Any]:
    return created(post_text(api, URL, TEXT))


def test_the_sample_is_recorded(api: Caller, imported: dict[str, Any]) -> None:
    counts = imported["counts"]
    assert counts["questions"] == 12
    assert counts["answers"] == 8  # seven agencies; Labour answers two askers apart
    assert counts["unanswered"] == 1
    assert counts["candidates"] >= 4
    [unanswered] = imported["unanswered"]
    asker = {q["id"]: q["asker"]["name"] for q in imported["questions"]}
    assert asker[unanswered] == "Vũ Thị Hồng Thu"
    # Meeting order, not the blog's newest-first order.
    assert imported["questions"][0]["asker"]["name"] == "Vũ Gia Hạnh"

    dialogue = api.get(f"/api/v1/dialogues/{imported['dialogue_id']}").json
    assert (dialogue["questions"], dialogue["answered"]) == (12, 11)
    assert [q["asker"]["name"] for q in dialogue["unanswered"]] == ["Vũ Thị Hồng Thu"]
    assert dialogue["by_status"] == {"proposed": counts["candidates"]}
    question = api.get(f"/api/v1/questions/{unanswered}").json
    assert question["answered"] is False


def test_agencies_are_matched_by_name_or_created_unconfirmed(
        api: Caller, imported: dict[str, Any]) -> None:
    matched = {a["code"] for a in imported["agencies_matched"]}
    assert matched == {"SYT", "SGDDT", "BHXH"}
    made = {a["code"]: a["name"] for a in imported["agencies_created"]}
    assert made.keys() >= {"SNV", "SXD", "STTTT", "SLDTBXH"}
    assert made["SLDTBXH"] == "Sở Lao động, Thương binh và Xã hội"
    snv = api.get("/api/v1/agencies/SNV").json
    assert snv["confirmed"] is False
    assert api.get("/api/v1/agencies/SYT").json["confirmed"] is True
    confirmed = api.post("/api/v1/agencies/SNV/confirm", {})
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["confirmed"] is True
    refused(api, api.post("/api/v1/agencies/SNV/confirm", {}), 409)


def test_answers_keep_how_they_were_linked(api: Caller, imported: dict[str, Any]) -> None:
    by_agency: dict[str, list[dict[str, Any]]] = {}
    for answer in imported["answers"]:
        by_agency.setdefault(answer["responder"]["agency"], []).append(answer)
    assert [a["linked_by"] for a in by_agency["SYT"]] == ["name"]
    education = by_agency["SGDDT"][0]
    assert education["linked_by"] in ("topic", "nearest")
    assert len(education["question_ids"]) == 2
    assert len(by_agency["SXD"][0]["question_ids"]) == 3
    assert len(by_agency["SLDTBXH"]) == 2
    question_id = by_agency["SYT"][0]["question_ids"][0]
    question = api.get(f"/api/v1/questions/{question_id}").json
    assert question["asker"]["name"] == "Hà Thị Miên"
    assert question["addressed_to"] == ["SYT"]
    [answer] = question["answers"]
    assert answer["linked_by"] == "name"
    assert answer["answered_at"].startswith("2024-05-10T09:11:00")
    assert {c["status"] for c in question["commitments"]} == {"proposed"}


def test_candidates_quote_the_source_and_wait_for_a_person(
        api: Caller, imported: dict[str, Any]) -> None:
    page = api.get(f"/api/v1/dialogues/{imported['dialogue_id']}/candidates").json
    assert page["total"] == imported["counts"]["candidates"]
    for item in page["items"]:
        assert item["status"] == "proposed"
        assert item["text"] in TEXT
        assert item["overdue"] is False  # a candidate is not yet chased
    health = [i for i in page["items"] if i["agency"] == "SYT"]
    assert health and "phối hợp kiến nghị" in health[0]["text"]
    # Nothing proposed counts as a promise in the public report.
    report = api.as_(None).get("/api/v1/public/reports/agencies").json
    assert all(row["total"] == 0 for row in report)


def test_confirm_edit_and_reject_candidates(api: Caller, imported: dict[str, Any]) -> None:
    items = api.get(f"/api/v1/dialogues/{imported['dialogue_id']}/candidates").json["items"]
    first, second, third = items[0]["id"], items[1]["id"], items[2]["id"]

    edited = api.post(f"/api/v1/commitments/{first}/edits",
                      {"kind": "advise", "due_on": "2024-12-31", "agency": "SYT",
                       "note": "owner named in the answer"})
    assert edited.status_code == 200, edited.json
    assert (edited.json["kind"], edited.json["agency"]) == ("advise", "SYT")
    assert (edited.json["due_on"], edited.json["due_basis"]) == ("2024-12-31", "stated")
    refused(api, api.post(f"/api/v1/commitments/{first}/edits", {"kind": "advise"}),
            422, "text")  # changes nothing

    confirmed = api.post(f"/api/v1/commitments/{first}/updates", {"action": "confirm"})
    assert confirmed.json["status"] == "open", confirmed.json
    refused(api, api.post(f"/api/v1/commitments/{first}/edits", {"text": "khác"}), 409)

    refused(api, api.post(f"/api/v1/commitments/{second}/updates", {"action": "reject"}),
            422, "note")
    rejected = api.post(f"/api/v1/commitments/{second}/updates",
                        {"action": "reject", "note": "a recommendation to others"})
    assert rejected.json["status"] == "rejected", rejected.json
    refused(api, api.post(f"/api/v1/commitments/{second}/updates", {"action": "confirm"}),
            409)

    history = api.get(f"/api/v1/commitments/{first}/history").json
    assert [h["type"] for h in history] == ["Made", "Edited", "Confirmed"]
    assert history[1]["data"]["changes"]["kind"] == "advise"
    assert history[1]["actor"] == {"role": "admin", "agency": None}

    agency = api.service.issue_token(Role.AGENCY, "SYT")
    refused(api, api.as_(agency).post(f"/api/v1/commitments/{third}/updates",
                                      {"action": "confirm"}), 403)

    report = {r["agency"]: r for r in api.as_(None).get("/api/v1/public/reports/agencies").json}
    assert report["SYT"]["total"] == 1
    assert sum(r["total"] for r in report.values()) == 1  # rejected ones never count
    dialogue = api.get(f"/api/v1/dialogues/{imported['dialogue_id']}").json
    assert dialogue["by_status"]["rejected"] == 1
    assert dialogue["by_status"]["open"] == 1


def test_an_edit_moves_a_candidate_between_agencies_counts(
        api: Caller, imported: dict[str, Any]) -> None:
    items = api.get(f"/api/v1/dialogues/{imported['dialogue_id']}/candidates").json["items"]
    owner = items[0]["agency"]
    target = "SYT" if owner != "SYT" else "SGDDT"
    before = len(api.get("/api/v1/commitments", agency=target, status="proposed").json["items"])
    api.post(f"/api/v1/commitments/{items[0]['id']}/edits", {"agency": target})
    after = api.get("/api/v1/commitments", agency=target, status="proposed").json
    assert len(after["items"]) == before + 1


def test_a_dry_run_stores_nothing(api: Caller, agencies: None) -> None:
    before = api.events()
    response = post_text(api, URL + "&dry_run=true", TEXT)
    assert response.status_code == 200, response.json
    assert response.json["dry_run"] is True
    assert response.json["counts"]["questions"] == 12
    assert api.events() == before
    assert created(post_text(api, URL, TEXT))["counts"] == response.json["counts"]


def test_a_retried_import_stores_nothing_new(api: Caller, agencies: None) -> None:
    first = created(post_text(api, URL, TEXT, **{"Idempotency-Key": "import-1"}))
    before = api.events()
    again = created(post_text(api, URL, TEXT, **{"Idempotency-Key": "import-1"}))
    assert again["dialogue_id"] == first["dialogue_id"]
    assert again["counts"] == first["counts"]
    assert api.events() == before
    other = post_text(api, URL, TEXT + "\n", **{"Idempotency-Key": "import-1"})
    assert other.status_code in (409, 422), other.json
    assert api.events() == before


def test_decomposed_text_imports_the_same(api: Caller, agencies: None) -> None:
    nfd = unicodedata.normalize("NFD", TEXT)
    result = created(post_text(api, URL, nfd))
    assert result["counts"]["questions"] == 12
    assert all(unicodedata.is_normalized("NFC", c["text"]) for c in result["candidates"])


def test_an_alias_added_later_matches_on_the_next_import(api: Caller, agencies: None) -> None:
    created(api.post("/api/v1/agencies", {"code": "SNV", "name": "Sở Nội vụ tỉnh Bắc Kạn"}))
    aliased = api.post("/api/v1/agencies/SXD1/aliases", {"alias": "Sở Xây dựng"})
    refused(api, aliased, 404)
    created(api.post("/api/v1/agencies", {"code": "XD", "name": "Sở XD"}))
    added = api.post("/api/v1/agencies/XD/aliases", {"alias": "Sở Xây dựng"})
    assert added.status_code == 200, added.json
    assert added.json["aliases"] == ["Sở Xây dựng"]
    refused(api, api.post("/api/v1/agencies/SYT/aliases", {"alias": "SỞ XÂY DỰNG"}), 409)
    result = created(post_text(api, URL, TEXT))
    matched = {a["code"] for a in result["agencies_matched"]}
    assert {"SNV", "XD"} <= matched
    assert "SXD" not in {a["code"] for a in result["agencies_created"]}


def test_a_succeeded_agency_hands_its_candidates_on(api: Caller, agencies: None) -> None:
    created(api.post("/api/v1/agencies", {"code": "SLDTBXH",
                                          "name": "Sở Lao động, Thương binh và Xã hội"}))
    created(api.post("/api/v1/agencies", {"code": "SNV", "name": "Sở Nội vụ"}))
    moved = api.post("/api/v1/agencies/SLDTBXH/successor",
                     {"successor_code": "SNV", "effective_on": "2024-03-01"})
    assert moved.status_code == 200, moved.json
    result = created(post_text(api, URL, TEXT))
    assert "SLDTBXH" not in {c["agency"] for c in result["candidates"]}
    labour = [a for a in result["answers"]
              if a["responder"]["name"] == "Trịnh Tiến Long"]
    assert {a["responder"]["agency"] for a in labour} == {"SNV"}


@pytest.mark.parametrize(("make", "status", "field"), [
    (lambda api: post_text(api, URL, "{}", "application/json"), 415, None),
    (lambda api: post_text(api, URL, ""), 422, "text"),
    (lambda api: post_text(api, URL, "Hội nghị diễn ra tốt đẹp.\n\nKết thúc."), 422, "text"),
    (lambda api: post_text(api, URL, "café".encode("latin-1")), 400, "body"),
    (lambda api: post_text(api, URL.replace(f"&held_on={HELD_ON}", ""), TEXT), 422,
     "held_on"),
    (lambda api: post_text(api, URL.replace(f"held_on={HELD_ON}", "held_on=10/05/2024"),
                           TEXT), 422, "held_on"),
    (lambda api: post_text(api, URL + "&colour=red", TEXT), 422, "colour"),
    (lambda api: post_text(api, URL, "x" * (1024 * 1024 + 1)), 413, None),
])
def test_bad_imports_are_refused_and_store_nothing(api: Caller, agencies: None, make: Any,
                                                    status: int, field: str | None) -> None:
    before = api.events()
    refused(api, make(api), status, field)
    assert api.events() == before


def test_only_the_secretariat_imports(api: Caller, agencies: None) -> None:
    tokens = [api.service.issue_token(role, agency)
              for role, agency in ((Role.AGENCY, "SYT"), (Role.AUDITOR, None))]
    before = api.events()
    for token in tokens:
        refused(api, post_text(api.as_(token), URL, TEXT), 403)
    refused(api, post_text(api.as_(None), URL, TEXT), 401)
    assert api.events() == before


def test_a_confirmed_candidate_was_a_promise_from_the_day_it_was_spoken(
        api: Caller, imported: dict[str, Any]) -> None:
    """Imported in September, the promise was made at the May dialogue: the
    secretariat can still record that it was kept in June."""
    items = api.get(f"/api/v1/dialogues/{imported['dialogue_id']}/candidates").json["items"]
    first, second = items[0]["id"], items[1]["id"]
    made_on = items[0]["made_on"]
    assert made_on == "2024-05-10"
    assert api.post(f"/api/v1/commitments/{first}/edits",
                    {"due_on": "2024-07-31"}).status_code == 200
    confirmed = api.post(f"/api/v1/commitments/{first}/updates", {"action": "confirm"})
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["updated_on"] == made_on
    kept = api.post(f"/api/v1/commitments/{first}/updates", {
        "action": "fulfil", "effective_on": "2024-06-30",
        "evidence": [{"title": "Báo cáo 30/BC-SYT"}]})
    assert kept.status_code == 200, kept.json
    then = api.get(f"/api/v1/commitments/{first}", as_of="2024-06-15").json
    assert then["status"] == "open"
    row = next(r for r in api.as_(None).get("/api/v1/public/reports/agencies",
                                            as_of="2024-06-30").json
               if r["agency"] == confirmed.json["agency"])
    assert row["fulfilled_on_time"] == 1
    # A rejection too says what the candidate was, not when someone looked.
    rejected = api.post(f"/api/v1/commitments/{second}/updates",
                        {"action": "reject", "note": "không phải lời hứa"})
    assert rejected.json["updated_on"] == made_on


def test_a_written_reply_to_voters_is_recorded(api: Caller, agencies: None) -> None:
    """A body answers, no person: the reply is the body's, and the task it
    gives is owned by the body it directs (issue 16)."""
    corpus = SAMPLE.parents[1] / "corpus/written_reply/tuyen-quang-thanh-phat-2018.txt"
    result = created(post_text(api, URL, corpus.read_text(encoding="utf-8")))
    assert result["counts"]["questions"] == 1 and result["counts"]["answers"] == 1
    [question] = result["questions"]
    assert question["asker"]["name"] == "Cử tri Xã Thanh Phát, huyện Sơn Dương"
    # The voters of a commune asked: a group, and it is recorded as one.
    assert question["asker"].get("kind") == "group"
    stored = api.get(f"/api/v1/questions/{question['id']}").json
    assert stored["asker"]["kind"] == "group"
    [answer] = result["answers"]
    created_names = {a["code"]: a["name"] for a in result["agencies_created"]}
    assert created_names[answer["responder"]["agency"]] == "Ủy ban nhân dân tỉnh"
    [candidate] = result["candidates"]
    assert created_names[candidate["agency"]] == "Ủy ban nhân dân huyện Sơn Dương"


def test_a_deadline_before_the_meeting_does_not_refuse_the_text(api: Caller,
                                                                agencies: None) -> None:
    """A resolution quoting deadlines of 2017, imported as a record of a 2024
    meeting: its tasks are candidates with the default date for their kind
    (the words stay in the quote), not a 422 for the whole text (issue 16)."""
    corpus = SAMPLE.parents[1] / "corpus/interpellation/ha-giang-nghi-quyet-chat-van-ky-hop-5.txt"
    text = corpus.read_text(encoding="utf-8")
    assert "trong tháng 7/2017" in text
    result = created(post_text(api, URL, text))
    assert result["counts"]["candidates"] >= 10
    dated = [c for c in result["candidates"] if "7/2017" in c["text"]]
    assert dated and all(c["due_on"] > HELD_ON.isoformat() for c in dated)
    assert {c["due_basis"] for c in dated} == {"default"}


def test_recordable_due() -> None:
    held = date(2024, 5, 10)
    assert recordable_due(date(2024, 12, 31), held) == date(2024, 12, 31)
    assert recordable_due(date(2017, 7, 31), held) is None  # before the meeting
    assert recordable_due(date(2031, 1, 1), held) is None  # past the five-year horizon
    assert recordable_due(None, held) is None


def test_a_table_uploaded_as_csv_reads_as_the_same_table_pasted(api: Caller,
                                                                 agencies: None) -> None:
    """Issue 16: the published table of petitions and replies, laid out as the
    CSV a spreadsheet program writes (`;`-separated, quoted cells, line breaks
    inside a cell): the same petitions, replies and promises as pasted."""
    pasted, rows = _table_rows()
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    url = URL + "&dry_run=true"
    as_csv = post_text(api, url, out.getvalue(), content_type="text/csv; charset=utf-8")
    as_text = post_text(api, url, pasted)
    assert as_csv.status_code == as_text.status_code == 200, (as_csv.json, as_text.json)
    assert as_csv.json["counts"] == as_text.json["counts"]
    assert as_csv.json["counts"]["questions"] >= 2
    assert [c["text"] for c in as_csv.json["candidates"]] == [
        c["text"] for c in as_text.json["candidates"]]


def test_a_csv_that_is_no_table_is_refused_naming_it(api: Caller) -> None:
    refused(api, post_text(api, URL, "chỉ một dòng", content_type="text/csv"), 422, "body")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _table_rows() -> tuple[str, list[list[str]]]:
    """The published petition table, pasted, and its rows as cells (a long
    cell's later lines joined with line breaks, as a spreadsheet keeps them)."""
    pasted = (SAMPLE.parents[1] / "corpus/petition_table/binh-duong-app-hdnd-ky-hop-5.txt"
              ).read_text(encoding="utf-8")
    rows: list[list[str]] = []
    for line in pasted.splitlines():
        if line.startswith("|---"):
            continue
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows and line.strip(" |"):
            rows[-1][-1] += "\n" + line.strip(" |")
    return pasted, rows


def test_a_table_uploaded_as_xlsx_is_recorded_as_the_same_table_pasted(
        api: Caller, agencies: None) -> None:
    """Issue 16: the table saved as a workbook by a spreadsheet program (built
    here with openpyxl: a title sheet is not the first, numbers are numbers)
    is recorded with the same petitions, replies and promises as pasted."""
    from openpyxl import Workbook

    pasted, rows = _table_rows()
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([int(cell) if cell.isdigit() else cell for cell in row])
    book.create_sheet("Ghi chú").append(["Nguồn: app.hdnd.vn"])
    out = io.BytesIO()
    book.save(out)

    as_text = post_text(api, URL + "&dry_run=true", pasted)
    before = api.events()
    as_xlsx = created(post_text(api, URL, out.getvalue(), content_type=XLSX))
    assert api.events() > before
    assert as_xlsx["counts"] == as_text.json["counts"]
    assert as_xlsx["counts"]["questions"] >= 2
    assert [c["text"] for c in as_xlsx["candidates"]] == [
        c["text"] for c in as_text.json["candidates"]]
    dialogue = api.get(f"/api/v1/dialogues/{as_xlsx['dialogue_id']}").json
    assert dialogue["questions"] == as_xlsx["counts"]["questions"]


@pytest.mark.parametrize(("body", "status"), [
    (b"PK\x03\x04 not really a zip", 400),  # bytes that only look like a workbook
    ("| STT | Nội dung |\n| 1 | a |".encode(), 400),  # text sent as XLSX
])
def test_bytes_that_are_no_workbook_are_refused_and_store_nothing(
        api: Caller, body: bytes, status: int) -> None:
    before = api.events()
    error = refused(api, post_text(api, URL, body, content_type=XLSX), status, "body")
    assert "XLSX" in error["message"]
    assert api.events() == before


def test_a_workbook_with_no_table_is_refused_naming_it(api: Caller) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["chỉ một dòng"])
    out = io.BytesIO()
    book.save(out)
    before = api.events()
    refused(api, post_text(api, URL, out.getvalue(), content_type=XLSX), 422, "body")
    assert api.events() == before
