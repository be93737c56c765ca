"""Written replies to voters' petitions, and tables of petitions and replies
pasted from a web page: read into the same questions, answers and promise
candidates as a dialogue (`read` gives None for a text of another shape).

Petitions. A petition opens with "Cử tri", who the voters are, then an
asking verb or a colon: "Cử tri Xã Thanh Phát, huyện Sơn Dương đề nghị:",
"Cử tri thành phố Huế: Kiến nghị ...", "* Cử tri các phường: A, B (thành phố
X) đề nghị ...". The voters of a place are a group, named as written ("Cử tri
tổ 1, ấp Hóa Nhựt, xã Tân Vĩnh Hiệp", a place in brackets is its
organisation); "Cử tri Vũ Như Hội, UBND xã Nông Hạ" is a person. A heading
that ends at its colon takes as its petitions the paragraph below it, or its
numbered items (1., 2., ... in sequence: an answer's own list starts again
at 1). "Kiến nghị:" / "Nội dung kiến nghị:" open a petition of the voters
last named, and so does a petition site's "Nội dung:" field.

Replies. A reply opens with "TRẢ LỜI:" / "Trả lời:" (no writer named), or
names the body that writes it: "Sở Giao thông vận tải xin phúc đáp như sau:",
"Công an tỉnh trả lời:", "Vấn đề cử tri nêu, UBND huyện Gia Viễn trả lời như
sau:", "Nội dung trả lời của UBND thành phố như sau:", or, on a petition site, by
a body it does not name ("Cơ quan chức năng trả lời:"). A report with no such
marker whose preface says who reports ("UBND tỉnh xin báo cáo ... như sau:")
answers each numbered petition in the paragraphs below it. The writer of an
unsigned reply is, in this order: the body whose letter it cites ("(Văn bản
số 154/UBND-VP ngày 10/02/2020 của UBND huyện Chợ Mới)"), the body that
directs in it ("Ủy ban nhân dân tỉnh giao ..."), the body its first sentence
opens with taking up the petition ("UBND huyện X tiếp thu ..."), the
preface's reporter, the People's Committee of the council's level the text
names ("HĐND tỉnh" -> "UBND tỉnh"); else it is left for the secretariat to
name.

Tables. A line opening with "|" opens a row and a line without one continues
it (a long cell may stand on its own line); tabs split cells too. A header
row (STT | Kỳ họp | Cử tri | Địa bàn | Nội dung kiến nghị | Nội dung trả lời |
Cơ quan trả lời) gives each column its role when a row has as many cells;
otherwise cells are read by what they say, and numbers, "Kỳ họp 5", dates
and "(Xem thêm…)" are skipped. A listing whose rows have their number glued
to the text ("1Kiểm tra ...", "2Hiện nay ...") is a table of petitions, when
the text speaks of voters at all.

Links. A reply answers the petitions since the previous reply (in a table,
those of its own row). A reply split into "- Về <subject>:" parts links each
part to the petition sharing most words with its subject (TOPIC).

Promises. A body the reply directs ("giao", "chỉ đạo", "yêu cầu" followed by
a named body; "đã chỉ đạo" too, since the task is not reported done) owns
the task, unless that body speaks for itself further on in the same reply
(its own words then hold its commitment). A directing lead-in that ends at a
colon ("Ủy ban nhân dân tỉnh giao:") gives each list item below it to the
body the item opens with. Any other sentence is read by
`promises.answer_unit`; its owner is the body named last before the cue (a
role such as "Chủ đầu tư" is the body the reply says holds it, a short name
such as "UBND huyện" the writer it abbreviates), else the writer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from domain.text import fold
from service.transcript import bodies, deadlines, entries, promises, speakers, topics
from service.transcript.model import (
    Candidate,
    Evidence,
    LinkedBy,
    ParsedAnswer,
    ParsedQuestion,
    Speaker,
    Transcript,
)
from service.transcript.words import bare, exact, is_capitalised

UNNAMED_WRITER = "Cơ quan trả lời (chưa rõ)"

_BULLET = r"(?:[-*•+\u2013]\s*|(?:Câu\s+\d{1,3}|\d{1,3}|[IVX]{1,5}|[a-zđ])[.):]\s+)?"
_VOTERS = re.compile(
    r"^" + _BULLET + r"(?:Ý kiến,?\s+(?:kiến nghị\s+)?(?:của\s+)?(?=cử tri))?(Cử tri|CỬ TRI|cử tri)"
    r"(?!\w)"
)
_ASK = re.compile(
    r"(?<!\w)(đề nghị|kiến nghị|phản ánh|đề xuất|hỏi|chất vấn|mong muốn|yêu cầu|nêu ý kiến)"
    r"(?!\w)",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"^" + _BULLET + r"(?:(?:Nội dung\s+)?(?:ý kiến,?\s+)?(?:Kiến nghị|kiến nghị)|"
    # A petition site's field: "Nội dung:" over the petition's text.
    r"Nội dung(?:\s+phản ánh)?)\s*:\s*"
)
# Where the voters' description must have ended: a sentence end ("TP." and
# the like excepted) or a question mark.
_ZONE_END = re.compile(r"(?<!TP)(?<!Tp)(?<!\b[A-Z])[.?!](?=\s|$)")
_ZONE = 250
# First words of a place ("xã", "thành phố", "các phường", "tổ 1"), folded.
_PLACE_WORDS = frozenset({
    "xa", "phuong", "thi", "thon", "to", "ap", "khu", "ban", "lang", "xom", "buon", "soc",
    "huyen", "quan", "thanh", "tp", "tp.", "tinh", "cac", "dia", "khom", "bon", "dong",
})
# Words after "Cử tri" that name no one ("Cử tri cũng kiến nghị").
_FILLERS = frozenset({"cung", "con", "da", "tiep", "deu", "nhieu", "mot", "so", "tuc"})
_PLURAL_PLACE = re.compile(r"(?<!\w)các\s+(?:xã|phường|thôn|tổ|ấp|khu phố|huyện|quận|bản|xóm)\s*$",
                           re.IGNORECASE)
_BRACKETS = re.compile(r"\s*\(([^()]*)\)")
_MORE = re.compile(r"\(?\s*Xem thêm\s*(?:…|\.\.\.)?\s*\)?\s*")

_REPLY_WORD = re.compile(
    r"^" + _BULLET + r"(?:TRẢ LỜI|Trả lời|Ý kiến trả lời|Nội dung trả lời|Kết quả trả lời|"
    r"Kết quả giải quyết)(?!\w)"
)
_OF = re.compile(r"\s+của\s+")
# "Trả lời (Văn bản số 154/UBND-VP ngày 10/02/2020 của UBND huyện Chợ Mới):"
_REPLY_TAIL = re.compile(r"\s*(?P<source>\([^()]{0,200}\))?\s*(?:như sau)?\s*(?::\s*|$)")
_REPLY_VERB = re.compile(
    r"\s+(?:xin\s+)?(?:trả lời|phúc đáp|giải trình|báo cáo|có ý kiến)"
    r"(?:\s+(?:lại|cử tri|như sau))*\s*:\s*"
)
_LEAD_CLAUSE = 100  # how long a clause may stand before the writer ("Vấn đề cử tri nêu, ")
_ABOUT = re.compile(r"^" + _BULLET + r"Về\s+([^:\n]{3,200}?)\s*:\s*")
_NUMBERED = re.compile(r"^(\d{1,3})[.)]\s+(?=\S)")
_GLUED = re.compile(r"^(\d{1,3})(?=[^\W\d_])")
_META = re.compile(
    r"^(?:\d{1,6}|Kỳ họp(?: thứ)?\s+\S+|\(?\s*Xem thêm\s*(?:…|\.\.\.)?\s*\)?|"
    r"\d{1,2}/\d{1,2}/\d{4}(?:\s*[-,]?\s*\d{1,2}:\d{2})?)$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^:?-{2,}:?$")
_CELL_SPLIT = re.compile(r"[|\t]")
# Header labels, folded, by the role of their column; the first that a
# label contains decides.
_HEADER = (
    ("co quan tra loi", "responder"), ("don vi tra loi", "responder"),
    ("co quan giai quyet", "responder"), ("noi dung tra loi", "answer"), ("tra loi", "answer"),
    ("ket qua giai quyet", "answer"), ("giai trinh", "answer"), ("kien nghi", "petition"),
    ("y kien", "petition"), ("noi dung", "petition"), ("cu tri", "asker"), ("dia ban", "place"),
    ("dia phuong", "place"), ("stt", "skip"), ("ky hop", "skip"), ("linh vuc", "skip"),
    ("ngay", "skip"), ("thoi gian", "skip"), ("trang thai", "skip"),
)
# Header cells standing one a line ("one cell per line"): skipped.
_HEADER_LABELS = frozenset({
    "stt", "ky hop", "cu tri", "dia ban", "noi dung y kien, kien nghi", "noi dung kien nghi",
    "noi dung y kien", "noi dung tra loi", "co quan tra loi", "don vi tra loi", "linh vuc",
})
_RESPONDER = re.compile(r"^(?:Cơ quan|Đơn vị)\s+(?:trả lời|giải quyết|chủ trì)\s*:\s*")
# A petition site's field: "Cơ quan chức năng trả lời:" over the reply, by
# a body it does not name.
_UNNAMED_REPLY = re.compile(
    r"^((?:Cơ quan|Đơn vị)\s+(?:chức năng|có thẩm quyền|liên quan))\s+(?:trả lời|phúc đáp)\s*:\s*")
_DIRECT = re.compile(r"(?<!\w)(giao|chỉ đạo|yêu cầu)(?!\w)", re.IGNORECASE)
_NOT_DIRECT_BEFORE = re.compile(r"(?<!\w)(?:được|theo|của|sự|bàn|nhận|đã được)\s+$", re.IGNORECASE)
_DIRECT_OBJECT = re.compile(r"\s*(?:(?:nhiệm vụ|trách nhiệm)\s+)?(?:cho\s+)?")
_DIRECTS = re.compile(
    r"\s+(?:(?:đã|sẽ|xin|tiếp tục|cũng)\s+)*(?:có văn bản\s+)?(?:giao|chỉ đạo|yêu cầu)(?!\w)"
)
_TAKES_UP = re.compile(
    r"\s+(?:xin\s+)?(?:tiếp thu|ghi nhận|trả lời|phúc đáp|giải trình|báo cáo)(?!\w)"
)
_REPORTS = re.compile(r"\s+(?:xin\s+)?(?:báo cáo|trả lời|giải trình|phúc đáp)(?!\w)")
_LETTER = re.compile(
    r"(?:Văn bản|Công văn|Báo cáo|Thông báo|Tờ trình)\s+số\s+[^()\n]{0,80}?\s+của\s+"
)
_COUNCIL_LEVEL = re.compile(r"(?:HĐND|Hội đồng nhân dân)\s+(tỉnh|thành phố|huyện|quận|thị xã)"
                            r"(?!\w)")
_ITEM = re.compile(r"^(?:[-+•*\u2013]\s+|[a-zđ][.)]\s+|\d{1,2}[.)]\s+)")
_NOT_YET = re.compile(r"^\s*(?:cũng\s+)?(?:đã|đang)(?!\w)")
# Words before a body that make it the object, not the doer: "với Sở X",
# "đề xuất UBND tỉnh", "do UBND huyện quản lý".
_OBJECT_BEFORE = frozenset({
    "cua", "voi", "cho", "den", "tai", "do", "boi", "thuoc", "tu", "ve", "giao", "dao", "cau",
    "nghi", "xuat", "trinh", "len", "la",
})
_AS_ROLE = r"\s+(?:là|làm)\s+"
_STOP_WORDS = frozenset({
    "ve", "cua", "va", "tai", "cho", "cac", "nhung", "de", "nghi", "kien", "viec", "the", "o",
    "tren", "voi", "mot", "so", "duoc", "khi", "nay", "trong", "dia", "ban", "cu", "tri",
})
_WILL = exact("sẽ")


@dataclass(frozen=True)
class _Cell:
    start: int  # offsets in the NFC source
    end: int
    line: int


@dataclass
class _Row:
    cells: list[_Cell]
    table: bool  # split at "|" or tabs


@dataclass
class _Block:
    kind: str  # "petition" or "answer"
    row: int | None  # the table row it sits in, if any
    asker: Speaker | None = None
    writer: str | None = None  # the body the reply names as writing it
    label: str = ""  # the subject of a "- Về <subject>:" part of a reply
    spans: list[_Cell] = field(default_factory=list)


@dataclass(frozen=True)
class _PetitionLead:
    asker: Speaker
    body: int  # where the petition starts in the cell
    heading: bool  # nothing after the colon: the petitions follow
    asker_only: bool  # a table's asker cell: no verb, no colon


def read(nfc: str, held_on: date, unanswered: bool = False) -> Transcript | None:
    """The petitions and replies of `nfc` (the NFC source), or None when it
    has neither a reply to a petition nor a table or listing of them (nor,
    with `unanswered`, any petition at all)."""
    paragraphs = entries.paragraphs(nfc)
    roles, rows = _rows(nfc, paragraphs)
    listing = _listing(nfc, rows)
    texts = [nfc[c.start:c.end] for row in rows for c in row.cells]
    explicit = any(_reply_lead(t) is not None for t in texts)
    reader = _Reader(nfc, roles, listing, explicit)
    for number, row in enumerate(rows):
        reader.row(row, number)
    reader.close()
    transcript = _build(nfc, reader, held_on)
    if not transcript.questions:
        return None
    if transcript.answers or listing or roles or unanswered:
        return transcript
    return None


# --- cells and rows -----------------------------------------------------------


def _rows(nfc: str, paragraphs: list[entries.Paragraph]) -> tuple[list[str], list[_Row]]:
    """Each paragraph a row of one cell, or table rows split into cells; and
    the roles of the columns when a header row names them."""
    piped = sum(1 for p in paragraphs if p.text.startswith("|")) >= 2
    roles: list[str] = []
    rows: list[_Row] = []
    for paragraph in paragraphs:
        split = (piped and "|" in paragraph.text) or "\t" in paragraph.text
        if not split:
            cell = _Cell(paragraph.start, paragraph.start + len(paragraph.text), paragraph.line)
            rows.append(_Row([cell], False))
            continue
        cells = _split(paragraph)
        header = [_header_role(nfc[c.start:c.end]) for c in cells]
        if len(cells) >= 2 and all(header):
            roles = [role or "skip" for role in header]
            continue
        opens = paragraph.text.startswith("|") or "\t" in paragraph.text
        if opens or not rows or not rows[-1].table:
            rows.append(_Row(cells, True))
        else:
            rows[-1].cells.extend(cells)
    return roles, rows


def _split(paragraph: entries.Paragraph) -> list[_Cell]:
    cells: list[_Cell] = []
    text = paragraph.text
    begin = 0
    for match in [*_CELL_SPLIT.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[begin:end]
        stripped = piece.strip()
        if stripped and not _SEPARATOR.match(stripped):
            lead = begin + len(piece) - len(piece.lstrip())
            start = paragraph.start + lead
            cells.append(_Cell(start, start + len(stripped), paragraph.line))
        begin = match.end() if match else len(text)
    return cells


def _header_role(cell: str) -> str | None:
    folded = fold(cell).strip(" :")
    if not folded or len(folded) > 45 or any(ch.isdigit() for ch in folded):
        return None
    return next((role for key, role in _HEADER if key in folded), None)


def _listing(nfc: str, rows: list[_Row]) -> bool:
    """Rows whose number is glued to their text, 1, 2, 3 ... in sequence, in
    a text that speaks of voters: a table of petitions copied without its
    cell borders."""
    numbers = []
    for row in rows:
        text = nfc[row.cells[0].start:row.cells[0].end] if row.cells else ""
        glued = _GLUED.match(text)
        if glued and text[glued.end()].isupper():
            numbers.append(int(glued.group(1)))
    runs = sum(1 for a, b in pairwise(numbers) if b == a + 1)
    return runs >= 1 and "cu tri" in bare(nfc)


# --- leads --------------------------------------------------------------------


def _petition_lead(text: str) -> _PetitionLead | None:
    voters = _VOTERS.match(text)
    if voters is None:
        return None
    start = voters.end()
    stop = min(len(text), start + _ZONE)
    end = _ZONE_END.search(text, start, stop)
    zone_end = end.start() if end else stop
    colon = text.find(":", start, zone_end)
    ask = _ASK.search(text, start, zone_end)
    if ask is not None and (colon < 0 or ask.start() < colon
                            or _PLURAL_PLACE.search(text, start, colon)):
        phrase_end = ask.start()
        after = ask.end()
        while after < len(text) and text[after] == " ":
            after += 1
        if after < len(text) and text[after] == ":":
            body = _skip_space(text, after + 1)
        else:
            body = ask.start()
    elif colon >= 0:
        phrase_end, body = colon, _skip_space(text, colon + 1)
    elif ask is None and len(text) <= 150 and not _ZONE_END.search(text, start):
        phrase_end, body = len(text), len(text)
        asker = _voters(text, voters.start(1), start, phrase_end)
        return _PetitionLead(asker, body, False, True) if asker else None
    else:
        return None
    asker = _voters(text, voters.start(1), start, phrase_end)
    if asker is None:
        return None
    more = _MORE.match(text, body)
    if more and more.end() > body:
        body = more.end()
    inner = _petition_lead(text[body:]) if body < len(text) else None
    if inner is not None and not inner.asker_only:
        # "1. Cử tri huyện Than Uyên: - Cử tri xã Tà Mung, Mường Kim kiến
        # nghị: ...": the voters of the district's communes named ask.
        return _PetitionLead(inner.asker, body + inner.body, inner.heading, False)
    return _PetitionLead(asker, body, body >= len(text.rstrip()), False)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _voters(text: str, word: int, start: int, end: int) -> Speaker | None:
    """Who "Cử tri <phrase>" are: a person ("Cử tri Vũ Như Hội, UBND xã Nông
    Hạ"), a group named by its place, or the voters unnamed."""
    phrase = text[start:end]
    place = " ".join(m.group(1).strip() for m in _BRACKETS.finditer(phrase))
    bare_phrase = _BRACKETS.sub("", phrase).strip(" ,:;-")
    words = bare_phrase.split()
    if not words:
        return Speaker("Cử tri", organisation=place, kind="group")
    first = bare(words[0]).rstrip(",:")
    if first in _FILLERS and len(words) <= 3:
        return Speaker("Cử tri", organisation=place, kind="group")
    if first in _PLACE_WORDS:
        name = text[word:start] + " " + bare_phrase
        return Speaker(" ".join(name.split()), organisation=place or bare_phrase, kind="group")
    if is_capitalised(words[0]):
        person: list[str] = []
        for w in words:
            clean = w.rstrip(",")
            if not is_capitalised(clean) or len(person) == 5:
                break
            person.append(clean)
            if clean != w:
                break
        rest = bare_phrase[len(" ".join(person)):].strip(" ,")
        if len(person) >= 2:
            return Speaker(" ".join(person), organisation=place or rest)
    return None


def _reply_lead(text: str) -> tuple[str | None, int] | None:
    """(the writer named, or None; where the reply's text starts) when
    `text` opens a reply."""
    word = _REPLY_WORD.match(text)
    if word is not None:
        pos, writer = word.end(), None
        of = _OF.match(text, pos)
        if of is not None:
            writer = bodies.body_at(text, of.end())
            if writer:
                pos = of.end() + len(writer)
        tail = _REPLY_TAIL.match(text, pos)
        if tail is None:
            return None
        if writer is None and tail.group("source"):
            writer = _letter_writer(tail.group("source"))
        return writer, tail.end()
    unnamed = _UNNAMED_REPLY.match(text)
    if unnamed is not None:
        return unnamed.group(1), unnamed.end()
    bullet = re.compile(_BULLET).match(text)
    starts = [bullet.end() if bullet else 0]
    starts += [m.end() for m in re.finditer(r",\s+", text[:_LEAD_CLAUSE])
               if "." not in text[:m.start()]]
    for pos in starts:
        writer = bodies.body_at(text, pos)
        if writer and not bodies.is_role(writer):
            verb = _REPLY_VERB.match(text, pos + len(writer))
            if verb is not None:
                return writer, verb.end()
    return None


def _all_caps(text: str) -> bool:
    # Stops at the first lower-case letter: most text is not in capitals.
    if any(ch.islower() for ch in text):
        return False
    return sum(1 for ch in text if ch.isalpha()) >= 3


# --- reading ------------------------------------------------------------------


class _Reader:
    """Cells in text order into petition and answer blocks."""

    def __init__(self, nfc: str, roles: list[str], listing: bool, explicit: bool) -> None:
        self.nfc = nfc
        self.roles = roles
        self.listing = listing
        self.explicit = explicit  # the text marks its replies
        self.blocks: list[_Block] = []
        self.current: _Block | None = None
        self.heading: Speaker | None = None  # "Cử tri X kiến nghị:" over numbered items
        self.numbered = 0  # the number of the last petition under the heading
        self.asker_cell: Speaker | None = None  # a table row's asker cell
        self.table_row: int | None = None
        self.preface: list[str] = []  # text before the first petition
        self.author: str | None = None  # who the preface says reports
        self.next_writer: str | None = None  # "Cơ quan trả lời: Sở X" before its reply

    def close(self) -> None:
        if self.current is not None and self.current.spans:
            self.blocks.append(self.current)
        self.current = None

    def row(self, row: _Row, number: int) -> None:
        if row.table:
            self.close()
            self.asker_cell = None
            self.table_row = number
            if self.roles and len(row.cells) == len(self.roles):
                self._aligned(row)
                return
        else:
            self.table_row = None
        for cell in row.cells:
            for piece in self._pieces(cell):
                self.cell(piece)

    def _aligned(self, row: _Row) -> None:
        """A row with a cell for every column of the header."""
        by_role: dict[str, _Cell] = {}
        for role, cell in zip(self.roles, row.cells, strict=True):
            by_role.setdefault(role, cell)
        asker = Speaker("Cử tri", kind="group")
        for role in ("asker", "place"):
            named = by_role.get(role)
            if named is None:
                continue
            text = self.nfc[named.start:named.end]
            lead = _petition_lead(text)
            if lead is not None:
                asker = lead.asker
                break
            if role == "place":
                asker = Speaker(f"Cử tri {text}", organisation=text, kind="group")
        petition = by_role.get("petition")
        if petition is not None:
            text = self.nfc[petition.start:petition.end]
            lead = _petition_lead(text)
            start = petition.start + (lead.body if lead and not lead.asker_only else 0)
            self._start("petition", asker=lead.asker if lead and not lead.asker_only else asker)
            self._add(_Cell(start, petition.end, petition.line))
            self.close()
        answer = by_role.get("answer")
        if answer is not None:
            text = self.nfc[answer.start:answer.end]
            found = _reply_lead(text)
            writer, start = found if found else (None, 0)
            responder = by_role.get("responder")
            if responder is not None:
                writer = self.nfc[responder.start:responder.end]
            self._start("answer", writer=writer)
            self._add(_Cell(answer.start + start, answer.end, answer.line))
            self.close()

    def _pieces(self, cell: _Cell) -> list[_Cell]:
        """A cell that opens with a petition or a reply, cut before each
        later sentence that opens another ("Cử tri quận A đề nghị ... Cử tri
        huyện B đề nghị ... Nội dung trả lời của UBND thành phố như sau:")."""
        text = self.nfc[cell.start:cell.end]
        if _petition_lead(text) is None and _reply_lead(text) is None:
            return [cell]
        cuts = [0]
        for unit in promises.sentences(text)[1:]:
            sentence = text[unit.start:unit.end]
            if _reply_lead(sentence) is not None or (
                    (lead := _petition_lead(sentence)) is not None and not lead.asker_only):
                cuts.append(unit.start)
        ends = [*cuts[1:], len(text)]
        return [_Cell(cell.start + a, cell.start + len(text[:b].rstrip()), cell.line)
                for a, b in zip(cuts, ends, strict=True)]

    def cell(self, cell: _Cell) -> None:
        text = self.nfc[cell.start:cell.end]
        reply = _reply_lead(text)
        if reply is not None:
            self._start("answer", writer=reply[0] or self.next_writer)
            self.next_writer = None
            self._add(_Cell(cell.start + reply[1], cell.end, cell.line))
            return
        if _META.match(text) or fold(text).strip(" :") in _HEADER_LABELS:
            return
        named = _RESPONDER.match(text)
        if named is not None and bodies.body_at(text, named.end()):
            writer = bodies.body_at(text, named.end())
            if self.current is not None and self.current.kind == "answer":
                self.current.writer = writer
            else:
                self.next_writer = writer
            return
        about = _ABOUT.match(text)
        if about is not None and self.current is not None and self.current.kind == "answer":
            # A reply in parts by subject: each part its own answer, by the
            # same writer, linked by its subject.
            if self.current.spans:
                self._start("answer", writer=self.current.writer)
            assert self.current is not None
            self.current.label = about.group(1)
            self._add(cell)
            return
        lead = _petition_lead(text)
        if lead is not None and not lead.asker_only and lead.heading:
            self.close()
            self.heading, self.numbered = lead.asker, 0
            return
        if lead is not None and lead.asker_only and self.table_row is not None:
            self.asker_cell = lead.asker
            return
        if lead is not None and not lead.asker_only:
            self._start("petition", asker=lead.asker)
            self._add(_Cell(cell.start + lead.body, cell.end, cell.line))
            return
        label = _LABEL.match(text)
        if label is not None:
            asker = self.asker_cell or self.heading or Speaker("Cử tri", kind="group")
            self._start("petition", asker=asker)
            self._add(_Cell(cell.start + label.end(), cell.end, cell.line))
            return
        if self._numbered(cell, text):
            return
        if _all_caps(text):
            self.close()
            self.heading = None
            return
        self._text(cell, text)

    def _numbered(self, cell: _Cell, text: str) -> bool:
        glued = _GLUED.match(text)
        if self.listing and glued and text[glued.end()].isupper():
            self._start("petition", asker=self.heading or self.asker_cell
                        or Speaker("Cử tri", kind="group"))
            self._add(_Cell(cell.start + glued.end(), cell.end, cell.line))
            return True
        numbered = _NUMBERED.match(text)
        if numbered is None or self.heading is None:
            return False
        in_answer = self.current is not None and self.current.kind == "answer"
        if int(numbered.group(1)) != self.numbered + 1 or (in_answer and self.explicit
                                                            and self.numbered == 0):
            return False
        self.numbered += 1
        self._start("petition", asker=self.heading)
        self._add(_Cell(cell.start + numbered.end(), cell.end, cell.line))
        return True

    def _text(self, cell: _Cell, text: str) -> None:
        current = self.current
        if current is None:
            asker = self.heading or self.asker_cell
            if asker is not None:
                self._start("petition", asker=asker)
                self._add(cell)
            elif not self.blocks:
                self.preface.append(text)
                self.author = self.author or _reporter(text)
            return
        if (current.kind == "petition" and not self.explicit and self.author
                and self.numbered and current.spans):
            # A report that marks no reply: its numbered petitions are each
            # answered by the paragraphs below them.
            self._start("answer", writer=self.author)
        assert self.current is not None
        self._add(cell)

    def _start(self, kind: str, asker: Speaker | None = None, writer: str | None = None) -> None:
        self.close()
        self.current = _Block(kind, self.table_row, asker=asker, writer=writer)

    def _add(self, cell: _Cell) -> None:
        assert self.current is not None
        text = self.nfc[cell.start:cell.end]
        if text.strip():
            self.current.spans.append(cell)


def _reporter(text: str) -> str | None:
    for pos, name in bodies.bodies_in(text):
        if _REPORTS.match(text, pos + len(name)):
            return name
    return None


# --- the transcript -------------------------------------------------------------


def _build(nfc: str, reader: _Reader, held_on: date) -> Transcript:
    transcript = Transcript()
    council = _COUNCIL_LEVEL.search(nfc)
    level = f"UBND {council.group(1)}" if council else None
    pending: list[tuple[ParsedQuestion, int | None]] = []
    after_answer = False
    for block in reader.blocks:
        text = "\n".join(nfc[c.start:c.end] for c in block.spans)
        if block.kind == "petition":
            if after_answer:
                pending, after_answer = [], False
            assert block.asker is not None
            question = ParsedQuestion(
                key=f"q{len(transcript.questions) + 1}", asker=block.asker, text=text,
                topics=topics.topics_of(text), line=block.spans[0].line,
            )
            transcript.questions.append(question)
            pending.append((question, block.row))
            continue
        after_answer = True
        writer = block.writer or _writer(text, reader.author, level)
        linkable = [q for q, row in pending if block.row is None or row == block.row]
        keys, how = _link(block, linkable)
        key = f"a{len(transcript.answers) + 1}"
        transcript.answers.append(ParsedAnswer(
            key=key, responder=Speaker(writer, organisation=writer,
                                       agency=speakers.agency_of(writer), kind="body"),
            text=text, question_keys=keys, linked_by=how, line=block.spans[0].line,
        ))
        _findings(nfc, block, key, writer, held_on, transcript)
    return transcript


def _letter_writer(text: str) -> str | None:
    """The body whose letter `text` cites: "Văn bản số ... của UBND huyện X"."""
    letter = _LETTER.search(text)
    return bodies.body_at(text, letter.end()) if letter else None


def _writer(text: str, author: str | None, level: str | None) -> str:
    named = _letter_writer(text)
    if named:
        return named
    for pos, name in bodies.bodies_in(text):
        if not bodies.is_role(name) and _DIRECTS.match(text, pos + len(name)):
            return name
    first = promises.sentences(text)
    if first:
        sentence = text[first[0].start:first[0].end]
        for pos, name in bodies.bodies_in(sentence):
            if pos <= 20 and _TAKES_UP.match(sentence, pos + len(name)):
                return name
    return author or level or UNNAMED_WRITER


def _link(block: _Block, linkable: list[ParsedQuestion]
          ) -> tuple[tuple[str, ...], LinkedBy | None]:
    if not linkable:
        return (), None
    if block.label and len(linkable) >= 2:
        subject = _words(block.label)
        scored = [(len(subject & _words(q.text)), q) for q in linkable]
        best = max(score for score, _q in scored)
        if best >= 2:
            return tuple(q.key for score, q in scored if score == best), LinkedBy.TOPIC
    return tuple(q.key for q in linkable), LinkedBy.NEAREST


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", bare(text)) if w not in _STOP_WORDS and len(w) > 1}


# --- promises in a reply ----------------------------------------------------------


@dataclass
class _Reply:
    """One reply being read for promises."""

    nfc: str
    block: _Block
    key: str
    writer: str
    held_on: date
    transcript: Transcript
    # The bodies the reply names, (offset in the source, name), read once:
    # reading the rest of the reply again for each sentence made a long
    # reply take the square of its length.
    named: list[tuple[int, str]] = field(default_factory=list)
    acting: dict[str, int] = field(default_factory=dict)  # folded name -> its last doing
    expanded: dict[str, str] = field(default_factory=dict)  # short name -> full name

    def __post_init__(self) -> None:
        spans = self.block.spans
        self.named = list(bodies.bodies_in(self.nfc, spans[0].start, spans[-1].end))
        for pos, name in self.named:
            if not _is_object(self.nfc, pos):
                self.acting[fold(name)] = pos

    def add(self, quote_start: int, quote_end: int, owner: str, kind: str, cues: tuple[str, ...],
            line: int) -> None:
        quote = self.nfc[quote_start:quote_end]
        found = deadlines.find(quote, self.held_on)
        self.transcript.candidates.append(Candidate(
            quote=quote, owner=owner, kind=kind or "implement", answer_key=self.key,
            due_on=found.due_on if found else None, due_text=found.text if found else None,
            cues=cues, line=line,
        ))


def _findings(nfc: str, block: _Block, key: str, writer: str, held_on: date,
              transcript: Transcript) -> None:
    reply = _Reply(nfc, block, key, writer, held_on, transcript)
    listed: str | None = None  # the owner of a directed list's items; "" for their own
    for cell in block.spans:
        text = nfc[cell.start:cell.end]
        item = _ITEM.match(text)
        if listed is not None and item is not None:
            _item(reply, cell, text, item.end(), listed)
            continue
        listed = None
        for unit in promises.units(text):
            start, end = cell.start + unit.start, cell.start + unit.end
            quote = nfc[start:end]
            directed = _directed(quote)
            if directed is not None:
                verb, addressee = directed
                if quote.rstrip().endswith(":"):
                    listed = addressee or ""
                    continue
                if addressee and not _speaks_later(reply, addressee, end):
                    clause = max(quote.rfind(", ", 0, verb.start()), quote.rfind("; ", 0,
                                                                                  verb.start()))
                    begin = start + (clause + 2 if clause >= 0 else 0)
                    kind = promises.task_kind(nfc[start + verb.end():end])
                    reply.add(begin, end, speakers.agency_of(addressee), kind,
                              (verb.group(1),), cell.line)
                if addressee:
                    continue
            finding = promises.answer_unit(quote)
            if finding.promise:
                owner = _owner(reply, quote, finding.cues)
                reply.add(start, end, owner, finding.kind, finding.cues, cell.line)
            elif finding.evidence and promises.documents(quote):
                transcript.evidence.append(Evidence(
                    quote=quote, owner=writer, answer_key=key,
                    documents=promises.documents(quote), line=cell.line,
                ))


def _directed(quote: str) -> tuple[re.Match[str], str | None] | None:
    """A directing verb of the unit, and the body it directs when named."""
    for verb in _DIRECT.finditer(quote):
        if _NOT_DIRECT_BEFORE.search(quote, max(0, verb.start() - 12), verb.start()):
            continue
        after = _DIRECT_OBJECT.match(quote, verb.end())
        pos = after.end() if after else verb.end()
        addressee = bodies.body_at(quote, pos)
        if addressee and not bodies.is_role(addressee):
            return verb, addressee
        if quote.rstrip().endswith(":") and pos >= len(quote.rstrip()) - 1:
            return verb, None
    return None


def _speaks_later(reply: _Reply, addressee: str, after: int) -> bool:
    """The directed body speaks for itself further on in the reply ("UBND
    quận Bình Thủy xin tiếp thu ..."): its own words hold its commitment."""
    return reply.acting.get(fold(addressee), -1) >= after


def _is_object(text: str, pos: int) -> bool:
    before = bare(text[max(0, pos - 12):pos]).split()
    return bool(before) and before[-1] in _OBJECT_BEFORE


def _item(reply: _Reply, cell: _Cell, text: str, body: int, listed: str) -> None:
    """A list item under a directing lead-in: the task of the body it opens
    with, else of the lead-in's addressee."""
    units = promises.units(text[body:])
    if not units:
        return
    unit = units[0]
    quote = text[body + unit.start:body + unit.end]
    named = bodies.body_at(quote, 0)
    owner = named or listed or reply.writer
    if _NOT_YET.match(quote, len(named) if named else 0):
        return
    finding = promises.answer_unit(quote)
    reply.add(cell.start + body + unit.start, cell.start + body + unit.end,
              speakers.agency_of(owner), finding.kind or "implement", finding.cues, cell.line)


def _owner(reply: _Reply, quote: str, cues: tuple[str, ...]) -> str:
    """The body named last before the first cue, else the writer."""
    positions = [quote.find(cue) for cue in cues if quote.find(cue) >= 0]
    will = _WILL.search(quote)
    if will is not None:
        positions.append(will.start())
    until = min(positions) if positions else len(quote)
    named = [(pos, name) for pos, name in bodies.bodies_in(quote, 0, until)
             if not _is_object(quote, pos)]
    if not named:
        return speakers.agency_of(reply.writer)
    name = named[-1][1]
    if bodies.is_role(name):
        return _role_holder(reply, name) or name
    return speakers.agency_of(_expanded(reply, name))


def _role_holder(reply: _Reply, role: str) -> str | None:
    """"Tổng Công ty Becamex IDC là Chủ đầu tư ...": who holds the role."""
    pattern = re.compile(_AS_ROLE + re.escape(role), re.IGNORECASE)
    for pos, name in reply.named:
        if not bodies.is_role(name) and pattern.match(reply.nfc, pos + len(name)):
            return name
    return None


def _expanded(reply: _Reply, name: str) -> str:
    """A short name ("UBND huyện") stands for the full one it begins: the
    writer's, else one the reply names."""
    if name not in reply.expanded:
        short = fold(name) + " "
        full = reply.writer if fold(reply.writer).startswith(short) else next(
            (other for _pos, other in reply.named if fold(other).startswith(short)), name)
        reply.expanded[name] = full
    return reply.expanded[name]
