"""Tamper evidence on both stores: stored events refuse change, and the hash
chain names the first event altered, deleted or added behind the service."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from api.cli import main
from service.application import Commitments
from service.bootstrap import build_queries
from service.integrity import audit
from service.queries import Queries
from tests.api.conftest import Caller, World, created


@pytest.fixture
def queries(api: Caller) -> Iterator[Queries]:
    found = build_queries(api.service)
    yield found
    found.close()


@contextmanager
def raw(app: Commitments, *, bypass_triggers: bool = False) -> Iterator[Any]:
    """A connection of the store's administrator, outside the service. With
    `bypass_triggers`, one who has also switched the triggers off."""
    recorder: Any = app.recorder
    table = recorder.events_table_name
    if app.settings.is_embedded:
        connection = sqlite3.connect(app.settings.eventsourcing_env["SQLITE_DBNAME"])
        connection.isolation_level = None
        try:
            if bypass_triggers:
                for trigger in ("no_update", "no_delete"):
                    connection.execute(f"DROP TRIGGER {table}_{trigger}")
            yield connection
        finally:
            connection.close()
        return
    env = app.settings.eventsourcing_env
    with psycopg.connect(host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
                         user=env["POSTGRES_USER"], dbname=env["POSTGRES_DBNAME"],
                         autocommit=True) as connection:
        if bypass_triggers:
            # What a superuser can do: replica mode fires no ordinary trigger.
            connection.execute("SET session_replication_role = replica")
        yield connection


def _sql(app: Commitments, statement: str) -> str:
    """`statement` for the store: {table}, {mark} a parameter, {id} the
    column holding an event's notification id."""
    recorder: Any = app.recorder
    embedded = app.settings.is_embedded
    return statement.format(table=recorder.events_table_name, mark="?" if embedded else "%s",
                            id="rowid" if embedded else "notification_id")


def test_stored_events_refuse_update_and_delete(api: Caller, world: World) -> None:
    app = api.service
    before = api.events()
    statements = ["UPDATE {table} SET topic = topic", "DELETE FROM {table}"]
    if not app.settings.is_embedded:
        statements.append("TRUNCATE {table}")
    for statement in statements:
        with raw(app) as connection, pytest.raises((sqlite3.DatabaseError,
                                                    psycopg.Error)) as refused:
            connection.execute(_sql(app, statement))
        assert "append-only" in str(refused.value), statement
    assert api.events() == before


def test_verify_is_ok_on_an_untouched_log(api: Caller, world: World,
                                         queries: Queries) -> None:
    queries.projector.catch_up()
    verdict = audit(api.service, queries.view)
    assert verdict.ok and verdict.pending == 0
    assert verdict.events == api.events()
    head = queries.view.chain_head()
    assert head is not None and head["digest"] == verdict.head and head["seq"] == api.events()
    # A rebuild of the read tables replays the log and keeps the chain.
    queries.projector.rebuild()
    again = audit(api.service, queries.view)
    assert (again.ok, again.events, again.head) == (True, verdict.events, verdict.head)


def test_verify_names_an_event_changed_behind_the_service(api: Caller, world: World,
                                                          queries: Queries) -> None:
    queries.projector.catch_up()
    app = api.service
    [victim] = app.recorder.select_notifications(4, 1)
    with raw(app, bypass_triggers=True) as connection:
        changed = connection.execute(
            _sql(app, "UPDATE {table} SET state = {mark} WHERE {id} = {mark}"),
            (bytes(victim.state).replace(b"}", b', "x": 1}', 1), victim.id))
        assert changed.rowcount == 1
    verdict = audit(app, queries.view)
    assert not verdict.ok and verdict.events == 3
    assert verdict.problem is not None
    assert f"event #{victim.id} (" in verdict.problem
    assert "its stored content was changed" in verdict.problem
    assert str(victim.originator_id) in verdict.problem
    assert str(verdict).startswith("FAILED after 3 good events")


def test_verify_names_an_event_deleted_behind_the_service(api: Caller, world: World,
                                                          queries: Queries) -> None:
    queries.projector.catch_up()
    app = api.service
    [victim] = app.recorder.select_notifications(6, 1)
    with raw(app, bypass_triggers=True) as connection:
        connection.execute(_sql(app, "DELETE FROM {table} WHERE {id} = {mark}"), (victim.id,))
    verdict = audit(app, queries.view)
    assert not verdict.ok and verdict.problem is not None
    assert f"event #{victim.id} is in the chain but missing from the store" in verdict.problem


def test_the_report_shows_the_head_digest(api: Caller, world: World,
                                          queries: Queries) -> None:
    text = api.as_(None).get("/reports/").data.decode()
    head = queries.view.chain_head()
    assert head is not None
    assert head["digest"] in text
    overview = api.as_(None).get("/reports/", format="json").json
    assert overview["log"]["digest"] == head["digest"]
    assert overview["log"]["events"] == api.events()


def _audit_verify(app: Commitments) -> Any:
    """`commitments audit verify` on the store the test runs on."""
    env = {"COMMITMENTS_DATA_DIR": str(app.settings.data_dir),
           **app.settings.eventsourcing_env}
    return CliRunner().invoke(main, ["audit", "verify"], env=env)


@pytest.mark.parametrize("topic", [
    "domain.agency:Agency.Vanished",  # names no class
    "domain.dialogue:Dialogue.Recorded",  # a class, but not of this event's state
])
def test_verify_names_an_event_whose_type_was_changed_before_it_was_chained(
        api: Caller, world: World, queries: Queries, topic: str) -> None:
    # The projector stops where the log is now, and the agency and its name
    # are events the projection has not read yet.
    api.projector.settle()
    api.projector.stop()
    created(api.post("/api/v1/agencies", {"code": "SXD", "name": "Sở Xây dựng"}))
    app = api.service
    [victim] = app.recorder.select_notifications(api.events(), 1)
    assert victim.id > queries.view.position() + 1
    with raw(app, bypass_triggers=True) as connection:
        changed = connection.execute(
            _sql(app, "UPDATE {table} SET topic = {mark} WHERE {id} = {mark}"),
            (topic, victim.id))
        assert changed.rowcount == 1
    result = _audit_verify(app)
    # A verdict and exit status 1, not the projection's traceback.
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    name = topic.rsplit(":", 1)[-1]
    # The events before it are chained and verified; it is named by its
    # position and its aggregate.
    assert f"FAILED after {victim.id - 1} good events" in result.output, result.output
    assert (f"event #{victim.id} ({name} of {victim.originator_id}, version "
            f"{victim.originator_version}) cannot be read by the service (") in result.output
    assert "changed before the chain reached it" in result.output


def test_verify_names_an_event_whose_type_was_changed_after_it_was_chained(
        api: Caller, world: World, queries: Queries) -> None:
    queries.projector.catch_up()
    app = api.service
    [victim] = app.recorder.select_notifications(2, 1)
    with raw(app, bypass_triggers=True) as connection:
        connection.execute(
            _sql(app, "UPDATE {table} SET topic = {mark} WHERE {id} = {mark}"),
            ("domain.agency:Agency.Vanished", victim.id))
    result = _audit_verify(app)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "FAILED after 1 good events" in result.output
    assert (f"event #{victim.id} (Agency.Vanished of {victim.originator_id}, version "
            f"{victim.originator_version}) does not match the chain") in result.output
