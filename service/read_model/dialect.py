"""One SQL text for both stores: written with `:name` parameters and ISO
dates, and rewritten for the store that runs it.

SQLite's driver takes `:name` parameters as written, and is given dates as
ISO text (what its DATE columns hold); psycopg takes `%(name)s`, so each
`:name` is rewritten and each literal `%` doubled.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

_NAMED = re.compile(r"(?<![:\w]):(\w+)")


class Dialect:
    """How one store spells statements and their parameters."""

    def sql(self, statement: str) -> str:
        return statement

    def params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return dict(params)

    def execute(self, cursor: Any, statement: str, params: Mapping[str, Any]) -> None:
        cursor.execute(self.sql(statement), self.params(params))

    def many(self, cursor: Any, statement: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """One statement for each of `rows`."""
        cursor.executemany(self.sql(statement), [self.params(row) for row in rows])


class SQLiteDialect(Dialect):
    def params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {key: value.isoformat() if isinstance(value, date) else value
                for key, value in params.items()}


class PostgresDialect(Dialect):
    def sql(self, statement: str) -> str:
        return _NAMED.sub(r"%(\1)s", statement.replace("%", "%%"))


def as_date(value: Any) -> date:
    """A date column's value: a date from PostgreSQL, ISO text from SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def dumps(value: Any) -> str:
    """A JSON column's text: Vietnamese kept readable, dates as ISO text."""
    return json.dumps(value, ensure_ascii=False, default=str)
