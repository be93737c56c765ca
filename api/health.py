from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from api import schemas
from api.context import queries, service
from service import health

blp = Blueprint("health", __name__, description="Liveness of the service and its store")


@blp.route("/healthz", methods=["GET"])
@blp.response(200, schemas.HealthOut)
@blp.doc(security=[])
def healthz() -> dict[str, Any]:
    """200 once the event store can be read and written."""
    return {"status": "ok", **health.check(service()),
            "read_model_lag": queries().projector.status().lag}
