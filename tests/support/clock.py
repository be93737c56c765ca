from __future__ import annotations

from datetime import date


class FixedClock:
    """Today, as the tests say it is."""

    def __init__(self, today: date) -> None:
        self.today = today

    def __call__(self) -> date:
        return self.today
