"""The hash chain's link is a published format: the head digest printed in
past reports must still be what the log hashes to."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from uuid import UUID

from service.integrity import GENESIS, link


@dataclass
class Stored:
    id: int
    originator_id: UUID | str
    originator_version: int
    topic: str
    state: bytes


def spelled_out(previous: str, event: Stored) -> str:
    """The format as documented: each field's length (8 bytes, big-endian)
    then the field, hashed in order with SHA-256."""
    digest = hashlib.sha256()
    for part in (previous, str(event.id), str(event.originator_id),
                 str(event.originator_version), event.topic):
        digest.update(len(part.encode()).to_bytes(8, "big") + part.encode())
    digest.update(len(event.state).to_bytes(8, "big") + event.state)
    return digest.hexdigest()


EVENT = Stored(41, UUID("6f1c1f3e-2b9a-4c55-9a44-0d6c3f2a9b10"), 3,
               "domain.commitment:Commitment.ProgressReported",
               '{"note":"Đã trình UBND tỉnh"}'.encode())


def test_a_link_hashes_each_field_length_prefixed_after_the_previous_digest() -> None:
    first = link(GENESIS, EVENT)
    assert first == spelled_out(GENESIS, EVENT)
    # A digest computed when the chain was first written, kept as published.
    assert first == "6d51e9a42b28b2dd665aaef410564454bfe343100212d4106addda88ae997186"
    assert link(first, EVENT) == spelled_out(first, EVENT)


def test_an_id_given_as_text_hashes_as_the_same_id_and_the_state_as_its_bytes() -> None:
    as_text = Stored(EVENT.id, str(EVENT.originator_id), EVENT.originator_version, EVENT.topic,
                     EVENT.state)
    assert link(GENESIS, as_text) == link(GENESIS, EVENT)
    viewed = Stored(EVENT.id, EVENT.originator_id, EVENT.originator_version, EVENT.topic,
                    memoryview(EVENT.state))  # type: ignore[arg-type]
    assert link(GENESIS, viewed) == link(GENESIS, EVENT)


def test_fields_shifted_from_one_into_the_next_change_the_digest() -> None:
    shifted = Stored(EVENT.id, EVENT.originator_id, EVENT.originator_version,
                     EVENT.topic + "{", EVENT.state[1:])
    assert link(GENESIS, shifted) != link(GENESIS, EVENT)
