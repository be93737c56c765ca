"""How long a transcript import takes as the text grows: in step with its
size. Each test times a 1 MB import against a 100 KB one measured in the same
test, so the bound means the same on a slow machine as on a fast one: linear
growth gives a ratio of 10, and half as much again is left for noise; an
import that took the square of the size would give about 100.

What is timed is the CPU time of the thread that imports (the test client
runs the request in the test's own thread), not the time on the clock: on a
loaded machine the clock also counts the waits for a CPU, which stretched
the ratio past the bound (16.6, 17.7) with no change to the import. The
projector's thread and the database server are not counted either; the
import's own work, where a quadratic step would be, is.

The texts are the real fixtures taken one after another
(tests/support/transcripts.py); nothing is made up."""

from __future__ import annotations

import time
from typing import Any

from tests.api.conftest import Caller
from tests.api.test_imports import URL, post_text
from tests.support.transcripts import ARTICLE, concatenated

SMALL, LARGE = 100_000, 1_000_000
BOUND = 15


def timed(api: Caller, text: str, runs: int, url: str = URL) -> tuple[float, Any]:
    """The best of `runs` imports of `text` (CPU seconds of this thread), and
    the last answer."""
    best, response = float("inf"), None
    for _ in range(runs):
        started = time.thread_time()
        response = post_text(api, url, text)
        best = min(best, time.thread_time() - started)
    return best, response


def test_a_megabyte_transcript_imports_in_step_with_its_size(api: Caller) -> None:
    small, large = concatenated(SMALL), concatenated(LARGE)
    post_text(api, URL, small)  # the first import pays for compiling and connecting
    small_s, small_answer = timed(api, small, 2)
    large_s, large_answer = timed(api, large, 2)
    assert small_answer.status_code == 201, small_answer.json
    assert large_answer.status_code == 201, large_answer.json
    # Ten times the text, about ten times what is found in it: the time is
    # that of the whole work, not of a shortcut.
    small_counts, large_counts = small_answer.json["counts"], large_answer.json["counts"]
    for name in ("questions", "answers", "candidates"):
        assert large_counts[name] >= 9 * small_counts[name], (name, small_counts, large_counts)
    assert large_s / small_s < BOUND, (
        f"1 MB took {large_s:.2f} CPU s, {large_s / small_s:.1f} times the {small_s:.3f} s "
        f"of 100 KB")


def test_a_megabyte_that_lost_its_line_breaks_is_read_in_step_with_its_size(
        api: Caller) -> None:
    """The article with its line breaks lost, repeated: one paragraph. Its
    speakers are found sentence by sentence (a sentence that names another
    speaker starts their item), and the time grows in step with the text.
    It used to take the square of the size (about 19 s for 1 MB, past a web
    worker's timeout): each name read lowered the rest of the paragraph.
    A dry run: what is measured is the reading, not the storing."""
    before = api.events()
    small = concatenated(SMALL, "run-on", sources=[ARTICLE])
    large = concatenated(LARGE, "run-on", sources=[ARTICLE])
    assert "\n" not in large
    url = URL + "&dry_run=true"
    post_text(api, url, small)
    small_s, small_answer = timed(api, small, 2, url)
    large_s, large_answer = timed(api, large, 2, url)
    for answer in (small_answer, large_answer):
        assert answer.status_code == 200 and answer.json["dry_run"], answer.json
    small_counts, large_counts = small_answer.json["counts"], large_answer.json["counts"]
    assert small_counts["questions"] > 0
    for name in ("questions", "answers"):
        assert large_counts[name] >= 9 * small_counts[name], (name, small_counts, large_counts)
    assert api.events() == before
    assert large_s / small_s < BOUND, (
        f"1 MB took {large_s:.2f} CPU s, {large_s / small_s:.1f} times the {small_s:.3f} s "
        f"of 100 KB")
