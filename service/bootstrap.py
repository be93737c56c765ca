"""Build the service from settings: the one place that wires its parts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from service.application import Commitments
from service.projection import open_view
from service.queries import Queries
from service.schema import schema_lock
from service.settings import Settings


def build(settings: Settings | None = None, clock: Callable[[], date] | None = None) -> Commitments:
    """The write side alone: enough for the CLI's token commands."""
    settings = settings or Settings.from_env()
    settings.prepare_storage()
    with schema_lock(settings.persistence_module, settings.eventsourcing_env, Commitments.name):
        return Commitments(settings, clock=clock)


def build_queries(app: Commitments) -> Queries:
    """The read side over `app`'s log, wired back into it for the use cases
    that need to find things (an agency's commitments still in play)."""
    queries = Queries(app, open_view(app))
    app.in_play_of = queries.in_play_of
    return queries
