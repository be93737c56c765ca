"""`parse`: a dialogue's live blog or article into questions, answers,
promise candidates and evidence.

Order: see `entries` (newest-first blogs are detected from decreasing time
stamps; un-stamped speaker paragraphs below an answer are earlier updates).

Linking an answer to questions:
1. NAME: it names askers ("trả lời ông X", "trả lời câu hỏi của bà Y",
   "Trả lời ý kiến của bà Y, ông Z, Giám đốc ... cho biết"): the latest
   question by each, preferring one not yet answered.
2. TOPIC: it names nobody: every earlier unanswered question on a subject of
   the answering agency (`topics.SUBJECTS`).
3. NEAREST: no topic matches: the unanswered questions asked since the
   previous answer, or else the latest unanswered one.

An answer whose lead states a question nobody reported ("Trả lời câu hỏi
của nông dân về ...") records that question first, asked by whom it names.
A sentence inside a paragraph that names another speaker is theirs (see
`_later_speakers`); a group answered ("trả lời kiến nghị của cử tri") is
every group of that kind still waiting for an answer. A group's next
petition in its paragraph ("Đề nghị khắc phục ...", "Cử tri đề nghị ...")
is a question of its own, asked by that group (see `_follow_on`).

Promises in answers: see `promises`; directed tasks (a chair's conclusion,
a resolution, a letter), read over every paragraph that is no question or
answer: see `tasks`; deadlines: see `deadlines`. An answer the report only
says was given ("đã được các cơ quan liên quan trả lời", "các phòng chức
năng của huyện đã trả lời ...") is followed by the reporter's narration,
read for tasks like any paragraph that is no answer (see `_narrated`).

What a site prints after its article (sharing buttons, its notice on
readers' comments) is cut off first (see `entries.article`).
A headline (see `_headline`) and a lede the voters ask again below (see
`_drop_lede`) only sum up the article: no question of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, time
from itertools import pairwise

from domain.text import fold
from service.transcript import (
    deadlines,
    entries,
    groups,
    petitions,
    promises,
    speakers,
    tasks,
    topics,
)
from service.transcript.entries import Paragraph
from service.transcript.model import (
    Candidate,
    Evidence,
    LinkedBy,
    ParsedAnswer,
    ParsedQuestion,
    Speaker,
    Transcript,
)
from service.transcript.words import same

# How far a sentence's lead (its speaker, verb and any question quoted in
# it) and the text before it that it refers to are read: the rest of a long
# run-on paragraph is not, or reading it would take the square of its size.
_LEAD_SPAN = 2000

_CHAIR_VERBS = (
    "yêu cầu", "giao", "chỉ đạo", "đề nghị", "phát biểu", "kết luận", "nhấn mạnh",
    "khẳng định", "cho biết", "ghi nhận", "tiếp thu", "đánh giá", "lưu ý", "quán triệt",
)
# The chair named by office: "Kết luận hội nghị, đồng chí Chủ tịch UBND tỉnh yêu cầu".
_CHAIR_BY_TITLE = re.compile(
    r"^(?:[^.:;]{0,90},\s*)?(?:[Đđ]ồng chí\s+)?(?<!Phó )Chủ tịch "
    r"(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân) tỉnh(?:\s+[^\W\d_]+){0,4}?\s+(?:"
    + "|".join(_CHAIR_VERBS)
    + r")(?!\w)"
)
# Lines that report the programme or a photo, not speech: they end the item
# above instead of continuing it.
_EVENT = re.compile(
    r"^(?:Hội nghị (?:giải lao|tiếp tục|kết thúc|bế mạc|bắt đầu)|Kết thúc|Bế mạc|Quang cảnh|"
    r"Toàn cảnh|Đại biểu (?:dự|tham dự|xem|theo dõi)|Trao (?:quà|tặng|tiền)|Giải lao)"
)
# An answer with no subject, after an opening clause at most: its answerer
# is the one a photo caption above named.
_SUBJECTLESS_ANSWER = re.compile(
    r"^(?:[^.:;,]{0,80},\s*)?(?:trả lời|giải trình|giải đáp|phúc đáp)(?!\w)\s*:?\s*")
# A headline: a short first line with no mark that ends a sentence...
_HEADLINE = re.compile(r"[^\n]{1,200}(?<![.?!:;…\"”)])")
# ... set apart by a blank line, or naming where it happened before a colon.
_DATELINE = re.compile(r"^[^\W\d_][^:.]{0,30}:\s")


def _headline(paragraphs: list[Paragraph], text: str) -> bool:
    """Whether the first paragraph, `text`, is the article's headline; a
    transcript pasted line by line may open with a question left unstopped."""
    if len(paragraphs) < 2 or not _HEADLINE.fullmatch(text):
        return False
    return paragraphs[1].line > paragraphs[0].line + 1 or bool(_DATELINE.match(text))
_AGENCY_HEAD = re.compile(
    r"(?<!\w)(?:Sở|UBND|Ủy ban|Uỷ ban|BHXH|Bảo hiểm|Ban|Công an|Văn phòng|Thanh tra|Cục)\s"
)


@dataclass
class _Item:
    kind: str  # "question", "answer", "chair", "speech", "event"
    lead: speakers.Lead | None
    at: time | None
    # (paragraph, body start, body end): a paragraph whose later sentence
    # opens with another speaker is shared between two items.
    parts: list[tuple[Paragraph, int, int]] = field(default_factory=list)
    # A directive given in the question's own paragraph ("Theo đó, đại diện
    # tổ đại biểu HĐND huyện yêu cầu ..."): it answers the question too.
    answers: bool = False

    @property
    def who(self) -> Speaker | None:
        return self.lead.speaker if self.lead else None

    def body(self) -> str:
        return "\n".join(p.text[start:end] for p, start, end in self.parts).strip()


def _narrated(item: _Item) -> bool:
    """An answer the report only says was given ("đã được các cơ quan liên
    quan trả lời", "các phòng chức năng của huyện đã trả lời"): what follows
    it is the reporter's narration, read as such for tasks (a body named
    there owns what it will do), not as the responder's words."""
    return item.kind == "answer" and item.lead is not None and (
        item.lead.passive or groups.named_by_kind(item.lead.speaker))


def _same_speaker(a: _Item, b: _Item) -> bool:
    return a.who is not None and b.who is not None and same(a.who.name, b.who.name)


def _items(paragraphs: list[Paragraph], chair: Speaker | None, nfc: str
           ) -> tuple[list[list[_Item]], bool]:
    grouped: list[list[_Item]] = [[]]
    stamps: list[time] = []
    known: list[Speaker] = [chair] if chair else []
    previous = ""
    audiences = groups.audience_of(nfc)
    captioned: speakers.Lead | None = None  # the answerer a photo caption names
    for paragraph in paragraphs:
        audience = groups.audience_before(audiences, paragraph.start)
        # A photo caption printed twice, the second time cut short.
        repeated = len(paragraph.text) >= 20 and previous.startswith(paragraph.text)
        previous = paragraph.text
        if repeated:
            continue
        at, offset = entries.stamp(paragraph.text)
        if at is not None:
            grouped.append([])
            stamps.append(at)
        items = grouped[-1]
        text = paragraph.text[offset:]
        lead = speakers.lead(text, known, audience=audience)
        if paragraph is paragraphs[0] and _headline(paragraphs, text) \
                and not (lead is not None and not text[lead.body:].strip()):
            # "Lào Cai: Cử tri kiến nghị chủ yếu liên quan đến ...": the
            # article's headline sums it up; what it names is reported below.
            # A speaker's line with nothing after the verb ("Ông X hỏi")
            # opens what they say.
            items.append(_Item("event", None, at, [(paragraph, offset, offset)]))
            continue
        stamped = at
        if lead is not None:
            _meet(known, lead.speaker)
        if lead is not None and lead.caption:
            if not items:
                items.append(_Item("event", None, stamped))
            captioned = lead if lead.kind == "answer" else None
            continue
        end = len(paragraph.text)
        unsaid = _SUBJECTLESS_ANSWER.match(text) if lead is None and captioned else None
        if captioned is not None and unsaid is not None:
            # "Giám đốc Sở X Nguyễn Văn Việt trả lời chất vấn" under a photo,
            # then "Đăng đàn chất vấn đầu tiên, trả lời về ...": theirs.
            items.append(_Item("answer", captioned, stamped,
                               [(paragraph, offset + unsaid.end(), end)]))
            captioned = None
            _later_speakers(items, paragraph, offset, known, stamped, audience, chair)
            continue
        if lead is not None or _EVENT.match(text) is None:
            captioned = None
        if lead is not None and items and _continues(items[-1], lead):
            items[-1].parts.append((paragraph, offset, end))
        elif lead is not None:
            kind = lead.kind
            body = offset + lead.body
            # The chair answering someone (see `_answers`) answers; else
            # the chair directs.
            if (speakers.is_chair(lead.speaker, chair) and not _answers(lead, text)) or \
                    kind == "directive":
                # The chair's lead verb belongs to what follows ("tin tưởng:
                # ... sẽ ..." is a belief), so the whole paragraph is read;
                # unless the chair answers someone named ("Trả lời câu hỏi
                # của nông dân X, ông Y cho biết").
                kind, body = "chair", offset
            items.append(_Item(kind, lead, stamped, [(paragraph, body, end)]))
        elif _CHAIR_BY_TITLE.match(text) and chair is not None:
            items.append(_Item("chair", speakers.Lead("speech", chair, "", 0, False), stamped,
                               [(paragraph, offset, end)]))
        elif at is not None or not items or _EVENT.match(text):
            items.append(_Item("event", None, stamped, [(paragraph, offset, end)]))
        else:
            items[-1].parts.append((paragraph, 0, end))
        _later_speakers(items, paragraph, offset, known, stamped, audience, chair)
    return grouped, entries.newest_first(stamps)


# How many of the latest speakers a given name ("ông Thiệu") or a title
# alone may refer to: a later mention is of someone met recently, and a
# bounded list keeps reading a long transcript in step with its length.
_RECENT = 40


def _meet(known: list[Speaker], who: Speaker) -> None:
    if who in known:
        known.remove(who)
    known.append(who)
    del known[:-_RECENT]


# A clause after a colon that opens with a bare name asking ("... tiếp thu ý
# kiến của công dân: Vi Văn Niệm, thôn Đồng Giàn, xã Chân Sơn đề nghị ...").
_COLON = re.compile(r":\s+(?=\S)")


def _answers(lead: speakers.Lead, text: str) -> bool:
    """Whether a lead answers someone: named, or a group answered directly
    ("đã ghi nhận, trả lời công dân"); taking up the opinions "của đoàn
    viên" at the close does not."""
    return bool(lead.matter) or any(a.kind == "person" for a in lead.asked) or bool(
        lead.asked and groups.ANSWERED_GROUP.search(text, 0, lead.body))


def _later_speakers(items: list[_Item], paragraph: Paragraph, offset: int,
                    known: list[Speaker], at: time | None,
                    audience: Speaker | None = None, chair: Speaker | None = None) -> None:
    """A sentence inside a paragraph that names another speaker belongs to
    them, not to the paragraph's: it ends the item there and opens theirs.
    A question opens one after anything but a question; someone else
    speaking opens one when they are a person or a group (a body named
    inside an answer is its subject, not a new speaker), or when what was
    asked is said to be answered by a body ("Các nội dung ... đã được các
    cơ quan liên quan trả lời")."""
    if not items or not items[-1].parts or items[-1].parts[-1][0] is not paragraph:
        return
    text = paragraph.text
    cuts = [u.start for u in promises.sentences(text[offset:])][1:]
    cuts += [m.end() - offset for m in _COLON.finditer(text, offset)]
    for cut in sorted(set(cuts)):
        start = offset + cut
        current = items[-1]
        if current.parts[-1][1] > start:
            continue
        colon = text[start - 2:start].strip() == ":"
        petition = None if colon else _follow_on(current, text, start)
        if petition is not None:
            paragraph_, begun, _end = current.parts[-1]
            current.parts[-1] = (paragraph_, begun, start)
            items.append(_Item("question", petition, at,
                               [(paragraph, start + petition.body, len(text))]))
            continue
        lead = speakers.lead(text[start:start + _LEAD_SPAN], known,
                             text[max(offset, start - _LEAD_SPAN):start], audience)
        if lead is None or lead.caption or (
                lead.speaker.kind == "body" and not (
                    current.kind == "question" and (lead.passive or (
                        not colon and lead.kind in ("answer", "directive"))))):
            # A body named inside an answer is its subject; after a
            # question, a body answering or directing ("Theo đó, đại diện tổ
            # đại biểu HĐND huyện yêu cầu ...") speaks.
            continue
        if colon and lead.kind != "question":
            continue
        if lead.kind == "question":
            if current.kind == "question" and (
                    lead.speaker.kind != "person" or _same_speaker_as(current, lead)):
                continue
        elif current.who is not None and _same_speaker_as(current, lead):
            continue
        _meet(known, lead.speaker)
        paragraph_, begun, _end = current.parts[-1]
        current.parts[-1] = (paragraph_, begun, start)
        if current.kind == "answer" and not current.body().strip(" :"):
            # It only introduced the question after its colon ("Chủ tịch
            # UBND huyện đã tiếp thu ý kiến của công dân: X đề nghị ...").
            current.kind = "speech"
        kind = "chair" if lead.kind == "directive" or (
            speakers.is_chair(lead.speaker, chair)
            and not _answers(lead, text[start:start + _LEAD_SPAN])) else lead.kind
        body = start if kind == "chair" else start + lead.body
        items.append(_Item(kind, lead, at, [(paragraph, body, len(text))],
                           answers=kind == "chair" and current.kind == "question"))


# A petition of its own that names no one: a sentence opening with the
# verb ("Đề nghị khắc phục sạt lở ..."), or with the bare noun of the group
# asking ("Cử tri đề nghị Công ty cao su ...").
_FOLLOW_ON = re.compile(
    r"(?:(?:Cử tri|Người dân|Nhân dân|Bà con|Công dân)\s+(?:(?:cũng|còn|đồng thời|tiếp tục)\s+)?"
    r"(đề nghị|kiến nghị|đề xuất|phản ánh)|(Đề nghị|Kiến nghị|Đề xuất))(?!\w)\s*:?\s*"
)


def _follow_on(current: _Item, text: str, start: int) -> speakers.Lead | None:
    """A group's next petition in the paragraph of its question ("Cử tri
    Xã Thành sơn đề nghị ... . Đề nghị khắc phục sạt lở ... . Đề nghị đầu
    tư mương ..."): each is a question of its own, asked by that group."""
    if current.kind != "question" or current.who is None or current.who.kind != "group":
        return None
    match = _FOLLOW_ON.match(text, start)
    if match is None:
        return None
    if match.group(1) is not None:
        # "Cử tri đề nghị ...": the group's noun alone; its body follows the verb.
        return speakers.Lead("question", current.who, match.group(1), match.end() - start, False)
    # "Đề nghị ...": the verb is the petition's first word.
    return speakers.Lead("question", current.who, match.group(2), 0, False)


def _same_speaker_as(item: _Item, lead: speakers.Lead) -> bool:
    return item.who is not None and (
        same(item.who.name, lead.speaker.name)
        or (bool(item.who.agency) and item.who.agency == lead.speaker.agency
            and lead.speaker.kind == "body"))


def _continues(item: _Item, lead: speakers.Lead) -> bool:
    """The speaker of the current item named again ("Ông X khẳng định ...",
    a caption of theirs) goes on with it, unless it is an answer to someone
    newly named (one official answering a second asker)."""
    if item.who is None or not _same_speaker_as(item, lead):
        return False
    return not (lead.kind == "answer" and lead.askers and item.lead is not None
                and set(lead.askers) != set(item.lead.askers))


def _times(grouped: list[list[_Item]]) -> None:
    """Items in the same block as a stamped item share its time."""
    for items in grouped:
        for before, after in pairwise(items):
            if after.at is None and before.at is not None and _same_speaker(before, after):
                after.at = before.at


def parse(text: str, held_on: date) -> Transcript:
    nfc = entries.article(entries.source(text))
    # Written replies to voters' petitions and tables of them have a shape
    # of their own (see `petitions`); any other text is read as a dialogue.
    replies = petitions.read(nfc, held_on)
    if replies is not None:
        return replies
    paragraphs = entries.paragraphs(nfc)
    chair = speakers.chair_from([p.text for p in paragraphs])
    grouped, reverse = _items(paragraphs, chair, nfc)
    _times(grouped)
    ordered = entries.meeting_order(grouped, _same_speaker, reverse)

    _drop_lede(ordered, paragraphs)
    transcript = Transcript(chair=chair)
    asked = _Asked()
    since_answer: list[ParsedQuestion] = []
    # Answers that name a group no question of which came before them, by
    # index: "X trình bày báo cáo kết quả giải quyết, trả lời ý kiến, kiến
    # nghị của cử tri ..." opening a report that sums up the petitions after.
    ahead: dict[int, tuple[str, ...]] = {}
    for item in ordered:
        if item.kind == "question" and item.who is not None and ahead:
            _answered_ahead(item.who, f"q{len(transcript.questions) + 1}", ahead, transcript)
        if item.kind == "question" and item.who is not None:
            paragraph = item.parts[0][0]
            body = item.body()
            question = ParsedQuestion(
                key=f"q{len(transcript.questions) + 1}",
                asker=item.who,
                text=body,
                at=item.at,
                topics=topics.topics_of(body),
                line=paragraph.line,
            )
            transcript.questions.append(question)
            asked.add(question)
            since_answer.append(question)
        elif item.kind == "answer" and item.lead is not None:
            for question in _stated(item, asked, transcript):
                transcript.questions.append(question)
                asked.add(question)
            key = f"a{len(transcript.answers) + 1}"
            linked, how = _link(item.lead, asked, since_answer)
            asked.answer(linked)
            since_answer = []
            groups_named = tuple(a.name for a in item.lead.asked if a.kind == "group")
            if not linked and groups_named:
                ahead[len(transcript.answers)] = groups_named
            transcript.answers.append(ParsedAnswer(
                key=key,
                responder=item.lead.speaker,
                text=item.body(),
                question_keys=linked,
                linked_by=how,
                at=item.at,
                line=item.parts[0][0].line,
            ))
            if not _narrated(item):
                _answer_findings(item, key, held_on, transcript)
        elif item.answers and item.lead is not None and not speakers.is_chair(
                item.lead.speaker, chair):
            # Its tasks are read with the other directives (see `_directives`).
            linked, how = _link(item.lead, asked, since_answer)
            asked.answer(linked)
            since_answer = []
            transcript.answers.append(ParsedAnswer(
                key=f"a{len(transcript.answers) + 1}", responder=item.lead.speaker,
                text=item.body(), question_keys=linked, linked_by=how, at=item.at,
                line=item.parts[0][0].line,
            ))
    _directives(nfc, paragraphs, ordered, chair, held_on, transcript)
    if not (transcript.questions or transcript.answers or transcript.candidates):
        # Nothing of a dialogue: voters' petitions with no reply yet, if
        # any, are what the text holds.
        return petitions.read(nfc, held_on, unanswered=True) or transcript
    return transcript


# Words of a question that say nothing of its matter.
_FILLER = frozenset({"va", "cac", "nhung", "mot", "so", "cho", "de", "cua", "o", "tai", "ve",
                     "voi", "trong", "nhu"})


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", fold(text)) if w not in _FILLER and len(w) > 1}


def _drop_lede(ordered: list[_Item], paragraphs: list[Paragraph]) -> None:
    """A news lede sums up what the article reports below ("Với mong muốn
    ..., cử tri xã Phú Giáo (TP HCM) kiến nghị đầu tư, nâng cấp một số tuyến
    giao thông nông thôn."): a question in the opening paragraph whose group
    asks again further on, in the same words or more, is no question of its
    own; its paragraph is narration."""
    opening = {p.line for p in paragraphs[:2]}
    questions = [item for item in ordered if item.kind == "question" and item.who is not None]
    if len(questions) < 2:
        return
    lede = questions[0]
    if lede.parts[0][0].line not in opening or lede.who is None or lede.who.kind != "group":
        return
    paragraph, start, end = lede.parts[0]
    first = promises.sentences(paragraph.text[start:end])
    words = _content_words(paragraph.text[start:start + first[0].end] if first else "")
    if len(words) < 3:
        return
    for later in questions[1:]:
        if later.who is None or not (groups.same_group(lede.who.name, later.who.name)
                                     or groups.same_group(later.who.name, lede.who.name)):
            continue
        if len(words & _content_words(later.body())) >= 0.8 * len(words):
            lede.kind = "event"
            return


def _answered_ahead(who: Speaker, key: str, ahead: dict[int, tuple[str, ...]],
                    transcript: Transcript) -> None:
    """A question asked after an answer that named its group and found no
    question then is what that answer answered; the question is marked
    answered by leaving `ahead` with nothing further to take for it."""
    for index, named in list(ahead.items()):
        if any(groups.same_group(who.name, name) for name in named):
            answer = transcript.answers[index]
            transcript.answers[index] = replace(
                answer, question_keys=(*answer.question_keys, key), linked_by=LinkedBy.NAME)


def _stated(item: _Item, asked: _Asked, transcript: Transcript) -> list[ParsedQuestion]:
    """The questions an answer's lead states and the text has not reported
    ("Trả lời câu hỏi: "..." của nông dân Vi Văn Can, ông X cho biết",
    "trả lời chất vấn của đại biểu Y về <the matter>"): each named asker with
    no question yet asked it, just before the answer."""
    lead = item.lead
    if lead is None or not lead.matter:
        return []
    made: list[ParsedQuestion] = []
    for asker in lead.asked:
        if asked.by(asker.name):
            continue
        made.append(ParsedQuestion(
            key=f"q{len(transcript.questions) + len(made) + 1}",
            asker=asker,
            text=lead.matter,
            at=item.at,
            topics=topics.topics_of(lead.matter),
            line=item.parts[0][0].line,
        ))
    return made


class _Asked:
    """The questions asked so far, indexed the ways an answer is linked: by
    asker (the folded full name, and the folded last word of it), and the
    unanswered ones in the order asked, also by topic. An answer looks up
    what it needs; reading every earlier question for each answer made the
    time of a long transcript grow with the square of its length."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[ParsedQuestion]] = {}
        self.by_given_name: dict[str, list[ParsedQuestion]] = {}
        self.unanswered: dict[str, ParsedQuestion] = {}  # by key, in the order asked
        self.unanswered_on: dict[str, dict[str, int]] = {}  # topic -> key -> order asked
        self.order: dict[str, int] = {}
        self.groups: list[ParsedQuestion] = []  # asked by a group, in the order asked

    def add(self, question: ParsedQuestion) -> None:
        self.order[question.key] = len(self.order)
        self.by_name.setdefault(fold(question.asker.name), []).append(question)
        words = question.asker.name.split()
        if question.asker.kind == "group":
            self.groups.append(question)
        elif words:
            self.by_given_name.setdefault(fold(words[-1]), []).append(question)
        self.unanswered[question.key] = question
        for topic in question.topics:
            self.unanswered_on.setdefault(topic, {})[question.key] = self.order[question.key]

    def answer(self, keys: tuple[str, ...]) -> None:
        for key in keys:
            question = self.unanswered.pop(key, None)
            if question is not None:
                for topic in question.topics:
                    self.unanswered_on[topic].pop(key, None)

    def by(self, name: str) -> list[ParsedQuestion]:
        """The asker's questions; else, by only the given name (or a shorter
        form of the name), those of askers called so."""
        theirs = self.by_name.get(fold(name), [])
        if not theirs and self.groups and groups.GROUP.fullmatch(name):
            # "trả lời kiến nghị của cử tri": any group of voters asking.
            theirs = [q for q in self.groups if groups.same_group(q.asker.name, name)]
        elif not theirs and name.split():
            theirs = self.by_given_name.get(fold(name.split()[-1]), [])
        return theirs

    def unanswered_on_any(self, topics_: set[str]) -> list[str]:
        keys = {key for topic in topics_ for key in self.unanswered_on.get(topic, {})}
        return sorted(keys, key=self.order.__getitem__)

    def latest_unanswered(self) -> str | None:
        return next(reversed(self.unanswered), None)


def _link(
    lead: speakers.Lead,
    asked: _Asked,
    since_answer: list[ParsedQuestion],
) -> tuple[tuple[str, ...], LinkedBy | None]:
    named: list[str] = []
    for name in lead.askers:
        theirs = asked.by(name)
        if groups.GROUP.fullmatch(name) and not any(same(q.asker.name, name) for q in theirs):
            # "trả lời một số ý kiến, kiến nghị của cử tri": every group of
            # voters still waiting is answered, not only the last to ask.
            waiting = [q.key for q in theirs if q.key in asked.unanswered]
            named.extend(k for k in waiting if k not in named)
            if waiting:
                continue
        # The latest of their questions not yet answered, else their latest.
        pick = next((q for q in reversed(theirs) if q.key in asked.unanswered),
                    theirs[-1] if theirs else None)
        if pick is not None and pick.key not in named:
            named.append(pick.key)
    if named:
        return tuple(named), LinkedBy.NAME
    on_topic = asked.unanswered_on_any(set(topics.subjects_of(lead.speaker.agency)))
    if on_topic:
        return tuple(on_topic), LinkedBy.TOPIC
    recent = [q.key for q in since_answer if q.key in asked.unanswered]
    if recent:
        return tuple(recent), LinkedBy.NEAREST
    latest = asked.latest_unanswered()
    if latest is not None:
        return (latest,), LinkedBy.NEAREST
    return (), None


def _deadline(quote: str, held_on: date) -> tuple[date | None, str | None]:
    found = deadlines.find(quote, held_on)
    return (found.due_on, found.text) if found else (None, None)


def _answer_findings(item: _Item, key: str, held_on: date, transcript: Transcript) -> None:
    owner = item.who.agency if item.who and item.who.agency else (
        item.who.organisation if item.who else "")
    # Once an answer introduces a list ("... các giải pháp cụ thể sau:"), its
    # items are the solutions the responder puts forward, owned by its agency.
    listing = False
    leader = item.who is not None and speakers.is_leader(item.who)
    pledge = item.lead is not None and speakers.pledged(
        item.lead.verb, item.parts[0][0].text[item.parts[0][1] + len(item.lead.verb):][:40])
    for paragraph, start, end in item.parts:
        text = paragraph.text[:end]
        for unit in promises.units(text[start:]):
            quote = text[start + unit.start:start + unit.end]
            finding = promises.answer_unit(quote)
            if pledge and not finding.promise and not finding.evidence:
                # The unit the lead's pledge opens ("nói công bố dự thảo ...").
                finding = promises.Finding(True, False, promises.task_kind(quote),
                                           (item.lead.verb,) if item.lead else ())
            pledge = False
            # A body the responder puts to work owns that task.
            put_to_work = None if listing else tasks.assigned(quote, leader, held_on)
            listing = listing or quote.rstrip().endswith(":")
            if put_to_work is not None:
                body, kind = put_to_work
                due_on, due_text = _deadline(quote, held_on)
                transcript.candidates.append(Candidate(
                    quote=quote, owner=speakers.agency_of(body), kind=kind, answer_key=key,
                    due_on=due_on, due_text=due_text, cues=finding.cues, line=paragraph.line,
                ))
            elif finding.promise:
                due_on, due_text = _deadline(quote, held_on)
                transcript.candidates.append(Candidate(
                    quote=quote, owner=owner, kind=finding.kind, answer_key=key,
                    due_on=due_on, due_text=due_text, cues=finding.cues, line=paragraph.line,
                ))
            elif finding.evidence and (promises.documents(quote) or _doer(quote)):
                transcript.evidence.append(Evidence(
                    quote=quote, owner=_doer(quote) or owner, answer_key=key,
                    documents=promises.documents(quote), line=paragraph.line,
                ))


def _doer(quote: str) -> str | None:
    """The agency named before `đã` ("UBND tỉnh đã ban hành ...")."""
    past = re.search(r"(?<!\w)đã(?!\w)", quote)
    if past is None:
        return None
    found: str | None = None
    for match in _AGENCY_HEAD.finditer(quote, 0, past.start()):
        found = topics.agency_at(quote, match.start()) or found
    return speakers.agency_of(found) if found else None


def _directives(source: str, paragraphs: list[Paragraph], ordered: list[_Item],
                chair: Speaker | None, held_on: date, transcript: Transcript) -> None:
    """Directed tasks (see `tasks`), read over every paragraph that is no
    question or answer: a chair's conclusion, a leader's directives, a
    resolution, a letter. A leader other than the chair directs in the name
    of their own body."""
    read = [item for item in ordered if item.kind in ("question", "answer")
            and not _narrated(item)]
    claimed = frozenset(p.line for item in read for p, *_ in item.parts)
    # A paragraph shared between a question or an answer and a chair's
    # directive ("Công dân phản ánh ... Phó Chủ tịch HĐND tỉnh X đề nghị
    # ..."): the directive's part is read for tasks.
    shared: dict[int, list[Paragraph]] = {}
    for item in ordered:
        if item.kind in ("question", "answer") and not _narrated(item):
            continue
        for p, start, end in item.parts:
            if p.line in claimed and p.text[start:end].strip():
                piece = p.text[start:end]
                lead = len(piece) - len(piece.lstrip())
                shared.setdefault(p.line, []).append(
                    Paragraph(p.line, piece.strip(), p.start + start + lead))
    if shared:
        paragraphs = [piece for p in paragraphs
                      for piece in (shared.get(p.line, [p]) if p.line in claimed else [p])]
    default = (chair.agency if chair and chair.agency else "") or "UBND tỉnh"
    bodies: dict[int, str] = {}
    for item in ordered:
        if item.kind != "chair":
            continue
        leader = item.who if item.who and not speakers.is_chair(item.who, chair) else None
        body = (leader.agency if leader and leader.agency else "") or default
        for p, *_ in item.parts:
            bodies[p.line] = body
    for task in tasks.read(source, paragraphs, held_on, claimed, bodies, frozenset(shared)):
        transcript.candidates.append(Candidate(
            quote=source[task.start:task.end], owner=speakers.agency_of(task.owner),
            kind=task.kind, answer_key=None, due_on=task.due_on, due_text=task.due_text,
            cues=(task.cue,) if task.cue else (), line=task.line,
        ))
