"""The sender's bookkeeping for one commitment, read from the log: every event
of its deliveries' own streams, in log order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.delivery import ReminderDelivery


@dataclass(frozen=True)
class DeliveryEvent:
    type: str  # Claimed, AttemptFailed, Closed
    rung: str
    channel: str
    data: dict[str, Any]


def delivery_events(app: Any, commitment_id: UUID) -> list[DeliveryEvent]:
    found: list[DeliveryEvent] = []
    ours: dict[UUID, tuple[str, str]] = {}
    start = 1
    while page := app.recorder.select_notifications(start, 1000):
        for stored in page:
            event = app.mapper.to_domain_event(stored)
            if isinstance(event, ReminderDelivery.Opened):
                if event.commitment_id == commitment_id:
                    ours[event.originator_id] = (event.rung, event.channel)
            elif isinstance(event, ReminderDelivery.Event) and event.originator_id in ours:
                rung, channel = ours[event.originator_id]
                found.append(DeliveryEvent(type(event).__name__, rung, channel,
                                           dict(event.__dict__)))
        start = page[-1].id + 1
    return found


def claims(app: Any, commitment_id: UUID) -> list[DeliveryEvent]:
    return [e for e in delivery_events(app, commitment_id) if e.type == "Claimed"]
