"""Who speaks: the lead of a paragraph ("Ông X, <title> đặt câu hỏi:"), the
speaker's name, title, organisation and the agency they answer for.

Speakers come as: an honorific or a role word and a name ("ông X", "đại
biểu X", "nông dân X", "anh X", "cụ X"), a bare name ("Nguyễn Văn A, ..."),
a title then the name ("Giám đốc Sở Y Nguyễn Văn A"), a title alone
("đồng chí Bí thư Thành ủy ...": the person met before who holds it, if
any), a given name alone ("ông Thiệu": a speaker met before), a group or a
body (see `groups`). The descriptor may follow a comma or a dash. One
speaking for a body ("Thay mặt UBND tỉnh, đồng chí X", "X thay mặt Tổ đại
biểu HĐND tỉnh", "X cùng các thành viên Tổ đại biểu số 7") answers for it,
and directs when it does.

A descriptor ("Phó Giám đốc Sở Y tế") is split at its position words: the
title is the whole descriptor when it opens with a position word, else empty;
the organisation is what follows the last position word (or, when that is not
a unit's name, the comma segments after it). The agency is the organisation
with a trailing "tỉnh <Province>" cut to "tỉnh", and a bare trailing "tỉnh"
dropped after "Sở ...".

What the lead makes of the paragraph depends on the verb and on who says it:
asking verbs (hỏi, chất vấn, phản ánh, nêu ...) make a question; petitions
(đề nghị, kiến nghị, đề xuất, mong ...) a question from a citizen and a
directive from a leader (a chair or secretary of a council, committee or
party body, or such a body); statements (cho biết, thông tin, giải trình,
khẳng định, tiếp thu ...) an answer from an official or a body. An answer's
lead may name its askers and state their question ("Trả lời câu hỏi: "..."
của nông dân X", "trả lời chất vấn của đại biểu X về <the matter>"); what
is quoted is blanked out while the lead is read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from service.transcript import groups
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
        "phó thủ tướng", "thủ tướng", "bộ trưởng", "thứ trưởng",
        # Abbreviated party posts: "Phạm Văn Quang - TUV, Giám đốc Sở ...".
        "tuv", "uvtv", "ubtv", "uvbtv",
    ),
    key=len,
    reverse=True,
)
_LONGEST_POSITION = len(_POSITIONS[0])
# Longest first, and a whole word: "phó chủ tịch" before "chủ tịch".
_POSITION_AT = re.compile("(?:" + "|".join(map(re.escape, _POSITIONS)) + r")(?![^\W_])")
# Lower-case words that begin the name of a unit ("ban Chính sách ...").
_UNITS = (
    "ban", "phòng", "trạm", "công đoàn", "khoa", "tổ", "đội", "hội", "chi hội",
    "chi bộ", "văn phòng", "trung tâm", "trường", "bộ phận", "ủy ban", "uỷ ban",
)
_HONORIFIC = re.compile(
    r"(?<!\w)(Ông|ông|Bà|bà|Đồng chí|đồng chí|Anh|anh|Chị|chị|Cụ|cụ|(?:PGS\.\s?)?TS\.|ThS\.|"
    r"BS\.|[Bb]ác sĩ|[Đđ]ại tá|[Tt]hượng tá|[Tt]rung tá|[Tt]hiếu tướng|[Tt]rung tướng|"
    r"[Đđ]ại biểu|[Cc]ử tri|[Nn]ông dân|[Cc]ông nhân|[Cc]ông dân|[Nn]gười dân)\s+(?=[^\W\d_])"
)
# Words before a name that say the speaker's role ("đại biểu Nguyễn Thị
# Hương", "nông dân Vi Văn Can"). Unlike "Ông", they also begin ordinary
# phrases ("cử tri Xã Chân Sơn", "công nhân Công ty ..."), so the name after
# them must open with a family name.
_ROLES = frozenset({"đại biểu", "cử tri", "nông dân", "công nhân", "công dân", "người dân"})
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
# Asking, whoever speaks ("nêu" with what is raised: "nêu kiến nghị", "nêu
# những nguyện vọng"; a petition read out: "đọc đơn đề nghị").
_ASK_VERBS = (
    "đặt câu hỏi", "nêu câu hỏi", "đặt vấn đề", "chất vấn", "hỏi", "phản ánh", "thắc mắc",
    "nêu kiến nghị",
    "nêu ý kiến", "nêu", "đọc", "khiếu nại",
)
# Asking when a citizen or a delegate says it; directing when a leader does
# ("Chủ tịch HĐND tỉnh Tạ Văn Long đề nghị các đại biểu ...").
_PETITION_VERBS = ("kiến nghị", "đề nghị", "đề xuất", "mong muốn", "mong mỏi", "mong")
# Answering, when an official or a body says it (a citizen who "cho biết"
# only speaks).
_ANSWER_VERBS = (
    "trả lời", "giải đáp", "giải trình", "phúc đáp", "cho biết", "thông tin", "làm rõ",
    "khẳng định", "tiếp thu", "ghi nhận", "trao đổi", "nêu rõ", "trình bày",
)
_DIRECTIVE_VERBS = ("yêu cầu", "chỉ đạo", "giao", "kết luận", "lưu ý", "quán triệt", "nhấn mạnh")
_SPEECH_VERBS = (
    "phát biểu", "tin tưởng", "chủ trì", "báo cáo", "ký kết", "trao", "tặng", "xem",
    "theo dõi", "cảm ơn", "biểu dương", "chia sẻ", "nói", "bày tỏ", "đánh giá", "nêu quan điểm",
    "hứa", "cam kết",
)
# Verb words that are part of other words here: "đọc" a petition only, "giao"
# no street traffic ("giao thông"), "thông tin" no technology.
_VERB_GUARDS = {
    "đọc": r"(?=\s+(?:đơn|thư|tâm thư|bản kiến nghị))",
    "giao": r"(?!\s+(?:thông|dịch|lưu|tiếp|đất|nhận|khoán|ban))",
    "thông tin": r"(?<!nghệ thông tin)",
    "xem": r"(?!\s+xét)",
    "nêu": r"(?!\s+(?:rõ|quan điểm))",
    "nói": r"(?!\s+(?:chung|riêng))",
    "chất vấn": r"(?<!phiên chất vấn)(?<!buổi chất vấn)",
    # Presenting the answers given to petitions answers them: "trình bày tóm
    # tắt báo cáo kết quả giải quyết, trả lời ý kiến, kiến nghị của cử tri".
    "trình bày": r"(?=[^.;:]{0,60}?(?<!\w)(?:trả lời|giải quyết)(?!\w)[^.;:]{0,30}?"
                 r"(?<!\w)(?:ý kiến|kiến nghị))",
    # "phiên chất vấn và trả lời chất vấn": the session, no answer.
    "trả lời": r"(?<!chất vấn và trả lời)",
}
_VERB = re.compile(
    r"(?<!\w)(?<!bàn )("
    + "|".join(
        re.escape(v) + _VERB_GUARDS.get(v, "")
        for v in sorted(
            {*_ASK_VERBS, *_PETITION_VERBS, *_ANSWER_VERBS, *_DIRECTIVE_VERBS, *_SPEECH_VERBS},
            key=len, reverse=True))
    + r")(?!\w)"
)
# Words between a speaker and the verb that are neither ("đã", "xin"), and
# listening before answering ("đã lắng nghe và tiếp thu").
_ADVERBS = re.compile(
    r"(?:\s*(?<!\w)(?:đã|cũng|đều|vẫn|xin|sẽ|tiếp tục|trực tiếp|thẳng thắn|còn|thêm|tập trung|"
    r"tiếp|lại|liên tục|đến|lắng nghe(?:,| và))(?!\w))*\s*$"
)
# Titles that make their holder a leader, whose "đề nghị" is a directive.
_LEADER = re.compile(
    r"(?:Thủ tướng|Bộ trưởng|Chủ tịch|Bí thư)(?:\s+Thường trực)?\s+(?:UBND|Ủy ban nhân dân|"
    r"Uỷ ban nhân dân|HĐND|Hội đồng nhân dân|Tỉnh ủy|Tỉnh uỷ|Thành ủy|Thành uỷ|Huyện ủy|"
    r"Huyện uỷ|Quận ủy|Thị ủy|tỉnh|thành phố|TP|huyện|quận|thị xã)|Thủ tướng"
    # A chair named with no body, as a report names them after the first
    # mention ("Phó chủ tịch Hà Sĩ Đồng đề nghị ..."): the meeting's own.
    r"|^(?:Phó\s+)?[Cc]hủ tịch$"
)
# Positions held by the people asked, not by officials answering.
_NOT_OFFICIAL = ("công nhân", "người lao động", "đoàn viên", "giáo viên", "nhân viên",
                 "kế toán", "viên chức", "công chức")
# "Trả lời ý kiến của bà X, ông Y, Giám đốc Sở Z cho biết": the lead opens
# with the answering, the responder is the last person named.
_ANSWER_PREFIX = re.compile(
    r"^(?:Trả lời|Giải đáp|Tiếp thu,? giải trình|Giải trình|Liên quan đến|Về|Đối với)\s",
)
# What a photo caption has after its verb: nothing, or where it happened, or
# whom it was addressed to ("trả lời kiến nghị của cử tri", "đặt câu hỏi đối
# thoại với lãnh đạo TP Hà Nội").
_CAPTION_TAILS = re.compile(
    r"^(?:câu hỏi|ý kiến|kiến nghị|chất vấn)?(?:\s+của\s+[^.:;?!]{1,40})?\s*"
    r"(?:(?:tại|trong) (?:hội nghị|buổi đối thoại|buổi gặp mặt|buổi tiếp xúc|kỳ họp|phiên)"
    r"[^.:;?!]{0,40}|(?:đối thoại\s+)?với (?:lãnh đạo|Chủ tịch)[^.:;?!]{0,40})?\s*[.…]*$",
    re.IGNORECASE,
)
# A lead's clause ends at a colon or a sentence end ("TP. Huế" and "1.600"
# end nothing).
_CLAUSE_END = re.compile(r"[:;?!]|\.(?=\s|$)")
_ABBREVIATED = re.compile(r"(?<!\w)(?:TP|Tp|TS|ThS|PGS|GS|BS|KS|St|TT|Q|P)$")
_QUOTES = re.compile(r"\"[^\"\n]{1,1500}\"|“[^”\n]{1,1500}”|«[^»\n]{1,1500}»")
# "về <the matter>" after the askers an answer names.
_ABOUT = re.compile(r"\s*(?:,\s*)?(?:về|liên quan đến|đối với)\s+")
_OPENING = 200  # how long an opening clause before the speaker may be
_COMPANY = re.compile(r"(?:Tổng [Cc]ông ty|Công ty)(?!\w)")
_PROVINCE_TAIL = re.compile(r"(\btỉnh)((?:\s+[^\W\d_]+)+)$")
_ASKER_ZONE = 220  # how far after "trả lời" the named askers may run
# ... and how far they may stand with no colon after them ("trình bày tóm
# tắt báo cáo kết quả giải quyết, trả lời ý kiến, kiến nghị của cử tri").
_ASKERS_AFTER = 100


@dataclass(frozen=True)
class Mention:
    honorific: str
    name: str
    start: int
    end: int  # end of the name
    role: str = ""  # "đại biểu", "nông dân", ... when one stood for the honorific
    known: Speaker | None = None  # the speaker a given name alone refers to


@dataclass(frozen=True)
class Lead:
    """A paragraph's opening: who, doing what, and where the body begins."""

    kind: str  # "question", "answer", "directive" or "speech"
    speaker: Speaker
    verb: str
    body: int  # offset in the paragraph where the question/answer text starts
    caption: bool  # the line only repeats a lead (a photo caption)
    askers: tuple[str, ...] = field(default=())  # names an answer addresses
    # The askers an answer names, as speakers, and the question its lead
    # states ("Trả lời câu hỏi: "..." của nông dân X", "trả lời chất vấn của
    # đại biểu X về <the matter>"), for a question the text has not reported.
    asked: tuple[Speaker, ...] = field(default=())
    matter: str = ""
    matter_at: int = -1  # its offset in the paragraph
    passive: bool = False  # "đã được <the responder> trả lời": what was asked is answered


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


def mentions(text: str, start: int = 0, stop: int | None = None,
             known: Sequence[Speaker] = ()) -> list[Mention]:
    """People named with an honorific in `text[start:stop]`; a given name
    alone ("ông Thiệu") when it is the last word of a `known` speaker's."""
    stop = len(text) if stop is None else stop
    found: list[Mention] = []
    for match in _HONORIFIC.finditer(text, start, stop):
        name, end = _name_at(text, match.end())
        if end > stop or not name:
            continue
        word = match.group(1).lower()
        words = name.split()
        role = word if word in _ROLES else ""
        if role and bare(words[0]) not in _SURNAMES:
            continue
        honorific = _HONORIFICS.get(word, "")
        if len(words) >= 2:
            met = next((k for k in reversed(known) if same(k.name, name)), None)
            found.append(Mention(honorific, name, match.start(), end, role, met))
        elif not role:
            referred = _known_by_given_name(name, known)
            if referred is not None:
                found.append(Mention(honorific, referred.name, match.start(), end, "", referred))
    return found


def _known_by_given_name(word: str, known: Sequence[Speaker]) -> Speaker | None:
    for speaker_ in reversed(known):
        words = speaker_.name.split()
        if speaker_.kind == "person" and len(words) >= 2 and same(words[-1], word):
            return speaker_
    return None


def _bare_mention(text: str, pos: int = 0) -> Mention | None:
    """A speaker without honorific at a clause start: "Nguyễn Văn A, ..."."""
    name, end = _name_at(text, pos)
    words = name.split()
    if len(words) >= 2 and bare(words[0]) in _SURNAMES and text[end:end + 1] in {",", " "}:
        following = text[end:end + 2]
        if following.startswith(",") or following in {" (", " -", " \u2013"}:
            return Mention("", name, pos, end)
    return None


def _position_length(text: str, start: int = 0) -> int:
    """The length of the position word `text` has at `start`, or 0."""
    # Only as much as the longest position word and the character after it
    # is lowered: lowering the rest of the paragraph at each word of a name
    # made reading a long paragraph take the square of its length.
    found = _POSITION_AT.match(text[start:start + _LONGEST_POSITION + 1].lower())
    return found.end() if found else 0


def describe(descriptor: str) -> tuple[str, str]:
    """(title, organisation) of a descriptor such as
    "Chủ tịch LĐLĐ huyện Ngân Sơn" or "Trường THCS Nông Hạ, huyện Chợ Mới"."""
    # A dash may stand for the comma: "ông X - Giám đốc Sở Y - trả lời".
    text = descriptor.strip(" ,:;-\u2013\u2014")
    if text.startswith("(") and ")" in text:
        inner = text[1:text.index(")")].strip()
        title, organisation = describe(inner)
        return title, organisation
    # Offsets of the comma segments.
    starts = [0] + [m.end() for m in re.finditer(r",\s*|\s+[-\u2013]\s+", text)]
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
    if _COMPANY.match(agency):
        return agency  # "Công ty ... tỉnh Lai Châu": the province is part of its name
    tail = _PROVINCE_TAIL.search(agency)
    if tail and all(is_capitalised(w) for w in tail.group(2).split()):
        agency = agency[:tail.start(2)]
    if agency.startswith("Sở ") and agency.endswith(" tỉnh"):
        agency = agency[: -len(" tỉnh")]
    return agency.strip()


def speaker(mention: Mention, descriptor: str, with_agency: bool) -> Speaker:
    # Named again without a title ("Ông Hồ Tiến Thiệu cho biết", "ông
    # Thiệu"), a speaker met before keeps the title they had.
    if mention.known is not None and (
            not descriptor.strip(" ,-\u2013") or len(mention.name.split()) == 1):
        return mention.known
    title, organisation = describe(descriptor)
    agency = agency_of(organisation) if with_agency else ""
    return Speaker(mention.name, mention.honorific, title or mention.role, organisation, agency)


def _official(who: Speaker) -> bool:
    """An official or a body, who answers (a worker who "cho biết" only speaks)."""
    if who.kind == "body" or who.behalf:
        return True  # a body, or one speaking for it
    title = who.title.lower()
    return bool(title) and title not in _ROLES and not title.startswith(_NOT_OFFICIAL)


def is_leader(who: Speaker) -> bool:
    """Whether `who` directs others (see `_leader`)."""
    return _leader(who)


def _leader(who: Speaker) -> bool:
    """Who directs others: a chair or secretary of a council, committee or
    party body, a minister, such a body itself, or one speaking for it."""
    if who.kind == "body":
        return bool(groups.LEADING_BODY.match(who.name))
    return who.kind == "person" and (bool(_LEADER.search(who.title)) or bool(
        who.behalf and groups.LEADING_BODY.match(who.behalf)))


# Speaking for a body: "Thay mặt UBND tỉnh, đồng chí X ..." before the
# speaker, "... Lê Thanh Triều thay mặt Tổ đại biểu HĐND tỉnh tiếp thu ..."
# or "ông X, <title> cùng các thành viên Tổ đại biểu số 7 ... đã ghi nhận"
# between the speaker and the verb.
_BEHALF_BEFORE = re.compile(r"(?:^|[,.;]\s*)[Tt]hay mặt\s+([^,.:;]{3,90}?)\s*,\s*$")
_BEHALF = re.compile(r"\s+(?:thay mặt|cùng (?:các|những) thành viên(?: của)?)\s+")


def _behalf_between(text: str, masked: str, lo: int, hi: int) -> tuple[int, str] | None:
    """Where the words saying whom the speaker speaks for begin, between
    their name and their verb, and that body's name."""
    found = _BEHALF.search(masked, lo, hi)
    if found is None or groups.BODY.match(masked, found.end()) is None:
        return None
    body = text[found.end():hi].strip(" ,")
    adverbs = _ADVERBS.search(body)
    body = body[:adverbs.start()].strip(" ,") if adverbs else body
    return (found.start(), body) if body else None


def _for_body(who: Speaker, body: str) -> Speaker:
    return replace(who, agency=agency_of(body), behalf=body)


def _kind(verb: str, who: Speaker) -> str:
    if verb in _ASK_VERBS:
        return "question"
    if verb in _PETITION_VERBS:
        if _leader(who):
            return "directive"
        return "speech" if who.kind == "body" or (_official(who) and verb.startswith("mong")) \
            else "question"
    if verb in _ANSWER_VERBS:
        if verb == "nêu rõ" and not _official(who):
            return "question"  # a citizen stating their case
        return "answer" if verb == "trả lời" or _official(who) else "speech"
    if verb in _DIRECTIVE_VERBS:
        if _official(who):
            return "directive"
        return "question" if verb == "yêu cầu" and who.kind != "body" else "speech"
    return "speech"


# Verbs that say an undertaking is given, and the acts that, said right after
# "nói" or "khẳng định" with no subject of their own, are the speaker's to do.
_PLEDGES = ("hứa", "cam kết")
_SAID_ACT = re.compile(
    r"^\s*:?\s*(?:sẽ|công bố|giải quyết|xem xét|chỉ đạo|tổ chức|thực hiện|triển khai|kiểm tra|"
    r"rà soát|bố trí|hỗ trợ|đầu tư|xây dựng|trả lời|ban hành|sửa chữa|khắc phục|đối thoại)(?!\w)"
)


def pledged(verb: str, after: str) -> bool:
    """Whether a speech verb and the words after it give an undertaking."""
    return verb in _PLEDGES or (verb in ("nói", "khẳng định") and bool(_SAID_ACT.match(after)))


def _is_caption(tail: str) -> bool:
    return bool(_CAPTION_TAILS.match(tail.strip()))


def _mask(text: str) -> str:
    """`text` with what is quoted blanked out, offsets kept: a question quoted
    in an answer's lead has no speaker or verb of the lead in it."""
    return _QUOTES.sub(lambda m: m.group()[0] + " " * (len(m.group()) - 2) + m.group()[-1], text)


def _clause_end(masked: str, pos: int, colon: bool = True) -> int:
    for match in _CLAUSE_END.finditer(masked, pos):
        if match.group() == ":" and not colon:
            continue
        if match.group() == "." and _ABBREVIATED.search(masked, max(0, match.start() - 4),
                                                         match.start()):
            continue
        return match.start()
    return len(masked)


def _sentence_end(masked: str, pos: int) -> int:
    """Where the sentence at `pos` ends (a `;` or `:` goes on with it)."""
    for match in re.finditer(r"[?!]|\.(?=\s|$)", masked[pos:]):
        at = pos + match.start()
        if match.group() != "." or not _ABBREVIATED.search(masked, max(0, at - 4), at):
            return at
    return len(masked)


@dataclass(frozen=True)
class _Found:
    who: Speaker
    start: int  # where the speaker's words begin
    verb: re.Match[str]
    # Opinions summed up asking with no verb of asking ("có ý kiến cho rằng",
    # "nhân dân đã có một số ý kiến về ...").
    asks: bool = False
    passive: bool = False  # "đã được <body> trả lời"


def lead(text: str, known: Sequence[Speaker] = (), context: str = "",
         audience: Speaker | None = None) -> Lead | None:
    """The lead of a paragraph (or of a sentence of one: `context` is the
    paragraph before it), if it opens with a speaker and a verb. `known` are
    the speakers met before, whom a given name alone or a title alone may
    refer to; `audience` is the group the meeting is held with, who asks
    what opinions summed up with no one named ask."""
    masked = _mask(text)
    prefix = _ANSWER_PREFIX.match(masked)
    if prefix is not None:
        return _prefixed(text, masked, prefix.end(), known)
    found = None
    for pos in _clause_starts(masked, 0):
        named = _bare_mention(masked, pos)
        if named is not None and _listed(masked, named.end):
            return None  # the rest of the list is no speaker either
        found = _at(text, masked, pos, known, context, audience)
        if found is not None:
            break
    if found is None:
        found = _passive(text, masked, known)
    if found is None:
        return None
    behalf = _BEHALF_BEFORE.search(masked, 0, found.start)
    if behalf is not None and found.who.kind == "person" and not found.who.behalf and \
            groups.BODY.match(masked, behalf.start(1)):
        found = replace(found, who=_for_body(found.who, text[behalf.start(1):behalf.end(1)]))
    verb = found.verb.group(1)
    kind = "question" if found.asks else _kind(verb, found.who)
    who = found.who
    if kind == "question" and who.kind == "person" and who.agency:
        who = replace(who, agency="")
    tail_start = found.verb.end()
    if pledged(verb, masked[tail_start:tail_start + 40]) and _official(who):
        # "Chủ tịch ... nói công bố dự thảo kết luận ...", "ông X ... hứa: tỉnh
        # sẽ tìm giải pháp ...": what follows is the speaker's undertaking,
        # quoted with the verb that gives it; a body's with its name, the
        # undertaking's subject ("Tổ đại biểu HĐND TPHCM khẳng định sẽ ...").
        return Lead("answer", who, verb,
                    found.start if who.kind == "body" else found.verb.start(), False)
    askers: list[Mention] = []
    asked: list[Speaker] = []
    matter, matter_at = "", -1
    if kind == "answer":
        colon = masked.find(":", tail_start, tail_start + _ASKER_ZONE)
        zone = colon if colon >= 0 else min(len(text), tail_start + _ASKERS_AFTER)
        askers = mentions(masked, tail_start, zone, known)
        asked = [_asker(text, masked, m, zone) for m in askers]
        if not askers:
            asked = groups.groups_of(masked, tail_start, zone)
        if colon >= 0 and asked:
            tail_start = colon + 1
        elif asked:
            last = askers[-1].end if askers else _group_end(masked, tail_start, zone)
            matter, matter_at, tail_start = _matter(text, masked, last)
    if kind == "question" and verb in {"đề nghị", "kiến nghị"}:
        # "đề nghị Giám đốc Sở Tài chính cho biết <the question>"
        told = re.compile(r"[^.:?!]{0,80}?\bcho biết\b").match(masked, tail_start)
        if told:
            tail_start = told.end()
    tail = text[tail_start:]
    # An answer naming its askers is no caption even with nothing after the
    # colon: its text follows in the next paragraphs. One to a group ("trả
    # lời ý kiến của công nhân.") is a photo's caption.
    caption = _is_caption(tail) and not askers
    return Lead(kind, who, verb, _body_start(text, tail_start), caption,
                tuple(s.name for s in asked), tuple(asked), matter, matter_at,
                found.passive)


# "Các nội dung thuộc thẩm quyền đã được các cơ quan liên quan trả lời ...":
# what was asked, answered by the body after "được".
_PASSIVE = re.compile(r"(?<!\w)(?:đã\s+)?được\s+(?=\S)")


def _passive(text: str, masked: str, known: Sequence[Speaker]) -> _Found | None:
    """An answer in the passive voice in the first clause: its agent answers."""
    for match in _PASSIVE.finditer(masked, 0, _clause_end(masked, 0)):
        found = _at(text, masked, match.end(), known, "")
        if found is not None and _kind(found.verb.group(1), found.who) == "answer":
            return replace(found, passive=True)
    return None


def _group_end(masked: str, start: int, stop: int) -> int:
    ends = [m.end() for m in (*groups.OF_GROUP.finditer(masked, start, stop),
                              *groups.ANSWERED_GROUP.finditer(masked, start, stop))]
    return ends[-1] if ends else start


def _asker(text: str, masked: str, mention: Mention, stop: int) -> Speaker:
    """An asker an answer names, with the description after their name."""
    if mention.known is not None and len(mention.name.split()) == 1:
        return mention.known
    after = re.compile(r"\s*(\([^()]{1,80}\)|,[^,:;.()]{1,80}?(?=\s+(?:về|:)|$))").match(
        masked, mention.end, stop)
    descriptor = text[after.start(1):after.end(1)] if after else ""
    return speaker(mention, descriptor, with_agency=False)


def _matter(text: str, masked: str, pos: int) -> tuple[str, int, int]:
    """The matter an answer's lead names after its askers ("về <the
    matter>"), where it starts, and where the answer's own words start."""
    paren = re.compile(r"\s*\([^()]{1,80}\)").match(masked, pos)
    if paren:
        pos = paren.end()
    about = _ABOUT.match(masked, pos)
    if about is None:
        return "", -1, pos
    end = _sentence_end(masked, about.end())
    return text[about.end():end].strip(" ,"), about.end(), end


def _clause_starts(masked: str, lo: int, hi: int | None = None) -> list[int]:
    """Where a speaker may stand: at `lo`, or after a short opening clause
    ("Phát biểu tại hội nghị, bà X ...", "Tại buổi tiếp xúc, cử tri ..."); up
    to `hi` after an answer's opening ("Trả lời câu hỏi: "..." của X, ...")."""
    # A semicolon may close an opening clause too ("Sáng ngày 08/7, tại Kỳ
    # họp thứ 7 HĐND tỉnh khóa XII; thay mặt UBND tỉnh, đồng chí X ...").
    ends = r"[.:?!]" if hi is None else r"[.;?!]"
    hi = min(len(masked), lo + _OPENING + 2) if hi is None else hi
    starts = [lo]
    for match in re.finditer(r",\s+" if ends == r"[.;?!]" else r"[,;]\s+", masked[lo:hi]):
        if re.search(ends, masked[lo:lo + match.start()]):
            break
        starts.append(lo + match.end())
    return starts


def _at(text: str, masked: str, pos: int, known: Sequence[Speaker], context: str,
        audience: Speaker | None = None) -> _Found | None:
    """The speaker standing at `pos`, with their verb, in the forms they come
    in: an honorific and a name ("ông X, <title>"), a bare name ("Nguyễn Văn
    A, <title>"), a title then the name ("Giám đốc Sở Y Nguyễn Văn A"), a
    title alone ("đồng chí Bí thư Thành ủy"), a group ("cử tri xã Z"), an
    opinion of a group, or a body ("Sở Giao thông vận tải")."""
    zone_end = _clause_end(masked, pos)
    family = _FAMILY.match(masked, pos)
    at = family.end() if family else pos
    person = [m for m in mentions(masked, at, zone_end, known) if m.start == at]
    first = person[0] if person else _bare_mention(masked, pos)
    if first is not None:
        verb = _VERB.search(masked, first.end, zone_end)
        if verb is None or _listed(masked, first.end) or \
                _DOING.search(masked, first.end, verb.start()):
            return None
        behalf = _behalf_between(text, masked, first.end, verb.start())
        who = speaker(first, _descriptor(text, masked, first.end,
                                         behalf[0] if behalf else verb.start()),
                      with_agency=True)
        return _Found(_for_body(who, behalf[1]) if behalf else who, pos, verb)
    for opinion in (False, True):
        if opinion:
            opinions = groups.opinion_at(context + masked, len(context) + pos, audience)
            group = (opinions.who, opinions.end - len(context)) if opinions else None
            says = groups.SUMMARY_VERB if opinions and opinions.summed else None
        else:
            group, says = groups.group_at(masked, pos), groups.HAS_OPINIONS
        if group is not None:
            who, end = group
            if end > zone_end:
                # Its places listed after a colon: its verb is in the clause after them.
                zone_end = _clause_end(masked, end)
            verb = _VERB.search(masked, end, zone_end)
            # Groups ask; what else they do ("cử tri bày tỏ sự tin tưởng") is
            # no lead.
            if verb is not None and _ADVERBS.fullmatch(masked, end, verb.start()) and _kind(
                    verb.group(1), who) == "question":
                return _Found(who, pos, verb)
            said = says.match(masked, end) if says is not None else None
            if said is not None and said.end() <= zone_end:
                return _Found(who, pos, said, asks=True)
            return None
    titled = _titled(text, masked, pos, zone_end, known)
    if titled is not None:
        return titled
    body = groups.BODY.match(masked, pos)
    if body is not None:
        verb = _VERB.search(masked, body.end(), zone_end)
        if verb is None:
            return None
        stop = _ADVERBS.search(masked, pos, verb.start())
        named = groups.body_at(text, pos, stop.start() if stop else verb.start())
        if named is not None:
            return _Found(replace(named, agency=agency_of(named.organisation)), pos, verb)
        return None
    verb = _VERB.search(masked, pos, zone_end)
    if verb is not None:
        stop = _ADVERBS.search(masked, pos, verb.start())
        named = groups.kind_of_body_at(text, pos, stop.start() if stop else verb.start())
        if named is not None:
            return _Found(named, pos, verb)
    return None


# A name followed by another name is a list of those present ("các đồng chí:
# Vũ Quỳnh Khánh, Hoàng Thị Thanh Bình, ..."), not a speaker.
_LIST_SEPARATOR = re.compile(r"\s*[,;]\s*")


def _listed(masked: str, end: int) -> bool:
    separator = _LIST_SEPARATOR.match(masked, end)
    if separator is None:
        return False
    following = _bare_mention(masked, separator.end())
    return following is not None and masked[following.end:following.end + 1] in {",", ";"}


# A household speaks for its head: "đại diện gia đình ông Trịnh Văn Hùng đã
# nêu nguyện vọng ...".
_FAMILY = re.compile(r"(?:[Đđ]ại diện\s+)?(?:[Gg]ia đình|[Hh]ộ gia đình|[Hh]ộ)\s+"
                     r"(?=(?:ông|bà|anh|chị)\s)")
# Another act between a speaker and a verb makes the verb no lead's: "đồng
# chí X ... đã có buổi tiếp dân, đối thoại ... và xử lý những phản ánh",
# "ông X ... đã có buổi đối thoại với gia đình ... để xem xét, trả lời".
_DOING = re.compile(
    r"(?<!\w)(?:có buổi|để|tổ chức|đối thoại|tiếp xúc|tiếp dân|làm việc|gặp gỡ|tham dự|"
    r"đến thăm)(?!\w)"
)


# Who comes along is not the speaker's title ("ông X, <title> cùng các thành
# viên Tổ đại biểu ... đã ghi nhận").
_ALONG = re.compile(r"\s+(?:cùng|và các|cùng với)\s"
                    # "..., Bí thư Huyện ủy, lãnh đạo huyện, các phòng ban ... đã trả lời"
                    r"|,\s+(?=(?:lãnh đạo|các)\s[^,]{1,60},)")


def _descriptor(text: str, masked: str, start: int, verb: int) -> str:
    along = _ALONG.search(masked, start, verb)
    stop = along.start() if along else verb
    adverbs = _ADVERBS.search(masked, start, stop)
    return text[start:adverbs.start() if adverbs else stop]


_HONORIFIC_BEFORE_TITLE = re.compile(r"(Đồng chí|đồng chí|Ông|ông|Bà|bà)\s+")


def _titled(text: str, masked: str, pos: int, zone_end: int, known: Sequence[Speaker]
            ) -> _Found | None:
    """A title then the name ("Chủ tịch HĐND tỉnh Tạ Văn Long đề nghị"), or a
    title alone ("đồng chí Bí thư Thành ủy Sông Công đã trả lời")."""
    honorific = _HONORIFIC_BEFORE_TITLE.match(masked, pos)
    at = honorific.end() if honorific else pos
    length = _position_length(masked, at)
    if not length:
        return None
    verb = _VERB.search(masked, at + length, zone_end)
    if verb is None or _DOING.search(masked, at + length, verb.start()):
        return None
    behalf = _behalf_between(text, masked, at + length, verb.start())
    stop = _ADVERBS.search(masked, at, verb.start())
    end = behalf[0] if behalf else stop.start() if stop else verb.start()
    # "Phó Chủ tịch UBND tỉnh Nguyễn Trung Thảo, chủ trì ...": the name may
    # stand before a comma.
    while end > at + length and masked[end - 1] in " ,":
        end -= 1
    name = _name_before(masked, at + length, end)
    title_end = name if name is not None else end
    if name is None:
        # "đồng chí Phó Chủ tịch UBND huyện, Trung tâm phát triển quỹ đất
        # huyện và các đơn vị ... đã trả lời": those along are no title.
        for comma in re.finditer(r",\s*", masked[at + length:title_end]):
            after = at + length + comma.end()
            if not _position_length(masked, after):
                title_end = at + length + comma.start()
                break
    title = text[at:title_end].strip(" ,-\u2013")
    if not title or groups.NOT_IN_NAME.search(masked, at + length, title_end):
        return None
    title_text, organisation = describe(title)
    kept = _HONORIFICS.get(honorific.group(1).lower(), "") if honorific else ""
    if name is None:
        # A title alone: the person holding it, if they were met before.
        following = masked[at + length:at + length + 2].strip()
        if not following or not following[0].isupper():
            return None
        holder = _holder(title, known)
        who = holder or Speaker(title, kept, title_text or title, organisation,
                                agency_of(organisation))
        return _Found(_for_body(who, behalf[1]) if behalf else who, pos, verb)
    who = Speaker(text[name:end].strip(), kept, title_text or title, organisation,
                  agency_of(organisation))
    return _Found(_for_body(who, behalf[1]) if behalf else who, pos, verb)


def _name_before(masked: str, lo: int, hi: int) -> int | None:
    """Where the name that ends at `hi` begins: the run of capitalised words
    before `hi`, from a family name, two to four words ("... tỉnh Lạng Sơn Hồ
    Tiến Thiệu": "Hồ Tiến Thiệu")."""
    words = list(_WORD.finditer(masked, lo, hi))
    run: list[re.Match[str]] = []
    for match in reversed(words):
        if not is_capitalised(match.group()) or (
                run and masked[match.end():run[0].start()] != " "):
            break
        run.insert(0, match)
    if not run or run[-1].end() != hi:
        return None
    for i, match in enumerate(run):
        left = len(run) - i
        if left < 2:
            break
        if left <= 4 and bare(match.group()) in _SURNAMES:
            return match.start()
    return None


def _holder(title: str, known: Sequence[Speaker]) -> Speaker | None:
    """The known person who holds `title` ("Chủ tịch UBND huyện"), not a
    deputy of it."""
    wanted = re.compile(r"(?<!pho )(?<!\w)" + re.escape(bare(title)) + r"(?!\w)")
    for person in reversed(known):
        if person.kind == "person" and person.name != person.title and wanted.search(
                bare(person.title)):
            return person
    return None


def _prefixed(text: str, masked: str, lo: int, known: Sequence[Speaker]) -> Lead | None:
    """"Trả lời câu hỏi của X (về Y), <responder> cho biết ...": the
    responder is the speaker found last before an answering verb; the people
    and groups named before are the askers, a quoted question or "về ..." the
    matter."""
    stop = _clause_end(masked, lo, colon=False)
    people = mentions(masked, lo, stop, known)
    found: _Found | None = None
    for pos in _clause_starts(masked, lo, stop)[1:]:
        candidate = _at(text, masked, pos, known, "")
        if candidate is not None and candidate.verb.group(1) in _ANSWER_VERBS:
            found = candidate
            break
    if found is None:
        return None
    asked_people = [m for m in people if m.end <= found.start]
    asked = [_asker(text, masked, m, found.start) for m in asked_people]
    if not asked_people:
        asked = groups.groups_of(masked, lo, found.start)
    matter, matter_at = "", -1
    quote = _QUOTES.search(text, lo, found.start)
    if quote is not None:
        matter, matter_at = quote.group()[1:-1].strip(), quote.start() + 1
    elif asked:
        last = asked_people[-1].end if asked_people else _group_end(masked, lo, found.start)
        matter, matter_at, _end = _matter(text, masked, last)
        matter = matter if matter_at < found.start else ""
        if matter:
            matter = text[matter_at:found.start].strip(" ,")
    body = _body_start(text, found.verb.end())
    return Lead("answer", found.who, found.verb.group(1), body, False,
                tuple(s.name for s in asked), tuple(asked), matter, matter_at)


def _body_start(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " :;,\u00a0-\u2013":
        pos += 1
    return pos


# --- the chair -------------------------------------------------------------

_CHAIRMAN_NAMED = re.compile(
    r"(?<!Phó )(Chủ tịch (?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân) tỉnh)"
    r"((?:\s+[A-ZĐÀ-ỸÂĂÊÔƠƯ][^\W\d_]*){2,6})"
)
_DIRECTS_THE_MEETING = re.compile(
    r"^Phát biểu (?:chỉ đạo|khai mạc|điều hành)(?: (?:phiên|kỳ họp|hội nghị|buổi)[^,.:;]{0,60})?,"
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
        if found and found.speaker.kind == "person" and _DIRECTS_THE_MEETING.match(text):
            # "Phát biểu chỉ đạo phiên chất vấn, Bí thư Tỉnh ủy, Chủ tịch HĐND
            # tỉnh Lê Đình Sơn cho biết ...": who directs the session chairs it.
            return found.speaker
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
