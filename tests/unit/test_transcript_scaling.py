"""Reading a transcript does work in step with its length.

Counted rather than timed, so the same on every machine: names are compared
folded (accents and case away), and each answer used to fold the names of
every question asked before it, so the folds grew with the square of the
transcript (65 times as many for 10 times the text). The texts are the real
fixtures taken one after another (tests/support/transcripts.py)."""

from __future__ import annotations

import sys
from datetime import date

import pytest

from domain.text import fold
from service.transcript import parse
from tests.support.transcripts import concatenated

DAY = date(2024, 5, 10)


def test_names_are_folded_in_step_with_the_transcript(monkeypatch: pytest.MonkeyPatch) -> None:
    folded = 0

    def counting(text: str) -> str:
        nonlocal folded
        folded += 1
        return fold(text)

    for name, module in list(sys.modules.items()):
        if name.startswith("service.transcript.") and getattr(module, "fold", None) is fold:
            monkeypatch.setattr(module, "fold", counting)
    counts = []
    for size in (100_000, 1_000_000):
        folded = 0
        transcript = parse(concatenated(size), DAY)
        counts.append((folded, len(transcript.answers)))
    (small, small_answers), (large, large_answers) = counts
    assert small > 0 and large_answers >= 9 * small_answers
    # Linear growth gives 10; half as much again is left.
    assert large / small < 15, counts
