"""The worker and beat say they are alive (service/heartbeats.py), so that
/healthz can name the one that stopped. Each starts a heartbeat thread when
it is ready, with a connection of its own, built in that thread."""

from __future__ import annotations

from typing import Any

from celery.signals import beat_init, worker_ready

from service.bootstrap import build, build_queries
from service.heartbeats import Heartbeats
from service.settings import Settings


def _keep_beating(part: str, settings: Settings) -> None:
    app = build(settings)
    Heartbeats(build_queries(app, catches_up=False).view).keep_beating(part)


@worker_ready.connect
def _worker_ready(sender: Any = None, **_: Any) -> None:
    _keep_beating("worker", sender.app.conf.commitments_settings)


@beat_init.connect
def _beat_ready(sender: Any = None, **_: Any) -> None:
    _keep_beating("beat", sender.app.conf.commitments_settings)
