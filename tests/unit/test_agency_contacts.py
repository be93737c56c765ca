"""An agency's contacts, replaced by the secretariat: checked as registration
checks them, refused when nothing changes, and used by the next reminder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.access import Actor, Role
from domain.agency import Agency, agency_id
from domain.deadlines import Kind
from domain.errors import Forbidden, InvalidInput, VersionConflict
from domain.reminders import Channel
from service import commands as c
from service.application import Commitments
from service.bootstrap import build, build_queries
from service.notices import Notice
from service.reminders import Reminders
from service.settings import Settings
from tests.support.clock import FixedClock

ADMIN = Actor(Role.ADMIN)
RECORDED_BY: dict[str, Any] = {"role": "admin", "agency": None, "via": "account:x"}
OLD = [{"email": "vp@syt.gov.vn"}]
NEW = [{"email": "vanthu@syt.gov.vn", "name": "Văn thư"},
       {"email": "gd@syt.gov.vn", "role": "head"}]


def agency() -> Agency:
    return Agency(code="SYT", name="Sở Y tế", name_en=None, contacts=list(OLD),
                  webhook_url=None, actor=RECORDED_BY)


def test_new_contacts_replace_the_old_ones_in_one_event() -> None:
    found = agency()
    found.change_contacts(NEW, actor=RECORDED_BY)
    assert found.contacts == NEW
    [_, changed] = found.collect_events()
    assert type(changed).__name__ == "ContactsChanged"
    assert changed.contacts == NEW and changed.actor == RECORDED_BY
    # Replayed from its events, the agency has the new list.
    replayed = None
    for event in [*agency().collect_events()[:1], changed]:
        replayed = event.mutate(replayed)
    assert isinstance(replayed, Agency) and replayed.contacts == NEW


def test_an_address_is_kept_as_given_trimmed() -> None:
    found = agency()
    found.change_contacts([{"email": " VP2@syt.gov.vn "}], actor=RECORDED_BY)
    assert found.contacts == [{"email": "VP2@syt.gov.vn"}]


def test_the_same_list_again_is_refused_and_records_nothing() -> None:
    found = agency()
    found.collect_events()
    with pytest.raises(InvalidInput) as refused:
        found.change_contacts([{"email": "vp@syt.gov.vn "}], actor=RECORDED_BY)
    assert "contacts" in refused.value.fields
    assert found.collect_events() == [] and found.contacts == OLD


@pytest.mark.parametrize(("contacts", "field"), [
    ([{"email": "not an address"}], "contacts.0.email"),
    ([{"email": "ok@syt.gov.vn"}, {"email": "a@b"}], "contacts.1.email"),
    ([{"name": "Văn thư"}], "contacts.0.email"),
    ([{"email": "  "}], "contacts.0.email"),
    ([{"email": "ok@syt.gov.vn", "phone": "0209"}], "contacts.0"),
    ([{"email": "ok@syt.gov.vn", "role": 3}], "contacts.0.role"),
])
def test_a_contact_without_a_good_address_is_refused(contacts: list[dict[str, Any]],
                                                     field: str) -> None:
    found = agency()
    found.collect_events()
    with pytest.raises(InvalidInput) as refused:
        found.change_contacts(contacts, actor=RECORDED_BY)
    assert list(refused.value.fields) == [field]
    assert found.collect_events() == [] and found.contacts == OLD


def test_an_empty_list_is_allowed_as_at_registration() -> None:
    found = agency()
    found.change_contacts([], actor=RECORDED_BY)
    assert found.contacts == []


# -- through the service ---------------------------------------------------------------


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Commitments]:
    settings = Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path),
                                  "PUBLIC_BASE_URL": "https://camket.example.vn/"})
    found = build(settings, clock=FixedClock(date(2025, 2, 10)))
    found.execute(c.RegisterAgency("SYT", "Sở Y tế", contacts=list(OLD)), ADMIN)
    yield found
    found.close()


def test_the_command_records_who_changed_them(app: Commitments) -> None:
    person = Actor(Role.ADMIN, via="account:123")
    app.execute(c.ChangeAgencyContacts("SYT", NEW), person)
    found: Agency = app.get(agency_id("SYT"))
    assert found.contacts == NEW
    last = list(app.events.get(agency_id("SYT")))
    assert [type(e).__name__ for e in last][-1] == "ContactsChanged"
    assert last[-1].actor == person.as_record()


def test_only_the_secretariat_changes_contacts(app: Commitments) -> None:
    for actor in (Actor(Role.AGENCY, "SYT"), Actor(Role.AUDITOR)):
        with pytest.raises(Forbidden):
            app.execute(c.ChangeAgencyContacts("SYT", NEW), actor)
    assert app.get(agency_id("SYT")).contacts == OLD


def test_a_list_edited_from_an_older_version_is_refused(app: Commitments) -> None:
    seen = app.get(agency_id("SYT")).version
    app.execute(c.ChangeAgencyContacts("SYT", NEW), ADMIN)
    with pytest.raises(VersionConflict):
        app.execute(c.ChangeAgencyContacts("SYT", [{"email": "khac@syt.gov.vn"}],
                                           expected_version=seen), ADMIN)
    assert app.get(agency_id("SYT")).contacts == NEW


def test_the_next_reminder_goes_to_the_new_contacts(app: Commitments) -> None:
    queries = build_queries(app)
    try:
        dialogue = app.execute(c.RecordDialogue("Đối thoại 2025", date(2025, 2, 1)),
                               ADMIN).aggregate_id
        app.execute(c.MakeCommitment("SYT", "Sẽ rà soát phụ cấp", Kind.REVIEW,
                                     dialogue_id=dialogue, due_on=date(2025, 3, 5)), ADMIN)
        app.execute(c.ChangeAgencyContacts("SYT", NEW), ADMIN)
        # The projection takes the event in its stride.
        assert queries.fresh() == 0
        assert [a.contacts for a in queries.agencies()] == [NEW]
        sent: list[Notice] = []

        def record(notice: Notice) -> None:
            sent.append(notice)

        overdue = date(2025, 3, 8)
        reminders = Reminders(app, queries, {Channel.EMAIL: record},
                              now=lambda: datetime(2025, 3, 8, 2, 0, tzinfo=UTC))
        for due in reminders.scan(overdue):
            reminders.deliver(due, today=overdue, claim="t1", attempt=0, final=False)
        assert [n.to for n in sent] == [["vanthu@syt.gov.vn", "gd@syt.gov.vn"]]
    finally:
        queries.close()
