"""Old logs load in every later version.

`tests/fixtures/upgrade/v1` is an embedded store written by commit 1fdfff8
(see make_store.py there): dialogues, an import, commitments in every status,
verdicts, reminders sent and failed, tokens, accounts. An installation that
upgrades keeps such a store; these tests open a copy of it with today's code.
Event classes change through `class_version` and upcasters, or new classes,
never by changing what an old event means: if a change breaks these tests,
the change is what is wrong, not the fixture, which is never rewritten.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from api import create_app
from api.cli import main
from domain.access import Actor, Role
from domain.asker import FeedbackVerdict
from domain.commitment import Commitment
from domain.follow import Followed, follow_id
from service.application import Commitments
from service.asker import links
from service.bootstrap import build, build_queries
from service.follows import Follows
from service.integrity import audit, stored_events
from service.published_reports import PublishedReports
from service.queries import Queries
from service.settings import Settings
from service.signed_links import FeedbackLink
from tests.api.conftest import sign_in
from tests.support.clock import FixedClock

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upgrade"
STORES = sorted(p for p in FIXTURES.iterdir() if (p / "manifest.json").is_file())
# Later than anything in the fixture, so every promise has a state to report.
TODAY = date(2025, 6, 1)


@dataclass
class Upgraded:
    folder: Path
    manifest: dict[str, Any]
    app: Commitments
    queries: Queries
    client: FlaskClient

    def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.get(path, query_string=params, headers=headers)


def _copy(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("events.sqlite3", "readmodel.sqlite3"):
        shutil.copyfile(source / name, target / name)


@pytest.fixture(params=STORES, ids=[p.name for p in STORES])
def upgraded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Upgraded]:
    source: Path = request.param
    _copy(source, tmp_path)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    settings = Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path)})
    app = build(settings, clock=FixedClock(TODAY))
    queries = build_queries(app)
    # Up to date before anyone reads, as `serve`'s projector leaves them.
    queries.catch_up()
    client = create_app(app, queries).test_client()
    yield Upgraded(tmp_path, manifest, app, queries, client)
    queries.close()
    app.close()


def test_there_is_a_fixture() -> None:
    assert [p.name for p in STORES][:1] == ["v1"]


def test_every_aggregate_of_the_old_log_loads(upgraded: Upgraded) -> None:
    log = list(stored_events(upgraded.app.recorder))
    assert len(log) == upgraded.manifest["events"]
    ids = {n.originator_id for n in log}
    assert len(ids) == upgraded.manifest["aggregates"]
    for aggregate_id in ids:
        found = upgraded.app.repository.get(aggregate_id)
        assert found.id == aggregate_id


def test_commitments_mean_what_they_meant(upgraded: Upgraded) -> None:
    for name, expected in upgraded.manifest["commitments"].items():
        commitment = upgraded.app.get(UUID(upgraded.manifest["ids"]["commitments"][name]))
        assert isinstance(commitment, Commitment)
        found = {
            "status": commitment.status.value, "agency": commitment.agency,
            "due_on": commitment.due_on.isoformat(), "made_on": commitment.made_on.isoformat(),
            "verdict": commitment.verdict.value if commitment.verdict else None,
            "version": commitment.version, "text": commitment.text,
            "fulfilled_on": (commitment.fulfilled_on.isoformat()
                             if commitment.fulfilled_on else None),
            "reminders_sent": commitment.times_reminded,
            "transferred_to": (str(commitment.transferred_to)
                               if commitment.transferred_to else None),
        }
        assert found == expected, name


def test_the_hash_chain_still_verifies(upgraded: Upgraded) -> None:
    upgraded.queries.catch_up()
    verdict = audit(upgraded.app, upgraded.queries.view)
    assert verdict.ok, verdict
    assert (verdict.head, verdict.events) == (upgraded.manifest["audit_head"],
                                             upgraded.manifest["events"])
    upgraded.queries.close()
    upgraded.app.close()
    result = CliRunner().invoke(main, ["audit", "verify"],
                                env={"COMMITMENTS_DATA_DIR": str(upgraded.folder),
                                     "PERSISTENCE_MODULE": "eventsourcing.sqlite"})
    assert result.exit_code == 0, result.output
    assert upgraded.manifest["audit_head"] in result.output


def test_old_tokens_and_passwords_still_open_what_they_did(upgraded: Upgraded) -> None:
    tokens = upgraded.manifest["tokens"]
    roles = {name: upgraded.app.authenticate(secret) for name, secret in tokens.items()}
    assert roles.pop("revoked") is None
    assert {name: (found[0].role, found[0].agency) for name, found in roles.items()
            if found is not None} == {
        "admin": (Role.ADMIN, None), "agency_syt": (Role.AGENCY, "SYT"),
        "agency_sgddt": (Role.AGENCY, "SGDDT"), "auditor": (Role.AUDITOR, None)}
    for email, password in upgraded.manifest["passwords"].items():
        assert upgraded.app.sign_in(email, password) is not None, email
        # The old scrypt hash was replaced on that sign-in; the password stays.
        assert upgraded.app.account(email).password_hash.startswith("$argon2id$"), email
        assert upgraded.app.sign_in(email, password) is not None, email
    assert upgraded.app.sign_in("cu@syt.example.vn", "mật khẩu đủ dài 4") is None  # disabled


def _unpublished(manifest: dict[str, Any]) -> set[str]:
    """Candidates never confirmed: not promises, so no page of their own."""
    return {manifest["ids"]["commitments"][name] for name, c in manifest["commitments"].items()
            if c["status"] in ("proposed", "rejected")}


def _values(manifest: dict[str, Any], app: Commitments) -> dict[str, list[str]]:
    ids = manifest["ids"]
    commitments = list(ids["commitments"].values())
    successors = [c["transferred_to"] for c in manifest["commitments"].values()
                  if c["transferred_to"]]
    return {
        "commitment_id": commitments + successors,
        "dialogue_id": [ids["dialogue"], ids["imported_dialogue"]],
        "question_id": ids["questions"],
        "code": manifest["agencies"],
        "which": ["overdue", "disputed"],
        "form": ["csv", "xlsx"],  # the workspace lists' downloads
        "name": ["swagger-ui.css", "swagger-ui-bundle.js"],  # the API docs' assets
        "token": _asker_links(app, commitments),
        "report_id": [_published_report(app)],
        **_follow_links(app),
    }


def _follow_links(app: Commitments) -> dict[str, list[str]]:
    """A follow asked for on the old log, and the links of its mails (issue 18)."""
    Follows(app).request(client="upgrade", email="doc.gia@example.vn", kind=Followed.AGENCY,
                         target="SYT")
    follow = follow_id("doc.gia@example.vn", Followed.AGENCY, "SYT")
    return {"signed": [links(app).sign("follow-confirm", {"f": str(follow), "n": 1})],
            "stop": [links(app).sign("follow-end", {"f": str(follow)})]}


def _published_report(app: Commitments) -> str:
    """A report opened and published on the old log (issue 18)."""
    queries = build_queries(app)
    try:
        reports = PublishedReports(app, queries)
        report = reports.open(Actor(Role.ADMIN), "Báo cáo trên sổ cũ", TODAY, 0)
        return str(reports.publish(Actor(Role.ADMIN), report.id).id)
    finally:
        queries.close()


def _asker_links(app: Commitments, commitments: list[str]) -> list[str]:
    """The links an asker would have been mailed for the old log's claims
    (issue 18): each old claim replays with the version that made it."""
    found = []
    for key in commitments:
        commitment = app.get(UUID(key))
        if commitment.claim_version is not None and commitment.question_ids:
            found += [links(app).feedback(FeedbackLink(
                commitment.id, commitment.claim_version, commitment.question_ids[0], verdict))
                for verdict in FeedbackVerdict]
    assert found
    return found


def _paths(client: FlaskClient, values: dict[str, list[str]]) -> list[str]:
    """Every GET route of the app, with each of its parameters filled in by
    every value the fixture has for it."""
    paths = []
    for rule in client.application.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        combos: list[dict[str, str]] = [{}]
        for argument in sorted(rule.arguments):
            assert argument in values, f"{rule.rule}: the upgrade test has no {argument}"
            combos = [{**combo, argument: v} for combo in combos for v in values[argument]]
        for combo in combos:
            path = rule.rule
            for argument, value in combo.items():
                path = path.replace(f"<uuid:{argument}>", value).replace(f"<{argument}>", value)
            paths.append(path)
    return paths


def test_every_read_answers_on_the_old_log(upgraded: Upgraded) -> None:
    tokens = upgraded.manifest["tokens"]
    paths = _paths(upgraded.client, _values(upgraded.manifest, upgraded.app))
    assert len(paths) > 50
    unpublished = _unpublished(upgraded.manifest)
    for path in paths:
        if path.startswith("/workspace"):
            continue
        response = upgraded.get(path, tokens["admin"])
        # A candidate's page and feed are not public.
        expected = (404 if path.startswith("/reports/commitments/")
                    and path.removesuffix("/feed.atom").rsplit("/", 1)[-1] in unpublished
                    else 404 if path == "/logo"  # no logo in this data folder
                    else 200)
        assert response.status_code in (expected, 302), (
            path, response.status_code, response.get_data(as_text=True)[:300])
    for as_of in ("2024-05-10", "2024-07-01", "2024-12-31", TODAY.isoformat()):
        response = upgraded.get("/api/v1/public/reports/agencies", as_of=as_of)
        assert response.status_code == 200, (as_of, response.json)
        for fmt in ("json", "csv", "html", "docx", "pdf", "xlsx"):
            response = upgraded.get("/reports/", as_of=as_of, format=fmt)
            assert response.status_code == 200, (as_of, fmt, response.json)


def test_every_workspace_page_answers_on_the_old_log(upgraded: Upgraded) -> None:
    paths = [p for p in _paths(upgraded.client, _values(upgraded.manifest, upgraded.app))
             if p.startswith("/workspace") and "sign-in" not in p]
    admin, officer = upgraded.client, upgraded.client.application.test_client()
    passwords = upgraded.manifest["passwords"]
    assert sign_in(admin, "ha@ldld.example.vn", passwords["ha@ldld.example.vn"]).status_code == 302
    assert sign_in(officer, "b@syt.example.vn", passwords["b@syt.example.vn"]).status_code == 302
    unpublished = _unpublished(upgraded.manifest)
    for path in paths:
        response = admin.get(path)
        expected = 404 if path.rsplit("/", 1)[-1] in unpublished else 200
        assert response.status_code == expected, (path, response.get_data(as_text=True)[:300])
    syt = [upgraded.manifest["ids"]["commitments"][name]
           for name, c in upgraded.manifest["commitments"].items() if c["agency"] == "SYT"]
    for cid in set(syt) - unpublished:
        response = officer.get(f"/workspace/commitments/{cid}")
        assert response.status_code == 200, (cid, response.get_data(as_text=True)[:300])


def test_old_records_are_of_dialogue_conferences_asked_by_people(upgraded: Upgraded) -> None:
    """Before forums had kinds every record was of a dialogue conference, and
    before askers had kinds only people asked: old events read so."""
    ids, admin = upgraded.manifest["ids"], upgraded.manifest["tokens"]["admin"]
    for dialogue in (ids["dialogue"], ids["imported_dialogue"]):
        assert upgraded.get(f"/api/v1/dialogues/{dialogue}", admin).json["forum"] == "dialogue"
        assert upgraded.get(f"/reports/dialogues/{dialogue}",
                            format="json").json["dialogue"]["forum"] == "dialogue"
    for question in ids["questions"]:
        asker = upgraded.get(f"/api/v1/questions/{question}", admin).json["asker"]
        assert asker["kind"] == "person", asker
    # The read tables, rebuilt from the old log, filter by the kind it read.
    everything = upgraded.get("/api/v1/commitments", admin, limit=500).json["total"]
    assert everything > 0
    assert upgraded.get("/api/v1/commitments", admin, forum="dialogue",
                        limit=500).json["total"] == everything
    assert upgraded.get("/api/v1/commitments", admin, forum="voters_meeting").json["total"] == 0
    assert upgraded.get("/reports/", format="json", forum="voters_meeting").json["dialogues"] == []


def test_a_rebuilt_read_model_tells_the_same_story(upgraded: Upgraded) -> None:
    dialogue = upgraded.manifest["ids"]["dialogue"]

    def story() -> list[Any]:
        return [upgraded.get(path, as_of=as_of, format="json").json
                for path in ("/reports/", f"/reports/dialogues/{dialogue}")
                for as_of in ("2024-07-01", TODAY.isoformat())]

    before = story()
    upgraded.queries.projector.rebuild()
    assert story() == before


def test_the_old_log_takes_new_writes(upgraded: Upgraded) -> None:
    ids, tokens = upgraded.manifest["ids"], upgraded.manifest["tokens"]
    # The same retried request finds the answer it was given then.
    again = upgraded.client.post("/api/v1/answers", headers={
        "Authorization": f"Bearer {tokens['admin']}", "Idempotency-Key": "tra-loi-1"},
        json={"question_ids": [ids["questions"][0]],
              "text": "Sở Y tế tiếp thu, sẽ xem xét, nghiên cứu, kiến nghị.",
              "responder": {"name": "Ông Nguyễn Văn A", "title": "Phó Giám đốc",
                            "agency": "SYT"},
              "answered_at": "2024-05-10T09:00:00+07:00"})
    assert again.status_code in (200, 201), again.json
    assert again.json["id"] == ids["answers"][0]
    assert upgraded.app.recorder.max_notification_id() == upgraded.manifest["events"]
    # An officer of the agency reports on a promise recorded by the old version.
    reminded = ids["commitments"]["overdue_reminded"]
    response = upgraded.client.post(
        f"/api/v1/commitments/{reminded}/updates",
        headers={"Authorization": f"Bearer {tokens['agency_syt']}"},
        json={"action": "progress", "note": "Đã có dự thảo văn bản"})
    assert response.status_code == 200, response.json
    assert response.json["status"] == "in_progress"
    assert upgraded.app.recorder.max_notification_id() == upgraded.manifest["events"] + 1
