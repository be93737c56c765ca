"""Reminders delivered by the service, in process on SQLite, with fake senders
that record what they were given: the ladder walked over the days, who gets
each rung, at most one message per delivery (repeats, two senders, a race),
failures and retries, the settling of claims left by dead senders, extensions,
and what the read model says."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import AggregateNotFoundError

from domain.access import Actor, Role
from domain.commitment import Commitment
from domain.deadlines import Kind
from domain.delivery import ReminderDelivery, delivery_id
from domain.errors import VersionConflict
from domain.reminders import Channel, Delivery, Rung
from domain.status import Action
from service import commands as c
from service.application import Commitments
from service.bootstrap import build, build_queries
from service.notices import Notice
from service.queries import Queries
from service.reminders import DeliveryFailed, Due, Reminders, Report
from service.settings import Settings
from tests.support.clock import FixedClock
from tests.support.deliveries import delivery_events

ADMIN = Actor(Role.ADMIN)
HELD_ON = date(2025, 2, 1)
DUE = date(2025, 3, 5)
DUE_SOON_DAY, OVERDUE_DAY, ESCALATION_DAY = date(2025, 2, 26), date(2025, 3, 6), date(2025, 4, 4)
AUDITORS = "kiemtra@congdoan.vn"
CHAIR = "chutoa@ubnd.gov.vn"
CHAIR_OFFICE = "vanphong@ubnd.gov.vn"
OFFICE, HEAD = "vp@syt.gov.vn", "gd@syt.gov.vn"
T0 = datetime(2025, 2, 26, 1, 0, tzinfo=UTC)
LEASE = timedelta(minutes=15)


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


class Now:
    """The senders' clock, moved by the tests."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class WorkerLost(Exception):
    """Stands for a worker killed while a sender was at work."""


@dataclass
class FakeSender:
    """Records each notice it is given; can fail, or run something first."""

    sent: list[Notice] = field(default_factory=list)
    fail: str | None = None
    crash: bool = False
    before: Callable[[Notice], None] | None = None

    def __call__(self, notice: Notice) -> str | None:
        if self.before is not None:
            hook, self.before = self.before, None
            hook(notice)
        if self.crash:
            self.crash = False
            raise WorkerLost(notice.key)
        if self.fail is not None:
            raise DeliveryFailed(self.fail)
        self.sent.append(notice)
        return f"receipt {len(self.sent)}"


@dataclass
class World:
    app: Commitments
    queries: Queries
    clock: FixedClock
    now: Now
    mail: FakeSender
    hook: FakeSender
    dialogue: UUID  # chaired by CHAIR
    plain_dialogue: UUID  # no chair e-mail: the chair's office gets escalations

    def reminders(self, now: Callable[[], datetime] | None = None) -> Reminders:
        return Reminders(self.app, self.queries,
                         {Channel.EMAIL: self.mail, Channel.WEBHOOK: self.hook},
                         now=now or self.now)

    def sent(self) -> list[Notice]:
        return [*self.mail.sent, *self.hook.sent]

    def run(self, day: date, claim: str | None = None) -> list[Notice]:
        """One beat: scan on `day` and deliver each due reminder; what was sent."""
        self.clock.today = day
        before = len(self.sent())
        reminders = self.reminders()
        for due in reminders.scan(day):
            reminders.deliver(due, today=day, claim=claim or f"task-{day}-{due.commitment_id}",
                              attempt=0, final=False)
        return self.sent()[before:]

    def commit(self, agency: str = "SYT", due_on: date = DUE, dialogue: UUID | None = None,
               proposed: bool = False) -> UUID:
        return self.app.execute(
            c.MakeCommitment(agency, f"Sẽ báo cáo kết quả ({agency}).", Kind.REPORT,
                             dialogue_id=dialogue or self.dialogue, due_on=due_on,
                             proposed=proposed), ADMIN).aggregate_id

    def update(self, commitment_id: UUID, action: Action, **kwargs: Any) -> None:
        self.app.execute(c.UpdateCommitment(commitment_id, action, **kwargs), ADMIN)

    def get(self, commitment_id: UUID) -> Commitment:
        found: object = self.app.repository.get(commitment_id)
        assert isinstance(found, Commitment)
        return found

    def history(self, commitment_id: UUID) -> list[tuple[str, dict[str, Any]]]:
        return [(e.type, e.data) for e in self.queries.history(commitment_id)]

    def reminder_events(self, commitment_id: UUID) -> list[tuple[str, str, str]]:
        return [(t, d["rung"], d["channel"]) for t, d in self.history(commitment_id)
                if t.startswith("Reminder")]

    def deliveries(self, commitment_id: UUID) -> list[tuple[str, str, str, dict[str, Any]]]:
        """The sender's bookkeeping, in the deliveries' own streams."""
        return [(e.type, e.rung, e.channel, e.data)
                for e in delivery_events(self.app, commitment_id)]

    def claims(self, commitment_id: UUID) -> list[tuple[str, int]]:
        return [(d["claim"], d["attempt"]) for t, _, _, d in self.deliveries(commitment_id)
                if t == "Claimed"]

    def scan_is_done(self, day: date) -> bool:
        return self.reminders().scan(day) == []

    def pending(self, commitment_id: UUID) -> int:
        """Deliveries begun and not finished, as the scan sees them."""
        return len(self.queries.open_deliveries(commitment_id))

    def claim_directly(self, commitment_id: UUID, delivery: Delivery, claim: str,
                       at: datetime, attempt: int = 0) -> None:
        """What a sender does before sending, and nothing after (it died)."""
        try:
            ledger: ReminderDelivery = self.app.repository.get(
                delivery_id(commitment_id, delivery))
        except AggregateNotFoundError:
            ledger = ReminderDelivery.open(commitment_id, delivery)
        ledger.claim(self.get(commitment_id).reminders_of(delivery), recipient=OFFICE,
                     claim=claim, attempt=attempt, at=at, lease=LEASE)
        self.app.save(ledger)

    def claim_in_the_commitment(self, commitment_id: UUID, delivery: Delivery, claim: str,
                                at: datetime) -> None:
        """A claim as versions before delivery streams recorded it: in the
        commitment's own stream (old logs hold such claims)."""
        commitment = self.get(commitment_id)
        commitment._reminder_claimed(rung=delivery.rung.value, due_on=delivery.due_on,
                                     channel=delivery.channel.value, recipient=OFFICE,
                                     claim=claim, attempt=0, at=at)
        self.app.save(commitment)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    settings = Settings.from_env({
        "COMMITMENTS_DATA_DIR": str(tmp_path),
        "UNION_AUDITORS_EMAIL": AUDITORS,
        "CHAIR_OFFICE_EMAIL": CHAIR_OFFICE,
    })
    clock = FixedClock(date(2025, 2, 10))
    app = build(settings, clock=clock)
    queries = build_queries(app)
    app.execute(c.RegisterAgency("SYT", "Sở Y tế", contacts=[
        {"email": OFFICE, "role": "văn phòng"}, {"email": HEAD, "role": "head"}]), ADMIN)
    app.execute(c.RegisterAgency("STC", "Sở Tài chính", contacts=[
        {"email": "VP@stc.gov.vn"}, {"email": "gd@stc.gov.vn", "role": "Giám đốc"}]), ADMIN)
    app.execute(c.RegisterAgency("SXD", "Sở Xây dựng", contacts=[{"email": "vp@sxd.gov.vn"}],
                                 webhook_url="https://hooks.sxd.gov.vn/nhac-viec"), ADMIN)
    app.execute(c.RegisterAgency("SNV", "Sở Nội vụ"), ADMIN)  # nobody to tell
    dialogue = app.execute(c.RecordDialogue("Đối thoại 2025", HELD_ON, chair_email=CHAIR),
                           ADMIN).aggregate_id
    plain = app.execute(c.RecordDialogue("Đối thoại quý I", HELD_ON), ADMIN).aggregate_id
    yield World(app, queries, clock, Now(T0), FakeSender(), FakeSender(), dialogue, plain)
    queries.close()
    app.close()


def rungs(notices: list[Notice]) -> list[Rung]:
    return [n.rung for n in notices]


# -- the ladder over the days -------------------------------------------------------------


def test_each_rung_is_sent_once_in_order_to_its_recipients(world: World) -> None:
    """Beating daily from 20/02 to 20/04: due_soon on 26/02 to the contacts,
    overdue on 06/03 with the union's auditors in cc, escalation on 04/04 to the
    head and the dialogue's chair; a second beat on the same day sends nothing."""
    cid = world.commit()
    sent_on: dict[date, list[Notice]] = {}
    for day in days(date(2025, 2, 20), date(2025, 4, 20)):
        found = world.run(day)
        if found:
            sent_on[day] = found
        assert world.run(day, claim=f"second-beat-{day}") == []
    assert {d: rungs(n) for d, n in sent_on.items()} == {
        DUE_SOON_DAY: [Rung.DUE_SOON], OVERDUE_DAY: [Rung.OVERDUE],
        ESCALATION_DAY: [Rung.ESCALATION]}
    due_soon, overdue, escalation = (sent_on[d][0] for d in sorted(sent_on))
    assert (due_soon.to, due_soon.cc) == ([OFFICE, HEAD], [])
    assert (overdue.to, overdue.cc) == ([OFFICE, HEAD], [AUDITORS])
    assert escalation.to == [HEAD, CHAIR]
    assert all(n.payload["commitment"]["id"] == str(cid) for n in world.sent())
    # The history tells who was told; the claims are in the deliveries' streams.
    assert world.reminder_events(cid) == [
        ("ReminderSent", "due_soon", "email"), ("ReminderSent", "overdue", "email"),
        ("ReminderSent", "escalation", "email")]
    assert [(t, r) for t, r, _, _ in world.deliveries(cid)] == [
        ("Claimed", "due_soon"), ("Closed", "due_soon"), ("Claimed", "overdue"),
        ("Closed", "overdue"), ("Claimed", "escalation"), ("Closed", "escalation")]
    assert world.get(cid).version == 4  # made, and three reminders sent
    assert world.queries.commitment(cid).reminders_sent == 3


def test_escalation_goes_to_the_chairs_office_when_the_dialogue_names_no_chair(
        world: World) -> None:
    """A head found by an accented role ("Giám đốc"), addresses lower-cased, and
    CHAIR_OFFICE_EMAIL for a dialogue without chair_email. First beat 40 days late:
    only the escalation, never the stale rungs."""
    cid = world.commit("STC", dialogue=world.plain_dialogue)
    late = DUE + timedelta(days=40)
    sent = world.run(late)
    assert rungs(sent) == [Rung.ESCALATION]
    assert sent[0].to == ["gd@stc.gov.vn", CHAIR_OFFICE]
    assert sent[0].payload["commitment"]["days_overdue"] == 40
    assert world.run(late + timedelta(days=1)) == []
    assert [r for _, r, _ in world.reminder_events(cid)] == ["escalation"]


def test_nothing_before_the_due_soon_day(world: World) -> None:
    world.commit()
    for day in days(date(2025, 2, 10), DUE_SOON_DAY - timedelta(days=1)):
        assert world.run(day) == []
    assert world.reminders().scan(DUE_SOON_DAY - timedelta(days=1)) == []


# -- at most one message per delivery ---------------------------------------------------------


def test_two_senders_one_after_the_other_send_once(world: World) -> None:
    """The same Due delivered by two instances (two task ids): the second finds the
    reminder begun and sends nothing."""
    cid = world.commit()
    [due] = world.reminders().scan(DUE_SOON_DAY)
    assert due == Due(cid, DUE, Rung.DUE_SOON)
    first = world.reminders().deliver(due, today=DUE_SOON_DAY, claim="t1", attempt=0,
                                      final=False)
    second = world.reminders().deliver(due, today=DUE_SOON_DAY, claim="t2", attempt=0,
                                       final=False)
    assert first.sent == [Delivery(Rung.DUE_SOON, DUE, Channel.EMAIL)]
    assert second.sent == second.settled == [] and second.failed == []
    assert len(world.mail.sent) == 1
    assert len(world.reminder_events(cid)) == 1
    assert world.claims(cid) == [("t1", 0)]


def test_a_sender_finding_a_claim_being_sent_waits(world: World) -> None:
    """While t1 holds the claim and is sending, t2 delivering the same Due finds
    the fresh claim: it sends nothing and records nothing."""
    cid = world.commit()
    [due] = world.reminders().scan(DUE_SOON_DAY)
    seen: dict[str, Any] = {}

    def meanwhile(notice: Notice) -> None:
        seen["events"] = len(world.deliveries(cid))
        seen["report"] = world.reminders().deliver(due, today=DUE_SOON_DAY, claim="t2",
                                                   attempt=0, final=False)
        seen["events after"] = len(world.deliveries(cid))

    world.mail.before = meanwhile
    first = world.reminders().deliver(due, today=DUE_SOON_DAY, claim="t1", attempt=0,
                                      final=False)
    second: Report = seen["report"]
    assert second.sent == second.settled == second.gave_up == [] and second.failed == []
    assert seen["events"] == seen["events after"]
    assert len(first.sent) == 1 and len(world.mail.sent) == 1
    assert [t for t, _, _ in world.reminder_events(cid)] == ["ReminderSent"]
    assert world.claims(cid) == [("t1", 0)]


def test_a_race_for_the_claim_is_won_by_one_sender(world: World) -> None:
    """Both senders read the commitment before either claims; t2 claims and sends
    first; t1's claim, decided on what it read, conflicts on save, and t1 reads
    again and finds the delivery done."""
    cid = world.commit()
    [due] = world.reminders().scan(DUE_SOON_DAY)
    rival: dict[str, Report] = {}

    def now_with_a_rival() -> datetime:
        # t1 calls this after reading the commitment and before claiming.
        if not rival:
            rival["t2"] = world.reminders().deliver(due, today=DUE_SOON_DAY, claim="t2",
                                                    attempt=0, final=False)
        return T0

    first = world.reminders(now=now_with_a_rival).deliver(
        due, today=DUE_SOON_DAY, claim="t1", attempt=0, final=False)
    assert len(rival["t2"].sent) == 1
    assert first.sent == first.settled == []
    assert len(world.mail.sent) == 1
    assert world.claims(cid) == [("t2", 0)]


# -- failures and retries -----------------------------------------------------------------------


def test_a_failed_attempt_is_retried_by_its_own_task(world: World) -> None:
    """DeliveryFailed: the failed try is recorded and the report says so;
    another task waits meanwhile; the same task's next attempt sends."""
    cid = world.commit()
    [due] = world.reminders().scan(DUE_SOON_DAY)
    world.mail.fail = "SMTP smtp.tinh.gov.vn:25: connection refused"
    report = world.reminders().deliver(due, today=DUE_SOON_DAY, claim="t1", attempt=0,
                                       final=False)
    mail = Delivery(Rung.DUE_SOON, DUE, Channel.EMAIL)
    assert report.failed == [(mail, "SMTP smtp.tinh.gov.vn:25: connection refused")]
    assert report.sent == []
    failed = [d for t, _, _, d in world.deliveries(cid) if t == "AttemptFailed"]
    assert len(failed) == 1 and failed[0]["error"].endswith("connection refused")
    assert (failed[0]["claim"], failed[0]["attempt"]) == ("t1", 0)
    assert world.pending(cid) == 1
    assert world.reminder_events(cid) == []  # nothing in the history yet
    # The scan still lists it: a delivery is unfinished.
    assert world.reminders().scan(DUE_SOON_DAY) == [Due(cid, DUE, None)]

    world.mail.fail = None
    other = world.reminders().deliver(Due(cid, DUE, None), today=DUE_SOON_DAY, claim="t2",
                                      attempt=0, final=False)
    assert other.sent == [] and world.mail.sent == []

    retry = world.reminders().deliver(due, today=DUE_SOON_DAY, claim="t1", attempt=1,
                                      final=False)
    assert retry.sent == [mail]
    assert len(world.mail.sent) == 1
    assert world.claims(cid) == [("t1", 0), ("t1", 1)]
    assert world.pending(cid) == 0
    assert world.get(cid).times_reminded == 1


def test_a_failed_attempt_left_by_a_dead_task_is_taken_after_the_lease(world: World) -> None:
    cid = world.commit()
    [due] = world.reminders().scan(DUE_SOON_DAY)
    world.mail.fail = "timeout"
    world.reminders().deliver(due, today=DUE_SOON_DAY, claim="t1", attempt=0, final=False)
    world.mail.fail = None
    world.now.at = T0 + LEASE + timedelta(seconds=1)
    report = world.reminders().deliver(Due(cid, DUE, None), today=DUE_SOON_DAY, claim="t2",
                                       attempt=0, final=False)
    assert len(report.sent) == 1 and len(world.mail.sent) == 1


def test_the_final_attempt_gives_up_with_the_error(world: World) -> None:
    cid = world.commit()
    [due] = world.reminders().scan(DUE_SOON_DAY)
    world.mail.fail = "550 mailbox unavailable"
    report = world.reminders().deliver(due, today=DUE_SOON_DAY, claim="t1", attempt=4,
                                       final=True)
    mail = Delivery(Rung.DUE_SOON, DUE, Channel.EMAIL)
    assert report.gave_up == [mail] and report.failed == []
    [failed] = [d for t, d in world.history(cid) if t == "ReminderFailed"]
    assert "550 mailbox unavailable" in failed["error"]
    assert "5 attempts" in failed["error"]
    assert failed["recipient"] == f"{OFFICE}, {HEAD}"
    assert (world.pending(cid), world.get(cid).times_reminded) == (0, 0)
    assert world.run(DUE_SOON_DAY) == []  # given up: not tried again


def test_an_agency_with_nobody_to_tell_fails_once(world: World) -> None:
    """No contacts and no webhook: ReminderFailed "no recipients", once; the scan
    does not return it again that day."""
    cid = world.commit("SNV")
    [due] = world.reminders().scan(DUE_SOON_DAY)
    report = world.reminders().deliver(due, today=DUE_SOON_DAY, claim="t1", attempt=0,
                                       final=False)
    assert report.gave_up == [Delivery(Rung.DUE_SOON, DUE, Channel.EMAIL)]
    assert world.sent() == []
    [failed] = [d for t, d in world.history(cid) if t == "ReminderFailed"]
    assert failed["error"].startswith("no recipients")
    assert world.reminders().scan(DUE_SOON_DAY) == []
    assert world.run(DUE_SOON_DAY) == []
    assert len(world.reminder_events(cid)) == 1
    # The overdue reminder goes to the union's auditors, the only address known.
    [overdue] = world.run(OVERDUE_DAY)
    assert (overdue.rung, overdue.to, overdue.cc) == (Rung.OVERDUE, [AUDITORS], [])


# -- what is not chased ------------------------------------------------------------------------


@pytest.mark.parametrize("action", [Action.FULFIL, Action.WITHDRAW, Action.DECLINE])
def test_a_finished_commitment_gets_nothing(world: World, action: Action) -> None:
    cid = world.commit()
    world.update(cid, action, note="đã xong / rút / từ chối",
                 evidence=[{"title": "Báo cáo 5/SYT"}])
    for day in (DUE_SOON_DAY, OVERDUE_DAY, ESCALATION_DAY, date(2025, 6, 1)):
        assert world.run(day) == []
    assert world.reminder_events(cid) == []


def test_a_proposed_commitment_gets_nothing(world: World) -> None:
    cid = world.commit(proposed=True)
    for day in (DUE_SOON_DAY, OVERDUE_DAY, ESCALATION_DAY):
        assert world.run(day) == []
    assert world.reminder_events(cid) == []


def test_a_commitment_fulfilled_between_scan_and_delivery_is_skipped(world: World) -> None:
    cid = world.commit()
    [due] = world.reminders().scan(OVERDUE_DAY)
    world.clock.today = OVERDUE_DAY
    world.update(cid, Action.FULFIL, note="đã báo cáo", evidence=[{"title": "Báo cáo 5/SYT"}])
    report = world.reminders().deliver(due, today=OVERDUE_DAY, claim="t1", attempt=0,
                                       final=False)
    assert report.skipped and report.sent == []
    assert world.sent() == [] and world.reminder_events(cid) == []


# -- extensions ------------------------------------------------------------------------------


def test_an_extension_starts_a_new_ladder(world: World) -> None:
    """due_soon and overdue sent for 05/03; extended on 10/03 to 30/05: no
    escalation for the old date, and the new date gets its own due_soon (23/05) and
    overdue (31/05), which say the date was extended."""
    cid = world.commit()
    world.run(DUE_SOON_DAY)
    world.run(OVERDUE_DAY)
    world.clock.today = date(2025, 3, 10)
    new_due = date(2025, 5, 30)
    world.update(cid, Action.EXTEND, new_due_on=new_due, note="chờ ý kiến của Bộ")
    assert world.get(cid).reminder_rank == 0
    sent_on: dict[date, list[Notice]] = {}
    for day in days(date(2025, 3, 10), date(2025, 6, 5)):
        found = world.run(day)
        if found:
            sent_on[day] = found
    assert {d: rungs(n) for d, n in sent_on.items()} == {
        date(2025, 5, 23): [Rung.DUE_SOON], date(2025, 5, 31): [Rung.OVERDUE]}
    for [notice] in sent_on.values():
        assert notice.payload["commitment"]["due_on"] == "2025-05-30"
        assert "(đã gia hạn)" in notice.text
    assert world.get(cid).reminder_rank == 2
    assert world.queries.commitment(cid).reminders_sent == 4
    # A Due computed for the old date is refused once the date moved.
    stale = world.reminders().deliver(Due(cid, DUE, Rung.ESCALATION), today=ESCALATION_DAY,
                                      claim="late", attempt=0, final=False)
    assert stale.skipped is not None and "2025-05-30" in stale.skipped
    assert len(world.sent()) == 4


# -- claims left by dead senders --------------------------------------------------------------


def test_own_claim_found_on_redelivery_is_settled_not_sent(world: World) -> None:
    """The worker died after recording its claim: the redelivered task (same id,
    same attempt) records the delivery as sent, unconfirmed, and sends nothing."""
    cid = world.commit()
    mail = Delivery(Rung.DUE_SOON, DUE, Channel.EMAIL)
    world.claim_directly(cid, mail, "t1", T0)
    report = world.reminders().deliver(Due(cid, DUE, Rung.DUE_SOON), today=DUE_SOON_DAY,
                                       claim="t1", attempt=0, final=False)
    assert report.settled == [mail] and report.sent == []
    assert world.sent() == []
    [data] = [d for t, d in world.history(cid) if t == "ReminderSent"]
    assert data["confirmed"] is False and data["receipt"] is None
    assert world.pending(cid) == 0
    assert world.queries.commitment(cid).reminders_sent == 1
    assert world.run(DUE_SOON_DAY) == []


def test_another_senders_claim_waits_for_the_lease_then_is_settled(world: World) -> None:
    cid = world.commit()
    mail = Delivery(Rung.DUE_SOON, DUE, Channel.EMAIL)
    world.claim_directly(cid, mail, "t9", T0)
    events = world.deliveries(cid)
    assert world.reminders().scan(DUE_SOON_DAY) == [Due(cid, DUE, None)]

    world.now.at = T0 + LEASE  # not yet stale
    waiting = world.reminders().deliver(Due(cid, DUE, None), today=DUE_SOON_DAY, claim="t1",
                                        attempt=0, final=False)
    assert waiting.settled == waiting.sent == []
    assert world.deliveries(cid) == events and world.sent() == []

    world.now.at = T0 + LEASE + timedelta(seconds=1)
    settled = world.reminders().deliver(Due(cid, DUE, None), today=DUE_SOON_DAY, claim="t1",
                                        attempt=0, final=False)
    assert settled.settled == [mail] and world.sent() == []
    [data] = [d for t, d in world.history(cid) if t == "ReminderSent"]
    assert data["confirmed"] is False
    assert world.reminders().scan(DUE_SOON_DAY) == []


def test_a_worker_dying_mid_mail_does_not_silently_lose_the_webhook(world: World) -> None:
    """BUG: SXD gets reminders by mail and by webhook. The worker dies while the
    mail is being sent (its claim recorded). The redelivered task settles the mail
    but skips the rung as "already begun", and the scan sees rank 1 and nothing
    pending: the webhook delivery is never sent, claimed or recorded."""
    cid = world.commit("SXD")
    [due] = world.reminders().scan(DUE_SOON_DAY)
    world.mail.crash = True
    with pytest.raises(WorkerLost):
        world.reminders().deliver(due, today=DUE_SOON_DAY, claim="t1", attempt=0, final=False)
    world.reminders().deliver(due, today=DUE_SOON_DAY, claim="t1", attempt=0, final=False)
    world.now.at = T0 + timedelta(hours=1)
    for day in days(DUE_SOON_DAY, DUE):
        world.run(day)
    channels = {ch for _, rung, ch in world.reminder_events(cid) if rung == "due_soon"}
    assert channels == {"email", "webhook"}


# -- the read model ------------------------------------------------------------------------


def test_ladder_candidates_include_pending_deliveries_beyond_the_horizon(world: World
                                                                         ) -> None:
    """A claim left pending, then the date extended far: the due index alone would
    not find it (beyond the horizon), the pending index does; once settled it is
    gone. A commitment due as far without pending work is not a candidate."""
    world.clock.today = DUE_SOON_DAY
    cid = world.commit()
    far = world.commit(due_on=date(2025, 12, 31))
    world.claim_directly(cid, Delivery(Rung.DUE_SOON, DUE, Channel.EMAIL), "t9", T0)
    world.update(cid, Action.EXTEND, new_due_on=date(2025, 12, 31), note="gia hạn")
    horizon = world.app.settings.reminders.ladder.horizon(DUE_SOON_DAY,
                                                          world.app.settings.calendar)
    assert horizon < date(2025, 12, 31)
    rows = {row.id: row for row in world.queries.ladder_candidates(horizon)}
    assert far not in rows
    assert (rows[cid].due_on, rows[cid].reminder_rank, rows[cid].reminders_pending) == (
        date(2025, 12, 31), 0, 1)
    assert world.reminders().scan(DUE_SOON_DAY) == [Due(cid, date(2025, 12, 31), None)]

    world.now.at = T0 + LEASE * 2
    report = world.reminders().deliver(Due(cid, date(2025, 12, 31), None),
                                       today=DUE_SOON_DAY, claim="t1", attempt=0, final=False)
    assert report.settled == [Delivery(Rung.DUE_SOON, DUE, Channel.EMAIL)]
    assert cid not in {row.id for row in world.queries.ladder_candidates(horizon)}
    assert world.queries.commitment(cid).reminders_sent == 1


def test_read_model_rank_and_counts_follow_the_ladder(world: World) -> None:
    """The scan's index: a candidate while its ladder is unfinished (rank < 3) and
    its due date within the horizon; done with, once escalated."""
    cid = world.commit()
    ladder, calendar = world.app.settings.reminders.ladder, world.app.settings.calendar

    def row() -> tuple[int, int] | None:
        today = world.clock.today
        found = [r for r in world.queries.ladder_candidates(ladder.horizon(today, calendar))
                 if r.id == cid]
        return (found[0].reminder_rank, found[0].reminders_pending) if found else None

    world.clock.today = DUE_SOON_DAY - timedelta(days=2)
    assert row() is None  # due date beyond the horizon
    world.run(DUE_SOON_DAY)
    assert row() == (1, 0)
    world.run(OVERDUE_DAY)
    assert row() == (2, 0)
    world.run(ESCALATION_DAY)
    assert row() is None
    assert world.queries.commitment(cid).reminders_sent == 3


# -- a writer's If-Match ------------------------------------------------------------------------


def test_a_reminder_sent_while_an_officer_writes_does_not_fail_the_if_match(
        world: World) -> None:
    """The sender's bookkeeping is no change of the promise: an officer who read
    version 1 and writes after a reminder was recorded is accepted."""
    cid = world.commit()
    read = world.get(cid).version
    assert world.run(OVERDUE_DAY)  # claimed and sent: the stream moved on
    assert world.get(cid).version > read
    officer = Actor(Role.AGENCY, "SYT")
    world.app.execute(c.UpdateCommitment(cid, Action.PROGRESS, note="đang làm",
                                         expected_version=read), officer)
    assert world.get(cid).status.value == "in_progress"
    # A change of the promise itself still conflicts, reminders or not.
    assert world.run(ESCALATION_DAY)
    with pytest.raises(VersionConflict):
        world.app.execute(c.UpdateCommitment(cid, Action.PROGRESS, note="lần nữa",
                                             expected_version=read), officer)


def test_claims_and_failed_tries_leave_the_commitments_version_alone(world: World) -> None:
    """Issue 14: the sender's bookkeeping is in the delivery's stream; while a
    try fails and is retried, the commitment stays at the version its officer
    read, and only the reminder sent moves it, by one."""
    cid = world.commit()
    [due] = world.reminders().scan(DUE_SOON_DAY)
    world.mail.fail = "timeout"
    world.reminders().deliver(due, today=DUE_SOON_DAY, claim="t1", attempt=0, final=False)
    world.reminders().deliver(due, today=DUE_SOON_DAY, claim="t1", attempt=1, final=False)
    assert world.get(cid).version == 1
    assert [t for t, _, _, _ in world.deliveries(cid)] == [
        "Claimed", "AttemptFailed", "Claimed", "AttemptFailed"]
    world.mail.fail = None
    world.reminders().deliver(due, today=DUE_SOON_DAY, claim="t1", attempt=2, final=False)
    assert world.get(cid).version == 2
    assert world.reminder_events(cid) == [("ReminderSent", "due_soon", "email")]


# -- logs written before deliveries had streams of their own -------------------------------


def test_an_old_claim_in_the_commitments_stream_is_settled_not_sent_again(
        world: World) -> None:
    """An old log's sender died holding a claim recorded in the commitment: a
    sender of today finds it pending, waits for the lease, then records it as
    sent, unconfirmed, and never sends it again."""
    cid = world.commit()
    mail = Delivery(Rung.DUE_SOON, DUE, Channel.EMAIL)
    world.claim_in_the_commitment(cid, mail, "old-task", T0)
    assert world.reminders().scan(DUE_SOON_DAY) == [Due(cid, DUE, None)]
    waiting = world.reminders().deliver(Due(cid, DUE, Rung.DUE_SOON), today=DUE_SOON_DAY,
                                        claim="t1", attempt=0, final=False)
    assert waiting.sent == waiting.settled == [] and world.deliveries(cid) == []
    world.now.at = T0 + LEASE + timedelta(seconds=1)
    settled = world.reminders().deliver(Due(cid, DUE, None), today=DUE_SOON_DAY, claim="t1",
                                        attempt=0, final=False)
    assert settled.settled == [mail] and world.sent() == []
    [data] = [d for t, d in world.history(cid) if t == "ReminderSent"]
    assert data["confirmed"] is False
    assert world.scan_is_done(DUE_SOON_DAY)
    assert world.run(DUE_SOON_DAY) == []


def test_an_old_claim_redelivered_to_its_own_task_is_settled(world: World) -> None:
    cid = world.commit()
    mail = Delivery(Rung.DUE_SOON, DUE, Channel.EMAIL)
    world.claim_in_the_commitment(cid, mail, "old-task", T0)
    report = world.reminders().deliver(Due(cid, DUE, Rung.DUE_SOON), today=DUE_SOON_DAY,
                                       claim="old-task", attempt=0, final=False)
    assert report.settled == [mail] and world.sent() == []
    assert world.run(OVERDUE_DAY) != []  # the ladder goes on


def test_a_successors_ladder_goes_on_where_the_predecessors_stopped(world: World) -> None:
    """Overdue sent to SYT on 06/03; STC takes SYT's work over on 10/03: no
    second overdue reminder, and the escalation goes to STC's people."""
    cid = world.commit()
    assert rungs(world.run(DUE_SOON_DAY)) == [Rung.DUE_SOON]
    assert rungs(world.run(OVERDUE_DAY)) == [Rung.OVERDUE]
    world.clock.today = date(2025, 3, 10)
    world.app.execute(c.RecordSuccession("SYT", "STC", effective_on=date(2025, 3, 10)), ADMIN)
    successor = world.get(cid).transferred_to
    assert successor is not None
    assert world.get(successor).reminder_rank == Rung.OVERDUE.rank
    sent = [n for day in days(date(2025, 3, 10), ESCALATION_DAY) for n in world.run(day)]
    assert rungs(sent) == [Rung.ESCALATION]
    # To the successor's head and the chair, never to SYT's people.
    assert "gd@stc.gov.vn" in sent[0].to
    assert not any(a.endswith("@syt.gov.vn") for a in [*sent[0].to, *sent[0].cc])
