"""Paragraphs, time stamps, and the order in which things happened.

Order rule:

* Every non-empty line is a paragraph. A paragraph opening with a time stamp
  (`8h37:`, `10h 57:`, `8H33:`, `8 giờ 37:`, `08:37:`) starts an entry; the
  paragraphs before the first stamp are a header.
* Inside an entry, paragraphs are grouped into items: an item starts at the
  entry's first paragraph and at every paragraph that opens with a new
  speaker (a question, an answer, a speech); any other paragraph continues
  the item above it and reads top to bottom.
* Consecutive items by the same speaker form one block (one blog update: an
  official answering two askers in turn).
* If the stamps mostly decrease, the blog is newest first: entries are
  reversed, and inside an entry the blocks are reversed as well, since an
  un-stamped block placed below another is an earlier update (questions
  posted below the answer they got were asked before it). Otherwise, and
  when there are no stamps, the text is read top to bottom.
* The header comes first either way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import time
from itertools import pairwise
from typing import TypeVar

# A stamp: hour, an `h`/`giờ`/`:` separator, minutes, then `:` (or a dash).
# The trailing separator is required so that "8:30 sáng nay ..." prose and
# "10h30 ngày 9/5" do not open entries.
_STAMP = re.compile(
    r"^\s*(?P<h>[01]?\d|2[0-3])\s*(?:h|H|giờ|Giờ|:)\s*(?P<m>[0-5]\d)\s*(?:phút\s*)?[:\-\u2013]\s*"
)


@dataclass(frozen=True)
class Paragraph:
    line: int  # 1-based line of the source text
    text: str  # exact substring of the NFC source (no surrounding space)
    start: int  # offset of `text` in the NFC source


def source(text: str) -> str:
    """The NFC form of the input: what quotes are substrings of."""
    return unicodedata.normalize("NFC", text)


# Lines a news site prints after its article: sharing and comment buttons,
# the notice on readers' comments, counters, the list of related items.
_SITE_NOTICE = re.compile(
    r"(?:Chia sẻ(?: bài viết| bài báo)?|Chia sẻ:|Bình luận|Gửi bình luận|Viết bình luận|"
    r"Không có bình luận|Ý kiến bạn đọc|Gửi ý kiến|Tin liên quan|Bài viết liên quan|"
    r"Tin cùng chuyên mục|Tin khác|Các tin khác|Đọc thêm|Xem thêm|Thống kê truy cập|"
    r"(?:Từ khóa|Từ khoá|Tags?):.*|(?:LƯU Ý|Lưu ý):.*bạn đọc.*)\s*",
    re.IGNORECASE,
)


def _byline(line: str) -> bool:
    """A byline in capitals on its own line ("THANH QUANG", "VĂN CHÂU")."""
    words = line.split(" ")
    return 2 <= len(words) <= 4 and all(len(w) >= 2 and w.isalpha() and w.isupper()
                                        for w in words)


# The article has begun once a line this long has come.
_ARTICLE_LINE = 100


def article(nfc: str) -> str:
    """`nfc` up to the site's notices after the article (see
    `_SITE_NOTICE`), and the byline in capitals just before them: what the
    site adds is no one's words ("LƯU Ý: BDO sẽ biên tập ý kiến của bạn
    đọc ..." is no promise). A notice before any line of the article (a
    menu) ends nothing."""
    begun = False
    byline: int | None = None
    offset = 0
    for raw in nfc.splitlines(keepends=True):
        line = raw.strip()
        if begun and _SITE_NOTICE.fullmatch(line):
            return nfc[:byline if byline is not None else offset]
        if line:
            byline = offset if begun and _byline(line) else None
        begun = begun or len(line) >= _ARTICLE_LINE
        offset += len(raw)
    return nfc


def paragraphs(nfc: str) -> list[Paragraph]:
    found: list[Paragraph] = []
    offset = 0
    for number, raw in enumerate(nfc.splitlines(keepends=True), start=1):
        stripped = raw.strip()
        if stripped:
            found.append(Paragraph(number, stripped, offset + raw.index(stripped)))
        offset += len(raw)
    return found


def stamp(text: str) -> tuple[time | None, int]:
    """The paragraph's time stamp and where the text after it begins."""
    match = _STAMP.match(text)
    if match is None:
        return None, 0
    return time(int(match["h"]), int(match["m"])), match.end()


def newest_first(stamps: Sequence[time]) -> bool:
    down = sum(1 for a, b in pairwise(stamps) if b < a)
    up = sum(1 for a, b in pairwise(stamps) if b > a)
    return down > up


T = TypeVar("T")


def meeting_order(
    entries: Sequence[Sequence[T]],
    same_speaker: Callable[[T, T], bool],
    reverse: bool,
) -> list[T]:
    """Items in meeting order. `entries[0]` is the header; each later entry
    lists its items in text order."""
    ordered: list[T] = list(entries[0]) if entries else []
    body = list(entries[1:])
    if reverse:
        body.reverse()
    for items in body:
        blocks: list[list[T]] = []
        for item in items:
            if blocks and same_speaker(blocks[-1][-1], item):
                blocks[-1].append(item)
            else:
                blocks.append([item])
        if reverse:
            blocks.reverse()
        for block in blocks:
            ordered.extend(block)
    return ordered
