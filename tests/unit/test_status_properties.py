"""Properties of domain.status and of Commitment histories, checked with hypothesis.

The table and lateness functions are checked against business rules written
out here independently of TRANSITIONS. The aggregate is driven by a state
machine through random sequences of updates (valid and invalid), verdicts,
edits, transfers and reminders; after every step the state must be one the
rules allow, a refusal must leave no trace, and replaying the recorded events
(folded in memory, and through an eventsourcing Application with the
service's transcoding) must give back the state after every version.

Runs are derandomized (repeatable in CI). HYPOTHESIS_PROFILE=thorough runs
twenty times as many random examples (about two minutes).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from domain.commitment import Commitment
from domain.deadlines import DueBasis, Kind, latest_due_on
from domain.errors import DomainError, InvalidInput, TransitionNotAllowed, VersionConflict
from domain.reminders import Channel, Delivery, Rung
from domain.status import (
    JUDGEABLE,
    TRANSITIONS,
    Action,
    Status,
    Verdict,
    allowed_actions,
    days_overdue,
    is_final,
    is_overdue,
    next_status,
)
from service.transcoding import DateAsISO

_THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"


def _settings(examples: int, **kwargs: Any) -> settings:
    """Repeatable by default; `thorough` explores 20x more, at random."""
    return settings(
        max_examples=examples * (20 if _THOROUGH else 1),
        derandomize=not _THOROUGH,
        database=None,
        deadline=None,
        **kwargs,
    )


# -- the business rules, written independently of the table --------------------

STATUSES = st.sampled_from(Status)
ACTIONS = st.sampled_from(Action)
DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))

INITIAL = (Status.PROPOSED, Status.OPEN)
WORKING = (Status.OPEN, Status.IN_PROGRESS)
FINAL = frozenset(
    {Status.FULFILLED, Status.DECLINED, Status.WITHDRAWN, Status.TRANSFERRED, Status.REJECTED}
)
# Where each action leads when it is allowed; None: the status stays as it is.
LEADS_TO: dict[Action, Status | None] = {
    Action.CONFIRM: Status.OPEN,
    Action.PROGRESS: Status.IN_PROGRESS,
    Action.EXTEND: None,
    Action.FULFIL: Status.FULFILLED,
    Action.PARTIALLY_FULFIL: Status.PARTIALLY_FULFILLED,
    Action.DECLINE: Status.DECLINED,
    Action.WITHDRAW: Status.WITHDRAWN,
    Action.TRANSFER: Status.TRANSFERRED,
    Action.REJECT: Status.REJECTED,
}
# The only ways into the two statuses an auditor judges.
# Actions that need a reason, and (CLAIMED_BY's) that need evidence.
NEEDS_NOTE = (Action.DECLINE, Action.REJECT, Action.WITHDRAW)
CLAIMED_BY = {Status.FULFILLED: Action.FULFIL,
              Status.PARTIALLY_FULFILLED: Action.PARTIALLY_FULFIL}


def _target(status: Status, action: Action) -> Status:
    leads_to = LEADS_TO[action]
    return status if leads_to is None else leads_to


def _check_move(before: Status, action: Action, after: Status) -> None:
    """One allowed move obeys every rule about where a status may go."""
    assert after is _target(before, action)
    assert before not in FINAL, f"{action} moved a final {before}"
    assert after is not Status.PROPOSED, "nothing leads back to proposed"
    if after is Status.REJECTED:
        assert before is Status.PROPOSED, f"rejected from {before}: only candidates are rejected"
    if after in CLAIMED_BY:
        assert action is CLAIMED_BY[after], f"{after} reached by {action}"
    if after is Status.OPEN and before is not Status.OPEN:
        assert (before, action) == (Status.PROPOSED, Action.CONFIRM), "work is never undone"
    if before is Status.PROPOSED:
        assert after not in (*WORKING[1:], *CLAIMED_BY, Status.DECLINED), (
            f"a candidate went to {after} without being confirmed"
        )


# -- 1. the transition table --------------------------------------------------


@_settings(300)
@given(status=STATUSES, action=ACTIONS)
def test_next_status_follows_the_table_or_refuses_by_name(status: Status, action: Action) -> None:
    """Either the table's target, obeying the rules, or a refusal naming action and status."""
    try:
        after = next_status(status, action)
    except TransitionNotAllowed as refused:
        assert action not in TRANSITIONS.get(status, {})
        assert refused.code == "transition_not_allowed"
        head, _, allowed = refused.message.partition("allowed actions: ")
        assert head.startswith(f"cannot {action.value} a commitment that is {status.value} (")
        expected = [a.value for a in allowed_actions(status) if a is not Action.TRANSFER]
        assert allowed == (", ".join(expected) or "none: this status is final")
    else:
        assert after is TRANSITIONS[status][action]
        _check_move(status, action, after)


@_settings(150)
@given(status=STATUSES, action=ACTIONS)
def test_final_statuses_accept_nothing(status: Status, action: Action) -> None:
    """is_final agrees with the business list, and a final status refuses every action."""
    assert is_final(status) == (status in FINAL)
    assert is_final(status) == (allowed_actions(status) == [])
    if is_final(status):
        try:
            next_status(status, action)
        except TransitionNotAllowed as refused:
            assert refused.message.endswith("allowed actions: none: this status is final")
        else:
            raise AssertionError(f"{action} allowed from final {status}")


@_settings(300)
@given(start=st.sampled_from(INITIAL), actions=st.lists(ACTIONS, max_size=25))
def test_no_sequence_of_actions_reaches_an_impossible_status(
    start: Status, actions: list[Action]
) -> None:
    """Walk the table with random actions (refused ones change nothing): every move
    obeys the rules, and once final the walk stays put."""
    status = start
    for action in actions:
        try:
            after = next_status(status, action)
        except TransitionNotAllowed:
            continue
        _check_move(status, action, after)
        status = after


def test_every_status_is_reachable_from_an_initial_one() -> None:
    """Breadth-first over the table from proposed and open; each shortest path is
    replayed through next_status. Rejected is reached only straight from proposed."""
    paths: dict[Status, list[Action]] = {s: [] for s in INITIAL}
    queue = deque(INITIAL)
    while queue:
        status = queue.popleft()
        for action, after in TRANSITIONS.get(status, {}).items():
            if after not in paths:
                paths[after] = [*paths[status], action]
                queue.append(after)
    assert set(paths) == set(Status)
    for target, path in paths.items():
        assert any(_walk(start, path) is target for start in INITIAL), (target, path)
    into_rejected = {(s, a) for s, row in TRANSITIONS.items() for a, t in row.items()
                     if t is Status.REJECTED}
    assert into_rejected == {(Status.PROPOSED, Action.REJECT)}


def _walk(start: Status, path: list[Action]) -> Status | None:
    status = start
    for action in path:
        try:
            status = next_status(status, action)
        except TransitionNotAllowed:
            return None
    return status


# -- 2. lateness -------------------------------------------------------------------


@_settings(300)
@given(status=STATUSES, due_on=DATES, on=DATES)
def test_overdue_only_while_worked_on_and_past_due(status: Status, due_on: date, on: date) -> None:
    late = is_overdue(status, due_on, on)
    days = days_overdue(status, due_on, on)
    assert late == (status in WORKING and due_on < on)
    assert days >= 0
    assert days == ((on - due_on).days if late else 0)
    assert (days > 0) == late


@_settings(300)
@given(status=STATUSES, due_on=DATES, a=DATES, b=DATES, step=st.integers(0, 3))
def test_lateness_grows_with_time_and_shrinks_with_a_later_due_date(
    status: Status, due_on: date, a: date, b: date, step: int
) -> None:
    """For a fixed status: never less late later on, by at most one a day; never
    more late for a later due date (an extension can only help)."""
    on, later = sorted((a, b))
    assert days_overdue(status, due_on, on) <= days_overdue(status, due_on, later)
    assert not is_overdue(status, due_on, on) or is_overdue(status, due_on, later)
    next_day = on + timedelta(days=1)
    assert days_overdue(status, due_on, next_day) - days_overdue(status, due_on, on) in (0, 1)
    extended = due_on + timedelta(days=step)
    assert days_overdue(status, extended, on) <= days_overdue(status, due_on, on)


# -- 3 and 4. the aggregate: random histories, refusals and replay ------------------

BASE = date(2024, 6, 1)
ADMIN: dict[str, Any] = {"role": "admin", "agency": None}
AUDITOR: dict[str, Any] = {"role": "auditor", "agency": None}
NOTES = st.one_of(st.none(), st.just(""), st.text(min_size=1, max_size=6))
EVIDENCE_ITEMS = st.fixed_dictionaries(
    {"url": st.sampled_from(["https://a.vn/1", "https://b.vn/qd"])},
    optional={"title": st.text(max_size=4)},
)
EVIDENCE = st.lists(EVIDENCE_ITEMS, max_size=2)
# effective_on: none, or some days from today or from the last change (future
# ones and ones before the last change are refused).
WHENS = st.one_of(st.none(), st.tuples(st.just(True), st.integers(-10, 2)),
                  st.tuples(st.just(False), st.integers(-2, 10)))
# The actions done through update (transfer has its own command).
UPDATES = tuple(a for a in Action if a is not Action.TRANSFER)


def _flaws(action: Action) -> list[str]:
    """What update_with_one_flaw may get wrong for `action`: the ways it is refused."""
    flaws = ["in the future", "before the last change"]
    if action is Action.EXTEND:
        return [*flaws, "no note", "blank note", "no new_due_on", "new_due_on not later"]
    if action in NEEDS_NOTE:
        flaws += ["no note", "blank note"]
    if action in CLAIMED_BY.values():
        flaws += ["no evidence"]
    return [*flaws, "stray new_due_on"]


def _commitment(status: Status, kind: Kind, made_on: date, due_on: date) -> Commitment:
    return Commitment(
        agency="SYT", text="Sẽ xem xét phụ cấp.", kind=kind.value, due_on=due_on,
        due_basis=DueBasis.DEFAULT.value, made_on=made_on, dialogue_id=uuid4(),
        answer_id=None, question_ids=[uuid4()], status=status.value, actor=ADMIN,
    )


def _state(aggregate: Commitment) -> dict[str, Any]:
    """Everything the aggregate holds except its not-yet-saved events, copied
    (lists of dicts and frozen records: two levels deep is all there is)."""
    return {k: _copy(v) for k, v in vars(aggregate).items() if k != "_pending_events"}


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_copy(item) for item in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


class _Store(Application[UUID]):
    """In memory, with the transcoding the service registers for dates."""

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


def _story_goes_on(machine: Any) -> bool:
    """A few more tries at a commitment that has ended, then only a new one."""
    return bool(machine.steps_after_end < 4)


class CommitmentMachine(RuleBasedStateMachine):
    c: Commitment
    today: date

    def __init__(self) -> None:
        super().__init__()
        self.aggregates: dict[UUID, Commitment] = {}
        # The state after each version, per aggregate: history[id][v - 1].
        self.history: dict[UUID, list[dict[str, Any]]] = {}
        self.steps_after_end = 0
        # True while a command's outcome is being checked: if that check fails,
        # teardown leaves the failure as it is instead of replaying a broken history.
        self.checking = False

    # -- helpers ---------------------------------------------------------------

    def _track(self, aggregate: Commitment) -> None:
        self.aggregates[aggregate.id] = aggregate
        self.history[aggregate.id] = [_state(aggregate)]

    def _effective_on(self, when: tuple[bool, int] | None) -> date | None:
        if when is None:
            return None
        from_today, days = when
        return (self.today if from_today else self.c.effective_on) + timedelta(days=days)

    def _when_ok(self, effective_on: date | None) -> bool:
        """No later than today, no earlier than the last recorded change."""
        when = self.today if effective_on is None else effective_on
        return self.c.effective_on <= when <= self.today

    def _attempt(self, command: Callable[[], object], *, accepted: bool | None,
                 refusal: type[DomainError], moves_to: Status) -> bool:
        """Run `command`: accepted (as the rules predict, when they do) it records
        exactly one event and moves to `moves_to`; refused with `refusal` it changes
        nothing at all. Any other exception fails the test."""
        c = self.c
        self.steps_after_end += is_final(c.status)
        before, pending = _state(c), len(c.pending_events)
        status, version = c.status, c.version
        self.checking = True
        try:
            command()
        except DomainError as refused:
            assert accepted is not True, f"refused: {refused.message}"
            assert isinstance(refused, refusal), (type(refused), refused.message)
            assert len(c.pending_events) == pending, "a refusal recorded an event"
            assert _state(c) == before, "a refusal changed the aggregate"
            self.checking = False
            return False
        assert accepted is not False, "accepted what the rules refuse"
        assert (c.version, len(c.pending_events)) == (version + 1, pending + 1)
        assert c.status is moves_to, (status, c.status, moves_to)
        assert c.status is status or c.status in TRANSITIONS[status].values()
        self.history[c.id].append(_state(c))
        self.checking = False
        return True

    # -- rules -----------------------------------------------------------------

    @initialize(proposed=st.booleans(), kind=st.sampled_from(Kind),
                made=st.integers(-200, 2), due=st.integers(-20, 120))
    def make(self, proposed: bool, kind: Kind, made: int, due: int) -> None:
        self.today = BASE
        self._make(proposed, kind, made, due)

    @precondition(lambda self: is_final(self.c.status))
    @rule(proposed=st.booleans(), kind=st.sampled_from(Kind),
          made=st.integers(-200, 0), due=st.integers(-20, 120))
    def make_another(self, proposed: bool, kind: Kind, made: int, due: int) -> None:
        """Once the story has ended, go on with a new commitment (all are replayed)."""
        self._make(proposed, kind, made, due)

    def _make(self, proposed: bool, kind: Kind, made: int, due: int) -> None:
        made_on = self.today + timedelta(days=made)
        self.c = _commitment(Status.PROPOSED if proposed else Status.OPEN, kind, made_on,
                             made_on + timedelta(days=due))
        self._track(self.c)
        self.steps_after_end = 0

    @rule(days=st.integers(1, 60))
    def tick(self, days: int) -> None:
        self.today += timedelta(days=days)

    @precondition(_story_goes_on)
    @rule(action=ACTIONS, note=NOTES, evidence=EVIDENCE,
          due_shift=st.one_of(st.none(), st.integers(-3, 60)), when=WHENS)
    def update_anything(self, action: Action, note: str | None,
                        evidence: list[dict[str, Any]], due_shift: int | None,
                        when: tuple[bool, int] | None) -> None:
        """Any action, with arguments drawn freely: right or wrong in any mix."""
        new_due_on = None if due_shift is None else self.c.due_on + timedelta(days=due_shift)
        self._update(action, note, evidence, new_due_on, self._effective_on(when))

    @precondition(_story_goes_on)
    @rule(data=st.data(), days=st.integers(0, 60), evidence=EVIDENCE)
    def update_with_one_flaw(self, data: st.DataObject, days: int,
                             evidence: list[dict[str, Any]]) -> None:
        """An action the status allows, with what it needs but for one flaw that
        matters to it: every way of refusing is taken often, and none may leave a
        trace. (Actions the status refuses are drawn by update_anything.)"""
        allowed = [a for a in UPDATES if a in TRANSITIONS.get(self.c.status, {})]
        action = data.draw(st.sampled_from(allowed or UPDATES), label="action")
        flaw = data.draw(st.sampled_from(_flaws(action)), label="flaw")
        c = self.c
        note: str | None = "lý do"
        new_due_on = c.due_on + timedelta(days=days + 1) if action is Action.EXTEND else None
        effective_on = (None if days % 2
                        else max(c.effective_on, self.today - timedelta(days=days)))
        if flaw == "no note":
            note = None
        elif flaw == "blank note":
            note = ""
        elif flaw == "no new_due_on":
            new_due_on = None
        elif flaw == "new_due_on not later":
            new_due_on = c.due_on - timedelta(days=days)
        elif flaw == "stray new_due_on":
            new_due_on = c.due_on + timedelta(days=days + 1)
        elif flaw == "in the future":
            effective_on = self.today + timedelta(days=days + 1)
        elif flaw == "no evidence":
            evidence = []
        if flaw != "no evidence" and not evidence:
            evidence = [{"title": "Báo cáo 1/BC"}]
        elif flaw == "before the last change":
            effective_on = c.effective_on - timedelta(days=days + 1)
        self._update(action, note, evidence, new_due_on, effective_on)

    @precondition(_story_goes_on)
    @rule(data=st.data(), days=st.integers(1, 90), when=WHENS, evidence=EVIDENCE)
    def update_well_formed(self, data: st.DataObject, days: int,
                           when: tuple[bool, int] | None, evidence: list[dict[str, Any]]
                           ) -> None:
        """An update the status allows, with what it needs: histories go deep. A
        partial delivery is often judged first, so that completing it meets a verdict."""
        if self.c.status is Status.PARTIALLY_FULFILLED and data.draw(st.booleans(),
                                                                     label="judged first"):
            self.judge(data.draw(st.sampled_from(Verdict), label="verdict"), "thiếu", None)
        allowed = [a for a in UPDATES if a in TRANSITIONS.get(self.c.status, {})]
        action = data.draw(st.sampled_from(allowed or UPDATES), label="action")
        new_due_on = self.c.due_on + timedelta(days=days) if action is Action.EXTEND else None
        self._update(action, "lý do", evidence or [{"url": "https://a.vn/1"}], new_due_on,
                     self._effective_on(when))

    def _update(self, action: Action, note: str | None, evidence: list[dict[str, Any]],
                new_due_on: date | None, effective_on: date | None) -> None:
        """Expect what the rules say of these arguments, then check the outcome."""
        c = self.c
        status, due_on, late = c.status, c.due_on, c.days_overdue(self.today)
        evidence_before = len(c.evidence)
        # A candidate's confirmation or rejection is dated when it was made.
        undated = c.effective_on if status is Status.PROPOSED else self.today
        in_table = action in TRANSITIONS.get(status, {})
        if action is Action.EXTEND:
            fits = (new_due_on is not None and due_on < new_due_on <= latest_due_on(c.made_on)
                    and bool(note))
        else:
            fits = (new_due_on is None and (bool(note) or action not in NEEDS_NOTE)
                    and (bool(evidence) or action not in CLAIMED_BY.values()))
        accepted = (in_table and action is not Action.TRANSFER and fits
                    and self._when_ok(effective_on))
        done = self._attempt(
            lambda: c.update(action, today=self.today, actor=ADMIN, note=note,
                             evidence=evidence, new_due_on=new_due_on,
                             effective_on=effective_on),
            accepted=accepted,
            refusal=InvalidInput if in_table else TransitionNotAllowed,
            moves_to=_target(status, action) if accepted else status,
        )
        if not done:
            return
        assert c.effective_on == (effective_on or undated)
        if action in CLAIMED_BY.values():
            assert c.verdict is None, "a new claim of delivery is not yet judged"
        if action is Action.FULFIL:
            assert c.fulfilled_on == c.effective_on
        if action is Action.EXTEND:
            assert (c.due_on, c.due_basis) == (new_due_on, DueBasis.EXTENDED)
            assert c.days_overdue(self.today) <= late
        else:
            assert c.due_on == due_on
        # Evidence accumulates, except on a rejected candidate (no promise, so
        # nothing delivered): its evidence stays in the Rejected event only.
        kept = 0 if action is Action.REJECT else len(evidence)
        assert len(c.evidence) == evidence_before + kept

    @precondition(_story_goes_on)
    @rule(verdict=st.sampled_from(Verdict), note=st.one_of(st.just("thiếu hồ sơ"), NOTES),
          when=WHENS)
    def judge(self, verdict: Verdict, note: str | None, when: tuple[bool, int] | None) -> None:
        c = self.c
        effective_on = self._effective_on(when)
        judgeable = c.status in JUDGEABLE
        accepted = (judgeable and (verdict is Verdict.VERIFIED or bool(note))
                    and self._when_ok(effective_on))
        if self._attempt(
            lambda: c.give_verdict(verdict, today=self.today, actor=AUDITOR, note=note,
                                   effective_on=effective_on),
            accepted=accepted,
            refusal=InvalidInput if judgeable else TransitionNotAllowed,
            moves_to=c.status,
        ):
            assert (c.verdict, c.effective_on) == (verdict, effective_on or self.today)

    @precondition(_story_goes_on)
    @rule(when=WHENS, follow=st.integers(0, 3))
    def transfer(self, when: tuple[bool, int] | None, follow: int) -> None:
        """Hand over to a successor; mostly the machine goes on with the successor."""
        c = self.c
        effective_on = self._effective_on(when)
        status, in_table = c.status, Action.TRANSFER in TRANSITIONS.get(c.status, {})
        successors: list[Commitment] = []
        if not self._attempt(
            lambda: successors.append(c.transfer("SNV", today=self.today, actor=ADMIN,
                                                 effective_on=effective_on)),
            accepted=in_table and self._when_ok(effective_on),
            refusal=InvalidInput if in_table else TransitionNotAllowed,
            moves_to=Status.TRANSFERRED,
        ):
            return
        [s] = successors
        assert (s.status, s.version, s.verdict, s.fulfilled_on) == (status, 1, None, None)
        assert (s.transferred_from, c.transferred_to) == (c.id, s.id)
        # Made when it was spoken; the successor's history starts at the handover.
        assert (s.made_on, s.effective_on) == (c.made_on, c.effective_on)
        assert (s.original_due_on, s.extensions) == (c.original_due_on, c.extensions)
        assert (s.due_on, s.agency) == (c.due_on, "SNV")
        self._track(s)
        if follow:
            self.c = s

    @precondition(_story_goes_on)
    @rule(text=st.one_of(st.none(), st.sampled_from(["Sẽ xem xét phụ cấp.", "Sẽ trả lời."])),
          kind=st.one_of(st.none(), st.sampled_from(Kind)),
          agency=st.one_of(st.none(), st.sampled_from(["SYT", "SNV"])),
          due_shift=st.one_of(st.none(), st.integers(-10, 30)),
          basis=st.sampled_from(DueBasis))
    def edit(self, text: str | None, kind: Kind | None, agency: str | None,
             due_shift: int | None, basis: DueBasis) -> None:
        c = self.c
        due = None if due_shift is None else (c.due_on + timedelta(days=due_shift), basis)
        changes = ((text is not None and text != c.text)
                   or (kind is not None and kind is not c.kind)
                   or (agency is not None and agency != c.agency)
                   or (due is not None and due != (c.due_on, c.due_basis)))
        proposed = c.status is Status.PROPOSED
        if self._attempt(
            lambda: c.edit(today=self.today, actor=ADMIN, text=text, kind=kind,
                           agency=agency, due=due),
            accepted=proposed and changes and self._when_ok(None),
            refusal=InvalidInput if proposed else TransitionNotAllowed,
            moves_to=Status.PROPOSED,
        ) and due is not None:
            assert (c.due_on, c.due_basis) == due

    @precondition(_story_goes_on)
    @rule(rung=st.sampled_from(Rung), channel=st.sampled_from(Channel),
          mark=st.sampled_from(["old_claim", "sent", "old_attempt_failed", "failed"]),
          claim=st.sampled_from(["task-1", "task-2"]), minutes=st.integers(0, 30))
    def remind(self, rung: Rung, channel: Channel, mark: str, claim: str, minutes: int) -> None:
        """Reminders record who was told what; they never change status or dates.
        Claims and failed tries are in a delivery's own stream now; an old log's
        commitment holds them too, and must replay the same."""
        c = self.c
        delivery = Delivery(rung, c.due_on, channel)
        at = datetime.combine(self.today, time(8, minutes), tzinfo=UTC)
        where = {"rung": rung.value, "due_on": c.due_on, "channel": channel.value}
        commands: dict[str, Callable[[], None]] = {
            "old_claim": lambda: c._reminder_claimed(**where, recipient="syt@a.vn",
                                                     claim=claim, attempt=1, at=at),
            "sent": lambda: c.record_reminder_sent(delivery, recipient="syt@a.vn", at=at,
                                                   confirmed=minutes % 2 == 0),
            "old_attempt_failed": lambda: c._reminder_attempt_failed(
                **where, claim=claim, attempt=1, error="550", at=at),
            "failed": lambda: c.record_reminder_failed(delivery, recipient="syt@a.vn",
                                                       error="550", at=at),
        }
        self._attempt(commands[mark], accepted=True, refusal=VersionConflict,
                      moves_to=c.status)

    # -- invariants --------------------------------------------------------------

    @invariant()
    def every_state_is_possible(self) -> None:
        for c in self.aggregates.values():
            assert c.status in Status
            # A judged partial delivery keeps its verdict when what is still
            # owed passes to a successor agency.
            assert c.verdict is None or c.status in (*JUDGEABLE, Status.TRANSFERRED), (
                c.status, c.verdict)
            assert (c.fulfilled_on is not None) == (c.status is Status.FULFILLED), (
                c.status, c.fulfilled_on)
            assert c.made_on <= c.effective_on <= max(self.today, c.made_on)
            if c.fulfilled_on is not None:
                assert c.made_on <= c.fulfilled_on <= c.effective_on
            assert (c.transferred_to is not None) == (c.status is Status.TRANSFERRED)
            assert c.version == len(c.pending_events) == len(self.history[c.id])
            assert c.is_overdue(self.today) == is_overdue(c.status, c.due_on, self.today)
            dates = [getattr(e, "effective_on", getattr(e, "made_on", None))
                     for e in c.pending_events]
            dated = [d for d in dates if d is not None]
            assert dated == sorted(dated), f"effective dates go backwards: {dated}"

    def teardown(self) -> None:
        """Fold each aggregate's events from nothing, then save everything and read
        each aggregate back: both give the recorded state after every version."""
        if not self.aggregates or self.checking:
            return
        for c in self.aggregates.values():
            rebuilt: Any = None
            for version, (recorded, expected) in enumerate(
                zip(c.pending_events, self.history[c.id], strict=True), start=1
            ):
                rebuilt = recorded.mutate(rebuilt)
                assert rebuilt.version == version
                assert _state(rebuilt) == expected, f"folded version {version} of {c.id}"
        store = _Store(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        store.save(*self.aggregates.values())
        for aggregate_id, versions in self.history.items():
            live = self.aggregates[aggregate_id]
            read: Any = store.repository.get(aggregate_id)
            assert (read.status, read.due_on, read.verdict, read.fulfilled_on, read.version) == (
                live.status, live.due_on, live.verdict, live.fulfilled_on, live.version)
            assert _state(read) == _state(live)
            for version, expected in enumerate(versions, start=1):
                read = store.repository.get(aggregate_id, version=version)
                assert _state(read) == expected, f"version {version} of {aggregate_id}"


def test_commitment_histories_stay_possible_and_replay_the_same() -> None:
    run_state_machine_as_test(
        CommitmentMachine,
        settings=_settings(250, stateful_step_count=30,
                           suppress_health_check=[HealthCheck.too_slow]),
    )


@_settings(60)
@given(status=st.sampled_from(INITIAL), action=ACTIONS,
       evidence=st.lists(EVIDENCE_ITEMS, min_size=1, max_size=2))
def test_evidence_given_with_an_accepted_update_is_recorded(
    status: Status, action: Action, evidence: list[dict[str, Any]]
) -> None:
    """Evidence that comes with an accepted update reaches the recorded event (and so
    the history and disclosure), whatever the action. (Found extend dropping it.)"""
    assume(action in TRANSITIONS[status] and action is not Action.TRANSFER)
    c = _commitment(status, Kind.REVIEW, BASE, BASE + timedelta(days=60))
    new_due_on = c.due_on + timedelta(days=30) if action is Action.EXTEND else None
    c.update(action, today=BASE, actor=ADMIN, note="lý do", evidence=evidence,
             new_due_on=new_due_on)
    assert getattr(c.pending_events[-1], "evidence", None) == evidence, action
