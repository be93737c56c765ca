"""The Celery app, from the same Settings as the Flask app.

`celery -A workers.app worker` imports this module; building the Celery object
opens no connection, so it is safe at import. The eventsourcing application
(with its connection pool) is built in each worker process after fork, when a
task first needs it (workers/tasks.py).
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import beat_init, worker_init

from service.settings import Settings


def make_celery(settings: Settings) -> Celery:
    celery = Celery("commitments", broker=settings.broker_url, backend=settings.result_backend,
                    include=["workers.tasks"])
    celery.conf.update(
        broker_transport_options=settings.broker_transport_options,
        broker_connection_retry_on_startup=True,
        # A task is acknowledged when it ends, and given back if its worker
        # dies: a reminder whose sender was killed is finished by another.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # A send under way when the broker goes away finishes and records its
        # reminder (Celery 6 would cancel it, leaving the delivery claimed
        # until its lease runs out); the test of a broker outage relies on it.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        task_ignore_result=settings.result_backend is None,
        timezone=str(settings.timezone),
        enable_utc=True,
        beat_schedule_filename=str(settings.data_dir / "celerybeat-schedule"),
        beat_schedule={
            "reminder-scan": {
                "task": "reminders.scan",
                "schedule": settings.reminders.scan_seconds,
                # A scan that waited longer than its period is superseded by the next.
                "options": {"expires": settings.reminders.scan_seconds},
            },
            # Mails to the people who asked: owed by a write, sent once.
            "message-scan": {
                "task": "messages.scan",
                "schedule": settings.reminders.scan_seconds,
                "options": {"expires": settings.reminders.scan_seconds},
            },
        },
    )
    celery.conf.commitments_settings = settings
    return celery


app = make_celery(Settings.from_env())

# Connects the heartbeats of the worker and beat (imported for its signals).
import workers.liveness  # noqa: E402, F401


@worker_init.connect
@beat_init.connect
def _prepare(sender: Any = None, **_: Any) -> None:
    settings: Settings = app.conf.commitments_settings
    settings.prepare_storage()
