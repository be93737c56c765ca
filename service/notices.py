"""What a reminder says: the Vietnamese mail (text and HTML) and the webhook's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any
from uuid import UUID, uuid5

from domain.agency import Agency
from domain.commitment import Commitment
from domain.dialogue import Dialogue, Question
from domain.reminders import Delivery, Rung

STATUS_VI = {
    "proposed": "đề xuất, chưa xác nhận",
    "open": "đang chờ thực hiện",
    "in_progress": "đang thực hiện",
    "fulfilled": "đã hoàn thành",
    "partially_fulfilled": "hoàn thành một phần",
    "declined": "từ chối",
    "withdrawn": "đã rút",
    "transferred": "đã chuyển giao",
}
_NAMESPACE = UUID("6f0c7a52-4c8e-4d6b-9d2a-2f0f1c0b7a31")


def vi_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def delivery_key(commitment_id: UUID, delivery: Delivery) -> str:
    """The same id for every try of one delivery: the mail's Message-ID and
    the webhook's X-Reminder-Id, so a receiver can recognise a repeat."""
    name = f"{commitment_id}/{delivery.due_on}/{delivery.rung}/{delivery.channel}"
    return str(uuid5(_NAMESPACE, name))


@dataclass(frozen=True)
class Notice:
    """One reminder about one commitment, ready for a channel."""

    key: str
    rung: Rung
    subject: str
    text: str
    payload: dict[str, Any]
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    url: str | None = None  # the webhook's, for that channel
    html: str = ""  # the text's twin for mail clients that show HTML
    organisation: str = ""  # who runs the service: the mail's sender name


def compose(commitment: Commitment, agency: Agency, dialogue: Dialogue,
            question: Question | None, delivery: Delivery, today: date,
            base_url: str, organisation: str = "") -> Notice:
    # Where the officer acts (the workspace asks them to sign in first, then
    # comes back here), and what the public reads.
    workspace = f"{base_url}/workspace/commitments/{commitment.id}"
    link = f"{base_url}/reports/commitments/{commitment.id}"
    late = max((today - delivery.due_on).days, 0)
    short = commitment.text if len(commitment.text) <= 80 else commitment.text[:77] + "..."
    subject, opening = {
        Rung.DUE_SOON: (
            f"[Nhắc việc] Sắp đến hạn {vi_date(delivery.due_on)}: {short}",
            f"Cam kết dưới đây sẽ đến hạn vào ngày {vi_date(delivery.due_on)}. "
            "Đề nghị quý cơ quan cập nhật tiến độ hoặc kết quả thực hiện.",
        ),
        Rung.OVERDUE: (
            f"[Nhắc việc] Đã quá hạn: {short}",
            f"Cam kết dưới đây đã quá hạn ({vi_date(delivery.due_on)}) mà chưa có kết quả. "
            "Đề nghị quý cơ quan báo cáo kết quả, hoặc đề nghị gia hạn kèm lý do.",
        ),
        Rung.ESCALATION: (
            f"[Khẩn] Quá hạn {late} ngày, báo cáo lãnh đạo: {short}",
            f"Cam kết dưới đây đã quá hạn {late} ngày và chưa được xử lý sau các lần nhắc. "
            "Xin báo cáo lãnh đạo cơ quan và văn phòng chủ trì hội nghị để chỉ đạo.",
        ),
    }[delivery.rung]
    facts = [("Nội dung cam kết", commitment.text)]
    if question is not None:
        asker = question.asker.get("name", "")
        facts.append((f"Câu hỏi / kiến nghị ({asker})", question.text))
    facts += [
        ("Hội nghị", f"{dialogue.title}, ngày {vi_date(dialogue.held_on)}"),
        ("Hạn hoàn thành", vi_date(delivery.due_on)
         + (" (đã gia hạn)" if commitment.due_basis.value == "extended" else "")),
        ("Tình trạng", STATUS_VI.get(commitment.status.value, commitment.status.value)),
    ]
    if late:
        facts.append(("Số ngày quá hạn", str(late)))
    links = [("Cập nhật kết quả (đăng nhập khu làm việc)", workspace),
             ("Trang công khai của cam kết", link)]
    sent_by = (f"Thư này do hệ thống theo dõi cam kết đối thoại"
               f"{' của ' + organisation if organisation else ''} gửi tự động; "
               "mỗi mốc nhắc chỉ gửi một lần.")
    lines = [f"Kính gửi: {agency.name}", "", opening, ""]
    lines += [f"{label}: {value}" for label, value in facts]
    lines += ["", *(f"{label}: {url}" for label, url in links), "", sent_by]
    html = "\n".join([
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">',
        f"<title>{escape(subject)}</title></head><body>",
        *([f"<p><strong>{escape(organisation)}</strong></p>"] if organisation else []),
        f"<p>Kính gửi: {escape(agency.name)}</p>",
        f"<p>{escape(opening)}</p>",
        "<table>",
        *(f'<tr><th scope="row" style="text-align:left;vertical-align:top">{escape(label)}'
          f"</th><td>{escape(value)}</td></tr>" for label, value in facts),
        "</table>",
        "<ul>",
        *(f'<li><a href="{escape(url)}">{escape(label)}</a></li>' for label, url in links),
        "</ul>",
        f"<p><small>{escape(sent_by)}</small></p>",
        "</body></html>",
    ]) + "\n"
    payload = {
        "type": "reminder",
        "reminder": delivery.rung.value,
        "delivery_id": delivery_key(commitment.id, delivery),
        "commitment": {
            "id": str(commitment.id), "agency": commitment.agency, "text": commitment.text,
            "status": commitment.status.value, "due_on": delivery.due_on.isoformat(),
            "days_overdue": late, "url": link, "workspace_url": workspace,
        },
        "dialogue": {"id": str(dialogue.id), "title": dialogue.title,
                     "held_on": dialogue.held_on.isoformat()},
        "question": question.text if question is not None else None,
    }
    return Notice(key=delivery_key(commitment.id, delivery), rung=delivery.rung,
                  subject=subject, text="\n".join(lines) + "\n", payload=payload, html=html,
                  organisation=organisation)
