"""The long-running parts of the service say they are alive, where /healthz
can see them: a row per part in the read model's store (beside the read tables), written every few
seconds by a thread of the part's own process.

A part that has never written one is taken as not deployed (a web-only
process, a test); one whose last word is older than `stale` seconds is down
or stuck, and /healthz says which.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from eventsourcing.persistence import PersistenceError, ProgrammingError

from service.read_model import HEARTBEAT_TABLE, ReadModel

log = logging.getLogger(__name__)

# The parts that run beside the web processes (Procfile, `commitments serve`).
PARTS = ("projector", "worker", "beat")
EVERY = 5.0  # seconds between heartbeats


@dataclass(frozen=True)
class PartHealth:
    part: str
    age: float | None  # seconds since its last heartbeat; None: never seen

    def stale(self, limit: float) -> bool:
        return self.age is not None and self.age > limit


class Heartbeats:
    def __init__(self, view: ReadModel, clock: Callable[[], float] = time.time) -> None:
        self.view = view
        self.clock = clock

    def record(self, part: str) -> None:
        self.view.write(f"INSERT INTO {HEARTBEAT_TABLE} VALUES (:part, :at) "
                        "ON CONFLICT (part) DO UPDATE SET at = excluded.at",
                        part=part, at=self.clock())

    def parts(self) -> list[PartHealth]:
        try:
            seen = {row["part"]: float(row["at"])
                    for row in self.view.rows(f"SELECT part, at FROM {HEARTBEAT_TABLE}")}
        except ProgrammingError:
            # A store whose tables `commitments init` has not brought up to date.
            seen = {}
        now = self.clock()
        return [PartHealth(part, now - seen[part] if part in seen else None) for part in PARTS]

    def keep_beating(self, part: str, every: float = EVERY) -> threading.Event:
        """Record `part` now and every `every` seconds from a daemon thread,
        until the returned event is set."""
        stop = threading.Event()

        def run() -> None:
            while not stop.is_set():
                try:
                    self.record(part)
                except PersistenceError as error:
                    # The store is away: /healthz says so through its own check.
                    log.warning("heartbeat of %s not recorded: %s", part, error)
                stop.wait(every)

        threading.Thread(target=run, name=f"heartbeat-{part}", daemon=True).start()
        return stop
