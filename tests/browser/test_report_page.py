"""The public report in a real browser: Debian's Chromium, driven by Playwright.

A live server (werkzeug, a thread of this process) serves the Flask app over an
SQLite store in a temporary directory; the data goes in through the HTTP API,
as the secretariat would enter it; then Chromium reads the report as a
newspaper reader would. Screenshots land in artifacts/browser/ at the
repository root.

Needs Debian's `chromium` package at /usr/bin/chromium (`apt-get install
chromium`; .ci/run installs it). Playwright's own downloaded browsers are never
used.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from babel.dates import format_date
from playwright.sync_api import (
    Browser,
    Page,
    expect,
)

from tests.browser.conftest import (
    DESKTOP,
    DIALOGUE,
    HEALTH,
    KEPT,
    LABOUR,
    OVERDUE,
    PAST,
    PENDING,
    PHONE,
    SCHOOLS,
    TODAY,
    Site,
    screenshot,
)

pytestmark = pytest.mark.browser


def long_day(day: date, language: str) -> str:
    return format_date(day, "long", locale=language)


def tile(page: Page, css: str) -> str:
    """The number on one scorecard tile."""
    return page.locator(f".tiles .tile{css} .n").first.inner_text().strip()


def charts_are_drawn(page: Page) -> None:
    bars = page.locator("svg#status-by-agency")
    expect(bars).to_be_visible()
    box = bars.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 20, box
    rects = bars.locator("rect")
    assert rects.count() >= 3  # one segment per status each agency has
    for n in range(rects.count()):
        rect = rects.nth(n)
        assert float(rect.get_attribute("width") or 0) > 0
        drawn = rect.bounding_box()
        assert drawn is not None and drawn["width"] > 0 and drawn["height"] > 0, drawn
    # The stylesheet colours the bands: an overdue segment is red, not black.
    overdue = bars.locator("rect.band-overdue").first
    assert overdue.evaluate("r => getComputedStyle(r).fill") == "rgb(192, 57, 43)"
    lines = page.locator("svg#made-and-fulfilled polyline")
    assert lines.count() == 2
    for n in range(2):
        assert (lines.nth(n).get_attribute("points") or "").count(",") >= 2
    box = page.locator("svg#made-and-fulfilled").bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 40, box


def test_front_page_in_vietnamese_then_english(
    page: Page, site: Site, request: pytest.FixtureRequest
) -> None:
    page.goto(f"{site.url}/reports/")
    expect(page).to_have_title(re.compile("Ai đã giữ lời"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text(
        "Cam kết tại các hội nghị đối thoại, và ai đã giữ lời")
    expect(page.get_by_role("status")).to_contain_text(
        f"Báo cáo tính đến ngày {long_day(TODAY, 'vi')}")
    # Three promises: one kept on time, one pending, one overdue.
    assert (tile(page, ""), tile(page, ".on-time"), tile(page, ".overdue")) == ("3", "1", "1")
    expect(page.locator(".tiles")).to_contain_text("quá hạn")
    league = page.locator("table#league")
    expect(league).to_contain_text(HEALTH)
    expect(league).to_contain_text(SCHOOLS)
    # The third agency was asked but made no promise: it is not in the league.
    expect(league).not_to_contain_text(LABOUR)
    dialogues = page.locator("table#dialogues")
    expect(dialogues).to_contain_text(DIALOGUE)
    expect(dialogues).to_contain_text("1 câu chưa được trả lời")
    charts_are_drawn(page)
    screenshot(page, request, "desktop")
    page.set_viewport_size(PHONE)
    # On a phone the page fits the screen: nothing scrolls sideways but the tables.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    charts_are_drawn(page)
    screenshot(page, request, "phone")

    page.get_by_role("link", name="English", exact=True).click()
    page.wait_for_url(re.compile(r"lang=en"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(
        "Promises made at public dialogues, and who kept them")
    expect(page.get_by_role("status")).to_contain_text(
        f"Report as of {long_day(TODAY, 'en')}")
    expect(page.locator(".tiles")).to_contain_text("fulfilled on time")
    expect(page.locator("table#league")).to_contain_text(HEALTH)
    expect(page.get_by_role("link", name="Tiếng Việt")).to_be_visible()
    charts_are_drawn(page)


def test_a_date_typed_day_month_year_shows_the_report_as_it_stood(browser: Browser,
                                                                  site: Site) -> None:
    """On a browser set to English (common on office PCs) the report is still
    Vietnamese, and its date is typed day/month/year, not as the browser's
    own date picker would have it (mm/dd/yyyy)."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    context.set_default_timeout(5000)
    page = context.new_page()
    page.goto(f"{site.url}/reports/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert tile(page, ".on-time") == "1"
    typed = PAST.strftime("%d/%m/%Y")
    field = page.locator("input#as_of")
    expect(field).to_have_attribute("placeholder", "dd/mm/yyyy")
    expect(field).to_have_value(TODAY.strftime("%d/%m/%Y"))
    field.fill(typed)
    page.locator("nav.tools button[type=submit]").click()
    page.wait_for_url(re.compile(r"as_of=01%2F07%2F2024"))
    expect(page.get_by_role("status")).to_contain_text(
        f"Báo cáo này thể hiện tình hình vào cuối ngày {long_day(PAST, 'vi')}, "
        "không phải tình hình hôm nay.")
    expect(page.locator("input#as_of")).to_have_value(typed)
    # On 1 July nothing had been fulfilled and nothing was overdue yet.
    assert (tile(page, ""), tile(page, ".on-time"), tile(page, ".overdue")) == ("3", "0", "0")
    page.get_by_role("link", name=HEALTH).first.click()
    # Links within the report keep the chosen date.
    page.wait_for_url(re.compile(r"/reports/agencies/SYT\?.*as_of=01(%2F|/)07(%2F|/)2024"))
    kept = page.locator(".promise", has_text=KEPT)
    expect(kept).to_contain_text("chưa thực hiện")
    expect(kept).not_to_contain_text("Hoàn thành ngày")

    page.get_by_role("link", name="Xem báo cáo hôm nay").click()
    page.wait_for_url(re.compile(r"/reports/agencies/SYT$"))
    expect(page.locator(".promise", has_text=KEPT)).to_contain_text("đã hoàn thành")
    context.close()


def test_agency_and_commitment_pages(
    page: Page, site: Site, request: pytest.FixtureRequest
) -> None:
    page.goto(f"{site.url}/reports/")
    page.locator("table#league").get_by_role("link", name=HEALTH).click()
    page.wait_for_url(re.compile(r"/reports/agencies/SYT$"))
    expect(page.locator("h1")).to_have_text(HEALTH)
    expect(page.locator("main")).to_contain_text("Các cam kết, hạn gần nhất trước")
    overdue = page.locator(".promise", has_text=OVERDUE)
    # Due 2024-07-09, today 2024-09-01: 54 days late.
    expect(overdue.locator(".badge.overdue")).to_have_text(re.compile(r"quá hạn · 54 ngày"))
    expect(page.locator("svg#made-and-fulfilled polyline")).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text(PENDING)  # another agency's

    page.get_by_role("link", name=KEPT).click()
    page.wait_for_url(re.compile(rf"/reports/commitments/{site.commitments['kept']}$"))
    main = page.locator("main")
    expect(page.locator("h1")).to_have_text(KEPT)
    expect(page.locator("main .badge.fulfilled")).to_have_text("đã hoàn thành")
    fulfilled_on = main.locator("tr", has=page.locator("th", has_text="Hoàn thành ngày"))
    expect(fulfilled_on.locator("td")).to_have_text(long_day(date(2024, 7, 15), "vi"))
    expect(main).to_contain_text(HEALTH)
    expect(main).to_contain_text(DIALOGUE)
    expect(main).to_contain_text("Bà Nông Thị Nga")
    expect(main).to_contain_text("Phó Giám đốc Sở Y tế")
    expect(main.locator("ol.timeline")).to_contain_text("Đưa ra cam kết")
    expect(main.locator("ol.timeline")).to_contain_text("Báo cáo đã hoàn thành")
    report = main.locator("table").get_by_role("link", name="Báo cáo số 45/BC-SYT")
    expect(report).to_have_attribute("href", "https://example.vn/bc-45")
    page.set_viewport_size(PHONE)
    screenshot(page, request, "phone")
