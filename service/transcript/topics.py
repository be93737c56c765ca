"""Topics of questions, the subjects agencies answer for, and agency names
in running text. Data tables: extend them, not the code."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from domain.text import fold
from service.transcript.words import bare, is_capitalised


@dataclass(frozen=True)
class Subject:
    topic: str  # the name given to matching questions
    agencies: tuple[str, ...]  # folded prefixes of the agencies that answer for it
    keywords: tuple[str, ...]  # folded phrases, matched as whole words


# Keywords are folded, so each must stay unambiguous without accents
# ("truong hoc", not "truong", which is also `trưởng`).
SUBJECTS: tuple[Subject, ...] = (
    Subject("giáo dục", ("so giao duc",), (
        "giao duc", "giao vien", "truong hoc", "nha truong", "mam non", "hoc sinh",
        "ke toan truong hoc", "tieu hoc", "trung hoc", "ban tru",
    )),
    Subject("nhà ở", ("so xay dung",), (
        "nha o", "nha cong vu", "phong cong vu", "nha tro", "khu tro", "nha o xa hoi",
        "thue nha",
    )),
    Subject("y tế", ("so y te",), ("y te", "benh vien", "kham chua benh", "tram y te")),
    Subject("bảo hiểm xã hội", ("bao hiem xa hoi", "bhxh"), (
        "bao hiem xa hoi", "bhxh", "bhyt", "bao hiem y te", "luong huu", "bhxh 1 lan",
    )),
    Subject("việc làm", ("so lao dong",), (
        "viec lam", "dao tao nghe", "tay nghe", "nguon lao dong", "thu hut lao dong",
        "lao dong tre", "xuat khau lao dong",
    )),
    Subject("chuyển đổi số", ("so thong tin",), (
        "chuyen doi so", "an toan thong tin", "cong nghe thong tin", "cds", "attt",
    )),
    Subject("nội vụ", ("so noi vu",), ("thang hang", "bien che", "vien chuc", "tuyen dung")),
    Subject("tài chính", ("so tai chinh",), (
        "kinh phi", "ngan sach", "phu cap", "che do boi duong", "tien luong",
    )),
)

_PATTERNS = {
    s.topic: re.compile(r"(?<!\w)(?:" + "|".join(re.escape(k) for k in s.keywords) + r")(?!\w)")
    for s in SUBJECTS
}


def topics_of(text: str) -> tuple[str, ...]:
    folded = bare(text)
    return tuple(s.topic for s in SUBJECTS if _PATTERNS[s.topic].search(folded))


def subjects_of(agency: str) -> tuple[str, ...]:
    folded = fold(agency)
    return tuple(s.topic for s in SUBJECTS if any(folded.startswith(a) for a in s.agencies))


# Agency names as written, for finding them in a directive ("giao Sở Tài chính
# ..."), where the words after the name are lower case and a generic pattern
# cannot tell where the name ends.
KNOWN_AGENCIES: tuple[str, ...] = (
    "Sở Giáo dục và Đào tạo", "Sở Lao động, Thương binh và Xã hội", "Sở Y tế",
    "Sở Xây dựng", "Sở Nội vụ", "Sở Tài chính", "Sở Kế hoạch và Đầu tư",
    "Sở Thông tin và Truyền thông", "Sở Tài nguyên và Môi trường", "Sở Tư pháp",
    "Sở Nông nghiệp và Phát triển nông thôn", "Sở Giao thông vận tải", "Sở Công Thương",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Văn hoá, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ", "Sở Ngoại vụ", "Thanh tra tỉnh", "Công an tỉnh",
    "Bảo hiểm xã hội tỉnh", "BHXH tỉnh", "Văn phòng UBND tỉnh", "Liên đoàn Lao động tỉnh",
    "LĐLĐ tỉnh", "Ban Quản lý các khu công nghiệp tỉnh", "Ban Quản lý các Khu công nghiệp",
    "Ban Dân tộc", "Cục Thuế tỉnh", "Kho bạc Nhà nước tỉnh", "UBND các huyện, thành phố",
    "Ủy ban nhân dân các huyện, thành phố", "UBND tỉnh",
)
_KNOWN = sorted(((bare(a), a) for a in KNOWN_AGENCIES), key=lambda p: len(p[0]), reverse=True)
_LONGEST_KNOWN = len(_KNOWN[0][0])
# The known names, longest first, each a whole word: one match, not a loop.
_KNOWN_AT = re.compile("(?:" + "|".join(re.escape(key) for key, _ in _KNOWN) + r")(?![^\W_])")
_NON_SPACE = re.compile(r"\S+")  # the words of `str.split()`
_HEADS = ("Sở", "Ban", "Cục", "Chi cục", "Trung tâm", "Văn phòng", "Thanh tra", "Công an")


def agency_at(text: str, pos: int) -> str | None:
    """The agency named at `text[pos:]`, as written, or None."""
    # Only what a name can span is read: folding (or splitting) all the rest
    # of the text at every agency named made a long sentence take the square
    # of its length. `bare` keeps one character for one, so the folded
    # prefix is the prefix of the folded text.
    known = _KNOWN_AT.match(bare(text[pos:pos + _LONGEST_KNOWN + 1]))
    if known is not None:
        return text[pos:pos + known.end()]
    for head in _HEADS:
        if text.startswith(head + " ", pos):
            words = (m.group() for m in _NON_SPACE.finditer(text, pos + len(head)))
            return _generic(head, words)
    return None


def _generic(head: str, words: Iterable[str]) -> str | None:
    """"Sở Tài chính trước ...": after the head, capitalised words, each with
    at most one lower-case syllable after it, joined by "và"."""
    taken: list[str] = []
    after_capital = False
    for word in words:
        clean = word.rstrip(",;.:")
        if is_capitalised(clean) or (clean.isupper() and len(clean) > 1):
            after_capital = True
        elif (clean == "và" and taken) or (after_capital and clean.islower()):
            after_capital = False
        else:
            break
        taken.append(clean)
        if clean != word:
            break
    while taken and taken[-1] == "và":
        taken.pop()
    return head + " " + " ".join(taken) if taken else None
