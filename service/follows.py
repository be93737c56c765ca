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
from domain.dialogue import Dialogue
from domain.errors import DomainError
from domain.follow import Follow, Followed, FollowState
from domain.messages import Message, Purpose, message_id
from service.application import Commitments
from service.commands import ConfirmFollow, EndFollow, RequestFollow
from service.disclosure import PUBLIC_CHANGES
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
_WORDS = ", ".join(f"'{name}'" for name in sorted(PUBLIC_CHANGES))
# Every public change of a promise a confirmed follow covers, recorded after
# it was confirmed, that no mail was opened for yet (log order).
_OWED = f"""
    SELECT f.id AS follow_id, h.commitment_id AS commitment_id, h.version AS version
    FROM rm_follows f JOIN rm_commitments c ON
        (f.kind = 'commitment' AND c.id = f.target) OR (f.kind = 'agency' AND c.agency = f.target)
        OR (f.kind = 'dialogue' AND c.dialogue_id = f.target)
    JOIN rm_history h ON h.commitment_id = c.id
    WHERE f.active = 1 AND h.recorded_at > f.since AND h.event IN ({_WORDS})
      AND h.status NOT IN ('proposed', 'rejected')
      AND NOT EXISTS (SELECT 1 FROM rm_follow_mails m WHERE m.follow_id = f.id
                      AND m.commitment_id = h.commitment_id AND m.version = h.version)
    ORDER BY h.recorded_at LIMIT :limit"""


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
        """Open a mail for each public change owed to a confirmed follower;
        each is opened once (its stream's id is the follower and the change)."""
        queries.fresh()
        opened = 0
        for row in queries.view.rows(_OWED, limit=limit):
            key = (f"{Purpose.FOLLOW_CHANGE.value}:{row['follow_id']}:{row['commitment_id']}:"
                   f"{row['version']}")
            if message_id(key) in self.app.repository:
                continue  # opened, and not yet in the read model
            try:
                self.app.save(Message(key=key, purpose=Purpose.FOLLOW_CHANGE.value, about={
                    "follow_id": str(row["follow_id"]),
                    "commitment_id": str(row["commitment_id"]),
                    "version": str(row["version"])}))
            except IntegrityError:
                continue  # another scan opened it first
            opened += 1
        return opened


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


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


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


def follow_change(app: Commitments, message: Message) -> Outgoing | None:
    follow: Follow = app.get(UUID(message.about["follow_id"]))
    if follow.state is not FollowState.ACTIVE:
        return None  # ended since
    version = int(message.about["version"])
    commitment: Commitment = app.get(UUID(message.about["commitment_id"]), version)
    [change] = app.events.get(commitment.id, gt=version - 1, lte=version)
    what, _ = _followed(app, follow)
    base = app.settings.public_base_url
    token = Links(app.settings.session_secret()).sign("follow-end", {"f": str(follow.id)})
    stop = f"{base}/reports/follows/end/{token}"
    page = f"{base}/reports/commitments/{commitment.id}"
    label = EVENT_VI.get(type(change).__name__, type(change).__name__)
    paragraphs = [
        f"{label} ({commitment.agency}, ngày {commitment.effective_on.strftime('%d/%m/%Y')}):",
        commitment.text,
        f"Tình trạng: {STATUS_VI.get(commitment.status.value, commitment.status.value)}; "
        f"hạn {commitment.due_on.strftime('%d/%m/%Y')}.",
        f"Xem: {page}",
        f"Ông/bà nhận thư này vì đã đăng ký theo dõi {what}.",
    ]
    headers: dict[str, Any] = {"List-Unsubscribe": f"<{stop}>",
                               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return Outgoing(key=message.key, to=[follow.email],
                    subject=f"[Theo dõi] {label}: {_short(commitment.text)}",
                    text="\n\n".join([*paragraphs, f"Ngừng nhận thư: {stop}"]) + "\n",
                    html=_html(paragraphs, [("Ngừng nhận thư", stop)]), headers=headers)
