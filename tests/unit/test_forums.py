"""Who may ask a question: a person unless said, a group or a body."""

from __future__ import annotations

import pytest

from domain.dialogue import asker_of
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
