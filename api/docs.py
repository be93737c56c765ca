"""API documentation for people: Swagger UI at /api/v1/docs.

flask-smorest draws the page around the OpenAPI document it generates
(/api/v1/openapi.json); the page's scripts and styles are served from here,
out of the flask-swagger-ui package, never from a CDN: many offices sit
behind firewalls that let nothing else through.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import flask_swagger_ui
from flask import Blueprint, Flask, Response, request, send_from_directory

PREFIX = "/api/v1"
PAGE = "docs"
ASSETS_URL = f"{PREFIX}/{PAGE}/"
ASSETS = Path(flask_swagger_ui.__file__).parent / "dist"
# flask-smorest's name for the endpoint of the page it draws.
PAGE_ENDPOINT = "api-docs.openapi_swagger_ui"

# The browser itself refuses anything from elsewhere; Swagger UI's own
# script and styles are inline in the page.
_POLICY = ("default-src 'none'; script-src 'self' 'unsafe-inline'; "
           "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
           "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

blp = Blueprint("swagger_ui_assets", __name__, url_prefix=f"{PREFIX}/{PAGE}")


@blp.route("/<name>")
def asset(name: str) -> Response:
    return send_from_directory(ASSETS, name)


def settings() -> dict[str, Any]:
    """flask-smorest's configuration of the page (before `Api(app)`)."""
    return {
        "OPENAPI_SWAGGER_UI_PATH": PAGE,
        "OPENAPI_SWAGGER_UI_URL": ASSETS_URL,
        "OPENAPI_SWAGGER_UI_CONFIG": {
            # Swagger UI otherwise sends the document to validator.swagger.io.
            "validatorUrl": None,
            "deepLinking": True,
            "docExpansion": "none",
        },
    }


def register(app: Flask) -> None:
    app.register_blueprint(blp)

    @app.after_request
    def _policy(response: Response) -> Response:
        if request.endpoint in (PAGE_ENDPOINT, "swagger_ui_assets.asset"):
            response.headers["Content-Security-Policy"] = _POLICY
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response
