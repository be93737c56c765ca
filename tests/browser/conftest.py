"""What the browser tests share: Debian's Chromium, a live server with a
small real dataset (entered through the HTTP API), and screenshots.

Needs Debian's `chromium` package at /usr/bin/chromium (`apt-get install
chromium`; .ci/run installs it). Playwright's own downloaded browsers are never
used.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    ViewportSize,
    sync_playwright,
)
from werkzeug.serving import make_server

from api import create_app
from domain.access import Actor, Role
from service.bootstrap import build, build_queries
from service.settings import Settings
from tests.support.clock import FixedClock
from tests.support.projector import RunningProjector

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
OFFICER = "officer@syt.example.vn"
CLERK = "thu.ky@ldld.example.vn"
AUDITOR = "nga@ldld.example.vn"
PASSWORD = "mật khẩu đủ dài"


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
    # The read tables' only writer, as `commitments serve` runs one.
    projector = RunningProjector(service).start()
    try:
        made = seed(Api(url, service.issue_token(Role.ADMIN, label="browser test")))
        service.create_account(OFFICER, "Trần Văn B", Role.AGENCY, "SYT", PASSWORD,
                               Actor(Role.ADMIN))
        service.create_account(CLERK, "Lê Thu Hà", Role.ADMIN, None, PASSWORD,
                               Actor(Role.ADMIN))
        service.create_account(AUDITOR, "Nông Thị Nga", Role.AUDITOR, None, PASSWORD,
                               Actor(Role.ADMIN))
        # The seed wrote without a browser: its pages read it once applied.
        projector.settle()
        yield Site(url, made)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        projector.close()
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


def sign_in(page: Page, site: Site, email: str) -> None:
    page.goto(f"{site.url}/workspace/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


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


