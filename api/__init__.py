"""HTTP entry point: `create_app()` builds the Flask app around the service."""

from __future__ import annotations

import threading

from eventsourcing.persistence import InterfaceError, OperationalError
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from service.application import Commitments
from service.bootstrap import build, build_queries
from service.lockout import Lockout
from service.queries import Queries
from service.reports import Reports
from service.settings import Settings


def create_app(service: Commitments | None = None, queries: Queries | None = None) -> Flask:
    """The Flask app; builds the service from the environment unless given one.

    Called once per process (gunicorn calls it in each worker after fork), so
    every process has its own connection pool.
    """
    from api import (
        agencies,
        commitments,
        dialogues,
        docs,
        errors,
        freshness,
        health,
        identity,
        imports,
        public,
        published_reports,
        reports,
        workspace,
    )

    app = Flask(__name__)
    settings = service.settings if service is not None else Settings.from_env()
    app.config.update(
        # One limit for every body: a form's fields are held to it too, not
        # to Werkzeug's own 500 kB (a transcript is pasted in a form).
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_request_bytes,
        API_TITLE="Commitments accountability service",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        **docs.settings(),
    )
    # Vietnamese stays readable in responses, and fields keep the schemas'
    # order (id first) instead of paying for a sort on every response.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if settings.proxy_hops:
        # Behind a proxy every request comes from the proxy's address: the
        # client is the one it names, and only as many hops as configured.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)
    # Failed tokens and sign-ins, counted where every web process sees them.
    app.extensions["lockout"] = Lockout(settings)
    wiring = threading.Lock()

    def wire(found: Commitments, reads: Queries) -> None:
        # Only the projector writes the read tables: a request waits for it,
        # never applies an event itself (see api/freshness.py).
        reads.catches_up = False
        app.extensions["queries"] = reads
        app.extensions["reports"] = Reports(reads, settings.report_minimum)
        app.extensions["commitments"] = found

    if service is not None:
        wire(service, queries or build_queries(service))
    else:
        try:
            built = build(settings)
            wire(built, build_queries(built))
        except (OperationalError, InterfaceError) as error:
            # A worker restarted while the database is down still boots and
            # answers 503 until the store is back, instead of failing to boot
            # (which stops gunicorn altogether).
            app.logger.warning("event store not reachable at start (%s); will retry", error)

    @app.before_request
    def _wired() -> None:
        if "commitments" in app.extensions:
            return
        with wiring:
            if "commitments" not in app.extensions:
                built = build(settings)  # raises: answered 503 by errors.register
                wire(built, build_queries(built))

    https = settings.public_base_url.startswith("https://")
    freshness.register(app, https=https)
    api = errors.EnvelopeApi(app, spec_kwargs={"security": [{"bearerAuth": []}]})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for module in (agencies, dialogues, commitments, imports, public, health,
                   published_reports):
        api.register_blueprint(module.blp)
    errors.register(app)
    docs.register(app)
    reports.register(app)
    identity.register(app, settings)
    workspace.configure(app, settings.session_secret(), https=https)
    return app
