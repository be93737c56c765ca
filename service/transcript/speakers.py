"""Who speaks: the lead of a paragraph ("Ông X, <title> đặt câu hỏi:"), the
speaker's name, title, organisation and the agency they answer for.

A descriptor ("Phó Giám đốc Sở Y tế") is split at its position words: the
title is the whole descriptor when it opens with a position word, else empty;
the organisation is what follows the last position word (or, when that is not
a unit's name, the comma segments after it). The agency is the organisation
with a trailing "tỉnh <Province>" cut to "tỉnh", and a bare trailing "tỉnh"
dropped after "Sở ...".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from service.transcript.model import Speaker
from service.transcript.words import bare, is_capitalised, same

# Matched with their accents: folded, `trưởng` (head) and `trường` (school)
# are the same word. Longest first.
_POSITIONS = sorted(
    (
        "phó chủ tịch thường trực", "phó chủ tịch", "chủ tịch", "phó tổng giám đốc",
        "tổng giám đốc", "phó giám đốc", "giám đốc", "phó bí thư", "bí thư",
        "phó hiệu trưởng", "hiệu trưởng", "phó chi cục trưởng", "chi cục trưởng",
        "phó cục trưởng", "cục trưởng", "phó trưởng", "trưởng", "phó chánh", "chánh",
        "tỉnh ủy viên", "tỉnh uỷ viên", "ủy viên", "uỷ viên", "thành viên", "thủ trưởng",
        "công chức", "viên chức", "giáo viên", "nhân viên", "cán bộ", "công nhân",
        "kế toán", "đoàn viên", "chuyên viên", "người lao động", "phó",
    ),
    key=len,
    reverse=True,
)
_LONGEST_POSITION = len(_POSITIONS[0])
# Lower-case words that begin the name of a unit ("ban Chính sách ...").
_UNITS = (
    "ban", "phòng", "trạm", "công đoàn", "khoa", "tổ", "đội", "hội", "chi hội",
    "chi bộ", "văn phòng", "trung tâm", "trường", "bộ phận", "ủy ban", "uỷ ban",
)
_HONORIFIC = re.compile(
    r"(?<!\w)(Ông|ông|Bà|bà|Đồng chí|đồng chí|(?:PGS\.\s?)?TS\.|ThS\.|BS\.|[Bb]ác sĩ|"
    r"[Đđ]ại tá|[Tt]hượng tá|[Tt]rung tá)\s+(?=[^\W\d_])"
)
# Academic and military titles stand where an honorific would; they are not
# kept as one (`Speaker.honorific` is Ông, Bà, Đồng chí or nothing).
_HONORIFICS = {"ông": "Ông", "bà": "Bà", "đồng chí": "Đồng chí"}
_WORD = re.compile(r"[^\W\d_]+")
# Family names, for speakers written without an honorific ("Nguyễn Văn A, ...").
_SURNAMES = frozenset(
    bare(s)
    for s in (
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
        "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Hà", "Nông", "Ma", "Mã", "Lô", "Sầm", "Đinh",
        "Lương", "Vi", "Triệu", "Đàm", "Hứa", "Lục", "Bế", "Mai", "Tô", "Trịnh", "Đoàn", "Lâm",
        "Chu", "Quan", "Lã", "Âu", "Cao", "Tạ", "Đào", "Thái", "Lưu", "Văn", "Kiều", "Khổng",
        "La", "Hầu", "Tống", "Quách",
    )
)
# The verb that ends a lead, by what it makes of the paragraph. Lower case
# only: "Thông tin" in "Sở Thông tin và Truyền thông" is no verb.
_QUESTION_VERBS = (
    "đặt câu hỏi", "nêu câu hỏi", "chất vấn", "kiến nghị", "đề nghị", "đề xuất",
    "phản ánh", "hỏi",
)
_ANSWER_VERBS = ("trả lời", "giải đáp", "giải trình", "cho biết", "thông tin", "làm rõ")
_SPEECH_VERBS = (
    "phát biểu", "kết luận", "yêu cầu", "chỉ đạo", "giao", "nhấn mạnh", "khẳng định",
    "ghi nhận", "tin tưởng", "chủ trì", "báo cáo", "ký kết", "trao", "tặng", "xem",
    "theo dõi", "cảm ơn", "biểu dương", "tiếp thu", "mong muốn", "chia sẻ", "nói",
    "bày tỏ", "đánh giá", "lưu ý", "quán triệt",
)
_VERB = re.compile(
    r"(?<!\w)("
    + "|".join(re.escape(v) for v in sorted(
        (*_QUESTION_VERBS, *_ANSWER_VERBS, *_SPEECH_VERBS), key=len, reverse=True))
    + r")(?!\w)"
)
# "Trả lời ý kiến của bà X, ông Y, Giám đốc Sở Z cho biết": the lead opens
# with the answering, the responder is the last person named.
_ANSWER_PREFIX = re.compile(
    r"^(?:Trả lời|Giải đáp|Tiếp thu,? giải trình|Giải trình|Liên quan đến|Về|Đối với)\s",
)
# What a photo caption has after its verb.
_CAPTION_TAILS = re.compile(
    r"^(?:câu hỏi|ý kiến|kiến nghị)?\s*(?:(?:tại|trong) (?:hội nghị|buổi đối thoại|buổi gặp mặt)"
    r"(?: đối thoại)?)?\s*[.…]*$",
    re.IGNORECASE,
)
_PROVINCE_TAIL = re.compile(r"(\btỉnh)((?:\s+[^\W\d_]+)+)$")
_ASKER_ZONE = 220  # how far after "trả lời" the named askers may run


@dataclass(frozen=True)
class Mention:
    honorific: str
    name: str
    start: int
    end: int  # end of the name


@dataclass(frozen=True)
class Lead:
    """A paragraph's opening: who, doing what, and where the body begins."""

    kind: str  # "question", "answer" or "speech"
    speaker: Speaker
    verb: str
    body: int  # offset in the paragraph where the question/answer text starts
    caption: bool  # the line only repeats a lead (a photo caption)
    askers: tuple[str, ...] = field(default=())  # names an answer addresses


def _name_at(text: str, pos: int, limit: int = 5) -> tuple[str, int]:
    words: list[str] = []
    end = pos
    for match in _WORD.finditer(text, pos):
        gap = text[end:match.start()]
        if words and gap != " ":
            break
        if not words and match.start() != pos:
            break
        word = match.group()
        if not is_capitalised(word) or _position_length(text, match.start()) or len(
            words
        ) >= limit:
            break
        words.append(word)
        end = match.end()
    return " ".join(words), end


def mentions(text: str, start: int = 0, stop: int | None = None) -> list[Mention]:
    """People named with an honorific in `text[start:stop]`."""
    stop = len(text) if stop is None else stop
    found: list[Mention] = []
    for match in _HONORIFIC.finditer(text, start, stop):
        name, end = _name_at(text, match.end())
        if len(name.split()) >= 2 and end <= stop:
            honorific = _HONORIFICS.get(match.group(1).lower(), "")
            found.append(Mention(honorific, name, match.start(), end))
    return found


def _bare_mention(text: str) -> Mention | None:
    """A speaker without honorific at the very start: "Nguyễn Văn A, ..."."""
    name, end = _name_at(text, 0)
    words = name.split()
    if len(words) >= 2 and bare(words[0]) in _SURNAMES and text[end:end + 1] in {",", " "}:
        following = text[end:end + 2]
        if following.startswith(",") or following.startswith(" ("):
            return Mention("", name, 0, end)
    return None


def _position_length(text: str, start: int = 0) -> int:
    """The length of the position word `text` has at `start`, or 0."""
    # Only as much as the longest position word and the character after it
    # is lowered: lowering the rest of the paragraph at each word of a name
    # made reading a long paragraph take the square of its length.
    lower = text[start:start + _LONGEST_POSITION + 1].lower()
    for position in _POSITIONS:
        if lower.startswith(position) and (
            len(lower) == len(position) or not lower[len(position)].isalnum()
        ):
            return len(position)
    return 0


def describe(descriptor: str) -> tuple[str, str]:
    """(title, organisation) of a descriptor such as
    "Chủ tịch LĐLĐ huyện Ngân Sơn" or "Trường THCS Nông Hạ, huyện Chợ Mới"."""
    text = descriptor.strip(" ,:;")
    if text.startswith("(") and ")" in text:
        inner = text[1:text.index(")")].strip()
        title, organisation = describe(inner)
        return title, organisation
    # Offsets of the comma segments.
    starts = [0] + [m.end() for m in re.finditer(r",\s*", text)]
    positional = [(s, _position_length(text, s)) for s in starts]
    positional = [(s, n) for s, n in positional if n]
    if not positional or positional[0][0] != 0:
        return "", text
    last, length = positional[-1]
    rest = text[last + length:].lstrip()
    rest_at = len(text) - len(rest)
    head = rest.split(",")[0]
    if head and (head[0].isupper() or any(
        head.lower().startswith(u + " ") for u in _UNITS
    )):
        return text, text[rest_at:]
    later = [s for s in starts if s > last]
    return text, (text[later[0]:] if later else "")


def agency_of(organisation: str) -> str:
    """"Sở Giáo dục và Đào tạo tỉnh" -> "Sở Giáo dục và Đào tạo";
    "Bảo hiểm xã hội tỉnh Bắc Kạn" -> "Bảo hiểm xã hội tỉnh"."""
    agency = organisation.strip(" ,.")
    tail = _PROVINCE_TAIL.search(agency)
    if tail and all(is_capitalised(w) for w in tail.group(2).split()):
        agency = agency[:tail.start(2)]
    if agency.startswith("Sở ") and agency.endswith(" tỉnh"):
        agency = agency[: -len(" tỉnh")]
    return agency.strip()


def speaker(mention: Mention, descriptor: str, with_agency: bool) -> Speaker:
    title, organisation = describe(descriptor)
    agency = agency_of(organisation) if with_agency else ""
    return Speaker(mention.name, mention.honorific, title, organisation, agency)


def _kind(verb: str) -> str:
    if verb in _QUESTION_VERBS:
        return "question"
    if verb in _ANSWER_VERBS:
        return "answer"
    return "speech"


def _is_caption(tail: str) -> bool:
    return bool(_CAPTION_TAILS.match(tail.strip()))


def lead(text: str) -> Lead | None:
    """The lead of a paragraph, if it opens with a speaker and a verb."""
    prefixed = bool(_ANSWER_PREFIX.match(text))
    first = _first_mention(text, prefixed)
    if first is None:
        return None
    # The lead ends at the first sentence end or colon after the name.
    end_match = re.compile(r"[:.?!;]").search(text, first.end)
    zone_end = end_match.start() if end_match else len(text)
    verb_match = _VERB.search(text, first.end, zone_end)
    if verb_match is None:
        return None
    verb = verb_match.group(1)
    kind = _kind(verb)
    people = mentions(text, first.start, verb_match.start()) or [first]
    if prefixed:
        if kind != "answer":
            return None
        responder = people[-1]
        askers = tuple(m.name for m in people[:-1])
        descriptor = text[responder.end:verb_match.start()]
        who = speaker(responder, descriptor, with_agency=True)
        body = _body_start(text, verb_match.end())
        return Lead("answer", who, verb, body, False, askers)
    descriptor = text[first.end:verb_match.start()]
    if kind == "answer":
        who = speaker(first, descriptor, with_agency=True)
        if verb != "trả lời" and not who.title:
            kind = "speech"
    else:
        who = speaker(first, descriptor, with_agency=kind != "question")
    tail_start = verb_match.end()
    named_askers: tuple[str, ...] = ()
    if kind == "answer":
        colon = text.find(":", tail_start, tail_start + _ASKER_ZONE)
        zone = colon if colon >= 0 else min(len(text), tail_start + 60)
        named = mentions(text, tail_start, zone)
        named_askers = tuple(m.name for m in named)
        if colon >= 0 and named:
            tail_start = colon + 1
        elif named:
            tail_start = named[-1].end
    if kind == "question" and verb in {"đề nghị", "kiến nghị"}:
        # "đề nghị Giám đốc Sở Tài chính cho biết <the question>"
        told = re.compile(r"[^.:?!]{0,80}?\bcho biết\b").match(text, tail_start)
        if told:
            tail_start = told.end()
    tail = text[tail_start:]
    # An answer naming its askers is no caption even with nothing after the
    # colon: its text follows in the next paragraphs.
    caption = _is_caption(tail) and not named_askers
    return Lead(kind, who, verb, _body_start(text, tail_start), caption, named_askers)


def _first_mention(text: str, prefixed: bool) -> Mention | None:
    bare_lead = _bare_mention(text)
    if bare_lead is not None:
        return bare_lead
    found = mentions(text, 0, min(len(text), 260))
    if not found:
        return None
    first = found[0]
    before = text[:first.start]
    if first.start == 0 or prefixed:
        return first
    # An opening clause: "Phát biểu tại hội nghị, bà X ..."
    if before.endswith(", ") and len(before) <= 90 and not re.search(r"[.:;?!]", before):
        return first
    return None


def _body_start(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " :,\u00a0-\u2013":
        pos += 1
    return pos


# --- the chair -------------------------------------------------------------

_CHAIRMAN_NAMED = re.compile(
    r"(?<!Phó )(Chủ tịch (?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân) tỉnh)"
    r"((?:\s+[A-ZĐÀ-ỸÂĂÊÔƠƯ][^\W\d_]*){2,6})"
)
_CHAIRED_BY = re.compile(r"[Cc]hủ trì[^:.]{0,80}?đồng chí\s*:?\s*")


def chair_from(paragraphs: list[str]) -> Speaker | None:
    """Who chaired: "Chủ trì ... gồm các đồng chí: X, <title>; ...", else
    "Đồng chí X, <title> chủ trì ...", else the first Chủ tịch UBND named."""
    for text in paragraphs:
        match = _CHAIRED_BY.search(text)
        if match:
            name, end = _name_at(text, match.end())
            if len(name.split()) >= 2:
                stop = re.compile(r";|\.(?:\s|$)| và ").search(text, end)
                descriptor = text[end:stop.start() if stop else len(text)]
                return speaker(Mention("Đồng chí", name, match.end(), end), descriptor, True)
    for text in paragraphs:
        found = lead(text)
        if found and found.verb == "chủ trì":
            return replace(found.speaker, honorific=found.speaker.honorific or "Đồng chí")
    for text in paragraphs:
        # "Chủ tịch UBND tỉnh Trần Văn Hai yêu cầu ...": the name after the office.
        for match in _CHAIRMAN_NAMED.finditer(text):
            words = match.group(2).split()
            first = next((i for i, w in enumerate(words) if bare(w) in _SURNAMES), None)
            if first is not None and len(words) - first >= 2:
                name = " ".join(words[first:])
                return Speaker(name, "Đồng chí", match.group(1), match.group(1)[len("Chủ tịch "):],
                               agency_of(match.group(1)[len("Chủ tịch "):]))
    for text in paragraphs:
        for mention in mentions(text):
            after = text[mention.end:mention.end + 120]
            stop = _VERB.search(after)
            descriptor = after[: stop.start() if stop else len(after)]
            if re.search(r"(?<!Phó )Chủ tịch (?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân) tỉnh",
                         descriptor):
                return speaker(mention, descriptor, True)
    return None


def is_chair(who: Speaker, chair: Speaker | None) -> bool:
    return chair is not None and same(who.name, chair.name)
