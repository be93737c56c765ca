"""Offset-preserving folded text, so that matches found on it give exact
quotes of the source."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from domain.text import fold


@lru_cache(maxsize=4096)
def _bare_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0].lower()
    # A character whose lower case is longer (rare, non-Vietnamese) would shift
    # every offset after it, so it is kept as it is.
    return base if len(base) == 1 else ch


def bare(text: str) -> str:
    """Lower case, accents and `đ` folded, ONE character per character of
    `text`: an offset in the result is the same offset in `text` (unlike
    `fold`, which also collapses white space)."""
    return "".join(_bare_char(ch) for ch in text)


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
