"""Issue 18 §4: last year's promises and grievances in this year's dialogue.
An unresolved promise is carried over into a later dialogue; a question is
linked to the same grievance raised before, and the report lists the
grievances raised most often, per agency."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from domain.access import Actor, Role
from domain.recurrence import most_raised
from service import commands as c
from service.application import Commitments
from service.bootstrap import build_queries
from service.queries import Queries
from tests.api.conftest import Caller, World, created, form_of, loads_from_here


def _dialogue(api: Caller, title: str, held_on: str) -> str:
    return str(created(api.post("/api/v1/dialogues", {"title": title,
                                                      "held_on": held_on}))["id"])


def _ask(api: Caller, dialogue: str, text: str) -> str:
    return str(created(api.post(f"/api/v1/dialogues/{dialogue}/questions", {
        "asker": {"name": "Công nhân KCN"}, "text": text, "addressed_to": ["SYT"]}))["id"])


def test_an_unresolved_promise_is_carried_into_a_later_dialogue(api: Caller,
                                                               world: World) -> None:
    later = _dialogue(api, "Hội nghị đối thoại 2024, đợt 2", "2024-08-20")
    path = f"/api/v1/dialogues/{later}/carry-overs"
    assert api.as_(world.agency_token).post(path, {"commitment_id": world.commitment}
                                            ).status_code == 403
    carried = api.post(path, {"commitment_id": world.commitment})
    assert carried.status_code == 201, carried.json
    [item] = carried.json["carried_over"]
    assert (item["commitment_id"], item["from_dialogue_id"]) == (world.commitment,
                                                                 world.dialogue)
    assert item["from_title"] == "Hội nghị đối thoại 2024" and item["status"] == "open"
    assert api.post(path, {"commitment_id": world.commitment}).status_code == 409
    back = api.post(f"/api/v1/dialogues/{world.dialogue}/carry-overs",
                    {"commitment_id": world.commitment})
    assert back.status_code == 422 and "commitment_id" in back.json["error"]["fields"]
    history = api.get(f"/api/v1/commitments/{world.commitment}/history").json
    assert history[-1]["type"] == "CarriedOver"
    assert history[-1]["data"]["dialogue_id"] == later
    page = api.client.get(f"/reports/dialogues/{later}").get_data(as_text=True)
    assert 'id="carried-over"' in page and f"/reports/dialogues/{world.dialogue}" in page
    # Kept: nothing is left to carry.
    assert api.as_(world.agency_token).post(
        f"/api/v1/commitments/{world.commitment}/updates",
        {"action": "fulfil", "evidence": [{"title": "QĐ 9"}]}).status_code == 200
    other = _dialogue(api, "Đối thoại 2024, đợt 3", "2024-08-25")
    assert api.post(f"/api/v1/dialogues/{other}/carry-overs",
                    {"commitment_id": world.commitment}).status_code == 409


def test_a_grievance_raised_again_and_again(api: Caller, world: World) -> None:
    second = _ask(api, _dialogue(api, "Tiếp xúc cử tri", "2024-06-15"),
                  "Lại đề nghị phụ cấp cho y tế thôn bản")
    third = _ask(api, _dialogue(api, "Đối thoại 2024, đợt 2", "2024-08-20"),
                 "Lần thứ ba đề nghị phụ cấp cho y tế thôn bản")
    linked = api.post(f"/api/v1/questions/{second}/earlier", {"question_id": world.question})
    assert linked.status_code == 201, linked.json
    assert (linked.json["raised_before"], linked.json["times_raised"]) == ([world.question], 2)
    read = created(api.post(f"/api/v1/questions/{third}/earlier", {"question_id": second}))
    assert (read["raised_before"], read["times_raised"]) == ([second, world.question], 3)
    assert api.post(f"/api/v1/questions/{third}/earlier", {"question_id": second}
                    ).status_code == 409
    assert api.post(f"/api/v1/questions/{world.question}/earlier", {"question_id": third}
                    ).status_code == 422  # asked later
    assert api.get(f"/api/v1/questions/{world.question}").json["times_raised"] == 1
    most = api.as_(None).get("/api/v1/public/reports/grievances", agency="SYT").json
    assert [(g["question_id"], g["times_raised"]) for g in most] == [(third, 3)]
    assert api.as_(None).get("/api/v1/public/reports/grievances", agency="SGDDT").json == []
    page = api.client.get("/reports/agencies/SYT").get_data(as_text=True)
    assert 'id="grievances"' in page and "Lần thứ ba đề nghị phụ cấp" in page


def test_from_the_workspace(api: Caller, world: World, clerk: FlaskClient) -> None:
    """A new dialogue's page offers the last dialogues' promises still owed,
    the overdue first, and links a question to one raised before."""
    later = _dialogue(api, "Hội nghị đối thoại 2025", "2024-08-30")
    question = _ask(api, later, "Vẫn đề nghị phụ cấp cho y tế thôn bản")
    path = f"/workspace/dialogues/{later}"
    page = clerk.get(path).data.decode()
    assert f'id="carry-{world.commitment}"' in page
    assert "Nghiên cứu chế độ trực đêm" in page  # the people fixture's, due 2024-09-05
    carried = clerk.post(path, data=form_of(clerk, path, f"carry-{world.commitment}"))
    assert carried.status_code == 302, carried.data.decode()
    page = clerk.get(path).data.decode()
    assert 'id="carried-over"' in page and f'id="carry-{world.commitment}"' not in page
    linked = clerk.post(path, data={**form_of(clerk, path, "earlier-form"),
                                    "question_id": question, "earlier_id": world.question})
    assert linked.status_code == 302, linked.data.decode()
    assert api.get(f"/api/v1/questions/{question}").json["times_raised"] == 2
    assert [c["commitment_id"] for c in api.get(f"/api/v1/dialogues/{later}").json[
        "carried_over"]] == [world.commitment]


def test_chains_and_carried_promises_are_read_from_the_tables(
        api: Caller, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 17: a question's earlier raisings, a dialogue's carried promises
    and the grievances raised most often are answered from rows; no read
    loads a question or a dialogue from the log."""
    later = _dialogue(api, "Tiếp xúc cử tri", "2024-06-15")
    second = _ask(api, later, "Lại đề nghị phụ cấp cho y tế thôn bản")
    created(api.post(f"/api/v1/questions/{second}/earlier", {"question_id": world.question}))
    created(api.post(f"/api/v1/dialogues/{later}/carry-overs",
                     {"commitment_id": world.commitment}))
    loaded = loads_from_here(api, monkeypatch)
    assert api.get(f"/api/v1/questions/{second}").json["raised_before"] == [world.question]
    assert [c["commitment_id"] for c in api.get(f"/api/v1/dialogues/{later}").json[
        "carried_over"]] == [world.commitment]
    assert 'id="carried-over"' in api.client.get(f"/reports/dialogues/{later}").get_data(
        as_text=True)
    assert [g["question_id"] for g in api.as_(None).get(
        "/api/v1/public/reports/grievances", agency="SYT").json] == [second]
    assert 'id="grievances"' in api.client.get("/reports/agencies/SYT").get_data(as_text=True)
    assert not {"Question", "Dialogue", "Agency"} & {kind for kind, _ in loaded}, loaded


def test_the_ranking_the_projection_keeps_is_the_rules(service: Commitments) -> None:
    """Issue 17: the grievances raised most often, kept as rows while links
    are recorded (a chain lengthened below its latest raising, two later
    raisings of one grievance, a link to what was reached already), rank as
    domain.recurrence.most_raised ranks every link, for all and per agency;
    and as a rebuild from the log ranks them."""
    admin = Actor(Role.ADMIN)
    for code in ("SYT", "SGDDT", "SLDTBXH"):
        service.execute(c.RegisterAgency(code=code, name=code), admin)
    forums = {year: service.execute(c.RecordDialogue(title=f"Đối thoại {year}",
                                                     held_on=date(year, 5, 10)),
                                    admin).aggregate_id for year in range(2020, 2025)}
    asked: dict[str, tuple[UUID, list[str]]] = {}
    for name, year, agencies in (
            ("a1", 2020, ["SYT"]), ("a2", 2021, ["SYT"]), ("a3", 2022, ["SYT", "SGDDT"]),
            ("a4", 2023, ["SGDDT"]), ("b1", 2020, []), ("b2", 2022, ["SLDTBXH"]),
            ("c1", 2021, ["SYT"]), ("c2", 2023, ["SYT"]), ("c3", 2024, ["SYT"])):
        question = service.execute(c.AskQuestion(
            dialogue_id=forums[year], asker={"name": "Cử tri"}, text=f"Kiến nghị {name}",
            addressed_to=agencies), admin).aggregate_id
        asked[name] = (question, agencies)
    queries = build_queries(service)
    try:
        links: dict[UUID, list[UUID]] = {}
        for later, earlier in (("a3", "a2"), ("a4", "a3"), ("a2", "a1"), ("a4", "a2"),
                               ("b2", "b1"), ("c2", "c1"), ("c3", "c1"), ("c3", "c2")):
            service.execute(c.LinkEarlierQuestion(asked[later][0], asked[earlier][0]), admin)
            links.setdefault(asked[later][0], []).append(asked[earlier][0])
            _ranked_as_the_rule(queries, links, asked)
        assert [(g.question_id, g.times_raised) for g in queries.grievances(limit=2)] == [
            (asked["a4"][0], 4), (asked["c3"][0], 3)]
        queries.projector.rebuild()
        _ranked_as_the_rule(queries, links, asked)
    finally:
        queries.close()


def _ranked_as_the_rule(queries: Queries, links: dict[UUID, list[UUID]],
                        asked: dict[str, tuple[UUID, list[str]]]) -> None:
    put_to = dict(asked.values())
    for agency in (None, "SYT", "SGDDT", "SLDTBXH"):
        found = queries.grievances(agency, limit=100)
        assert [(g.question_id, g.times_raised) for g in found] == [
            (q, n) for q, n in most_raised(links, limit=100)
            if agency is None or agency in put_to[q]], agency
        assert [g.agencies for g in found] == [sorted(put_to[g.question_id]) for g in found]
