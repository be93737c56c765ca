"""What the benchmark scripts share: printing as they go, percentiles, a
progress line for long loads, and lists of sizes on the command line."""

from __future__ import annotations

import argparse
import statistics
import time


def log(message: str) -> None:
    print(message, flush=True)


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (inclusive method)."""
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=1000, method="inclusive")
    return cuts[min(len(cuts) - 1, max(0, round(p * 10) - 1))]


class Progress:
    """A line every ~10 % of a step (and at most 15 s without one)."""

    def __init__(self, what: str, total: int, unit: str = "") -> None:
        self.what, self.total, self.done = what, max(total, 1), 0
        self.unit = f" {unit}" if unit else ""
        self.began = self.last = time.perf_counter()
        self.next_mark = 0.1

    def add(self, count: int, rate_seconds: float | None = None) -> None:
        """`rate_seconds`: the time to divide by for the rate, when only part
        of the elapsed time is what is being measured."""
        self.done += count
        now = time.perf_counter()
        if self.done / self.total >= self.next_mark or now - self.last > 15:
            while self.done / self.total >= self.next_mark:
                self.next_mark += 0.1
            self.last = now
            elapsed = now - self.began
            seconds = rate_seconds or elapsed
            rate = self.done / seconds if seconds else 0.0
            left = (self.total - self.done) * elapsed / self.done if self.done else 0.0
            log(f"  {self.what}: {self.done:,}/{self.total:,}{self.unit} "
                f"({self.done / self.total:.0%}), {rate:,.0f}{self.unit}/s, "
                f"{elapsed:.0f} s so far, ~{left:.0f} s left")


def positive_numbers(text: str) -> list[int]:
    """An argparse type: `1000,10_000,100000`."""
    try:
        found = [int(part.strip().replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected numbers like 1000,10000") from None
    if not found or min(found) < 1:
        raise argparse.ArgumentTypeError("numbers must be positive")
    return found
