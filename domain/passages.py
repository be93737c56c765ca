"""How a question or an answer reads: its paragraphs, and the lists inside it.

Officials answer in numbered measures ("1. Về lĩnh vực y tế: ... 2. ...")
and in dashes ("- Chỉ đạo Sở ..."), often several levels deep, and minutes are
hard-wrapped: a line break inside a measure is no new measure. Read back as
lists, they stay lists wherever the text is shown, instead of running
together on one line.

Every part of a passage says where its words are in the text (offsets), so
a page can mark a quote in it (a promise taken from an answer) exactly where
it was said, across lines too.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

Line = tuple[int, int]  # where a line's words start and end in the text

# A list item's marker at the start of a line, followed by a space:
# "1." or "1)" (never "1.5" nor "01/8/2024"), "a)" and "a.", or a bullet.
_NUMBER = re.compile(r"(\d{1,2})[.)]\s+")
_LETTER = re.compile(r"([a-zđ])[.)]\s+")
# Vietnamese documents letter their points in the alphabet's order: a, b, c,
# d, đ, e, g ... (no f, j, w or z of their own, but a text may use them).
_LETTERS = "abcdđefghijklmnopqrstuvwxyz"
_BULLET = re.compile(r"([-\u2013+•*])\s+")  # hyphen, en dash, plus, bullet, star
# A marker inside a line, after a space: a list written on one line,
# "Sở sẽ: 1) rà soát; 2) bổ sung" (letters only with a parenthesis: "a." is
# too often an initial or an abbreviation's end).
_INLINE = re.compile(r"(?<!\S)(?:(\d{1,2})([.)])|([a-zđ])(\)))(?=\s+\S)")
# A line ending so may be followed by a new sentence in its own paragraph.
_SENTENCE_END = (".", "!", "?", ":", ";", "…")


@dataclass(frozen=True)
class Paragraph:
    lines: tuple[Line, ...]

    def length(self) -> int:
        return sum(end - start for start, end in self.lines)


@dataclass(frozen=True)
class Entry:
    """One item of a list, and the lists nested in it."""

    label: str  # its marker as the text wrote it: "2.", "đ)", "-"
    lines: tuple[Line, ...]
    lists: tuple[Listing, ...] = ()

    def length(self) -> int:
        return (sum(end - start for start, end in self.lines)
                + sum(inner.length() for inner in self.lists))


@dataclass(frozen=True)
class Listing:
    """A list: `numbering` is "1" (1, 2, 3), "a" (a, b, c) or "" (bullets);
    `start` the first item's number, as the text gave it."""

    numbering: str
    start: int
    entries: tuple[Entry, ...]

    def length(self) -> int:
        return sum(entry.length() for entry in self.entries)


Passage = Paragraph | Listing


def marker(line: str) -> tuple[str, int, int] | None:
    """The list marker a line starts with: its kind (a number, a letter or
    the bullet itself), its number, and where the words after it begin."""
    if found := _NUMBER.match(line):
        return "1", int(found.group(1)), found.end()
    if found := _LETTER.match(line):
        return "a", _LETTERS.index(found.group(1)) + 1, found.end()
    if found := _BULLET.match(line):
        return found.group(1), 1, found.end()
    return None


def inline_items(line: str) -> list[int]:
    """Where the items of a list written on one line begin (after the first's
    marker, when the line starts with it): markers counting 1, 2, 3 ... or
    a), b), c) ... in order from the first, two at least. One "1." alone,
    a year ("Nghị định 30/2020. 2 năm") or "Điều 1. ... Điều 2." (a number
    after a word, so a name's, not a measure's) splits nothing."""
    chains: dict[tuple[str, str], list[list[int]]] = {}
    depth = 0  # inside "( ... )" a "2)" is the bracket's end, not a marker
    at = 0
    for found in _INLINE.finditer(line):
        for char in line[at:found.start()]:
            depth += 1 if char == "(" else -1 if char == ")" and depth else 0
        at = found.end()
        digits, closing = found.group(1), found.group(2) or found.group(4)
        before = line[:found.start()].rstrip()
        if closing == ")" and depth:
            continue
        if closing == "." and before and before[-1].isalnum():
            continue
        kind = "1" if digits else "a"
        number = int(digits) if digits else _LETTERS.index(found.group(3)) + 1
        runs = chains.setdefault((kind, closing), [])
        if runs and number == len(runs[-1]) + 1:
            runs[-1].append(found.start())
        elif number == 1:
            runs.append([found.start()])
    return sorted(start for runs in chains.values() for run in runs if len(run) > 1
                  for start in run if start)


def _segments(text: str, begin: int, end: int) -> list[Line]:
    """A line's parts read as lines: itself, or each item of a list written
    on it (and the words before the first item)."""
    line = text[begin:end]
    cuts = [0, *inline_items(line), len(line)]
    return [(begin + a, begin + len(line[:b].rstrip())) for a, b in itertools.pairwise(cuts)]


@dataclass
class _Open:
    """A list being read: its kind, and its entries' lines and inner lists."""

    kind: str
    start: int
    entries: list[tuple[str, list[Line], list[Listing]]] = field(default_factory=list)

    def close(self) -> Listing:
        return Listing(self.kind if self.kind in ("1", "a") else "", self.start,
                       tuple(Entry(label, tuple(lines), tuple(inner))
                             for label, lines, inner in self.entries))


def passages(text: str) -> list[Passage]:
    """The paragraphs and lists of a text, in order. A blank line ends a
    paragraph; a line with a marker starts a list's item, or an item of a
    list inside the item before when its marker is of another kind; a line
    without one goes on with the paragraph or item before it (minutes are
    hard-wrapped), unless a blank line or a finished sentence followed by a
    capital letter says a new paragraph begins."""
    found: list[Passage] = []
    paragraph: list[Line] = []
    open_lists: list[_Open] = []  # the outermost first
    gap = False
    previous = ""

    def close_lists(keep: int = 0) -> None:
        while len(open_lists) > keep:
            done = open_lists.pop().close()
            if open_lists:
                open_lists[-1].entries[-1][2].append(done)
            else:
                found.append(done)

    def close_paragraph() -> None:
        if paragraph:
            found.append(Paragraph(tuple(paragraph)))
            paragraph.clear()

    at = 0
    for raw in text.split("\n"):
        start = at + len(raw) - len(raw.lstrip())
        stop = at + len(raw.rstrip())
        at += len(raw) + 1
        if start >= stop:  # a blank line (spaces only too)
            gap = True
            continue
        for begin, end in _segments(text, start, stop):
            line = text[begin:end]
            mark = marker(line)
            if mark is not None and begin + mark[2] < end:
                kind, number, words = mark
                level = next((n for n, o in enumerate(open_lists) if o.kind == kind), None)
                if level is not None:
                    close_lists(level + 1)
                else:
                    close_paragraph()
                    if gap:
                        close_lists()
                    open_lists.append(_Open(kind, number))
                open_lists[-1].entries.append((line[:words].strip(), [(begin + words, end)],
                                               []))
            else:
                new_sentence = (previous.endswith(_SENTENCE_END) and line[0].isupper())
                if open_lists and not gap and not new_sentence:
                    open_lists[-1].entries[-1][1].append((begin, end))
                else:
                    close_lists()
                    if gap:
                        close_paragraph()
                    paragraph.append((begin, end))
            gap = False
            previous = line
    close_lists()
    close_paragraph()
    return found


def fold_after(parts: list[Passage], shown: int) -> int:
    """How many passages to show before a long text is folded: those whose
    words fit in `shown` characters, and always the first (it is never cut)."""
    total = 0
    for n, part in enumerate(parts):
        total += part.length()
        if n and total > shown:
            return n
    return len(parts)
