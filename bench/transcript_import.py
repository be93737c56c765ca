"""Importing a transcript: parse, dry run and recorded import of the sample,
beside the baseline of saving the same records with nothing to work out
(the store's own cost), measured in the same run."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from domain.access import Actor, Role  # noqa: E402
from service.application import Commitments  # noqa: E402
from service.bootstrap import build  # noqa: E402
from service.commands import ImportTranscript  # noqa: E402
from service.importing import import_transcript  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.transcript import parse  # noqa: E402

SAMPLE = ROOT.parent / "shared/samples/liveblog-dialogue-2024.txt"
if not SAMPLE.exists():
    SAMPLE = ROOT / "tests/fixtures/transcripts/liveblog-dialogue-2024.txt"
ADMIN = Actor(Role.ADMIN)
TARGET_SECONDS = 1.0


def fresh_app(folder: Path) -> Commitments:
    folder.mkdir(parents=True)
    return build(Settings.from_env({"COMMITMENTS_DATA_DIR": str(folder)}))


def timed(runs: int, work: Callable[[int], object]) -> list[float]:
    seconds = []
    for run in range(runs):
        started = time.perf_counter()
        work(run)
        seconds.append(time.perf_counter() - started)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", type=Path, default=SAMPLE, help="the transcript (UTF-8)")
    parser.add_argument("--held-on", type=date.fromisoformat, default=date(2024, 5, 10))
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each step")
    args = parser.parse_args(argv)
    text = args.file.read_text(encoding="utf-8")
    command = ImportTranscript(title="bench", held_on=args.held_on, text=text)

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        apps = [fresh_app(root / f"import-{n}") for n in range(args.runs)]
        bases = [fresh_app(root / f"save-{n}") for n in range(args.runs)]
        # The baseline's records: what an import makes, built beforehand.
        prepared = [import_transcript(command, base._context(ADMIN)) for base in bases]
        events = sum(len(a.pending_events) for a in prepared[0])

        parse_s = timed(args.runs, lambda _: parse(text, args.held_on))
        dry_s = timed(args.runs, lambda n: apps[n].try_out(command, ADMIN))
        save_s = timed(args.runs, lambda n: bases[n].save(*prepared[n]))
        import_s = timed(args.runs, lambda n: apps[n].execute(command, ADMIN))
        for app in apps + bases:
            app.close()

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:8.1f} {max(values) * 1000:8.1f}"

    baseline = statistics.median(save_s)
    print(f"{args.file.name}: {len(text):,} characters, {events} events recorded per import; "
          f"SQLite, {args.runs} runs each, a fresh store per run\n")
    print(f"{'step':<34} {'p50 ms':>8} {'max ms':>8} {'vs save':>8}")
    for name, values in (("parse", parse_s), ("dry run (parse, match, build)", dry_s),
                         ("save the same records (baseline)", save_s),
                         ("import (parse, match, save)", import_s)):
        print(f"{name:<34} {ms(values)} {statistics.median(values) / baseline:7.2f}x")
    worst = max(import_s)
    met = worst < TARGET_SECONDS
    print(f"\nslowest import {worst * 1000:.1f} ms: target < {TARGET_SECONDS:.0f} s "
          f"{'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
