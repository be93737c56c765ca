"""How fast commitment updates are appended: through the API, and bare.

For each store (PostgreSQL, SQLite) the same number of "progress" updates is
appended two ways, on one database:

  api   POST /api/v1/commitments/{id}/updates through Flask's *test client*
        (in-process WSGI: no HTTP server, no socket), admin bearer token,
        no If-Match, no Idempotency-Key;
  bare  the `Commitments` application alone: repository.get(id),
        commitment.update(Action.PROGRESS, ...), app.save(commitment).

Each path writes to its own set of commitments, round-robin, and the two
paths alternate in rounds, so both see histories of the same length and the
same database growth. The target: the API path reaches at least 60 % of the
bare application's rate.

PostgreSQL: a fresh database is created at POSTGRES_HOST:POSTGRES_PORT
(default 127.0.0.1:5432, user POSTGRES_USER or postgres, POSTGRES_PASSWORD)
and dropped afterwards. SQLite: a file in a temporary folder.

    python bench/append.py                 # both stores, defaults
    python bench/append.py --events 2000 --store postgres
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from store import postgres_database

from api import create_app
from domain.access import Actor, Role
from domain.commitment import Commitment
from domain.deadlines import Kind
from domain.status import Action
from service.application import Commitments
from service.bootstrap import build
from service.commands import MakeCommitment, RecordDialogue, RegisterAgency
from service.settings import Settings

TARGET = 0.60
STORES = ("postgres", "sqlite")


def log(message: str) -> None:
    print(message, flush=True)


# -- stores --------------------------------------------------------------------


@contextmanager
def sqlite_store() -> Iterator[Settings]:
    with tempfile.TemporaryDirectory(prefix="commitments-bench-") as folder:
        log(f"sqlite: data folder {folder}")
        yield Settings.from_env({"COMMITMENTS_DATA_DIR": folder})


STORE = {"postgres": lambda: postgres_database("commitments_bench"), "sqlite": sqlite_store}


# -- the two write paths ---------------------------------------------------------


@dataclass
class Result:
    store: str
    events: int
    api_seconds: float = 0.0
    bare_seconds: float = 0.0

    @property
    def api_rate(self) -> float:
        return self.events / self.api_seconds

    @property
    def bare_rate(self) -> float:
        return self.events / self.bare_seconds

    @property
    def ratio(self) -> float:
        return self.api_rate / self.bare_rate


def _events(app: Commitments) -> int:
    return app.recorder.max_notification_id() or 0


def _setup(app: Commitments, count: int) -> tuple[list[UUID], list[UUID]]:
    """An agency, a dialogue and `count` commitments for each path."""
    admin = Actor(Role.ADMIN)
    app.execute(RegisterAgency(code="BENCH", name="Benchmark agency"), admin)
    dialogue = app.execute(
        RecordDialogue(title="Benchmark dialogue", held_on=date(2024, 5, 10)), admin
    ).aggregate_id

    def make(n: int) -> UUID:
        command = MakeCommitment(agency="BENCH", text=f"Benchmark promise {n}",
                                 kind=Kind.REVIEW, dialogue_id=dialogue)
        return app.execute(command, admin).aggregate_id

    ids = [make(n) for n in range(2 * count)]
    return ids[:count], ids[count:]


def _api_writer(app: Commitments, ids: list[UUID]) -> Callable[[int], None]:
    client = create_app(app).test_client()
    headers = {"Authorization": f"Bearer {app.issue_token(Role.ADMIN, label='bench')}"}

    def write(n: int) -> None:
        response = client.post(
            f"/api/v1/commitments/{ids[n % len(ids)]}/updates",
            json={"action": "progress", "note": f"api-{n}"}, headers=headers,
        )
        if response.status_code != 200:
            raise SystemExit(f"API answered {response.status_code}: {response.get_data(True)}")

    return write


def _bare_writer(app: Commitments, ids: list[UUID]) -> Callable[[int], None]:
    actor = Actor(Role.ADMIN).as_record()

    def write(n: int) -> None:
        commitment: Commitment = app.repository.get(ids[n % len(ids)])
        commitment.update(Action.PROGRESS, today=app.clock(), actor=actor, note=f"bare-{n}")
        app.save(commitment)

    return write


def _timed(app: Commitments, write: Callable[[int], None], start: int, count: int) -> float:
    before = _events(app)
    began = time.perf_counter()
    for n in range(start, start + count):
        write(n)
    elapsed = time.perf_counter() - began
    appended = _events(app) - before
    if appended != count:
        raise SystemExit(f"expected {count} new events, the store has {appended}")
    return elapsed


def measure(store: str, settings: Settings, args: argparse.Namespace) -> Result:
    app = build(settings)
    try:
        log(f"{store}: {args.commitments} commitments per path")
        api_ids, bare_ids = _setup(app, args.commitments)
        api, bare = _api_writer(app, api_ids), _bare_writer(app, bare_ids)
        if args.warmup:
            _timed(app, api, 0, args.warmup)
            _timed(app, bare, 0, args.warmup)
            log(f"{store}: warmed up with {args.warmup} events per path")
        result = Result(store, args.events)
        done = 0
        for round_ in range(args.rounds):
            count = (args.events - done) // (args.rounds - round_)
            start = args.warmup + done
            api_s = _timed(app, api, start, count)
            bare_s = _timed(app, bare, start, count)
            result.api_seconds += api_s
            result.bare_seconds += bare_s
            done += count
            log(f"{store}: round {round_ + 1}/{args.rounds}: {count} events, "
                f"api {count / api_s:,.0f} ev/s, bare {count / bare_s:,.0f} ev/s "
                f"({done}/{args.events})")
        return result
    finally:
        app.close()


# -- the report -------------------------------------------------------------------


def report(results: list[Result], target: float) -> bool:
    print()
    print("Appending 'progress' updates; api = Flask test client (in-process WSGI, no HTTP")
    print("server or socket) POST /api/v1/commitments/{id}/updates, no If-Match;")
    print("bare = Commitments: repository.get + Commitment.update + save.")
    print(f"Target: the API path reaches at least {target:.0%} of the bare rate.")
    print()
    print(f"{'store':<9} {'events':>7}  {'api ev/s':>9}  {'bare ev/s':>9}  {'ratio':>5}  target")
    met_all = True
    for r in results:
        met = r.ratio >= target
        met_all = met_all and met
        print(f"{r.store:<9} {r.events:>7}  {r.api_rate:>9,.0f}  {r.bare_rate:>9,.0f}  "
              f"{r.ratio:>5.2f}  {'met' if met else 'NOT met'} (>= {target:.2f})")
    print()
    for r in results:
        print(f"{r.store:<9} api {r.api_rate:,.0f} ev/s  bare {r.bare_rate:,.0f} ev/s  "
              f"ratio {r.ratio:.2f}")
    return met_all


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Events appended per second through the HTTP API (Flask test client) "
        "and through the bare Commitments application, on PostgreSQL and SQLite.",
        epilog="PostgreSQL is reached at POSTGRES_HOST:POSTGRES_PORT (default "
        "127.0.0.1:5432) as POSTGRES_USER (default postgres); a database is created "
        "for the run and dropped after it.",
    )
    parser.add_argument("--events", type=int, default=1000,
                        help="events timed per path and store (default: %(default)s)")
    parser.add_argument("--commitments", type=int, default=25,
                        help="commitments each path writes to, round-robin "
                        "(default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=20,
                        help="alternations between the two paths (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=40,
                        help="untimed events per path first (default: %(default)s)")
    parser.add_argument("--store", choices=[*STORES, "all"], default="all",
                        help="which store to measure (default: %(default)s)")
    parser.add_argument("--target", type=float, default=TARGET,
                        help="API/bare ratio to reach (default: %(default)s)")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when a store misses the target")
    args = parser.parse_args(argv)
    if args.events < 1 or args.commitments < 1 or args.warmup < 0:
        parser.error("--events and --commitments must be positive, --warmup not negative")
    if not 1 <= args.rounds <= args.events:
        parser.error("--rounds must be between 1 and --events")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    stores = STORES if args.store == "all" else (args.store,)
    results = []
    began = time.perf_counter()
    for store in stores:
        with STORE[store]() as settings:
            results.append(measure(store, settings, args))
    log(f"done in {time.perf_counter() - began:.1f} s")
    met = report(results, args.target)
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
