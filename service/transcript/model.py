"""What the transcript parser finds: plain values, in the order things
happened at the meeting (not the order of the text: live blogs put the newest
entry first)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum


class LinkedBy(StrEnum):
    """How an answer was tied to a question, shown to the person confirming."""

    NAME = "name"  # the answer names the asker ("trả lời ông Nguyễn Mạnh Hạnh")
    NEAREST = "nearest"  # names nobody: the unanswered questions just before it
    TOPIC = "topic"  # names nobody: earlier unanswered questions on its agency's subject


@dataclass(frozen=True)
class Speaker:
    name: str  # without honorific: "Đỗ Thanh Vân"
    honorific: str = ""  # "Ông", "Bà", "Đồng chí", or ""
    title: str = ""  # "Chủ tịch LĐLĐ huyện Ngân Sơn"
    organisation: str = ""  # "LĐLĐ huyện Ngân Sơn"
    agency: str = ""  # the agency the speaker answers for, as written: "Sở Y tế"
    # "person"; "group" for the voters of a place ("Cử tri xã Phú Giáo": the
    # name is the group's words); "body" for an agency speaking as itself
    # ("Sở Giao thông vận tải xin phúc đáp", "lãnh đạo Bộ Công Thương").
    kind: str = "person"
    # The body a person speaks for ("Thay mặt Tổ đại biểu HĐND tỉnh, đồng
    # chí X ...", "ông X cùng các thành viên Tổ đại biểu số 7 ..."): their
    # agency, and, when it directs others, they direct as it does.
    behalf: str = ""


@dataclass(frozen=True)
class ParsedQuestion:
    key: str  # "q1", "q2", ... in meeting order
    asker: Speaker
    text: str  # the question itself, without the "Ông X ... đặt câu hỏi:" lead
    at: time | None = None  # the entry's time stamp, if it had one
    topics: tuple[str, ...] = ()
    line: int = 0  # 1-based line of the text where it starts


@dataclass(frozen=True)
class ParsedAnswer:
    key: str  # "a1", "a2", ... in meeting order
    responder: Speaker  # responder.agency is the answering agency
    text: str
    question_keys: tuple[str, ...] = ()
    linked_by: LinkedBy | None = None  # None when it is linked to no question
    at: time | None = None
    line: int = 0


@dataclass(frozen=True)
class Candidate:
    """A sentence that commits someone to act: a proposed commitment."""

    quote: str  # the exact sentence, as it occurs in the source text
    owner: str  # the agency that would own it, as written: "Sở Y tế", "UBND tỉnh"
    kind: str  # review, study, propose, advise, implement, report, other
    answer_key: str | None = None  # the answer it comes from; None for a directive
    due_on: date | None = None  # a stated deadline, resolved against the dialogue date
    due_text: str | None = None  # the words that stated it: "trong năm 2024"
    cues: tuple[str, ...] = ()  # the cue phrases found: ("sẽ", "xem xét", ...)
    line: int = 0


@dataclass(frozen=True)
class Evidence:
    """A statement of something already done (a document issued): a note for
    the record, never a promise."""

    quote: str
    owner: str
    answer_key: str | None = None
    documents: tuple[str, ...] = ()  # "Công văn số 473/SNV-CCVC ngày 09/4/2024"
    line: int = 0


@dataclass
class Transcript:
    questions: list[ParsedQuestion] = field(default_factory=list)
    answers: list[ParsedAnswer] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    chair: Speaker | None = None  # who chaired, when the text says

    def unanswered(self) -> list[ParsedQuestion]:
        linked = {key for answer in self.answers for key in answer.question_keys}
        return [q for q in self.questions if q.key not in linked]
