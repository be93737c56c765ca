"""Issue 21: the record moves from the embedded store to PostgreSQL through a
log file, and a backup of a running embedded store restores whole.

The store moved is the upgrade fixture (tests/fixtures/upgrade/v1: written
by an old version, with every kind of event), so the move is tried on a real
history, gaps in numbering and old event versions included.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from click.testing import CliRunner, Result

from api import create_app
from api.cli import main
from domain.access import Actor, Role
from service import commands as c
from service.bootstrap import build, build_queries
from service.settings import Settings
from service.store_version import LOG_VERSION
from tests.support import postgres
from tests.support.clock import FixedClock

OLD = Path(__file__).resolve().parents[1] / "fixtures" / "upgrade" / "v1"
ADMIN = Actor(Role.ADMIN)


@pytest.fixture
def embedded(tmp_path: Path) -> dict[str, str]:
    folder = tmp_path / "embedded"
    folder.mkdir()
    for name in ("events.sqlite3", "readmodel.sqlite3"):
        shutil.copyfile(OLD / name, folder / name)
    return {"COMMITMENTS_DATA_DIR": str(folder)}


@pytest.fixture
def on_postgres(pg_server: postgres.Server, tmp_path: Path) -> Iterator[dict[str, str]]:
    with postgres.database(pg_server) as name:
        folder = tmp_path / "pg"
        folder.mkdir()
        yield {"COMMITMENTS_DATA_DIR": str(folder), **pg_server.env(name)}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _report(env: dict[str, str]) -> Any:
    """The public report as JSON, and one agency's, on a fixed day."""
    app = build(Settings.from_env(env), clock=FixedClock(date(2025, 6, 1)))
    queries = build_queries(app)
    try:
        # Up to date before anyone reads, as `serve`'s projector leaves them.
        queries.catch_up()
        client = create_app(app, queries).test_client()
        front = client.get("/reports/", query_string={"format": "json"}).json
        scores = client.get("/api/v1/public/reports/agencies").json
    finally:
        queries.close()
        app.close()
    # When the new store linked the chain is the day of the move; what it
    # linked (the head digest) is the same.
    front["log"].pop("chained_at")
    return front, scores


def test_embedded_to_postgres_through_a_file_keeps_the_head_and_the_report(
        embedded: dict[str, str], on_postgres: dict[str, str], tmp_path: Path) -> None:
    before = run(embedded, "audit", "verify")
    assert before.exit_code == 0, before.output
    head = before.output.split("head ")[1].split()[0]
    file = tmp_path / "log.jsonl"
    exported = run(embedded, "log", "export", str(file))
    assert exported.exit_code == 0, exported.output
    lines = file.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[1])
    assert set(first) == {"id", "aggregate", "version", "topic", "recorded", "digest", "state"}

    run(on_postgres, "init")
    imported = run(on_postgres, "log", "import", str(file))
    assert imported.exit_code == 0, imported.output
    assert f"imported {len(lines) - 1} events" in imported.output
    after = run(on_postgres, "audit", "verify")
    assert after.exit_code == 0 and f"head {head}" in after.output, after.output
    assert _report(on_postgres) == _report(embedded)

    # It goes on from there: a new write lands after the imported ones.
    app = build(Settings.from_env(on_postgres))
    try:
        app.execute(c.RegisterAgency("SNN", "Sở Nông nghiệp và Phát triển nông thôn"), ADMIN)
    finally:
        app.close()
    assert run(on_postgres, "audit", "verify").exit_code == 0

    # Once more into the same store: refused, nothing added.
    again = CliRunner().invoke(main, ["log", "import", str(file)], env=on_postgres)
    assert again.exit_code == 1 and "already holds events" in again.output


def test_a_changed_line_stops_the_import_naming_it_with_nothing_stored(
        embedded: dict[str, str], tmp_path: Path) -> None:
    file = tmp_path / "log.jsonl"
    assert run(embedded, "log", "export", str(file)).exit_code == 0
    lines = file.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[7])
    record["state"] = record["state"].replace('"', "'", 1) if "'" not in record["state"] \
        else record["state"] + " "
    lines[7] = json.dumps(record, ensure_ascii=False)
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = {"COMMITMENTS_DATA_DIR": str(tmp_path / "empty")}
    refused = CliRunner().invoke(main, ["log", "import", str(file)], env=target)
    assert refused.exit_code == 1
    assert f"line 8: event #{record['id']}" in refused.output
    assert "does not match the chain" in refused.output
    app = build(Settings.from_env(target))
    try:
        assert not app.recorder.max_notification_id()
    finally:
        app.close()


def test_a_backup_taken_while_writing_restores_whole(embedded: dict[str, str],
                                                     tmp_path: Path) -> None:
    app = build(Settings.from_env(embedded))
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            app.execute(c.RecordDialogue(f"Hội nghị số {n}", date(2025, 1, 1)), ADMIN)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        copy = tmp_path / "backup"
        backed = run(embedded, "backup", str(copy))
        assert backed.exit_code == 0, backed.output
    finally:
        stop.set()
        writer.join()
        app.close()
    restored = {"COMMITMENTS_DATA_DIR": str(copy)}
    verified = run(restored, "audit", "verify")
    assert verified.exit_code == 0 and verified.output.startswith("ok, "), verified.output
    assert _report(restored)[1]  # the report reads
    again = CliRunner().invoke(main, ["backup", str(copy)], env=embedded)
    assert again.exit_code == 1 and "exists" in again.output


def test_init_and_serve_refuse_a_store_of_a_newer_log(embedded: dict[str, str]) -> None:
    """An old log is stamped with today's version; a store stamped by a newer
    version stops init and serve, saying which version each is."""
    assert run(embedded, "init").exit_code == 0
    events = Path(embedded["COMMITMENTS_DATA_DIR"]) / "events.sqlite3"
    with sqlite3.connect(events) as connection:
        [(found,)] = connection.execute("SELECT value FROM store_meta WHERE key = 'log_version'")
        assert int(found) == LOG_VERSION
        connection.execute("UPDATE store_meta SET value = ? WHERE key = 'log_version'",
                           (str(LOG_VERSION + 1),))
    connection.close()
    for command in (["init"], ["serve", "--port", "1"]):
        refused = CliRunner().invoke(main, command, env=embedded)
        assert refused.exit_code == 1, refused.output
        assert (f"a log of version {LOG_VERSION + 1}, written by a newer version of the "
                f"service; this one reads up to version {LOG_VERSION}") in refused.output


def test_init_says_so_when_search_cannot_be_set_up(pg_server: postgres.Server,
                                                   tmp_path: Path) -> None:
    """Issue 17: a role that may not create the pg_trgm extension gets a
    clear refusal from init, not a service whose searches read every row."""
    role = f"no_ext_{uuid4().hex[:8]}"
    with postgres.database(pg_server) as name:
        with pg_server.connect(name) as admin:
            admin.execute(f'CREATE ROLE "{role}" LOGIN')
            admin.execute(f'GRANT CONNECT ON DATABASE "{name}" TO "{role}"')
            admin.execute(f'GRANT USAGE, CREATE ON SCHEMA public TO "{role}"')
            admin.execute(f'REVOKE CREATE ON DATABASE "{name}" FROM PUBLIC')
        try:
            env = {**pg_server.env(name), "POSTGRES_USER": role,
                   "COMMITMENTS_DATA_DIR": str(tmp_path)}
            refused = CliRunner().invoke(main, ["init"], env=env)
            assert refused.exit_code == 1, refused.output
            assert "cannot create the pg_trgm extension" in refused.output
            assert "Traceback" not in refused.output
        finally:
            with pg_server.connect(name) as admin:
                admin.execute(f'DROP OWNED BY "{role}"')
            with pg_server.connect() as admin:
                admin.execute(f'DROP ROLE IF EXISTS "{role}"')
