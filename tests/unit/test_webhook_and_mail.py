"""The reminder channels: the signed webhook, posted to a real HTTP server on the
loopback interface, and the mail written to the outbox as .eml files (what is
in them, and that one delivery is one file and one Message-ID)."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from email.message import EmailMessage
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.access import Actor, Role
from domain.agency import Agency
from domain.commitment import Commitment
from domain.deadlines import Kind
from domain.delivery import ReminderDelivery, delivery_id
from domain.dialogue import Dialogue
from domain.reminders import Channel, Delivery, Mark, Rung
from service import commands as c
from service.application import Commitments
from service.bootstrap import build, build_queries
from service.messages import Outgoing
from service.notices import Notice, compose, delivery_key, vi_date
from service.queries import Queries
from service.reminders import DeliveryFailed, Reminders, Sender
from service.settings import MailSettings, Settings
from tests.support.clock import FixedClock
from tests.support.smtp import smtp_server
from workers.mail import Outbox, SmtpMailer, message
from workers.webhook import SIGNATURE_HEADER, WebhookSender, sign, verify

ADMIN = Actor(Role.ADMIN)
SECRET = "bí-mật-chung-42"
BASE = "https://camket.tinh.gov.vn"
AUDITORS = "kiemtra@congdoan.vn"
HELD_ON = date(2025, 2, 1)
DUE = date(2025, 3, 5)
OVERDUE_BY_3 = date(2025, 3, 8)
TEXT = "Sẽ rà soát chế độ phụ cấp độc hại cho nhân viên y tế."


# -- a webhook receiver on the loopback interface --------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    status: int = 200
    requests: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append(Received(self.path, dict(self.headers.items()), body))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # A short poll keeps shutdown() quick.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01},
                              daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/nhac-viec"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# -- the service, with the real channels ------------------------------------------------------


@dataclass
class Service:
    app: Commitments
    queries: Queries
    clock: FixedClock
    settings: Settings
    outbox: Path

    def reminders(self, secret: str | None = None) -> Reminders:
        key = self.settings.webhook_secret if secret is None else secret
        senders: dict[Channel, Sender] = {Channel.EMAIL: Outbox(self.settings.mail),
                                          Channel.WEBHOOK: WebhookSender(key, timeout=5)}
        return Reminders(self.app, self.queries, senders,
                         now=lambda: datetime(2025, 3, 8, 2, 0, tzinfo=UTC))

    def commit(self, agency: str, text: str = TEXT) -> UUID:
        dialogue = self.app.execute(c.RecordDialogue("Đối thoại với CNVCLĐ 2025", HELD_ON),
                                    ADMIN).aggregate_id
        return self.app.execute(c.MakeCommitment(agency, text, Kind.REVIEW,
                                                 dialogue_id=dialogue, due_on=DUE),
                                ADMIN).aggregate_id

    def deliver_on(self, day: date, claim: str = "t1", attempt: int = 0,
                   secret: str | None = None) -> list[Any]:
        self.clock.today = day
        reminders = self.reminders(secret)
        return [reminders.deliver(due, today=day, claim=claim, attempt=attempt, final=False)
                for due in reminders.scan(day)]

    def history(self, commitment_id: UUID) -> list[tuple[str, dict[str, Any]]]:
        return [(e.type, e.data) for e in self.queries.history(commitment_id)]

    def last_mark(self, commitment_id: UUID, delivery: Delivery) -> Mark:
        """What the delivery's own stream last recorded."""
        ledger: ReminderDelivery = self.app.repository.get(
            delivery_id(commitment_id, delivery))
        return ledger.records[-1].mark


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    yield from _service(tmp_path, {})


def _service(tmp_path: Path, env: dict[str, str]) -> Iterator[Service]:
    settings = Settings.from_env({
        "COMMITMENTS_DATA_DIR": str(tmp_path),
        "WEBHOOK_SECRET": SECRET,
        "PUBLIC_BASE_URL": BASE + "/",
        "UNION_AUDITORS_EMAIL": AUDITORS,
        "MAIL_FROM": "nhacviec@tinh.gov.vn",
        **env,
    })
    clock = FixedClock(date(2025, 2, 10))
    app = build(settings, clock=clock)
    queries = build_queries(app)
    app.execute(c.RegisterAgency("SYT", "Sở Y tế", contacts=[
        {"email": "vp@syt.gov.vn"}, {"email": "gd@syt.gov.vn", "role": "head"}]), ADMIN)
    yield Service(app, queries, clock, settings, tmp_path / "outbox")
    queries.close()
    app.close()


def register_hooked(service: Service, url: str) -> UUID:
    """SXD: no contacts, only its webhook."""
    service.app.execute(c.RegisterAgency("SXD", "Sở Xây dựng", webhook_url=url), ADMIN)
    return service.commit("SXD")


# -- webhook -----------------------------------------------------------------------------


def test_webhook_posts_a_signed_reminder(service: Service, receiver: Receiver) -> None:
    cid = register_hooked(service, receiver.url)
    [report] = service.deliver_on(OVERDUE_BY_3)
    # No contacts: the overdue mail goes to the auditors; the webhook to SXD.
    assert [d.channel for d in report.sent] == [Channel.EMAIL, Channel.WEBHOOK]
    [got] = receiver.requests
    assert got.path == "/hooks/nhac-viec"
    assert got.headers["Content-Type"].startswith("application/json")
    signature = got.headers[SIGNATURE_HEADER]
    assert signature.startswith("sha256=") and len(signature) == len("sha256=") + 64
    assert verify(got.body, signature, SECRET)
    assert not verify(got.body, signature, "another secret")
    assert not verify(got.body.replace(b'"overdue"', b'"due_soon"'), signature, SECRET)
    assert not verify(got.body + b" ", signature, SECRET)

    payload = json.loads(got.body.decode("utf-8"))
    assert payload["type"] == "reminder"
    assert payload["reminder"] == "overdue"
    assert payload["commitment"] == {
        "id": str(cid), "agency": "SXD", "text": TEXT, "status": "open",
        "due_on": "2025-03-05", "days_overdue": 3,
        "url": f"{BASE}/reports/commitments/{cid}",
        "workspace_url": f"{BASE}/workspace/commitments/{cid}",
    }
    assert payload["dialogue"]["held_on"] == "2025-02-01"
    assert got.headers["X-Reminder-Id"] == payload["delivery_id"] == delivery_key(
        cid, Delivery(Rung.OVERDUE, DUE, Channel.WEBHOOK))
    assert TEXT.encode("utf-8") in got.body  # UTF-8, not \u escapes
    [sent] = [d for t, d in service.history(cid)
              if t == "ReminderSent" and d["channel"] == "webhook"]
    assert (sent["receipt"], sent["recipient"]) == ("HTTP 200", receiver.url)


def test_webhook_error_answer_is_a_failed_attempt_then_retried(service: Service,
                                                              receiver: Receiver) -> None:
    """A 500 answer: the attempt fails naming the status; the retry posts again
    with the same X-Reminder-Id, so the receiver can tell it is one reminder."""
    cid = register_hooked(service, receiver.url)
    receiver.status = 500
    [report] = service.deliver_on(OVERDUE_BY_3)
    [(delivery, error)] = report.failed
    assert delivery.channel is Channel.WEBHOOK
    assert "HTTP 500" in error and receiver.url in error
    assert service.last_mark(cid, delivery) is Mark.ATTEMPT_FAILED
    receiver.status = 204
    [retry] = service.deliver_on(OVERDUE_BY_3, attempt=1)
    assert retry.sent == [delivery]
    first, second = receiver.requests
    assert first.headers["X-Reminder-Id"] == second.headers["X-Reminder-Id"]
    assert first.body == second.body


def notice(url: str | None, **payload: Any) -> Notice:
    return Notice(key=str(uuid4()), rung=Rung.DUE_SOON, subject="s", text="t",
                  payload={"type": "reminder", **payload}, url=url)


@pytest.mark.parametrize("status", [500, 404, 403])
def test_webhook_error_status_raises_delivery_failed(receiver: Receiver, status: int) -> None:
    receiver.status = status
    with pytest.raises(DeliveryFailed, match=f"answered HTTP {status}"):
        WebhookSender(SECRET, timeout=5)(notice(receiver.url))
    assert len(receiver.requests) == 1


def test_webhook_success_returns_the_status_as_receipt(receiver: Receiver) -> None:
    body_notice = notice(receiver.url, reminder="due_soon")
    assert WebhookSender(SECRET, timeout=5)(body_notice) == "HTTP 200"
    [got] = receiver.requests
    assert got.body == json.dumps(body_notice.payload, ensure_ascii=False).encode()
    assert got.headers[SIGNATURE_HEADER] == sign(got.body, SECRET)
    assert got.headers["X-Reminder-Id"] == body_notice.key


def test_webhook_without_a_secret_refuses_to_send(receiver: Receiver) -> None:
    with pytest.raises(DeliveryFailed, match="WEBHOOK_SECRET"):
        WebhookSender("")(notice(receiver.url))
    assert receiver.requests == []


def test_webhook_without_a_secret_through_the_service(service: Service,
                                                      receiver: Receiver) -> None:
    cid = register_hooked(service, receiver.url)
    [report] = service.deliver_on(OVERDUE_BY_3, secret="")
    assert [d.channel for d in report.sent] == [Channel.EMAIL]  # the auditors' mail
    [(delivery, error)] = report.failed
    assert delivery.channel is Channel.WEBHOOK and "WEBHOOK_SECRET" in error
    assert receiver.requests == []
    assert service.last_mark(cid, delivery) is Mark.ATTEMPT_FAILED


def test_webhook_without_url_or_server_fails(tmp_path: Path) -> None:
    with pytest.raises(DeliveryFailed, match="no webhook_url"):
        WebhookSender(SECRET)(notice(None))
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/hook"
    with pytest.raises(DeliveryFailed, match=url):
        WebhookSender(SECRET, timeout=2)(notice(url))


def test_sign_and_verify() -> None:
    body = '{"a": "ấ"}'.encode()
    assert sign(body, "k") == sign(body, "k") != sign(body, "k2")
    assert verify(body, sign(body, "k"), "k")
    assert not verify(body, "sha256=" + "0" * 64, "k")
    assert not verify(body, sign(body, "k").removeprefix("sha256="), "k")


# -- over SMTP ------------------------------------------------------------------------------

# Folded by the standard library between "trả" and "lương": the space went
# into the fold between two encoded-words, where readers drop it.
FOLDED = "UBND huyện sẽ rà soát, bổ sung chế độ trả lương làm thêm giờ cho công nhân."
ORGANISATION = "Liên đoàn Lao động tỉnh Bắc Kạn"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value or "" for name, value in attrs if tag == "a" and name == "href"]


def test_a_mail_over_smtp_arrives_whole_in_text_and_html(tmp_path: Path) -> None:
    """The mail as a real SMTP server got it, parsed from its bytes: every space
    of the subject kept however the header is folded, the organisation as the
    sender's name, and a text part and an HTML part that both link to the
    commitment's workspace page (where the officer acts) and its public page."""
    with smtp_server() as server:
        for service in _service(tmp_path, {"SMTP_HOST": server.host,
                                           "SMTP_PORT": str(server.port),
                                           "ORGANISATION_NAME": ORGANISATION}):
            cid = service.commit("SYT", FOLDED)
            senders: dict[Channel, Sender] = {Channel.EMAIL: SmtpMailer(service.settings.mail,
                                                                         timeout=10)}
            reminders = Reminders(service.app, service.queries, senders)
            [due] = reminders.scan(OVERDUE_BY_3)
            report = reminders.deliver(due, today=OVERDUE_BY_3, claim="t1", attempt=0,
                                       final=True)
            assert [d.channel for d in report.sent] == [Channel.EMAIL]
        [got] = server.wait_for(1, timeout=10)
    mail = got.message
    assert mail["Subject"] == f"[Nhắc việc] Đã quá hạn: {FOLDED}"
    assert mail["From"].addresses[0].display_name == ORGANISATION
    assert mail["From"].addresses[0].addr_spec == "nhacviec@tinh.gov.vn"
    assert mail.get_content_type() == "multipart/alternative"
    workspace = f"{BASE}/workspace/commitments/{cid}"
    public = f"{BASE}/reports/commitments/{cid}"
    text = got.text
    assert f"Nội dung cam kết: {FOLDED}" in text
    assert workspace in text and public in text and ORGANISATION in text
    html_part = mail.get_body(("html",))
    assert html_part is not None
    html = html_part.get_content()
    links = Links()
    links.feed(html)
    assert links.found == [workspace, public]
    assert FOLDED in html and ORGANISATION in html


# A 1x1 PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwAD"
                       "hgGAWjR9awAAAABJRU5ErkJggg==")


class Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [dict(attrs)] if tag == "img" else []


def test_a_logo_in_the_data_folder_travels_inside_each_mail(tmp_path: Path) -> None:
    """With logo.png in the data folder, a reminder and a message to a person
    both arrive with the image as a part of the mail, which the HTML shows by
    its Content-ID, named by the organisation; the text part is unchanged."""
    (tmp_path / "logo.png").write_bytes(PNG)
    with smtp_server() as server:
        for service in _service(tmp_path, {"SMTP_HOST": server.host,
                                           "SMTP_PORT": str(server.port),
                                           "ORGANISATION_NAME": ORGANISATION}):
            service.commit("SYT", FOLDED)
            smtp = SmtpMailer(service.settings.mail, timeout=10)
            reminders = Reminders(service.app, service.queries, {Channel.EMAIL: smtp})
            [due] = reminders.scan(OVERDUE_BY_3)
            reminders.deliver(due, today=OVERDUE_BY_3, claim="t1", attempt=0, final=True)
            smtp(Outgoing(key="answered:1", subject="Câu hỏi đã được trả lời",
                          text="Kính gửi ông Nguyễn Văn A\n", to=["a@vidu.vn"],
                          html='<!doctype html><html lang="vi"><body><p>Kính gửi</p>'
                               "</body></html>"))
        received = server.wait_for(2, timeout=10)
    for got in received:
        mail = got.message
        assert mail.get_content_type() == "multipart/alternative"
        assert "Kính gửi" in got.text and "cid:" not in got.text
        [related] = [p for p in mail.iter_parts() if p.get_content_type() == "multipart/related"]
        assert isinstance(related, EmailMessage)
        html_part, image = related.iter_parts()
        assert isinstance(html_part, EmailMessage) and isinstance(image, EmailMessage)
        assert image.get_content_type() == "image/png" and image.get_content() == PNG
        cid = str(image["Content-ID"]).strip("<>")
        images = Images()
        images.feed(html_part.get_content())
        assert images.found[0]["src"] == f"cid:{cid}"
        assert images.found[0]["alt"] == ORGANISATION


def test_every_header_survives_folding_at_any_point() -> None:
    """The subject, shifted a character at a time across the fold points,
    always reads back as it was written."""
    for shift in range(40):
        written = "Đ" * shift + " " + FOLDED
        n = replace(make_notice(Rung.OVERDUE, date(2025, 3, 10)), subject=written,
                    organisation=ORGANISATION + "x" * shift)
        parsed = email.message_from_bytes(message(n, "a@b.vn").as_bytes(),
                                          policy=email.policy.default)
        assert parsed["Subject"] == written
        assert parsed["From"].addresses[0].display_name == ORGANISATION + "x" * shift


# -- the outbox -------------------------------------------------------------------------------


def read_eml(path: Path) -> EmailMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def plain(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_outbox_mail_is_a_vietnamese_eml(service: Service) -> None:
    """Overdue by 3 days: one .eml named by the delivery id, with the Vietnamese
    subject and text, To the contacts, Cc the union's auditors."""
    cid = service.commit("SYT")
    [report] = service.deliver_on(OVERDUE_BY_3)
    [delivery] = report.sent
    key = delivery_key(cid, delivery)
    [file] = service.outbox.iterdir()
    assert file.name == f"{key}.eml"
    mail = read_eml(file)
    assert mail["Subject"] == f"[Nhắc việc] Đã quá hạn: {TEXT}"
    assert mail["From"] == "nhacviec@tinh.gov.vn"
    assert mail["To"] == "vp@syt.gov.vn, gd@syt.gov.vn"
    assert mail["Cc"] == AUDITORS
    assert mail["Message-ID"] == f"<{key}@commitments>"
    assert mail["X-Reminder"] == "overdue"
    body = mail.get_body(("plain",))
    assert body is not None and body.get_content_charset() == "utf-8"
    text = body.get_content()
    assert "Kính gửi: Sở Y tế" in text
    assert "Hạn hoàn thành: 05/03/2025" in text
    assert "Số ngày quá hạn: 3" in text
    assert f"Nội dung cam kết: {TEXT}" in text
    assert f"{BASE}/reports/commitments/{cid}" in text
    assert f"{BASE}/workspace/commitments/{cid}" in text
    [sent] = [d for t, d in service.history(cid) if t == "ReminderSent"]
    assert sent["receipt"] == str(file)


def test_due_soon_mail_has_no_cc_and_names_the_date(service: Service) -> None:
    service.commit("SYT")
    service.deliver_on(date(2025, 2, 26))
    [file] = service.outbox.iterdir()
    mail = read_eml(file)
    assert mail["Subject"].startswith("[Nhắc việc] Sắp đến hạn 05/03/2025: ")
    assert mail["Cc"] is None
    assert "sẽ đến hạn vào ngày 05/03/2025" in plain(mail)


@dataclass(frozen=True)
class Parts:
    """A commitment with its agency and dialogue, made directly, without the service."""

    commitment: Commitment
    agency: Agency
    dialogue: Dialogue


def parts() -> Parts:
    actor: dict[str, Any] = {"role": "admin"}
    agency = Agency(code="SYT", name="Sở Y tế", name_en=None, contacts=[], webhook_url=None,
                    actor=actor)
    dialogue = Dialogue(title="Đối thoại 2025", held_on=HELD_ON, place=None, chair=None,
                        organiser=None, source_url=None, actor=actor)
    commitment = Commitment(agency="SYT", text="x" * 100, kind="review", due_on=DUE,
                            due_basis="stated", made_on=HELD_ON, dialogue_id=dialogue.id,
                            answer_id=None, question_ids=[], status="in_progress",
                            actor=actor)
    return Parts(commitment, agency, dialogue)


def make_notice(rung: Rung, today: date, due_on: date = DUE,
                channel: Channel = Channel.EMAIL, of: Parts | None = None) -> Notice:
    p = of or parts()
    composed = compose(p.commitment, p.agency, p.dialogue, None,
                       Delivery(rung, due_on, channel), today, BASE)
    return replace(composed, to=["vp@syt.gov.vn"])


def test_message_id_is_stable_per_delivery() -> None:
    """The same delivery composed on two days has one id (Message-ID and file name);
    another rung, channel or due date has another."""
    one = parts()
    monday = make_notice(Rung.OVERDUE, date(2025, 3, 10), of=one)
    tuesday = make_notice(Rung.OVERDUE, date(2025, 3, 11), of=one)
    assert monday.key == tuesday.key
    assert monday.text != tuesday.text  # days overdue differ; the id does not
    first = message(monday, "a@b")["Message-ID"]
    assert first == message(tuesday, "a@b")["Message-ID"] == f"<{monday.key}@commitments>"
    others = {
        make_notice(Rung.ESCALATION, date(2025, 4, 10), of=one).key,
        make_notice(Rung.OVERDUE, date(2025, 3, 10), channel=Channel.WEBHOOK, of=one).key,
        make_notice(Rung.OVERDUE, date(2025, 6, 10), due_on=date(2025, 6, 1), of=one).key,
        make_notice(Rung.OVERDUE, date(2025, 3, 10)).key,  # another commitment
    }
    assert monday.key not in others and len(others) == 4


def test_long_text_is_shortened_in_the_subject_only() -> None:
    n = make_notice(Rung.ESCALATION, date(2025, 4, 10))
    assert n.subject == "[Khẩn] Quá hạn 36 ngày, báo cáo lãnh đạo: " + "x" * 77 + "..."
    assert "x" * 100 in n.text


def test_writing_one_delivery_twice_leaves_one_file(tmp_path: Path) -> None:
    outbox = Outbox(MailSettings(outbox=tmp_path / "outbox", sender="a@b"))
    first = make_notice(Rung.OVERDUE, date(2025, 3, 10))
    again = replace(first, text=first.text.replace("Số ngày quá hạn: 5", "Số ngày quá hạn: 6"))
    assert first.text != again.text
    receipt = outbox(first)
    assert outbox(again) == receipt
    [file] = (tmp_path / "outbox").iterdir()
    assert str(file) == receipt and file.name == f"{first.key}.eml"
    assert "Số ngày quá hạn: 6" in plain(read_eml(file))


def test_outbox_that_cannot_be_written_is_a_delivery_failure(tmp_path: Path) -> None:
    """BUG (minor): Outbox.__call__ creates the folder outside its try, so a folder
    that cannot be made (here: a file in the way; in production, a read-only data
    dir) raises OSError instead of DeliveryFailed. The task then dies holding its
    claim, and after the lease the mail is settled as sent though it never was."""
    blocked = tmp_path / "outbox"
    blocked.write_text("not a folder", encoding="utf-8")
    outbox = Outbox(MailSettings(outbox=blocked, sender="a@b"))
    with pytest.raises(DeliveryFailed, match="outbox"):
        outbox(make_notice(Rung.OVERDUE, date(2025, 3, 10)))


def test_vi_date() -> None:
    assert vi_date(date(2025, 3, 5)) == "05/03/2025"
    assert vi_date(date(2025, 12, 31)) == "31/12/2025"
