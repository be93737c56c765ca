"""Build the service from settings: the one place that wires its parts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from service.appends import postgres_announce_appends
from service.application import Commitments
from service.integrity import postgres_append_only, sqlite_append_only
from service.projection import open_view
from service.queries import Queries
from service.schema import schema_lock
from service.settings import Settings
from service.store_version import NewerStore, stamp


def build(settings: Settings | None = None, clock: Callable[[], date] | None = None) -> Commitments:
    """The write side alone: enough for the CLI's token commands."""
    settings = settings or Settings.from_env()
    settings.prepare_storage()
    if not settings.creates_tables:
        # A web worker restarted while the database is down must still boot
        # (and answer 503s), not take a connection it cannot get.
        return Commitments(settings, clock=clock)
    with schema_lock(settings.persistence_module, settings.eventsourcing_env, Commitments.name):
        app = Commitments(settings, clock=clock)
        make_log_triggers(app)
        try:
            stamp(app)
        except NewerStore:
            app.close()
            raise
        return app


def make_log_triggers(app: Commitments) -> None:
    """Triggers on the events table: they refuse to change or delete a stored
    event, for anyone; on PostgreSQL one also tells a waiting projector of
    each append (service/appends.py), where SQLite has no such signal."""
    recorder: Any = app.recorder
    table = recorder.events_table_name
    if app.settings.is_embedded:
        statements = sqlite_append_only(table)
    else:
        schema = recorder.datastore.schema
        statements = (postgres_append_only(schema, table)
                      + postgres_announce_appends(schema, table))
    with recorder.datastore.transaction(commit=True) as cursor:
        for statement in statements:
            cursor.execute(statement)


def build_queries(app: Commitments, *, catches_up: bool = True) -> Queries:
    """The read side over `app`'s log. A long-running process (the web, a
    worker) passes `catches_up=False`: only the projector writes the tables,
    and its reads wait for it. A one-shot command keeps the default: an
    operator may run it where no projector runs (the embedded store, the
    service stopped), and its answer must include what is in the log."""
    return Queries(app, open_view(app), catches_up=catches_up)
