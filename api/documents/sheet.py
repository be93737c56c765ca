"""The report as an Excel workbook: a sheet per table, ready to sort and filter.

Headers in the reader's language, in bold, frozen above the rows; dates are
dates (a filter by month works), evidence and addresses are links. Text
anyone typed never starts a formula: it goes through the same guard as the
CSV (`inert`), and is written as a string cell.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import Cell as SheetCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from api.documents.content import Cell, Link, Table, inert

DATE_FORMAT = "DD/MM/YYYY"
# A column's width in characters, from its width on paper in millimetres:
# about two characters of Calibri 11 to the millimetre of 13 pt Times.
CHARACTERS_PER_MM = 0.9
_HEADER = Font(bold=True)
_LINK = Font(color="0563C1", underline="single")
_WRAP = Alignment(wrap_text=True, vertical="top")


def workbook(tables: Sequence[Table]) -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for table in tables:
        _sheet(book, table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, table: Table) -> None:
    # Sheet names are at most 31 characters, without []:*?/\.
    sheet = book.create_sheet(title="".join(c for c in table.name if c not in "[]:*?/\\")[:31])
    sheet.append([column.title for column in table.columns])
    for cell in sheet[1]:
        cell.font = _HEADER
        cell.alignment = _WRAP
    for row in table.rows:
        sheet.append([_value(value) for value in row])
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(8.0, column.width * CHARACTERS_PER_MM * 2)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            _style(cell, table.rows[cell.row - 2][index - 1])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def _value(value: Cell) -> object:
    if isinstance(value, Link):
        return inert(value.text)
    if isinstance(value, str):
        return inert(value)
    return value


def _style(cell: SheetCell, value: Cell) -> None:
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, Link):
        cell.hyperlink = value.url
        cell.font = _LINK
