"""Directed tasks: what a resolution, a letter, a conclusion or a leader's
directive gives a body to do, which body owns each task, and by when.

Read over the paragraphs that are no question or answer, in text order.

* Blocks. A text converted from a PDF breaks its lines inside sentences
  (most of its lines end with no stop); there, lines are joined into blocks,
  which end at a stop, a colon or before a list marker. Elsewhere every line
  is a block.
* Pieces. A block is cut into sentences, a sentence at `;` (a directive lists
  its tasks with semicolons), and after the colon of a directive that names
  its addressee ("Chỉ đạo Sở Tài nguyên và Môi trường: ...").
* The owner of a piece:
  1. a directive verb (giao, yêu cầu, chỉ đạo, đề nghị) followed by a body
     ("Sở ...", "UBND ...", "Công an tỉnh", "các sở, ngành", "lãnh đạo các
     huyện"): that body, up to the verb of its task. "X chỉ đạo Y" hands the
     task to Y when Y is a named body, and leaves it with X when Y is only a
     kind of body ("UBND tỉnh chỉ đạo các ngành ..." is for UBND to see
     done; so "X giao các cơ quan chuyên môn ..."). A directive verb opening
     an item of a list addressed to X reads as X's own ("- Chỉ đạo Ban Dân
     tộc tỉnh ...", "+ Yêu cầu đơn vị thi công ..." under "Chỉ đạo Sở Nông
     nghiệp và PTNT:"). A time may come before the addressee ("yêu cầu sau
     15 ngày làm việc ... các cơ quan chuyên môn phải ..."). Businesses,
     unions and people answer to no one here: a request to them is followed
     up by the body of the leader making it;
  2. a body opening the piece and a task verb after it ("Công an tỉnh chủ
     động xây dựng kế hoạch ...") once a directive has been given above, or
     with `sẽ`/`cần`/`phải` anywhere ("Về phía HĐND huyện sẽ xem xét ...");
  3. "Nhiệm vụ ... là ...": the body of the leader last named in the block;
     "Đối với X, <task verb> ...": X, a body or a council's deputies (also
     in a leader's answer, see `assigned`);
  4. no subject of its own: the owner carried from the piece before it in
     the block, else the owner of the list it is an item of. A
     contingency ("Trong trường hợp ..., phải ...", "nếu ...") of the task
     before it is part of that task.
* Lists. A block that ends with a colon after a directive or a heading
  ("1. Về lĩnh vực ...:") leads in a list: the blocks after it are its items
  until one marked as its sibling or parent (by rank: "Điều 1.", "1.", "a)",
  "-", "+", none). A lead-in is no task itself.
* Not tasks: table rows (petitions and replies are read elsewhere), the
  past (`đã`, `vừa` before the verb), headings, requests to people rather
  than bodies (deputies, voters), beliefs, a sentence citing
  the letter it reports ("vừa có công văn yêu cầu ...", "Căn cứ ..."), the
  closing formula that only says to carry it out ("yêu cầu Giám đốc Sở ...
  triển khai thực hiện"), and a sentence that only says when and where the
  task above is to be sent ("Yêu cầu hoàn thiện gửi ý kiến ... trước ngày
  28/9/2018", "...; hoàn thành trước ngày 21/11/2022"): it lends that task
  its deadline instead. Also a result ("Qua đó, góp phần ..."), a forecast,
  and what is done at the meeting itself ("... ngay tại hội nghị", "tại kỳ
  họp này sẽ tiến hành chất vấn ...", "Người trả lời chất vấn cần đi thẳng
  vào nội dung câu hỏi ...").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from service.transcript import deadlines, promises
from service.transcript.entries import Paragraph
from service.transcript.words import bare

# Heads of a body's proper name, written with a capital ("Sở Tài chính",
# "Bộ Chỉ huy Quân sự tỉnh", "UBND huyện Bắc Mê").
_PROPER = (
    "Sở", "UBND", "Ủy ban", "Uỷ ban", "Công an", "Ban", "Bộ", "Văn phòng", "Thanh tra", "Cục",
    "Chi cục", "Phòng", "Trung tâm", "Hội đồng", "HĐND", "Thường trực", "Tỉnh ủy", "Tỉnh uỷ",
    "Thành ủy", "Thành uỷ", "Huyện ủy", "Huyện uỷ", "Đảng ủy", "Kho bạc", "Bảo hiểm", "BHXH",
    "Liên đoàn", "LĐLĐ", "Mặt trận", "Đoàn", "Hội", "Đài", "Báo", "Trường", "Công ty",
    "Tổng công ty", "Ngân hàng", "Viện", "Tòa án", "Quỹ", "Chính phủ", "Giám đốc", "Thủ trưởng",
    "Lãnh đạo", "Chánh", "Cục trưởng", "Chi cục trưởng", "Hiệu trưởng", "Trưởng",
)
# Kinds of body, written in lower case ("các sở, ngành", "lãnh đạo các huyện").
_KINDS = (
    "sở", "ngành", "cấp", "cơ quan", "đơn vị", "địa phương", "huyện", "xã", "phường",
    "doanh nghiệp", "lực lượng", "ban", "tổ chức", "hội", "trường", "phòng", "bộ",
    "chủ đầu tư", "thành viên", "chi cục", "trung tâm", "nhà trường", "hợp tác xã", "cục",
)
_GENERIC = (
    r"(?:[Cc]ác|[Nn]hững)\s+(?:" + "|".join(sorted(_KINDS, key=len, reverse=True)) + r")"
    r"|(?:[Ll]ãnh đạo|[Tt]hủ trưởng|[Gg]iám đốc|[Nn]gười đứng đầu)\s+(?:các|[A-ZĐ]|"
    r"địa phương(?!\w)|cơ sở(?!\w))"
    r"|(?:[Đđ]ơn vị|[Nn]gành|[Đđ]ịa phương)\s|[Cc]hính quyền\s+(?:các|địa phương|cơ sở|xã|"
    r"huyện|phường|thành phố)"
)
_BODY = re.compile(
    r"(?P<proper>(?:" + "|".join(sorted(_PROPER, key=len, reverse=True)) + r")(?=[\s,]))"
    r"|(?P<generic>" + _GENERIC + r")"
)
# Leaders speak and direct; as the subject of a sentence they are no body
# doing a task ("Đồng chí Chủ tịch UBND tỉnh đánh giá cao ...").
_LEADER = re.compile(
    r"(?:[Đđ]ồng chí|[Ôô]ng|[Bb]à|(?:Phó\s+)?(?:Chủ tịch|Bí thư))(?!\w)"
)
# "Chủ tịch UBND tỉnh", "Bí thư Tỉnh ủy": the body a leader stands for.
_LEADER_BODY = re.compile(
    r"(?:Chủ tịch|Bí thư)(?:\s+Thường trực)?\s+"
    r"((?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|HĐND|Hội đồng nhân dân)\s+(?:tỉnh|thành phố|"
    r"huyện|thị xã|xã)|Tỉnh ủy|Tỉnh uỷ|Thành ủy|Huyện ủy)"
)
_DIRECTIVE = re.compile(r"(?<!\w)(giao|yêu\s+cầu|chỉ\s+đạo|đề\s+nghị)(?!\w)", re.IGNORECASE)
# Words before a directive verb that make it a noun or a report of another's
# request: "ý kiến chỉ đạo", "công tác chỉ đạo", "theo đề nghị của", "được giao",
# "bàn giao", "đáp ứng yêu cầu", and "kiến nghị Bộ ... xem xét chỉ đạo" (asked
# of a higher authority, not given).
# How a report names the one speaking before their directive.
_SPEAKER_WORDS = frozenset({"", "dong chi", "ong", "ba"})
# Adverbs between the speaker and the verb: "Đồng chí cũng yêu cầu".
_ALSO = re.compile(r"(?<!\w)(?:cung|con|dong thoi|tiep tuc)(?!\w)")
_NOT_DIRECTIVE_BEFORE = re.compile(
    r"(?<!\w)(?:theo|ứng|những|của|được|kiến|sự|tác|bàn|các|Sở|đã|vừa|xét)\s+$", re.IGNORECASE
)
# Where the name of a body ends: a task verb (lower case: "Thanh tra tỉnh"
# is a body, "thanh tra" a task), a deadline, a colon or a bracket.
_TASK_VERBS = (
    "chủ trì", "phối hợp", "tăng cường", "thực hiện", "triển khai", "tập trung", "khẩn trương",
    "quyết liệt", "chủ động", "tích cực", "tiếp tục", "rà soát", "kiểm tra", "xem xét",
    "nghiên cứu", "tham mưu", "xây dựng", "tạo điều kiện", "đẩy mạnh", "báo cáo", "giải trình",
    "chuẩn bị", "cần", "có", "quan tâm", "huy động", "bố trí", "xử lý", "hoàn thành",
    "hoàn thiện", "tuyên truyền", "nghiêm túc", "theo", "gửi", "làm rõ", "chỉ đạo", "tổ chức",
    "sửa chữa", "khắc phục", "thường xuyên", "sớm", "để", "nhằm", "sau khi", "ngay", "phải",
    "sẽ", "lập", "củng cố", "nâng cao", "đánh giá", "kịp thời", "đảm bảo", "bảo đảm", "hỗ trợ",
    "giải quyết", "vận động", "thanh tra", "đối chiếu", "đầu tư", "tiến hành", "đôn đốc",
    "hướng dẫn", "giám sát", "chấn chỉnh", "chú trọng", "tham gia", "trước", "trong", "từ",
    "đến", "chậm nhất", "đã", "vừa", "đang", "được", "là", "trình", "ban hành", "đề xuất",
    "kiến nghị", "yêu cầu", "giao", "đề nghị", "lưu ý", "quán triệt", "bám sát", "duy trì",
    "thống nhất", "đánh giá cao", "nhận được", "tham dự", "thông qua", "ký", "cho",
    "thúc đẩy", "tính toán", "tìm", "đưa", "mở", "ra quân", "nắm", "phát huy", "rút kinh nghiệm",
    "nên", "trả lời", "giải đáp", "không", "phát biểu", "đặt câu hỏi",
    # "Đề nghị Ủy ban nhân dân tỉnh thành lập Đoàn thanh tra": "thành" is no
    # part of the body's name.
    "thành lập", "công bố", "thu hồi", "kiện toàn", "điều chỉnh", "bổ sung", "phê duyệt",
    "lựa chọn", "chi trả", "bàn giao",
)
_TASK_VERB = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(v) for v in sorted(_TASK_VERBS, key=len, reverse=True))
    + r")(?!\w)"
)
_BODY_SPAN = 120
_NOUN_BEFORE = re.compile(r"(?<!\w)(?:các|những|cơ quan)\s+$")
_TIME_FIRST = re.compile(r"(?:sau|trước|trong|chậm nhất|từ|đến|hằng năm|hàng năm|định kỳ|"
                         r"ngay sau|thời gian tới)(?!\w)", re.IGNORECASE)
_TIME_SPAN = 100
_HANDING_ON = re.compile(r"(?:quan\s+tâm\s+)?chỉ\s+đạo(?!\w)")
_PAST_VERB = re.compile(r"^\s*(?:đã|vừa|đang|được|là|nhận được|tham dự|thống nhất|đánh giá cao)"
                        r"(?!\w)")
_WILL = re.compile(r"^\s*(?:sẽ|cần|phải)(?!\w)")
_MARK = re.compile(
    r"^(?:(?P<article>Điều\s+\d+\.)|(?P<number>\d{1,2}[.)])|(?P<letter>[a-zđ][.)])"
    r"|(?P<dash>[-\u2013\u2022*])|(?P<plus>\+))\s*"
)
_RANKS = {"article": 0, "number": 1, "letter": 2, "dash": 3, "plus": 4}
_UNMARKED = 5
# A result or a purpose, not a task: "Qua đó, góp phần đảm bảo an toàn ...".
_RESULT = re.compile(r"^(?:Qua đó|Từ đó|Nhờ đó|Nhờ vậy),?\s+(?:góp phần|giúp|tạo|nhằm)(?!\w)")
_OPENERS = re.compile(
    # "Về phía HĐND huyện sẽ xem xét ...": as for that body, it will.
    r"^(?:Đồng thời|Ngoài ra|Bên cạnh đó|Trước mắt|Theo đó|Mặt khác|Trong đó|Sau đó|Qua đó|"
    r"Về phía)"
    r"\s*,?\s*",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^(?:Về|Đối với|Lĩnh vực)\s", re.IGNORECASE)
_DUTY = re.compile(r"^Nhiệm vụ(?!\w)[^.;:]{0,80}?(?<!\w)là\s")
_CITES = re.compile(r"(?<!\w)(?:Căn cứ|[Vv]ừa có (?:công văn|văn bản)|[Vv]ừa ban hành|"
                    r"đã có (?:công văn|văn bản))(?!\w)")
# "triển khai thực hiện" and nothing else: the closing formula of a letter.
_ONLY_CARRY_OUT = re.compile(
    r"^(?:\s|,|và|triển khai|thực hiện|tổ chức|khẩn trương|nghiêm túc|[./])*$"
)
# A leader's words reported after a speech verb and a comma or colon.
_SAID = re.compile(
    r"(?:[Đđ]ồng chí|[Ôô]ng|[Bb]à)(?:\s+[^\W\d_]+){0,12}?\s+(?:khẳng định|nêu rõ|cho biết|"
    r"nhấn mạnh|lưu ý|thông tin|phát biểu|chỉ rõ)\s*[,:]\s*"
)
# Done at the meeting itself: "các sở, ngành sẽ trả lời ... ngay tại hội nghị".
_AT_THE_MEETING = re.compile(r"(?<!\w)(?:ngay\s+)?tại\s+(?:hội nghị|buổi (?:đối thoại|làm việc|"
                             r"gặp mặt|tiếp xúc)|phiên (?:họp|chất vấn))(?:\s+(?:này|hôm nay))?"
                             r"\s*[.;]?$")
_CONTINGENCY = re.compile(r"(?:Trong trường hợp|trong trường hợp|Nếu|nếu|Trường hợp)(?!\w)")
_WILL_ANYWHERE = re.compile(r"(?<!\w)sẽ(?!\w)", re.IGNORECASE)
# The meeting's own business, announced: "tại kỳ họp này sẽ tiến hành chất
# vấn trực tiếp 4 nhóm vấn đề ...".
_THIS_MEETING = re.compile(
    r"(?<!\w)(?:tại|trong)\s+(?:kỳ họp|phiên(?:\s+(?:họp|chất vấn))?|hội nghị|"
    r"buổi\s+\w+(?:\s+\w+)?)\s+(?:này|hôm nay)\s+(?:sẽ|tiếp tục|tiến hành)(?!\w)", re.IGNORECASE)
# Those who ask or answer at the meeting, told how to ("Người trả lời chất
# vấn cần đi thẳng vào nội dung câu hỏi ...", "Các đại biểu đặt câu hỏi tập
# trung vào ..."): how the meeting is conducted, no task.
_AT_THE_MEETING_SPEAKERS = re.compile(
    r"^(?:[Nn]gười|[Nn]hững người|[Cc]ác (?:vị\s+)?đại biểu|[Đđ]ại biểu)\s+(?:được\s+)?"
    r"(?:trả lời|chất vấn|đặt câu hỏi|hỏi|phát biểu)(?!\w)")
# How the meeting itself is to be conducted, asked of those answering or
# asking there ("yêu cầu các sở, ban ngành đưa ra những câu trả lời đúng đắn",
# "không từ chối bất cứ câu hỏi nào", "đề nghị các doanh nghiệp phát biểu
# thẳng thắn", "đề nghị các sở ngành giải đáp cụ thể"): done at the meeting,
# no task. A written reply or a time limit makes it one ("phải có văn bản trả
# lời ... sau 15 ngày làm việc").
_PROCEDURE = re.compile(
    r"(?:(?:phải|cần)\s+)?(?:không từ chối|đưa ra (?:những |các )?câu trả lời|trả lời(?! bằng)|"
    r"giải đáp|phát biểu|nêu (?:ý kiến|câu hỏi|rõ)|đặt câu hỏi|trao đổi|thẳng thắn)(?!\w)"
)
_WRITTEN = re.compile(r"(?<!\w)(?:văn bản|bằng văn bản|công văn|báo cáo)(?!\w)", re.IGNORECASE)
_PAST_ANYWHERE = re.compile(r"(?<!\w)đã(?!\w)", re.IGNORECASE)
# Lower-case words a body's name is made of ("UBND các huyện, thị xã, thành
# phố", "Sở Giao thông vận tải"); a subject with others is a clause
# ("Lãnh đạo LĐLĐ tỉnh trao tiền hỗ trợ ...").
_NAME_WORDS = frozenset((
    "và", "tỉnh", "huyện", "xã", "phường", "thị", "trấn", "thành", "phố", "các", "những",
    "ngành", "cấp", "địa", "phương", "đơn", "vị", "cơ", "quan", "liên", "chức", "năng", "sở",
    "ban", "phòng", "lực", "lượng", "nông", "thôn", "vận", "tải", "nhân", "dân", "hội",
    "doanh", "nghiệp", "đoàn", "thể", "tổ", "trường", "lãnh", "đạo", "thủ", "trưởng", "giám",
    "đốc", "chủ", "đầu", "tư", "nhà", "nước", "quản", "lý", "xây", "dựng", "nguyên", "môi",
    "công", "an", "quân", "sự", "biên", "phòng", "y", "tế", "giáo", "dục", "tài", "chính",
    # the rest of the departments' full names ("Sở Nông nghiệp và Phát triển
    # nông thôn", "Sở Văn hóa, Thể thao và Du lịch", "Sở Lao động - Thương binh
    # và Xã hội", "Sở Khoa học và Công nghệ", "Sở Kế hoạch và Đầu tư")
    "triển", "văn", "hóa", "hoá", "thao", "du", "lịch", "lao", "động", "thương", "binh", "khoa",
    "học", "nghệ", "thông", "tin", "truyền", "kế", "hoạch", "ngoại", "vụ", "nội", "pháp", "giao",
    "trường", "đào", "tạo", "công", "thương",
))
_ONLY_COMPLETION = re.compile(r"^(?:\s|hoàn thành|hoàn tất|xong|[.,])*$")
# Addressees outside the administration: businesses, unions, people.
_OUTSIDE = re.compile(r"(?<!\w)(?:doanh nghiệp|công đoàn|người lao động|nhân dân|người dân|"
                      r"cơ sở sản xuất|hộ gia đình)(?!\w)", re.IGNORECASE)
_LIST_AFTER = re.compile(r"(?<!\w)(?:sau|như sau)\s*:\s*")
_DIRECTED_LIST = re.compile(r"(?<!\w)(?:chỉ đạo|như sau|sau)\s*:$")
# A sentence about sending the task above: "Yêu cầu hoàn thiện gửi ý kiến ...",
# "Báo cáo yêu cầu gửi về Văn phòng UBND tỉnh trước ...".
_DELIVERY = re.compile(
    r"(?:(?:Yêu cầu|Đề nghị)\s+)?(?:hoàn thiện|hoàn thành|gửi|nộp)(?!\w)"
    r"|(?:Báo cáo|Văn bản|Kết quả)\s+(?:yêu cầu\s+)?(?:gửi|nộp)(?!\w)",
    re.IGNORECASE,
)
# Beliefs and hopes, and a forecast opening a sentence ("Dự báo khó khăn sẽ
# còn kéo dài"), commit nobody.
_BELIEF = re.compile(r"(?<!\w)(?:tin tuong|tin rang|hy vong|hi vong|mong muon|ky vong)(?!\w)"
                     r"|^du bao(?!\w)")
# A report that quotes a directive and names it afterwards: "“Sở ... tập
# trung chỉ đạo ...”. Đó là chỉ đạo của UBND tỉnh đối với Sở NN&PTNT ...".
_NAMED_AFTER = re.compile(r"(?<!\w)(?:Đó|Đây) là (?:(?:nội dung|ý kiến)\s+)?"
                          r"(?:chỉ đạo|yêu cầu|kết luận)\s+của(?!\w)")
# A standing duty to help others' work, not a task of its own: "Các cơ quan,
# đơn vị, địa phương liên quan có trách nhiệm phối hợp chặt chẽ với Thường
# trực HĐND tỉnh trong hoạt động giám sát. Báo cáo và cung cấp ... theo yêu cầu".
_STANDING_DUTY = re.compile(r"\s*(?:liên quan\s+)?có trách nhiệm phối hợp(?!\w)")
_QUOTE_MARKS = "“\"\u2018«"
_END_STOP = re.compile(r"[.!?:;…]\s*$")


@dataclass
class Task:
    start: int  # offsets in the NFC source
    end: int
    owner: str
    cue: str  # the directive verb, as written, or ""
    kind: str
    due_on: date | None = None
    due_text: str | None = None
    line: int = 0


@dataclass(frozen=True)
class _Block:
    start: int
    end: int
    line: int
    rank: int  # of its list marker, _UNMARKED when it has none
    body: int  # where the text after the marker starts (offset in the source)


@dataclass
class _Scope:
    rank: int  # of the lead-in's marker
    owner: str | None
    marked: bool | None = None  # whether its items are marked (known at the first)

    def ended_by(self, block: _Block) -> bool:
        """A sibling or parent marker ends a list; an unmarked lead-in's list of
        marked items ends at the next unmarked block."""
        if self.rank != _UNMARKED:
            return block.rank <= self.rank
        if self.marked is None:
            self.marked = block.rank != _UNMARKED
            return False
        return self.marked and block.rank == _UNMARKED


@dataclass
class _State:
    scopes: list[_Scope] = field(default_factory=list)
    directed: bool = False  # a directive has been given above


def _wrapped(paragraphs: Sequence[Paragraph]) -> bool:
    """Most lines end with no stop and the next line follows at once: a PDF's
    line breaks, not paragraphs."""
    breaks = sum(1 for a, b in pairwise(paragraphs)
                 if b.line == a.line + 1 and not _END_STOP.search(a.text))
    return breaks >= 5 and breaks >= 0.3 * len(paragraphs)


def _marker(text: str) -> tuple[int, int]:
    match = _MARK.match(text)
    if match is None or match.lastgroup is None:
        return _UNMARKED, 0
    return _RANKS[match.lastgroup], match.end()


def _blocks(source: str, paragraphs: Sequence[Paragraph]) -> list[_Block]:
    joined: list[tuple[int, int, int]] = []  # (start, end, line)
    wrapped = _wrapped(paragraphs)
    previous: Paragraph | None = None
    for paragraph in paragraphs:
        end = paragraph.start + len(paragraph.text)
        if (wrapped and joined and previous is not None and paragraph.line == previous.line + 1
                and not _END_STOP.search(previous.text) and not _MARK.match(paragraph.text)):
            joined[-1] = (joined[-1][0], end, joined[-1][2])
        else:
            joined.append((paragraph.start, end, paragraph.line))
        previous = paragraph
    found: list[_Block] = []
    for start, end, line in joined:
        rank, offset = _marker(source[start:end])
        found.append(_Block(start, end, line, rank, start + offset))
    return found


def _pieces(text: str) -> list[tuple[int, int, bool]]:
    """Sentences, cut at every `;`: (start, end, opens a sentence), offsets
    in `text`."""
    found: list[tuple[int, int, bool]] = []
    for sentence in promises.sentences(text):
        cursor, first = sentence.start, True
        for match in re.finditer(";", text[sentence.start:sentence.end]):
            found.append((cursor, sentence.start + match.start(), first))
            cursor, first = sentence.start + match.end(), False
        found.append((cursor, sentence.end, first))
    trimmed: list[tuple[int, int, bool]] = []
    for start, end, first in found:
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            trimmed.append((start + lead, start + len(piece.rstrip()), first))
    return trimmed


def _body_at(text: str, pos: int) -> tuple[str, bool, int] | None:
    """The body named at `text[pos:]`: (name, proper, end), or None."""
    match = _BODY.match(text, pos)
    if match is None:
        return None
    limit = min(len(text), pos + _BODY_SPAN)
    end = limit
    for verb in _TASK_VERB.finditer(text, match.end(), limit):
        # "các tổ chức xã hội": after "các" a verb's word is a noun.
        if verb.group()[0].islower() and not _NOUN_BEFORE.search(text, pos, verb.start()):
            end = verb.start()
            break
    for stop in (":", "(", "\n\n"):
        at = text.find(stop, pos, end)
        if at >= 0:
            end = at
    name = text[pos:end].strip(" ,\n")
    while name.endswith(" và"):
        name = name[: -len(" và")].rstrip(" ,")
    if not name:
        return None
    proper = match.group("proper") is not None
    return " ".join(name.split()), proper, pos + len(text[pos:end].rstrip(" ,\n"))


def _skip(text: str, pos: int, chars: str = " \n:,") -> int:
    while pos < len(text) and text[pos] in chars:
        pos += 1
    return pos


_DUTY_GIVEN = re.compile(r"(?:nhiệm vụ|trách nhiệm)\s+(?:cho\s+)?")


def _directive(text: str) -> tuple[re.Match[str], tuple[str, bool, int]] | None:
    """The first directive verb followed by a body, with that body."""
    for match in _DIRECTIVE.finditer(text):
        if _NOT_DIRECTIVE_BEFORE.search(text, max(0, match.start() - 12), match.start()):
            continue
        at = _skip(text, match.end())
        duty = _DUTY_GIVEN.match(text, at)
        if duty is not None:
            at = duty.end()  # "Giao nhiệm vụ Ban Quản lý các Khu công nghiệp tỉnh ..."
        body = _body_at(text, at)
        if body is None and _TIME_FIRST.match(text, at):
            # "yêu cầu sau 15 ngày làm việc kể từ ... các cơ quan chuyên môn phải ..."
            later = _BODY.search(text, at, at + _TIME_SPAN)
            body = _body_at(text, later.start()) if later else None
        if body is not None:
            return match, body
    return None


def conduct_of_the_meeting(task: str, held_on: date) -> bool:
    """Whether a directed task only says how to answer or speak at the
    meeting itself (see `_PROCEDURE`): no written reply, no time limit."""
    start = _skip(task, 0, " ,")
    return bool(_PROCEDURE.match(task, start)) and not _WRITTEN.search(task) and \
        deadlines.find(task, held_on) is None


# "Đối với UBND huyện Chợ Mới, cần tập trung rà soát ...", "Đối với các đại
# biểu HĐND tỉnh, thành phố, tiếp tục ... tăng cường theo dõi, giám sát ...":
# what follows the addressee is its task, when it opens with a task verb.
_ADDRESSED = re.compile(r"(?:Đối với|đối với)\s+")
_LEVELS = r"(?:tỉnh|huyện|thành phố|thị xã|quận|xã|phường)"
_DEPUTIES = re.compile(
    r"(?:các\s+)?(?:vị\s+)?đại biểu\s+(?:HĐND|Hội đồng nhân dân)(?:\s+(?:các\s+)?" + _LEVELS
    + r"(?:\s*,\s*" + _LEVELS + r")*)?(?=\s*,)")


def addressed(text: str, head: int = 0) -> tuple[str, int] | None:
    """The body (or the deputies of a council) a sentence opening "Đối với
    X, <task>" addresses, and where its task starts."""
    opening = _ADDRESSED.match(text, head)
    if opening is None:
        return None
    at = opening.end()
    deputies = _DEPUTIES.match(text, at)
    if deputies is not None:
        name, end = deputies.group(), deputies.end()
    else:
        body = _body_at(text, at)
        if body is None or not _named(body[0]) or " " not in body[0]:
            return None
        name, end = body[0], body[2]
    comma = re.compile(r"\s*,\s*").match(text, end)
    if comma is None:
        return None
    task = _skip(text, comma.end(), " ")
    if not (_TASK_VERB.match(text, task) and not _from_past(text[task:])):
        return None
    return name, task


_AT_THE_SAME_TIME = re.compile(r"[,;]\s*đồng thời\s*,?\s*$", re.IGNORECASE)


def assigned(text: str, leader: bool = False, held_on: date | None = None
             ) -> tuple[str, str] | None:
    """In an answer, a body the one answering puts to work ("Giao UBND xã
    Chân Sơn rà soát ...", "chỉ đạo các phòng, ban ... kiểm tra"): the body as
    written and the task's kind. `giao` and `chỉ đạo`; `yêu cầu` and `đề
    nghị` only from a `leader` (a chair, a party secretary: "Đồng thời, yêu
    cầu Công an huyện tiến hành nghiên cứu ..."): an agency that asks a peer
    commits nobody. The verb may follow the responder's other acts after
    "đồng thời" ("... và giải đáp ..., đồng thời đề nghị ...")."""
    if leader:
        opening = _OPENERS.match(text)
        to = addressed(text, opening.end() if opening else 0)
        if to is not None:
            return to[0], promises.task_kind(text[to[1]:])
    found = _directive(text)
    if found is None:
        return None
    verb, (body, _proper, end) = found
    if verb.group(1).split()[0].lower() not in ("giao", "chỉ") and not leader:
        return None
    # The responder's own words: the verb opens the sentence, or follows
    # only the way the report names the speaker ("Đồng chí cũng yêu cầu").
    # "UBND tỉnh đã chỉ đạo và giao ...", "Sở ... tham mưu UBND tỉnh sẽ chỉ
    # đạo ..." are someone else's act, done or advised.
    before = text[:verb.start()]
    if _AT_THE_SAME_TIME.search(before):
        # "... đã ghi nhận ... và giải đáp, làm rõ thêm một số nội dung, đồng
        # thời đề nghị chính quyền địa phương ...": the responder's next act.
        before = ""
    before = _OPENERS.sub("", before.strip(" -+•"))
    before = _ALSO.sub("", bare(before)).strip(" ,")
    if before not in _SPEAKER_WORDS:
        return None
    if held_on is not None and conduct_of_the_meeting(text[end:], held_on):
        return None
    return body, promises.task_kind(text[end:])


def _handed_on(text: str, owner: str, end: int) -> tuple[str, int]:
    """"X chỉ đạo Y ...": Y when it is a named body, else X."""
    after = _skip(text, end, " ")
    verb = _HANDING_ON.match(text, after)
    if verb is None:
        return owner, end
    inner = _body_at(text, _skip(text, verb.end()))
    if inner is None or not inner[1]:
        return owner, end
    return _handed_on(text, inner[0], inner[2])


def _from_past(text: str) -> bool:
    return bool(_PAST_VERB.match(text))


def _leader_body(text: str) -> str | None:
    found = list(_LEADER_BODY.finditer(text))
    return found[-1].group(1) if found else None


def read(source: str, paragraphs: Sequence[Paragraph], held_on: date,
         claimed: frozenset[int] = frozenset(),
         leaders: Mapping[int, str] | None = None,
         shared: frozenset[int] = frozenset()) -> list[Task]:
    """The directed tasks in the paragraphs whose lines are not `claimed` (by
    a question or an answer, which also end any list running above them).
    Subjectless tasks in a leader's paragraphs (`leaders`: the body each
    speaks for, by the paragraph's line) are that body's."""
    leaders = leaders or {}
    found: list[Task] = []
    # A table's rows are petitions and replies, read as such elsewhere.
    # `shared`: lines claimed in part, whose other parts `paragraphs` holds.
    free = [p for p in paragraphs
            if (p.line not in claimed or p.line in shared) and not p.text.startswith("|")]
    state = _State()
    last_line = 0
    # Sorted once: whether a question or an answer stands between two blocks
    # is a search, not a pass over all of them (which took the square of a
    # long transcript's size).
    between = sorted(claimed)
    for block in _blocks(source, free):
        if bisect_right(between, last_line) < bisect_left(between, block.line):
            state = _State()
        last_line = block.line + source.count("\n", block.start, block.end)
        while state.scopes and state.scopes[-1].ended_by(block):
            state.scopes.pop()
        inherited = state.scopes[-1].owner if state.scopes else None
        chair = leaders.get(block.line)
        _read_block(source, block, held_on, state, inherited, chair, found)
    return found


def _read_block(source: str, block: _Block, held_on: date, state: _State,
                inherited: str | None, chair: str | None, found: list[Task]) -> None:
    """`chair`: the chair's body when the block is the chair's speech (its
    sentences with `sẽ` and no subject are the chair's to do)."""
    text = source[block.body:block.end]
    believed = False
    carry: str | None = None  # the owner a piece with no subject takes
    after_sentence: str | None = None  # ... and the one it takes in the next sentence
    last: Task | None = None
    pieces = _pieces(text)
    if _NAMED_AFTER.search(text):
        state.directed = True  # the quoted sentences before it are the directive
    for index, (start, end, opens) in enumerate(pieces):
        if opens:
            carry = after_sentence
            believed = bool(_BELIEF.search(bare(text[start:_sentence_end(pieces, index)])))
        piece = text[start:end]
        lead_in = index == len(pieces) - 1 and piece.endswith(":")
        opened = _OPENERS.match(piece)
        head = opened.end() if opened else 0
        head = _skip(piece, head, _QUOTE_MARKS)  # a quoted directive: "“Sở ... phối hợp ..."
        said = _SAID.match(piece, head)
        if said:
            head = said.end()  # "Đồng chí khẳng định, UBND tỉnh sẽ ...": what was said
        if believed or _CITES.search(piece) or _AT_THE_MEETING.search(piece) or \
                _RESULT.match(piece) or _NAMED_AFTER.match(piece, head) or \
                _THIS_MEETING.search(piece) or _AT_THE_MEETING_SPEAKERS.match(piece, head):
            carry = after_sentence = None
            continue
        owner: str | None = None
        cue = ""
        quote_from, task_from = 0, head
        next_sentence: str | None = None
        directive = _directive(piece)
        to = addressed(piece, head) if directive is None or \
            directive[0].start() > piece.find(",", head) else None
        if to is not None:
            owner, task_from = to
            state.directed = True
            next_sentence = owner
        elif directive is not None and not _from_past(piece[_subject_end(piece, head):]):
            verb, (addressee, proper, addressee_end) = directive
            cue = verb.group(1)
            subject = _subject(piece, head, verb.start())
            opening = verb.start() == head
            if opening and inherited is not None and not proper:
                owner = inherited  # "+ Yêu cầu đơn vị thi công ...": the list's owner acts
            elif subject is not None and " ".join(cue.lower().split()) in ("chỉ đạo", "giao") \
                    and not proper:
                owner = subject  # "UBND các huyện chỉ đạo các cơ quan ...": theirs to see done
            else:
                owner, addressee_end = _handed_on(piece, addressee, addressee_end)
            if not proper and _OUTSIDE.search(addressee):
                # "đề nghị các cấp công đoàn, các doanh nghiệp ...": no public body
                # answers for them; the leader asking follows it up.
                owner = _leader_body(piece[:verb.start()]) or chair or owner
            task_from = addressee_end
            state.directed = True
            if ":" in piece[verb.end():_skip(piece, verb.end())]:
                # "ông X chỉ đạo: Văn phòng UBND tỉnh ...": the task is what follows.
                quote_from = _skip(piece, verb.end())
            colon = _skip(piece, task_from, " ")
            inline = colon < len(piece) and piece[colon] == ":"
            if inline and lead_in and not piece[colon + 1:].strip():
                state.scopes.append(_Scope(block.rank, owner))
                return
            if inline:
                task_from = colon + 1  # "Chỉ đạo Sở X: <its tasks>"
            else:
                listed = _LIST_AFTER.search(piece, task_from)
                if listed and listed.end() < len(piece):
                    # "... thực hiện tốt một số nội dung sau: <the first of them>"
                    quote_from = task_from = listed.end()
            if _ONLY_CARRY_OUT.match(piece[task_from:]):
                carry = after_sentence = owner
                continue
            if conduct_of_the_meeting(piece[task_from:], held_on):
                carry = after_sentence = None
                continue
            if quote_from == 0 and _PAST_ANYWHERE.search(piece, 0, verb.start()):
                # "lãnh đạo huyện đã tiếp thu, giao các phòng chức năng rà
                # soát ...": what is done comes first; the task starts at its verb.
                quote_from = verb.start()
            if lead_in:
                state.scopes.append(_Scope(block.rank, owner))
                return
            # "Chỉ đạo Sở X <task>. <task>": the next sentence is the list's again.
            next_sentence = inherited if (opening and inherited is not None and not inline) \
                else owner
        elif lead_in:
            # A heading or a speaker's "chỉ đạo:" leads in a list of its own.
            if _HEADING.match(piece) or _DIRECTED_LIST.search(piece):
                state.scopes.append(_Scope(block.rank, inherited))
                state.directed = state.directed or not _HEADING.match(piece)
            return
        elif _LEADER.match(piece, head):
            carry = after_sentence = None  # a new speaker
            continue
        else:
            subject = _subject(piece, head, len(piece))
            after = _subject_end(piece, head)
            if subject is not None and _STANDING_DUTY.match(piece, after):
                carry = after_sentence = None  # and what it goes on to list
                continue
            if subject is not None and _named(subject):
                rest = piece[after:]
                if not _from_past(rest) and (state.directed or _WILL.match(rest)) and \
                        _TASK_VERB.match(piece, _skip(piece, after, " ")):
                    owner, task_from = subject, after
            elif (promised := _promised_after_clause(piece)) is not None:
                owner, task_from = promised  # "Dự kiến, tại kỳ họp thứ 8, ..., UBND tỉnh sẽ trình"
            elif _DUTY.match(piece, head):
                owner = _leader_body(text[:start]) or inherited
            elif last is not None and _belongs_to_last(piece, head, opens, held_on):
                # "...; hoàn thành trước ngày 21/11/2022.", "Gửi kèm file vào hòm
                # thư: ...", "; Trung tâm ..." (the list of examples goes on)
                due = deadlines.find(piece, held_on)
                if due is not None and last.due_text is None:
                    last.due_on, last.due_text = due.due_on, due.text
                if not opens:
                    last.end = block.body + end
                continue
            elif not _from_past(piece[head:]) and not _HEADING.match(piece[head:]):
                owner = carry or (inherited if state.directed else None)
                if last is not None and owner == last.owner and _CONTINGENCY.match(piece, head):
                    # "Trong trường hợp không đủ cơ sở pháp lý ..., phải ban hành
                    # ngay quyết định ...": what the task above does if it fails.
                    last.end = block.body + end
                    continue
                if owner is None and chair is not None and _WILL_ANYWHERE.search(piece) and \
                        not _PAST_ANYWHERE.search(piece):
                    owner = chair
                due = deadlines.find(piece, held_on)
                if owner is not None and last is not None and last.due_text is None and \
                        due is not None and opens and _DELIVERY.match(piece, head):
                    # "Yêu cầu hoàn thiện gửi ý kiến ... trước ngày 28/9/2018."
                    last.due_on, last.due_text = due.due_on, due.text
                    continue
            next_sentence = owner
        if owner is None:
            carry = after_sentence = None
            continue
        due = deadlines.find(piece, held_on)
        # The first piece keeps its list marker ("+ Thực hiện ...").
        begin = block.start if index == 0 and not quote_from else block.body + start + quote_from
        task = Task(
            start=begin, end=block.body + end, owner=owner, cue=cue,
            kind=promises.task_kind(piece[task_from:]),
            due_on=due.due_on if due else None, due_text=due.text if due else None,
            line=block.line + source.count("\n", block.start, begin),
        )
        found.append(task)
        last = task
        carry, after_sentence = owner, next_sentence


def _belongs_to_last(piece: str, head: int, opens: bool, held_on: date) -> bool:
    """A piece with no task of its own: only the deadline of the task above,
    how to send it, or (after `;`) more of a list of names."""
    if opens and _DELIVERY.match(piece, head) and not deadlines.find(piece, held_on):
        return True
    if opens:
        return False
    due = deadlines.find(piece, held_on)
    if due is not None and _ONLY_COMPLETION.match(piece.replace(due.text, "")):
        return True
    return piece[head:head + 1].isupper()


def _promised_after_clause(piece: str) -> tuple[str, int] | None:
    """"<opening clauses>, <body> sẽ ...": the body, and where its task starts."""
    will = _WILL_ANYWHERE.search(piece)
    if will is None or _PAST_ANYWHERE.search(piece, 0, will.start()):
        return None
    # The first clause that is all a body's name: the name of kinds of body
    # may hold a comma ("các địa phương và sở, ngành liên quan sẽ ..."), a
    # proper name does not ("..., Bộ Công an, huyện Mỹ Đức sẽ ...").
    for clause in re.finditer(", ", piece[:will.start()]):
        body = _body_at(piece, clause.end())
        if body is None or body[2] != will.start() - 1 or not _named(body[0]) \
                or " " not in body[0] or (body[1] and "," in body[0]):
            continue
        return body[0], will.start()
    return None


def _sentence_end(pieces: list[tuple[int, int, bool]], index: int) -> int:
    end = pieces[index][1]
    for _start, stop, opens in pieces[index + 1:]:
        if opens:
            break
        end = stop
    return end


def _named(subject: str) -> bool:
    """Whether the subject reads as the name of a body, not a clause."""
    words = re.findall(r"[^\W\d_]+", subject)
    return len(words) <= 14 and all(
        w[0].isupper() or w in _NAME_WORDS for w in words
    )


def _subject(piece: str, head: int, before: int) -> str | None:
    """The body that opens the piece (after an opener), unless a leader."""
    if _LEADER.match(piece, head):
        return None
    body = _body_at(piece, head)
    if body is None or body[2] > before or " " not in body[0]:
        return None  # a lone "ngành" is the speaker's own sector, not a body named
    return body[0]


def _subject_end(piece: str, head: int) -> int:
    body = None if _LEADER.match(piece, head) else _body_at(piece, head)
    return body[2] if body is not None else head
