"""Bodies named in running text, as written: the People's Committees and
Councils of every level ("UBND huyện Gia Viễn", "Ủy ban nhân dân các xã,
phường", "UBND thành phố"), utilities and companies ("Điện lực Gia Viễn",
"Tổng Công ty Becamex IDC"), besides the agencies `topics.agency_at` knows
("Sở Giao thông vận tải", "Công an tỉnh"); and the roles a project reply
speaks of ("Chủ đầu tư") in place of a body.

A written reply is signed by a body, not a person, and what it promises is
owned by the body it names: these names are its speakers.

Rules: a council head (UBND, HĐND, Ủy ban nhân dân, Hội đồng nhân dân) takes
a level ("tỉnh", "huyện", "các xã, phường") and then the capitalised words of
a place; any other head takes a level and a place, or capitalised words
(an acronym counts) each followed by at most one lower-case syllable
("Sở Tài nguyên và Môi trường" is read by `topics`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from service.transcript import topics
from service.transcript.words import is_capitalised

_LEVEL = r"(?:tỉnh|thành phố|TP\.?|huyện|quận|thị xã|xã|phường|thị trấn)"
_COUNCIL = re.compile(
    r"(?:UBND|HĐND|Ủy ban nhân dân|Uỷ ban nhân dân|Hội đồng nhân dân)"
    r"(?:\s+(?P<plural>các\s+" + _LEVEL + r"(?:\s*(?:,|và)\s*" + _LEVEL + r")*)"
    r"|\s+(?P<level>" + _LEVEL + r"))?(?!\w)"
)
# Heads of other bodies, longest first. Upper case as written: "sở" in the
# middle of a sentence ("cơ sở") is no body.
_HEADS = tuple(sorted((
    "Tổng Công ty", "Tổng công ty", "Công ty", "Điện lực", "Chi nhánh", "Bảo hiểm xã hội",
    "BHXH", "Kho bạc Nhà nước", "Ngân hàng", "Bộ Chỉ huy", "Bộ", "Viện kiểm sát nhân dân",
    "Tòa án nhân dân", "Bệnh viện", "Hạt Kiểm lâm", "Chi cục", "Cục", "Sở", "Ban",
    "Trung tâm", "Văn phòng", "Thanh tra", "Công an", "Liên đoàn Lao động", "Đài",
), key=len, reverse=True))
_HEAD = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(h) for h in _HEADS) + r")(?!\w)")
_MINISTRIES = frozenset({"Bộ", "Bộ Chỉ huy"})
_COMPANIES = frozenset({"Công ty", "Tổng Công ty", "Tổng công ty"})
# A company's name runs on in lower case ("Công ty TNHH MTV Quản lý thuỷ
# nông tỉnh Lai Châu") up to more capitalised words, a few syllables on;
# a word that says what it does, or a link word, ends it ("Công ty X đầu tư
# bổ sung ...", "Công ty X tại Khu công nghiệp Y").
_COMPANY_RUN = 5
_ENDS_A_NAME = frozenset((
    "đã", "sẽ", "đang", "được", "có", "là", "cho", "của", "để", "tại", "với", "theo", "về",
    "trong", "từ", "đến", "khi", "và", "thực", "triển", "đầu", "bàn", "chỉ", "phối", "trả",
    "báo", "xây", "tổ", "làm", "thi", "hoàn", "cần", "phải", "không", "chưa", "tiếp", "nằm",
))
_LEVEL_PLACE = re.compile(r"\s+" + _LEVEL + r"(?!\w)")
# Roles a reply about a project names in place of the body.
ROLES = ("Chủ đầu tư", "Nhà đầu tư", "Nhà thầu", "Đơn vị thi công")
_ROLE = re.compile(r"(?<!\w)(?:" + "|".join(ROLES) + r")(?!\w)", re.IGNORECASE)
# Where any body may begin: a head, a council or a role.
_ANY = re.compile(_COUNCIL.pattern + "|" + _HEAD.pattern + "|" + _ROLE.pattern)
_WORD = re.compile(r"\S+")


def body_at(text: str, pos: int) -> str | None:
    """The body named at `text[pos:]`, as written, or None."""
    council = _COUNCIL.match(text, pos)
    if council is not None:
        end = council.end()
        if council.group("plural") is None:
            end = _place_end(text, end)
        return text[pos:end]
    role = _ROLE.match(text, pos)
    if role is not None:
        return role.group()
    known = topics.agency_at(text, pos)
    if known:
        return known
    head = _HEAD.match(text, pos)
    if head is None:
        return None
    level = _LEVEL_PLACE.match(text, head.end())
    if level is not None:
        return text[pos:_place_end(text, level.end())]
    end = _name_end(text, head.end(), head.group() in _MINISTRIES,
                    company=head.group() in _COMPANIES)
    return text[pos:end] if end > head.end() else None


def _resumes(text: str, words: list[re.Match[str]], index: int) -> int | None:
    """Where capitalised words come again after the lower-case run starting
    at `words[index]`, if they do within `_COMPANY_RUN` words of it, with
    nothing but single spaces and no word that ends a name between."""
    for ahead in range(index, min(len(words), index + _COMPANY_RUN + 1)):
        word = words[ahead]
        if ahead > index and text[words[ahead - 1].end():word.start()] != " ":
            return None
        clean = word.group().rstrip(",;.:)")
        if is_capitalised(clean):
            return ahead if ahead > index else None
        if not clean.islower() or clean in _ENDS_A_NAME or clean != word.group():
            return None
    return None


def bodies_in(text: str, start: int = 0, stop: int | None = None) -> Iterator[tuple[int, str]]:
    """(offset, name) of each body named in `text[start:stop]`, in order."""
    stop = len(text) if stop is None else stop
    pos = start
    while True:
        match = _ANY.search(text, pos, stop)
        if match is None:
            return
        name = body_at(text, match.start())
        if name:
            yield match.start(), name
            pos = match.start() + len(name)
        else:
            pos = match.end()


def is_role(name: str) -> bool:
    return bool(_ROLE.fullmatch(name))


def _place_end(text: str, end: int) -> int:
    """After a level, the capitalised words of the place: "huyện Sơn Dương"."""
    for word in _WORD.finditer(text, end):
        if text[end:word.start()] != " ":
            break
        clean = word.group().rstrip(",;.:)")
        if not (is_capitalised(clean) or (clean.isupper() and len(clean) > 1)):
            break
        end = word.start() + len(clean)
        if clean != word.group():
            break
    return end


def _name_end(text: str, end: int, syllables: bool, company: bool = False) -> int:
    """After a head: capitalised words ("Điện lực Gia Viễn", "Tổng Công ty
    Becamex IDC"); a ministry's name also has lower-case syllables, at most
    one after each capitalised word ("Bộ Giao thông"), and "và"; a company's
    a run of them before more capitalised words (see `_COMPANY_RUN`)."""
    after_capital = False
    last = end
    words = list(_WORD.finditer(text, end, min(len(text), end + 300)))
    skip_to = -1
    for index, word in enumerate(words):
        if text[last:word.start()] != " ":
            break
        clean = word.group().rstrip(",;.:)")
        if index <= skip_to:
            end = last = word.start() + len(clean)
            continue
        if is_capitalised(clean) or (clean.isupper() and len(clean) > 1) or clean.isdigit():
            after_capital = True
            end = word.start() + len(clean)
        elif company and after_capital and clean.islower() and (
                (resumes := _resumes(text, words, index)) is not None):
            skip_to = resumes - 1
            end = word.start() + len(clean)
        elif syllables and (clean == "và" or (after_capital and clean.islower())):
            after_capital = False
            if clean != "và":
                end = word.start() + len(clean)
        else:
            break
        last = word.start() + len(clean)
        if clean != word.group():
            break
    return end
