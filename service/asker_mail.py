"""What the person who asked is told, in Vietnamese, as plain text and HTML:
that their question was answered, and that a promise made in answer to it
was claimed kept, partly kept, or declined, with the two links to confirm
or contest that claim."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from uuid import UUID

from domain.agency import Agency, agency_id
from domain.asker import AskerContact, FeedbackVerdict, contact_id
from domain.commitment import Commitment
from domain.dialogue import Answer, Dialogue, Question
from domain.messages import Message, Purpose
from service.application import Commitments
from service.messages import Composer, Outgoing
from service.notices import vi_date
from service.signed_links import FeedbackLink, Links

CLAIM_VI = {
    "fulfilled": "đã thực hiện xong",
    "partially_fulfilled": "mới thực hiện được một phần",
    "declined": "không thể thực hiện (từ chối)",
}
_FOOTER = ("Thư này do hệ thống theo dõi cam kết đối thoại gửi tự động tới người đã đặt "
           "câu hỏi; địa chỉ của ông/bà không được công bố.")


def _contact(app: Commitments, question_id: UUID) -> AskerContact | None:
    if contact_id(question_id) not in app.repository:
        return None
    contact: AskerContact = app.get(contact_id(question_id))
    return contact if contact.email else None


def _html(paragraphs: list[str], links: Sequence[tuple[str, str]] = ()) -> str:
    body = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    buttons = "".join(
        f'<p><a href="{escape(url)}" style="display:inline-block;padding:8px 14px;'
        f'border:1px solid #1a5;border-radius:4px;text-decoration:none">{escape(label)}</a></p>'
        for label, url in links)
    return (f'<!doctype html><html lang="vi"><meta charset="utf-8"><body>{body}{buttons}'
            f'<p style="color:#666;font-size:small">{escape(_FOOTER)}</p></body></html>')


def answered(app: Commitments, message: Message) -> Outgoing | None:
    question: Question = app.get(UUID(message.about["question_id"]))
    contact = _contact(app, question.id)
    if contact is None or contact.email is None:
        return None
    answer: Answer = app.get(UUID(message.about["answer_id"]))
    dialogue: Dialogue = app.get(question.dialogue_id)
    base = app.settings.public_base_url
    link = f"{base}/reports/dialogues/{dialogue.id}"
    who = answer.responder.get("name", "")
    if answer.responder.get("title"):
        who += f", {answer.responder['title']}"
    paragraphs = [
        f"Kính gửi: {question.asker.get('name', 'ông/bà')}",
        f"Câu hỏi của ông/bà tại {dialogue.title} (ngày {vi_date(dialogue.held_on)}) "
        "đã được trả lời.",
        f"Câu hỏi: {question.text}",
        f"Trả lời ({who}): {answer.text}",
        "Nếu câu trả lời có cam kết, ông/bà sẽ nhận thư khi cơ quan báo cáo kết quả "
        "thực hiện, để xác nhận hoặc phản hồi.",
        f"Xem trên trang công khai: {link}",
    ]
    return Outgoing(
        key=message.key, to=[contact.email], phone=contact.phone,
        subject=f"[Đối thoại] Câu hỏi của ông/bà đã được trả lời: {dialogue.title}",
        text="\n\n".join([*paragraphs, _FOOTER]) + "\n", html=_html(paragraphs))


def claimed(app: Commitments, message: Message) -> Outgoing | None:
    question_id = UUID(message.about["question_id"])
    contact = _contact(app, question_id)
    if contact is None or contact.email is None:
        return None
    version = int(message.about["claim_version"])
    commitment: Commitment = app.get(UUID(message.about["commitment_id"]), version)
    question: Question = app.get(question_id)
    agency: Agency = app.get(agency_id(commitment.agency))
    [claim] = app.events.get(commitment.id, gt=version - 1, lte=version)
    links = Links(app.settings.session_secret())
    base = app.settings.public_base_url
    url = {verdict: f"{base}/reports/asker/" + links.feedback(
        FeedbackLink(commitment.id, version, question_id, verdict))
        for verdict in FeedbackVerdict}
    paragraphs = [
        f"Kính gửi: {question.asker.get('name', 'ông/bà')}",
        f"{agency.name} báo cáo cam kết trả lời câu hỏi của ông/bà "
        f"{CLAIM_VI.get(commitment.status.value, commitment.status.value)} "
        f"(ngày {vi_date(commitment.effective_on)}).",
        f"Câu hỏi: {question.text}",
        f"Cam kết: {commitment.text}",
    ]
    note = getattr(claim, "note", None)
    if note:
        paragraphs.append(f"Cơ quan cho biết: {note}")
    evidence = [item.get("title") or item.get("url") for item in
                getattr(claim, "evidence", None) or [] if isinstance(item, dict)]
    if evidence:
        paragraphs.append("Tài liệu kèm theo: " + "; ".join(str(e) for e in evidence if e))
    paragraphs.append(
        "Xin ông/bà cho biết việc này có đúng như báo cáo không. Hai đường dẫn dưới đây có "
        "giá trị trong 60 ngày; nếu không đúng, xin ghi rõ điều chưa được thực hiện.")
    text_links = [f"Đúng, xác nhận: {url[FeedbackVerdict.CONFIRMED]}",
                  f"Không đúng, phản hồi: {url[FeedbackVerdict.CONTESTED]}"]
    short = commitment.text if len(commitment.text) <= 80 else commitment.text[:77] + "..."
    return Outgoing(
        key=message.key, to=[contact.email], phone=contact.phone,
        subject=f"[Đối thoại] Xin ông/bà xác nhận kết quả: {short}",
        text="\n\n".join([*paragraphs, *text_links, _FOOTER]) + "\n",
        html=_html(paragraphs, [("Đúng, xác nhận", url[FeedbackVerdict.CONFIRMED]),
                                ("Không đúng, phản hồi", url[FeedbackVerdict.CONTESTED])]))


ASKER_COMPOSERS: dict[Purpose, Composer] = {Purpose.ANSWERED: answered,
                                            Purpose.CLAIMED: claimed}
