"""Vietnamese text: normal form on the way in, what may be stored at all,
and a folded form for matching."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# `đ` is a letter of its own, not `d` plus a combining mark, so decomposition
# alone leaves it in place; it has to be mapped explicitly.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def normalise(text: str) -> str:
    """NFC, line breaks as `\\n`, surrounding white space removed: how text is
    stored. Browsers send a textarea's lines ended by `\\r\\n`, and old Mac
    files end them by `\\r`; both are the same text as with `\\n`."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", lines).strip()


# What text may never hold, whatever the field:
# - C0 control characters other than tab and newline (a carriage return is
#   made a newline by `normalise`, so it is only refused where text is taken
#   as typed). NUL above all: PostgreSQL's text columns refuse it, so one
#   stored NUL stops the projector that fills the public report's tables.
# - Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069): they
#   make text display in an order other than the one stored, so a promise
#   could read differently from what was recorded ("Trojan Source").
# - Lone surrogates (U+D800-U+DFFF), which JSON's `\ud800` can carry: they
#   are no character at all and cannot be written as UTF-8.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@dataclass(frozen=True)
class Fault:
    """The first character that keeps a text from being stored, and where it is."""

    character: str
    line: int  # 1-based
    column: int  # 1-based, in characters

    @property
    def code(self) -> str:
        return f"U+{ord(self.character):04X}"

    @property
    def kind(self) -> str:
        if "\ud800" <= self.character <= "\udfff":
            return "a lone surrogate"
        if self.character < " ":
            return "a control character"
        return "a bidirectional control character"

    def __str__(self) -> str:
        where = (f"character {self.column}" if self.line == 1
                 else f"line {self.line}, character {self.column}")
        return f"holds {self.kind} ({self.code}) at {where}, which cannot be stored; remove it"


def fault(text: str) -> Fault | None:
    """Why `text` cannot be stored (its first forbidden character), or None."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    at = found.start()
    line_start = text.rfind("\n", 0, at) + 1
    return Fault(found.group(), line=text.count("\n", 0, at) + 1, column=at - line_start + 1)


def fold(text: str) -> str:
    """Accent- and case-insensitive form: `Kiến nghị Đồng` -> `kien nghi dong`."""
    # Short strings (names, agencies, cue words) are remembered: a transcript
    # compares the same names again and again. Long ones are folded afresh,
    # so that they never push the names out.
    return _fold_short(text) if len(text) <= _REMEMBERED else _fold(text)


_REMEMBERED = 120


@lru_cache(maxsize=32768)
def _fold_short(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def matches(query: str, text: str) -> bool:
    """Whether every word of the query begins a word of the text, ignoring
    accents: `kien ngh` finds `kiến nghị`, but `an` does not find `Thanh`."""
    words = fold(text).split()
    return all(any(w.startswith(q) for w in words) for q in fold(query).split())
