"""The read tables of closing the loop with the people who asked (issue 18),
in one list `tables` appends to its own: the messages owed to people
outside the service."""

from __future__ import annotations

LOOP_TABLES = [
    # Each message a write owed (domain.messages) while it is not yet sent or
    # given up: what the message scan reads.
    "CREATE TABLE IF NOT EXISTS rm_messages (id TEXT PRIMARY KEY, purpose TEXT NOT NULL, "
    "open INTEGER NOT NULL, position BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_messages_open ON rm_messages (position) WHERE open = 1",
]
LOOP_TABLE_NAMES = ("rm_messages",)
