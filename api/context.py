"""The per-request view of the service: the application and the caller."""

from __future__ import annotations

from uuid import UUID

from flask import current_app, g

from domain.access import Actor
from service.application import Commitments
from service.queries import Queries


def service() -> Commitments:
    app: Commitments = current_app.extensions["commitments"]
    return app


def queries() -> Queries:
    found: Queries = current_app.extensions["queries"]
    return found


def actor() -> Actor:
    found: Actor = g.actor
    return found


def credential_id() -> UUID:
    found: UUID = g.token_id
    return found
