"""Issue 18 §3, the pure rules of following: a follow's states, and how
many sign-ups an address and a client get in the window."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from domain.follow import Follow, Followed, FollowState, follow_id
from service.lockout import Lockout, SqliteLedger
from service.settings import Settings

NOW = datetime(2024, 9, 1, tzinfo=UTC)


def test_a_follow_is_confirmed_once_ended_for_good_and_asked_for_again() -> None:
    follow = Follow(email=" Doc.Gia@Example.VN ", kind="agency", target="SYT", at=NOW)
    assert follow.id == follow_id("doc.gia@example.vn", Followed.AGENCY, "SYT")
    assert follow.state is FollowState.PENDING and follow.email == "doc.gia@example.vn"
    assert follow.confirm(NOW) and not follow.confirm(NOW)
    assert not follow.request_again(NOW)  # active: nothing to confirm again
    assert follow.end(NOW) and not follow.end(NOW)
    assert not follow.confirm(NOW)  # an old confirmation link starts nothing
    assert follow.request_again(NOW) and follow.state is FollowState.PENDING
    assert follow.requests == 2


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_sign_ups_are_limited_per_address_and_per_client(tmp_path: Path) -> None:
    clock = Clock()
    settings = Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path),
                                  "FOLLOW_SIGN_UPS_PER_ADDRESS": "2",
                                  "FOLLOW_SIGN_UPS_PER_CLIENT": "3",
                                  "FOLLOW_SIGN_UP_WINDOW_SECONDS": "600"})
    lockout = Lockout(settings, SqliteLedger(tmp_path / "failures.sqlite3", clock))
    assert not lockout.follow_sign_up("10.0.0.1", "a@example.vn").refused
    assert not lockout.follow_sign_up("10.0.0.2", "A@example.vn ").refused
    refused = lockout.follow_sign_up("10.0.0.3", "a@example.vn")  # the address is full
    assert refused.refused and 0 < refused.retry_after <= 600
    assert not lockout.follow_sign_up("10.0.0.1", "b@example.vn").refused
    assert not lockout.follow_sign_up("10.0.0.1", "c@example.vn").refused
    assert lockout.follow_sign_up("10.0.0.1", "d@example.vn").refused  # the client is full
    clock.now += 601
    assert not lockout.follow_sign_up("10.0.0.1", "a@example.vn").refused
    lockout.close()
