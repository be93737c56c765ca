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
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from babel.dates import format_date
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)
from werkzeug.serving import make_server

from api import create_app
from domain.access import Role
from service.bootstrap import build, build_queries
from service.settings import Settings
from tests.support.clock import FixedClock

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=900)

TODAY = date(2024, 9, 1)
HELD_ON = date(2024, 5, 10)
# Before the promise kept on time was fulfilled (2024-07-15), and before the
# review promise fell overdue (due 2024-07-09).
PAST = date(2024, 7, 1)

HEALTH = "Sở Y tế"
SCHOOLS = "Sở Giáo dục và Đào tạo"
LABOUR = "Sở Lao động - Thương binh và Xã hội"
DIALOGUE = "Hội nghị đối thoại với công nhân, viên chức, lao động năm 2024"
KEPT = "Hỗ trợ đoàn viên khó khăn trước ngày 01/8/2024"
OVERDUE = "Sẽ xem xét, nghiên cứu, kiến nghị với cấp có thẩm quyền về phụ cấp."
PENDING = "Bổ sung biên chế kế toán trường học trong năm 2024"


@dataclass(frozen=True)
class Site:
    url: str
    commitments: dict[str, str]


class Api:
    """The HTTP API of the live server, with the secretariat's token."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def post(self, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        response = self.session.post(f"{self.base}/api/v1{path}", json=body, timeout=10)
        assert response.status_code == status, (path, response.status_code, response.text)
        found: dict[str, Any] = response.json()
        return found


def seed(api: Api) -> dict[str, str]:
    """Three agencies, a dialogue with three questions (one unanswered), two
    answers and three promises: one kept on time, one overdue, one pending."""
    api.post("/agencies", {"code": "SYT", "name": HEALTH})
    api.post("/agencies", {"code": "SGDDT", "name": SCHOOLS})
    api.post("/agencies", {"code": "SLDTBXH", "name": LABOUR})
    dialogue = api.post("/dialogues", {"title": DIALOGUE, "held_on": HELD_ON.isoformat(),
                                       "place": "Hội trường UBND tỉnh",
                                       "chair": "Chủ tịch UBND tỉnh"})["id"]

    def ask(name: str, text: str, *agencies: str) -> str:
        body = {"asker": {"name": name}, "text": text, "addressed_to": list(agencies)}
        return str(api.post(f"/dialogues/{dialogue}/questions", body)["id"])

    allowance = ask("Bà Nông Thị Nga", "Đề nghị cho biết chế độ phụ cấp cho nhân viên y tế "
                    "thôn bản?", "SYT")
    staff = ask("Ông Đỗ Thanh Vân", "Kiến nghị bổ sung biên chế kế toán cho các trường học.",
                "SGDDT")
    ask("Bà Lò Thị Hoa", "Đề nghị hỗ trợ nhà ở cho công nhân khu công nghiệp.", "SLDTBXH")

    def answer(question: str, name: str, title: str, agency: str, text: str) -> str:
        body = {"question_ids": [question], "text": text,
                "responder": {"name": name, "title": title, "agency": agency}}
        return str(api.post("/answers", body)["id"])

    health = answer(allowance, "Ông Nguyễn Văn A", "Phó Giám đốc Sở Y tế", "SYT",
                    "Sở Y tế tiếp thu, sẽ xem xét, nghiên cứu, kiến nghị với cấp có thẩm "
                    "quyền; đồng thời hỗ trợ đoàn viên khó khăn trước ngày 01/8/2024.")
    schools = answer(staff, "Bà Trần Thị B", "Giám đốc Sở Giáo dục và Đào tạo", "SGDDT",
                     "Sở sẽ bổ sung biên chế kế toán trường học trong năm 2024.")
    made = {
        # A review promise without a date: due 60 days after the dialogue
        # (2024-07-09), never fulfilled, so overdue today.
        "overdue": api.post("/commitments", {"agency": "SYT", "kind": "review",
                                             "answer_id": health, "text": OVERDUE})["id"],
        "kept": api.post("/commitments", {"agency": "SYT", "kind": "implement",
                                          "answer_id": health, "due_on": "2024-08-01",
                                          "text": KEPT})["id"],
        "pending": api.post("/commitments", {"agency": "SGDDT", "kind": "implement",
                                             "answer_id": schools, "due_on": "2024-12-31",
                                             "text": PENDING})["id"],
    }
    api.post(f"/commitments/{made['kept']}/updates",
             {"action": "fulfil", "effective_on": "2024-07-15",
              "note": "Đã trao 120 suất hỗ trợ.",
              "evidence": [{"title": "Báo cáo số 45/BC-SYT",
                            "url": "https://example.vn/bc-45"}]}, status=200)
    api.post(f"/commitments/{made['pending']}/updates",
             {"action": "progress", "effective_on": "2024-08-15",
              "note": "Đã trình UBND tỉnh phương án bổ sung biên chế."}, status=200)
    return made


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app on a real HTTP server at 127.0.0.1 on a free port, with data in it."""
    data = tmp_path_factory.mktemp("report-site")
    service = build(Settings.from_env({"COMMITMENTS_DATA_DIR": str(data)}),
                    clock=FixedClock(TODAY))
    queries = build_queries(service)
    server = make_server("127.0.0.1", 0, create_app(service, queries), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="report-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        made = seed(Api(url, service.issue_token(Role.ADMIN, label="browser test")))
        yield Site(url, made)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        queries.close()
        service.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium; "
                    "install it with `apt-get install chromium` (Debian package `chromium`)",
                    pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A reader whose browser asks for Vietnamese; the page must say nothing
    went wrong in its console (the report runs no script and loads nothing)."""
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    context.set_default_timeout(5000)
    opened = context.new_page()
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        # Browsers ask for /favicon.ico on their own; the report has none.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            problems.append(f"{message.text} ({message.location['url']})")

    opened.on("console", console)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    yield opened
    context.close()
    assert not problems, problems


def screenshot(page: Page, request: pytest.FixtureRequest, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{request.node.name}-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


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


def test_date_picker_shows_the_report_as_it_stood(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/reports/")
    assert tile(page, ".on-time") == "1"
    page.locator("input#as_of").fill(PAST.isoformat())
    page.locator("nav.tools button[type=submit]").click()
    page.wait_for_url(re.compile(rf"as_of={PAST.isoformat()}"))
    expect(page.get_by_role("status")).to_contain_text(
        f"Báo cáo này thể hiện tình hình vào cuối ngày {long_day(PAST, 'vi')}, "
        "không phải tình hình hôm nay.")
    expect(page.locator("input#as_of")).to_have_value(PAST.isoformat())
    # On 1 July nothing had been fulfilled and nothing was overdue yet.
    assert (tile(page, ""), tile(page, ".on-time"), tile(page, ".overdue")) == ("3", "0", "0")
    page.get_by_role("link", name=HEALTH).first.click()
    # Links within the report keep the chosen date.
    page.wait_for_url(re.compile(rf"/reports/agencies/SYT\?.*as_of={PAST.isoformat()}"))
    kept = page.locator(".promise", has_text=KEPT)
    expect(kept).to_contain_text("chưa thực hiện")
    expect(kept).not_to_contain_text("Hoàn thành ngày")

    page.get_by_role("link", name="Xem báo cáo hôm nay").click()
    page.wait_for_url(re.compile(r"/reports/agencies/SYT$"))
    expect(page.locator(".promise", has_text=KEPT)).to_contain_text("đã hoàn thành")


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
