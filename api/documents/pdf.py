"""The report as a PDF, laid out as the Word file is (Decree 30/2020/NĐ-CP).

ReportLab draws it with Liberation Serif, the metric twin of Times New Roman
that covers Vietnamese (Debian's fonts-liberation2; DejaVu Serif otherwise).
Not WeasyPrint, nor LibreOffice converting the Word file: WeasyPrint took 14 s
for a 1,000-row table, so an agency's 10,000 promises would take minutes;
LibreOffice took 3.6 s to start and convert a one-page report, and had not
finished the 10,000-row one after 300 s. An agency's table here is drawn row
by row from lines split once, and a page break costs only the rows on that
page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer
from reportlab.platypus import Paragraph as Text
from reportlab.platypus import Table as Layout

from api.documents.content import Document, Heading, Paragraph, Table, plain

# The decree's margins: top and bottom 20-25 mm, left 30-35, right 15-20.
TOP, BOTTOM, LEFT, RIGHT = 20 * mm, 20 * mm, 30 * mm, 15 * mm
WIDTH = A4[0] - LEFT - RIGHT
HEIGHT = A4[1] - TOP - BOTTOM
BODY_SIZE = 13
CELL_SIZE = 10.5
CELL_LEADING = 12.5
PAD = 2.5

# Where Debian's packages put the fonts, the first found is used.
FONT_FOLDERS = (
    ("/usr/share/fonts/truetype/liberation2", "LiberationSerif-{}.ttf",
     ("Regular", "Bold", "Italic", "BoldItalic")),
    ("/usr/share/fonts/truetype/dejavu", "DejaVuSerif{}.ttf",
     ("", "-Bold", "-Italic", "-BoldItalic")),
)
SERIF = "ReportSerif"


class MissingFont(RuntimeError):
    """No font with Vietnamese letters: the message names the package."""


@cache
def fonts() -> str:
    for folder, pattern, faces in FONT_FOLDERS:
        paths = [Path(folder) / pattern.format(face) for face in faces]
        if all(p.is_file() for p in paths):
            names = [SERIF, f"{SERIF}-Bold", f"{SERIF}-Italic", f"{SERIF}-BoldItalic"]
            for name, path in zip(names, paths, strict=True):
                pdfmetrics.registerFont(TTFont(name, str(path)))
            pdfmetrics.registerFontFamily(SERIF, normal=names[0], bold=names[1],
                                          italic=names[2], boldItalic=names[3])
            return SERIF
    raise MissingFont("PDF reports need a serif font with Vietnamese letters: "
                      "install Debian's fonts-liberation2 (or fonts-dejavu-core)")


def _styles() -> dict[str, ParagraphStyle]:
    font = fonts()
    body = ParagraphStyle("body", fontName=font, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.25,
                          alignment=TA_JUSTIFY, spaceAfter=4, firstLineIndent=10 * mm)
    return {
        "body": body,
        "quote": ParagraphStyle("quote", parent=body, fontName=f"{font}-Italic",
                                leftIndent=10 * mm, firstLineIndent=0),
        "heading": ParagraphStyle("heading", parent=body, fontName=f"{font}-Bold",
                                  spaceBefore=8, firstLineIndent=0),
        "centre": ParagraphStyle("centre", parent=body, alignment=TA_CENTER,
                                 firstLineIndent=0, spaceAfter=0),
        "small": ParagraphStyle("small", parent=body, fontSize=11, leading=13,
                                firstLineIndent=0, spaceAfter=0, alignment=0),
    }


def document(content: Document) -> bytes:
    styles = _styles()
    out = io.BytesIO()
    paper = SimpleDocTemplate(out, pagesize=A4, topMargin=TOP, bottomMargin=BOTTOM,
                              leftMargin=LEFT, rightMargin=RIGHT, title=content.title,
                              author=content.issuer, lang="vi")
    story: list[Flowable] = [_letterhead(content, styles), Spacer(1, 6 * mm),
                             Text(f"<b>{escape(content.kind)}</b>", styles["centre"]),
                             Text(f"<b>{escape(content.title)}</b>", styles["centre"]),
                             Spacer(1, 4 * mm)]
    for block in content.blocks:
        if isinstance(block, Heading):
            story.append(Text(escape(block.text), styles["heading"]))
        elif isinstance(block, Paragraph):
            story.append(Text(escape(block.text).replace("\n", "<br/>"),
                              styles["quote" if block.style == "quote" else "body"]))
        else:
            story += [Grid.of(block), Spacer(1, 3 * mm)]
    story += [Spacer(1, 6 * mm), _closing(content, styles)]

    def first(canvas: Canvas, _: Any) -> None:
        _footer(canvas, content.footer)

    def later(canvas: Canvas, _: Any) -> None:
        _footer(canvas, content.footer)
        # Pages after the first are numbered at the top, in the centre.
        canvas.setFont(fonts(), 12)
        canvas.drawCentredString(LEFT + WIDTH / 2, A4[1] - TOP / 2, str(canvas.getPageNumber()))

    paper.build(story, onFirstPage=first, onLaterPages=later)
    return out.getvalue()


def _letterhead(content: Document, styles: dict[str, ParagraphStyle]) -> Flowable:
    centre = ParagraphStyle("letterhead", parent=styles["centre"], fontSize=12, leading=15)
    left = [escape(content.parent)] if content.parent else []
    left += [f"<b>{escape(content.issuer)}</b>", "———", escape(content.number)]
    right = [f"<b>{escape(content.motto[0])}</b>", f"<b><u>{escape(content.motto[1])}</u></b>",
             "", f"<i>{escape(content.place_and_date)}</i>"]
    return Layout([[Text("<br/>".join(left), centre), Text("<br/>".join(right), centre)]],
                  colWidths=[WIDTH * 0.42, WIDTH * 0.58],
                  style=[("VALIGN", (0, 0), (-1, -1), "TOP")])


def _closing(content: Document, styles: dict[str, ParagraphStyle]) -> Flowable:
    recipients = "<br/>".join([f"<b><i>{escape(content.recipients_label)}</i></b>",
                               *(escape(line) for line in content.recipients)])
    signer = "<br/>".join([f"<b>{escape(content.signer_title)}</b>", "", "", "", "",
                           f"<b>{escape(content.signer_name)}</b>"])
    return Layout([[Text(recipients, styles["small"]), Text(signer, styles["centre"])]],
                  colWidths=[WIDTH * 0.48, WIDTH * 0.52],
                  style=[("VALIGN", (0, 0), (-1, -1), "TOP")])


def _footer(canvas: Canvas, text: str) -> None:
    canvas.saveState()
    canvas.setFont(fonts(), 8.5)
    y = BOTTOM / 2
    for line in simpleSplit(text, fonts(), 8.5, WIDTH):
        canvas.drawString(LEFT, y, line)
        y -= 10
    canvas.restoreState()


# -- tables ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    cells: list[list[str]]
    height: float


class Grid(Flowable):
    """A table whose rows are split into lines once; a page break slices it."""

    def __init__(self, header: Row, rows: Sequence[Row], widths: list[float],
                 centred: list[bool], body: float | None = None) -> None:
        super().__init__()
        self.header = header
        self.rows = rows
        self.widths = widths
        self.centred = centred
        # The rows' height, kept: summing it at each page break would make a
        # long table's layout quadratic.
        self.body = sum(r.height for r in rows) if body is None else body

    @classmethod
    def of(cls, table: Table) -> Grid:
        font = fonts()
        total = sum(c.width for c in table.columns)
        widths = [c.width * WIDTH / total for c in table.columns]
        # A row never outgrows a page: a cell longer than that is cut short.
        most = int((HEIGHT - 60) // CELL_LEADING) - 4
        header = _row([c.title for c in table.columns], widths, f"{font}-Bold", most)
        rows = [_row([plain(v) for v in values], widths, font, most) for values in table.rows]
        centred = [bool(table.rows) and all(
            isinstance(r[n], int | float | date) or r[n] is None for r in table.rows)
            for n in range(len(table.columns))]
        return cls(header, rows, widths, centred)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.height = self.header.height + self.body
        return sum(self.widths), self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        room = available_height - self.header.height
        fit = 0
        used = 0.0
        for row in self.rows:
            if used + row.height > room:
                break
            used += row.height
            fit += 1
        if fit == 0:
            return []
        return [Grid(self.header, self.rows[:fit], self.widths, self.centred, used),
                Grid(self.header, self.rows[fit:], self.widths, self.centred, self.body - used)]

    def draw(self) -> None:
        canvas = self.canv
        font = fonts()
        canvas.setLineWidth(0.5)
        # One text object for the whole table: one per string costs a third
        # of an agency's PDF.
        text = canvas.beginText()
        top = self._draw_row(self.header, self.height, text, f"{font}-Bold", header=True)
        text.setFont(font, CELL_SIZE)
        for row in self.rows:
            top = self._draw_row(row, top, text, font)
        canvas.drawText(text)

    def _draw_row(self, row: Row, top: float, text: Any, font: str,
                  header: bool = False) -> float:
        canvas = self.canv
        bottom = top - row.height
        x = 0.0
        if header:
            text.setFont(font, CELL_SIZE)
        for n, (lines, width) in enumerate(zip(row.cells, self.widths, strict=True)):
            canvas.rect(x, bottom, width, row.height)
            y = top - PAD - CELL_SIZE
            for line in lines:
                if header or self.centred[n]:
                    left = x + (width - pdfmetrics.stringWidth(line, font, CELL_SIZE)) / 2
                else:
                    left = x + PAD
                text.setTextOrigin(left, y)
                text.textOut(line)
                y -= CELL_LEADING
            x += width
        return bottom


def _row(texts: list[str], widths: list[float], font: str, most: int) -> Row:
    cells = []
    for text, width in zip(texts, widths, strict=True):
        lines = simpleSplit(text, font, CELL_SIZE, width - 2 * PAD) if text else []
        if len(lines) > most:
            lines = [*lines[:most - 1], lines[most - 1] + " …"]
        cells.append(lines)
    height = max((len(lines) for lines in cells), default=1) * CELL_LEADING + 2 * PAD
    return Row(cells, max(height, CELL_LEADING + 2 * PAD))

