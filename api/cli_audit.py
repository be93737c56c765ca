"""`commitments audit` and `commitments db`: proving the log was not rewritten."""

from __future__ import annotations

import click

from api.cli_settings import cli_settings
from service.bootstrap import build, build_queries
from service.integrity import catch_up_and_audit, restrict


@click.group("audit")
def audit_group() -> None:
    """Tamper evidence: the hash chain over the event log."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain from the stored events and compare.

    Prints "ok, N events, head DIGEST", or the first event that does not
    match the chain (changed, deleted or added behind the service's back) and
    exits 1. Events newer than the chain are linked first (the projection
    would have linked them); one of them that the service cannot read (its
    type or content changed before it was linked) is named the same way.
    """
    app = build(cli_settings())
    queries = build_queries(app)
    try:
        verdict = catch_up_and_audit(app, queries)
    finally:
        queries.close()
        app.close()
    click.echo(str(verdict))
    if not verdict.ok:
        raise SystemExit(1)


@click.group("db")
def db_group() -> None:
    """The PostgreSQL database the service runs on."""


@db_group.command("restrict")
@click.argument("role")
@click.option("--password", envvar="COMMITMENTS_ROLE_PASSWORD",
              help="Set the role's password (or COMMITMENTS_ROLE_PASSWORD).")
def db_restrict(role: str, password: str | None) -> None:
    """Make ROLE the service's database role: it may read and append events,
    never update or delete one. Run once after `commitments init`, as the
    owner of the tables; then run the service as ROLE (POSTGRES_USER=ROLE,
    CREATE_TABLE=n).
    """
    settings = cli_settings()
    if settings.is_embedded:
        raise click.ClickException(
            "db restrict is for PostgreSQL (PERSISTENCE_MODULE=eventsourcing.postgres); the "
            "SQLite store's triggers refuse changes and its file permissions do the rest")
    app = build(settings)
    queries = build_queries(app)
    try:
        for statement in restrict(app, queries.view, role, password):
            click.echo(statement)
    finally:
        queries.close()
        app.close()
    click.echo(f"{role} can now read and append events, and cannot change or delete one.")
