"""A table of petitions and replies uploaded as CSV or XLSX, read as the
same table pasted from a web page: each record a row of `|`-separated
cells, which `petitions` reads with its header's column roles. Only the
layout changes; every cell's text is kept as it is (a line break inside a
cell stays one: a line that does not open with `|` continues its row)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

# Delimiters a spreadsheet program writes (a Vietnamese Excel uses `;` or tab).
_DELIMITERS = ",;\t"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A workbook is a zip: a small upload may unpack into a huge sheet. Reading
# stops past this many characters of cells (more than a transcript may hold).
_MOST_CHARACTERS = 2_000_000


class NotATable(ValueError):
    """The upload is not a table of rows and columns."""


class NotAWorkbook(ValueError):
    """The upload is not an XLSX workbook at all."""


def rows_from_csv(text: str) -> str:
    """The CSV `text` as pipe-separated rows."""
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, _DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    return _rows(csv.reader(io.StringIO(text.lstrip("\ufeff")), dialect), "CSV")


def rows_from_xlsx(data: bytes) -> str:
    """The first sheet of the XLSX workbook `data` as pipe-separated rows.
    Cells are read as shown when last saved (a formula's value, not the
    formula); a whole number stays one ("1", not "1.0"), a date is written
    dd/mm/yyyy as Vietnamese texts write it."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise NotAWorkbook(f"the upload is not an XLSX workbook ({error})") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise NotATable("the XLSX workbook has no sheet")
        return _rows(_cells(sheet.iter_rows(values_only=True)), "XLSX")
    finally:
        book.close()


def _cells(records: Iterable[tuple[Any, ...]]) -> Iterable[list[str]]:
    read = 0
    for record in records:
        cells = [_text(value) for value in record]
        read += sum(len(cell) for cell in cells)
        if read > _MOST_CHARACTERS:
            raise NotATable("the XLSX sheet holds more text than a transcript may")
        yield cells


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _rows(records: Iterable[list[str]], kind: str) -> str:
    lines: list[str] = []
    for record in records:
        cells = [cell.strip() for cell in record]
        if any(cells):
            lines.append("| " + " | ".join(cells) + " |")
    if len(lines) < 2:
        raise NotATable(f"a {kind} upload needs a header row and at least one row of petitions")
    return "\n".join(lines) + "\n"
