"""The public accountability report: server-rendered pages, CSV and JSON.

Anonymous reads, stable addresses a newspaper can link to:
`/reports/`, `/reports/dialogues/{id}`, `/reports/agencies/{code}`,
`/reports/commitments/{id}`. Every page takes `?as_of=YYYY-MM-DD` (the report
as it stood at the end of that day), `?lang=vi|en` (remembered in a cookie;
otherwise Vietnamese, whatever the browser says) and, for the scorecard and the lists,
`?format=csv|json|docx|pdf|xlsx` (api/documents).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
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

from api import charts, documents, i18n, labels, passages
from api import report_schemas as out
from api.context import service
from api.documents import content
from api.documents.content import Document
from api.documents.content import inert as inert
from api.errors import envelope
from api.schemas import CURSOR, NOTE, Input, PublishedReportOut, Text
from domain.agency import canonical_code
from domain.dialogue import ForumKind
from domain.errors import InvalidInput, NotFound, TransitionNotAllowed
from service.asker import feedback_request, give_feedback
from service.published_reports import PublishedReports, view_of
from service.reports import Reports
from service.signed_links import LinkRefused

blp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")

FORMATS = ("html", "csv", "json", *documents.FORMATS)
PAGE_SIZE = 50
# Pages draw everything themselves: nothing is fetched from elsewhere, and
# nothing runs.
_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
           "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


class PageArgs(Input):
    class Meta:
        # Links shared by newspapers carry their own tracking parameters.
        unknown = EXCLUDE

    as_of = i18n.Day(label=i18n.N_("As of"))
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
    g.language = i18n.choose(request)
    # Carried on every link of the page, so a reader stays in the report
    # they chose (a link shared keeps it too).
    g.keep = {key: request.args[key] for key in ("lang", "as_of")
              if request.args.get(key) and (key != "lang" or asked in i18n.LANGUAGES)}


_NOT_KEPT = frozenset({"set-cookie", "content-length", "content-type"})


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
        self._found: OrderedDict[
            tuple[Any, ...], tuple[float, int, bytes, str, list[tuple[str, str]]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], position: int, wanted: int | None
            ) -> tuple[Response, int] | None:
        """The page kept for `key` that may answer a read of tables at
        `position` that must see `wanted`, and the position it was read at."""
        with self._lock:
            found = self._found.get(key)
        if found is None:
            return None
        at, read_at, body, mimetype, headers = found
        age = time.monotonic() - at
        if age > self.seconds or (read_at < position and (
                age > self.fresh_seconds or read_at < (wanted or 0))):
            return None
        response = Response(body, mimetype=mimetype)
        for name, value in headers:
            response.headers[name] = value
        return response, read_at

    def keep(self, key: tuple[Any, ...], position: int, response: Response) -> None:
        # Every header the page was answered with (a download's name, the
        # asker's page's no-referrer), but never a cookie meant for its reader.
        headers = [(name, value) for name, value in response.headers.items()
                   if name.lower() not in _NOT_KEPT]
        entry = (time.monotonic(), position, response.get_data(),
                 response.mimetype or "text/html", headers)
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
    response.headers["Vary"] = "Cookie"
    i18n.remember(request, response)
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
            raise BadRequest("as_of", str(messages["as_of"][0])) from None
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
        name = f"scorecard-{forum}-{overview.as_of}" if forum else f"scorecard-{overview.as_of}"
        return documents.csv_response(content.standings(overview.standings), name)
    if args["format"] in documents.FORMATS:
        return _document(content.overview, overview, args["format"])
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
        return documents.csv_response(content.export(report.commitments),
                                      f"dialogue-{dialogue_id}-{report.as_of}")
    if args["format"] in documents.FORMATS:
        return _document(content.dialogue, report, args["format"])
    return _page("reports/dialogue.html", report=report)


@blp.route("/agencies/<code>")
def agency(code: str) -> Any:
    args = _args()
    code = _code(code)
    if args["format"] != "html":
        # An export holds every promise of the agency, not one page.
        whole = reports().agency(code, args.get("as_of"), limit=None)
        if args["format"] == "json":
            return _json(out.AgencyReportOut().dump(whole))
        if args["format"] == "csv":
            return documents.csv_response(content.export(whole.commitments),
                                          f"agency-{code}-{whole.as_of}")
        return _document(content.agency, whole, args["format"])
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
    if args["format"] != "html":
        raise BadRequest("format", i18n._(
            "One commitment has no table to export: use format=json, or the CSV of its "
            "agency or dialogue."))
    return _page("reports/commitment.html", report=report)


@blp.route("/published/<report_id>")
def published(report_id: str) -> Any:
    """A report the secretariat published after the agencies' replies: as it
    was frozen, each reply beside its entry, with the log's head digest."""
    args = _args()
    found = PublishedReports(service(), current_app.extensions["queries"]).published(
        _uuid(report_id, "published report"))
    view = view_of(found)
    if args["format"] == "json":
        return _json(PublishedReportOut().dump(view))
    names = {a.code: a.name for a in current_app.extensions["queries"].agencies()}
    name = f"published-report-{found.as_of}"
    if args["format"] == "csv":
        return documents.csv_response(content.published(view.entries, names), name)
    if args["format"] == "xlsx":
        return documents.workbook_response([content.published(view.entries, names)], name)
    if args["format"] != "html":
        raise BadRequest("format", i18n._(
            "A published report is exported as CSV, Excel or JSON: use format=csv, xlsx "
            "or json."))
    return _page("reports/published.html", published=view, names=names, as_of=found.as_of)


@blp.route("/asker/<token>", methods=["GET", "POST"])
def asker_feedback(token: str) -> Any:
    """The page the links in a claim's mail open: the asker confirms the
    agency's report, or contests it with a note (the link's signature is
    the proof; domain.asker says when it may be given)."""
    try:
        asked = feedback_request(service(), token)
    except LinkRefused as error:
        return _error(403, i18n._("This link cannot be used"), error.message, None)
    done, error_text, note = None, None, None
    if request.method == "POST":
        note = request.form.get("note", "")[:NOTE]
        try:
            done = give_feedback(service(), token, note).asker_feedback
        except InvalidInput:
            error_text = i18n._("Say what was not done: an objection needs a note.")
        except TransitionNotAllowed:
            asked = feedback_request(service(), token)
    response = _page("reports/asker.html", request_=asked, done=done, error=error_text,
                     note=note)
    # The link is the asker's key: never sent on to another site.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response, 422 if error_text else 200


# -- errors -------------------------------------------------------------------------


@blp.errorhandler(BadRequest)
def _bad_request(error: BadRequest) -> Any:
    return _error(400, i18n._("This report cannot be shown"), error.message, error.field)


@blp.errorhandler(NotFound)
def _not_found(error: NotFound) -> Any:
    return _error(404, i18n._("Not found in the report"), error.message, None)


def _error(status: int, title: str, message: str, field: str | None) -> Any:
    if request.args.get("format") in ("json", "csv", *documents.FORMATS):
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


def _json(data: dict[str, Any]) -> Any:
    """A report as JSON, saying whose it is (ORGANISATION_NAME; null when unset),
    as its page does: a figure quoted on its own still names who published it."""
    return current_app.json.response(
        {"publisher": service().settings.organisation_name or None, **data})


def _document(build: Callable[..., Document], report: Any, form: str) -> Response:
    """The report as a document to file: the issuer, signer and template from
    the settings, dated today, with the log's head in its footer."""
    settings = service().settings.documents
    return documents.respond(build(report, settings, reports().today(), reports().log_head()),
                             form, settings)


def register(app: Any) -> None:
    """The blueprint, with the template helpers its pages use."""
    from api import feeds  # noqa: F401  (its routes: feeds and following, on this blueprint)

    app.register_blueprint(blp)
    app.extensions["report_pages"] = RenderedPages()
    # Someone who types the bare address is a reader: show them the report.
    app.add_url_rule("/", "front", lambda: redirect(url_for("reports.index"), code=302))
    env = app.jinja_env
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    env.filters.update(day=i18n.day, month=i18n.month, number=i18n.number,
                       percent=i18n.percent, local_day=_local_day, entry=i18n.entry,
                       passages=passages.html)
    env.globals.update(labels=labels, link=link, this_page=this_page, language=i18n.language,
                       languages=i18n.LANGUAGES, today=lambda: reports().today(),
                       safe_url=_safe_url, log_head=lambda: reports().log_head(),
                       as_of_chosen=lambda: "as_of" in g.get("keep", {}),
                       date_input=i18n.date_input)


def _local_day(instant: datetime) -> date:
    """The calendar day of an instant where the service is, as effective dates
    are: an event recorded at 01:00 on the 5th in Hà Nội is of the 5th, not of
    the 4th as UTC says."""
    return instant.astimezone(service().settings.timezone).date()


def _safe_url(url: Any) -> str | None:
    """Only web links become links: evidence is typed in by people."""
    text = str(url or "")
    return text if text.startswith(("https://", "http://")) else None

