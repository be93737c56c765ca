"""Issue 18 §1, the pure rules: how long the asker's links hold, when their
word may be given, what a contact is, and that a message is claimed once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.asker import FeedbackVerdict, check_feedback, contact_of
from domain.errors import InvalidInput, TransitionNotAllowed, VersionConflict
from domain.messages import Message, Purpose
from domain.reminders import Mark, Step
from domain.status import Status
from service.signed_links import FeedbackLink, LinkRefused, Links

DAY = 86_400.0
LINK = FeedbackLink(uuid4(), 3, uuid4(), FeedbackVerdict.CONTESTED)


def _links(at: float) -> Links:
    return Links("a secret of the service", now=lambda: at)


def test_a_link_holds_sixty_days_and_not_a_day_more() -> None:
    token = _links(1_700_000_000).feedback(LINK)
    assert _links(1_700_000_000 + 60 * DAY).read_feedback(token) == LINK
    with pytest.raises(LinkRefused, match="60 days"):
        _links(1_700_000_000 + 61 * DAY).read_feedback(token)


def test_a_link_altered_signed_otherwise_or_of_another_kind_is_refused() -> None:
    links = _links(1_700_000_000)
    token = links.feedback(LINK)
    confirm = links.feedback(FeedbackLink(LINK.commitment_id, 3, LINK.question_id,
                                          FeedbackVerdict.CONFIRMED))
    assert confirm != token
    # payload.timestamp.signature (a compressed payload starts with a dot)
    _, stamp, signature = token.rsplit(".", 2)
    # A character of the signature changed (not the last: its low bits are padding).
    altered = token[:-5] + ("B" if token[-5] == "A" else "A") + token[-4:]
    for bad in (f"{confirm.rsplit('.', 2)[0]}.{stamp}.{signature}", altered,
                Links("another secret", now=lambda: 1_700_000_000).feedback(LINK)):
        with pytest.raises(LinkRefused):
            links.read_feedback(bad)
    other_kind = links.sign("follow", {"c": str(LINK.commitment_id)})
    with pytest.raises(LinkRefused):
        links.read_feedback(other_kind)


@pytest.mark.parametrize("status", [Status.FULFILLED, Status.PARTIALLY_FULFILLED,
                                    Status.DECLINED])
def test_the_asker_answers_the_latest_claim_once(status: Status) -> None:
    check_feedback(status, 5, 5, None, FeedbackVerdict.CONFIRMED, None)
    check_feedback(status, 5, 5, None, FeedbackVerdict.CONTESTED, "Chưa làm")
    with pytest.raises(InvalidInput, match="note"):
        check_feedback(status, 5, 5, None, FeedbackVerdict.CONTESTED, "  ")
    with pytest.raises(TransitionNotAllowed, match="latest mail"):
        check_feedback(status, 7, 5, None, FeedbackVerdict.CONFIRMED, None)
    given = {"verdict": "confirmed", "on": datetime(2024, 9, 1).date(), "note": None}
    with pytest.raises(TransitionNotAllowed, match="already confirmed"):
        check_feedback(status, 5, 5, given, FeedbackVerdict.CONTESTED, "x")


@pytest.mark.parametrize("status", [Status.OPEN, Status.IN_PROGRESS, Status.WITHDRAWN,
                                    Status.TRANSFERRED])
def test_there_is_nothing_to_answer_without_a_claim(status: Status) -> None:
    with pytest.raises(TransitionNotAllowed, match="no claim"):
        check_feedback(status, 5, 5, None, FeedbackVerdict.CONFIRMED, None)


def test_a_contact_is_an_address_a_phone_or_nothing() -> None:
    assert contact_of({"email": " Nga@Example.VN ", "phone": ""}) == {"email": "nga@example.vn"}
    assert contact_of({"phone": "+84 912.345-678"}) == {"phone": "+84 912.345-678"}
    assert contact_of({"email": "", "phone": None}) is None
    assert contact_of(None) is None
    for bad in ("0912", "gọi tôi", "0912345678901234567890123"):
        with pytest.raises(InvalidInput):
            contact_of({"phone": bad})


def test_a_message_is_claimed_by_one_sender_and_never_sent_twice() -> None:
    now, lease = datetime(2024, 9, 1, tzinfo=UTC), timedelta(minutes=15)
    message = Message(key="answered:a:q", purpose=Purpose.ANSWERED.value, about={})
    assert message.step("t1", now, lease) is Step.SEND
    message.claim(claim="t1", attempt=0, at=now, lease=lease)
    assert message.step("t2", now + timedelta(minutes=1), lease) is Step.WAIT
    with pytest.raises(VersionConflict):
        message.claim(claim="t2", attempt=0, at=now, lease=lease)
    # The same task again (redelivered after it died), or anyone after the lease.
    assert message.step("t1", now, lease) is Step.SETTLE
    assert message.step("t2", now + timedelta(minutes=16), lease) is Step.SETTLE
    message.attempt_failed(claim="t1", attempt=0, error="SMTP down", at=now)
    assert message.step("t1", now, lease) is Step.SEND
    assert message.step("t2", now, lease) is Step.WAIT
    message.close(Mark.SENT, now, receipt="<id@commitments>")
    assert message.step("t2", now, lease) is Step.DONE and not message.is_open
