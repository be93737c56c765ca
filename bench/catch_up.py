"""How fast the projection catches up, against how fast the log is appended.

For each store (SQLite, then PostgreSQL), on a fresh store: 20 agencies, 50
dialogues and --commitments commitments of about --events-per-commitment
events each, built and appended as bench/read_models.py does (`load`:
--chunk commitments per `app.save`; "append ev/s" counts the time inside
`app.save` only). Then `build_queries(app).projector.catch_up()` from
position 0 to the head: every event into the rm_* tables, with the hash
chain ("catch-up ev/s"). The ratio catch-up / append is printed per store,
both rates measured in the same run on the same data.

Target: catch-up >= 0.75 x the append rate on each store (issue 17).

    python bench/catch_up.py                        # both stores, 10,000 commitments
    python bench/catch_up.py --stores postgres --commitments 100000
    python bench/catch_up.py --profile postgres     # cProfile of the catch-up
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from measure import Progress, log
from read_models import _profiled, clock, load
from store import postgres_database

from service.bootstrap import build, build_queries
from service.settings import Settings

TARGET = 0.75
STORES = ("sqlite", "postgres")


@contextmanager
def sqlite_store() -> Iterator[Settings]:
    with tempfile.TemporaryDirectory(prefix="commitments-bench-") as folder:
        log(f"sqlite: data folder {folder}")
        yield Settings.from_env({"COMMITMENTS_DATA_DIR": folder})


@dataclass
class Result:
    store: str
    events: int
    append_seconds: float
    catch_up_seconds: float

    @property
    def append_rate(self) -> float:
        return self.events / self.append_seconds

    @property
    def catch_up_rate(self) -> float:
        return self.events / self.catch_up_seconds

    @property
    def ratio(self) -> float:
        return self.catch_up_rate / self.append_rate


def run(store: str, args: argparse.Namespace) -> Result:
    opened = (sqlite_store() if store == "sqlite"
              else postgres_database("commitments_catch_up", keep=args.keep_db))
    with opened as settings:
        app = build(settings, clock=clock)
        queries = None
        try:
            log(f"[{store}] loading {args.commitments:,} commitments x "
                f"{args.events_per_commitment} events")
            loaded = load(app, args.commitments, args)
            log(f"[{store}] appended {loaded.events:,} events: {loaded.append_rate:,.0f} ev/s")
            queries = build_queries(app)
            progress = Progress("catch-up", loaded.events, "events")
            began = time.perf_counter()
            applied, text = _profiled(store in args.profile,
                                      lambda: queries.projector.catch_up(progress=progress.add))
            seconds = time.perf_counter() - began
            if applied != loaded.events:
                raise SystemExit(f"catch-up applied {applied} of {loaded.events} events")
            if text:
                log(f"[{store}] profile of the catch-up:\n{text}")
            result = Result(store, loaded.events, loaded.save_seconds, seconds)
            log(f"[{store}] catch-up {result.catch_up_rate:,.0f} ev/s, "
                f"{result.ratio:.2f} x append")
            return result
        finally:
            if queries is not None:
                queries.close()
            app.close()


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default=",".join(STORES),
                        help="comma separated, of sqlite and postgres (default: %(default)s)")
    parser.add_argument("--commitments", type=int, default=10_000,
                        help="commitments to load (default: %(default)s)")
    parser.add_argument("--events-per-commitment", type=int, default=10,
                        help="events of each commitment, Made included (default: %(default)s)")
    parser.add_argument("--chunk", type=int, default=200,
                        help="commitments per app.save while loading (default: %(default)s)")
    parser.add_argument("--order", choices=("chunked", "interleaved"), default="chunked",
                        help="chunked: each commitment's events together; interleaved: all "
                        "Made events, then every first update, ... (default: %(default)s)")
    parser.add_argument("--profile", default="",
                        help="stores whose catch-up runs under cProfile, comma separated")
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument("--keep-db", action="store_true",
                        help="keep the PostgreSQL database instead of dropping it")
    args = parser.parse_args(argv)
    args.stores = [s for s in args.stores.split(",") if s]
    args.profile = [s for s in args.profile.split(",") if s]
    unknown = set(args.stores) - set(STORES)
    if unknown or not args.stores:
        parser.error(f"--stores: one or more of {', '.join(STORES)}")
    if args.commitments < 1 or args.events_per_commitment < 1 or args.chunk < 1:
        parser.error("--commitments, --events-per-commitment and --chunk must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    results = [run(store, args) for store in args.stores]
    print()
    print(f"{args.commitments:,} commitments x {args.events_per_commitment} events, "
          f"{args.chunk} per app.save, order {args.order}")
    header = (f"{'store':<9} {'events':>9} {'append ev/s':>12} {'catch-up ev/s':>14} "
              f"{'ratio':>6}  target >= {TARGET:g}")
    print(header)
    print("-" * len(header))
    met = True
    for r in results:
        ok = r.ratio >= TARGET
        met = met and ok
        print(f"{r.store:<9} {r.events:>9,} {r.append_rate:>12,.0f} {r.catch_up_rate:>14,.0f} "
              f"{r.ratio:>6.2f}  {'met' if ok else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
