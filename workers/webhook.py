"""Reminders posted to an agency's webhook, signed so it can trust them.

The receiver recomputes HMAC-SHA256 of the raw body with the shared secret and
compares it with `X-Signature: sha256=<hex>`; `X-Reminder-Id` is the same on
every try of one delivery, for receivers that want to drop repeats.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request

from service.notices import Notice
from service.reminders import DeliveryFailed

SIGNATURE_HEADER = "X-Signature"


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, signature: str, secret: str) -> bool:
    return hmac.compare_digest(sign(body, secret), signature)


class WebhookSender:
    def __init__(self, secret: str, timeout: float = 10.0) -> None:
        self.secret = secret
        self.timeout = timeout

    def __call__(self, notice: Notice) -> str | None:
        if not notice.url:
            raise DeliveryFailed("the agency has no webhook_url")
        if not self.secret:
            raise DeliveryFailed("WEBHOOK_SECRET is not set: refusing to send unsigned")
        body = json.dumps(notice.payload, ensure_ascii=False).encode()
        request = urllib.request.Request(notice.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign(body, self.secret),
            "X-Reminder-Id": notice.key,
            "User-Agent": "commitments-reminders/1",
        })
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            raise DeliveryFailed(f"{notice.url} answered HTTP {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise DeliveryFailed(f"{notice.url}: {error}") from error
