"""Issue 15 §1: an event the projection cannot apply is set aside, counted and
shown, and the read side goes on with the next; the public report never
stops answering because of one event."""

from __future__ import annotations

from uuid import uuid4

from click.testing import CliRunner
from eventsourcing.persistence import StoredEvent

from api.cli import main
from domain.dialogue import Dialogue
from service.integrity import audit, catch_up_and_audit
from tests.api.conftest import HELD_ON, Caller, World, created

ADMIN = {"role": "admin", "agency": None}


def _unreadable(api: Caller) -> int:
    """An event whose class no longer exists (a rename without an upcaster),
    appended as another version would have; its position."""
    [recorded] = api.service.recorder.insert_events([StoredEvent(
        originator_id=uuid4(), originator_version=1,
        topic="domain.dialogue:Dialogue.Renamed", state=b'{"title": "x"}')])
    assert recorded is not None
    return recorded


def _nul_dialogue(api: Caller) -> None:
    """A dialogue whose title holds a NUL byte, stored as a version that let it
    through would have stored it (PostgreSQL's text columns refuse it)."""
    api.service.save(Dialogue(title="NUL\x00title", held_on=HELD_ON, place=None, chair=None,
                              organiser=None, source_url=None, actor=ADMIN))


def test_an_event_that_cannot_be_applied_is_set_aside_and_the_rest_goes_on(
        api: Caller, world: World) -> None:
    position = _unreadable(api)
    # Events after it, in the same batch, are applied.
    after = created(api.post("/api/v1/dialogues", {"title": "Tiếp xúc cử tri xã Phú Giáo",
                                                   "held_on": "2024-06-01"}))["id"]
    assert api.get(f"/api/v1/dialogues/{after}").status_code == 200
    for path in ("/reports/", "/api/v1/public/reports/agencies"):
        assert api.as_(None).get(path).status_code == 200, path
    assert api.get("/api/v1/commitments").status_code == 200
    health = api.as_(None).get("/healthz")
    assert health.status_code == 200, health.json
    assert health.json["quarantined"] == 1
    assert health.json["read_model_lag"] == 0
    [listed] = health.json["quarantined_events"]
    assert listed["position"] == position
    assert "Dialogue.Renamed" in listed["topic"]
    # Still linked into the hash chain: the audit sees the log whole.
    queries = api.client.application.extensions["queries"]
    assert audit(api.service, queries.view).ok


def test_a_nul_byte_in_an_old_event_does_not_silence_the_report(
        api: Caller, world: World) -> None:
    """On PostgreSQL the read table refuses it and it is set aside; on SQLite
    it is stored as it is. Either way every read goes on answering."""
    _nul_dialogue(api)
    created(api.post("/api/v1/dialogues", {"title": "Kỳ họp HĐND", "held_on": "2024-07-01"}))
    for path in ("/reports/", "/api/v1/public/reports/agencies"):
        assert api.as_(None).get(path).status_code == 200, path
    listed = api.get("/api/v1/commitments")
    assert listed.status_code == 200
    postgres = "postgres" in api.service.settings.persistence_module
    assert api.as_(None).get("/healthz").json["quarantined"] == (1 if postgres else 0)
    # A value a table refuses is no tampering: the audit still passes.
    verdict = catch_up_and_audit(api.service, api.client.application.extensions["queries"])
    assert verdict.ok, verdict


def test_status_lists_what_was_set_aside_and_a_rebuild_tries_it_again(
        api: Caller, world: World) -> None:
    position = _unreadable(api)
    api.projector.settle()  # the projector has gone past it
    runner = CliRunner()
    settings = api.service.settings
    environment = {"COMMITMENTS_DATA_DIR": str(settings.data_dir),
                   **{k: v for k, v in settings.eventsourcing_env.items()
                      if k.startswith("POSTGRES_") or k == "PERSISTENCE_MODULE"}}
    shown = runner.invoke(main, ["projections", "status"], env=environment)
    assert shown.exit_code == 0, shown.output
    assert "1 event set aside" in shown.output
    assert f"position {position}" in shown.output
    rebuilt = runner.invoke(main, ["projections", "rebuild"], env=environment)
    assert rebuilt.exit_code == 0, rebuilt.output
    # The class is still missing: set aside again, and nothing else is.
    again = runner.invoke(main, ["projections", "status"], env=environment)
    assert "1 event set aside" in again.output
    assert api.get(f"/api/v1/dialogues/{world.dialogue}").status_code == 200
