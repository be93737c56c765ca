"""Who may ask a question: a person unless said, a group or a body; and how
who spoke is named in public."""

from __future__ import annotations

import pytest

from domain.dialogue import asker_of, in_public, named
from domain.errors import InvalidInput


def test_an_asker_is_a_person_unless_said() -> None:
    assert asker_of({"name": "Bà Nga"}) == {"name": "Bà Nga", "kind": "person"}
    assert asker_of({"name": "Bà Nga", "kind": None})["kind"] == "person"


@pytest.mark.parametrize("kind", ["person", "group", "body"])
def test_each_kind_of_asker_is_kept(kind: str) -> None:
    assert asker_of({"name": "Cử tri xã Phú Giáo", "kind": kind})["kind"] == kind


def test_an_unknown_kind_of_asker_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        asker_of({"name": "Cử tri", "kind": "crowd"})
    assert refused.value.fields == {"asker": ["kind must be one of: person, group, body"]}


def test_who_spoke_is_named_in_public_never_reached() -> None:
    asker = {"name": "Bà Nga", "organisation": "Công đoàn ngành Y tế", "kind": "person",
             "email": "nga@example.vn", "phone": "0912345678", "contact": {"email": "x@y.vn"},
             "title": ""}
    assert in_public(asker) == {"name": "Bà Nga", "organisation": "Công đoàn ngành Y tế",
                                "kind": "person"}
    assert named(in_public(asker)) == "Bà Nga, Công đoàn ngành Y tế"
    assert named({"name": "Ông A", "title": "Phó Giám đốc", "agency": "SYT"}) == (
        "Ông A, Phó Giám đốc")
