from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_smorest import Blueprint

from api import schemas
from api.context import queries, service
from service import health

# Events listed in full; the count says how many there are.
_SHOWN = 20

blp = Blueprint("health", __name__, description="Liveness of the service and its store")


@blp.route("/healthz", methods=["GET"])
@blp.response(200, schemas.HealthOut)
@blp.doc(security=[])
def healthz() -> dict[str, Any]:
    """200 once the event store can be read and written; lists the events the
    read side set aside, if any."""
    projector = queries().projector
    status = projector.status()
    shown = [asdict(q) for q in projector.quarantined()[:_SHOWN]] if status.quarantined else []
    return {"status": "ok", **health.check(service()), "read_model_lag": status.lag,
            "quarantined": status.quarantined, "quarantined_events": shown}
