"""The service's PostgreSQL role can append events and cannot rewrite them."""

from __future__ import annotations

import secrets
from typing import Any

import psycopg
import pytest

from domain.access import Actor, Role
from service import commands as c
from service.bootstrap import build, build_queries
from service.integrity import audit, restrict
from service.settings import Settings
from tests.support import postgres

pytestmark = pytest.mark.integration


def test_the_restricted_role_appends_and_cannot_rewrite(pg_server: postgres.Server,
                                                        tmp_path: Any) -> None:
    role = f"commitments_writer_{secrets.token_hex(4)}"
    try:
        with postgres.database(pg_server) as dbname:
            owner_env = {**pg_server.env(dbname), "COMMITMENTS_DATA_DIR": str(tmp_path)}
            # `commitments init` and `commitments db restrict`, as the owner.
            owner = build(Settings.from_env(owner_env))
            owner_queries = build_queries(owner)
            ran = restrict(owner, owner_queries.view, role, "s3cret")
            assert any("PASSWORD '…'" in statement for statement in ran)
            assert not any("s3cret" in statement for statement in ran)
            owner_queries.close()
            owner.close()

            # The service, as the restricted role, with the tables made.
            env = {**owner_env, "POSTGRES_USER": role, "POSTGRES_PASSWORD": "s3cret",
                   "CREATE_TABLE": "n"}
            app = build(Settings.from_env(env))
            queries = build_queries(app)
            try:
                app.execute(c.RegisterAgency(code="SYT", name="Sở Y tế"), Actor(Role.ADMIN))
                assert [a.code for a in queries.agencies()] == ["SYT"]
                queries.projector.rebuild()  # it owns the read tables it rebuilds
                verdict = audit(app, queries.view)
                assert verdict.ok
                written = verdict.events
            finally:
                queries.close()
                app.close()

            table = "commitments_events"
            with psycopg.connect(host=pg_server.host, port=pg_server.port, user=role,
                                 password="s3cret", dbname=dbname, autocommit=True) as conn:
                for statement in (f"UPDATE {table} SET topic = topic",
                                  f"DELETE FROM {table}",
                                  "DELETE FROM audit_chain", "UPDATE audit_chain SET seq = 0"):
                    with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
                        conn.execute(statement)
                    assert "permission denied" in str(refused.value), statement
                with pytest.raises(psycopg.errors.InsufficientPrivilege) as truncated:
                    conn.execute(f"TRUNCATE {table}")
                assert "append-only" in str(truncated.value)
            # Even the owner meets the trigger.
            with pg_server.connect(dbname) as conn:
                with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
                    conn.execute(f"DELETE FROM {table}")
                assert "append-only: DELETE refused" in str(refused.value)
                [(count,)] = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchall()
                assert count == written > 0
    finally:
        with pg_server.connect() as conn:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
