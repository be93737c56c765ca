"""The staff workspace in a real browser: an officer signs in, finds the
overdue promise at the top of their list, reports progress on it with
evidence, and sees the report in its history."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.api.test_imports import SAMPLE
from tests.browser.conftest import (
    AUDITOR,
    CLERK,
    DIALOGUE,
    HELD_ON,
    KEPT,
    OFFICER,
    OVERDUE,
    PASSWORD,
    PENDING,
    PHONE,
    Site,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser


def test_an_officer_reports_progress_on_an_overdue_promise(
    page: Page, site: Site, request: pytest.FixtureRequest
) -> None:
    page.goto(f"{site.url}/workspace/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.fill("#email", OFFICER)
    page.fill("#password", "sai mật khẩu rồi")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#sign-in-error")).to_contain_text("không khớp")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("heading", name="Các cam kết của SYT")).to_be_visible()
    rows = page.locator("table#commitments tbody tr")
    expect(rows.first).to_contain_text(OVERDUE)
    expect(rows.first).to_contain_text("quá hạn · 54 ngày")
    expect(page.locator("table#commitments")).not_to_contain_text(PENDING)  # not SYT's
    page.set_viewport_size(PHONE)
    screenshot(page, request, "home-phone")

    rows.first.get_by_role("link").click()
    page.select_option("#action", "progress")
    page.fill("#note", "Đã họp với Phòng Y tế các huyện về phụ cấp.")
    page.fill("#evidence_title", "Công văn 12/SYT-TCCB")
    page.fill("#evidence_url", "https://syt.example.vn/cv-12")
    page.get_by_role("button", name="Lưu").click()

    expect(page.locator("#saved")).to_be_visible()
    history = page.locator("ol.timeline")
    expect(history).to_contain_text("Báo cáo tiến độ")
    expect(history).to_contain_text("Đã họp với Phòng Y tế các huyện về phụ cấp.")
    expect(history.get_by_role("link", name="Công văn 12/SYT-TCCB")).to_have_attribute(
        "href", "https://syt.example.vn/cv-12")
    screenshot(page, request, "commitment-phone")

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()


def test_the_secretariat_imports_a_transcript_and_confirms_a_candidate(
    page: Page, site: Site, request: pytest.FixtureRequest
) -> None:
    sign_in(page, site, CLERK)
    page.locator("nav.tools").get_by_role("link", name="Các hội nghị đối thoại").click()
    expect(page.locator("table#dialogues")).to_contain_text(DIALOGUE)
    form = page.locator("#import-form")
    form.locator("#import-title").fill("Đối thoại Chủ tịch UBND tỉnh với CNVCLĐ 2024")
    form.locator("#import-held_on").fill(HELD_ON.isoformat())
    form.locator("#import-transcript").set_input_files(str(SAMPLE))
    form.get_by_role("button", name="Nhập").click()

    expect(page.locator("#saved")).to_be_visible()
    # Unanswered questions stand out; each candidate sits in its answer.
    expect(page.locator("li.question.unanswered").first).to_contain_text("Chưa được trả lời")
    left = int(page.locator("#candidates-left").inner_text())
    assert left >= 5
    candidate = page.locator(".promise.candidate").first
    quote = candidate.locator("p").first.inner_text()
    expect(candidate.locator("xpath=..").locator("mark").first).to_be_visible()
    screenshot(page, request, "imported")
    candidate.get_by_role("button", name="Xác nhận là cam kết").click()

    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#candidates-left")).to_have_text(str(left - 1))
    confirmed = page.locator(".promise", has_text=quote).first
    expect(confirmed).not_to_have_class(re.compile(r"\bcandidate\b"))
    expect(confirmed.locator(".badge")).not_to_contain_text("chờ xác nhận")
    screenshot(page, request, "confirmed")


def test_an_auditor_disputes_a_claim(
    page: Page, site: Site, request: pytest.FixtureRequest
) -> None:
    sign_in(page, site, AUDITOR)
    page.get_by_role("link", name="Báo cáo chờ đánh giá").click()
    claims = page.locator("table#claims")
    expect(claims).to_contain_text(KEPT)
    expect(claims.get_by_role("link", name="Báo cáo số 45/BC-SYT")).to_be_visible()
    claims.get_by_role("link", name=KEPT).click()

    page.check("input[name=verdict][value=disputed]")
    page.fill("#verdict-note", "Chưa đủ 120 suất: danh sách mới có 80 người.")
    screenshot(page, request, "verdict-form")
    page.locator("#verdict-form").get_by_role("button", name="Lưu").click()

    expect(page.locator("#saved")).to_be_visible()
    history = page.locator("ol.timeline")
    expect(history).to_contain_text("Chưa đủ 120 suất: danh sách mới có 80 người.")
    page.get_by_role("link", name="Báo cáo chờ đánh giá").click()
    expect(page.locator("table#claims")).not_to_contain_text(KEPT)
    page.get_by_role("link", name="Quá hạn và bị phản bác").click()
    expect(page.locator("table#promises")).to_contain_text(OVERDUE)
    page.get_by_role("link", name="Bị phản bác", exact=True).click()
    expect(page.locator("table#promises")).to_contain_text(KEPT)
    screenshot(page, request, "disputed-list")


def test_an_officer_asks_for_more_time_and_an_auditor_approves(
    page: Page, site: Site, request: pytest.FixtureRequest
) -> None:
    """Last in this module: it moves the overdue promise's date."""
    sign_in(page, site, OFFICER)
    page.locator("table#commitments tbody tr").first.get_by_role("link").click()
    page.select_option("#action", "extend")
    page.fill("#new_due_on", "2024-12-31")
    page.fill("#note", "Chờ ý kiến của Bộ Y tế về định mức phụ cấp.")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#saved")).to_contain_text("thời hạn giữ nguyên")
    expect(page.locator("#extension-request")).to_contain_text("đang chờ công đoàn quyết định")
    screenshot(page, request, "requested")
    page.get_by_role("button", name="Đăng xuất").click()

    sign_in(page, site, AUDITOR)
    page.get_by_role("link", name="Báo cáo chờ đánh giá").click()
    requests = page.locator("table#requests")
    expect(requests).to_contain_text("Chờ ý kiến của Bộ Y tế về định mức phụ cấp.")
    screenshot(page, request, "queue")
    requests.get_by_role("link", name=OVERDUE).click()
    page.check("input[name=decision][value=approve]")
    page.locator("#decision-form").get_by_role("button", name="Lưu").click()
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#extension-request")).to_have_count(0)
    history = page.locator("ol.timeline")
    expect(history).to_contain_text("Xin gia hạn")
    expect(history).to_contain_text("Quyết định về đề nghị gia hạn: chấp thuận")
    screenshot(page, request, "approved")
