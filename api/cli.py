"""`commitments`: run the service and administer it from a shell."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import click

from api.cli_audit import audit_group, db_group
from api.cli_imports import CLI_ADMIN, candidates, import_command
from api.cli_log import backup_command, log_group
from api.cli_settings import cli_settings
from api.supervision import Child, Supervisor
from domain.access import STAFF_ROLES, Role
from domain.agency import canonical_code
from domain.errors import DomainError
from service.application import Commitments, token_id_of
from service.bootstrap import build, build_queries
from service.heartbeats import Heartbeats
from service.read_model import StoreSetupError
from service.settings import Settings
from service.store_version import NewerStore


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Commitments accountability service: promises made at public dialogues,
    tracked until they are kept.

    Configuration comes from environment variables (see README.md): by default
    the data lives in ./data (COMMITMENTS_DATA_DIR) in an SQLite event store.
    """


@contextmanager
def _write_side() -> Iterator[Commitments]:
    """The application for one command; a refusal becomes the command's error."""
    app = build(cli_settings())
    try:
        yield app
    except (DomainError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    finally:
        app.close()


@main.command()
def init() -> None:
    """Create the event store's and the read model's tables (run once, before
    starting the other processes)."""
    settings = cli_settings()
    app = _set_up_store(settings)
    click.echo(f"event store and read model ready: {settings.persistence_module}")
    app.close()


def _set_up_store(settings: Settings) -> Commitments:
    """The store as `init` and `serve` open it, with the read tables set up:
    never one of a newer log, nor one missing what search needs."""
    try:
        app = build(settings)
    except NewerStore as error:
        raise click.ClickException(str(error)) from None
    try:
        build_queries(app).close()
    except StoreSetupError as error:
        app.close()
        raise click.ClickException(str(error)) from None
    return app


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=int,
              help="Web worker processes (gunicorn).")
@click.option("--no-worker", is_flag=True,
              help="Do not start the Celery worker and beat next to the web server.")
def serve(host: str, port: int, workers: int, no_worker: bool) -> None:
    """Run the web server, the projector, a Celery worker and beat, and keep
    them running.

    Tables are created first, once, here; the children then start with
    CREATE_TABLE=n so they never race to create them. A child that exits is
    reported and started again (after 1 s, doubling to 30 s while it keeps
    exiting); Ctrl-C or SIGTERM stops them all.
    """
    settings = cli_settings()
    app = _set_up_store(settings)
    app.close()
    os.environ["CREATE_TABLE"] = "n"
    python = sys.executable
    children = [
        Child("web", [python, "-m", "gunicorn", "-c", "python:api.gunicorn_conf",
                      "--no-control-socket", "--workers", str(workers),
                      "--bind", f"{host}:{port}", "--access-logfile", "-", "api:create_app()"]),
        Child("projector", [python, "-m", "api.cli", "projections", "run"]),
    ]
    if not no_worker:
        celery = [python, "-m", "celery", "-A", "workers.app"]
        children += [Child("worker", [*celery, "worker", "--pool=solo", "--loglevel=INFO"]),
                     Child("beat", [*celery, "beat", "--loglevel=INFO"])]
        click.echo(f"celery broker {settings.broker_url}")
        if not settings.mail.host:
            click.echo(f"no SMTP_HOST: reminder mails are written to {settings.mail.outbox}")
    supervisor = Supervisor(children, report=lambda line: click.echo(f"serve: {line}", err=True))
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    supervisor.start()
    try:
        while not stopping.wait(0.2):
            supervisor.tend()
    finally:
        supervisor.report("stopping " + ", ".join(child.name for child in children))
        supervisor.stop()


@main.group()
def projections() -> None:
    """The read model: tables kept from the event log for lists and reports."""


@projections.command("run")
@click.option("--poll", default=0.05, show_default=True, type=float,
              help="Seconds between looks at the log when there is nothing new (on "
              "PostgreSQL, the longest wait: an append announced wakes the projector at once).")
def projections_run(poll: float) -> None:
    """Follow the event log into the read tables until stopped.

    Several copies may run: each batch takes the projection's lock and checks
    its start position, so no event is applied twice.
    """
    app = build(cli_settings())
    queries = build_queries(app)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    click.echo(f"projector following the log from position {queries.view.position()}")
    Heartbeats(queries.view).keep_beating("projector")
    try:
        queries.projector.run_forever(poll=poll, stop=stopping.is_set)
    finally:
        queries.close()
        app.close()


@projections.command("rebuild")
def projections_rebuild() -> None:
    """Drop the read tables and build them again from the whole event log."""
    app = build(cli_settings())
    queries = build_queries(app)
    head = app.recorder.max_notification_id() or 0
    with click.progressbar(length=head, label="rebuilding the read model",
                           show_pos=True, show_eta=True) as bar:
        applied = queries.projector.rebuild(progress=bar.update)
    click.echo(f"rebuilt from {applied} events; position {queries.view.position()}")
    queries.close()
    app.close()


@projections.command("status")
def projections_status() -> None:
    """Each projection's position in the log and how far behind it is."""
    app = build(cli_settings())
    queries = build_queries(app)
    status = queries.projector.status()
    age = (f", oldest unapplied event {status.oldest_pending_age:.1f} s old"
           if status.oldest_pending_age is not None else "")
    click.echo(f"{queries.view.name}: position {status.position} of {status.head}, "
               f"lag {status.lag} events{age}")
    if status.quarantined:
        click.echo(f"{status.quarantined} event{'s' if status.quarantined > 1 else ''} set "
                   "aside (the read side could not apply them; fix the cause, then "
                   "`commitments projections rebuild` applies them again):")
        for q in queries.projector.quarantined():
            click.echo(f"  position {q.position}: {q.topic} of {q.originator_id} "
                       f"v{q.originator_version}: {q.error}")
    queries.close()
    app.close()


@main.group()
def reminders() -> None:
    """Reminders of due dates: what is due, and sending them now."""


@reminders.command("due")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Pretend it is this date (default: today in COMMITMENTS_TIMEZONE).")
def reminders_due(today: Any) -> None:
    """List the reminders the next scan would send, without sending them."""
    from service.reminders import Reminders

    app = build(cli_settings())
    # Catches up as it reads: no projector may be running (see build_queries).
    queries = build_queries(app)
    on = today.date() if today else app.clock()
    found = Reminders(app, queries, senders={}).scan(on)
    for due in found:
        view = queries.commitment(due.commitment_id)
        what = due.rung.value if due.rung else "unfinished delivery"
        click.echo(f"{what:<20} {view.agency:<10} due {due.due_on}  {due.commitment_id}  "
                   f"{view.text[:60]}")
    click.echo(f"{len(found)} reminders due on {on}", err=True)
    queries.close()
    app.close()


@reminders.command("scan")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Pretend it is this date (default: today in COMMITMENTS_TIMEZONE).")
def reminders_scan(today: Any) -> None:
    """Queue a scan now, as beat does every REMINDER_SCAN_SECONDS; a running
    worker sends what is due. Safe to repeat: nothing is sent twice."""
    from workers.app import make_celery

    settings = cli_settings()
    settings.prepare_storage()
    kwargs = {"today": today.date().isoformat()} if today else {}
    result = make_celery(settings).send_task("reminders.scan", kwargs=kwargs)
    click.echo(f"scan queued on {settings.broker_url} (task {result.id})")


@main.group()
def token() -> None:
    """Bearer tokens for the API."""


@token.command("create")
@click.option("--role", required=True, type=click.Choice([r.value for r in STAFF_ROLES]),
              help="admin: union secretariat; auditor: union leader; agency: one agency.")
@click.option("--agency", help="Agency code, for --role agency.")
@click.option("--label", default="", help="A note saying who holds the token.")
@click.option("--days", default=365, show_default=True, type=click.IntRange(min=1),
              help="Days the token is valid.")
@click.option("--no-expiry", is_flag=True, help="Valid until revoked.")
def token_create(role: str, agency: str | None, label: str, days: int, no_expiry: bool) -> None:
    """Print a new token on the last line; only its hash is stored.

    \b
    Example:
      commitments token create --role agency --agency SYT --label "Sở Y tế officer"
    """
    with _write_side() as app:
        code = canonical_code(agency) if agency else None
        life = None if no_expiry else timedelta(days=days)
        secret = app.issue_token(Role(role), code, label, valid_for=life)
        issued = app.get(token_id_of(secret))
    bound = f" for agency {code}" if code else ""
    until = (f", valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC" if issued.expires_at
             else ", valid until revoked")
    click.echo(f"New {role} token{bound} (id {issued.id}{until}). It is shown once; "
               "store it now:", err=True)
    click.echo(secret)


@token.command("list")
def token_list() -> None:
    """Every token issued: id, role, agency, label, expiry, whether revoked."""
    with _write_side() as app:
        # Catches up as it reads: no projector may be running (see build_queries).
        queries = build_queries(app)
        try:
            tokens = queries.tokens()
        finally:
            queries.close()
        now = app.now()
    for t in tokens:
        state = ("revoked" if t.revoked else "expired" if t.expires_at and t.expires_at <= now
                 else "active")
        until = f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never"
        click.echo(f"{t.id}  {state:<7}  {t.role.value:<7}  {t.agency or '-':<8}  "
                   f"expires {until:<10}  {t.label}")


@token.command("revoke")
@click.argument("token_id", type=click.UUID)
def token_revoke(token_id: Any) -> None:
    """Revoke the token with this id (from `token list`); requests with it are
    refused within 10 seconds, on every process."""
    with _write_side() as app:
        found = app.revoke_token(token_id)
    click.echo(f"revoked {found.id} ({found.role.value} {found.agency or ''} {found.label})")


@main.group()
def user() -> None:
    """Personal accounts for the staff workspace."""


@user.command("create")
@click.option("--email", required=True, help="The address the person signs in with.")
@click.option("--name", required=True, help="The person's name, as shown in the history.")
@click.option("--role", required=True, type=click.Choice([r.value for r in STAFF_ROLES]),
              help="admin: union secretariat; auditor: union leader; agency: an officer.")
@click.option("--agency", help="Agency code, for --role agency.")
@click.password_option(envvar="COMMITMENTS_NEW_PASSWORD",
                       help="Asked for twice when not given (or COMMITMENTS_NEW_PASSWORD).")
def user_create(email: str, name: str, role: str, agency: str | None, password: str) -> None:
    """Create a person's account; only a slow hash of the password is kept.

    \b
    Example:
      commitments user create --email nga@ldld.example.vn --name "Nông Thị Nga" --role auditor
    """
    with _write_side() as app:
        code = canonical_code(agency) if agency else None
        account = app.create_account(email, name, Role(role), code, password, CLI_ADMIN)
    bound = f" of {account.agency}" if account.agency else ""
    click.echo(f"created {account.role.value}{bound} account {account.email} ({account.id})")


@user.command("password")
@click.argument("email")
@click.password_option(envvar="COMMITMENTS_NEW_PASSWORD",
                       help="Asked for twice when not given (or COMMITMENTS_NEW_PASSWORD).")
def user_password(email: str, password: str) -> None:
    """Set a new password for the account of EMAIL."""
    with _write_side() as app:
        account = app.set_password(email, password, CLI_ADMIN)
    click.echo(f"new password set for {account.email}")


@user.command("disable")
@click.argument("email")
def user_disable(email: str) -> None:
    """Stop the account of EMAIL from signing in (its sessions end at their
    next request); what it did stays in the history."""
    with _write_side() as app:
        account = app.disable_account(email, CLI_ADMIN)
    click.echo(f"disabled {account.email}")


main.add_command(import_command)
main.add_command(candidates)
main.add_command(audit_group)
main.add_command(db_group)
main.add_command(log_group)
main.add_command(backup_command)


if __name__ == "__main__":
    main()
