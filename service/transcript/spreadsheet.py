"""A table of petitions and replies uploaded as CSV, read as the same table
pasted from a web page: each record a row of `|`-separated cells, which
`petitions` reads with its header's column roles. Only the layout changes;
every cell's text is kept as it is (a line break inside a cell stays one:
a line that does not open with `|` continues its row)."""

from __future__ import annotations

import csv
import io

# Delimiters a spreadsheet program writes (a Vietnamese Excel uses `;` or tab).
_DELIMITERS = ",;\t"


class NotATable(ValueError):
    """The upload is not a table of rows and columns."""


def rows_from_csv(text: str) -> str:
    """The CSV `text` as pipe-separated rows."""
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, _DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    lines: list[str] = []
    for record in csv.reader(io.StringIO(text.lstrip("\ufeff")), dialect):
        cells = [cell.strip() for cell in record]
        if any(cells):
            lines.append("| " + " | ".join(cells) + " |")
    if len(lines) < 2:
        raise NotATable("a CSV upload needs a header row and at least one row of petitions")
    return "\n".join(lines) + "\n"
