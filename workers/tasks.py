"""The reminder tasks. They take ids and dates, never objects, and are safe
to run twice: what makes a second run harmless is in service/reminders.py.

A worker reads the tables as the web does: only the projector writes them
(the Procfile runs one; `commitments serve` too). A scan's reads see what
was stored before it began, waiting for the projector up to
READ_WAIT_SECONDS; when it is further behind they answer anyway, and the
next scan finds what this one missed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from celery import Task
from celery.signals import worker_process_init
from celery.utils.log import get_task_logger
from eventsourcing.persistence import InterfaceError, OperationalError

from domain.reminders import Channel, Rung
from service.application import Commitments
from service.bootstrap import build, build_queries
from service.composers import COMPOSERS
from service.follows import Follows
from service.messages import Messages, Outcome
from service.queries import Queries
from service.reminders import Due, Reminders, Sender
from service.settings import Settings
from workers.app import app
from workers.mail import mailer
from workers.webhook import WebhookSender

log = get_task_logger(__name__)


def senders(settings: Settings) -> dict[Channel, Sender]:
    return {Channel.EMAIL: mailer(settings.mail),
            Channel.WEBHOOK: WebhookSender(settings.webhook_secret)}


@dataclass
class Runtime:
    """The service as one worker process uses it."""

    app: Commitments
    queries: Queries
    reminders: Reminders
    messages: Messages

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        return cls.of(build(settings), settings)

    @classmethod
    def of(cls, service: Commitments, settings: Settings) -> Runtime:
        queries = build_queries(service, catches_up=False)
        return cls(service, queries, Reminders(service, queries, senders(settings)),
                   Messages(service, mailer(settings.mail), COMPOSERS))

    @contextmanager
    def reading(self) -> Iterator[None]:
        """The reads within see every write stored before it: the first
        waits for the projector to pass the log's head as it is now."""
        self.queries.read_after(self.app.recorder.max_notification_id() or 0)
        try:
            yield
        finally:
            if self.queries.lag:
                log.warning("the read tables are %d events behind the log: is the "
                            "projector running?", self.queries.lag)
            self.queries.request_done()


_runtime: Runtime | None = None


def runtime() -> Runtime:
    global _runtime
    if _runtime is None:
        _runtime = Runtime.build(app.conf.commitments_settings)
    return _runtime


@worker_process_init.connect
def _forget_parents_runtime(**_: Any) -> None:
    # A connection pool must not cross a fork: each child builds its own.
    global _runtime
    _runtime = None


# The store being unreachable is worth waiting for; anything else is a bug.
_TRANSIENT = (OperationalError, InterfaceError)


@app.task(bind=True, name="reminders.scan")
def scan(self: Task, today: str | None = None) -> int:
    """Find the reminders due (on `today`, default the service's date) and
    queue one task for each."""
    service = runtime()
    on = date.fromisoformat(today) if today else service.app.clock()
    try:
        with service.reading():
            found = service.reminders.scan(on)
    except _TRANSIENT as error:
        raise self.retry(exc=error, countdown=30, max_retries=3) from error
    for due in found:
        remind.delay(str(due.commitment_id), due.due_on.isoformat(),
                     due.rung.value if due.rung else None, on.isoformat())
    if found:
        log.info("reminder scan on %s: %d to deliver", on, len(found))
    return len(found)


@app.task(bind=True, name="reminders.remind", max_retries=None)
def remind(self: Task, commitment_id: str, due_on: str, rung: str | None, today: str) -> str:
    """Deliver one reminder on each channel. Its task id is its claim: the
    same on a retry and on a redelivery, which is how it recognises its own
    unfinished work."""
    service = runtime()
    settings = service.app.settings.reminders
    attempt = int(self.request.retries or 0)
    due = Due(UUID(commitment_id), date.fromisoformat(due_on), Rung(rung) if rung else None)
    try:
        # No wait for the projector: the tables are at least where the scan
        # that queued this read them, and each delivery is decided again
        # from its own stream.
        report = service.reminders.deliver(
            due, today=date.fromisoformat(today), claim=str(self.request.id), attempt=attempt,
            final=attempt + 1 >= settings.max_attempts)
    except _TRANSIENT as error:
        if attempt + 1 >= settings.max_attempts * 2:
            raise
        raise self.retry(exc=error, countdown=_backoff(settings.retry_seconds, attempt)
                         ) from error
    if report.failed:
        log.warning("reminder %s for %s: %s; retrying", rung, commitment_id, report.failed)
        raise self.retry(countdown=_backoff(settings.retry_seconds, attempt))
    return (f"sent {len(report.sent)}, settled {len(report.settled)}, "
            f"gave up {len(report.gave_up)}" + (f"; {report.skipped}" if report.skipped else ""))


def _backoff(base: float, attempt: int) -> float:
    return float(base * 2**attempt)


# -- messages to people outside the service (the person who asked) -----------------


@app.task(bind=True, name="messages.scan")
def scan_messages(self: Task) -> int:
    """Queue one task for each message owed and not yet sent."""
    service = runtime()
    try:
        with service.reading():
            # Mails owed to followers are opened here, from the changes in the log.
            Follows(service.app).fan_out(service.queries)
        with service.reading():  # those it opened too: sent by this scan
            found = service.queries.open_messages()
    except _TRANSIENT as error:
        raise self.retry(exc=error, countdown=30, max_retries=3) from error
    for message_id in found:
        send_message.delay(str(message_id))
    return len(found)


@app.task(bind=True, name="messages.send", max_retries=None)
def send_message(self: Task, message_id: str) -> str:
    """Send one message, once: its task id is its claim, the same on a retry
    and a redelivery (service/messages.py)."""
    service = runtime()
    settings = service.app.settings.reminders
    attempt = int(self.request.retries or 0)
    try:
        outcome, why = service.messages.deliver(
            UUID(message_id), claim=str(self.request.id), attempt=attempt,
            final=attempt + 1 >= settings.max_attempts)
    except _TRANSIENT as error:
        if attempt + 1 >= settings.max_attempts * 2:
            raise
        raise self.retry(exc=error, countdown=_backoff(settings.retry_seconds, attempt)
                         ) from error
    if outcome is Outcome.RETRY:
        log.warning("message %s: %s; retrying", message_id, why)
        raise self.retry(countdown=_backoff(settings.retry_seconds, attempt))
    return f"{outcome.value}: {why}"
