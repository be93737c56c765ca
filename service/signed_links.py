"""Links that act for the person they were mailed to: signed, and valid for
a while (the asker's confirmation; later, a follower's confirmation and
unsubscribe).

Signed with the service's secret (Settings.session_secret) by itsdangerous,
which Flask already relies on; each kind of link has its own salt, so a
link of one kind never passes for another. Nothing is stored: the signature
is the proof.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from domain.asker import LINK_VALIDITY, FeedbackVerdict
from domain.errors import Forbidden


class LinkRefused(Forbidden):
    """A link that was altered, is of another kind, or is too old."""

    code = "link_refused"


@dataclass(frozen=True)
class FeedbackLink:
    """What a link in a claim's mail stands for: this asker's word on this claim."""

    commitment_id: UUID
    claim_version: int
    question_id: UUID
    verdict: FeedbackVerdict


def _clocked(now: Callable[[], float]) -> type[TimestampSigner]:
    class Clocked(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now())

    return Clocked


class Links:
    def __init__(self, secret: str, now: Callable[[], float] = time.time) -> None:
        self.secret = secret
        self.now = now

    def _serializer(self, kind: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt=f"commitments:{kind}",
                                      signer=_clocked(self.now))

    def sign(self, kind: str, payload: dict[str, Any]) -> str:
        return str(self._serializer(kind).dumps(payload))

    def read(self, kind: str, token: str, valid_for: timedelta) -> dict[str, Any]:
        try:
            found: dict[str, Any] = self._serializer(kind).loads(
                token, max_age=int(valid_for.total_seconds()))
        except SignatureExpired:
            raise LinkRefused(f"this link is more than {valid_for.days} days old and no "
                              "longer valid") from None
        except BadSignature:
            raise LinkRefused("this link is not valid: copy the whole link from the mail"
                              ) from None
        return found

    # -- the asker's confirmation ------------------------------------------------------

    def feedback(self, link: FeedbackLink) -> str:
        return self.sign("asker-feedback", {
            "c": str(link.commitment_id), "v": link.claim_version,
            "q": str(link.question_id), "d": link.verdict.value})

    def read_feedback(self, token: str) -> FeedbackLink:
        found = self.read("asker-feedback", token, LINK_VALIDITY)
        return FeedbackLink(UUID(found["c"]), int(found["v"]), UUID(found["q"]),
                            FeedbackVerdict(found["d"]))
