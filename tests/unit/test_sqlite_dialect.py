"""SQLite's writes of many rows: a few statements of many VALUES each, which
write exactly what a statement per row writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from service.read_model import dialect
from service.read_model.dialect import SQLiteDialect

ROWS: list[dict[str, Any]] = [
    {"key": f"k{i}", "n": i, "on": date(2025, 1, 1 + i), "note": None if i % 2 else "ghi chú"}
    for i in range(7)]


class Counted:
    """A cursor that counts the statements it is given."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.cursor = cursor
        self.statements = 0

    def execute(self, sql: str, params: Any = ()) -> None:
        self.statements += 1
        self.cursor.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> None:
        rows = list(rows)
        self.statements += len(rows)
        self.cursor.executemany(sql, rows)


@pytest.fixture
def cursor() -> Iterator[Counted]:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (key TEXT, n INTEGER, on_ DATE, note TEXT, "
                       "PRIMARY KEY (key, n))")
    yield Counted(connection.cursor())
    connection.close()


@pytest.fixture(autouse=True)
def eight_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rows of four columns a statement: seven rows take four."""
    monkeypatch.setattr(dialect, "_SQLITE_PARAMETERS", 8)


def _rows(cursor: Counted) -> list[tuple[Any, ...]]:
    return cursor.cursor.execute("SELECT key, n, on_, note FROM t ORDER BY n").fetchall()


def _insert(cursor: Counted, rows: list[dict[str, Any]], tail: str = "") -> None:
    SQLiteDialect().insert(cursor, "t", ("key", "n", "on_", "note"),
                           [{**row, "on_": row["on"]} for row in rows], tail)


def test_many_rows_are_inserted_a_few_statements_at_a_time(cursor: Counted) -> None:
    _insert(cursor, ROWS)
    assert cursor.statements == 4
    assert _rows(cursor) == [(r["key"], r["n"], r["on"].isoformat(), r["note"]) for r in ROWS]


def test_a_conflict_clause_applies_to_each_row_of_a_statement(cursor: Counted) -> None:
    _insert(cursor, ROWS[:3])
    _insert(cursor, [{**row, "note": "lại"} for row in ROWS],
            "ON CONFLICT (key, n) DO UPDATE SET note = excluded.note || ' (2)'")
    assert [row[3] for row in _rows(cursor)] == ["lại (2)"] * 3 + ["lại"] * 4


@pytest.mark.parametrize("update_from", [True, False], ids=["update-from", "per-row"])
def test_rows_are_updated_by_their_keys_and_no_other(
    cursor: Counted, monkeypatch: pytest.MonkeyPatch, update_from: bool
) -> None:
    monkeypatch.setattr(dialect, "_UPDATE_FROM", update_from)
    _insert(cursor, ROWS)
    cursor.statements = 0
    # Keys of two columns, one of which alone would match other rows too.
    changes = [{"key": f"k{i}", "n": i, "note": f"đã sửa {i}", "on_": date(2026, 2, i + 1)}
               for i in (0, 2, 3, 5, 6)] + [{"key": "k1", "n": 4, "note": "x", "on_": None}]
    SQLiteDialect().update(cursor, "t", ("key", "n"), ("note", "on_"), changes)
    assert cursor.statements == (3 if update_from else 6)  # two rows a statement, or one
    expected = [(r["key"], r["n"], r["on"].isoformat(), r["note"]) for r in ROWS]
    for change in changes[:-1]:
        i = change["n"]
        expected[i] = (f"k{i}", i, change["on_"].isoformat(), change["note"])
    assert _rows(cursor) == expected
