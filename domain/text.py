"""Vietnamese text: normal form on the way in, a folded form for matching."""

from __future__ import annotations

import unicodedata

# `đ` is a letter of its own, not `d` plus a combining mark, so decomposition
# alone leaves it in place; it has to be mapped explicitly.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def normalise(text: str) -> str:
    """NFC, with surrounding white space removed: how text is stored."""
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str) -> str:
    """Accent- and case-insensitive form: `Kiến nghị Đồng` -> `kien nghi dong`."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def matches(query: str, text: str) -> bool:
    """Whether every word of the query begins a word of the text, ignoring
    accents: `kien ngh` finds `kiến nghị`, but `an` does not find `Thanh`."""
    words = fold(text).split()
    return all(any(w.startswith(q) for w in words) for q in fold(query).split())
