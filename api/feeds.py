"""Atom feeds of the public changes, and following by mail: the "Theo dõi"
form of the public pages and the pages its mailed links open. Routes of the
public report's blueprint (api.reports)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import uuid5

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from flask import Response, current_app, request
from marshmallow import ValidationError, fields
from marshmallow.validate import OneOf

from api import i18n, labels
from api.report_schemas import public_url
from api.reports import _code, _error, _page, _uuid, blp
from api.schemas import Address, Input, Text
from domain.dialogue import AskerKind, named
from domain.errors import DomainError, InvalidInput, NotFound
from domain.follow import Followed
from domain.status import NOT_PROMISES
from service.feeds import Change, Said, Spoken, changes, dialogue_changes
from service.follows import Follows, LinkOutdated, TooManySignUps
from service.queries import Queries
from service.signed_links import LinkRefused

ATOM = "application/atom+xml"
ENTRIES = 50


def _queries() -> Queries:
    found: Queries = current_app.extensions["queries"]
    return found


def _atom(title: str, page: str, found: Sequence[Change | Said]) -> Response:
    feed = FeedGenerator()
    feed.id(request.base_url)
    feed.title(title)
    feed.link(href=request.base_url, rel="self", type=ATOM)
    feed.link(href=page, rel="alternate", type="text/html")
    feed.language(i18n.language())
    feed.updated(found[0].recorded_at if found else datetime.now(UTC))
    for item in found:  # newest first, as given
        entry = feed.add_entry(order="append")
        entry.updated(item.recorded_at)
        entry.published(item.recorded_at)
        if isinstance(item, Said):
            _said(entry, item, page)
        else:
            _changed(entry, item)
    return Response(feed.atom_str(pretty=True), mimetype=ATOM)


def _changed(entry: FeedEntry, change: Change) -> None:
    entry.id(f"urn:uuid:{uuid5(change.commitment_id, str(change.version))}")
    entry.title(f"{i18n._(labels.EVENT.get(change.event, change.event))}: {change.text}")
    entry.link(href=public_url("reports.commitment", commitment_id=change.commitment_id))
    status = i18n._(labels.STATUS.get(change.status, change.status))
    note = change.detail.get("note")
    entry.summary(f"{change.agency} · {status} · {i18n.day(change.effective_on)}"
                  + (f"\n{note}" if note else ""))


def _said(entry: FeedEntry, said: Said, page: str) -> None:
    """A question or an answer, named as the dialogue's page names who spoke."""
    entry.id(f"urn:uuid:{said.id}")
    who = named(said.who)
    kind = said.who.get("kind")
    if kind and kind != AskerKind.PERSON.value:
        who += f" ({i18n._(labels.ASKER.get(kind, kind))})"
    heading = (i18n._("Question from %(who)s", who=who) if said.kind is Spoken.ASKED
               else i18n._("Answer by %(who)s", who=who))
    short = said.text if len(said.text) <= 120 else said.text[:117] + "..."
    entry.title(f"{heading}: {short}")
    entry.link(href=f"{page}#q-{said.question_id}")
    entry.summary(said.text)


@blp.route("/feed.atom")
def feed() -> Any:
    return _atom(i18n._("Who kept their word"), public_url("reports.index"),
                 changes(_queries(), limit=ENTRIES))


@blp.route("/agencies/<code>/feed.atom")
def agency_feed(code: str) -> Any:
    agency = _queries().agency(_code(code))
    return _atom(agency.name, public_url("reports.agency", code=agency.code),
                 changes(_queries(), agency=agency.code, limit=ENTRIES))


@blp.route("/dialogues/<dialogue_id>/feed.atom")
def dialogue_feed(dialogue_id: str) -> Any:
    """Its questions and answers as well as its promises' changes."""
    found = _queries().dialogue(_uuid(dialogue_id, "dialogue")).dialogue
    return _atom(found.title, public_url("reports.dialogue", dialogue_id=found.id),
                 dialogue_changes(_queries(), found.id, limit=ENTRIES))


@blp.route("/commitments/<commitment_id>/feed.atom")
def commitment_feed(commitment_id: str) -> Any:
    key = _uuid(commitment_id, "commitment")
    found = _queries().commitment(key)
    if found.status in NOT_PROMISES:
        raise NotFound(f"no commitment with id {key}")
    return _atom(found.text, public_url("reports.commitment", commitment_id=key),
                 changes(_queries(), commitment=key, limit=ENTRIES))


# -- following by mail ------------------------------------------------------------------


class FollowForm(Input):
    email = Address(required=True)
    kind = fields.Str(required=True, validate=OneOf([k.value for k in Followed]))
    target = Text(required=True, max_length=100)


def _follows() -> Follows:
    return Follows(current_app.extensions["commitments"], current_app.extensions["lockout"])


@blp.route("/follows", methods=["POST"])
def follow() -> Any:
    """The "Theo dõi" form of the public pages."""
    try:
        data = FollowForm().load(request.form.to_dict())
        kind = Followed(data["kind"])
        target = _code(data["target"]) if kind is Followed.AGENCY else data["target"]
        _follows().request(client=request.remote_addr or "unknown", email=data["email"],
                           kind=kind, target=target)
    except TooManySignUps as error:
        response = _error(429, i18n._("Too many sign-ups"), i18n._(
            "Too many sign-ups lately: try again in %(minutes)d minutes.",
            minutes=max(error.retry_after // 60, 1)), None)
        response[0].headers["Retry-After"] = str(error.retry_after)
        return response
    except (ValidationError, InvalidInput, NotFound):
        return _error(422, i18n._("This cannot be followed"), i18n._(
            "Give an e-mail address, from the form of a promise, an agency or a dialogue."),
            None)
    return _page("reports/follow.html", state="sent"), 202


def _link_page(token: str, kind: str, act: Any) -> Any:
    try:
        follow = _follows().about(token, kind)
        if request.method == "POST":
            follow = act(token)
            return _page("reports/follow.html", state="done-" + kind, follow=follow)
    except LinkRefused as error:
        return _error(403, i18n._("This link cannot be used"), error.message, None)
    except LinkOutdated:
        return _error(409, i18n._("This link cannot be used"), i18n._(
            "This link is from an earlier sign-up: use the latest mail, or sign up again."),
            None)
    except DomainError as error:
        return _error(404, i18n._("Not found in the report"), error.message, None)
    response = _page("reports/follow.html", state=kind, follow=follow)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@blp.route("/follows/confirm/<signed>", methods=["GET", "POST"])
def follow_confirm(signed: str) -> Any:
    """The link of the confirmation mail: a button (a mail scanner that opens
    links starts nothing), then the follow begins."""
    return _link_page(signed, "follow-confirm", _follows().confirm)


@blp.route("/follows/end/<stop>", methods=["GET", "POST"])
def follow_end(stop: str) -> Any:
    """The unsubscribe link of every mail; a POST ends it at once (RFC 8058's
    one-click, which mail programs send from the List-Unsubscribe header)."""
    return _link_page(stop, "follow-end", _follows().end)
