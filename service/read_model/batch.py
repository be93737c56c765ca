"""The view changes of one batch of events, and how they are written.

The projection gathers what a batch of events changes (each commitment's
newest row, its history rows, counter deltas, other statements); `write`
then writes them in the transaction that also records the batch's tracking
position.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from eventsourcing.persistence import Tracking

from service.read_model.counters import TALLIES
from service.read_model.dialect import Dialect
from service.read_model.tables import COMMITMENT_COLUMNS, EDITABLE_COLUMNS, STATE_COLUMNS

_HISTORY_COLUMNS = ("commitment_id", "effective_on", "occurred_on", "event", "recorded_at",
                    "detail", *STATE_COLUMNS, "superseded_on")
_ENTRY_COLUMNS = ("commitment_id", "version", "type", "at", "actor", "data")
_ADD_COUNTS = ("ON CONFLICT (scope, key) DO UPDATE SET "
               + ", ".join(f"{t} = rm_counters.{t} + excluded.{t}" for t in TALLIES))


@dataclass
class Batch:
    """View changes of one transaction, flushed together with the tracking record."""

    commitments: dict[str, dict[str, Any]] = field(default_factory=dict)
    new: set[str] = field(default_factory=set)  # commitments made in this batch
    history: list[dict[str, Any]] = field(default_factory=list)
    # Each commitment event whole, for the history route (rm_history_entries).
    entries: list[dict[str, Any]] = field(default_factory=list)
    # Each commitment's newest history row in this batch, and rows of earlier
    # batches that a row of this one supersedes.
    newest: dict[str, dict[str, Any]] = field(default_factory=dict)
    superseded: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    # What each commitment changed in this batch counted before its first
    # change here: (version, owner, dialogue, its tallies).
    counted: dict[str, tuple[int, str, str, dict[str, int]]] = field(default_factory=dict)
    links: list[dict[str, Any]] = field(default_factory=list)
    statements: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # The stored events of the batch, for the hash chain.
    events: Sequence[Any] = ()
    last: Tracking | None = None

    def count(self, scope: str, key: str, change: Mapping[str, int], sign: int) -> None:
        row = self.counts.setdefault((scope, key), dict.fromkeys(TALLIES, 0))
        for name, value in change.items():
            row[name] += sign * value

    def record_history(self, row: dict[str, Any]) -> None:
        """Append a commitment's next history row; the one before it ends there."""
        key = row["commitment_id"]
        previous = self.newest.get(key)
        if previous is not None:
            previous["superseded_on"] = row["effective_on"]
        elif row["version"] > 1:
            self.superseded.append({"commitment_id": key, "version": row["version"] - 1,
                                    "superseded_on": row["effective_on"]})
        row["superseded_on"] = None
        self.history.append(row)
        self.newest[key] = row

    def execute(self, sql: str, **params: Any) -> None:
        self.statements.append((sql, params))


def write(cursor: Any, dialect: Dialect, batch: Batch) -> None:
    """Write the batch's view changes (not its tracking record) with `cursor`:
    a few statements for the whole batch, whatever its size."""
    made = [row for key, row in batch.commitments.items() if key in batch.new]
    changed = [row for key, row in batch.commitments.items() if key not in batch.new]
    if made:
        dialect.insert(cursor, "rm_commitments", COMMITMENT_COLUMNS, made)
    if changed:
        dialect.update(cursor, "rm_commitments", ("id",), (*EDITABLE_COLUMNS, *STATE_COLUMNS),
                       changed)
    if batch.history:
        dialect.insert(cursor, "rm_history", _HISTORY_COLUMNS, batch.history)
    if batch.entries:
        dialect.insert(cursor, "rm_history_entries", _ENTRY_COLUMNS, batch.entries)
    if batch.superseded:
        dialect.update(cursor, "rm_history", ("commitment_id", "version"),
                       ("superseded_on",), batch.superseded)
    if batch.links:
        dialect.insert(cursor, "rm_commitment_questions", ("commitment_id", "question_id"),
                       batch.links, "ON CONFLICT DO NOTHING")
    counts = [{"scope": s, "key": k, **v} for (s, k), v in batch.counts.items()
              if any(v.values())]
    if counts:
        dialect.insert(cursor, "rm_counters", ("scope", "key", *TALLIES), counts, _ADD_COUNTS)
    # Other statements in their order; a run of the same statement at once.
    for sql, run in groupby(batch.statements, key=lambda statement: statement[0]):
        rows = [params for _, params in run]
        if len(rows) == 1:
            dialect.execute(cursor, sql, rows[0])
        else:
            dialect.many(cursor, sql, rows)
