"""Promise candidates and evidence: which sentences commit someone to act.

Units: a paragraph is cut into sentences at `.`, `?`, `!`, `…` followed by
space and a capital or digit (not after "TP.", "ThS." and the like, nor after
a leading list number "1."); a sentence is cut at `;` only where the next
piece carries a cue of its own (a directive list), else the piece stays with
the clause it continues.

A unit of an answer is a promise when it has an own commitment cue (`sẽ`,
`xem xét`, `rà soát`, `nghiên cứu`, `tham mưu`, `phối hợp`, `cam kết`, a
future marker such as `trong thời gian tới`, or `kiến nghị`/`đề xuất`/`đề
nghị`/`trình` addressed to a higher authority), and is not: in the past (`đã`
with no future marker: evidence instead when it cites a document or an
action), a belief or hope (`tin tưởng`, `hy vọng`, `mong`), about a third
party (it opens with "Thủ trưởng ...", "các doanh nghiệp ...", or the cue
comes after "đề nghị <third party>"), or only an acknowledgement (`tiếp thu`,
`ghi nhận` alone). What was not answered, compiled or passed on ("các ý kiến
còn lại, các đại biểu tổng hợp chuyển ...") is a promise to propose.

Directives (a chair's conclusion, a resolution, a letter giving tasks) are
read by `tasks`, which takes their kind from `task_kind`.

Kind, by the outcome of the chain of actions. A verb that hands the matter
to someone else decides, the first one in the unit, since what follows it is
the addressee's to do: `kiến nghị`/`đề xuất`/`đề nghị`/`trình` to a higher
authority -> propose ("xem xét, nghiên cứu, kiến nghị với cấp có thẩm
quyền"), `tham mưu` -> advise, `báo cáo` to an authority -> report.
Otherwise the last verb of the chain that opens with the first kind verb
("rà soát, báo cáo", "hoàn thành rà soát, cấp bổ sung"): review (xem xét,
rà soát, kiểm tra), study (nghiên cứu), report (báo cáo), implement
(triển khai, tổ chức, phối hợp, ...); none at all -> implement; `cam kết`
alone -> other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.transcript.words import bare, exact, phrase

KINDS = ("propose", "advise", "report", "study", "review", "implement", "other")

_ABBREVIATIONS = frozenset(
    {"tp", "ths", "ts", "pgs", "gs", "bs", "ks", "th.s", "st", "v.v", "tt", "q", "p", "no"}
)
_END = re.compile(r"(?:\.{3}|…|[.?!])(?=\s+\S)")
_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}|[a-z]|[IVX]{1,4})[.)]\s")

# Folded cue phrases with their kind ("" = a commitment marker of no kind).
_OWN_CUES: tuple[tuple[str, str], ...] = (
    ("xem xet", "review"), ("ra soat", "review"), ("nghien cuu", "study"),
    ("tham muu", "advise"), ("phoi hop", "implement"), ("cam ket", "other"),
    ("trong thoi gian toi", ""), ("thoi gian toi", ""), ("sap toi", ""),
)
_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("bao cao", "report"), ("kiem tra", "review"), ("danh gia", "review"),
    ("trien khai", "implement"), ("thuc hien", "implement"), ("to chuc", "implement"),
    ("tang cuong", "implement"), ("day manh", "implement"), ("hoan thanh", "implement"),
    ("chi dao", "implement"), ("bo tri", "implement"), ("ho tro", "implement"),
    ("xay dung", "implement"), ("giai quyet", "implement"), ("dau tu", "implement"),
    ("sua chua", "implement"), ("tuyen truyen", "implement"), ("cap bo sung", "implement"),
    ("lap dat", "implement"), ("chi tra", "implement"), ("ban hanh", "implement"),
)
# Verbs that hand the action to someone else: what follows them is the
# addressee's to do, so the first of them is the speaker's outcome.
_HANDING = ("propose", "advise")
_REPORT = phrase("bao cao")
_CHAINED = re.compile(r"^(?:\s*,\s*|\s+va\s+|\s+)$")
_PROPOSE_VERBS = re.compile(r"(?<!\w)(kien nghi|de xuat|de nghi|trinh)(?!\w)")
# _HIGHER and _THIRD_RE are used with `match(folded, pos)`, which anchors
# them where a verb ends without copying the rest of the unit.
_HIGHER = re.compile(
    r"\s*(?:voi\s+|len\s+|den\s+)?(?:cac\s+)?(?:cap co tham quyen|cap tren|ubnd tinh|"
    r"uy ban nhan dan tinh|ubnd huyen|uy ban nhan dan huyen|chu tich ubnd|chu tich uy ban|"
    r"chinh phu|thu tuong|trung uong|"
    r"(?:cac )?bo (?:nganh|tai chinh|noi vu|giao duc|lao dong|y te|xay dung)|"
    r"hdnd tinh|hoi dong nhan dan tinh|tinh uy|quoc hoi)"
)
_THIRD = (
    "thu truong", "cac don vi", "cac co quan", "cac doanh nghiep", "doanh nghiep",
    "ban than", "nguoi lao dong", "can bo", "ubnd cac huyen", "uy ban nhan dan cac huyen",
    "cac dia phuong", "cac truong", "nha truong", "doan vien", "cac huyen", "nguoi dan",
    "cong nhan", "cac cap", "cac nganh", "cac so", "cac dai bieu",
)
_THIRD_RE = re.compile(r"\s*(?:" + "|".join(_THIRD) + r")(?!\w)")
# Private parties: what they undertake commits no public body, even after
# an opening clause ("Sau buổi làm việc, gia đình đã nhất trí ... và ký biên
# bản làm việc cam kết sẽ bàn giao mặt bằng ...").
_PRIVATE = re.compile(
    r"\s*(?:gia dinh|ho gia dinh|ho dan|cac ho dan|ba con|nguoi dan|nhan dan|cac doanh nghiep|"
    r"doanh nghiep|cong nhan|nguoi lao dong|chu dau tu du an)(?!\w)"
)
_CLAUSE_OPENING = re.compile(r"^[^,;:]{1,60},\s*")
_OPENERS = re.compile(
    r"^\s*(?:ngoai ra|ben canh do|dong thoi|truoc mat|theo do|mat khac|do do|do vay)\s*,?\s*"
)
_BELIEF = re.compile(r"(?<!\w)(?:tin tuong|tin rang|hy vong|hi vong|mong muon|mong rang|"
                     r"ky vong|mong)(?!\w)")
_WILL = exact("sẽ")
_PAST = exact("đã")
_DIRECTIVE = re.compile(r"(?<!\w)(yêu cầu|giao|chỉ đạo|đề nghị)(?!\w)", re.IGNORECASE)
_NOT_DIRECTIVE_WORDS = ("theo", "ứng", "các", "những", "của", "được", "giao")
_NOT_DIRECTIVE_BEFORE = re.compile(r"(?:" + "|".join(_NOT_DIRECTIVE_WORDS) + r")\s*$",
                                   re.IGNORECASE)
_NOT_DIRECTIVE_SPAN = max(len(word) for word in _NOT_DIRECTIVE_WORDS)
_DOCUMENT = re.compile(
    r"(?:Công văn|Nghị quyết|Nghị định|Quyết định|Thông tư|Kế hoạch|Hướng dẫn|Chỉ thị|"
    r"Thông báo|Chương trình|Đề án|Tờ trình|Văn bản)\s+số\s+[\w][\w,./\-\u2013]*\w"
    r"(?:\s+ngày\s+\d{1,2}/\d{1,2}/\d{4})?"
)
_DATE_BEFORE = re.compile(r"ngày\s+(\d{1,2}/\d{1,2}/\d{4})")
_EVIDENCE_VERBS = re.compile(
    r"(?<!\w)(?:ban hanh|tham muu|chi dao|trien khai|to chuc|thuc hien|day manh|huong dan|"
    r"phoi hop|tuyen truyen|trinh|phe duyet)(?!\w)"
)
_OWN_PATTERNS = [(phrase(p), kind, p) for p, kind in _OWN_CUES]
# A cue word used as a noun is no act: "Vì theo nghiên cứu", "kết quả rà
# soát cho thấy", "qua xem xét"; nor is a purpose ("trung tâm giống ... để
# nghiên cứu nâng cao chất lượng giống"). Folded, as the words before a cue
# on `bare`.
_NOUN_BEFORE = re.compile(r"(?<!\w)(?:theo|ket qua|qua|cong tac|viec|su|de)\s+$")
# A condition opening the unit with no `sẽ` after it offers an option and
# commits no one: "Trong tình huống giá cả tiếp tục leo thang thì còn một
# công cụ nữa là đề xuất cấp có thẩm quyền ...".
_CONDITION = re.compile(r"^\s*(?:trong (?:tinh huong|truong hop)|neu|gia su)(?!\w)")
_KIND_PATTERNS = [(phrase(p), kind) for p, kind in _KIND_WORDS]
# What was not answered at the meeting, compiled or passed on: "các ý kiến
# còn lại, các đại biểu tổng hợp chuyển ...", "những kiến nghị vượt thẩm
# quyền, Tổ đại biểu tổng hợp gửi ...". Folded.
_FORWARDED = re.compile(
    r"(?<!\w)(?:y kien|kien nghi|van de|noi dung)(?:,\s*kien nghi)?\s+(?:con lai|chua (?:duoc\s+)?"
    r"(?:tra loi|giai dap|giai quyet)|vuot (?:qua\s+)?tham quyen)(?!\w)[^.;:]{0,60}?(?<!\w)"
    r"(tong hop|chuyen|gui)(?!\w)"
)


@dataclass(frozen=True)
class Unit:
    start: int  # offsets in the paragraph text
    end: int


@dataclass(frozen=True)
class Finding:
    promise: bool
    evidence: bool
    kind: str
    cues: tuple[str, ...]


def sentences(text: str) -> list[Unit]:
    units: list[Unit] = []
    start = 0
    skip_first = _LIST_MARK.match(text)
    # Each look around an end stays near it: slicing the rest of the text at
    # every full stop made a long paragraph take the square of its length.
    for match in _END.finditer(text):
        if skip_first and match.start() < skip_first.end():
            continue
        after = match.end()
        while after < len(text) and text[after].isspace():
            after += 1
        following = text[after:after + 2]
        opener = following[1:2] if following[:1] in "\"“(" else following[:1]
        if not (opener.isupper() or opener.isdigit()):
            continue
        word = _word_before(text, start, match.start())
        if match.group() == "." and word and word.lower() in _ABBREVIATIONS:
            continue
        units.append(Unit(start, match.end()))
        start = match.end()
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text):
        units.append(Unit(start, len(text)))
    return [u for u in units if text[u.start:u.end].strip()]


def _word_before(text: str, start: int, end: int) -> str:
    """The run of word characters and dots that `text[start:end]` ends with
    (as `[\\w.]+$` finds it, before a final line break too)."""
    if end > start and text[end - 1] == "\n":
        end -= 1
    begin = end
    while begin > start and (text[begin - 1].isalnum() or text[begin - 1] in "_."):
        begin -= 1
    return text[begin:end]


def units(text: str, directive: bool = False) -> list[Unit]:
    """Sentences, cut further at `;` where the next piece has a cue of its own."""
    found: list[Unit] = []
    for sentence in sentences(text):
        pieces: list[Unit] = []
        cursor = sentence.start
        for match in re.finditer(";", text[sentence.start:sentence.end]):
            at = sentence.start + match.start()
            pieces.append(Unit(cursor, at))
            cursor = at + 1
        pieces.append(Unit(cursor, sentence.end))
        merged: list[Unit] = []
        for piece in pieces:
            body = text[piece.start:piece.end]
            own = _has_directive(body) if directive else _has_own_cue(body)
            if merged and not own:
                merged[-1] = Unit(merged[-1].start, piece.end)
            else:
                merged.append(piece)
        for piece in merged:
            body = text[piece.start:piece.end]
            lead = len(body) - len(body.lstrip())
            tail = len(body.rstrip())
            if body.strip():
                found.append(Unit(piece.start + lead, piece.start + tail))
    return found


def _has_own_cue(text: str) -> bool:
    folded = bare(text)
    return bool(_WILL.search(text)) or any(p.search(folded) for p, _k, _w in _OWN_PATTERNS)


def _has_directive(text: str) -> bool:
    return _directive(text) is not None


def _directive(text: str) -> re.Match[str] | None:
    for match in _DIRECTIVE.finditer(text):
        # The word before it ends where the spaces before it begin; only that
        # far back is searched, not the whole text before each match.
        words_end = match.start()
        while words_end > 0 and text[words_end - 1].isspace():
            words_end -= 1
        since = max(0, words_end - _NOT_DIRECTIVE_SPAN)
        if _NOT_DIRECTIVE_BEFORE.search(text, since, match.start()):
            continue
        return match
    return None


def documents(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for match in _DOCUMENT.finditer(text):
        reference = match.group().rstrip(".,")
        if " ngày " not in reference and not found:
            # "ngày 09/4/2024, Sở Nội vụ đã ban hành Công văn số 473/SNV-CCVC":
            # a date opening the sentence dates its first document.
            dated = list(_DATE_BEFORE.finditer(text[: match.start()]))
            if len(dated) == 1:
                reference += f" ngày {dated[0].group(1)}"
        found.append(reference)
    return tuple(found)


def answer_unit(text: str) -> Finding:
    """Whether a unit of an answer is a promise (and of what kind) or evidence."""
    folded = bare(text)
    cues: list[tuple[int, str, str]] = []  # (offset, written cue, kind)
    for match in _WILL.finditer(text):
        cues.append((match.start(), match.group(), ""))
    for pattern, kind, _w in _OWN_PATTERNS:
        for match in pattern.finditer(folded):
            if kind == "" and any(s <= match.start() < s + len(c) for s, c, _k in cues):
                continue  # "thời gian tới" inside "trong thời gian tới"
            if kind and _NOUN_BEFORE.search(folded, max(0, match.start() - 12), match.start()):
                continue
            cues.append((match.start(), text[match.start():match.end()], kind))
    forwarded = _FORWARDED.search(folded)
    if forwarded is not None and not _PAST.search(text, 0, forwarded.start(1)):
        cues.append((forwarded.start(1), text[forwarded.start(1):forwarded.end(1)], "propose"))
    third_from = len(text)
    for match in _PROPOSE_VERBS.finditer(folded):
        if _HIGHER.match(folded, match.end()):
            cues.append((match.start(), text[match.start():match.end()], "propose"))
        elif _THIRD_RE.match(folded, match.end()):
            # "đề nghị các đơn vị nghiên cứu": what follows is theirs to do.
            third_from = min(third_from, match.start())
    future = any(k == "" for _s, _c, k in cues)
    past = bool(_PAST.search(text)) and not future
    opener = _OPENERS.sub("", folded, count=1)
    third_subject = bool(_THIRD_RE.match(_LIST_MARK.sub("", opener)))
    clause = _CLAUSE_OPENING.match(opener)
    third_subject = third_subject or bool(clause and _PRIVATE.match(opener, clause.end()))
    own = [(s, c, k) for s, c, k in cues if s < third_from]
    belief = bool(_BELIEF.search(folded))
    written = tuple(c for _s, c, _k in sorted(own))
    if past:
        evidential = bool(documents(text)) or bool(_EVIDENCE_VERBS.search(folded))
        return Finding(False, evidential, "", written)
    option = bool(_CONDITION.match(opener)) and not _WILL.search(text)
    if belief or third_subject or option or not own:
        return Finding(False, False, "", written)
    return Finding(True, False, _kind(folded, own, third_from), written)


def _kind(folded: str, own: list[tuple[int, str, str]], until: int) -> str:
    handing = sorted((s, k) for s, _c, k in own if k in _HANDING)
    # A report to an authority is also handed over: "báo cáo UBND tỉnh".
    handing += [
        (m.start(), "report") for m in _REPORT.finditer(folded)
        if m.start() < until and _HIGHER.match(folded, m.end())
    ]
    handing.sort()
    if handing:
        return handing[0][1]
    steps = [(s, s + len(c), k) for s, c, k in own if k]
    for pattern, kind in _KIND_PATTERNS:
        steps.extend(
            (m.start(), m.end(), kind) for m in pattern.finditer(folded) if m.start() < until
        )
    if not steps:
        return "implement"
    # The chain of verbs that opens with the first step ("rà soát, báo cáo",
    # "hoàn thành rà soát, cấp bổ sung"): its last verb is the outcome. A kind
    # word further on is an object ("nghiên cứu cơ chế hỗ trợ").
    steps.sort()
    _start, end, kind = steps[0]
    for start, stop, next_kind in steps[1:]:
        if start < end:
            continue
        if not _CHAINED.match(folded[end:start]):
            break
        end, kind = stop, next_kind
    return kind


def task_kind(text: str) -> str:
    """The kind of a directed task, from its words after the addressee."""
    return _steps_kind(bare(text))


def _steps_kind(folded: str) -> str:
    steps: list[tuple[int, str, str]] = []
    for pattern, kind, _w in _OWN_PATTERNS:
        steps.extend((m.start(), m.group(), kind) for m in pattern.finditer(folded) if kind)
    for verb in _PROPOSE_VERBS.finditer(folded):
        if _HIGHER.match(folded, verb.end()):
            steps.append((verb.start(), verb.group(), "propose"))
    return _kind(folded, steps, len(folded))
