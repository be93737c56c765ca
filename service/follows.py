"""Following a promise, an agency or a dialogue by mail: the sign-up (held
to its rate limits), the signed links that confirm and end it, the mails of
each public change, and what those mails say."""

from __future__ import annotations

from datetime import timedelta
from html import escape
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.access import Actor, Role
from domain.agency import Agency, agency_id
from domain.commitment import Commitment
from domain.dialogue import Answer, AskerKind, Dialogue, Question, in_public, named
from domain.errors import DomainError
from domain.follow import Follow, Followed, FollowState
from domain.messages import Message, Purpose, message_id
from service.application import Commitments
from service.commands import ConfirmFollow, EndFollow, RequestFollow
from service.feeds import PUBLIC_CHANGE, SHOWN_ANSWER, Spoken
from service.handlers import load
from service.lockout import Lockout
from service.messages import Outgoing
from service.notices import STATUS_VI
from service.queries import Queries
from service.signed_links import Links

READER = Actor(Role.PUBLIC, via="public")
# A confirmation link is for now; an unsubscribe link works as long as mails come.
CONFIRM_VALIDITY = timedelta(days=7)
END_VALIDITY = timedelta(days=3650)

EVENT_VI = {
    "Made": "Cam kết mới", "Confirmed": "Được xác nhận là cam kết",
    "ProgressReported": "Báo cáo tiến độ", "DeadlineExtended": "Gia hạn",
    "ExtensionRequested": "Cơ quan đề nghị gia hạn",
    "ExtensionDecided": "Quyết định về đề nghị gia hạn", "Corrected": "Đính chính hồ sơ",
    "Fulfilled": "Cơ quan báo cáo đã thực hiện",
    "PartiallyFulfilled": "Cơ quan báo cáo thực hiện một phần",
    "Declined": "Cơ quan từ chối thực hiện", "Withdrawn": "Rút cam kết",
    "Transferred": "Chuyển giao cho cơ quan khác", "VerdictGiven": "Công đoàn kết luận",
    "AskerConfirmed": "Người hỏi xác nhận kết quả",
    "AskerContested": "Người hỏi phản hồi không đúng",
    "CarriedOver": "Chuyển sang hội nghị sau",
}
# The asker's kind as a dialogue's page names it, after the name (a person's goes unsaid).
ASKER_VI = {AskerKind.GROUP.value: "nhóm, tập thể", AskerKind.BODY.value: "cơ quan, tổ chức"}
# Every public change of a promise a confirmed follow covers, recorded after
# it was confirmed, that no mail was opened for yet (log order).
_OWED = f"""
    SELECT f.id AS follow_id, h.commitment_id AS commitment_id, h.version AS version
    FROM rm_follows f JOIN rm_commitments c ON
        (f.kind = 'commitment' AND c.id = f.target) OR (f.kind = 'agency' AND c.agency = f.target)
        OR (f.kind = 'dialogue' AND c.dialogue_id = f.target)
    JOIN rm_history h ON h.commitment_id = c.id
    WHERE f.active = 1 AND h.recorded_at > f.since AND {PUBLIC_CHANGE}
      AND NOT EXISTS (SELECT 1 FROM rm_follow_mails m WHERE m.follow_id = f.id
                      AND m.commitment_id = h.commitment_id AND m.version = h.version)
    ORDER BY h.recorded_at LIMIT :limit"""
# Every question asked and every answer given at a dialogue a confirmed
# follow covers, as its page shows them (as its feed lists them), recorded
# after it was confirmed, that no mail was opened for yet. An answer dated
# later than today is owed once that day comes, as the page then shows it.
_SAID_OWED = f"""
    SELECT f.id AS follow_id, '{Spoken.ASKED.value}' AS said, q.id AS said_id,
        q.recorded_at AS recorded_at
    FROM rm_follows f JOIN rm_questions q ON q.dialogue_id = f.target
    WHERE f.kind = 'dialogue' AND f.active = 1 AND q.recorded_at > f.since
      AND NOT EXISTS (SELECT 1 FROM rm_follow_said m WHERE m.follow_id = f.id
                      AND m.said_id = q.id)
    UNION ALL
    SELECT f.id, '{Spoken.ANSWERED.value}', a.id, a.recorded_at
    FROM rm_follows f JOIN rm_answers a ON a.dialogue_id = f.target
    WHERE f.kind = 'dialogue' AND f.active = 1 AND a.recorded_at > f.since AND {SHOWN_ANSWER}
      AND NOT EXISTS (SELECT 1 FROM rm_follow_said m WHERE m.follow_id = f.id
                      AND m.said_id = a.id)
    ORDER BY recorded_at LIMIT :limit"""


class TooManySignUps(DomainError):
    code = "too_many_requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many sign-ups lately: try again in {retry_after} seconds")
        self.retry_after = retry_after


class LinkOutdated(DomainError):
    """A confirmation link from before the follow was asked for again, or ended."""

    code = "link_outdated"


class Follows:
    def __init__(self, app: Commitments, lockout: Lockout | None = None) -> None:
        self.app = app
        self.lockout = lockout
        self.links = Links(app.settings.session_secret())

    def request(self, *, client: str, email: str, kind: Followed, target: str) -> None:
        """Ask for a follow: counted against the address and the client first
        (TooManySignUps when either is full), then its confirmation mail."""
        if self.lockout is not None:
            attempt = self.lockout.follow_sign_up(client, email)
            if attempt.refused:
                raise TooManySignUps(attempt.retry_after)
        self.app.execute(RequestFollow(email.strip().lower(), kind, target), READER)

    def confirm(self, token: str) -> Follow:
        found = self.links.read("follow-confirm", token, CONFIRM_VALIDITY)
        outcome = self.app.execute(ConfirmFollow(UUID(found["f"]), int(found["n"])), READER)
        follow: Follow = self.app.result(outcome)
        if follow.state is not FollowState.ACTIVE:
            raise LinkOutdated("this link is from an earlier sign-up: use the latest mail, "
                               "or sign up again")
        return follow

    def end(self, token: str) -> Follow:
        found = self.links.read("follow-end", token, END_VALIDITY)
        follow: Follow = self.app.result(self.app.execute(EndFollow(UUID(found["f"])), READER))
        return follow

    def about(self, token: str, kind: str) -> Follow:
        """The follow a link stands for, without acting on it (a page's GET)."""
        validity = CONFIRM_VALIDITY if kind == "follow-confirm" else END_VALIDITY
        found = self.links.read(kind, token, validity)
        return load(self.app.repository, Follow, UUID(found["f"]))

    def fan_out(self, queries: Queries, limit: int = 1000) -> int:
        """Open a mail for each public change owed to a confirmed follower
        (and each question asked and answer given at a followed dialogue);
        each is opened once (its stream's id is the follower and the change)."""
        return sum(self._open(purpose, key, about)
                   for purpose, key, about in self.owed(queries, limit))

    def owed(self, queries: Queries, limit: int = 1000
             ) -> list[tuple[Purpose, str, dict[str, str]]]:
        """The mails owed to followers that the tables show no mail opened
        for yet: each one's purpose, key and what it is about."""
        queries.fresh()
        owed: list[tuple[Purpose, str, dict[str, str]]] = [
            (Purpose.FOLLOW_CHANGE, f"{row['commitment_id']}:{row['version']}", {
                "follow_id": str(row["follow_id"]), "commitment_id": str(row["commitment_id"]),
                "version": str(row["version"])})
            for row in queries.view.rows(_OWED, limit=limit)]
        owed += [
            (Purpose.FOLLOW_SAID, str(row["said_id"]), {
                "follow_id": str(row["follow_id"]), "said": str(row["said"]),
                "said_id": str(row["said_id"])})
            for row in queries.view.rows(_SAID_OWED, today=queries.app.clock(), limit=limit)]
        return [(purpose, f"{purpose.value}:{about['follow_id']}:{change}", about)
                for purpose, change, about in owed]

    def _open(self, purpose: Purpose, key: str, about: dict[str, str]) -> bool:
        if message_id(key) in self.app.repository:
            return False  # opened, and not yet in the read model
        try:
            self.app.save(Message(key=key, purpose=purpose.value, about=about))
        except IntegrityError:
            return False  # another scan opened it first
        return True


# -- what the mails say ---------------------------------------------------------------


def _followed(app: Commitments, follow: Follow) -> tuple[str, str]:
    """What is followed, named, and its public page."""
    base = app.settings.public_base_url
    if follow.kind is Followed.AGENCY:
        agency: Agency = app.get(agency_id(follow.target))
        return f"cơ quan {agency.name}", f"{base}/reports/agencies/{agency.code}"
    if follow.kind is Followed.DIALOGUE:
        dialogue: Dialogue = app.get(UUID(follow.target))
        return f"hội nghị \u201c{dialogue.title}\u201d", f"{base}/reports/dialogues/{dialogue.id}"
    commitment: Commitment = app.get(UUID(follow.target))
    return (f"cam kết \u201c{_short(commitment.text)}\u201d",
            f"{base}/reports/commitments/{commitment.id}")


def _short(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def _html(paragraphs: list[str], links: list[tuple[str, str]]) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    body += "".join(f'<p><a href="{escape(url)}">{escape(label)}</a></p>' for label, url in links)
    return f'<!doctype html><html lang="vi"><meta charset="utf-8"><body>{body}</body></html>'


def follow_confirm(app: Commitments, message: Message) -> Outgoing | None:
    follow: Follow = app.get(UUID(message.about["follow_id"]))
    if follow.state is not FollowState.PENDING or str(follow.requests) != message.about[
            "request"]:
        return None  # confirmed, ended or asked again since: nothing to confirm by this mail
    what, page = _followed(app, follow)
    token = Links(app.settings.session_secret()).sign(
        "follow-confirm", {"f": str(follow.id), "n": follow.requests})
    link = f"{app.settings.public_base_url}/reports/follows/confirm/{token}"
    paragraphs = [f"Có người (có thể là ông/bà) đã đăng ký nhận thư khi {what} có thay đổi.",
                  "Nếu đúng là ông/bà, xin bấm đường dẫn dưới đây trong 7 ngày để bắt đầu. "
                  "Nếu không, xin bỏ qua thư này: sẽ không có thư nào khác.",
                  f"Trang công khai: {page}"]
    return Outgoing(key=message.key, to=[follow.email],
                    subject=f"[Theo dõi] Xác nhận theo dõi {what}",
                    text="\n\n".join([*paragraphs, f"Xác nhận theo dõi: {link}"]) + "\n",
                    html=_html(paragraphs, [("Xác nhận theo dõi", link)]))


def _active(app: Commitments, message: Message) -> Follow | None:
    follow: Follow = app.get(UUID(message.about["follow_id"]))
    return follow if follow.state is FollowState.ACTIVE else None  # else ended since


def _change_mail(app: Commitments, follow: Follow, message: Message, subject: str,
                 paragraphs: list[str], tag: str = "Theo dõi") -> Outgoing:
    """A mail of a change to a follower: why it came, and how to stop them
    in one click (the link, and RFC 8058's headers). `tag` heads the
    subject, in brackets, as a mailing list's name does."""
    what, _ = _followed(app, follow)
    token = Links(app.settings.session_secret()).sign("follow-end", {"f": str(follow.id)})
    stop = f"{app.settings.public_base_url}/reports/follows/end/{token}"
    paragraphs = [*paragraphs, f"Ông/bà nhận thư này vì đã đăng ký theo dõi {what}."]
    headers: dict[str, Any] = {"List-Unsubscribe": f"<{stop}>",
                               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return Outgoing(key=message.key, to=[follow.email], subject=f"[{tag}] {subject}",
                    text="\n\n".join([*paragraphs, f"Ngừng nhận thư: {stop}"]) + "\n",
                    html=_html(paragraphs, [("Ngừng nhận thư", stop)]), headers=headers)


def follow_change(app: Commitments, message: Message) -> Outgoing | None:
    follow = _active(app, message)
    if follow is None:
        return None
    version = int(message.about["version"])
    commitment: Commitment = app.get(UUID(message.about["commitment_id"]), version)
    [change] = app.events.get(commitment.id, gt=version - 1, lte=version)
    page = f"{app.settings.public_base_url}/reports/commitments/{commitment.id}"
    label = EVENT_VI.get(type(change).__name__, type(change).__name__)
    return _change_mail(app, follow, message, f"{label}: {_short(commitment.text)}", [
        f"{label} ({commitment.agency}, ngày {commitment.effective_on.strftime('%d/%m/%Y')}):",
        commitment.text,
        f"Tình trạng: {STATUS_VI.get(commitment.status.value, commitment.status.value)}; "
        f"hạn {commitment.due_on.strftime('%d/%m/%Y')}.",
        f"Xem: {page}",
    ])


def _who(person: dict[str, Any]) -> str:
    """Who spoke, as the dialogue's page and its feed name them: never how
    to reach them."""
    shown = in_public(person)
    kind = ASKER_VI.get(shown.get("kind", ""))
    return named(shown) + (f" ({kind})" if kind else "")


def follow_said(app: Commitments, message: Message) -> Outgoing | None:
    """A question asked or an answer given at a followed dialogue, linked to
    the question on the dialogue's page."""
    follow = _active(app, message)
    if follow is None:
        return None
    said_id = UUID(message.about["said_id"])
    if message.about["said"] == Spoken.ASKED.value:
        question: Question = app.get(said_id)
        heading, text = f"Câu hỏi của {_who(question.asker)}", question.text
        about: list[str] = []
    else:
        answer: Answer = app.get(said_id)
        # The first question it addresses: where the page shows it.
        question = app.get(answer.question_ids[0])
        heading, text = f"Trả lời của {_who(answer.responder)}", answer.text
        about = [f"Về câu hỏi của {_who(question.asker)}: {_short(question.text)}"]
    page = f"{app.settings.public_base_url}/reports/dialogues/{follow.target}#q-{question.id}"
    # Which dialogue, in the subject: a reader may follow several at once.
    dialogue: Dialogue = app.get(UUID(follow.target))
    return _change_mail(app, follow, message, f"{heading}: {_short(text)}",
                        [f"{heading}:", text, *about, f"Xem: {page}"],
                        tag=f"Theo dõi: {_short(dialogue.title, 48)}")
