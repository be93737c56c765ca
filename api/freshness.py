"""Reading one's own writes while only the projector writes the read tables.

A request that stored events answers `X-Log-Position: N`, the position of
the last of them in the log, and keeps N in a cookie, so that a browser's
next page (where a form redirects) sees the write. A read that must see a
write names it, by `X-Read-After: N` or by that cookie; its first read of a
table waits for the projector to pass N, at most READ_WAIT_SECONDS, then
answers anyway. Any answer read from tables that are behind the log says by
how many events: `X-Read-Model-Lag: N`.
"""

from __future__ import annotations

from flask import Flask, Response, request

from api.errors import ApiError

POSITION = "X-Log-Position"
READ_AFTER = "X-Read-After"
LAG = "X-Read-Model-Lag"
COOKIE = "commitments_read_after"
# Long enough for the page a form leads to; short enough that, should the
# projector stop, a browser's pages do not each wait for long after.
_COOKIE_SECONDS = 60
# Positions are 64-bit integers in both stores.
_LARGEST = 2**63 - 1


def register(app: Flask, *, https: bool) -> None:
    """Hooks run around every request, after the service is wired."""

    @app.before_request
    def _read_after() -> None:
        app.extensions["commitments"].forget_saved_position()
        app.extensions["queries"].read_after(_wanted())

    @app.teardown_request
    def _done(_: BaseException | None) -> None:
        queries = app.extensions.get("queries")
        if queries is not None:
            queries.request_done()

    @app.after_request
    def _positions(response: Response) -> Response:
        queries = app.extensions.get("queries")
        if queries is not None and queries.lag:
            response.headers[LAG] = str(queries.lag)
        service = app.extensions.get("commitments")
        if service is not None and response.status_code < 400:
            position = service.saved_position()
            if position is not None:
                response.headers[POSITION] = str(position)
                response.set_cookie(COOKIE, str(position), max_age=_COOKIE_SECONDS,
                                    httponly=True, samesite="Lax", secure=https)
        return response


def _wanted() -> int | None:
    """The position this request's reads must see: the header's, or else the
    cookie's (a browser's own last write)."""
    header = request.headers.get(READ_AFTER)
    if header is not None:
        text = header.strip()
        if not text.isascii() or not text.isdigit() or int(text) > _LARGEST:
            raise ApiError(
                400, f"{READ_AFTER} must be a log position such as \"42\" (a write's "
                f"{POSITION}), got {header!r}", fields={READ_AFTER: ["not a log position"]})
        return int(text)
    cookie = request.cookies.get(COOKIE, "")
    # Not the client's to get wrong: a cookie that is no position is ignored.
    if cookie.isascii() and cookie.isdigit() and int(cookie) <= _LARGEST:
        return int(cookie)
    return None

