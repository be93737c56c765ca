"""Documents an office can file: the report's pages as Word, PDF, Excel and CSV.

`content` turns a report into what the document says, in the reader's
language; one module per format lays it out. `respond` is the one place a
format is chosen.
"""

from __future__ import annotations

from flask import Response

from api.documents import delimited, pdf, sheet, word
from api.documents.content import Document, Table
from service.settings import DocumentSettings

# The formats of a whole report, beside the page itself (html), its data (json)
# and its main table (csv).
FORMATS = ("docx", "pdf", "xlsx")

MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


def respond(document: Document, form: str, settings: DocumentSettings) -> Response:
    """The document in format `form` (one of FORMATS), as a download."""
    if form == "docx":
        body = word.document(document, settings.template)
    elif form == "pdf":
        body = pdf.document(document)
    elif form == "xlsx":
        body = sheet.workbook(document.sheets())
    else:
        raise ValueError(f"no document format {form!r}")
    return _download(body, form, document.name)


def workbook_response(tables: list[Table], name: str) -> Response:
    return _download(sheet.workbook(tables), "xlsx", name)


def csv_response(table: Table, name: str) -> Response:
    return _download(delimited.text(table).encode("utf-8"), "csv", name)


def _download(body: bytes, form: str, name: str) -> Response:
    response = Response(body, mimetype=MIMETYPES[form])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{form}"'
    return response
