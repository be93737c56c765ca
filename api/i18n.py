"""Languages of the public pages: gettext catalogs, and locale-aware formats.

Messages are written in English in the code and templates (the msgids); the
Vietnamese catalog, `translations/vi/LC_MESSAGES/messages.po`, is the default
language. The .po file is compiled in memory when first used, so there is no
build step and no compiled file to keep in step with its source. To add
strings: `pybabel extract -F babel.cfg -k N_ -o /tmp/messages.pot api` then
`pybabel update --width 100 -i /tmp/messages.pot -d api/translations`; a test fails while
any string lacks a translation.
"""

from __future__ import annotations

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
from flask import Request, g

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
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


def choose(asked: str | None, request: Request) -> str:
    """`?lang=` first, then the browser's languages, then Vietnamese."""
    if asked in LANGUAGES:
        return asked
    found = request.accept_languages.best_match(LANGUAGES)
    return found or DEFAULT


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
    """A date for the reader; ISO text (as event details keep dates) too."""
    if not value:
        return ""
    found = date.fromisoformat(value) if isinstance(value, str) else value
    return _formatted(found, style, language())


@cache
def _formatted(value: date, style: str, locale: str) -> str:
    # A page repeats the same few dates many times over; Babel is not quick.
    return format_date(value, style, locale=locale)


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
