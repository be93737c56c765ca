"""One SQL text for both stores: written with `:name` parameters and ISO
dates, and rewritten for the store that runs it.

SQLite's driver takes `:name` parameters as written, and is given dates as
ISO text (what its DATE columns hold); psycopg takes `%(name)s`, so each
`:name` is rewritten and each literal `%` doubled.

Many rows are written the way each store does best: SQLite runs one
statement per row inside its C loop (`executemany`), while PostgreSQL takes
them by COPY or as one statement (an array per column), so that a batch of
events costs a few statements rather than one per row.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from datetime import date
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

import orjson

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


    def insert(self, cursor: Any, table: str, columns: Sequence[str],
               rows: Sequence[Mapping[str, Any]], tail: str = "") -> None:
        """INSERT `rows` (their `columns`) into `table`; `tail` is what follows
        the VALUES (an ON CONFLICT clause)."""
        self.many(cursor, f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                  f"({', '.join(':' + c for c in columns)}) {tail}", rows)

    def update(self, cursor: Any, table: str, keys: Sequence[str], columns: Sequence[str],
               rows: Sequence[Mapping[str, Any]]) -> None:
        """Set `columns` of the rows of `table` found by `keys`."""
        self.many(cursor, f"UPDATE {table} SET "
                  f"{', '.join(f'{c} = :{c}' for c in columns)} WHERE "
                  f"{' AND '.join(f'{k} = :{k}' for k in keys)}", rows)


class SQLiteDialect(Dialect):
    def params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {key: value.isoformat() if isinstance(value, date) else value
                for key, value in params.items()}

    # Many rows go as one statement of many VALUES, as many as SQLite takes
    # parameters for, not one statement per row (`executemany`). The driver
    # lets go of the interpreter's lock for each statement SQLite runs and
    # must take it back after: from a writer thread beside a projecting one,
    # that wait was most of a catch-up's write (40 us a history row where
    # the insert alone takes 10).

    def insert(self, cursor: Any, table: str, columns: Sequence[str],
               rows: Sequence[Mapping[str, Any]], tail: str = "") -> None:
        # Dates become ISO text in the driver (the adapter below), not here.
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        for part, values in self._chunks(columns, rows):
            cursor.execute(f"{head}{values} {tail}", part)

    def update(self, cursor: Any, table: str, keys: Sequence[str], columns: Sequence[str],
               rows: Sequence[Mapping[str, Any]]) -> None:
        if not _UPDATE_FROM:
            super().update(cursor, table, keys, columns, rows)
            return
        names = [*keys, *columns]
        # A VALUES list's columns are column1, column2... in order.
        value = {name: f"v.column{i}" for i, name in enumerate(names, 1)}
        head = (f"UPDATE {table} SET {', '.join(f'{c} = {value[c]}' for c in columns)} FROM (")
        where = " AND ".join(f"{table}.{k} = {value[k]}" for k in keys)
        for part, values in self._chunks(names, rows):
            cursor.execute(f"{head}VALUES {values}) AS v WHERE {where}", part)

    @staticmethod
    def _chunks(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
                ) -> Iterator[tuple[list[Any], str]]:
        """`rows` in parts of as many as one statement takes: each part's
        parameters, in one list, and its VALUES' placeholders."""
        size = max(1, _SQLITE_PARAMETERS // len(columns))
        one = f"({', '.join('?' * len(columns))})"
        values = _values(columns)
        for start in range(0, len(rows), size):
            part = rows[start:start + size]
            yield (list(chain.from_iterable(map(values, part))),
                   ", ".join(repeat(one, len(part))))


def _parameters_allowed() -> int:
    """How many parameters one statement may have in the SQLite this Python
    has (999 before SQLite 3.32, 32,766 since, more as some distributions
    build it), up to 32,766: a longer statement is no faster to run, and
    each batch's last, shorter one is parsed anew."""
    with closing(sqlite3.connect(":memory:")) as connection:
        return min(32_766, connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


_SQLITE_PARAMETERS = _parameters_allowed()
# UPDATE ... FROM came with SQLite 3.33; before it, an update is a statement per row.
_UPDATE_FROM = sqlite3.sqlite_version_info >= (3, 33)


# A date is stored as its ISO text, as `params` writes it (Python's own
# adapter for dates is deprecated).
sqlite3.register_adapter(date, date.isoformat)


class PostgresDialect(Dialect):
    def __init__(self) -> None:
        # Each written table's column types, looked up once.
        self._types: dict[str, dict[str, str]] = {}

    def sql(self, statement: str) -> str:
        return _NAMED.sub(r"%(\1)s", statement.replace("%", "%%"))

    # Many rows are copied in (COPY, in binary), the fastest way in; rows that
    # may meet a row already there (an ON CONFLICT tail, an update) go as one
    # array per column, in binary, spread back into rows by `unnest`: one short
    # statement whatever the number of rows, which the driver parses once
    # (a VALUES list of a thousand rows is parsed anew, placeholder by
    # placeholder, each time).

    def insert(self, cursor: Any, table: str, columns: Sequence[str],
               rows: Sequence[Mapping[str, Any]], tail: str = "") -> None:
        if not tail:
            # In binary: the driver writes a date or a number in C from its
            # bytes, where as text it formats each in Python (0.8 us a history
            # row instead of 2.9), and the server parses nothing.
            types = self._columns(cursor, table, columns)
            values = _values(columns)
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN "
                             "(FORMAT BINARY)") as copy:
                copy.set_types([types[c] for c in columns])
                for row in rows:
                    copy.write_row(values(row))
            return
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM "
                       f"{self._unnest(cursor, table, columns)} {tail}",
                       _arrays(columns, rows))

    def update(self, cursor: Any, table: str, keys: Sequence[str], columns: Sequence[str],
               rows: Sequence[Mapping[str, Any]]) -> None:
        names = [*keys, *columns]
        cursor.execute(f"UPDATE {table} AS t SET "
                       + ", ".join(f"{c} = v.{c}" for c in columns)
                       + f" FROM {self._unnest(cursor, table, names)} AS v ({', '.join(names)}) "
                       "WHERE " + " AND ".join(f"t.{k} = v.{k}" for k in keys),
                       _arrays(names, rows))

    def _unnest(self, cursor: Any, table: str, columns: Sequence[str]) -> str:
        types = self._columns(cursor, table, columns)
        return f"unnest({', '.join(f'%b::{types[c]}[]' for c in columns)})"

    def _columns(self, cursor: Any, table: str, columns: Sequence[str]) -> dict[str, str]:
        """The types of `table`'s columns, by name."""
        types = self._types.get(table)
        if types is None or any(c not in types for c in columns):
            cursor.execute("SELECT attname, format_type(atttypid, atttypmod) AS type "
                           "FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                           "AND NOT attisdropped", (table,))
            types = self._types[table] = {row["attname"]: row["type"]
                                          for row in cursor.fetchall()}
        return types


def _values(columns: Sequence[str]) -> Callable[[Mapping[str, Any]], Sequence[Any]]:
    """A row's values in the order of `columns` (a catch-up writes three or
    so rows per event: picked in C, not in a comprehension)."""
    if len(columns) == 1:
        [column] = columns
        return lambda row: (row[column],)
    return itemgetter(*columns)


def _arrays(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    return [[row[c] for row in rows] for c in columns]


def as_date(value: Any) -> date:
    """A date column's value: a date from PostgreSQL, ISO text from SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def json_encoder(default: Callable[[Any], Any], *,
                 dates_by_default: bool = False) -> Callable[[Any], str]:
    """A JSON column's encoder: text kept as it is (no `\\u` escapes), and
    `default` for what JSON has no type for.

    By orjson, four to five times faster than `json` at the short values a
    catch-up encodes two or three times per event, and compact. It writes
    dates and moments as `isoformat` does and UUIDs as `str` does, unless
    `dates_by_default`, when `default` is given dates and moments too. What
    orjson refuses (an integer past 64 bits, a lone surrogate) is encoded by
    `json`, with its spaces."""
    slow = json.JSONEncoder(ensure_ascii=False, default=default).encode
    options = orjson.OPT_NON_STR_KEYS | (orjson.OPT_PASSTHROUGH_DATETIME if dates_by_default
                                         else 0)
    fast = orjson.dumps

    def encode(value: Any) -> str:
        try:
            return fast(value, default, options).decode()
        except TypeError:
            return slow(value)

    return encode


# Dates as `str` gives them (a moment with a space before its time).
_ENCODE = json_encoder(str, dates_by_default=True)


def dumps(value: Any) -> str:
    """A JSON column's text: Vietnamese kept readable, dates as ISO text."""
    return _ENCODE(value)
