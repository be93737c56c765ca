"""Offset-preserving folded text, so that matches found on it give exact
quotes of the source."""

from __future__ import annotations

import re
import unicodedata

from domain.text import fold


def _bare_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0].lower()
    # A character whose lower case is longer (rare, non-Vietnamese) would shift
    # every offset after it, so it is kept as it is.
    return base if len(base) == 1 else ch


_BARE_KEPT = 8192


class _BareTable(dict[int, str]):
    """`str.translate`'s table for `bare`, filled in as characters are met:
    translating in C is several times faster than joining a Python
    generator over each character of a long transcript."""

    def __missing__(self, code: int) -> str:
        found = _bare_char(chr(code))
        # Bounded, so a text of every code point there is cannot grow a
        # long-lived process's memory (Vietnamese needs a few hundred).
        if len(self) < _BARE_KEPT:
            self[code] = found
        return found


_BARE = _BareTable()


def bare(text: str) -> str:
    """Lower case, accents and `đ` folded, ONE character per character of
    `text`: an offset in the result is the same offset in `text` (unlike
    `fold`, which also collapses white space)."""
    return text.translate(_BARE)


def same(a: str, b: str) -> bool:
    """Two names or agencies written alike, ignoring accents, case and spacing."""
    return fold(a) == fold(b)


def phrase(words: str) -> re.Pattern[str]:
    """A folded phrase as a whole-word pattern for `bare` text; spaces match
    any run of white space."""
    parts = [re.escape(w) for w in fold(words).split()]
    return re.compile(r"(?<![\w])" + r"\s+".join(parts) + r"(?![\w])")


def exact(words: str) -> re.Pattern[str]:
    """A phrase matched with its accents, case-insensitively, on NFC text: for
    short words whose folded form is another word (`sẽ`/`sẻ`, `giao`/`giáo`,
    `đã`/`đa`, `trưởng`/`trường`)."""
    parts = [re.escape(w) for w in words.split()]
    return re.compile(r"(?<![\w])" + r"\s+".join(parts) + r"(?![\w])", re.IGNORECASE)


def is_capitalised(word: str) -> bool:
    return bool(word) and word[0].isupper() and (len(word) == 1 or word[1:].islower())
