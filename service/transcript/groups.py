"""Speakers that are not one named person: groups ("cử tri xã Phú Giáo",
"Cử tri tổ 1, ấp Hóa Nhựt, xã Tân Vĩnh Hiệp", "Một người dân thôn Hoành")
and bodies ("Sở Giao thông vận tải", "lãnh đạo Bộ Công Thương", "Tổ đại biểu
HĐND TPHCM").

A group is a noun for many people (cử tri, người dân, nông dân, ...) with
the places that qualify it (tổ, ấp, thôn, xã, phường, huyện ... and their
names); its name is its words as written, first letter capitalised. Opinions
stand for their group: "Phần lớn các ý kiến (của người dân) tập trung phản
ánh ..." is the group's question (the group named in the opinion, else the
last one the paragraph named before it).

A body is an agency's head word (Sở, UBND, Công an, Bộ, Tổ đại biểu, ...),
optionally after "lãnh đạo"/"đại diện", up to the verb; its name is as
written, its agency is the name without "lãnh đạo"/"đại diện".
"""

from __future__ import annotations

import re

from service.transcript.model import Speaker

# The nouns for many people, longest first so "bà con nông dân" wins over "bà con".
_GROUP_NOUNS = (
    "công nhân, người lao động", "công nhân lao động", "bà con nông dân", "bà con nhân dân",
    "người lao động", "cử tri", "người dân", "nhân dân", "nông dân", "công nhân", "công dân",
    "bà con", "hộ dân", "đoàn viên",
)
_GROUP_NOUN = "|".join(f"[{n[0].upper()}{n[0]}]{re.escape(n[1:])}" for n in _GROUP_NOUNS)
_PLACE_WORDS = (
    r"(?:[Tt]ổ dân phố|[Tt]ổ|[Ấấ]p|[Tt]hôn|[Xx]óm|[Bb]ản|[Kk]hu phố|[Kk]hu dân cư|[Pp]hường|"
    r"[Xx]ã|[Tt]hị trấn|[Tt]hị xã|[Hh]uyện|[Qq]uận|[Tt]hành phố|TP\.?|[Tt]ỉnh|[Ll]àng)"
)
# Capital letters, accented ones included (`re` has no \p{Lu}).
_UPPER = "".join(sorted({chr(c) for c in range(0x41, 0x1EFA) if chr(c).isupper()}))
_CAP = f"[{re.escape(_UPPER)}]"
# A capitalised verb right after a place ("Cử tri phường Lái Thiêu Phản ánh")
# is no part of its name.
_NOT_PLACE = r"(?!(?:Phản ánh|Đề nghị|Kiến nghị|Đề xuất|Hỏi|Mong)(?!\w))"
_PLACE_NAME = rf"(?:\d+[A-Za-z]?|{_CAP}[^\W\d_]*(?:[ .]{_NOT_PLACE}{_CAP}[^\W\d_]*)*)"
_PLACES = rf"(?:,?\s+{_PLACE_WORDS}\s*{_PLACE_NAME})*(?:\s+\([^()]{{1,30}}\))?"
GROUP = re.compile(
    rf"(?:(?:Một|một|Một số|một số|Nhiều|nhiều|Các|các|Những|những|Đông đảo|đông đảo)\s+)?"
    rf"(?:{_GROUP_NOUN}){_PLACES}"
)
# An opinion standing for its group: "Phần lớn các ý kiến (của người dân)".
_OPINION = re.compile(
    r"(?:(?:Phần lớn|phần lớn|Đa số|đa số|Hầu hết|hầu hết|Nhiều|nhiều|Một số|một số)\s+)?"
    r"(?:(?:các|những|Các|Những)\s+)?(?:ý kiến|Ý kiến|kiến nghị|Kiến nghị)"
    r"(?:,\s*(?:kiến nghị|phản ánh))*"
)
OF_GROUP = re.compile(rf"(?<!\w)của\s+(?:các\s+|những\s+)?({GROUP.pattern})")

# An agency's head word, as it opens a body's name.
_BODY_HEADS = (
    r"Sở|UBND|Ủy ban nhân dân|Uỷ ban nhân dân|Ủy ban|Uỷ ban|Công an|Bộ|Ban|Tổ đại biểu|"
    r"Đoàn đại biểu|Thường trực|Thanh tra|Bảo hiểm xã hội|BHXH|Cục|Chi cục|Văn phòng|"
    r"Trung tâm|Liên đoàn Lao động|LĐLĐ|HĐND|Hội đồng nhân dân|Tổng [Cc]ông ty|Công ty|"
    r"Điện lực|Kho bạc|Phòng|Chính phủ|Tỉnh ủy|Tỉnh uỷ|Thành ủy|Thành uỷ|Huyện ủy|Huyện uỷ|"
    r"Đảng ủy|Đảng uỷ"
)
BODY = re.compile(
    rf"(?:([Ll]ãnh đạo|[Đđ]ại diện)\s+)?(?:(?:{_BODY_HEADS})(?!\w))"
)
# Bodies that direct others ("Ủy ban nhân dân tỉnh giao ...", "Tổ đại biểu
# ... đề nghị ..."), as councils and committees do.
LEADING_BODY = re.compile(
    r"^(?:(?:[Ll]ãnh đạo|[Đđ]ại diện)\s+)?(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|HĐND|"
    r"Hội đồng nhân dân|Thường trực|Tổ đại biểu|Đoàn đại biểu|Chính phủ|Tỉnh ủy|Tỉnh uỷ|"
    r"Thành ủy|Thành uỷ|Huyện ủy|Huyện uỷ)(?!\w)"
)
# Words that never stand in a name or a title: a segment holding one is a
# clause ("Chủ tịch UBND TP lắng nghe các ý kiến"), not a speaker.
NOT_IN_NAME = re.compile(
    r"(?<!\w)(?:các|những|về|với|của|cho|được|đang|có|là|để|tại|trong|theo|lắng nghe|gặp gỡ|"
    r"đối thoại|tiếp xúc|đến|từ|khi|nếu|này|đó|\d)(?!\w)"
)


def _capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]


def group_at(text: str, pos: int) -> tuple[Speaker, int] | None:
    """The group named at `pos`, and where its name ends."""
    match = GROUP.match(text, pos)
    if match is None:
        return None
    name = match.group().rstrip(" ,")
    return Speaker(_capitalised(name), kind="group"), pos + len(name)


def opinion_at(text: str, pos: int) -> tuple[Speaker, int] | None:
    """Opinions speaking for their group ("Phần lớn các ý kiến ..."): the
    group named in them ("ý kiến của cử tri ..."), else the last group named
    before them in `text`, else none."""
    match = _OPINION.match(text, pos)
    if match is None:
        return None
    end = match.end()
    own = OF_GROUP.match(text, end + 1) if text[end:end + 1] == " " else None
    if own is not None:
        return Speaker(_capitalised(own.group(1).rstrip(" ,")), kind="group"), own.end()
    before = list(OF_GROUP.finditer(text, 0, pos))
    if not before:
        return None
    return Speaker(_capitalised(before[-1].group(1).rstrip(" ,")), kind="group"), end


# A group answered directly: "đã ghi nhận, trả lời công dân".
ANSWERED_GROUP = re.compile(
    rf"(?<!\w)(?:trả lời|giải đáp|giải thích)\s+(?:cho\s+)?(?:các\s+|những\s+)?({GROUP.pattern})"
)


def groups_of(text: str, start: int, stop: int) -> list[Speaker]:
    """The groups an answer's lead names as its askers ("câu hỏi của nông
    dân", "trả lời công dân")."""
    found = sorted([*OF_GROUP.finditer(text, start, stop),
                    *ANSWERED_GROUP.finditer(text, start, stop)], key=lambda m: m.start())
    return [Speaker(_capitalised(m.group(1).rstrip(" ,")), kind="group") for m in found]


def body_at(text: str, pos: int, stop: int) -> Speaker | None:
    """The body whose name runs from `pos` to `stop` (where its verb is)."""
    match = BODY.match(text, pos)
    if match is None:
        return None
    name = text[pos:stop].strip(" ,-\u2013")
    if not name or len(name) > 90 or NOT_IN_NAME.search(name, match.end() - pos):
        return None
    agency = name[match.end(1) - pos:].strip() if match.group(1) else name
    return Speaker(name, title=match.group(1) or "", organisation=agency, kind="body")


def same_group(asked: str, named: str) -> bool:
    """An answer's "cử tri" or "nông dân" names any group of its kind."""
    return asked.lower().startswith(named.lower())
