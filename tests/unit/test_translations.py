"""Every string the report shows has a Vietnamese translation that keeps its
placeholders: Vietnamese is the default, so a gap shows English to everyone."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from api.i18n import CATALOGS

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _extracted() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "api"), METHODS, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog() -> dict[str, list[str]]:
    with (CATALOGS / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale="vi")
    found = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = list(message.string) if isinstance(message.string, tuple) \
            else [message.string]
        assert not message.fuzzy, f"fuzzy translation of {key!r}"
        found[key] = strings
    return found


def test_every_shown_string_is_translated() -> None:
    extracted, catalog = _extracted(), _catalog()
    assert len(extracted) > 100
    missing = sorted(m for m in extracted if not all(catalog.get(m, [""])))
    assert missing == [], "run the pybabel steps in api/i18n.py and translate these"


def test_translations_keep_their_placeholders() -> None:
    for message, strings in _catalog().items():
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(message)), message
