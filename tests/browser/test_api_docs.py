"""The API documentation in a real browser: Swagger UI draws every route
from the generated document, with nothing loaded from elsewhere."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import Site, screenshot

pytestmark = pytest.mark.browser


def test_swagger_ui_draws_the_api_from_this_server_alone(
    page: Page, site: Site, request: pytest.FixtureRequest
) -> None:
    asked: list[str] = []

    def seen(sent: Request) -> None:
        asked.append(sent.url)

    page.on("request", seen)
    page.goto(f"{site.url}/api/v1/docs")
    # The page fixture fails the test on any console error, a refusal by the
    # page's Content-Security-Policy included.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Commitments accountability service")
    page.locator("#operations-tag-commitments").click()
    route = page.locator(".opblock-summary-path",
                         has_text="/api/v1/commitments/{commitment_id}/updates").first
    expect(route).to_be_visible()
    route.click()
    # Its request body, drawn from the same schema that validates it.
    expect(page.locator(".opblock-body").first).to_contain_text("effective_on")
    screenshot(page, request, "swagger-ui")
    assert asked, "the page asked for nothing"
    elsewhere = [url for url in asked
                 if not url.startswith(site.url + "/") and not url.startswith("data:")]
    assert elsewhere == []
    assert f"{site.url}/api/v1/openapi.json" in asked
