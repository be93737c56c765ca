"""The report as a Word file in Decree 30/2020/NĐ-CP's layout.

Built on a template (`report-template.docx` beside this module, or the file
REPORT_TEMPLATE or the data folder names): its page size and margins, and its
styles "Normal" (the body: Times New Roman 13 pt), "Heading 1" (the report's
sections), "Quote" (what a citizen asked, what an official answered), "Table
Grid" (every table) and "Footer", are the document's. A secretariat restyles
those in Word and saves the file under the data folder; whatever the
template's body holds is replaced.

Long tables are written as WordprocessingML rows directly: python-docx's
cell by cell path takes minutes for an agency's 10,000 promises.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document as open_document
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.section import Section
from docx.shared import Length, Mm, Pt
from docx.table import Table as WordTable
from docx.text.paragraph import Paragraph as WordParagraph

from api.documents.content import Cell, Document, Heading, Paragraph, Table, plain

SHIPPED = Path(__file__).parent / "report-template.docx"
# The page's text width on A4 with the decree's side margins (30 and 15 mm).
_TEXT_WIDTH_MM = 165


def document(content: Document, template: Path | None = None) -> bytes:
    word = open_document(str(template or SHIPPED))
    body = word.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    _letterhead(word, content)
    title = word.add_paragraph(style="Heading 1")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(content.kind).bold = True
    title.add_run("\n" + content.title).bold = True
    for block in content.blocks:
        if isinstance(block, Heading):
            word.add_paragraph(block.text, style="Heading 1")
        elif isinstance(block, Paragraph):
            word.add_paragraph(block.text, style="Quote" if block.style == "quote" else None)
        else:
            _table(word, block)
            # Air between a table and the text under it.
            word.add_paragraph().paragraph_format.space_after = Pt(0)
    _closing(word, content)
    for section in word.sections:
        _page_numbers(section)
        for part in (section.footer, section.first_page_footer):
            footer = part.paragraphs[0] if part.paragraphs else part.add_paragraph()
            footer.text = content.footer
            footer.style = word.styles["Footer"]
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _page_numbers(section: Section) -> None:
    """The decree numbers pages from the second, at the top in the centre;
    a template whose header says something else keeps its own."""
    if any(p.text.strip() for p in section.header.paragraphs):
        return
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number._p.append(parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>2</w:t></w:r></w:fldSimple>'))


def _letterhead(word: WordDocument, content: Document) -> None:
    """Issuer top left, the national motto top right, the number under the
    issuer and the place and date under the motto (the decree's fields 1-4)."""
    head = _grid(word, 2, [71, 94])
    issuer, motto = head.rows[0].cells
    lines = issuer.paragraphs[0]
    if content.parent:
        lines.add_run(content.parent + "\n")
    lines.add_run(content.issuer).bold = True
    lines.add_run("\n———")
    issuer.add_paragraph(content.number)
    upper = motto.paragraphs[0]
    upper.add_run(content.motto[0]).bold = True
    upper.add_run("\n")
    lower = upper.add_run(content.motto[1])
    lower.bold = True
    lower.underline = True
    dated = motto.add_paragraph()
    dated.add_run(content.place_and_date).italic = True
    for cell in (issuer, motto):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in paragraph.runs:
                run.font.size = Pt(12 if cell is issuer else 13)
    # The motto's first line, in capitals, is 12 pt (the decree allows 12-13).
    upper.runs[0].font.size = Pt(12)


def _closing(word: WordDocument, content: Document) -> None:
    """Recipients bottom left, the signer's title and name bottom right."""
    word.add_paragraph()
    end = _grid(word, 2, [80, 85])
    recipients, signer = end.rows[0].cells
    label = recipients.paragraphs[0].add_run(content.recipients_label)
    label.bold = label.italic = True
    label.font.size = Pt(12)
    for line in content.recipients:
        recipients.add_paragraph().add_run(line).font.size = Pt(11)
    title = signer.paragraphs[0]
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(content.signer_title).bold = True
    # Room for the signature and the seal.
    name = signer.add_paragraph("\n\n\n")
    name.alignment = WD_ALIGN_PARAGRAPH.CENTER
    name.add_run(content.signer_name).bold = True


def _grid(word: WordDocument, columns: int, widths_mm: list[float]) -> WordTable:
    """A borderless table to set two blocks side by side."""
    table: WordTable = word.add_table(rows=1, cols=columns)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fix_widths(table, [Mm(width) for width in widths_mm])
    return table


def _fix_widths(table: WordTable, widths: Sequence[Length]) -> None:
    """Columns as wide as asked, in Word and in LibreOffice alike: the grid,
    the first row's cells, and a fixed layout (otherwise the grid's equal
    columns win, or the text's length)."""
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = width
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = width
    layout = table._tbl.tblPr.find(qn("w:tblLayout"))
    if layout is None:
        layout = parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>')
        table._tbl.tblPr.append(layout)


def _table(word: WordDocument, table: Table) -> None:
    grid = word.add_table(rows=1, cols=len(table.columns), style="Table Grid")
    total = sum(c.width for c in table.columns)
    widths = [Mm(c.width * _TEXT_WIDTH_MM / total) for c in table.columns]
    _fix_widths(grid, widths)
    header = grid.rows[0]
    # The header row repeats at the top of every page the table runs over.
    header._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    for cell, column in zip(header.cells, table.columns, strict=True):
        paragraph: WordParagraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(column.title)
        run.bold = True
        run.font.size = Pt(11)
    twips = [round(width.twips) for width in widths]
    rows = "".join(_row(values, twips) for values in table.rows)
    if rows:
        holder = parse_xml(f"<w:tbl {nsdecls('w')}>{rows}</w:tbl>")
        for row in list(holder):
            grid._tbl.append(row)


def _row(values: list[Cell], widths: list[int]) -> str:
    cells = "".join(
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
        f'<w:p><w:pPr><w:spacing w:before="20" w:after="20"/>{_align(value)}</w:pPr>'
        f'<w:r><w:rPr><w:sz w:val="22"/></w:rPr><w:t xml:space="preserve">'
        f"{escape(plain(value))}</w:t></w:r></w:p></w:tc>"
        for value, width in zip(values, widths, strict=True))
    return f"<w:tr>{cells}</w:tr>"


def _align(value: Cell) -> str:
    # Numbers and dates centred; text to the left, not justified as the
    # body is (a narrow column would gape).
    if isinstance(value, int | float | date):
        return '<w:jc w:val="center"/>'
    return '<w:jc w:val="left"/>'

