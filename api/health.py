from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_smorest import Blueprint

from api import schemas
from api.context import queries, service
from service import health
from service.health import problems
from service.heartbeats import Heartbeats

# Events listed in full; the count says how many there are.
_SHOWN = 20

blp = Blueprint("health", __name__, description="Liveness of the service and its store")


@blp.route("/healthz", methods=["GET"])
@blp.response(200, schemas.HealthOut)
@blp.alt_response(503, schema=schemas.HealthOut,
                  description="a part is down or stuck: `problems` says which")
@blp.doc(security=[])
def healthz() -> tuple[dict[str, Any], int]:
    """200 once the event store can be read and written and nothing is down or
    stuck; 503 naming the part that is (projector, worker, beat) and how far
    behind the projector is. Lists the events the read side set aside."""
    views = queries()
    status = views.projector.status()
    parts = Heartbeats(views.view).parts()
    found = problems(parts, status, service().settings.health_stale_seconds)
    quarantined = views.projector.quarantined()[:_SHOWN] if status.quarantined else []
    body = {"status": "down" if found else "ok", **health.check(service()),
            "read_model_lag": status.lag, "problems": found,
            "parts": {p.part: None if p.age is None else round(p.age, 1) for p in parts},
            "quarantined": status.quarantined,
            "quarantined_events": [asdict(q) for q in quarantined]}
    return body, 503 if found else 200
