"""Transcript import time by size: does it grow in step with the text?

The texts are the real transcripts of tests/fixtures/transcripts, taken one
after another up to each size (tests/support/transcripts.py), in two forms:

  published  the live blog and the article, paragraphs as published;
  run-on     the article alone with its line breaks lost: one paragraph,
             which opens with no speaker's lead, so the import is refused
             with a 422 and what is timed is how long it takes to say so.
             The article names its chair by office only, so the chair is
             looked for among everyone the paragraph names.

For each form and size (default 100 KB, 200 KB, 500 KB and 1 MB), the best
of --runs of:

  parse   `service.transcript.parse` alone;
  import  POST /api/v1/imports/transcripts through the Flask app in process
          (parse, match agencies, record everything in one write), into a
          fresh store each time: SQLite files in a temporary folder, or with
          --postgres a database created for the run and dropped after it.

Each is printed with its time per KB and its ratio to the first size
measured in the same run, beside the ratio of the sizes (what linear growth
gives). Targets: 1 MB imported in under 2 s, and import time at the largest
size over the first no more than 1.5 times the ratio of the sizes (15 for
1 MB over 100 KB); the exit status is 1 when one is missed.

    python bench/import_scaling.py
    python bench/import_scaling.py --postgres --runs 3
    python bench/import_scaling.py --sizes 100000,2000000 --form published
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api import create_app  # noqa: E402
from bench.measure import log, positive_numbers  # noqa: E402
from bench.store import postgres_database  # noqa: E402
from domain.access import Role  # noqa: E402
from service.bootstrap import build, build_queries  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.transcript import parse  # noqa: E402
from tests.support.transcripts import ARTICLE, SOURCES, concatenated  # noqa: E402

HELD_ON = date(2024, 5, 10)
TARGET_SECONDS = 2.0  # for 1 MB
SLACK = 1.5  # how far above linear growth still counts as linear
# form -> (shape, the fixtures it is made of)
FORMS = {"published": ("published", SOURCES), "run-on": ("run-on", (ARTICLE,))}


@contextmanager
def fresh_settings(postgres: bool) -> Iterator[Settings]:
    if postgres:
        with postgres_database("bench_import") as settings:
            yield settings
        return
    with tempfile.TemporaryDirectory(prefix="commitments-bench-") as folder:
        yield Settings.from_env({"COMMITMENTS_DATA_DIR": folder})


def timed_import(text: str, postgres: bool) -> tuple[float, int]:
    """Seconds for one POST of `text` into a fresh store, and its status."""
    with fresh_settings(postgres) as settings:
        app = build(settings)
        queries = build_queries(app)
        try:
            client = create_app(app, queries).test_client()
            headers = {"Authorization": f"Bearer {app.issue_token(Role.ADMIN, label='bench')}",
                       "Content-Type": "text/plain; charset=utf-8"}
            url = ("/api/v1/imports/transcripts?dialogue_title=bench"
                   f"&held_on={HELD_ON.isoformat()}")
            body = text.encode()
            started = time.perf_counter()
            response = client.post(url, data=body, headers=headers)
            seconds = time.perf_counter() - started
        finally:
            queries.close()
            app.close()
    if response.status_code not in (201, 422):
        raise SystemExit(f"import of {len(body):,} bytes answered {response.status_code}: "
                         f"{response.get_data(as_text=True)[:500]}")
    return seconds, response.status_code


def best(runs: int, work: Callable[[], float]) -> float:
    return min(work() for _ in range(runs))


def parse_seconds(text: str) -> float:
    started = time.perf_counter()
    parse(text, HELD_ON)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=positive_numbers,
                        default=[100_000, 200_000, 500_000, 1_000_000],
                        help="bytes of text, the first being the baseline")
    parser.add_argument("--form", choices=[*FORMS, "both"], default="both")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each; the best counts")
    parser.add_argument("--postgres", action="store_true",
                        help="import into PostgreSQL (POSTGRES_HOST...) instead of SQLite")
    args = parser.parse_args(argv)
    forms = list(FORMS) if args.form == "both" else [args.form]
    store = "PostgreSQL" if args.postgres else "SQLite"
    log(f"transcript import by size: real transcripts concatenated, {store}, a fresh store "
        f"per import, best of {args.runs}\n")

    met = True
    for form in forms:
        shape, sources = FORMS[form]
        log(f"{form} ({', '.join(sources)}):")
        log(f"  {'size':>10} {'status':>6} {'parse ms':>9} {'import ms':>10} {'µs/KB':>7} "
            f"{'vs first':>9} {'linear':>7}")
        first: tuple[int, float] | None = None
        for size in args.sizes:
            text = concatenated(size, shape, sources)
            actual = len(text.encode())
            parsed = best(args.runs, partial(parse_seconds, text))
            results = [timed_import(text, args.postgres) for _ in range(args.runs)]
            seconds = min(s for s, _ in results)
            status = results[0][1]
            if first is None:
                first = (actual, seconds)
            ratio, linear = seconds / first[1], actual / first[0]
            log(f"  {actual:>10,} {status:>6} {parsed * 1000:>9.1f} {seconds * 1000:>10.1f} "
                f"{seconds * 1e6 / (actual / 1000):>7.0f} {ratio:>8.1f}x {linear:>6.1f}x")
            if actual >= 900_000 and seconds >= TARGET_SECONDS:
                met = False
            if size == args.sizes[-1] and len(args.sizes) > 1 and ratio > SLACK * linear:
                met = False
        log("")
    log(f"targets: about 1 MB imported in under {TARGET_SECONDS:.0f} s; the largest size's "
        f"time at most {SLACK}x the ratio of the sizes: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
