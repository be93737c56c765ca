"""What each kind of message says: the composer of every purpose
(domain.messages.Purpose), for the message sender (service/messages.py)."""

from __future__ import annotations

from domain.messages import Purpose
from service.asker_mail import ASKER_COMPOSERS
from service.follows import follow_change, follow_confirm, follow_said
from service.messages import Composer
from service.published_reports import reply_invited

COMPOSERS: dict[Purpose, Composer] = {
    **ASKER_COMPOSERS, Purpose.REPLY_INVITED: reply_invited,
    Purpose.FOLLOW_CONFIRM: follow_confirm, Purpose.FOLLOW_CHANGE: follow_change,
    Purpose.FOLLOW_SAID: follow_said}
