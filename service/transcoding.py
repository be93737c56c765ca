"""How events' state is written to the log and read back.

Written as eventsourcing's `JSONTranscoder` writes it (the standard library's
encoder, each date, moment and identifier as `{"_type_": name, "_data_":
text}`), so every stored event keeps its bytes and the hash chain over them
(service/integrity.py) its digests. Read by orjson: the standard library's
decoder calls back into Python for every object it makes (four or five per
event), and a rebuild of the read tables decodes a million events in the
thread that is its bottleneck. The objects are the same either way
(tests/unit/test_transcoding.py compares them).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, Transcoding


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class EventTranscoder(JSONTranscoder):
    def decode(self, data: bytes) -> Any:
        try:
            return self._revived(orjson.loads(data))
        except (orjson.JSONDecodeError, _Unsure):
            # What orjson refuses and the standard library reads (NaN,
            # Infinity), or may have read otherwise: read as eventsourcing
            # reads it.
            return super().decode(bytes(data))

    def _revived(self, value: Any) -> Any:
        """`value` with each `{"_type_", "_data_"}` object turned back into
        what it encodes, innermost first, as the standard decoder's object
        hook (`_decode_obj`, called here on each object) does."""
        if type(value) is dict:
            items: Any = value.items()
        elif type(value) is list:
            items = enumerate(value)
        else:
            return value
        for key, item in items:
            kind = type(item)
            if kind is dict or kind is list:
                value[key] = self._revived(item)
            elif kind is float and not -_BEYOND_INTEGERS < item < _BEYOND_INTEGERS:
                raise _Unsure
        return self._decode_obj(value) if type(value) is dict else value


class _Unsure(Exception):
    """A float as large as an integer past 64 bits, which orjson reads as a
    float where the standard library reads the integer: only the text tells."""


_BEYOND_INTEGERS = float(2**63)
