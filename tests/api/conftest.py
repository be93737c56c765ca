"""Every API test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from api import create_app
from domain.access import Actor, Role
from service.application import Commitments
from service.bootstrap import build, build_queries
from service.settings import Settings
from tests.support.clock import FixedClock
from tests.support.projector import RunningProjector

TODAY = date(2024, 9, 1)
HELD_ON = date(2024, 5, 10)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.integration)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    env = {"COMMITMENTS_DATA_DIR": str(tmp_path)}
    if request.param == "postgres":
        server = request.getfixturevalue("pg_server")
        dbname = request.getfixturevalue("pg_database")
        env.update(server.env(dbname))
        with server.connect(dbname) as conn:
            # Events, read tables and tracking: every test starts empty.
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    return Settings.from_env(env)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TODAY)


@pytest.fixture
def service(settings: Settings, clock: FixedClock) -> Iterator[Commitments]:
    app = build(settings, clock=clock)
    yield app
    app.close()


class LogFollowingClient(FlaskClient):
    """A test client whose reads see every write made so far, as a client
    that names its last write does: tests write straight through the service
    as well as through the API, so each request names the log's head
    (`X-Read-After`) unless it names a position itself or `follow_log` is off."""

    follow_log = True

    def open(self, *args: Any, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.follow_log and "X-Read-After" not in headers:
            service: Commitments = self.application.extensions["commitments"]
            headers["X-Read-After"] = str(service.recorder.max_notification_id() or 0)
        return super().open(*args, headers=headers, **kwargs)


@dataclass
class Caller:
    """The test client with a token, and a count of what the store holds."""

    client: FlaskClient  # LogFollowingClient but where a test builds its own
    service: Commitments
    token: str | None = None
    # The service's projector, running in a thread (stop it to see what a
    # read does when the read tables fall behind).
    projector: RunningProjector | None = None

    def as_(self, token: str | None) -> Caller:
        return Caller(self.client, self.service, token, self.projector)

    def _headers(self, headers: dict[str, str]) -> dict[str, str]:
        auth = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**auth, **headers}

    def get(self, path: str, **params: Any) -> Any:
        """A read that sees every write made so far (the client names the log's head)."""
        return self.client.get(path, query_string=params, headers=self._headers({}))

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.post(path, json=body, headers=self._headers(headers))

    def put(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.put(path, json=body, headers=self._headers(headers))

    def events(self) -> int:
        return self.service.recorder.max_notification_id() or 0


@pytest.fixture
def projector(service: Commitments) -> Iterator[RunningProjector]:
    """What `commitments serve` runs beside the web: the only writer of the
    read tables, which the web's reads wait for."""
    running = RunningProjector(service).start()
    yield running
    running.close()


@pytest.fixture
def api(service: Commitments, projector: RunningProjector) -> Iterator[Caller]:
    queries = build_queries(service)
    web = create_app(service, queries)
    client = LogFollowingClient(web, web.response_class, use_cookies=True)
    yield Caller(client, service, service.issue_token(Role.ADMIN, label="test admin"),
                 projector)
    queries.close()


@dataclass
class World:
    """Two agencies, a dialogue with two questions, one answer, one promise."""

    dialogue: str
    question: str
    other_question: str
    answer: str
    commitment: str
    agency_token: str
    other_agency_token: str
    auditor_token: str


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.json
    body: dict[str, Any] = response.json
    return body


@pytest.fixture
def world(api: Caller) -> World:
    created(api.post("/api/v1/agencies", {"code": "SYT", "name": "Sở Y tế",
                                          "contacts": [{"email": "syt@example.vn"}]}))
    created(api.post("/api/v1/agencies", {"code": "SGDDT", "name": "Sở Giáo dục và Đào tạo"}))
    dialogue = created(api.post("/api/v1/dialogues", {
        "title": "Hội nghị đối thoại 2024", "held_on": HELD_ON.isoformat(),
        "chair": "Chủ tịch UBND tỉnh",
    }))["id"]
    question = created(api.post(f"/api/v1/dialogues/{dialogue}/questions", {
        "asker": {"name": "Bà Nông Thị Nga", "organisation": "Công đoàn ngành Y tế"},
        "text": "Đề nghị cho biết chế độ phụ cấp cho nhân viên y tế thôn bản?",
        "addressed_to": ["SYT"],
    }))["id"]
    other = created(api.post(f"/api/v1/dialogues/{dialogue}/questions", {
        "asker": {"name": "Ông Đỗ Thanh Vân"}, "text": "Kiến nghị bổ sung biên chế kế toán",
    }))["id"]
    answer = created(api.post("/api/v1/answers", {
        "question_ids": [question],
        "responder": {"name": "Ông Nguyễn Văn A", "title": "Phó Giám đốc Sở Y tế",
                      "agency": "SYT"},
        "text": "Sở Y tế tiếp thu, sẽ xem xét, nghiên cứu, kiến nghị với cấp có thẩm quyền.",
    }))["id"]
    commitment = created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "review", "answer_id": answer,
        "text": "Sẽ xem xét, nghiên cứu, kiến nghị với cấp có thẩm quyền về phụ cấp.",
    }))["id"]
    return World(
        dialogue=dialogue, question=question, other_question=other, answer=answer,
        commitment=commitment,
        agency_token=api.service.issue_token(Role.AGENCY, "SYT"),
        other_agency_token=api.service.issue_token(Role.AGENCY, "SGDDT"),
        auditor_token=api.service.issue_token(Role.AUDITOR),
    )


# -- the staff workspace ----------------------------------------------------------

PASSWORD = "mật khẩu đủ dài"


@pytest.fixture
def people(api: Caller, world: World) -> dict[str, str]:
    app = api.service
    app.create_account("officer@syt.example.vn", "Trần Văn B", Role.AGENCY, "SYT", PASSWORD,
                       Actor(Role.ADMIN))
    app.create_account("nga@ldld.example.vn", "Nông Thị Nga", Role.AUDITOR, None, PASSWORD,
                       Actor(Role.ADMIN))
    created(api.post("/api/v1/commitments", {
        "agency": "SGDDT", "kind": "review", "dialogue_id": world.dialogue,
        "due_on": "2024-12-31", "text": "Rà soát biên chế kế toán trường học"}))
    created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "study", "dialogue_id": world.dialogue,
        "due_on": "2024-09-05", "text": "Nghiên cứu chế độ trực đêm"}))
    return {"officer": "officer@syt.example.vn", "auditor": "nga@ldld.example.vn"}


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page or of one form in it, as a browser sends them."""
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html))


def csrf(client: FlaskClient, path: str = "/workspace/sign-in") -> str:
    """The session's CSRF token, from a form of the page at `path`."""
    found = hidden_fields(client.get(path).data.decode()).get("csrf_token")
    assert found, path
    return found


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    return client.post("/workspace/sign-in", data={
        "email": email, "password": password, "csrf_token": csrf(client)})


# -- the secretariat at work, and forums of several kinds -------------------------

CLERK = "thu.ky@ldld.example.vn"


@pytest.fixture
def clerk(api: Caller, people: dict[str, str]) -> FlaskClient:
    """The secretariat's clerk, signed in to the workspace."""
    api.service.create_account(CLERK, "Lê Thu Hà", Role.ADMIN, None, PASSWORD,
                               Actor(Role.ADMIN))
    sign_in(api.client, CLERK)
    return api.client


def loads_from_here(api: Caller, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """From now on, each aggregate this thread loads from the log (its kind
    and id), as the reads of a request would: what the projector's thread
    loads to keep the tables is not counted. The projector first applies
    every write made so far."""
    assert api.projector is not None
    api.projector.settle()
    repository = api.service.repository
    get, reader, loaded = repository.get, threading.get_ident(), []

    def counted(*args: Any, **kwargs: Any) -> Any:
        found = get(*args, **kwargs)
        if threading.get_ident() == reader:
            loaded.append((type(found).__name__, found.id))
        return found

    monkeypatch.setattr(repository, "get", counted)
    return loaded


def form_of(client: FlaskClient, path: str, form_id: str) -> dict[str, str]:
    """The hidden fields of one form on a page, as a browser would send them."""
    page = client.get(path).data.decode()
    found = re.search(rf'<form[^>]*id="{form_id}".*?</form>', page, re.S)
    assert found is not None, f"no form {form_id} on {path}"
    return hidden_fields(found.group(0))


def record(api: Caller, forum: str | None, title: str, held_on: str = "2024-06-15") -> str:
    """A dialogue of the given kind of forum (None: the default), through the API."""
    body: dict[str, Any] = {"title": title, "held_on": held_on}
    if forum is not None:
        body["forum"] = forum
    made = created(api.post("/api/v1/dialogues", body))
    assert made["forum"] == (forum or "dialogue")
    return str(made["id"])


def promise(api: Caller, dialogue: str, text: str, agency: str = "SYT") -> str:
    return str(created(api.post("/api/v1/commitments", {
        "agency": agency, "kind": "review", "dialogue_id": dialogue, "text": text,
        "due_on": "2024-08-01"}))["id"])


@pytest.fixture
def forums(api: Caller, world: World) -> dict[str, str]:
    """The world's dialogue conference, and a voters' meeting with a promise of
    its own, overdue on the day of the tests."""
    meeting = record(api, "voters_meeting", "Tiếp xúc cử tri xã Phú Giáo")
    kept = promise(api, meeting, "Sẽ xem xét sửa chữa đường liên xã")
    return {"meeting": meeting, "meeting_promise": kept}
