"""Issue 18: the Celery tasks that send the mails owed to people outside the
service (messages.scan, messages.send), run in process (eagerly, no broker)
against a real SMTP server: each owed mail goes once, however often the scan
runs; a follower's mails are opened by the same scan."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest

from service.settings import MailSettings
from tests.api.conftest import Caller, World, created
from tests.support.smtp import SmtpServer, smtp_server
from workers import tasks
from workers.app import app as celery


@pytest.fixture
def worker(api: Caller) -> Iterator[SmtpServer]:
    """The worker's runtime on the test's store and a real SMTP server; tasks
    run eagerly, as a worker would run them."""
    with smtp_server() as smtp:
        settings = replace(api.service.settings, mail=MailSettings(host=smtp.host,
                                                                   port=smtp.port))
        saved, eager = tasks._runtime, celery.conf.task_always_eager
        # Its reads wait for the test's projector, as a worker's for the Procfile's.
        runtime = tasks._runtime = tasks.Runtime.of(api.service, settings)
        celery.conf.task_always_eager = True
        try:
            yield smtp
        finally:
            tasks._runtime, celery.conf.task_always_eager = saved, eager
            runtime.queries.close()


def test_the_scan_sends_each_owed_mail_once(api: Caller, world: World,
                                            worker: SmtpServer) -> None:
    question = created(api.post(f"/api/v1/dialogues/{world.dialogue}/questions", {
        "asker": {"name": "Chị Mai", "contact": {"email": "mai@example.vn"}},
        "text": "Bao giờ có nhà trẻ cho con công nhân?"}))["id"]
    created(api.post("/api/v1/answers", {
        "question_ids": [question], "text": "Tỉnh sẽ bố trí quỹ đất.",
        "responder": {"name": "Ông A", "agency": "SYT"}}))
    assert api.as_(None).post("/api/v1/public/follows", {
        "email": "doc.gia@example.vn", "agency": "SYT"}).status_code == 202
    assert tasks.scan_messages.apply().get() == 2
    assert sorted(m.rcpt_tos for m in worker.received) == [("doc.gia@example.vn",),
                                                           ("mai@example.vn",)]
    assert tasks.scan_messages.apply().get() == 0  # nothing left open
    [confirmation] = [m for m in worker.received if m.rcpt_tos == ("doc.gia@example.vn",)]
    [link] = re.findall(r"/reports/follows/confirm/[\w.\-]+", confirmation.text)
    assert api.client.post(link).status_code == 200
    created(api.post("/api/v1/commitments", {
        "agency": "SYT", "kind": "study", "dialogue_id": world.dialogue,
        "text": "Nghiên cứu quỹ đất cho nhà trẻ."}))
    assert tasks.scan_messages.apply().get() == 1  # opened by the scan, sent at once
    assert tasks.scan_messages.apply().get() == 0
    assert len(worker.received) == 3 and "quỹ đất" in worker.received[-1].text


def test_a_worker_never_writes_the_read_tables(api: Caller,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 17: with the projector stopped, the tasks answer from the tables
    as they are, within the wait, and apply nothing themselves."""
    assert api.projector is not None
    api.projector.settle()
    api.projector.stop()
    runtime = tasks.Runtime.of(api.service, api.service.settings)
    monkeypatch.setattr(tasks, "_runtime", runtime)
    try:
        runtime.queries.wait_seconds = 0.05
        before = runtime.queries.view.position()
        created(api.post("/api/v1/agencies", {"code": "SYT", "name": "Sở Y tế"}))
        assert tasks.scan.apply().get() == 0
        assert tasks.scan_messages.apply().get() == 0
        assert runtime.queries.view.position() == before < api.events()
    finally:
        runtime.queries.close()
