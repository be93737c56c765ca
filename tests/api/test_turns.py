"""Writers that collided wait their turn on a lock every writer of the store
sees: a file beside the SQLite store, an advisory lock on PostgreSQL."""

from __future__ import annotations

import threading
import time
from uuid import UUID, uuid4

from service.application import Commitments
from service.turns import FileTurns, PostgresTurns, ThreadTurns, turns_for


def _waits_for_the_holder(first: object, second: object, key: UUID) -> list[str]:
    """`second` asks for the turn `first` holds; the order things happen in."""
    order: list[str] = []
    holding = threading.Event()

    def hold() -> None:
        with first.turn(key):  # type: ignore[attr-defined]
            holding.set()
            time.sleep(0.3)
            order.append("first done")

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(5)
    with second.turn(key):  # type: ignore[attr-defined]
        order.append("second in")
    holder.join()
    return order


def test_the_store_decides_the_kind_of_turn(service: Commitments) -> None:
    expected = PostgresTurns if "postgres" in service.settings.eventsourcing_env[
        "PERSISTENCE_MODULE"] else FileTurns
    assert type(service.turns) is expected


def test_a_second_writer_waits_for_the_first(service: Commitments) -> None:
    """Two instances, as two processes would have: the lock is in the store's
    reach, not in this process's memory."""
    key = uuid4()
    other = turns_for(service.recorder)
    assert _waits_for_the_holder(service.turns, other, key) == ["first done", "second in"]
    # Released: taken again at once, and by the first holder too.
    with other.turn(key), ThreadTurns().turn(key):
        pass
    with service.turns.turn(key):
        pass


def test_another_aggregate_does_not_wait(service: Commitments) -> None:
    key = UUID(int=1)
    elsewhere = UUID(int=2 << 96)  # another of the file's slots too
    other = turns_for(service.recorder)
    order: list[str] = []
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with service.turns.turn(key):
            holding.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(5)
    with other.turn(elsewhere):
        order.append("in while the other is held")
    release.set()
    holder.join()
    assert order == ["in while the other is held"]
