"""Speakers that are not one named person: groups ("cử tri xã Phú Giáo",
"Cử tri tổ 1, ấp Hóa Nhựt, xã Tân Vĩnh Hiệp", "Một người dân thôn Hoành")
and bodies ("Sở Giao thông vận tải", "lãnh đạo Bộ Công Thương", "Tổ đại biểu
HĐND TPHCM").

A group is a noun for many people (cử tri, người dân, nông dân, ...) with
the places that qualify it (tổ, ấp, thôn, xã, phường, huyện ... and their
names, or their kinds with the names listed after a colon: "cử tri các xã,
phường: Vạn Hòa, Bắc Cường, ...", the list being its organisation); its
name is its words as written, first letter capitalised. Opinions
stand for their group: "Phần lớn các ý kiến (của người dân) tập trung phản
ánh ..." is the group's question (the group named in the opinion, else the
last one the paragraph named before it). Opinions summed up with no one
named ("có ý kiến cho rằng ...", "đã có 12 lượt ý kiến tập trung ...", "các
ý kiến tập trung ở 7 nhóm vấn đề", "có 08 lượt cử tri tham gia ý kiến ...
xoay quanh các vấn đề như: ...") are, failing those, asked by the meeting's
audience: the citizens of a reception ("tiếp công dân"), else the group the
dialogue is held with ("đối thoại ... với người dân phường An Phú") or the
voters met ("tiếp xúc cử tri tại xã Khánh Thuận"), the last one named
before them.

A body is an agency's head word (Sở, UBND, Công an, Bộ, Tổ đại biểu, ...),
optionally after "lãnh đạo"/"đại diện", up to the verb; its name is as
written, its agency is the name without "lãnh đạo"/"đại diện".
Bodies named by their kind ("các cơ quan liên quan", "các phòng chức năng
của huyện") are bodies too, named and owning as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.transcript.model import Speaker

# The nouns for many people, longest first so "bà con nông dân" wins over "bà con".
_GROUP_NOUNS = (
    "công nhân, người lao động", "công nhân lao động", "bà con nông dân", "bà con nhân dân",
    "người lao động", "cử tri", "người dân", "nhân dân", "nông dân", "công nhân", "công dân",
    "bà con", "hộ dân", "đoàn viên",
    # Members of an association, as its reports name them ("ý kiến của cán
    # bộ, hội viên nông dân").
    "cán bộ, hội viên nông dân", "cán bộ, hội viên", "hội viên nông dân", "hội viên",
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
# A place name's last syllable is sometimes printed in lower case ("Cử tri
# xã Huổi lèng đề nghị", "Cử tri Xã Thành sơn đề nghị"): one such syllable
# is part of the name when the group's asking verb, or its next place,
# follows it at once (a word that says how they ask, "còn", "cũng", is not).
_ASKING_NEXT = (r"(?=\s+(?:đề nghị|kiến nghị|phản ánh|đề xuất|hỏi|mong|nêu|thắc mắc)(?!\w)"
                # ... or the next place of the group: "Cử tri thôn Nà lầu, xã Bản Máy".
                rf"|\s*,\s*{_PLACE_WORDS}\s)")
_LOWER_SYLLABLE = (rf"(?:\s(?!(?:đã|cũng|còn|đều|vẫn|xin|lại|thêm|tiếp|thì|và|đồng thời)"
                   rf"{_ASKING_NEXT})(?!{_CAP})[^\W\d_]+{_ASKING_NEXT})?")
# "Cử tri tại xã Sa Lông phản ánh": `tại` may come before the first place.
# "cử tri các xã, phường: Vạn Hòa, Bắc Cường, ..., thành phố Lào Cai": the
# kinds of place, then their names after a colon.
_LISTED_PLACES = (rf"\s+(?:các|những)\s+{_PLACE_WORDS}(?:,\s*{_PLACE_WORDS})*"
                  rf"(?::\s*{_PLACE_NAME}(?:,\s*(?:{_PLACE_WORDS}\s+)?{_PLACE_NAME})*)?")
_PLACES = (rf"(?:{_LISTED_PLACES}|"
           rf"(?:(?:\s+tại)?(?:,?\s+{_PLACE_WORDS}\s*{_PLACE_NAME}{_LOWER_SYLLABLE})+))?"
           rf"(?:\s+\([^()]{{1,30}}\))?")
GROUP = re.compile(
    rf"(?:(?:Một|một|Một số|một số|Nhiều|nhiều|Các|các|Những|những|Đông đảo|đông đảo)\s+)?"
    rf"(?:{_GROUP_NOUN}){_PLACES}"
)
# An opinion standing for its group: "Phần lớn các ý kiến (của người dân)".
_OPINION = re.compile(
    r"(?P<many>(?:(?:Phần lớn|phần lớn|Đa số|đa số|Hầu hết|hầu hết|Nhiều|nhiều|Một số|một số)"
    r"\s+)?(?:(?:các|những|Các|Những)\s+)?)(?:ý kiến|Ý kiến|kiến nghị|Kiến nghị)"
    r"(?:,\s*(?:kiến nghị|phản ánh))*"
)
OF_GROUP = re.compile(rf"(?<!\w)của\s+(?:các\s+|những\s+)?({GROUP.pattern})")
# Opinions summed up, counted or said to exist, with no one named as
# speaking: "có ý kiến cho rằng ...", "Tại hội nghị đã có 12 lượt ý kiến tập
# trung kiến nghị ...", "đã lựa chọn 18 câu hỏi liên quan về ...", or
# received by the leaders ("lãnh đạo huyện Nam Đông đã tiếp nhận ý kiến
# liên quan một số vấn đề ...").
_SUMMARY = re.compile(
    r"(?:Tại [^\W\d_]+(?: [^\W\d_]+){0,3}\s+)?(?:(?:đã|Đã)\s+)?"
    r"(?:[Cc]ó|lựa chọn|[Ll]ãnh đạo(?: [^\W\d_]+){1,5}?\s+(?:đã\s+)?(?:tiếp nhận|nhận được))\s+"
    r"(?:(?:gần|hơn|trên|khoảng|một số|nhiều)\s+)?(?:[\d.]+\s+)?(?:lượt\s+)?"
    # Counted by who spoke: "có 08 lượt cử tri tham gia ý kiến".
    r"(?:(?:cử tri|người dân|công dân|đại biểu)\s+(?:tham gia\s+)?(?:phát biểu\s+)?)?"
    r"(?:ý kiến|câu hỏi|kiến nghị)(?:,\s*(?:kiến nghị|phản ánh|câu hỏi|đề xuất))*"
)
# What opinions summed up do when no asking verb says it: "cho rằng", "tập
# trung vào/ở <the matters>", "liên quan đến", "về". Only after opinions: a
# person who "cho rằng" states a view.
SUMMARY_VERB = re.compile(
    # Or the clause ends by listing them: "có 08 lượt cử tri tham gia ý kiến
    # với 11 nội dung ... xoay quanh các vấn đề như: giá điện tăng cao; ...".
    r"(?:\s*,?\s*(?:(?:đã|đều|cũng|chủ yếu)\s+)*|[^.:;?!]{0,250}?(?<!\w)(?=(?:như|sau|gồm)\s*:))"
    r"(cho rằng|tập trung(?:\s+(?:vào|ở))?|liên quan(?:\s+(?:đến|tới|về))?|"
    r"đề cập(?:\s+(?:đến|tới))?|về|(?:như|sau|gồm)(?=\s*:))(?!\w)"
)
# A group can also be said to have opinions: "nhân dân xã Khe Mo đã có một
# số ý kiến về các nội dung như: ...".
# Counted, the question starts at the count: "cử tri ... đã có 39 ý kiến,
# kiến nghị, chủ yếu liên quan đến ..." asks "39 ý kiến, kiến nghị, ...".
HAS_OPINIONS = re.compile(
    r"\s*(?:(?:đã|cũng|đều|còn)\s+)*(có(?=\s+(?:(?:gần|hơn|trên|khoảng)\s+)?\d)|"
    r"có\s+(?:(?:một số|nhiều|gần|hơn|trên|khoảng)\s+)?"
    r"(?:[\d.]+\s+)?(?:lượt\s+)?(?:ý kiến|kiến nghị|câu hỏi))(?!\w)"
    r"(?:,\s*(?:kiến nghị|phản ánh|đề xuất))*"
)

# An agency's head word, as it opens a body's name.
_BODY_HEADS = (
    # A deputies' group is often written in lower case ("đại diện tổ đại
    # biểu HĐND huyện yêu cầu ...").
    r"Sở|UBND|Ủy ban nhân dân|Uỷ ban nhân dân|Ủy ban|Uỷ ban|Công an|Bộ|Ban|[Tt]ổ đại biểu|"
    r"[Đđ]oàn đại biểu|Thường trực|Thanh tra|Bảo hiểm xã hội|BHXH|Cục|Chi cục|Văn phòng|"
    r"Trung tâm|Liên đoàn Lao động|LĐLĐ|HĐND|Hội đồng nhân dân|Tổng [Cc]ông ty|Công ty|"
    r"Điện lực|Kho bạc|Phòng|Chính phủ|Tỉnh ủy|Tỉnh uỷ|Thành ủy|Thành uỷ|Huyện ủy|Huyện uỷ|"
    r"Đảng ủy|Đảng uỷ|"
    # The deputies of a council, as one ("đã được Đại biểu HĐND tỉnh ... tiếp thu").
    r"[Đđ]ại biểu(?= (?:HĐND|Hội đồng nhân dân))"
)
BODY = re.compile(
    rf"(?:([Ll]ãnh đạo|[Đđ]ại diện)\s+)?(?:(?:{_BODY_HEADS})(?!\w))"
)
# Bodies that direct others ("Ủy ban nhân dân tỉnh giao ...", "Tổ đại biểu
# ... đề nghị ..."), as councils and committees do.
LEADING_BODY = re.compile(
    r"^(?:(?:[Ll]ãnh đạo|[Đđ]ại diện)\s+)?(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|HĐND|"
    r"Hội đồng nhân dân|Thường trực|[Tt]ổ đại biểu|[Đđ]oàn đại biểu|Chính phủ|Tỉnh ủy|Tỉnh uỷ|"
    r"Thành ủy|Thành uỷ|Huyện ủy|Huyện uỷ)(?!\w)"
)
# Words that never stand in a name or a title: a segment holding one is a
# clause ("Chủ tịch UBND TP lắng nghe các ý kiến"), not a speaker.
NOT_IN_NAME = re.compile(
    r"(?<!\w)(?:các|những|về|với|của|cho|được|đang|có|là|để|tại|trong|theo|lắng nghe|gặp gỡ|"
    r"đối thoại|tiếp xúc|đến|từ|khi|nếu|này|đó|vừa|\d)(?!\w)"
)


def _capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]


def group_at(text: str, pos: int) -> tuple[Speaker, int] | None:
    """The group named at `pos`, and where its name ends."""
    match = GROUP.match(text, pos)
    if match is None:
        return None
    name = match.group().rstrip(" ,")
    head, colon, places = name.partition(":")
    if colon:
        # The places listed after the colon are where the group is from.
        return (Speaker(_capitalised(head), organisation=places.strip(), kind="group"),
                pos + len(name))
    return Speaker(_capitalised(name), kind="group"), pos + len(name)


@dataclass(frozen=True)
class Opinions:
    who: Speaker  # the group they stand for
    end: int  # where their words end
    # Counted, said to exist or "các ý kiến": a summary, which may ask with
    # `SUMMARY_VERB`. A bare "kiến nghị" is only a noun ("lắng nghe các ý
    # kiến, kiến nghị của công nhân về các vấn đề ...").
    summed: bool


def opinion_at(text: str, pos: int, audience: Speaker | None = None) -> Opinions | None:
    """Opinions speaking for their group ("Phần lớn các ý kiến ...", "có ý
    kiến cho rằng ...", "đã có 12 lượt ý kiến ..."): the group named in them
    ("ý kiến của cử tri ..."), else the last group named before them in
    `text`, else, for opinions counted or said to exist, the `audience` of
    the meeting (see `audience_of`), else none."""
    match = _OPINION.match(text, pos)
    summed = _SUMMARY.match(text, pos)
    if summed is not None and (match is None or summed.end() > match.end()):
        match = summed
    if match is None:
        return None
    end = match.end()
    counted = match is summed or bool(match.group("many"))
    own = OF_GROUP.match(text, end + 1) if text[end:end + 1] == " " else None
    if own is not None:
        return Opinions(Speaker(_capitalised(own.group(1).rstrip(" ,")), kind="group"),
                        own.end(), counted)
    before = list(OF_GROUP.finditer(text, 0, pos))
    if before:
        return Opinions(Speaker(_capitalised(before[-1].group(1).rstrip(" ,")), kind="group"),
                        end, counted)
    if match is summed and audience is not None:
        return Opinions(audience, end, True)
    return None


# Whom a meeting receives: "tiếp công dân", "buổi tiếp dân" (the citizens
# received), or the group a dialogue or a meeting is held with ("đối thoại
# trực tiếp với người dân phường An Phú", "giữa đồng chí Chủ tịch UBND
# phường với Nhân dân").
_RECEPTION = re.compile(r"(?<![\w])[Tt]iếp (?:công )?dân(?!\w)")
_HELD_WITH = re.compile(
    r"(?<!\w)(?:[Đđ]ối thoại|[Tt]iếp xúc|[Gg]ặp gỡ|[Gg]ặp mặt|[Ll]àm việc)(?!\w)[^.;:!?\n]{0,80}?"
    rf"(?<!\w)với\s+(?:các\s+|những\s+|đông đảo\s+)?({GROUP.pattern})"
)


# Voters met where they live: "buổi tiếp xúc cử tri tại xã Khánh Thuận" (the
# voters of xã Khánh Thuận).
_VOTERS_MET = re.compile(
    rf"(?<!\w)[Tt]iếp xúc\s+(cử tri(?:\s+tại)?(?:,?\s+{_PLACE_WORDS}\s*{_PLACE_NAME})+)"
)


def audience_of(text: str) -> list[tuple[int, Speaker]]:
    """Where `text` names whom the meeting is held with, and that group: the
    asker of opinions summed up with no one named (see `audience_before`)."""
    found = [(m.start(), _CITIZENS) for m in _RECEPTION.finditer(text)]
    found += [(m.start(1), Speaker(_capitalised(m.group(1).rstrip(" ,")), kind="group"))
              for m in _HELD_WITH.finditer(text)]
    found += [(m.start(1), Speaker(_capitalised(re.sub(r"\s+tại(?=\s)", "", m.group(1))),
                                   kind="group"))
              for m in _VOTERS_MET.finditer(text)]
    return sorted(found, key=lambda pair: pair[0])


_CITIZENS = Speaker("Công dân", kind="group")


def audience_before(named: list[tuple[int, Speaker]], pos: int) -> Speaker | None:
    """The audience named before `pos` (else the first one named): the
    citizens if it is a reception ("buổi tiếp dân, đối thoại trực tiếp với
    nhân dân": those received), else the group named last."""
    before = [who for at, who in named if at < pos] or [who for _at, who in named[:1]]
    if _CITIZENS in before:
        return _CITIZENS
    return before[-1] if before else None


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


# Bodies named by their kind, in lower case: "các cơ quan liên quan", "các
# phòng chức năng của huyện", "các sở, ngành".
_KIND_OF_BODY = re.compile(
    r"(?:[Cc]ác|[Nn]hững)\s+(?:cơ quan|sở|ngành|phòng|ban|đơn vị|địa phương|cấp)(?!\w)"
)
# "của huyện": whose offices they are, part of the name.
_OF_PLACE = re.compile(r"(?<!\w)của\s+(?:tỉnh|huyện|thành phố|thị xã|quận|xã|phường)(?!\w)")


def named_by_kind(who: Speaker) -> bool:
    """A body named by its kind only ("các cơ quan liên quan")."""
    return who.kind == "body" and bool(_KIND_OF_BODY.match(who.name))


def kind_of_body_at(text: str, pos: int, stop: int) -> Speaker | None:
    """The body named by its kind from `pos` to `stop` (where its verb is)."""
    match = _KIND_OF_BODY.match(text, pos)
    if match is None:
        return None
    name = text[pos:stop].strip(" ,-\u2013")
    rest = _OF_PLACE.sub("", name[match.end() - pos:])
    if not name or len(name) > 60 or NOT_IN_NAME.search(rest):
        return None
    return Speaker(name, organisation=name, agency=name, kind="body")


def same_group(asked: str, named: str) -> bool:
    """An answer's "cử tri" or "nông dân" names any group of its kind."""
    return asked.lower().startswith(named.lower())
