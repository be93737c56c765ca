"""Rules of domain.reminders: the ladder's rungs, the scan horizon, the delivery
protocol's steps, the counting of reminders, and the Commitment aggregate's
reminder events (claims refused when not to be sent, replay, extensions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from domain.calendar import Calendar, CalendarDays, WorkingDays, weekend_or
from domain.commitment import Commitment
from domain.delivery import ReminderDelivery
from domain.errors import VersionConflict
from domain.reminders import (
    Channel,
    Delivery,
    Ladder,
    Mark,
    Record,
    Rung,
    Step,
    delivery_step,
    pending,
    reached_rank,
    times_sent,
)
from domain.status import Action, Status

DUE = date(2025, 3, 5)  # a Wednesday
LADDER = Ladder()  # 7 days before, escalation 30 days after
CAL = CalendarDays()
# Weekends plus two holidays, without the `holidays` package: the pure calendar.
_HOLIDAYS = {date(2025, 3, 10), date(2025, 4, 30)}
WORK = WorkingDays(weekend_or(lambda d: d in _HOLIDAYS, lambda d: False))
CALENDARS: list[Calendar] = [CAL, WORK]
ADMIN: dict[str, Any] = {"role": "admin", "agency": None}
CHASED = (Status.OPEN, Status.IN_PROGRESS)
NOT_CHASED = (Status.PROPOSED, Status.FULFILLED, Status.PARTIALLY_FULFILLED,
              Status.DECLINED, Status.WITHDRAWN, Status.TRANSFERRED)

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
LEASE = timedelta(minutes=15)
MAIL = Delivery(Rung.DUE_SOON, DUE, Channel.EMAIL)
HOOK = Delivery(Rung.DUE_SOON, DUE, Channel.WEBHOOK)


def day(offset: int) -> date:
    return DUE + timedelta(days=offset)


# -- rungs, in calendar days ------------------------------------------------------------


def test_rank_orders_the_rungs() -> None:
    """due_soon < overdue < escalation, ranks 1..3."""
    assert [r.rank for r in (Rung.DUE_SOON, Rung.OVERDUE, Rung.ESCALATION)] == [1, 2, 3]


@pytest.mark.parametrize("status", CHASED, ids=str)
@pytest.mark.parametrize(
    ("offset", "rung"),
    [
        (-30, None),
        (-8, None),  # the day before due_soon begins
        (-7, Rung.DUE_SOON),  # exactly 7 days before
        (-1, Rung.DUE_SOON),
        (0, Rung.DUE_SOON),  # the due date itself is not overdue
        (1, Rung.OVERDUE),  # the first day after it
        (29, Rung.OVERDUE),
        (30, Rung.ESCALATION),  # due_on + 30
        (400, Rung.ESCALATION),
    ],
)
def test_rung_boundaries_in_calendar_days(status: Status, offset: int, rung: Rung | None
                                          ) -> None:
    """Each rung begins exactly on its day, and the highest reached applies."""
    assert LADDER.rung_on(status, DUE, day(offset), CAL) == rung


@pytest.mark.parametrize("status", NOT_CHASED, ids=str)
def test_no_rung_for_statuses_not_chased(status: Status) -> None:
    """Only open and in_progress promises are chased, on any day."""
    for offset in range(-10, 60):
        assert LADDER.rung_on(status, DUE, day(offset), CAL) is None
        assert LADDER.next_reminder(status, DUE, 0, day(offset), CAL) is None


def test_ladder_settings_move_the_boundaries() -> None:
    """due_soon_days and escalate_after_days are the boundaries used."""
    ladder = Ladder(due_soon_days=3, escalate_after_days=10)
    assert ladder.rung_on(Status.OPEN, DUE, day(-4), CAL) is None
    assert ladder.rung_on(Status.OPEN, DUE, day(-3), CAL) is Rung.DUE_SOON
    assert ladder.rung_on(Status.OPEN, DUE, day(9), CAL) is Rung.OVERDUE
    assert ladder.rung_on(Status.OPEN, DUE, day(10), CAL) is Rung.ESCALATION


def test_rung_boundaries_in_working_days() -> None:
    """Counted in working days: due Wed 2025-03-05, 7 working days before is Mon
    02-24; overdue on the next working day (Thu 03-06); a due date on a Friday is
    overdue on Monday, not Saturday; escalation 30 working days later skips
    weekends and the 03-10 holiday (2025-04-17)."""
    assert LADDER.rung_on(Status.OPEN, DUE, date(2025, 2, 23), WORK) is None
    assert LADDER.rung_on(Status.OPEN, DUE, date(2025, 2, 24), WORK) is Rung.DUE_SOON
    assert LADDER.rung_on(Status.OPEN, DUE, date(2025, 3, 6), WORK) is Rung.OVERDUE
    friday = date(2025, 3, 7)
    assert LADDER.rung_on(Status.OPEN, friday, date(2025, 3, 8), WORK) is Rung.DUE_SOON
    assert LADDER.rung_on(Status.OPEN, friday, date(2025, 3, 9), WORK) is Rung.DUE_SOON
    assert LADDER.rung_on(Status.OPEN, friday, date(2025, 3, 11), WORK) is Rung.OVERDUE
    assert LADDER.rung_on(Status.OPEN, DUE, date(2025, 4, 16), WORK) is Rung.OVERDUE
    assert LADDER.rung_on(Status.OPEN, DUE, date(2025, 4, 17), WORK) is Rung.ESCALATION


# -- next_reminder: never down the ladder, stale rungs skipped ----------------------------


def _run_scanner(first: int, every: int, calendar: Calendar, ladder: Ladder = LADDER
                 ) -> list[tuple[int, Rung]]:
    """A scanner that first runs `first` days from DUE, then every `every` days,
    sending what next_reminder says and remembering the rank reached."""
    reached, sent = 0, []
    for offset in range(first, 120, every):
        rung = ladder.next_reminder(Status.OPEN, DUE, reached, day(offset), calendar)
        if rung is not None:
            sent.append((offset, rung))
            reached = rung.rank
    return sent


def test_daily_scanner_sends_each_rung_once_in_order() -> None:
    """Run daily from well before: due_soon at -7, overdue at +1, escalation at +30."""
    assert _run_scanner(-20, 1, CAL) == [
        (-7, Rung.DUE_SOON), (1, Rung.OVERDUE), (30, Rung.ESCALATION)]


def test_first_scan_forty_days_late_sends_escalation_only() -> None:
    """A scan that first runs 40 days after the due date sends the escalation and
    never the stale due_soon or overdue."""
    assert _run_scanner(40, 1, CAL) == [(40, Rung.ESCALATION)]
    assert LADDER.next_reminder(Status.OPEN, DUE, 0, day(40), CAL) is Rung.ESCALATION


def test_first_scan_after_the_due_date_skips_due_soon() -> None:
    assert _run_scanner(5, 1, CAL) == [(5, Rung.OVERDUE), (30, Rung.ESCALATION)]


@pytest.mark.parametrize("calendar", CALENDARS, ids=lambda c: c.name)
def test_next_reminder_never_goes_down_the_ladder(calendar: Calendar) -> None:
    """Whatever day the scanner starts and however often it runs, the ranks sent
    strictly increase, and each is the rung that applies on its day."""
    for first in range(-15, 45, 2):
        for every in (1, 2, 3, 7, 11):
            sent = _run_scanner(first, every, calendar)
            ranks = [rung.rank for _, rung in sent]
            assert ranks == sorted(set(ranks)), (first, every, sent)
            for offset, rung in sent:
                assert LADDER.rung_on(Status.OPEN, DUE, day(offset), calendar) is rung


def test_next_reminder_returns_nothing_once_a_rung_began() -> None:
    """With overdue reached, nothing until escalation; with escalation, nothing ever."""
    assert LADDER.next_reminder(Status.OPEN, DUE, 2, day(1), CAL) is None
    assert LADDER.next_reminder(Status.OPEN, DUE, 2, day(29), CAL) is None
    assert LADDER.next_reminder(Status.OPEN, DUE, 2, day(30), CAL) is Rung.ESCALATION
    assert LADDER.next_reminder(Status.OPEN, DUE, 3, day(300), CAL) is None
    # A lower rung is not sent after a higher one began, even on "its" day.
    assert LADDER.next_reminder(Status.OPEN, DUE, 2, day(-3), CAL) is None


# -- horizon ------------------------------------------------------------------------------


@pytest.mark.parametrize("ladder", [LADDER, Ladder(0, 1), Ladder(3, 10), Ladder(15, 30)],
                         ids=lambda lad: f"{lad.due_soon_days}-{lad.escalate_after_days}")
@pytest.mark.parametrize("calendar", CALENDARS, ids=lambda c: c.name)
def test_no_due_date_after_the_horizon_has_a_reminder_today(calendar: Calendar,
                                                            ladder: Ladder) -> None:
    """Brute force: for every day over a span with weekends and holidays, no due
    date after the horizon has any rung today, and every due date with one is
    no later than it; and the horizon stays within a few weeks."""
    start = date(2025, 2, 20)
    for n in range(75):
        today = start + timedelta(days=n)
        horizon = ladder.horizon(today, calendar)
        assert today <= horizon <= today + timedelta(days=ladder.due_soon_days * 2 + 10)
        for k in range(-40, 60):
            due_on = today + timedelta(days=k)
            rung = ladder.rung_on(Status.OPEN, due_on, today, calendar)
            if due_on > horizon:
                assert rung is None, (today, horizon, due_on, rung)


# -- delivery_step: every branch ------------------------------------------------------


def rec(mark: Mark, claim: str | None = None, *, ago: timedelta = timedelta(0),
        delivery: Delivery = MAIL, attempt: int = 0) -> Record:
    return Record(delivery, mark, NOW - ago, claim, attempt)


FRESH = timedelta(minutes=5)
STALE = LEASE + timedelta(seconds=1)


@pytest.mark.parametrize(
    ("records", "claim", "attempt", "step"),
    [
        pytest.param([], "t1", 0, Step.SEND, id="no-record"),
        pytest.param([rec(Mark.CLAIMED, "t2", delivery=HOOK)], "t1", 0, Step.SEND,
                     id="records-of-another-delivery-only"),
        pytest.param([rec(Mark.CLAIMED, "t1"), rec(Mark.SENT)], "t1", 0, Step.DONE,
                     id="sent"),
        pytest.param([rec(Mark.FAILED)], "t1", 3, Step.DONE, id="given-up"),
        pytest.param([rec(Mark.CLAIMED, "t2", ago=FRESH)], "t1", 0, Step.WAIT,
                     id="fresh-claim-by-another"),
        pytest.param([rec(Mark.CLAIMED, "t2", ago=LEASE)], "t1", 0, Step.WAIT,
                     id="claim-exactly-lease-old-is-fresh"),
        pytest.param([rec(Mark.CLAIMED, "t2", ago=STALE)], "t1", 0, Step.SETTLE,
                     id="stale-claim-by-another"),
        pytest.param([rec(Mark.CLAIMED, "t1")], "t1", 0, Step.SETTLE,
                     id="own-claim-same-attempt-redelivery"),
        pytest.param([rec(Mark.CLAIMED, "t1", attempt=0)], "t1", 1, Step.SETTLE,
                     id="own-claim-outcome-unrecorded"),
        pytest.param([rec(Mark.CLAIMED, "t1"), rec(Mark.ATTEMPT_FAILED, "t1")], "t1", 1,
                     Step.SEND, id="own-attempt-failed"),
        pytest.param([rec(Mark.ATTEMPT_FAILED, "t2", ago=FRESH)], "t1", 0, Step.WAIT,
                     id="attempt-failed-by-another-fresh"),
        pytest.param([rec(Mark.ATTEMPT_FAILED, "t2", ago=STALE)], "t1", 0, Step.SEND,
                     id="attempt-failed-by-another-stale"),
        pytest.param([rec(Mark.CLAIMED, "t2", ago=STALE), rec(Mark.SENT, ago=STALE)], "t1", 0,
                     Step.DONE, id="sent-after-stale-claim"),
        # Only the last record of the delivery counts.
        pytest.param([rec(Mark.ATTEMPT_FAILED, "t1"), rec(Mark.CLAIMED, "t2")], "t1", 1,
                     Step.WAIT, id="last-record-wins"),
    ],
)
def test_delivery_step(records: list[Record], claim: str, attempt: int, step: Step) -> None:
    assert delivery_step(records, MAIL, claim, attempt, NOW, LEASE) is step


# -- counting --------------------------------------------------------------------------


def test_reached_rank_is_per_due_date() -> None:
    """The highest rung begun (any mark) for that due date; 0 for none."""
    later = DUE + timedelta(days=60)
    records = [
        rec(Mark.CLAIMED, "t1", delivery=Delivery(Rung.OVERDUE, DUE, Channel.EMAIL)),
        rec(Mark.FAILED, delivery=Delivery(Rung.DUE_SOON, later, Channel.WEBHOOK)),
    ]
    assert reached_rank(records, DUE) == 2
    assert reached_rank(records, later) == 1
    assert reached_rank(records, DUE + timedelta(days=1)) == 0
    assert reached_rank([], DUE) == 0


def test_pending_counts_deliveries_whose_last_mark_is_not_final() -> None:
    overdue = Delivery(Rung.OVERDUE, DUE, Channel.EMAIL)
    records = [
        rec(Mark.CLAIMED, "t1"), rec(Mark.SENT),  # MAIL done
        rec(Mark.CLAIMED, "t1", delivery=HOOK), rec(Mark.ATTEMPT_FAILED, "t1", delivery=HOOK),
        rec(Mark.CLAIMED, "t2", delivery=overdue),
    ]
    assert pending(records) == 2
    assert pending([*records, rec(Mark.FAILED, delivery=HOOK)]) == 1
    assert pending([*records, rec(Mark.FAILED, delivery=HOOK),
                    rec(Mark.SENT, delivery=overdue)]) == 0
    assert pending([]) == 0


def test_times_sent_counts_one_per_reminder_whatever_the_channels() -> None:
    """Mail and webhook of one (rung, due date) are one reminder; failures and
    claims are not sent; the same rung for another due date is another."""
    later = DUE + timedelta(days=60)
    records = [
        rec(Mark.CLAIMED, "t1"), rec(Mark.SENT), rec(Mark.SENT, delivery=HOOK),
        rec(Mark.CLAIMED, "t1", delivery=Delivery(Rung.OVERDUE, DUE, Channel.EMAIL)),
        rec(Mark.FAILED, delivery=Delivery(Rung.ESCALATION, DUE, Channel.EMAIL)),
        rec(Mark.SENT, delivery=Delivery(Rung.DUE_SOON, later, Channel.WEBHOOK)),
    ]
    assert times_sent(records) == 2
    assert times_sent([*records, rec(Mark.SENT, delivery=Delivery(Rung.OVERDUE, DUE,
                                                                  Channel.EMAIL))]) == 3
    assert times_sent([]) == 0


# -- the Commitment aggregate and a delivery's own stream --------------------------------


def make() -> Commitment:
    return Commitment(agency="SYT", text="Sẽ báo cáo kết quả.", kind="report", due_on=DUE,
                      due_basis="stated", made_on=date(2025, 2, 1), dialogue_id=uuid4(),
                      answer_id=None, question_ids=[], status="open", actor=ADMIN)


def claim(c: Commitment, ledger: ReminderDelivery, who: str = "t1", attempt: int = 0,
          at: datetime = NOW) -> None:
    ledger.claim(c.reminders_of(ledger.delivery), recipient="vp@syt.gov.vn", claim=who,
                 attempt=attempt, at=at, lease=LEASE)


def sent(c: Commitment, ledger: ReminderDelivery, at: datetime = NOW) -> None:
    c.record_reminder_sent(ledger.delivery, recipient="vp@syt.gov.vn", at=at, receipt="r1")
    ledger.close(Mark.SENT, at)


def old_claim(c: Commitment, delivery: Delivery = MAIL, who: str = "t1",
              at: datetime = NOW) -> None:
    """A claim as logs before delivery streams recorded it, in the commitment."""
    c._reminder_claimed(rung=delivery.rung.value, due_on=delivery.due_on,
                        channel=delivery.channel.value, recipient="vp@syt.gov.vn", claim=who,
                        attempt=0, at=at)


def test_a_delivery_stream_is_named_by_its_delivery() -> None:
    """Two senders opening the same delivery open the same stream (the store
    lets only one save it); any other delivery is another stream."""
    cid = uuid4()
    assert ReminderDelivery.open(cid, MAIL).id == ReminderDelivery.open(cid, MAIL).id
    assert len({ReminderDelivery.open(cid, d).id for d in (
        MAIL, HOOK, Delivery(Rung.OVERDUE, DUE, Channel.EMAIL),
        Delivery(Rung.DUE_SOON, DUE + timedelta(days=1), Channel.EMAIL))} | {
        ReminderDelivery.open(uuid4(), MAIL).id}) == 5


def test_a_claim_stays_out_of_the_commitment_and_the_outcome_goes_in() -> None:
    c, ledger = make(), ReminderDelivery.open(uuid4(), MAIL)
    claim(c, ledger)
    assert ledger.is_open
    assert (c.version, c.reminder_rank, c.reminders_pending, c.times_reminded) == (1, 0, 0, 0)
    sent(c, ledger)
    assert not ledger.is_open
    assert (c.version, c.reminder_rank, c.reminders_pending, c.times_reminded) == (2, 1, 0, 1)
    assert ledger.step(c.reminders_of(MAIL), "t2", 0, NOW, LEASE) is Step.DONE
    # The commitment alone says so too: a stream lost would not send it twice.
    assert ReminderDelivery.open(c.id, MAIL).step(c.reminders_of(MAIL), "t2", 0, NOW,
                                                  LEASE) is Step.DONE


@pytest.mark.parametrize(
    ("setup", "step"),
    [
        pytest.param(lambda c, d: claim(c, d, who="t2"), Step.WAIT,
                     id="fresh-claim-by-another"),
        pytest.param(lambda c, d: claim(c, d, who="t1"), Step.SETTLE, id="own-claim"),
        pytest.param(lambda c, d: claim(c, d, who="t2", at=NOW - STALE), Step.SETTLE,
                     id="stale-claim-by-another"),
        pytest.param(lambda c, d: sent(c, d), Step.DONE, id="sent"),
        pytest.param(lambda c, d: (c.record_reminder_failed(MAIL, recipient="x", error="e",
                                                            at=NOW), d.close(Mark.FAILED, NOW)),
                     Step.DONE, id="failed"),
        pytest.param(lambda c, d: old_claim(c, who="t2"), Step.WAIT,
                     id="old-log-claim-by-another"),
        pytest.param(lambda c, d: old_claim(c, who="t2", at=NOW - STALE), Step.SETTLE,
                     id="old-log-stale-claim"),
        pytest.param(lambda c, d: old_claim(c, who="t1"), Step.SETTLE, id="old-log-own-claim"),
    ],
)
def test_claim_is_refused_unless_the_step_is_send(setup: Any, step: Step) -> None:
    """claim raises VersionConflict naming the step, and records nothing."""
    c, ledger = make(), ReminderDelivery.open(uuid4(), MAIL)
    setup(c, ledger)
    version = ledger.version
    assert ledger.step(c.reminders_of(MAIL), "t1", 0, NOW, LEASE) is step
    with pytest.raises(VersionConflict, match=str(step)):
        claim(c, ledger, who="t1")
    assert ledger.version == version


def test_claim_after_own_failed_attempt_is_accepted() -> None:
    c, ledger = make(), ReminderDelivery.open(uuid4(), MAIL)
    claim(c, ledger)
    ledger.attempt_failed(claim="t1", attempt=0, error="smtp down", at=NOW)
    assert ledger.is_open
    claim(c, ledger, attempt=1)
    assert ledger.records[-1] == Record(MAIL, Mark.CLAIMED, NOW, "t1", 1)
    assert c.version == 1


def test_events_replay_to_the_same_state() -> None:
    """Every event of a delivery and of its commitment, replayed from the first,
    rebuilds equal aggregates; an old log's claims in the commitment too."""
    c, ledger = make(), ReminderDelivery.open(uuid4(), MAIL)
    claim(c, ledger)
    ledger.attempt_failed(claim="t1", attempt=0, error="smtp down", at=NOW)
    claim(c, ledger, attempt=1, at=NOW + timedelta(minutes=1))
    sent(c, ledger, at=NOW + timedelta(minutes=2))
    old_claim(c, HOOK)
    c.record_reminder_failed(HOOK, recipient="https://hook", error="gave up", at=NOW)
    c.update(Action.EXTEND, today=date(2025, 3, 20), actor=ADMIN, note="xin gia hạn",
             new_due_on=date(2025, 6, 30))
    events = c.collect_events()
    assert [type(e).__name__ for e in events] == [
        "Made", "ReminderSent", "ReminderClaimed", "ReminderFailed", "DeadlineExtended"]
    replayed: Commitment | None = None
    for event in events:
        replayed = event.mutate(replayed)
    assert isinstance(replayed, Commitment)
    assert replayed == c
    assert replayed.reminders == c.reminders
    assert (replayed.reminder_rank, replayed.reminders_pending, replayed.times_reminded) == (
        0, 0, 1)
    ledger_events = ledger.collect_events()
    assert [type(e).__name__ for e in ledger_events] == [
        "Opened", "Claimed", "AttemptFailed", "Claimed", "Closed"]
    again: ReminderDelivery | None = None
    for event in ledger_events:
        again = event.mutate(again)
    assert isinstance(again, ReminderDelivery)
    assert again.records == ledger.records and not again.is_open


def test_extension_starts_a_new_ladder_and_keeps_the_old_records() -> None:
    """After an extension the rank is 0 for the new date; the records for the old
    date stay and still count as sent; the new date's rungs may be claimed."""
    c = make()
    overdue = Delivery(Rung.OVERDUE, DUE, Channel.EMAIL)
    for delivery in (MAIL, overdue):
        ledger = ReminderDelivery.open(c.id, delivery)
        claim(c, ledger)
        sent(c, ledger)
    assert c.reminder_rank == 2
    new_due = date(2025, 6, 30)
    c.update(Action.EXTEND, today=date(2025, 3, 20), actor=ADMIN, note="xin gia hạn",
             new_due_on=new_due)
    assert c.due_on == new_due
    assert c.reminder_rank == 0
    assert len(c.reminders) == 2
    assert c.times_reminded == 2
    assert reached_rank(c.reminders, DUE) == 2
    fresh = ReminderDelivery.open(c.id, Delivery(Rung.DUE_SOON, new_due, Channel.EMAIL))
    assert fresh.step(c.reminders_of(fresh.delivery), "t5", 0, NOW, LEASE) is Step.SEND
    claim(c, fresh, who="t5")
    sent(c, fresh)
    assert c.reminder_rank == 1
