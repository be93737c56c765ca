"""Documents an office files: the report as Word, PDF and Excel, each opened
with its own library (python-docx, pypdf, openpyxl) and read back."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.shared import Mm, Pt
from openpyxl import load_workbook
from pypdf import PdfReader

from api.documents.word import SHIPPED
from service.settings import ConfigurationError, Settings
from tests.api.conftest import Caller, World
from tests.api.test_reports import report  # noqa: F401  (fixture)

# Every test reads the world of test_reports: a promise kept, one overdue.
pytestmark = pytest.mark.usefixtures("report")

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "documents"
PROMISE = "Rà soát biên chế kế toán các trường, báo cáo trong tháng 6."


def download(api: Caller, path: str, form: str, **params: str) -> bytes:
    response = api.as_(None).get(path, format=form, **params)
    assert response.status_code == 200, response.data[:500]
    assert f".{form}\"" in response.headers["Content-Disposition"]
    body: bytes = response.data
    return body


def head_digest(api: Caller) -> str:
    digest: str = api.as_(None).get("/reports/", format="json").json["log"]["digest"]
    return digest


def docx_text(body: bytes) -> tuple[str, object]:
    word = open_docx(io.BytesIO(body))
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    parts += [p.text for p in word.sections[0].footer.paragraphs]
    return "\n".join(parts), word


def test_a_dialogue_as_a_word_file_in_the_decrees_layout(
        api: Caller, world: World) -> None:
    text, word = docx_text(download(api, f"/reports/dialogues/{world.dialogue}", "docx"))
    # The letterhead, the title, and what was asked, answered and promised.
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "BÁO CÁO" in text and "Hội nghị đối thoại 2024" in text
    assert "ngày 01 tháng 09 năm 2024" in text  # the service's today
    assert "Bà Trần Thị B" in text and PROMISE in text
    assert "đã hoàn thành" in text and "Công đoàn xác nhận" in text
    assert "in_progress" not in text and "fulfilled" not in text
    assert "Nơi nhận" in text and "CHỦ TỊCH" in text
    assert head_digest(api) in text and "01/09/2024" in text
    section = word.sections[0]  # type: ignore[attr-defined]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) in range(30, 36)
    assert round(section.right_margin.mm) in range(15, 21)
    assert abs(section.top_margin - Mm(20)) < Mm(6)
    normal = word.styles["Normal"].font  # type: ignore[attr-defined]
    assert normal.name == "Times New Roman" and normal.size.pt in (13, 14)


def test_english_documents_and_a_secretariats_own_template(
        api: Caller, world: World, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The secretariat restyles the shipped template in Word and drops it in
    # the data folder; the issuer and signer come from the settings.
    restyled = open_docx(str(SHIPPED))
    restyled.styles["Normal"].font.size = Pt(14)
    restyled.sections[0].left_margin = Mm(35)
    restyled.add_paragraph("Nội dung mẫu sẽ bị thay thế")
    restyled.save(str(tmp_path / "report-template.docx"))
    settings = Settings.from_env({
        "COMMITMENTS_DATA_DIR": str(tmp_path), "REPORT_ISSUER": "Liên đoàn Lao động tỉnh Lạng Sơn",
        "REPORT_SIGNER_TITLE": "Phó Chủ tịch", "REPORT_RECIPIENTS": "Tỉnh ủy; Lưu: VT"})
    assert settings.documents.template == tmp_path / "report-template.docx"
    monkeypatch.setattr(api.service, "settings", settings)

    text, word = docx_text(download(api, "/reports/agencies/SGDDT", "docx", lang="en"))
    assert "REPORT" in text and "SOCIALIST REPUBLIC OF VIETNAM" in text
    assert PROMISE in text and "fulfilled" in text and "verified by the union" in text
    assert "LIÊN ĐOÀN LAO ĐỘNG TỈNH LẠNG SƠN" in text and "PHÓ CHỦ TỊCH" in text
    assert "- Tỉnh ủy;" in text and "Nội dung mẫu" not in text
    assert word.styles["Normal"].font.size.pt == 14  # type: ignore[attr-defined]
    assert round(word.sections[0].left_margin.mm) == 35  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationError, match="REPORT_TEMPLATE"):
        Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path),
                           "REPORT_TEMPLATE": str(tmp_path / "missing.docx")})


def test_the_front_page_as_a_pdf(api: Caller) -> None:
    body = download(api, "/reports/", "pdf")
    assert body.startswith(b"%PDF")
    pdf = PdfReader(io.BytesIO(body))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Sở Giáo dục và Đào tạo" in text and "Nơi nhận" in text
    assert head_digest(api)[:32] in text.replace("\n", "")
    box = pdf.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (
        210, 297)
    # The first page as a picture, kept to look at.
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: install Debian's poppler-utils")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / "front-page.pdf"
    source.write_bytes(body)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(source), str(ARTIFACTS / "front-page")], check=True, timeout=60)
    assert (ARTIFACTS / "front-page.png").stat().st_size > 5000


def test_an_agency_as_a_workbook_and_its_csv_in_the_readers_language(
        api: Caller, request: pytest.FixtureRequest) -> None:
    book = load_workbook(io.BytesIO(download(api, "/reports/agencies/SGDDT", "xlsx")))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert "Tình trạng" in header and "Hạn" in header and "Minh chứng" in header
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["F"].width > 20
    rows = [dict(zip(header, (c for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    [kept] = [r for r in rows if r["Cam kết"].value == PROMISE]
    assert kept["Tình trạng"].value == "đã hoàn thành"
    assert kept["Hạn"].value.date() == date(2024, 6, 30)
    assert kept["Hạn"].number_format == "DD/MM/YYYY"
    assert kept["Minh chứng"].value == "Báo cáo 55/BC-SGDĐT"
    assert kept["Minh chứng"].hyperlink.target == "https://sgddt.example.vn/bc55"
    page = f"http://localhost:8000/reports/commitments/{request.getfixturevalue('report')['kept']}"
    assert kept["Đường dẫn"].hyperlink.target == page
    english = load_workbook(io.BytesIO(download(api, "/reports/agencies/SGDDT", "xlsx",
                                                lang="en"))).worksheets[0]
    assert "Status" in [c.value for c in english[1]]

    # English was chosen, and is remembered until Vietnamese is chosen again.
    csv = download(api, "/reports/agencies/SGDDT", "csv", lang="vi").decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Mã,Mã cơ quan,Cơ quan,")
    assert "đã hoàn thành" in csv and "fulfilled" not in csv and "False" not in csv
