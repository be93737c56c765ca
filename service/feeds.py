"""The public changes of promises, newest first: what the Atom feeds list,
one entry per change (service.disclosure.PUBLIC_CHANGES)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from service.disclosure import PUBLIC_CHANGES
from service.queries import Queries
from service.read_model import as_date

_WORDS = ", ".join(f"'{name}'" for name in sorted(PUBLIC_CHANGES))


@dataclass(frozen=True)
class Change:
    commitment_id: UUID
    version: int
    event: str
    effective_on: date
    recorded_at: datetime
    agency: str
    text: str
    status: str
    detail: dict[str, Any]


def changes(queries: Queries, *, commitment: UUID | None = None, agency: str | None = None,
            dialogue: UUID | None = None, limit: int = 50) -> list[Change]:
    """The latest public changes of one promise, an agency's, a dialogue's,
    or all; a candidate's are never among them."""
    queries.fresh()
    clauses = [f"h.event IN ({_WORDS})", "h.status NOT IN ('proposed', 'rejected')"]
    if commitment is not None:
        clauses.append("h.commitment_id = :commitment")
    if agency is not None:
        clauses.append("c.agency = :agency")
    if dialogue is not None:
        clauses.append("c.dialogue_id = :dialogue")
    rows = queries.view.rows(
        "SELECT h.commitment_id, h.version, h.event, h.effective_on, h.recorded_at, h.detail, "
        "h.status, c.agency, c.text FROM rm_history h JOIN rm_commitments c "
        f"ON c.id = h.commitment_id WHERE {' AND '.join(clauses)} "
        "ORDER BY h.recorded_at DESC, h.version DESC LIMIT :limit",
        commitment=str(commitment) if commitment else None, agency=agency,
        dialogue=str(dialogue) if dialogue else None, limit=limit)
    return [Change(UUID(str(r["commitment_id"])), int(r["version"]), str(r["event"]),
                   as_date(r["effective_on"]), datetime.fromisoformat(str(r["recorded_at"])),
                   str(r["agency"]), str(r["text"]), str(r["status"]), json.loads(r["detail"]))
            for r in rows]
