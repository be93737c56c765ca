"""Chart geometry for the report's inline SVG: numbers in, shapes out.

The templates draw what these functions compute, so a chart needs no script
or font from anywhere, prints as drawn, and scales with the page width (the
SVG's viewBox).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.reports import MonthPoint, Standing

# The status bands of a bar, in the order they are stacked, left to right.
BANDS = ("fulfilled_on_time", "fulfilled_late", "pending_within_deadline", "overdue",
         "partially_fulfilled", "closed")


@dataclass(frozen=True)
class Segment:
    band: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    code: str
    label: str
    total: int
    y: float
    segments: list[Segment]


@dataclass(frozen=True)
class StackedBars:
    width: int
    height: int
    bar_height: int
    bars: list[Bar]
    shown: int
    of: int


def stacked_bars(standings: Sequence[Standing], *, most: int = 20, width: int = 480,
                 bar_height: int = 18, gap: int = 24) -> StackedBars:
    """One 100% bar per agency, split by status; the `most` agencies with the
    most promises, in the order given (the league's)."""
    largest = sorted(standings, key=lambda s: -s.owned)[:most]
    keep = {s.score.agency for s in largest}
    chosen = [s for s in standings if s.score.agency in keep]
    bars = []
    for row, standing in enumerate(chosen):
        score = standing.score
        counts = {
            "fulfilled_on_time": score.fulfilled_on_time,
            "fulfilled_late": score.fulfilled_late,
            "pending_within_deadline": score.pending_within_deadline,
            "overdue": score.overdue,
            "partially_fulfilled": score.partially_fulfilled,
            # Declined or withdrawn: finished without being kept.
            "closed": score.declined + score.withdrawn,
        }
        # A fulfilment without a date counts as fulfilled, on time or not unknown.
        counts["fulfilled_on_time"] += max(
            score.fulfilled - score.fulfilled_on_time - score.fulfilled_late, 0)
        whole = sum(counts.values())
        x = 0.0
        segments = []
        for band in BANDS:
            if not counts[band] or not whole:
                continue
            share = width * counts[band] / whole
            segments.append(Segment(band, counts[band], round(x, 2), round(share, 2)))
            x += share
        y = row * (bar_height + gap) + gap
        bars.append(Bar(score.agency, score.name, standing.owned, y, segments))
    height = len(bars) * (bar_height + gap) + gap
    return StackedBars(width, height, bar_height, bars, len(bars), len(standings))


def nice_ticks(peak: int, most: int = 6) -> list[int]:
    """Round marks for a count axis from 0 to at least `peak`: evenly spaced by
    1, 2 or 5 times a power of ten, the smallest such step that needs no more
    than `most` marks (0, 2, 4, 6 for a peak of 6; never 0, 2, 3, 4, 6)."""
    if most < 2:
        raise ValueError("an axis needs at least two marks")
    top = max(peak, 1)
    power = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * power
            marks = -(-top // step)  # steps to reach the peak, rounded up
            if marks + 1 <= most:
                return [n * step for n in range(marks + 1)]
        power *= 10


@dataclass(frozen=True)
class Tick:
    at: float
    label: int


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    bottom: float
    made: str  # SVG polyline points
    fulfilled: str
    y_ticks: list[Tick]
    x_labels: list[tuple[float, MonthPoint]]
    last: MonthPoint | None


def made_and_fulfilled(points: Sequence[MonthPoint], *, width: int = 480,
                       height: int = 220, left: int = 48, top: int = 12,
                       bottom_margin: int = 28) -> LineChart:
    """Running totals of promises made and fulfilled, month by month."""
    bottom = float(height - bottom_margin)
    if not points:
        return LineChart(width, height, left, bottom, "", "", [], [], None)
    # The axis runs to its top tick, a round number at or above the peak.
    ticks = nice_ticks(max(p.made for p in points))
    peak = ticks[-1]
    plot_w, plot_h = width - left - 12, bottom - top
    step = plot_w / max(len(points) - 1, 1)

    def xy(n: int, value: int) -> str:
        return f"{left + n * step:.1f},{bottom - plot_h * value / peak:.1f}"

    made = " ".join(xy(n, p.made) for n, p in enumerate(points))
    fulfilled = " ".join(xy(n, p.fulfilled) for n, p in enumerate(points))
    y_ticks = [Tick(round(bottom - plot_h * t / peak, 1), t) for t in ticks]
    # First, middle and last month: enough to read the span on a phone.
    marks = sorted({0, (len(points) - 1) // 2, len(points) - 1})
    x_labels = [(round(left + n * step, 1), points[n]) for n in marks]
    return LineChart(width, height, left, bottom, made, fulfilled, y_ticks, x_labels,
                     points[-1])
