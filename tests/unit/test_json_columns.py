"""The read tables' JSON columns: written by orjson, read back as what the
standard library's encoder writes (dates, moments and identifiers included)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from service.read_model import dumps, json_encoder

MOMENT = datetime(2025, 3, 4, 8, 30, 15, 120, tzinfo=UTC)
VALUES: list[Any] = [
    {"note": "Đã trình UBND tỉnh \"xem xét\"\n\t\\", "evidence": [], "n": 3, "x": 1.5,
     "ok": True, "none": None},
    [{"title": "Công văn số 94/CTHUE", "on": date(2024, 8, 26)}, date(2025, 1, 1)],
    {"at": MOMENT, "local": datetime(2025, 3, 4, 15, 30, tzinfo=timezone(timedelta(hours=7))),
     "naive": datetime(2025, 3, 4, 15, 30), "id": UUID(int=7)},
    {1: "a key that is a number", "big": 2**70},  # orjson refuses both as they come
    "lone text", [], {},
]


def _standard(value: Any, default: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=default))


def test_a_json_column_reads_back_as_the_standard_library_writes_it() -> None:
    for value in VALUES:
        assert json.loads(dumps(value)) == _standard(value, str), value
    assert "Đã" in dumps(VALUES[0])  # not escaped


def test_an_entry_encoder_writes_dates_and_moments_as_isoformat_does() -> None:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else str(value)

    encode = json_encoder(plain)
    for value in VALUES:
        assert json.loads(encode(value)) == _standard(value, plain), value
    assert json.loads(encode({"at": MOMENT})) == {"at": "2025-03-04T08:30:15.000120+00:00"}
