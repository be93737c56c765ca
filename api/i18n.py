"""Languages of the public pages: gettext catalogs, and locale-aware formats.

Messages are written in English in the code and templates (the msgids); the
Vietnamese catalog, `translations/vi/LC_MESSAGES/messages.po`, is the default
language. The .po file is compiled in memory when first used, so there is no
build step and no compiled file to keep in step with its source. To add
strings: `pybabel extract -F babel.cfg -k N_ --ignore-dirs=.venv -o /tmp/messages.pot .`
(from the repository's root: babel.cfg's patterns start at `api/`) then
`pybabel update --width 100 -i /tmp/messages.pot -d api/translations`; a test fails while
any string lacks a translation.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache, lru_cache
from gettext import GNUTranslations, NullTranslations
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from flask import Request, current_app, g
from markupsafe import Markup
from marshmallow import ValidationError, fields
from werkzeug.wrappers import Response

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
# The language a reader chose with `?lang=`, remembered for a year.
COOKIE = "commitments_lang"
_REMEMBERED = 365 * 24 * 3600
CATALOGS = Path(__file__).parent / "translations"


def N_(message: str) -> str:
    """Marks a string for extraction (gettext's name for it); it is translated
    where it is shown."""
    return message


@cache
def translations(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return GNUTranslations(compiled)


def choose(request: Request) -> str:
    """`?lang=` first, then the language the reader chose before, then
    Vietnamese. Never the browser's: office PCs here are often set to English
    for readers who read Vietnamese."""
    for found in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if found in LANGUAGES:
            return found
    return DEFAULT


def remember(request: Request, response: Response) -> None:
    """Keep a language chosen with `?lang=` for the reader's next visits."""
    asked = request.args.get("lang")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=_REMEMBERED, httponly=True, samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))


def language() -> str:
    found: str = g.get("language", DEFAULT)
    return found


def gettext(message: str) -> str:
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(language()).ngettext(singular, plural, n)


def _(message: str, **values: Any) -> str:
    """The message in the reader's language, with `values` put in."""
    text = gettext(message)
    return text % values if values else text


def day(value: date | str | None, style: str = "medium") -> str:
    """A date for the reader; ISO text (as event details keep dates) too.
    In Vietnamese a date is dd/mm/yyyy, as people here write it, except in
    the prose of the long style ("1 tháng 9, 2024")."""
    if not value:
        return ""
    found = date.fromisoformat(value) if isinstance(value, str) else value
    return _formatted(found, style, language())


@cache
def _formatted(value: date, style: str, locale: str) -> str:
    # A page repeats the same few dates many times over; Babel is not quick.
    if locale == "vi" and style != "long":
        return value.strftime("%d/%m/%Y")
    return format_date(value, style, locale=locale)


# -- dates typed into a form --------------------------------------------------------
#
# A date field is a text field, not `<input type=date>`: the browser's picker
# follows the browser's locale (mm/dd/yyyy on an English one), and a clerk
# here writes day/month/year. The server reads dd/mm/yyyy, and ISO
# yyyy-mm-dd (what an English page shows, what scripts send): the separator
# tells which, so neither is ever read as the other.

_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
DAY_PATTERN = r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}"


def parse_day(text: str) -> date:
    """dd/mm/yyyy (d/m/yyyy too) or yyyy-mm-dd; ValueError otherwise."""
    text = text.strip()
    found = _DAY_MONTH_YEAR.fullmatch(text)
    if found:
        day_, month_, year = (int(part) for part in found.groups())
        return date(year, month_, day_)
    if _ISO.fullmatch(text):
        return date.fromisoformat(text)
    raise ValueError(f"{text!r} is not dd/mm/yyyy or yyyy-mm-dd")


def entry(value: date | None) -> str:
    """A date as a form field holds it for the reader to edit."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y") if language() == "vi" else value.isoformat()


def date_input() -> Markup:
    """The attributes of a date field, in place of `type="date"`."""
    hint = _("Day/month/year, like 31/12/2024") if language() == "vi" else _(
        "Year-month-day, like 2024-12-31")
    placeholder = "dd/mm/yyyy" if language() == "vi" else "yyyy-mm-dd"
    return Markup('type="text" inputmode="numeric" autocomplete="off" pattern="{}" '
                  'placeholder="{}" title="{}"').format(DAY_PATTERN, placeholder, hint)


class Day(fields.Date):
    """A date typed into a form: dd/mm/yyyy or yyyy-mm-dd. Refused with a
    message in the reader's language that names the field (`label`, a msgid)."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.label = label

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_day(str(value))
        except ValueError:
            raise ValidationError(_(
                "%(field)s: “%(value)s” is not a date. Write it as day/month/year "
                "(31/12/2024) or year-month-day (2024-12-31).", field=_(self.label),
                value=str(value)[:40])) from None


def month(value: date) -> str:
    return format_date(value, "MM/yyyy", locale=language())


def number(value: float) -> str:
    return _number(type(value).__name__, value, language())


def percent(value: float) -> str:
    return _percent(type(value).__name__, value, language())


# A scorecard formats a few hundred numbers, mostly the same small counts,
# and each Babel call costs about 50 µs. Keyed by type too: 1 and 1.0 are
# one key to a dict.
@lru_cache(maxsize=4096)
def _number(kind: str, value: float, locale: str) -> str:
    return format_decimal(value, locale=locale)


@lru_cache(maxsize=4096)
def _percent(kind: str, value: float, locale: str) -> str:
    return format_percent(value, "#,##0.0%", locale=locale)
