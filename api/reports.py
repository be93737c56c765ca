"""The public accountability report: server-rendered pages, CSV and JSON.

Anonymous reads, stable addresses a newspaper can link to:
`/reports/`, `/reports/dialogues/{id}`, `/reports/agencies/{code}`,
`/reports/commitments/{id}`. Every page takes `?as_of=YYYY-MM-DD` (the report
as it stood at the end of that day), `?lang=vi|en` (otherwise the browser's
language, otherwise Vietnamese) and, for the scorecard and the lists,
`?format=csv|json`.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from marshmallow import EXCLUDE, ValidationError, fields
from marshmallow.validate import OneOf

from api import charts, i18n, labels
from api import report_schemas as out
from api.context import service
from api.errors import envelope
from api.schemas import CURSOR, Input, Text
from domain.agency import canonical_code
from domain.dialogue import ForumKind
from domain.errors import NotFound
from service.reports import Reports

blp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")

FORMATS = ("html", "csv", "json")
PAGE_SIZE = 50
# Pages draw everything themselves: nothing is fetched from elsewhere, and
# nothing runs.
_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
           "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


class PageArgs(Input):
    class Meta:
        # Links shared by newspapers carry their own tracking parameters.
        unknown = EXCLUDE

    as_of = fields.Date()
    lang = fields.Str(validate=OneOf(i18n.LANGUAGES))
    format = fields.Str(validate=OneOf(FORMATS), load_default="html")
    after = Text(max_length=CURSOR)


class IndexArgs(PageArgs):
    # The front page counts one kind of forum, or all.
    forum = fields.Str(validate=OneOf([f.value for f in ForumKind]))


class BadRequest(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def reports() -> Reports:
    found: Reports = current_app.extensions["reports"]
    return found


@blp.before_request
def _language() -> None:
    asked = request.args.get("lang")
    g.language = i18n.choose(asked, request)
    # Carried on every link of the page, so a reader stays in the report
    # they chose; the browser's own language is not a choice to repeat.
    g.keep = {key: request.args[key] for key in ("lang", "as_of")
              if request.args.get(key) and (key != "lang" or asked in i18n.LANGUAGES)}


class RenderedPages:
    """Pages as rendered, in this process, by what they are made of: the
    day (what is overdue), the language and the address, and the read
    tables' position they were read at.

    A page read at the tables' current position is the page again, so a
    load of reads renders each page once. With writes coming in, the tables
    move every few milliseconds: a reader who names no write of theirs gets
    the page of a moment ago (`fresh_seconds`), with the events it is behind
    in X-Read-Model-Lag, as a read of tables behind the log does; one who
    names a write gets a page that shows it. Nothing is kept long
    (`seconds`): a rebuild brings the position back to the same numbers
    with tables that may say more (events once set aside)."""

    def __init__(self, pages: int = 64, seconds: float = 10.0,
                 fresh_seconds: float = 1.0) -> None:
        self.pages = pages
        self.seconds = seconds
        self.fresh_seconds = fresh_seconds
        self._found: OrderedDict[tuple[Any, ...],
                                 tuple[float, int, bytes, str, str | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], position: int, wanted: int | None
            ) -> tuple[Response, int] | None:
        """The page kept for `key` that may answer a read of tables at
        `position` that must see `wanted`, and the position it was read at."""
        with self._lock:
            found = self._found.get(key)
        if found is None:
            return None
        at, read_at, body, mimetype, disposition = found
        age = time.monotonic() - at
        if age > self.seconds or (read_at < position and (
                age > self.fresh_seconds or read_at < (wanted or 0))):
            return None
        response = Response(body, mimetype=mimetype)
        if disposition is not None:
            response.headers["Content-Disposition"] = disposition
        return response, read_at

    def keep(self, key: tuple[Any, ...], position: int, response: Response) -> None:
        entry = (time.monotonic(), position, response.get_data(),
                 response.mimetype or "text/html", response.headers.get("Content-Disposition"))
        with self._lock:
            self._found[key] = entry
            self._found.move_to_end(key)
            while len(self._found) > self.pages:
                self._found.popitem(last=False)


def _pages() -> RenderedPages:
    found: RenderedPages = current_app.extensions["report_pages"]
    return found


@blp.before_request
def _rendered() -> Response | None:
    queries = reports().queries
    queries.fresh()
    position = queries.position
    if position is None or request.method != "GET":
        return None
    key = (reports().today(), i18n.language(), request.full_path)
    found = _pages().get(key, position, queries.wanted)
    if found is None:
        g.page_key = (key, position)  # rendered below, and kept
        return None
    response, read_at = found
    # Read when the tables were further behind the log.
    queries.lag += position - read_at
    return response


@blp.after_request
def _keep(response: Response) -> Response:
    found = g.pop("page_key", None)
    if found is not None and response.status_code == 200 and not response.is_streamed:
        key, position = found
        _pages().keep(key, position, response)
    return response


@blp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Language"] = i18n.language()
    response.headers["Vary"] = "Accept-Language"
    response.headers["Content-Security-Policy"] = _POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _args(schema: type[PageArgs] = PageArgs) -> dict[str, Any]:
    try:
        args: dict[str, Any] = schema().load(request.args)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        field = next(iter(messages))
        value = request.args.get(str(field), "")
        if field == "as_of":
            raise BadRequest("as_of", i18n._(
                "“%(value)s” is not a date: write it as YYYY-MM-DD, for example 2024-12-31.",
                value=value)) from None
        raise BadRequest(str(field), i18n._(
            "“%(value)s” is not a valid value for %(field)s.", value=value,
            field=str(field))) from None
    as_of = args.get("as_of")
    today = reports().today()
    if as_of is not None and as_of > today:
        raise BadRequest("as_of", i18n._(
            "The report cannot be shown as of %(day)s: that day has not come yet "
            "(today is %(today)s).", day=i18n.day(as_of), today=i18n.day(today)))
    return args


@blp.route("/")
def index() -> Any:
    args = _args(IndexArgs)
    forum = args.get("forum")
    overview = reports().overview(args.get("as_of"), ForumKind(forum) if forum else None)
    if args["format"] == "json":
        return _json(out.OverviewOut().dump(overview))
    if args["format"] == "csv":
        rows = out.StandingOut(many=True).dump(overview.standings)
        name = f"scorecard-{forum}-{overview.as_of}" if forum else f"scorecard-{overview.as_of}"
        return csv_response(rows, out.STANDING_COLUMNS, name)
    return _page("reports/index.html", overview=overview,
                 bars=charts.stacked_bars([s for s in overview.standings]),
                 line=charts.made_and_fulfilled(overview.months))


@blp.route("/dialogues/<dialogue_id>")
def dialogue(dialogue_id: str) -> Any:
    args = _args()
    report = reports().dialogue(_uuid(dialogue_id, "dialogue"), args.get("as_of"))
    if args["format"] == "json":
        return _json(out.DialogueReportOut().dump(report))
    if args["format"] == "csv":
        rows = out.ReportedOut(many=True, exclude=("timeline",)).dump(report.commitments)
        return csv_response(rows, out.COMMITMENT_COLUMNS, f"dialogue-{dialogue_id}-{report.as_of}")
    return _page("reports/dialogue.html", report=report)


@blp.route("/agencies/<code>")
def agency(code: str) -> Any:
    args = _args()
    code = _code(code)
    if args["format"] in ("csv", "json"):
        # An export holds every promise of the agency, not one page.
        whole = reports().agency(code, args.get("as_of"), limit=None)
        if args["format"] == "json":
            return _json(out.AgencyReportOut().dump(whole))
        rows = out.ReportedOut(many=True, exclude=("timeline",)).dump(whole.commitments)
        return csv_response(rows, out.COMMITMENT_COLUMNS, f"agency-{code}-{whole.as_of}")
    report = reports().agency(code, args.get("as_of"), cursor=args.get("after"),
                              limit=PAGE_SIZE)
    return _page("reports/agency.html", report=report,
                 line=charts.made_and_fulfilled(report.months))


@blp.route("/commitments/<commitment_id>")
def commitment(commitment_id: str) -> Any:
    args = _args()
    report = reports().commitment(_uuid(commitment_id, "commitment"), args.get("as_of"))
    if args["format"] == "json":
        return _json(out.CommitmentReportOut().dump(report))
    if args["format"] == "csv":
        raise BadRequest("format", i18n._(
            "One commitment has no table to export: use format=json, or the CSV of its "
            "agency or dialogue."))
    return _page("reports/commitment.html", report=report)


# -- errors -------------------------------------------------------------------------


@blp.errorhandler(BadRequest)
def _bad_request(error: BadRequest) -> Any:
    return _error(400, i18n._("This report cannot be shown"), error.message, error.field)


@blp.errorhandler(NotFound)
def _not_found(error: NotFound) -> Any:
    return _error(404, i18n._("Not found in the report"), error.message, None)


def _error(status: int, title: str, message: str, field: str | None) -> Any:
    if request.args.get("format") in ("json", "csv"):
        return envelope(status, "invalid" if status == 400 else "not_found", message,
                        {field: [message]} if field else {})
    return _page("reports/error.html", status=status, title=title, message=message), status


# -- rendering --------------------------------------------------------------------------


def _code(value: str) -> str:
    # What is no code names no agency: never a lookup with whatever the
    # address held (PostgreSQL refuses a NUL in it).
    try:
        return canonical_code(value)
    except ValueError:
        raise NotFound(f"no agency with code {value!r}") from None


def _uuid(value: str, what: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(f"no {what} with id {value!r}") from None


def link(endpoint: str, **values: Any) -> str:
    """A link within the report that keeps the reader's language and date."""
    return url_for(endpoint, **{**g.get("keep", {}), **values})


def this_page(**changes: Any) -> str:
    """This page's address with some parameters changed (None drops one)."""
    values: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict()}
    values.pop("after", None)
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    assert request.endpoint is not None
    return url_for(request.endpoint, **values)


def _page(template: str, **context: Any) -> Response:
    if "as_of" not in context:
        shown = context.get("report") or context.get("overview")
        context["as_of"] = shown.as_of if shown is not None else reports().today()
    return Response(render_template(template, **context), mimetype="text/html")


def _json(data: Any) -> Any:
    return current_app.json.response(data)


def csv_response(rows: Sequence[dict[str, Any]], columns: Iterable[str], name: str) -> Response:
    buffer = io.StringIO()
    # The byte-order mark makes spreadsheet programs read the file as UTF-8,
    # which Vietnamese text needs.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    columns = list(columns)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ; ".join(item.get("url") or item.get("title", "") if isinstance(item, dict)
                           else str(item) for item in value)
    return inert(value) if isinstance(value, str) else value


# A spreadsheet runs a cell that starts with one of these as a formula: text
# typed by anyone (a promise, an asker's name) must not run on a reader's PC.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """OWASP's rule for CSV injection: a leading single quote makes the cell text."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def register(app: Any) -> None:
    """The blueprint, with the template helpers its pages use."""
    app.register_blueprint(blp)
    app.extensions["report_pages"] = RenderedPages()
    # Someone who types the bare address is a reader: show them the report.
    app.add_url_rule("/", "front", lambda: redirect(url_for("reports.index"), code=302))
    env = app.jinja_env
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    env.filters.update(day=i18n.day, month=i18n.month, number=i18n.number,
                       percent=i18n.percent, local_day=_local_day)
    env.globals.update(labels=labels, link=link, this_page=this_page, language=i18n.language,
                       languages=i18n.LANGUAGES, today=lambda: reports().today(),
                       safe_url=_safe_url, log_head=lambda: reports().log_head(),
                       as_of_chosen=lambda: "as_of" in g.get("keep", {}))


def _local_day(instant: datetime) -> date:
    """The calendar day of an instant where the service is, as effective dates
    are: an event recorded at 01:00 on the 5th in Hà Nội is of the 5th, not of
    the 4th as UTC says."""
    return instant.astimezone(service().settings.timezone).date()


def _safe_url(url: Any) -> str | None:
    """Only web links become links: evidence is typed in by people."""
    text = str(url or "")
    return text if text.startswith(("https://", "http://")) else None

