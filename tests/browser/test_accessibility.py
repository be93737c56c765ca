"""Accessibility kept, not hoped for: axe-core (vendored, tests/browser/vendor)
runs inside every public page and every workspace page each role sees, at a
phone's width. Each page is visited once: its WCAG 2.1 AA audit, its width on
a 390 px screen and its screenshot (artifacts/browser/) together.

Then the keyboard alone: a reader signs in, reports on a promise and opens a
folded answer with Tab, Enter and Space, and every control shows where the
focus is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    AUDITOR,
    CLERK,
    OFFICER,
    PASSWORD,
    PHONE,
    Site,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA: what the service promises its readers.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

AUDIT = """async tags => {
  const found = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                         resultTypes: ['violations']});
  // Rules that found nothing to look at pass nothing: an empty page would.
  if (!found.passes.length) return ['axe checked nothing'];
  return found.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ${v.help}: ` +
              v.nodes.slice(0, 6).map(n => n.target.join(' ') + ' ' +
                                      (n.any[0] ? n.any[0].message : '')).join(' | '));
}"""

# What a page must hold on a phone, beside axe's rules: nothing wider than the
# screen but a table's own scroller, which a keyboard can reach and a screen
# reader names; a form's fields one under the other.
LAYOUT = """() => {
  const found = [];
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth) found.push(`the page is ${width} px wide`);
  for (const table of document.querySelectorAll('table')) {
    const box = table.closest('.scroll');
    if (!box || box.getAttribute('tabindex') !== '0' || box.getAttribute('role') !== 'region'
        || !(box.getAttribute('aria-label') || box.getAttribute('aria-labelledby')))
      found.push(`table ${table.id || '?'} is not in a named, focusable scroller`);
  }
  for (const form of document.querySelectorAll('form')) {
    // A table of fields (an agency's contacts) scrolls as tables do.
    const fields = [...form.querySelectorAll('input:not([type=hidden]):not([type=radio])' +
                                             ':not([type=checkbox]), select, textarea')]
      .filter(f => f.offsetParent !== null && !f.closest('table'));
    // Side by side: two fields on one line (a fieldset's indent is no column).
    const boxes = fields.map(f => f.getBoundingClientRect());
    const shared = boxes.some((a, i) => boxes.slice(i + 1).some(
      b => a.top < b.bottom - 1 && b.top < a.bottom - 1));
    if (shared) found.push(`form ${form.id || '?'} has fields side by side`);
  }
  return found;
}"""


def check(page: Page, request: pytest.FixtureRequest, url: str, name: str,
          drawn: str = "main") -> list[str]:
    """Open one page at a phone's width: what is wrong with it, if anything.
    `drawn` is what shows once the page is whole."""
    page.goto(url)
    expect(page.locator(drawn).first).to_be_visible()
    found: list[str] = page.evaluate(AUDIT, TAGS) + page.evaluate(LAYOUT)
    screenshot(page, request, name)
    return [f"{name} ({page.url}): {problem}" for problem in found]


def phone(page: Page) -> Page:
    page.set_viewport_size(PHONE)
    # Injected by the browser before the page's own scripts: the pages'
    # Content-Security-Policy forbids inline scripts, and rightly.
    page.context.add_init_script(path=str(AXE))
    return page


def href(page: Page, css: str) -> str:
    found = page.locator(css).first.get_attribute("href")
    assert found, css
    return found


MEASURES = ("Sở Lao động - Thương binh và Xã hội tiếp thu ý kiến và xin trả lời như sau:\n"
            "1. Về nhà ở cho công nhân: Sở đã phối hợp với Sở Xây dựng rà soát\n"
            "quỹ đất tại các khu công nghiệp.\n"
            "2. Về giá thuê: Sở sẽ kiến nghị UBND tỉnh hỗ trợ tiền thuê nhà\n"
            "cho công nhân có thu nhập thấp.\n"
            "3. Về nhà trẻ: Sở sẽ phối hợp với Liên đoàn Lao động tỉnh.\n\n"
            + "\n\n".join(f"Đoạn {n}: " + "Sở tiếp tục theo dõi, tổng hợp ý kiến. " * 8
                          for n in range(1, 4)))


def test_an_answer_keeps_its_measures_as_a_list_and_folds(
    page: Page, site: Site, request: pytest.FixtureRequest
) -> None:
    """First in this module: the pages audited below hold a long answer."""
    sign_in(page, site, CLERK)
    page.goto(f"{site.url}/workspace/dialogues")
    page.goto(site.url + href(page, "table#dialogues a"))
    form = page.locator("#answer-form")
    form.locator("label", has_text="Bà Lò Thị Hoa").locator("input").check()
    form.locator("#a-responder_name").fill("Ông Hoàng Văn C")
    form.locator("#a-responder_agency").select_option("SLDTBXH")
    form.locator("#a-text").fill(MEASURES)
    form.get_by_role("button", name="Ghi câu trả lời").click()
    expect(page.locator("#saved")).to_be_visible()
    answer = page.locator("li.answer", has_text="Về nhà ở cho công nhân")
    expect(answer.locator("ol > li")).to_have_count(3)
    # A promise from it: its page shows the officer the whole answer, folded.
    form = page.locator("#commitment-form")
    option = form.locator("#m-answer_id option", has_text="Ông Hoàng Văn C")
    form.locator("#m-answer_id").select_option(option.get_attribute("value"))
    form.locator("#m-agency").select_option("SLDTBXH")
    form.locator("#m-text").fill("Sở sẽ kiến nghị UBND tỉnh hỗ trợ tiền thuê nhà")
    form.get_by_role("button", name="Ghi lời hứa").click()
    expect(page.locator("#saved")).to_be_visible()
    page.locator(".promise", has_text="hỗ trợ tiền thuê nhà").get_by_role(
        "link", name="Mở trang cam kết").click()
    said = page.locator("blockquote#answer")
    expect(said.locator("ol > li")).to_have_count(3)
    expect(said.locator("details.more summary")).to_have_text("xem thêm")

    page.goto(f"{site.url}/reports/")
    page.goto(site.url + href(page, "table#dialogues a"))
    answer = page.locator("blockquote", has_text="Về nhà ở cho công nhân")
    measures = answer.locator("ol > li")
    expect(measures).to_have_count(3)
    # A measure hard-wrapped over two lines is one item, whole.
    expect(measures.nth(1)).to_have_text("Về giá thuê: Sở sẽ kiến nghị UBND tỉnh hỗ trợ tiền thuê "
                                         "nhà cho công nhân có thu nhập thấp.")
    more = answer.locator("details.more")
    expect(more.locator("summary")).to_have_text("xem thêm")
    expect(answer.get_by_text("Đoạn 3:")).to_be_hidden()
    page.set_viewport_size(PHONE)
    screenshot(page, request, "folded")
    more.locator("summary").click()
    expect(answer.get_by_text("Đoạn 3:")).to_be_visible()
    expect(answer).not_to_contain_text("…")


def test_public_pages(page: Page, site: Site, request: pytest.FixtureRequest) -> None:
    phone(page)
    problems = check(page, request, f"{site.url}/reports/", "front")
    dialogue = href(page, "table#dialogues a")
    problems += check(page, request, f"{site.url}{dialogue}", "dialogue")
    problems += check(page, request, f"{site.url}/reports/agencies/SYT", "agency")
    problems += check(page, request, f"{site.url}/reports/commitments/{site.commitments['kept']}",
                      "commitment")
    problems += check(page, request, f"{site.url}/reports/?lang=en", "front-en")
    problems += check(page, request, f"{site.url}/workspace/sign-in", "sign-in")
    problems += check(page, request, f"{site.url}/api/v1/docs", "api-docs",
                      drawn=".swagger-ui .info .title")
    assert not problems, "\n".join(problems)


def test_error_pages(browser: Browser, site: Site, request: pytest.FixtureRequest) -> None:
    """Pages that answer 404: the browser's console rightly says so, which the
    `page` fixture counts as a fault, so these get a reader of their own."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    try:
        page = phone(context.new_page())
        problems = check(page, request, f"{site.url}/reports/agencies/NONE", "report")
        sign_in(page, site, CLERK)
        problems += check(page, request, f"{site.url}/workspace/commitments/{uuid4()}",
                          "workspace")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


# Every workspace page each role reaches, signed in.
HOME = ("home", "/workspace/")
ROLES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "officer": (OFFICER, [HOME, ("overdue", "/workspace/commitments/{overdue}"),
                          ("fulfilled", "/workspace/commitments/{kept}")]),
    "secretariat": (CLERK, [HOME, ("dialogues", "/workspace/dialogues"),
                            ("dialogue", "{dialogue}"),
                            ("agencies", "/workspace/agencies"),
                            ("agency", "/workspace/agencies/SYT"),
                            ("accounts", "/workspace/accounts"),
                            ("reports-before-publication", "/workspace/published-reports"),
                            ("claims", "/workspace/claims"),
                            ("overdue", "/workspace/lists/overdue"),
                            ("disputed", "/workspace/lists/disputed"),
                            ("pending", "/workspace/commitments/{pending}")]),
    "auditor": (AUDITOR, [HOME, ("claims", "/workspace/claims"),
                          ("overdue", "/workspace/lists/overdue"),
                          ("fulfilled", "/workspace/commitments/{kept}")]),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_workspace_pages(page: Page, site: Site, request: pytest.FixtureRequest,
                         role: str) -> None:
    email, paths = ROLES[role]
    phone(page)
    sign_in(page, site, email)
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    problems: list[str] = []
    for name, path in paths:
        if path == "{dialogue}":
            page.goto(f"{site.url}/workspace/dialogues")
            path = href(page, "table#dialogues a")
        problems += check(page, request, site.url + path.format(**site.commitments), name)
    assert not problems, "\n".join(problems)


def focused(page: Page) -> dict[str, Any]:
    """The element with the focus: its id, its name and how its outline looks."""
    found: dict[str, Any] = page.evaluate("""() => {
      const el = document.activeElement, style = getComputedStyle(el);
      return {id: el.id, tag: el.tagName.toLowerCase(), text: el.innerText || el.value || '',
              outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
    }""")
    return found


def tab_to(page: Page, wanted: str, most: int = 40) -> dict[str, Any]:
    """Tab until the element `wanted` (an id, or a tag:text) has the focus; each
    control passed on the way must show that it has it."""
    for _ in range(most):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["outline"], f"no visible focus on {now}"
        if wanted in (now["id"], f"{now['tag']}:{now['text'].strip()}"):
            return now
    raise AssertionError(f"{wanted} never had the focus in {most} tabs")


def test_keyboard_alone(page: Page, site: Site, request: pytest.FixtureRequest) -> None:
    page.goto(f"{site.url}/workspace/sign-in")
    tab_to(page, "email")
    page.keyboard.type(OFFICER)
    tab_to(page, "password")
    page.keyboard.type(PASSWORD)
    tab_to(page, "button:Đăng nhập")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Các cam kết của SYT")).to_be_visible()

    page.goto(f"{site.url}/workspace/commitments/{site.commitments['overdue']}")
    tab_to(page, "action")
    # A select changes with the arrows, as a keyboard user chooses.
    for _ in range(8):
        if page.locator("#action").input_value() == "progress":
            break
        page.keyboard.press("ArrowDown")
    expect(page.locator("#action")).to_have_value("progress")
    tab_to(page, "note")
    page.keyboard.type("Đã gửi công văn xin ý kiến Bộ Y tế.")
    tab_to(page, "button:Lưu")
    screenshot(page, request, "focus-on-save")
    page.keyboard.press("Space")
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("ol.timeline")).to_contain_text("Đã gửi công văn xin ý kiến Bộ Y tế.")

    # The public dialogue page: a long answer opens from the keyboard.
    page.goto(f"{site.url}/reports/")
    page.goto(site.url + href(page, "table#dialogues a"))
    more = page.locator("details.more").first
    expect(more).not_to_have_attribute("open", "")
    tab_to(page, "summary:xem thêm", most=80)
    page.keyboard.press("Enter")
    expect(more).to_have_attribute("open", "")
