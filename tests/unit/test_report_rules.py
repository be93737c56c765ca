"""The report's own rules: the scorecard, the league table, the monthly
running totals, chart geometry, and what of an event the public sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from api.charts import made_and_fulfilled, nice_ticks, stacked_bars
from service.disclosure import disclosed
from service.queries import AgencyScore
from service.reports import MonthPoint, Scorecard, by_month, league


def score(code: str, **counts: int) -> AgencyScore:
    return AgencyScore(agency=code, name=f"Sở {code}", **counts)


def test_the_scorecard_counts_a_transferred_promise_once() -> None:
    old = score("SLDTBXH", total=3, transferred=2, overdue=1)
    new = score("SNV", total=2, fulfilled=1, fulfilled_on_time=1, overdue=1)
    card = Scorecard.of([old, new])
    assert card.made == 3
    assert card.overdue == 2 and card.fulfilled_on_time == 1


def test_the_league_ranks_by_overdue_share_lowest_first() -> None:
    standings = league([
        score("A", total=10, overdue=5),
        score("B", total=10, overdue=1, fulfilled_on_time=2),
        score("C", total=20, overdue=2, fulfilled_on_time=9),
        score("D", total=4, overdue=0),  # too few to rank
        score("E", total=0),  # nothing promised: not listed
    ], minimum=5)
    assert [(s.score.agency, s.rank) for s in standings] == [
        # B and C tie at 10% overdue: same rank; C kept more on time, so first.
        ("C", 1), ("B", 1), ("A", 3), ("D", None)]
    assert standings[0].overdue_share == pytest.approx(0.1)
    assert standings[-1].owned == 4


def test_the_league_measures_against_promises_still_owned() -> None:
    [standing] = league([score("A", total=6, transferred=2, overdue=2)], minimum=4)
    assert standing.owned == 4 and standing.overdue_share == 0.5 and standing.rank == 1
    assert league([score("A", total=6, transferred=2)], minimum=5)[0].rank is None


def test_running_totals_by_month_cross_the_year() -> None:
    points = by_month({date(2024, 11, 20): 3, date(2025, 1, 5): 1},
                      {date(2024, 12, 31): 2, date(2025, 2, 1): 1}, until=date(2025, 2, 14))
    assert points == [
        MonthPoint(date(2024, 11, 1), 3, 0),
        MonthPoint(date(2024, 12, 1), 3, 2),
        MonthPoint(date(2025, 1, 1), 4, 2),
        MonthPoint(date(2025, 2, 1), 4, 3),
    ]
    assert by_month({}, {}, until=date(2025, 1, 1)) == []


def test_bars_fill_the_plot_in_band_order() -> None:
    standings = league([score("A", total=10, fulfilled=4, fulfilled_on_time=3,
                              fulfilled_late=1, overdue=2, pending_within_deadline=2,
                              declined=2),
                        score("B", total=3, overdue=3)], minimum=1)
    chart = stacked_bars(standings, width=600)
    first = next(bar for bar in chart.bars if bar.code == "A")
    assert [s.band for s in first.segments] == [
        "fulfilled_on_time", "fulfilled_late", "pending_within_deadline", "overdue", "closed"]
    assert sum(s.width for s in first.segments) == pytest.approx(600, abs=0.05)
    assert first.segments[0].x == 0 and first.segments[1].x == pytest.approx(600 * 3 / 10)


def test_bars_keep_the_agencies_with_most_promises() -> None:
    standings = league([score(f"S{n}", total=n + 1, overdue=1) for n in range(30)], minimum=1)
    chart = stacked_bars(standings, most=20)
    assert chart.shown == 20 and chart.of == 30
    assert {bar.code for bar in chart.bars} == {f"S{n}" for n in range(10, 30)}


def test_the_line_chart_scales_to_the_peak() -> None:
    points = [MonthPoint(date(2024, m, 1), made, done)
              for m, made, done in [(5, 2, 0), (6, 4, 1), (7, 4, 4)]]
    chart = made_and_fulfilled(points, width=300, height=100, left=20, top=0, bottom_margin=0)
    made = [tuple(map(float, p.split(","))) for p in chart.made.split()]
    fulfilled = [tuple(map(float, p.split(","))) for p in chart.fulfilled.split()]
    assert made[0] == (20.0, 50.0) and made[-1] == (288.0, 0.0)
    assert fulfilled[-1] == made[-1]
    assert [t.label for t in chart.y_ticks] == [0, 1, 2, 3, 4]
    assert made_and_fulfilled([]).last is None


@pytest.mark.parametrize(("peak", "ticks"), [
    (0, [0, 1]), (1, [0, 1]), (4, [0, 1, 2, 3, 4]), (5, [0, 1, 2, 3, 4, 5]),
    (6, [0, 2, 4, 6]), (7, [0, 2, 4, 6, 8]), (10, [0, 2, 4, 6, 8, 10]),
    (11, [0, 5, 10, 15]), (23, [0, 5, 10, 15, 20, 25]), (51, [0, 20, 40, 60]),
    (999, [0, 200, 400, 600, 800, 1000]), (1234, [0, 500, 1000, 1500]),
])
def test_axis_marks_are_round(peak: int, ticks: list[int]) -> None:
    assert nice_ticks(peak) == ticks


@pytest.mark.parametrize("peak", range(0, 2000, 13))
def test_axis_marks_cover_the_peak_evenly_and_few(peak: int) -> None:
    ticks = nice_ticks(peak)
    step = ticks[1]
    assert ticks[0] == 0 and ticks[-1] >= peak and ticks[-2] < max(peak, 1)
    assert ticks == [n * step for n in range(len(ticks))]
    assert 2 <= len(ticks) <= 6
    assert str(step).rstrip("0") in ("1", "2", "5")


def test_the_line_chart_runs_to_a_round_top() -> None:
    """Six promises: the axis reads 0, 2, 4, 6 (it read 0, 2, 3, 4, 6)."""
    points = [MonthPoint(date(2024, m, 1), made, 0) for m, made in [(5, 3), (6, 6)]]
    chart = made_and_fulfilled(points, width=300, height=100, left=20, top=0, bottom_margin=0)
    assert [t.label for t in chart.y_ticks] == [0, 2, 4, 6]
    assert [t.at for t in chart.y_ticks] == [100.0, 66.7, 33.3, 0.0]
    seven = made_and_fulfilled([MonthPoint(date(2024, 5, 1), 7, 0)], width=300, height=100,
                               left=20, top=0, bottom_margin=0)
    # The line stops below the top mark, 8: 7/8 of the height.
    assert seven.made == "20.0,12.5"


@dataclass
class Event:
    actor: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    rung: str = "overdue"
    recipient: str = "officer@syt.example.vn"
    error: str = "550 mailbox full"
    timestamp: datetime = datetime(2024, 9, 1, tzinfo=UTC)


class ReminderSent(Event):
    pass


class ReminderFailed(Event):
    pass


class ProgressReported(Event):
    pass


class Edited(Event):
    pass


def test_the_public_sees_no_address_token_or_sender_bookkeeping() -> None:
    sent = disclosed(ReminderSent(actor={"role": "system"}))
    assert sent == {"actor": {"role": "system"}, "rung": "overdue"}
    assert disclosed(ReminderFailed()) == {}
    # Candidate edits happen before anything is a promise.
    assert disclosed(Edited(note="sửa lại cơ quan")) == {}


def test_an_agency_report_is_shown_with_who_acted_by_role() -> None:
    shown = disclosed(ProgressReported(
        actor={"role": "agency", "agency": "SYT", "via": "cli", "token": "cmt_secret"},
        note="Đã họp", evidence=[{"title": "CV 1", "url": "https://x.vn/1", "phone": "09"}]))
    assert shown == {"actor": {"role": "agency", "agency": "SYT"}, "note": "Đã họp",
                     "evidence": [{"title": "CV 1", "url": "https://x.vn/1"}]}
