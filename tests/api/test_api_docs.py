"""Swagger UI at /api/v1/docs: every asset it loads comes from this server."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from tests.api.conftest import Caller


class Links(HTMLParser):
    """Every address the page refers to: src and href attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("src", "href") and value]


def test_the_docs_page_loads_only_same_origin_assets(api: Caller) -> None:
    anyone = api.as_(None)
    page = anyone.get("/api/v1/docs")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.data.decode()
    links = Links()
    links.feed(html)
    # The document Swagger UI draws, named in the page's script.
    [document] = re.findall(r'\burl: "([^"]+)"', html)
    assert document == "/api/v1/openapi.json"
    assets = links.found
    assert {a.rsplit("/", 1)[-1] for a in assets} >= {
        "swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"}
    for address in [*assets, document]:
        parts = urlsplit(address)
        assert not parts.scheme and not parts.netloc, f"{address} is not on this server"
        assert address.startswith("/"), address
        served = anyone.get(address)
        assert served.status_code == 200, address
        assert served.data, address
    # The browser refuses anything from elsewhere, and Swagger UI sends the
    # document to no outside validator.
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "https:" not in policy and "*" not in policy
    assert '"validatorUrl": null' in html


def test_only_the_assets_folder_is_served(api: Caller) -> None:
    anyone = api.as_(None)
    assert anyone.get("/api/v1/docs/no-such.js").status_code == 404
    # Files beside the assets folder, in the package that ships it.
    for outside in ("../flask_swagger_ui.py", "..%2F__init__.py", "%2E%2E%2FLICENSE"):
        assert anyone.get(f"/api/v1/docs/{outside}").status_code == 404, outside
