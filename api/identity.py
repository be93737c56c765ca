"""Whose service this is: the organisation's name (`ORGANISATION_NAME`) and
its logo (a file in the data folder, served at `/logo`), for the report's
and the workspace's pages to show."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, send_file, url_for

from service.settings import Settings

_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".webp": "image/webp",
          ".svg": "image/svg+xml"}


def register(app: Flask, settings: Settings) -> None:
    def logo() -> Response:
        path = settings.logo()
        if path is None:
            abort(404)
        response = send_file(path, mimetype=_TYPES[path.suffix], max_age=3600)
        # An SVG can hold script: shown as an image it never runs, and opened
        # on its own it may not either.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; sandbox")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    app.add_url_rule("/logo", "logo", logo)

    def logo_url() -> str | None:
        path = settings.logo()
        if path is None:
            return None
        # The file's time in the address: a new logo is not hidden by caches.
        return url_for("logo", v=int(path.stat().st_mtime))

    globals_: dict[str, Any] = {"organisation": settings.organisation_name,
                                "logo_url": logo_url}
    app.jinja_env.globals.update(globals_)
