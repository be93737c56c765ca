"""Whose service it is: ORGANISATION_NAME and the logo in the data folder on
the report, the workspace and its sign-in page."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from api import create_app
from service.bootstrap import build, build_queries
from service.settings import Settings
from tests.support.clock import FixedClock

ORGANISATION = "Liên đoàn Lao động tỉnh Bắc Kạn"
# A 1x1 PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwAD"
                       "hgGAWjR9awAAAABJRU5ErkJggg==")


def _client(settings: Settings, clock: FixedClock) -> Iterator[FlaskClient]:
    service = build(settings, clock=clock)
    queries = build_queries(service)
    yield create_app(service, queries).test_client()
    queries.close()
    service.close()


@pytest.fixture
def named(settings: Settings, clock: FixedClock) -> Iterator[FlaskClient]:
    (settings.data_dir / "logo.png").write_bytes(PNG)
    yield from _client(replace(settings, organisation_name=ORGANISATION), clock)


@pytest.fixture
def unnamed(settings: Settings, clock: FixedClock) -> Iterator[FlaskClient]:
    yield from _client(settings, clock)


def test_the_report_and_the_workspace_say_whose_they_are(named: FlaskClient) -> None:
    report = named.get("/reports/").data.decode()
    assert f'<span id="organisation">{ORGANISATION}</span>' in report
    assert f"Báo cáo này do {ORGANISATION} công bố." in report
    assert f" · {ORGANISATION}</title>" in report
    assert '<img src="/logo?v=' in report
    sign_in = named.get("/workspace/sign-in").data.decode()
    assert f'<span id="organisation">{ORGANISATION}</span>' in sign_in
    assert f"Trang làm việc của {ORGANISATION}" in sign_in
    logo = named.get("/logo")
    assert logo.status_code == 200 and logo.data == PNG
    assert logo.headers["Content-Type"] == "image/png"
    assert "sandbox" in logo.headers["Content-Security-Policy"]
    # The report's JSON says whose it is, as its page does.
    assert named.get("/reports/?format=json").json["publisher"] == ORGANISATION


def test_without_a_name_or_a_logo_nothing_is_claimed(unnamed: FlaskClient) -> None:
    report = unnamed.get("/reports/").data.decode()
    assert 'class="organisation"' not in report and "published-by" not in report
    assert unnamed.get("/logo").status_code == 404
    assert unnamed.get("/reports/?format=json").json["publisher"] is None


def test_the_name_is_read_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path),
                                  "ORGANISATION_NAME": f"  {ORGANISATION}\n"})
    assert settings.organisation_name == ORGANISATION
    # The Word and PDF reports' issuer, in capitals as Decree 30 writes it.
    assert settings.documents.issuer == "LIÊN ĐOÀN LAO ĐỘNG TỈNH BẮC KẠN"
    assert Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path),
                              "ORGANISATION_NAME": ORGANISATION,
                              "REPORT_ISSUER": "CÔNG ĐOÀN NGÀNH Y TẾ"}
                             ).documents.issuer == "CÔNG ĐOÀN NGÀNH Y TẾ"
    assert settings.logo() is None
    (tmp_path / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    assert settings.logo() == tmp_path.resolve() / "logo.svg"
