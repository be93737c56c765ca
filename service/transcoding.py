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
from eventsourcing.persistence import JSONTranscoder, Transcoding, TranscodingNotRegisteredError


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
        hook does (`_decode_obj`)."""
        if type(value) is dict:
            for key, item in value.items():
                kind = type(item)
                if kind is dict or kind is list:
                    value[key] = self._revived(item)
                elif kind is float and not -_BEYOND_INTEGERS < item < _BEYOND_INTEGERS:
                    raise _Unsure
            if len(value) == 2 and "_type_" in value and "_data_" in value:
                try:
                    transcoding = self.names[value["_type_"]]
                except KeyError:
                    raise TranscodingNotRegisteredError(
                        f"Data serialized with name '{value['_type_']}' is not deserializable. "
                        "Please register a custom transcoding for this type.") from None
                return transcoding.decode(value["_data_"])
        elif type(value) is list:
            for index, item in enumerate(value):
                kind = type(item)
                if kind is dict or kind is list:
                    value[index] = self._revived(item)
                elif kind is float and not -_BEYOND_INTEGERS < item < _BEYOND_INTEGERS:
                    raise _Unsure
        return value


class _Unsure(Exception):
    """A float as large as an integer past 64 bits, which orjson reads as a
    float where the standard library reads the integer: only the text tells."""


_BEYOND_INTEGERS = float(2**63)
