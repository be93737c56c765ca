"""A write's cost as its stream grows: the 1st and the 500th event.

One commitment gets `--events` "progress" updates through the application
(the use case and its save, as a request runs it); the rate over the first
50 and over the last 50 is printed, and their ratio (issue 17's target:
the 500th at least 0.9 x the 1st). The same run without the aggregate cache
(AGGREGATE_CACHE_MAXSIZE= empty: every write replays the stream) is the
baseline.

    python bench/stream_length.py                   # SQLite and PostgreSQL
    python bench/stream_length.py --store sqlite --events 1000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store import postgres_database

from domain.access import Actor, Role
from domain.deadlines import Kind
from domain.status import Action
from service import commands as c
from service.bootstrap import build
from service.settings import Settings
from tests.support.clock import FixedClock

ADMIN = Actor(Role.ADMIN)
WINDOW = 50


@contextmanager
def store(kind: str) -> Iterator[Settings]:
    if kind == "postgres":
        with postgres_database("bench_stream") as settings:
            yield settings
    else:
        with tempfile.TemporaryDirectory(prefix="commitments-bench-") as folder:
            yield Settings.from_env({"COMMITMENTS_DATA_DIR": folder})


def rates(settings: Settings, events: int) -> tuple[float, float]:
    """Writes per second over the first and the last WINDOW of one stream."""
    app = build(settings, clock=FixedClock(date(2024, 6, 1)))
    try:
        app.execute(c.RegisterAgency("SYT", "Sở Y tế"), ADMIN)
        dialogue = app.execute(c.RecordDialogue("Đối thoại", date(2024, 5, 10)),
                               ADMIN).aggregate_id
        commitment = app.execute(c.MakeCommitment(
            "SYT", "Sẽ báo cáo kết quả.", Kind.REPORT, dialogue_id=dialogue,
            due_on=date(2024, 12, 1)), ADMIN).aggregate_id
        took: list[float] = []
        for n in range(events):
            began = time.perf_counter()
            app.execute(c.UpdateCommitment(commitment, Action.PROGRESS, note=f"lần {n}"),
                        ADMIN)
            took.append(time.perf_counter() - began)
    finally:
        app.close()
    return WINDOW / sum(took[:WINDOW]), WINDOW / sum(took[-WINDOW:])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=("sqlite", "postgres"), action="append",
                        help="the store (repeatable; default both)")
    parser.add_argument("--events", type=int, default=500,
                        help=f"updates to the one stream (default 500, at least {2 * WINDOW})")
    args = parser.parse_args(argv)
    if args.events < 2 * WINDOW:
        parser.error(f"--events must be at least {2 * WINDOW}")
    print(f"{'store':<9}{'cache':<7}{'first /s':>10}{'last /s':>10}{'last / first':>14}")
    for kind in args.store or ("sqlite", "postgres"):
        for cached in (False, True):
            with store(kind) as settings:
                env = dict(settings.eventsourcing_env)
                env["AGGREGATE_CACHE_MAXSIZE"] = "5000" if cached else ""
                first, last = rates(replace(settings, eventsourcing_env=env), args.events)
            print(f"{kind:<9}{'on' if cached else 'off':<7}{first:>10.0f}{last:>10.0f}"
                  f"{last / first:>14.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
