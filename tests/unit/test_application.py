"""Rules of the Commitments application on in-memory persistence: the write path,
idempotency, optimistic concurrency, tokens and the making of commitments."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from domain.access import Actor, Role
from domain.agency import agency_id
from domain.commitment import Commitment
from domain.deadlines import DueBasis, Kind
from domain.dialogue import Dialogue
from domain.errors import AlreadyExists, Forbidden, InvalidInput, VersionConflict
from domain.status import Action, Status
from service import commands as c
from service.application import Commitments
from service.idempotency import Idempotency, IdempotencyKeyReused, IdempotencyRecord, Outcome
from service.settings import Settings
from tests.support.clock import FixedClock

TODAY = date(2024, 9, 1)
HELD_ON = date(2024, 5, 10)
ADMIN = Actor(Role.ADMIN)
SYT = Actor(Role.AGENCY, "SYT")
# Evidence a claim of delivery needs.
PROOF = [{"title": "Báo cáo 12/BC-SYT"}]
# 20:00 UTC on the 10th is 03:00 on the 11th in Vietnam (UTC+7).
ANSWERED_AT = datetime.fromisoformat("2024-05-10T20:00:00+00:00")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Commitments]:
    settings = Settings.from_env(
        {"COMMITMENTS_DATA_DIR": str(tmp_path), "PERSISTENCE_MODULE": "eventsourcing.popo"}
    )
    application = Commitments(settings, clock=FixedClock(TODAY))
    yield application
    application.close()


@dataclass
class World:
    dialogue: UUID
    question: UUID
    answer: UUID


@pytest.fixture
def world(app: Commitments) -> World:
    """One agency, a dialogue on HELD_ON, a question and its answer given at ANSWERED_AT."""
    app.execute(c.RegisterAgency("SYT", "Sở Y tế"), ADMIN)
    dialogue = app.execute(c.RecordDialogue("Đối thoại 2024", HELD_ON), ADMIN).aggregate_id
    question = app.execute(
        c.AskQuestion(dialogue, {"name": "Bà Nga"}, "Phụ cấp?", ["SYT"]), ADMIN
    ).aggregate_id
    answer = app.execute(
        c.GiveAnswer([question], {"agency": "SYT"}, "Sẽ xem xét.", answered_at=ANSWERED_AT),
        ADMIN,
    ).aggregate_id
    return World(dialogue, question, answer)


def stored(app: Commitments) -> int:
    return app.recorder.max_notification_id() or 0


def history(app: Commitments, aggregate_id: UUID) -> list[str]:
    return [type(e).__name__ for e in app.events.get(aggregate_id)]


def commit(app: Commitments, world: World, **kwargs: Any) -> UUID:
    cmd = c.MakeCommitment("SYT", "Sẽ xem xét phụ cấp.", Kind.REVIEW, answer_id=world.answer,
                           **kwargs)
    return app.execute(cmd, ADMIN).aggregate_id


def compete(
    app: Commitments, monkeypatch: pytest.MonkeyPatch, competitor: Callable[[Any], None],
    times: int = 1,
) -> list[tuple[Any, ...]]:
    """Make the first `times` saves of `execute` lose a race: just before each, the
    competitor writes through the real save. Returns the objects of every save call."""
    real_save = app.save
    calls: list[tuple[Any, ...]] = []

    def save(*objs: Any, **kwargs: Any) -> Any:
        calls.append(objs)
        if len(calls) <= times:
            competitor(real_save)
        return real_save(*objs, **kwargs)

    monkeypatch.setattr(app, "save", save)
    return calls


def progress_by_another_writer(app: Commitments, commitment_id: UUID) -> Callable[[Any], None]:
    def write(real_save: Any) -> None:
        other: Commitment = app.get(commitment_id)
        other.update(Action.PROGRESS, today=TODAY, actor=SYT.as_record(),
                     evidence=[{"url": f"https://other.vn/{other.version}"}])
        real_save(other)

    return write


# -- agencies -----------------------------------------------------------------------


def test_register_agency_twice_is_refused_and_stores_nothing(app: Commitments) -> None:
    """An agency code is registered once; the second attempt stores nothing."""
    first = app.execute(c.RegisterAgency("SYT", "Sở Y tế"), ADMIN)
    assert first == Outcome(agency_id("SYT"), 1)
    before = stored(app)
    assert before == 2  # the agency, and the record that its name means SYT
    with pytest.raises(AlreadyExists, match="'SYT'"):
        app.execute(c.RegisterAgency("SYT", "Another name"), ADMIN)
    assert stored(app) == before
    assert app.get(agency_id("SYT")).name == "Sở Y tế"


def test_a_name_means_one_agency(app: Commitments) -> None:
    """Imports match agencies by name, so a second agency cannot take a name
    (or a spelling of it) that already means another; nothing is stored."""
    app.execute(c.RegisterAgency("SYT", "Sở Y tế", aliases=["Sở Y tế tỉnh Bắc Kạn"]), ADMIN)
    before = stored(app)
    for name in ("SỞ Y TẾ", "So Y te tinh Bac Kan", "Sở  Y tế,"):
        with pytest.raises(AlreadyExists, match="already means agency SYT"):
            app.execute(c.RegisterAgency("SYT2", name), ADMIN)
    assert stored(app) == before


def test_register_agency_needs_the_record_permission(app: Commitments) -> None:
    """An auditor cannot register agencies."""
    with pytest.raises(Forbidden):
        app.execute(c.RegisterAgency("SYT", "Sở Y tế"), Actor(Role.AUDITOR))
    assert stored(app) == 0


# -- idempotency --------------------------------------------------------------------


def test_same_idempotency_key_returns_the_kept_outcome(app: Commitments) -> None:
    """A repeated request with the same key and fingerprint is answered, not redone."""
    key = Idempotency("token-1", "key-1", "fp-1")
    cmd = c.RecordDialogue("Đối thoại", HELD_ON)
    first = app.execute(cmd, ADMIN, key)
    after_first = stored(app)
    assert after_first == 2  # the dialogue and the idempotency record, in one write
    second = app.execute(cmd, ADMIN, key)
    assert second == first
    assert stored(app) == after_first
    assert app.get(first.aggregate_id).title == "Đối thoại"


def test_same_key_is_kept_even_when_the_command_would_now_fail(app: Commitments) -> None:
    """A retried registration is answered from the key, not refused as a duplicate."""
    key = Idempotency("token-1", "key-1", "fp-1")
    first = app.execute(c.RegisterAgency("SYT", "Sở Y tế"), ADMIN, key)
    assert app.execute(c.RegisterAgency("SYT", "Sở Y tế"), ADMIN, key) == first
    assert stored(app) == 3  # the agency, its name, the idempotency record


def test_same_key_with_another_fingerprint_is_refused(app: Commitments) -> None:
    """A key reused for a different request is an error, and nothing is stored."""
    app.execute(c.RecordDialogue("Đối thoại", HELD_ON), ADMIN, Idempotency("t", "k", "fp-1"))
    before = stored(app)
    with pytest.raises(IdempotencyKeyReused, match="'k'"):
        app.execute(c.RecordDialogue("Khác", HELD_ON), ADMIN, Idempotency("t", "k", "fp-2"))
    assert stored(app) == before


def test_keys_are_scoped(app: Commitments) -> None:
    """The same key under another scope (credential) is a new request."""
    cmd = c.RecordDialogue("Đối thoại", HELD_ON)
    first = app.execute(cmd, ADMIN, Idempotency("token-1", "k", "fp"))
    second = app.execute(cmd, ADMIN, Idempotency("token-2", "k", "fp"))
    assert first.aggregate_id != second.aggregate_id
    assert stored(app) == 4


def test_racing_requests_with_one_key_store_one_write(
    app: Commitments, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When another process saves the same key first, this request's whole write fails
    and it answers with the winner's outcome."""
    key = Idempotency("t", "k", "fp")
    winner: list[Outcome] = []

    def other_process(real_save: Any) -> None:
        dialogue = Dialogue(title="Đối thoại", held_on=HELD_ON, place=None, chair=None,
                            organiser=None, source_url=None, actor=ADMIN.as_record())
        record = IdempotencyRecord(record_id=key.record_id, fingerprint=key.fingerprint,
                                   aggregate_id=dialogue.id, version=dialogue.version)
        real_save(dialogue, record)
        winner.append(Outcome(dialogue.id, dialogue.version))

    calls = compete(app, monkeypatch, other_process)
    outcome = app.execute(c.RecordDialogue("Đối thoại", HELD_ON), ADMIN, key)
    assert outcome == winner[0]
    assert len(calls) == 1
    losing_dialogue = calls[0][0].originator_id  # the events it tried to save
    assert losing_dialogue != outcome.aggregate_id
    assert losing_dialogue not in app.repository
    assert stored(app) == 2


# -- optimistic concurrency ---------------------------------------------------------


def test_stale_expected_version_is_a_conflict(app: Commitments, world: World) -> None:
    """If-Match with an old version is refused before anything is stored."""
    cid = commit(app, world)
    app.execute(c.UpdateCommitment(cid, Action.PROGRESS), ADMIN)
    before = stored(app)
    with pytest.raises(VersionConflict, match="at version 2, not 1"):
        app.execute(c.UpdateCommitment(cid, Action.FULFIL, evidence=PROOF,
                                           expected_version=1), ADMIN)
    assert stored(app) == before
    assert app.get(cid).status is Status.IN_PROGRESS


def test_current_expected_version_is_accepted(app: Commitments, world: World) -> None:
    """If-Match with the current version writes the next one."""
    cid = commit(app, world)
    outcome = app.execute(c.UpdateCommitment(cid, Action.FULFIL, evidence=PROOF,
                                             expected_version=1), ADMIN)
    assert outcome == Outcome(cid, 2)
    assert app.get(cid).status is Status.FULFILLED


def test_concurrent_writer_is_retried_without_losing_an_event(
    app: Commitments, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save that loses the race is redone from a fresh read: both events are kept."""
    cid = commit(app, world)
    calls = compete(app, monkeypatch, progress_by_another_writer(app, cid))
    outcome = app.execute(
        c.UpdateCommitment(cid, Action.FULFIL, evidence=[{"url": "https://ours.vn"}]), ADMIN
    )
    assert len(calls) == 2
    assert outcome == Outcome(cid, 3)
    assert history(app, cid) == ["Made", "ProgressReported", "Fulfilled"]
    final: Commitment = app.get(cid)
    assert final.status is Status.FULFILLED
    assert [e["url"] for e in final.evidence] == ["https://other.vn/1", "https://ours.vn"]


def test_concurrent_writer_with_expected_version_is_a_conflict(
    app: Commitments, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With If-Match, losing the race is a VersionConflict, never a silent retry."""
    cid = commit(app, world)
    calls = compete(app, monkeypatch, progress_by_another_writer(app, cid))
    with pytest.raises(VersionConflict, match="at version 2, not 1"):
        app.execute(c.UpdateCommitment(cid, Action.FULFIL, evidence=PROOF,
                                           expected_version=1), ADMIN)
    assert len(calls) == 1
    assert history(app, cid) == ["Made", "ProgressReported"]
    assert app.get(cid).status is Status.IN_PROGRESS


def test_retries_are_bounded_and_taken_in_turn(
    app: Commitments, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record that keeps changing gives up after save_attempts with
    VersionConflict; every retry runs holding the commitment's turn, the first
    attempt does not."""
    cid = commit(app, world)
    held: list[UUID] = []
    during: list[bool] = []

    class Recorded:
        @contextmanager
        def turn(self, key: UUID) -> Iterator[None]:
            held.append(key)
            yield
            held.remove(key)

    app.turns = Recorded()
    another = progress_by_another_writer(app, cid)

    def rival(real_save: Any) -> None:
        during.append(bool(held))
        another(real_save)

    calls = compete(app, monkeypatch, rival, times=100)
    with pytest.raises(VersionConflict, match="kept changing"):
        app.execute(c.UpdateCommitment(cid, Action.FULFIL, evidence=PROOF), ADMIN)
    assert len(calls) == Commitments.save_attempts == 40
    assert during == [False] + [True] * 39
    assert held == []
    assert history(app, cid) == ["Made"] + ["ProgressReported"] * 40


def test_agency_cannot_update_another_agencys_commitment(
    app: Commitments, world: World
) -> None:
    """Ownership is checked on the write path, before anything is stored."""
    cid = commit(app, world)
    app.execute(c.UpdateCommitment(cid, Action.PROGRESS), SYT)
    before = stored(app)
    with pytest.raises(Forbidden):
        app.execute(c.UpdateCommitment(cid, Action.FULFIL, evidence=PROOF),
                    Actor(Role.AGENCY, "SGDDT"))
    assert stored(app) == before


def test_state_survives_the_store(app: Commitments, world: World) -> None:
    """Dates and evidence come back from stored events as they were written."""
    cid = commit(app, world)
    app.execute(c.UpdateCommitment(cid, Action.EXTEND, note="late budget",
                                   new_due_on=date(2024, 10, 1),
                                   effective_on=date(2024, 7, 1)), ADMIN)
    app.execute(c.UpdateCommitment(cid, Action.PARTIALLY_FULFIL,
                                   evidence=[{"url": "https://a.vn"}]), ADMIN)
    loaded: Commitment = app.get(cid)
    assert type(loaded.due_on) is date and loaded.due_on == date(2024, 10, 1)
    assert loaded.due_basis is DueBasis.EXTENDED
    assert loaded.status is Status.PARTIALLY_FULFILLED
    assert loaded.evidence == [{"url": "https://a.vn", "on": "2024-09-01"}]
    assert (loaded.effective_on, loaded.version) == (TODAY, 3)
    assert app.get(cid, version=2).status is Status.OPEN


# -- tokens -------------------------------------------------------------------------


def test_issue_and_authenticate_tokens(app: Commitments, world: World) -> None:
    """A token authenticates as the actor it was issued for."""
    admin = app.issue_token(Role.ADMIN, label="secretariat")
    agency = app.issue_token(Role.AGENCY, "SYT")
    assert admin.startswith("cmt_") and len(admin) > 40
    assert admin != agency
    found = app.authenticate(admin)
    assert found is not None and found[0] == ADMIN
    found = app.authenticate(agency)
    assert found is not None and found[0] == SYT
    assert isinstance(found[1], UUID)


@pytest.mark.parametrize("secret", ["cmt_unknown", "unknown", ""])
def test_unknown_secret_is_not_authenticated(app: Commitments, secret: str) -> None:
    """An unknown or malformed secret authenticates nobody."""
    app.issue_token(Role.ADMIN)
    assert app.authenticate(secret) is None


def test_agency_token_needs_a_registered_agency(app: Commitments) -> None:
    """An agency token cannot be issued for an agency that does not exist."""
    with pytest.raises(InvalidInput, match="'SYT'") as raised:
        app.issue_token(Role.AGENCY, "SYT")
    assert list(raised.value.fields) == ["agency"]
    assert stored(app) == 0


@pytest.mark.parametrize(
    ("role", "agency"), [(Role.AGENCY, None), (Role.AGENCY, ""), (Role.ADMIN, "SYT"),
                         (Role.AUDITOR, "SYT")],
)
def test_token_agency_must_match_the_role(
    app: Commitments, world: World, role: Role, agency: str | None
) -> None:
    """Agency tokens name an agency; admin and auditor tokens do not."""
    before = stored(app)
    with pytest.raises(InvalidInput):
        app.issue_token(role, agency)
    assert stored(app) == before


def test_store_keeps_only_the_hash_of_a_secret(app: Commitments, world: World) -> None:
    """No stored event contains a token's secret, only its SHA-256 hash."""
    secrets = [app.issue_token(Role.ADMIN), app.issue_token(Role.AGENCY, "SYT")]
    states = [n.state for n in app.recorder.select_notifications(start=1, limit=100)]
    assert len(states) == stored(app)
    for secret in secrets:
        assert not any(secret.encode() in s for s in states)
        assert not any(secret[len("cmt_"):].encode() in s for s in states)
        digest = hashlib.sha256(secret.encode()).hexdigest().encode()
        assert sum(digest in s for s in states) == 1


# -- making commitments ---------------------------------------------------------------


def test_default_due_date_from_the_dialogue_and_made_on_from_the_answer(
    app: Commitments, world: World
) -> None:
    """The default due date counts from the dialogue; the promise is made on the answer's
    date in Vietnam (20:00 UTC on the 10th is the 11th)."""
    made: Commitment = app.get(commit(app, world))
    assert (made.due_on, made.due_basis) == (date(2024, 7, 9), DueBasis.DEFAULT)
    assert made.made_on == date(2024, 5, 11)
    assert made.effective_on == date(2024, 5, 11)
    assert (made.dialogue_id, made.answer_id) == (world.dialogue, world.answer)
    assert made.question_ids == [world.question]
    assert made.status is Status.OPEN


def test_stated_due_date_wins(app: Commitments, world: World) -> None:
    """A stated due date is kept, with basis STATED."""
    made: Commitment = app.get(commit(app, world, due_on=date(2024, 6, 30), proposed=True))
    assert (made.due_on, made.due_basis) == (date(2024, 6, 30), DueBasis.STATED)
    assert made.status is Status.PROPOSED


def test_due_date_before_the_dialogue_is_refused(app: Commitments, world: World) -> None:
    """A stated due date before the dialogue is invalid, and nothing is stored."""
    before = stored(app)
    with pytest.raises(InvalidInput) as raised:
        commit(app, world, due_on=date(2024, 5, 9))
    assert list(raised.value.fields) == ["due_on"]
    assert stored(app) == before


def test_made_on_is_the_dialogue_date_without_an_answer_time(
    app: Commitments, world: World
) -> None:
    """An answer without a time, or a directive without an answer, dates from the dialogue."""
    untimed = app.execute(
        c.GiveAnswer([world.question], {"agency": "SYT"}, "Bằng văn bản."), ADMIN
    ).aggregate_id
    made: Commitment = app.get(app.execute(
        c.MakeCommitment("SYT", "Báo cáo", Kind.REPORT, answer_id=untimed), ADMIN
    ).aggregate_id)
    assert (made.made_on, made.due_on) == (HELD_ON, date(2024, 6, 9))
    directive: Commitment = app.get(app.execute(
        c.MakeCommitment("SYT", "Chỉ đạo", Kind.IMPLEMENT, dialogue_id=world.dialogue), ADMIN
    ).aggregate_id)
    assert (directive.made_on, directive.due_on) == (HELD_ON, date(2024, 11, 6))
    assert (directive.answer_id, directive.question_ids) == (None, [])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"agency": "NOPE"}, "agency"),
        ({"answer_id": None}, "answer_id"),
        ({"answer_id": UUID(int=1)}, "answer_id"),
        ({"dialogue_id": UUID(int=2)}, "dialogue_id"),
    ],
)
def test_make_commitment_refusals(
    app: Commitments, world: World, kwargs: dict[str, Any], field: str
) -> None:
    """Unknown agency, missing or unknown answer, or an answer of another dialogue."""
    fields: dict[str, Any] = {"agency": "SYT", "text": "t", "kind": Kind.REVIEW,
                              "answer_id": world.answer, **kwargs}
    before = stored(app)
    with pytest.raises(InvalidInput) as raised:
        app.execute(c.MakeCommitment(**fields), ADMIN)
    assert list(raised.value.fields) == [field]
    assert stored(app) == before


def _commitment(app: Commitments, world: World) -> UUID:
    return app.execute(c.MakeCommitment(agency="SYT", text="Sẽ xem xét", kind=Kind.REVIEW,
                                        answer_id=world.answer), ADMIN).aggregate_id


def test_a_write_whose_answer_was_lost_is_not_stored_twice(
    app: Commitments, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The database commits, the connection drops before it says so, and the
    # driver's retry of the same insert collides with what was just stored.
    commitment = _commitment(app, world)
    real_save = app.save
    calls = 0

    def save_then_lose_the_answer(*items: Any) -> Any:
        nonlocal calls
        calls += 1
        real_save(*items)
        if calls == 1:
            raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(app, "save", save_then_lose_the_answer)
    outcome = app.execute(c.UpdateCommitment(commitment, Action.PROGRESS, note="đã họp"), ADMIN)
    stored = list(app.events.get(commitment))
    assert [type(e).__name__ for e in stored] == ["Made", "ProgressReported"]
    assert outcome.version == stored[-1].originator_version
    assert calls == 1


def test_a_real_conflict_is_still_retried(
    app: Commitments, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    commitment = _commitment(app, world)
    real_save = app.save
    calls = 0

    def another_writer_first(*items: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            # Someone else's update lands at the version this one wanted.
            other = app.repository.get(commitment)
            other.update(Action.PROGRESS, today=TODAY, actor=ADMIN.as_record(), note="khác")
            real_save(other)
            raise IntegrityError("duplicate key value violates unique constraint")
        return real_save(*items)

    monkeypatch.setattr(app, "save", another_writer_first)
    app.execute(c.UpdateCommitment(commitment, Action.PROGRESS, note="của tôi"), ADMIN)
    notes = [getattr(e, "note", None) for e in app.events.get(commitment)]
    assert notes == [None, "khác", "của tôi"] and calls == 2
