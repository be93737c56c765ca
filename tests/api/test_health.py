"""Issue 15 §1: /healthz answers 503 naming the part that is down or stuck
(projector, worker, beat) and how far behind the projector is."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest

from domain.dialogue import Dialogue
from service.health import problems
from service.heartbeats import Heartbeats, PartHealth
from service.projection import ProjectorStatus
from tests.api.conftest import Caller, World


def _view(api: Caller) -> object:
    return api.client.application.extensions["queries"].view


def test_all_well_is_200_and_parts_never_seen_are_not_counted_down(
        api: Caller, world: World) -> None:
    """A web-only process, or one whose worker never started: nothing to judge."""
    response = api.as_(None).get("/healthz")
    assert response.status_code == 200, response.json
    assert response.json["problems"] == []
    assert response.json["parts"] == {"projector": None, "worker": None, "beat": None}


def test_a_part_silent_too_long_is_503_naming_it(api: Caller, world: World) -> None:
    view = _view(api)
    Heartbeats(view).record("projector")  # type: ignore[arg-type]
    Heartbeats(view).record("beat")  # type: ignore[arg-type]
    Heartbeats(view, clock=lambda: time.time() - 125).record("worker")  # type: ignore[arg-type]
    response = api.as_(None).get("/healthz")
    assert response.status_code == 503, response.json
    assert response.json["status"] == "down"
    [problem] = response.json["problems"]
    assert problem.startswith("worker: silent for 12")
    assert response.json["parts"]["projector"] < 5
    # It comes back: all well again.
    Heartbeats(view).record("worker")  # type: ignore[arg-type]
    assert api.as_(None).get("/healthz").status_code == 200


def test_a_projector_that_falls_behind_is_503_saying_how_far(
        api: Caller, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # Written and not yet applied: the projector has stopped.
    api.projector.stop()
    api.service.save(Dialogue(title="Kỳ họp thứ 20", held_on=date(2024, 7, 10), place=None,
                              chair=None, organiser=None, source_url=None,
                              actor={"role": "admin", "agency": None}))
    assert api.as_(None).get("/healthz").status_code == 200  # just written: not stuck
    later = time.time() + 90
    monkeypatch.setattr("service.projection.time.time", lambda: later)
    response = api.as_(None).get("/healthz")
    assert response.status_code == 503, response.json
    [problem] = response.json["problems"]
    assert re.fullmatch(r"projector: \d+ events behind, the oldest waiting 9\d s", problem)
    assert response.json["read_model_lag"] >= 1


@pytest.mark.parametrize(("ages", "oldest", "expected"), [
    ({"projector": 1.0, "worker": 2.0, "beat": None}, None, []),
    ({"projector": 61.0, "worker": 2.0, "beat": 3.0}, None, ["projector"]),
    ({"projector": 1.0, "worker": 600.0, "beat": 600.0}, None, ["worker", "beat"]),
    ({"projector": 1.0, "worker": None, "beat": None}, 61.0, ["projector"]),
    ({"projector": 1.0, "worker": None, "beat": None}, 59.0, []),
])
def test_problems(ages: dict[str, float | None], oldest: float | None,
                  expected: list[str]) -> None:
    parts = [PartHealth(part, age) for part, age in ages.items()]
    status = ProjectorStatus(position=10, head=12 if oldest else 10, oldest_pending_age=oldest)
    assert [p.split(":")[0] for p in problems(parts, status, 60.0)] == expected
