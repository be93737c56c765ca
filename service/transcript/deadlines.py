"""Stated deadlines, resolved against the day of the dialogue.

Forms: "trước ngày 30/6/2024" (the named day; also "trước 14 giờ, ngày
05/12/2017", and "chậm nhất ngày 30-6" with a dash), "từ ngày 01/5 đến 31/5"
(the end), "chậm nhất (là) ngày 15/7", "đến hết ngày 31/8/2024"; "trong quý III",
"quý 3/2024", "quý III năm 2024" (the quarter's last day); "trong tháng 6/2024",
"tháng 6" (the month's last day); "trong năm 2024", "cuối năm 2024", "trong năm
nay", "cuối năm" (31 December). "trong những tháng cuối năm" is a period,
not a day: its words are kept with no date (it wins over the "cuối năm"
inside it). "sau 15 ngày làm việc kể từ ngày diễn ra buổi đối thoại này"
counts from the meeting (working days skip weekends); counted from another
event, its words are kept with no day. A year left out is the dialogue's year, rolled
to the next year when that day is already past. "trong thời gian tới" states
no date. Document dates ("Công văn ... ngày 09/4/2024", "báo cáo số
118/BC-UBND ngày 10 tháng 7 năm 2017") are not deadlines: a bare date counts
only after one of the words above ("trước ngày 10 tháng 7 năm 2017" does).
A year followed by the years after it ("trong năm 2017 và những năm tiếp
theo") is an ongoing period: its words are kept with no date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from service.transcript.words import bare

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_DAY = r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?"
_YEAR_SUFFIX = r"(?:\s*/\s*|\s+nam\s+)(\d{4})"

# On `bare` text (no accents, lower case): one pattern per form, first match
# in the sentence wins.
_RANGE = re.compile(r"\btu\s+(?:ngay\s+)?" + _DAY + r"\s*(?:den|-|\u2013)\s*(?:het\s+)?(?:ngay\s+)?"
                    + _DAY)
# After a deadline word a day may be written with dashes ("chậm nhất ngày
# 30-6") and follow an hour ("trước 14 giờ, ngày 05/12/2017"); a bare dashed
# pair elsewhere is a range of years ("2016 - 2020"), hence only here.
_DASHED_DAY = r"(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}))?"
_HOUR = r"(?:\d{1,2}\s*(?:gio|h)(?:\s*\d{2})?\s*,?\s+)?"
# A day written out in words ("ngày 10 tháng 7 năm 2017") is a document's
# date unless a deadline word leads it; `_DATED` finds those to skip them as
# months.
_WORDED_DAY = r"(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+nam\s+(\d{4}))?"
_BEFORE = re.compile(
    r"\b(?:truoc|cham nhat(?:\s+la)?|den het|han chot(?:\s+la)?|hoan thanh truoc)"
    r"\s+" + _HOUR + r"(?:ngay\s+)?(?:" + _DASHED_DAY + r"|" + _WORDED_DAY + r")"
)
_DATED = re.compile(r"\bngay\s+\d{1,2}\s+$")
_QUARTER = re.compile(r"\b(?:trong\s+|cuoi\s+)?quy\s+(iv|iii|ii|i|[1-4])\b(?:" + _YEAR_SUFFIX
                      + r")?")
_MONTH = re.compile(r"\b(?:trong\s+|cuoi\s+|trong\s+thang\s+)?thang\s+(\d{1,2})\b(?!/\d{1,2}/)"
                    r"(?:" + _YEAR_SUFFIX + r")?")
_YEAR = re.compile(r"\b(?:trong|cuoi|het)\s+nam\s+(\d{4}|nay)\b"
                   r"(\s*,?\s+va\s+(?:nhung|cac)\s+nam\s+(?:tiep\s+theo|sau|toi)\b)?")
_LATE_YEAR = re.compile(r"\bcuoi\s+nam\b(?!\s+\d)")
# "sau 15 ngày làm việc kể từ ngày diễn ra buổi đối thoại này": counted from
# the meeting when the anchor is the meeting itself (or none is given), else
# the words are kept with no day (counted from an event the text does not date).
_WITHIN = re.compile(
    r"\b(?:sau|trong(?:\s+vong)?|trong\s+thoi\s+han)\s+(\d{1,3})\s+ngay(\s+lam\s+viec)?"
    r"(\s+(?:ke\s+tu|tinh\s+tu)(?:\s+ngay)?(?:\s+[^\W\d_]+){0,8}?\s+nay\b"
    r"|\s+(?:ke\s+tu|tinh\s+tu)(?:\s+ngay)?(?:\s+[^\W\d_]+){1,3})?"
)
_MEETING_ANCHOR = re.compile(r"(?:hoi nghi|buoi|cuoc hop|phien|ky hop|doi thoai)\b")
_PERIOD = re.compile(r"\b(?:trong\s+)?(?:nhung|cac)\s+thang\s+(?:cuoi|dau)\s+nam\b(?!\s+\d)")


@dataclass(frozen=True)
class Deadline:
    due_on: date | None  # None for a period stated with no day ("trong những tháng cuối năm")
    text: str  # the words as written in the source
    start: int


def _year(found: str | None, held_on: date) -> tuple[int, bool]:
    return (int(found), True) if found else (held_on.year, False)


def _day(d: str, m: str, y: str | None, held_on: date) -> date | None:
    year, stated = _year(y, held_on)
    try:
        due = date(year, int(m), int(d))
    except ValueError:
        return None
    if not stated and due < held_on:
        due = date(year + 1, due.month, due.day)
    return due


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _after(start: date, days: int, working: bool) -> date:
    """`days` days after `start`; working days skip Saturdays and Sundays."""
    if not working:
        return start + timedelta(days=days)
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def find(text: str, held_on: date) -> Deadline | None:
    """The first deadline stated in `text` (one sentence)."""
    folded = bare(text)
    found: list[Deadline] = []

    for match in _RANGE.finditer(folded):
        end_year = match.group(6) or match.group(3)
        due = _day(match.group(4), match.group(5), end_year, held_on)
        if due:
            found.append(Deadline(due, text[match.start():match.end()], match.start()))
    for match in _BEFORE.finditer(folded):
        parts = match.groups()[:3] if match.group(1) else match.groups()[3:]
        due = _day(parts[0], parts[1], parts[2], held_on)
        if due:
            found.append(Deadline(due, text[match.start():match.end()], match.start()))
    for match in _QUARTER.finditer(folded):
        token = match.group(1)
        quarter = int(token) if token.isdigit() else _ROMAN[token]
        year, stated = _year(match.group(2), held_on)
        due = _month_end(year, quarter * 3)
        if not stated and due < held_on:
            due = _month_end(year + 1, quarter * 3)
        found.append(Deadline(due, text[match.start():match.end()], match.start()))
    for match in _MONTH.finditer(folded):
        month = int(match.group(1))
        if not 1 <= month <= 12 or _DATED.search(folded, 0, match.start()):
            continue
        year, stated = _year(match.group(2), held_on)
        due = _month_end(year, month)
        if not stated and due < held_on:
            due = _month_end(year + 1, month)
        found.append(Deadline(due, text[match.start():match.end()], match.start()))
    for match in _YEAR.finditer(folded):
        year = held_on.year if match.group(1) == "nay" else int(match.group(1))
        ongoing = match.group(2) is not None
        found.append(Deadline(None if ongoing else date(year, 12, 31),
                              text[match.start():match.end()], match.start()))
    for match in _LATE_YEAR.finditer(folded):
        found.append(Deadline(date(held_on.year, 12, 31), text[match.start():match.end()],
                              match.start()))
    for match in _WITHIN.finditer(folded):
        anchor = match.group(3)
        due_on: date | None = None
        if anchor is None or (anchor.endswith("nay") and _MEETING_ANCHOR.search(anchor)):
            due_on = _after(held_on, int(match.group(1)), bool(match.group(2)))
        found.append(Deadline(due_on, text[match.start():match.end()].rstrip(), match.start()))
    for match in _PERIOD.finditer(folded):
        found.append(Deadline(None, text[match.start():match.end()], match.start()))
    if not found:
        return None
    # Overlapping forms ("trong năm 2024" inside "cuối năm 2024") start at
    # different places; the earliest, then the longest, is the one meant.
    return min(found, key=lambda d: (d.start, -len(d.text)))
