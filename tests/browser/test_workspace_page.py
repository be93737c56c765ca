"""The staff workspace in a real browser: an officer signs in, finds the
overdue promise at the top of their list, reports progress on it with
evidence, and sees the report in its history."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import OFFICER, OVERDUE, PASSWORD, PENDING, PHONE, Site, screenshot

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
