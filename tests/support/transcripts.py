"""Large transcripts made of the real ones, for timing imports by size.

Nothing is invented: the fixture transcripts are taken one after another,
paragraph by paragraph, until the next paragraph would pass the size asked
for. Two forms of the same text:

* as published: paragraphs separated by a blank line;
* run on: the line breaks lost (a paste that kept none), every paragraph
  joined to the next by a space, so the whole text is one paragraph.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import cycle
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures/transcripts"
LIVEBLOG = "liveblog-dialogue-2024.txt"
ARTICLE = "article-tiep-cong-dan-yen-son-2025.txt"
SOURCES = (LIVEBLOG, ARTICLE)
SHAPES = ("published", "run-on")


def paragraphs(sources: Sequence[str] = SOURCES) -> list[str]:
    """The non-empty lines of the fixtures, in order, each text after the other."""
    found: list[str] = []
    for name in sources:
        text = (FIXTURES / name).read_text(encoding="utf-8")
        found += [line.strip() for line in text.splitlines() if line.strip()]
    return found


def concatenated(size: int, shape: str = "published",
                 sources: Sequence[str] = SOURCES) -> str:
    """At most `size` bytes of UTF-8, within one paragraph of it."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, not {shape!r}")
    separator = "\n\n" if shape == "published" else " "
    taken: list[str] = []
    total = -len(separator)
    for paragraph in cycle(paragraphs(sources)):
        cost = len(paragraph.encode()) + len(separator)
        if total + cost > size:
            break
        taken.append(paragraph)
        total += cost
    return separator.join(taken)
