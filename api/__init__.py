"""HTTP entry point: `create_app()` builds the Flask app around the service."""

from __future__ import annotations

from flask import Flask, Response

from api.auth import FailedTokens
from service.application import Commitments
from service.bootstrap import build, build_queries
from service.queries import Queries
from service.reports import Reports


def create_app(service: Commitments | None = None, queries: Queries | None = None) -> Flask:
    """The Flask app; builds the service from the environment unless given one.

    Called once per process (gunicorn calls it in each worker after fork), so
    every process has its own connection pool.
    """
    from api import agencies, commitments, dialogues, errors, health, imports, public, reports

    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=1024 * 1024,
        API_TITLE="Commitments accountability service",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    # Vietnamese stays readable in responses, and fields keep the schemas'
    # order (id first) instead of paying for a sort on every response.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    service = service or build()
    app.extensions["commitments"] = service
    app.extensions["queries"] = queries or build_queries(service)
    app.extensions["reports"] = Reports(app.extensions["queries"],
                                        service.settings.report_minimum)
    app.extensions["failed_tokens"] = FailedTokens(service.settings.token_failures_allowed,
                                                   service.settings.token_failure_window)

    @app.before_request
    def _no_lag_yet() -> None:
        app.extensions["queries"].lag = 0

    @app.after_request
    def _lag(response: Response) -> Response:
        # Reads answered from tables the projection has not caught up with
        # say by how many events they are behind.
        lag = app.extensions["queries"].lag
        if lag:
            response.headers["X-Read-Model-Lag"] = str(lag)
        return response
    api = errors.EnvelopeApi(app, spec_kwargs={"security": [{"bearerAuth": []}]})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for module in (agencies, dialogues, commitments, imports, public, health):
        api.register_blueprint(module.blp)
    errors.register(app)
    reports.register(app)
    return app
