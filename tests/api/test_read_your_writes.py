"""Issue 17: only the projector writes the read tables. A write says where it
is in the log; a read that must see it waits for the projector (bounded) and
never applies an event or takes the projection's lock itself."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.appends import channel
from service.queries import Queries
from tests.api.conftest import Caller, LogFollowingClient, World, created
from tests.support.projector import RunningProjector

WAIT = 0.3  # the bound in these tests, instead of READ_WAIT_SECONDS' 2 s


def _promise(api: Caller, world: World, text: str) -> Any:
    return api.post("/api/v1/commitments", {"agency": "SYT", "kind": "review",
                                            "dialogue_id": world.dialogue, "text": text})


def _web_queries(api: Caller) -> Queries:
    found: Queries = api.client.application.extensions["queries"]
    return found


def _listed(response: Any) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["text"] for item in response.json["items"]]


def _tables(api: Caller) -> dict[str, int]:
    """The read tables' position and rows, as the stopped projector left them."""
    assert api.projector is not None
    view = api.projector.queries.view
    found = {"position": view.position()}
    for table in view.read_table_names():
        [row] = view.rows(f"SELECT COUNT(*) AS n FROM {table}")
        found[table] = int(row["n"])
    return found


def _reader(api: Caller) -> tuple[FlaskClient, dict[str, str]]:
    """Another client of the same web app: no cookie, so no write to wait for."""
    return api.client.application.test_client(), {"Authorization": f"Bearer {api.token}"}


def test_a_write_answers_with_its_position(api: Caller, world: World) -> None:
    made = _promise(api, world, "Sẽ rà soát định mức trực đêm")
    assert made.status_code == 201
    position = int(made.headers["X-Log-Position"])
    assert position == api.events()
    # A browser keeps it, so that the page a form leads to sees the write.
    cookie = api.client.get_cookie("commitments_read_after")
    assert cookie is not None and cookie.value == str(position)
    assert cookie.http_only and cookie.same_site == "Lax"
    # A refused write stored nothing and has no position; nor has a read.
    refused = api.post("/api/v1/commitments", {"agency": "SYT", "kind": "review"})
    assert refused.status_code == 422 and "X-Log-Position" not in refused.headers
    assert "X-Log-Position" not in api.get("/api/v1/commitments").headers
    # A position that is no number is the client's mistake, named.
    reader, auth = _reader(api)
    bad = reader.get("/api/v1/commitments", headers={**auth, "X-Read-After": "latest"})
    assert bad.status_code == 400 and "X-Read-After" in bad.json["error"]["fields"]


def test_a_read_after_a_write_waits_for_the_projector_and_sees_it(
        api: Caller, world: World) -> None:
    assert api.projector is not None
    api.projector.stop()
    made = _promise(api, world, "Sẽ bổ sung biên chế y tế thôn bản")
    position = made.headers["X-Log-Position"]
    # Generous, so the read comes back because the projector got there.
    _web_queries(api).wait_seconds = 30
    reader, auth = _reader(api)
    answers: list[Any] = []
    waiting = threading.Thread(target=lambda: answers.append(reader.get(
        "/api/v1/commitments", headers={**auth, "X-Read-After": position})))
    waiting.start()
    waiting.join(timeout=0.2)
    assert waiting.is_alive(), "the read did not wait for the projector"
    api.projector.start()
    waiting.join(timeout=10)
    [response] = answers
    assert "Sẽ bổ sung biên chế y tế thôn bản" in _listed(response)
    assert "X-Read-Model-Lag" not in response.headers


def test_with_the_projector_stopped_a_read_after_answers_within_the_bound_and_writes_nothing(
        api: Caller, world: World) -> None:
    assert api.projector is not None
    api.projector.settle()
    api.projector.stop()
    _web_queries(api).wait_seconds = WAIT
    before = _tables(api)
    made = _promise(api, world, "Sẽ xây nhà công vụ cho giáo viên")
    assert made.status_code == 201
    auth = {"Authorization": f"Bearer {api.token}"}
    # The position comes from the header or the cookie only.
    assert isinstance(api.client, LogFollowingClient)
    api.client.follow_log = False
    # Named by the header, and by the cookie the write left in this client.
    for named in ({"X-Read-After": made.headers["X-Log-Position"]}, {}):
        began = time.monotonic()
        response = api.client.get("/api/v1/commitments", headers={**auth, **named})
        assert time.monotonic() - began >= WAIT
        assert "Sẽ xây nhà công vụ cho giáo viên" not in _listed(response)
        assert int(response.headers["X-Read-Model-Lag"]) >= 1
    # A read that names no write answers at once, saying how far behind.
    reader, auth = _reader(api)
    began = time.monotonic()
    response = reader.get("/api/v1/commitments", headers=auth)
    assert time.monotonic() - began < WAIT
    assert int(response.headers["X-Read-Model-Lag"]) >= 1
    # No read applied anything: the tables are as the projector left them.
    assert _tables(api) == before


def test_reads_never_take_the_projection_lock(api: Caller, world: World) -> None:
    assert api.projector is not None
    api.projector.settle()
    api.projector.stop()
    _web_queries(api).wait_seconds = WAIT
    made = created(_promise(api, world, "Sẽ sửa chữa trạm y tế xã"))
    reader, auth = _reader(api)
    answers: dict[str, Any] = {}

    def read() -> None:
        for path in ("/api/v1/commitments", f"/api/v1/dialogues/{world.dialogue}",
                     "/api/v1/public/reports/agencies", "/reports/", "/healthz"):
            answers[path] = reader.get(path, headers=auth)
        # One that must see the write: it waits out its bound, and no more.
        answers["after"] = reader.get(f"/api/v1/commitments?dialogue={world.dialogue}",
                                      headers={**auth, "X-Read-After": str(api.events())})

    # The lock a projector holds while it applies a batch, held meanwhile.
    reading = threading.Thread(target=read)
    with api.projector.queries.view.locked():
        reading.start()
        reading.join(timeout=5)
        blocked = reading.is_alive()
    reading.join(timeout=30)  # one that did wait finishes before the teardown
    assert not blocked, "a read waited for the projection's lock"
    assert {path: r.status_code for path, r in answers.items()} == dict.fromkeys(answers, 200)
    assert int(answers["/api/v1/commitments"].headers["X-Read-Model-Lag"]) >= 1
    assert made["text"] not in _listed(answers["after"])
    # Once the projector goes on, the same read sees the write.
    api.projector.start()
    assert made["text"] in _listed(api.get("/api/v1/commitments"))


def _applied_within(projector: RunningProjector, api: Caller, world: World, text: str) -> float:
    """Seconds from a write's answer to the projector having applied it."""
    made = created(_promise(api, world, text))
    began = time.monotonic()
    position = int(api.client.get_cookie("commitments_read_after").value)  # type: ignore[union-attr]
    assert made and position == api.events()
    while projector.queries.view.position() < position:
        assert time.monotonic() - began < 20, "the projector did not apply the write"
        time.sleep(0.005)
    return time.monotonic() - began


# SQLite announces no append: its projector sleeps through its poll.
@pytest.mark.parametrize("settings", [pytest.param("postgres", marks=pytest.mark.integration)],
                         indirect=True)
def test_on_postgresql_an_append_wakes_the_projector_at_once(
        api: Caller, world: World, pg_server: Any, pg_database: str) -> None:
    """An idle projector waits for an append to be announced, not for its
    poll; if its listening connection is lost, it listens again."""
    assert api.projector is not None
    api.projector.settle()
    api.projector.stop()
    # A poll far longer than the bound below: only the announcement can wake it.
    projector = RunningProjector(api.service, poll=20).start()
    table = api.service.recorder.events_table_name  # type: ignore[attr-defined]
    try:
        projector.settle()
        assert _applied_within(projector, api, world, "Sẽ lắp đèn đường thôn 3") < 5
        with pg_server.connect(pg_database) as conn:
            listening = conn.execute(
                # This database's: tests alongside have projectors of their own.
                "SELECT pid FROM pg_stat_activity WHERE query = %s "
                "AND datname = current_database()",
                (f'LISTEN "{channel(table)}"',)).fetchall()
            assert len(listening) == 1
            conn.execute("SELECT pg_terminate_backend(%s)", listening[0])
        assert _applied_within(projector, api, world, "Sẽ nạo vét kênh mương") < 5
    finally:
        # Woken, so that it sees it is stopped without waiting out its poll
        # (again and again: it may be listening anew, and miss the first).
        with pg_server.connect(pg_database) as conn:
            projector.stop(wake=lambda: conn.execute(f'NOTIFY "{channel(table)}"'))
        projector.queries.close()


def test_writes_that_follow_closely_are_applied_together(api: Caller, world: World) -> None:
    """After a catch-up that applied events the projector lets `spacing`
    pass before the next: a write that follows closely waits for the rest of
    it (and is applied with whatever else came meanwhile), not for the poll."""
    assert api.projector is not None
    api.projector.settle()
    api.projector.stop()
    projector = RunningProjector(api.service, poll=0.01, spacing=1.0).start()
    view = projector.queries.view
    try:
        projector.settle()
        assert _applied_within(projector, api, world, "Sẽ mở lớp dạy nghề") < 5
        created(_promise(api, world, "Sẽ hỗ trợ vốn vay"))
        time.sleep(0.15)
        assert view.position() < api.events(), "applied before the spacing was over"
        projector.settle()
    finally:
        projector.stop()
        projector.queries.close()
