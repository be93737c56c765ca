"""What each kind of message says: the composer of every purpose
(domain.messages.Purpose), for the message sender (service/messages.py)."""

from __future__ import annotations

from domain.messages import Purpose
from service.asker_mail import ASKER_COMPOSERS
from service.messages import Composer

COMPOSERS: dict[Purpose, Composer] = {**ASKER_COMPOSERS}
