"""A backlog of events written straight through the application, with no
projector running: what a projector finds when it starts late or restarts.

Commitments are built as aggregates (as `service.handlers.make_commitment`
builds them) and saved many at a time, in rounds, so that a commitment's
later events sit far down the log from its first one: a projector that
resumes after a crash must find their earlier state in the store, not in a
cache it lost. Every kind of event the projection handles is in it: agencies
(one succeeded by another, its open commitments transferred), dialogues,
questions, answers, and commitments proposed, confirmed, in progress,
extended, fulfilled on time and late, partly fulfilled, declined, withdrawn,
verified and disputed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from eventsourcing.domain import Aggregate

from domain.access import Actor, Role
from domain.agency import Agency, agency_id
from domain.commitment import Commitment
from domain.deadlines import Kind, due_date
from domain.status import Action, Status, Verdict
from service import commands as c
from service.application import Commitments

TODAY = date(2024, 9, 1)
HELD_ON = date(2024, 5, 10)
SECOND_HELD_ON = date(2024, 5, 20)
ADMIN = Actor(Role.ADMIN)
AGENCIES = ("SYT", "SGD", "OLD", "NEW")
# Effective dates of the rounds of updates, after both dialogues, before TODAY.
ROUND_DATES = (date(2024, 6, 1), date(2024, 7, 1), date(2024, 8, 1), date(2024, 8, 20))
SUCCEEDED_ON = date(2024, 8, 25)
# What a succession carries over (as `Queries.in_play_of` selects it).
_IN_PLAY = (Status.PROPOSED, Status.OPEN, Status.IN_PROGRESS)

Step = Callable[[Commitment, date], None]


def _update(action: Action, note: str | None = None) -> Step:
    def step(commitment: Commitment, on: date) -> None:
        extra: dict[str, object] = {}
        if action is Action.EXTEND:
            extra["new_due_on"] = commitment.due_on + timedelta(days=45)
        commitment.update(action, today=TODAY, actor=ADMIN.as_record(), note=note,
                          evidence=[{"url": f"https://example.org/{action.value}"}],
                          effective_on=on, **extra)  # type: ignore[arg-type]
    return step


def _verdict(verdict: Verdict, note: str | None = None) -> Step:
    def step(commitment: Commitment, on: date) -> None:
        commitment.give_verdict(verdict, today=TODAY, actor=ADMIN.as_record(), note=note,
                                effective_on=on)
    return step


_CONFIRM, _PROGRESS, _FULFIL = (_update(Action.CONFIRM), _update(Action.PROGRESS),
                                _update(Action.FULFIL))
_EXTEND = _update(Action.EXTEND, "chờ ngân sách")
# Scripts by commitment number modulo their count: (proposed?, kind, steps).
_SCRIPTS: tuple[tuple[bool, Kind, tuple[Step, ...]], ...] = (
    (True, Kind.STUDY, ()),
    (True, Kind.IMPLEMENT, (_CONFIRM, _PROGRESS, _FULFIL, _verdict(Verdict.VERIFIED))),
    (True, Kind.REVIEW, (_update(Action.WITHDRAW, "ghi nhầm"),)),
    (False, Kind.IMPLEMENT, (_PROGRESS, _EXTEND, _FULFIL)),  # on time
    (False, Kind.REPORT, (_PROGRESS, _PROGRESS, _FULFIL)),  # late
    (False, Kind.PROPOSE, (_update(Action.PARTIALLY_FULFIL),
                           _verdict(Verdict.DISPUTED, "thiếu hồ sơ"), _FULFIL)),
    (False, Kind.ADVISE, (_update(Action.DECLINE, "ngoài thẩm quyền"),)),
    (False, Kind.OTHER, (_PROGRESS, _PROGRESS, _PROGRESS, _PROGRESS)),
    (False, Kind.REVIEW, (_EXTEND, _EXTEND, _update(Action.WITHDRAW, "ghi nhầm"))),
    (False, Kind.REPORT, (_FULFIL, _verdict(Verdict.VERIFIED))),
    (False, Kind.STUDY, (_PROGRESS,)),
    (False, Kind.PROPOSE, (_PROGRESS, _update(Action.PARTIALLY_FULFIL),
                           _verdict(Verdict.DISPUTED, "chưa đủ"))),
    (False, Kind.IMPLEMENT, ()),
)


@dataclass(frozen=True)
class Backlog:
    commitments: int  # aggregates, transferred successors included
    commitment_events: int  # the sum of their versions: one history row each
    head: int  # the log's last notification id


def _save(app: Commitments, aggregates: Iterable[Aggregate], chunk: int) -> None:
    pending = list(aggregates)
    for start in range(0, len(pending), chunk):
        app.save(*pending[start:start + chunk])


def load_backlog(app: Commitments, commitments: int, chunk: int = 250) -> Backlog:
    """Write about 3.4 events per commitment asked for, plus a few dozen others."""
    for code in AGENCIES:
        app.execute(c.RegisterAgency(code, f"Cơ quan {code}", name_en=f"Agency {code}"), ADMIN)
    dialogues = [
        app.execute(c.RecordDialogue(title, held_on), ADMIN).aggregate_id
        for title, held_on in (("Đối thoại 2024", HELD_ON), ("Đối thoại bổ sung", SECOND_HELD_ON))
    ]
    questions = [
        app.execute(c.AskQuestion(dialogues[0], {"name": f"Đại biểu {n}"}, f"Câu hỏi {n}?",
                                  [AGENCIES[n % 3]]), ADMIN).aggregate_id
        for n in range(12)
    ]
    answers = [
        app.execute(c.GiveAnswer(questions[n:n + 2], {"agency": AGENCIES[n % 3]},
                                 f"Trả lời {n}"), ADMIN).aggregate
        for n in range(0, 12, 3)
    ]
    policy = app.settings.due_policy
    made: list[tuple[Commitment, tuple[Step, ...]]] = []
    rng = random.Random(20240510)
    for n in range(commitments):
        proposed, kind, steps = _SCRIPTS[n % len(_SCRIPTS)]
        answer = rng.choice(answers) if rng.random() < 0.2 else None
        held_on = HELD_ON if answer is not None or rng.random() < 0.5 else SECOND_HELD_ON
        stated = (held_on + timedelta(days=rng.choice((20, 100, 200)))
                  if rng.random() < 0.3 else None)
        due_on, basis = due_date(kind, stated, held_on, policy)
        commitment = Commitment(
            agency=rng.choice(AGENCIES[:3]), text=f"Cam kết số {n}: sửa đường, xây trường",
            kind=kind.value, due_on=due_on, due_basis=basis.value, made_on=held_on,
            dialogue_id=answer.dialogue_id if answer else dialogues[held_on != HELD_ON],
            answer_id=answer.id if answer else None,
            question_ids=list(answer.question_ids) if answer else [],
            status=(Status.PROPOSED if proposed else Status.OPEN).value,
            actor=ADMIN.as_record(),
        )
        # Some take their first step in the same save as their making.
        if steps and rng.random() < 0.3:
            steps[0](commitment, ROUND_DATES[0])
            steps = steps[1:]
        made.append((commitment, steps))
    _save(app, (commitment for commitment, _ in made), chunk)
    for round_no, on in enumerate(ROUND_DATES):
        changed = []
        for commitment, steps in made:
            if round_no < len(steps):
                steps[round_no](commitment, on)
                changed.append(commitment)
        _save(app, changed, chunk)
    everything = [commitment for commitment, _ in made]
    # OLD is succeeded by NEW, which takes over its commitments still in play.
    old: Agency = app.get(agency_id("OLD"))
    new: Agency = app.get(agency_id("NEW"))
    moved: list[Aggregate] = []
    pairs = []
    for commitment in list(everything):
        if commitment.agency == "OLD" and commitment.status in _IN_PLAY:
            carried = commitment.transfer("NEW", today=TODAY, actor=ADMIN.as_record(),
                                          effective_on=SUCCEEDED_ON)
            moved += [commitment, carried]
            pairs.append({"from": str(commitment.id), "to": str(carried.id)})
            everything.append(carried)
    old.succeed(new, effective_on=SUCCEEDED_ON, today=TODAY, transferred=pairs,
                actor=ADMIN.as_record())
    _save(app, [old, *moved], chunk)
    head = app.recorder.max_notification_id() or 0
    return Backlog(commitments=len(everything),
                   commitment_events=sum(commitment.version for commitment in everything),
                   head=head)


def commitment_events(app: Commitments, upto: int) -> int:
    """How many of the log's first `upto` events are commitment events."""
    return sum(
        1 for notification in app.recorder.select_notifications(1, max(upto, 1), stop=upto)
        if notification.topic.startswith(_COMMITMENT_TOPIC)
    )


_COMMITMENT_TOPIC = f"{Commitment.__module__}:{Commitment.__qualname__}."
