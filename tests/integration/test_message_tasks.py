"""Issue 18: the mails to the person who asked, sent by a real Celery worker
(an OS process) that takes `messages.scan` and `messages.send` from a real
broker (Redis) and hands each mail to a real SMTP server, on PostgreSQL.

The asker is told their question was answered, then asked to confirm the
agency's claim by one of two signed links; a scan run twice over the same
open message (a retried scan, two beats) still sends it once.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest

from domain.access import Actor, Role
from domain.asker import FeedbackVerdict
from domain.deadlines import Kind
from domain.status import Action
from service.commands import AskQuestion, GiveAnswer, MakeCommitment
from service.signed_links import FeedbackLink, Links
from tests.integration import test_reminders
from tests.integration.test_reminders import Stack, agency, day, dialogue, python_folded, update

pytestmark = pytest.mark.integration

# The reminders' fixture: a database, a broker and an SMTP server of the
# test's own, and the processes it starts.
stack = test_reminders.stack

ADMIN = Actor(role=Role.ADMIN)
ASKER = "mai.ha@example.vn"
BASE = "https://doithoai.example.vn"
LINK = re.compile(re.escape(BASE) + r"/reports/asker/([\w.\-]+)")


def scan(s: Stack, times: int = 1) -> list[str]:
    """Queue `times` message scans at once through the broker; wait until
    they and every send they queued are done. The sends' results."""
    tasks = s.tasks()
    before = tasks.of("messages.send", tasks.succeeded)
    ids = [s.client.send_task("messages.scan").id for _ in range(times)]
    queued = sum(int(s.wait_until(lambda i=i: s.tasks().succeeded.get(i), f"scan {i}")[0])
                 for i in ids)

    def sends() -> tuple[list[str]] | None:
        tasks = s.tasks()
        done = tasks.of("messages.send", tasks.succeeded) - before
        if len(done) < queued or not tasks.idle:
            return None
        return ([result for i in done for result in tasks.succeeded[i]],)

    [found] = s.wait_until(sends, f"the {queued} sends")
    return found


def test_the_asker_is_mailed_once_by_a_real_worker(stack: Callable[..., Stack]) -> None:
    secret = f"secret-{uuid.uuid4().hex}"
    s = stack("redis", PUBLIC_BASE_URL=BASE, SECRET_KEY=secret)
    code = agency(s, "SXD", [])
    talk = dialogue(s, day(-10))
    question = s.app.execute(AskQuestion(
        dialogue_id=talk, asker={"name": "Chị Hà Thị Mai"}, addressed_to=[code],
        text="Khi nào có nhà ở xã hội cho công nhân?", contact={"email": ASKER}),
        ADMIN).aggregate_id
    answer = s.app.execute(GiveAnswer(
        question_ids=[question], responder={"name": "Ông Lê Văn B", "agency": code},
        text="Sở sẽ công bố danh sách dự án trong quý II."), ADMIN).aggregate_id
    promise = s.app.execute(MakeCommitment(
        agency=code, kind=Kind.REVIEW, answer_id=answer,
        text="Công bố danh sách dự án nhà ở xã hội"), ADMIN).aggregate_id
    s.worker("worker")

    assert [r.split(":")[0] for r in scan(s)] == ["'sent"], s.logs()
    [answered] = s.smtp.received
    subject = "[Đối thoại] Câu hỏi của ông/bà đã được trả lời: Đối thoại công nhân lao động"
    assert answered.rcpt_tos == (ASKER,)
    assert answered.header("Subject") in (subject, python_folded(subject))
    assert "Sở sẽ công bố danh sách dự án trong quý II." in answered.text

    update(s, promise, Action.FULFIL, evidence=[{"title": "Thông báo 4/TB-SXD"}])
    # Two scans before the first send is done: each may queue a send of the
    # same message; one sends it, the other finds it sent (or never runs).
    outcomes = sorted(r.split(":")[0] for r in scan(s, times=2))
    assert outcomes in (["'sent"], ["'done", "'sent"], ["'sent", "'wait"]), s.logs()
    assert scan(s) == []  # nothing left open
    assert len(s.smtp.received) == 2, [m.header("Subject") for m in s.smtp.received]
    claimed = s.smtp.received[1]
    subject = "[Đối thoại] Xin ông/bà xác nhận kết quả: Công bố danh sách dự án nhà ở xã hội"
    assert claimed.header("Subject") in (subject, python_folded(subject))
    assert claimed.rcpt_tos == (ASKER,) and "Thông báo 4/TB-SXD" in claimed.text
    assert claimed.header("Message-ID") != answered.header("Message-ID")
    confirm, contest = LINK.findall(claimed.text)
    version = s.app.repository.get(promise).version
    links = Links(secret)
    assert links.read_feedback(confirm) == FeedbackLink(promise, version, question,
                                                       FeedbackVerdict.CONFIRMED)
    assert links.read_feedback(contest) == FeedbackLink(promise, version, question,
                                                       FeedbackVerdict.CONTESTED)
