"""The hash chain's links, made as the projection reads the log.

The chain is not a read table: a rebuild keeps it, and it accepts nothing but
new links (service/integrity.py says why, and checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from service.integrity import CHAIN_TABLE, GENESIS, link
from service.read_model.dialect import Dialect

HEAD = (f"SELECT notification_id, seq, digest, chained_at FROM {CHAIN_TABLE} "
        "ORDER BY notification_id DESC LIMIT 1")
_PAGE = (f"SELECT notification_id, digest FROM {CHAIN_TABLE} WHERE "
         "notification_id > :after ORDER BY notification_id LIMIT :n")
_COLUMNS = ("notification_id", "seq", "digest", "chained_at")


def extend(cursor: Any, dialect: Dialect, events: Sequence[Any]) -> None:
    """Link `events` onto the chain; events already linked (a rebuild replays
    them) are left as they are."""
    cursor.execute(HEAD)
    head = cursor.fetchone()
    last, seq, previous = ((int(head["notification_id"]), int(head["seq"]), head["digest"])
                           if head else (0, 0, GENESIS))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    links = []
    for event in events:
        if event.id <= last:
            continue
        previous, seq = link(previous, event), seq + 1
        links.append({"notification_id": event.id, "seq": seq, "digest": previous,
                      "chained_at": now})
    if links:
        dialect.insert(cursor, CHAIN_TABLE, _COLUMNS, links)


def links(rows: Callable[..., list[Any]], page: int = 1000) -> Iterator[tuple[int, str]]:
    """Every link, in notification order, read a page at a time by `rows`."""
    after = 0
    while True:
        found = rows(_PAGE, after=after, n=page)
        for row in found:
            yield int(row["notification_id"]), row["digest"]
        if len(found) < page:
            return
        after = int(found[-1]["notification_id"])
