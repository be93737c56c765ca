"""Events read back by orjson are the objects the standard library's decoder
makes of the same bytes (service/transcoding.py)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)
from hypothesis import given
from hypothesis import strategies as st

from service.application import Commitments
from service.settings import Settings
from service.transcoding import DateAsISO, EventTranscoder


def transcoders() -> tuple[JSONTranscoder, EventTranscoder]:
    """eventsourcing's own, and ours, with the transcodings the application
    registers (as `Application.register_transcodings` and ours add them)."""
    standard, ours = JSONTranscoder(), EventTranscoder()
    for transcoder in (standard, ours):
        for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
            transcoder.register(transcoding)
    return standard, ours


STANDARD, OURS = transcoders()

leaves = st.one_of(
    st.none(), st.booleans(), st.integers(),
    st.floats(allow_nan=False, allow_infinity=False), st.text(),
    st.dates(), st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=7))])),
    st.uuids(), st.decimals(allow_nan=False, allow_infinity=False),
)
values = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.text(max_size=8), inner, max_size=5),
    # Objects shaped like a transcoded value, which are not one.
    st.fixed_dictionaries({"_type_": st.text(max_size=4), "_data_": inner, "x": inner}),
    st.fixed_dictionaries({"_type_": inner}),
), max_leaves=20)


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (a datetime is a date)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


@given(st.dictionaries(st.text(max_size=10), values, max_size=8))
def test_every_value_reads_back_as_the_standard_decoder_reads_it(state: dict[str, Any]) -> None:
    data = STANDARD.encode(state)
    assert same(OURS.decode(data), STANDARD.decode(data))
    assert same(OURS.decode(memoryview(data)), STANDARD.decode(data))


@pytest.mark.parametrize("data", [
    b'{"a": NaN, "b": Infinity}',  # orjson refuses these
    b'{"n": 123456789012345678901234567890}',  # past 64 bits
    b'{"_type_": "date_iso", "_data_": "2025-06-01"}',
    b'{"x": [{"_type_": "uuid_hex", "_data_": "6f1c1f3e2b9a4c559a440d6c3f2a9b10"}]}',
    b'{"_type_": "date_iso", "_data_": "2025-06-01", "other": 1}',
    b'{"_type_": "date_iso"}',
    "{\"t\": \"Đã trình UBND tỉnh \\u0000\"}".encode(),
])
def test_edge_cases_read_alike(data: bytes) -> None:
    assert same(OURS.decode(data), STANDARD.decode(data))


def test_an_unknown_transcoding_is_refused_alike() -> None:
    data = b'{"a": {"_type_": "no_such", "_data_": "x"}}'
    for transcoder in (STANDARD, OURS):
        with pytest.raises(TranscodingNotRegisteredError, match="no_such"):
            transcoder.decode(data)


def test_the_application_reads_its_events_with_it(tmp_path: Any) -> None:
    app = Commitments(Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path)}))
    try:
        assert isinstance(app.mapper.transcoder, EventTranscoder)
        assert app.mapper.transcoder.names.keys() == OURS.names.keys()
        state = {"on": date(2025, 6, 1), "at": datetime(2025, 6, 1, 8, tzinfo=UTC),
                 "id": UUID(int=7), "amount": Decimal("1.5")}
        assert same(app.mapper.transcoder.decode(app.mapper.transcoder.encode(state)), state)
    finally:
        app.close()


def test_a_date_is_written_as_iso_text() -> None:
    assert DateAsISO().encode(date(2025, 6, 1)) == "2025-06-01"
