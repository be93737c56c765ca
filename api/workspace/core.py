"""The staff workspace: pages where people sign in and do their work.

Sessions live in a signed cookie (HttpOnly, SameSite=Lax, Secure behind
https) holding only the account id and a CSRF token; every form posts that
token back. Repeated failed sign-ins are held back (service/lockout.py).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer
from marshmallow import EXCLUDE, ValidationError
from werkzeug.exceptions import Forbidden, HTTPException, NotFound
from werkzeug.wrappers import Response as BaseResponse

from api import i18n
from api.context import service
from api.i18n import N_
from api.schemas import Input
from domain import errors as refusals
from domain.access import Role
from domain.account import Account, account_id
from domain.errors import (
    AlreadyExists,
    DomainError,
    TransitionNotAllowed,
    VersionConflict,
)
from domain.text import Fault
from service.idempotency import Idempotency
from service.lockout import Lockout, Scope

blp = Blueprint("workspace", __name__, url_prefix="/workspace")

PAGE_SIZE = 50


def configure(app: Any, secret: str, https: bool) -> None:
    app.secret_key = secret
    app.config.update(
        SESSION_COOKIE_NAME="commitments_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
    )
    # A fresh key in every form a page hands out: see `once`.
    app.jinja_env.globals["submission"] = lambda: secrets.token_urlsafe(16)
    app.register_blueprint(blp)


@blp.before_request
def _language_and_csrf() -> None:
    g.language = i18n.choose(request)
    session.setdefault("csrf", secrets.token_urlsafe(32))
    if request.method == "POST":
        sent = request.form.get("csrf_token", "")
        if not secrets.compare_digest(sent, session["csrf"]):
            # The form did not come from a page this session was given.
            abort(400, description=i18n._(
                "This form has expired or did not come from this site; reload the page "
                "and send it again."))


@blp.after_request
def _no_store(response: Response) -> Response:
    # Workspace pages show a person's own work: never from a shared cache.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    response.headers["Content-Language"] = i18n.language()
    i18n.remember(request, response)
    return response


@blp.errorhandler(400)
@blp.errorhandler(403)
@blp.errorhandler(404)
def _refused(error: HTTPException) -> Any:
    messages = {403: error.description if error.description != Forbidden.description
                else i18n._("This belongs to another agency: you cannot see or change it."),
                404: error.description if error.description != NotFound.description
                else i18n._("There is no such commitment.")}
    message = messages.get(error.code or 400, error.description)
    return render_template("workspace/error.html", message=message,
                           account=g.get("account")), error.code


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        account = _account()
        if account is None:
            return redirect(url_for("workspace.sign_in", next=request.full_path))
        g.account = account
        return view(*args, **kwargs)
    return wrapper


def _account() -> Account | None:
    raw = session.get("account")
    if not raw:
        return None
    # The signed-in account from its own events, not the accounts' table: a
    # disabled account is shut out at once, not once the projector has
    # passed the write that disabled it.
    try:
        found = service().get(UUID(raw))
    except (ValueError, AggregateNotFoundError):  # an id that opens nothing now
        session.clear()
        return None
    if not isinstance(found, Account) or found.disabled:
        session.clear()
        return None
    return found


@blp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    error = None
    email = ""
    status = 200
    headers: dict[str, str] = {}
    if request.method == "POST":
        lockout: Lockout = current_app.extensions["lockout"]
        email = request.form.get("email", "").strip()
        attempt = lockout.sign_in(request.remote_addr or "unknown", email,
                                  known_browser=_known_browser(email))
        if attempt.refused:
            refused_by = attempt.refused_by
            message = (TOO_MANY_FOR_ACCOUNT if refused_by and refused_by.scope is Scope.ACCOUNT
                       else TOO_MANY_FROM_ADDRESS)
            error = i18n._(message, minutes=max(1, math.ceil(attempt.wait / 60)))
            status = 429
            headers["Retry-After"] = str(attempt.retry_after)
        else:
            try:
                account = service().sign_in(email, request.form.get("password", ""))
            except BaseException:
                lockout.succeeded(attempt)  # not a failure of the password's
                raise
            if account is None:
                # The form again, with the message: a page, not a refusal.
                error = i18n._("That e-mail address and password do not match an account.")
            else:
                lockout.succeeded(attempt)
                session.clear()  # a new session: nothing carried over from before
                session.permanent = True
                session.update(account=str(account.id), csrf=secrets.token_urlsafe(32))
                response = redirect(_safe_next(request.args.get("next")))
                _remember_browser(response, account.id)
                return response
    return render_template("workspace/sign_in.html", error=error, email=email), status, headers


TOO_MANY_FROM_ADDRESS = N_("Too many failed sign-ins from this address; try again in "
                           "%(minutes)d minutes.")
TOO_MANY_FOR_ACCOUNT = N_("Too many failed sign-ins to this account from browsers it has not "
                          "been used on; try again in %(minutes)d minutes, or sign in from a "
                          "browser you have signed in from before.")

# A browser that has signed in to an account before carries the account's id
# in this signed cookie; failed sign-ins to that account from it are counted
# apart from the ones a guesser elsewhere makes (see service/lockout.py).
BROWSER_COOKIE = "commitments_browser"
BROWSER_MEMORY = timedelta(days=365)
_BROWSER_ACCOUNTS = 10


def _browser_signer() -> URLSafeTimedSerializer:
    key = current_app.secret_key
    assert key is not None  # set by `configure`
    return URLSafeTimedSerializer(key, salt="commitments-known-browser")


def _browser_accounts() -> list[str]:
    raw = request.cookies.get(BROWSER_COOKIE)
    if not raw:
        return []
    try:
        found = _browser_signer().loads(raw, max_age=int(BROWSER_MEMORY.total_seconds()))
    except BadSignature:
        return []
    return [str(a) for a in found] if isinstance(found, list) else []


def _known_browser(email: str) -> bool:
    try:
        return str(account_id(email)) in _browser_accounts()
    except DomainError:  # not an address: no account has signed in with it
        return False


def _remember_browser(response: BaseResponse, account: UUID) -> None:
    accounts = [a for a in _browser_accounts() if a != str(account)]
    accounts = [str(account), *accounts][:_BROWSER_ACCOUNTS]
    response.set_cookie(
        BROWSER_COOKIE, _browser_signer().dumps(accounts),
        max_age=int(BROWSER_MEMORY.total_seconds()), path=url_for("workspace.sign_in"),
        httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])


@blp.route("/sign-out", methods=["POST"])
def sign_out() -> Any:
    session.clear()
    return redirect(url_for("workspace.sign_in"))


def requires(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A page for these roles only: anyone else signed in is refused (403)."""
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.account.role not in roles:
                abort(403, description=i18n._("This page is not part of your work."))
            return view(*args, **kwargs)
        return signed_in(wrapper)
    return decorate


# Fields taken exactly as typed: a password is checked at sign-in as typed,
# so neither trimmed nor normalised here.
AS_TYPED = ("password",)


class Form(Input):
    """A workspace form: the page's other fields (csrf_token, form) ignored,
    its text held to the same rule as the API's."""

    as_typed = AS_TYPED

    class Meta:
        unknown = EXCLUDE

    def refusal(self, found: Fault) -> str:
        return i18n._("This holds an invisible character (%(code)s, line %(line)d, character "
                      "%(column)d) that cannot be saved: remove it and send the form again.",
                      code=found.code, line=found.line, column=found.column)


# marshmallow's own messages, in the reader's language on a form. (Messages the
# domain gives are specific to the case and stay as written.)
FORM_MESSAGES = {
    "Missing data for required field.": N_("Fill this in."),
    "must not be empty": N_("Fill this in."),
    "Not a valid time.": N_("Not a time: hours and minutes, like 09:15."),
    "Not a valid URL.": N_("Not a link: it starts with https:// or http://."),
    "Not a valid email address.": N_("Not an e-mail address."),
    "Not a valid integer.": N_("Not a whole number."),
    "Not a valid UUID.": N_("This form is out of date: reload the page."),
    "Tick the questions this answer addresses.": N_("Tick the questions this answer addresses."),
}


def _in_language(message: str) -> str:
    known = FORM_MESSAGES.get(message)
    return i18n._(known) if known else message


def form_errors(error: ValidationError | DomainError) -> tuple[dict[str, list[str]], int]:
    """A refused form's messages by field (`_form` for the form as a whole),
    and the status to answer with: 409 when the record moved on meanwhile."""
    if isinstance(error, ValidationError):
        messages = error.messages if isinstance(error.messages, dict) else {
            "_form": error.messages}
        return {str(k): [_in_language(str(m)) for m in _flat(v)]
                for k, v in messages.items()}, 422
    if error.fields:
        errors = {field: [_explained(FIELD_RULES.get(field.split(".")[0]), m) for m in found]
                  for field, found in error.fields.items()}
    else:
        errors = {"_form": [_explained(REFUSALS.get(type(error)), error.message)]}
    conflict = isinstance(error, (VersionConflict, TransitionNotAllowed, AlreadyExists))
    return errors, 409 if conflict else 422


# The domain explains a refusal in English, with the case's own dates and
# codes. On a page in another language a line in that language leads, and
# the domain's words follow as the detail.
REFUSALS: dict[type[DomainError], str] = {
    VersionConflict: N_("Someone changed this meanwhile: reload the page, check it, and "
                        "send your change again."),
    TransitionNotAllowed: N_("This step is not possible in the commitment's present state."),
    AlreadyExists: N_("This is already recorded."),
    refusals.NotFound: N_("This was not found."),
    refusals.Forbidden: N_("This is not yours to change."),
}
FIELD_RULES = {
    "note": N_("Give the reason."),
    "evidence": N_("Give the evidence: the document's number or title, or its link."),
    "new_due_on": N_("Check the new due date."),
    "effective_on": N_("Check the date it happened."),
    "due_on": N_("Check the due date."),
    "agency": N_("Check the agency."),
    "responder_agency": N_("Check the agency."),
    "addressed_to": N_("Check the agencies."),
    "successor_code": N_("Check the successor."),
    "code": N_("Check the code."),
    "alias": N_("Check the name."),
    "name": N_("Check the name."),
    "email": N_("Check the e-mail address."),
    "password": N_("Check the password."),
    "contacts": N_("Check the contacts."),
    "question_ids": N_("Check the questions ticked."),
    "answer_id": N_("Check the answer chosen."),
    "asked_at": N_("Check the time."),
    "answered_at": N_("Check the time."),
    "text": N_("Check the text."),
    "action": N_("Check what happened."),
}


def _explained(lead: str | None, detail: str) -> str:
    if lead is None or i18n.language() == "en":
        return detail
    return f"{i18n._(lead)} ({detail})"


def once(form: Any) -> Idempotency | None:
    """The form's one-off `submission` key as an idempotency key: a form sent
    twice (a double click, a reload after a lost answer) records once."""
    key = str(form.get("submission", "")).strip()
    if not key or len(key) > 200:
        return None
    content = sorted((k, v) for k, v in form.items(multi=True)
                     if k not in ("csrf_token", "submission"))
    basis = f"{request.path}\n{content!r}"
    return Idempotency(scope=f"workspace:{session.get('account')}", key=key,
                       fingerprint=hashlib.sha256(basis.encode()).hexdigest())


def _flat(messages: Any) -> list[Any]:
    """A field's messages; a list field's come keyed by the item's index."""
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flat(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _flat(value)]
    return [messages]


def blank_as_missing(form: Any) -> dict[str, str]:
    """An empty field of an HTML form means "not given"."""
    return {key: value.strip() for key, value in form.items() if value.strip()}


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never a redirect to somewhere else. Browsers
    read a backslash as a slash and drop tabs and line breaks inside an
    address, so "/\\evil.example" or "/<tab>/evil.example" would lead off it:
    any such character, or any space or control character, sends home."""
    if (target and target.startswith("/") and not target.startswith("//")
            and not any(ch == "\\" or ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in target)):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("workspace.home")
