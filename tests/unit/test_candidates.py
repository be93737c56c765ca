"""Candidates an import proposes: editing, rejecting, and how agencies are
matched by name when they are recorded."""

from __future__ import annotations

from datetime import date

import pytest

from domain.agency import Agency, alias_key, initials_code
from domain.commitment import Commitment
from domain.deadlines import DueBasis, Kind
from domain.errors import AlreadyExists, InvalidInput, TransitionNotAllowed
from domain.status import Action, Status
from tests.unit.test_commitment import ADMIN, DUE_ON, TODAY, make, names


def test_an_edit_changes_only_what_differs_and_replays() -> None:
    c = make(proposed=True)
    c.edit(today=TODAY, actor=ADMIN, text="Sở Y tế sẽ phối hợp kiến nghị.", kind=Kind.PROPOSE,
           agency="SYT", due=(date(2024, 12, 31), DueBasis.STATED), note="owner confirmed")
    assert (c.text, c.kind, c.agency) == ("Sở Y tế sẽ phối hợp kiến nghị.", Kind.PROPOSE, "SYT")
    assert (c.due_on, c.due_basis) == (date(2024, 12, 31), DueBasis.STATED)
    edited = c.pending_events[-1]
    assert type(edited).__name__ == "Edited"
    assert set(edited.changes) == {"text", "kind", "due_on", "due_basis"}  # type: ignore[attr-defined]
    replayed = None
    for e in c.collect_events():
        replayed = e.mutate(replayed)
    assert isinstance(replayed, Commitment)
    assert (replayed.text, replayed.kind, replayed.due_on) == (c.text, c.kind, c.due_on)


def test_an_edit_that_changes_nothing_is_refused() -> None:
    c = make(proposed=True)
    with pytest.raises(InvalidInput, match="changes nothing"):
        c.edit(today=TODAY, actor=ADMIN, text=c.text, kind=c.kind, agency=c.agency,
               due=(DUE_ON, DueBasis.DEFAULT))
    assert names(c) == ["Made"]


@pytest.mark.parametrize("action", [Action.CONFIRM, Action.REJECT])
def test_only_a_proposed_candidate_is_edited(action: Action) -> None:
    c = make(proposed=True)
    c.update(action, today=TODAY, actor=ADMIN, note="no promise")
    with pytest.raises(TransitionNotAllowed, match="only a proposed candidate"):
        c.edit(today=TODAY, actor=ADMIN, text="other")


def test_rejecting_needs_a_reason_and_is_final() -> None:
    c = make(proposed=True)
    with pytest.raises(InvalidInput, match="reject needs a note"):
        c.update(Action.REJECT, today=TODAY, actor=ADMIN)
    c.update(Action.REJECT, today=TODAY, actor=ADMIN, note="a recommendation to others")
    assert c.status is Status.REJECTED
    assert not c.is_overdue(date(2030, 1, 1))
    with pytest.raises(TransitionNotAllowed, match="this status is final"):
        c.update(Action.CONFIRM, today=TODAY, actor=ADMIN)


def test_an_open_promise_cannot_be_rejected() -> None:
    c = make()
    with pytest.raises(TransitionNotAllowed, match="cannot reject"):
        c.update(Action.REJECT, today=TODAY, actor=ADMIN, note="x")


@pytest.mark.parametrize(("name", "key"), [
    ("Sở Y tế", "so y te"),
    ("SỞ Y TẾ tỉnh Bắc Kạn", "so y te"),
    ("Sở Giáo dục & Đào tạo tỉnh", "so giao duc va dao tao"),
    ("Sở Lao động, Thương binh và Xã hội", "so lao dong thuong binh va xa hoi"),
    ("Bảo hiểm xã hội tỉnh Bắc Kạn", "bao hiem xa hoi tinh"),
    ("Bảo hiểm xã hội tỉnh", "bao hiem xa hoi tinh"),
    ("Đài Phát thanh và Truyền hình", "dai phat thanh va truyen hinh"),
])
def test_alias_keys(name: str, key: str) -> None:
    assert alias_key(name) == key


@pytest.mark.parametrize(("name", "code"), [
    ("Sở Y tế", "SYT"),
    ("Sở Giáo dục và Đào tạo tỉnh Bắc Kạn", "SGDDT"),
    ("Sở Lao động, Thương binh và Xã hội", "SLDTBXH"),
    ("Bảo hiểm xã hội tỉnh Bắc Kạn", "BHXHT"),
    ("UBND tỉnh", "UBNDT"),
    ("Đài", "AGD"),
])
def test_codes_for_agencies_an_import_creates(name: str, code: str) -> None:
    assert initials_code(name) == code


def test_an_agency_knows_its_names_and_is_confirmed_once() -> None:
    agency = Agency(code="BHXH", name="Bảo hiểm xã hội Bắc Kạn", name_en=None, contacts=[],
                    webhook_url=None, actor=ADMIN, confirmed=False)
    agency.add_alias("Bảo hiểm xã hội tỉnh", actor=ADMIN)
    assert agency.names == ["Bảo hiểm xã hội Bắc Kạn", "Bảo hiểm xã hội tỉnh"]
    with pytest.raises(AlreadyExists):
        agency.add_alias("BẢO HIỂM XÃ HỘI TỈNH BẮC KẠN", actor=ADMIN)
    agency.confirm(actor=ADMIN)
    assert agency.confirmed
    with pytest.raises(AlreadyExists, match="already confirmed"):
        agency.confirm(actor=ADMIN)
