"""A table as CSV: what the report's lists become for any spreadsheet.

Headers and words in the reader's language, as on the page; dates as
YYYY-MM-DD (every spreadsheet reads them as dates); a link as its address.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from api.documents.content import Cell, Link, Table, inert


def text(table: Table) -> str:
    buffer = io.StringIO()
    # The byte-order mark makes spreadsheet programs read the file as UTF-8,
    # which Vietnamese text needs.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([inert(column.title) for column in table.columns])
    for row in table.rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def _cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, Link):
        return inert(value.url)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return inert(value)
    return value
