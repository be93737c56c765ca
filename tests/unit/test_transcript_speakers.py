"""Rules of service.transcript.speakers: leads, names, titles, agencies, chair."""

from __future__ import annotations

import pytest

from service.transcript.model import Speaker
from service.transcript.speakers import agency_of, chair_from, describe, lead


@pytest.mark.parametrize(
    ("text", "name", "honorific", "title", "organisation"),
    [
        (
            "Ông Đỗ Thanh Vân, Chủ tịch LĐLĐ huyện Ngân Sơn đặt câu hỏi: Hiện nay",
            "Đỗ Thanh Vân", "Ông", "Chủ tịch LĐLĐ huyện Ngân Sơn", "LĐLĐ huyện Ngân Sơn",
        ),
        (
            "Bà Nông Thị Nga, Trường TH&THCS Yến Dương, huyện Ba Bể đặt câu hỏi: Hiện nay",
            "Nông Thị Nga", "Bà", "", "Trường TH&THCS Yến Dương, huyện Ba Bể",
        ),
        (
            "Bà Lê Thị Hiềm, công chức văn hóa xã hội, UBND xã Yến Dương, huyện Ba Bể đặt câu"
            " hỏi: Việc",
            "Lê Thị Hiềm", "Bà", "công chức văn hóa xã hội, UBND xã Yến Dương, huyện Ba Bể",
            "UBND xã Yến Dương, huyện Ba Bể",
        ),
        (
            "Ông Lý Văn Cường (Công ty TNHH May Đông Bắc) kiến nghị tỉnh sớm đầu tư",
            "Lý Văn Cường", "Ông", "", "Công ty TNHH May Đông Bắc",
        ),
        (
            "Đồng chí Vũ Văn Ba, Trưởng phòng Tổ chức, Sở Nội vụ hỏi: Khi nào",
            "Vũ Văn Ba", "Đồng chí", "Trưởng phòng Tổ chức, Sở Nội vụ", "phòng Tổ chức, Sở Nội vụ",
        ),
        (
            "Nguyễn Văn An, công nhân Công ty TNHH Giày Hưng Phát hỏi: Khi nào",
            "Nguyễn Văn An", "", "công nhân Công ty TNHH Giày Hưng Phát",
            "Công ty TNHH Giày Hưng Phát",
        ),
        (
            "Phát biểu tại hội nghị, bà Hoàng Thị Lan, giáo viên Trường Mầm non Hoa Sen hỏi: Vì",
            "Hoàng Thị Lan", "Bà", "giáo viên Trường Mầm non Hoa Sen", "Trường Mầm non Hoa Sen",
        ),
    ],
)
def test_question_leads(
    text: str, name: str, honorific: str, title: str, organisation: str
) -> None:
    found = lead(text)
    assert found is not None and found.kind == "question" and not found.caption
    assert found.speaker == Speaker(name, honorific, title, organisation, "")


def test_a_lead_without_title() -> None:
    found = lead("Bà Hà Thị Miên đặt câu hỏi: Phụ cấp thấp.")
    assert found is not None
    assert found.speaker == Speaker("Hà Thị Miên", "Bà")


@pytest.mark.parametrize(
    "text",
    [
        "Bà Hà Thị Miên đặt câu hỏi.",
        "Ông Ngô Văn Hiến, Chủ tịch công đoàn Công ty Cổ phần đầu tư Govina đặt câu hỏi",
        "Ông Sầm Văn Trân, Phó Giám đốc Sở Nội vụ trả lời tại hội nghị.",
        "Ông Đinh Mạnh Cường, Phó Giám đốc Sở Y tế trả lời câu hỏi.",
    ],
)
def test_captions(text: str) -> None:
    found = lead(text)
    assert found is not None and found.caption


@pytest.mark.parametrize(
    "text",
    [
        "Thủ trưởng các đơn vị, địa phương cần bám sát Kế hoạch",
        "Tập thể BGH, BCH Công đoàn, giáo viên nhà trường đề nghị tỉnh quan tâm",
        "Đề nghị đồng chí Chủ tịch UBND tỉnh có giải pháp gì?",
        "Trích phát biểu của đồng chí Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh Nguyễn Đăng Bình.",
        "Chỉ đạo Ban quản lý các Khu công nghiệp, Cụm công nghiệp xây dựng",
    ],
)
def test_not_leads(text: str) -> None:
    assert lead(text) is None


def test_report_is_not_a_question() -> None:
    found = lead("Đồng chí Vi Hồng Dương, Tỉnh ủy viên, Chủ tịch LĐLĐ tỉnh Bắc Kạn báo cáo "
                 "tổng hợp kiến nghị, đề xuất của đoàn viên.")
    assert found is not None and found.kind == "speech"


@pytest.mark.parametrize(
    ("text", "askers", "agency", "body"),
    [
        ("Ông Lô Quang Tuyến, Phó Giám đốc Sở Thông tin và Truyền thông trả lời ông Nguyễn "
         "Mạnh Hạnh: Để quá trình", ("Nguyễn Mạnh Hạnh",), "Sở Thông tin và Truyền thông",
         "Để quá trình"),
        ("Ông Đinh Mạnh Cường, Phó Giám đốc Sở Y tế trả lời câu hỏi của bà Hà Thị Miên: Theo",
         ("Hà Thị Miên",), "Sở Y tế", "Theo"),
        ("Ông Sầm Văn Trân, Phó Giám đốc Sở Nội vụ trả lời ông Nguyễn Đường Hoàng, Trường THCS "
         "Nông Hạ, huyện Chợ Mới: Về việc", ("Nguyễn Đường Hoàng",), "Sở Nội vụ", "Về việc"),
        ("Ông Nguyễn Quốc Doanh, Phó Giám đốc Bảo hiểm xã hội tỉnh Bắc Kạn trả lời ông Đỗ Văn "
         "Toàn:", ("Đỗ Văn Toàn",), "Bảo hiểm xã hội tỉnh", ""),
        ("Ông Mã Văn Thịnh, Phó Giám đốc Sở Xây dựng trả lời: Do ngân sách", (), "Sở Xây dựng",
         "Do ngân sách"),
        ("Trả lời ý kiến của bà Lê Thị Hai, ông Phan Văn Ba, Giám đốc Sở Tài chính cho biết: "
         "năm nay", ("Lê Thị Hai",), "Sở Tài chính", "năm nay"),
        ("Về nhà ở, ông Vi Văn Sơn, Phó Giám đốc Sở Xây dựng thông tin: hiện", (), "Sở Xây dựng",
         "hiện"),
    ],
)
def test_answer_leads(text: str, askers: tuple[str, ...], agency: str, body: str) -> None:
    found = lead(text)
    assert found is not None and found.kind == "answer" and not found.caption
    assert found.askers == askers
    assert found.speaker.agency == agency
    assert text[found.body:] == body


@pytest.mark.parametrize(
    ("title", "agency"),
    [
        ("Phó Giám đốc Sở Y tế", "Sở Y tế"),
        ("Phó Giám đốc Bảo hiểm xã hội tỉnh Bắc Kạn", "Bảo hiểm xã hội tỉnh"),
        ("Phó Giám đốc Sở Lao động, Thương binh và Xã hội tỉnh",
         "Sở Lao động, Thương binh và Xã hội"),
        ("Giám đốc Sở Giáo dục và Đào tạo tỉnh", "Sở Giáo dục và Đào tạo"),
        ("Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh Bắc Kạn", "UBND tỉnh"),
    ],
)
def test_agency_from_title(title: str, agency: str) -> None:
    _title, organisation = describe(title)
    assert agency_of(organisation) == agency


def test_trưởng_is_not_trường() -> None:
    """Folded, the head (`trưởng`) and the school (`trường`) are one word."""
    assert describe("Trường THCS Nông Hạ") == ("", "Trường THCS Nông Hạ")
    assert describe("Phó Trưởng Trạm Y tế xã Quang Thuận") == (
        "Phó Trưởng Trạm Y tế xã Quang Thuận", "Trạm Y tế xã Quang Thuận",
    )


def test_chair_from_the_chaired_by_line() -> None:
    chair = chair_from([
        "Dự Hội nghị có các đồng chí: Phạm Duy Hưng, Phó Chủ tịch UBND tỉnh.",
        "Chủ trì cuộc đối thoại gồm các đồng chí: Nguyễn Đăng Bình, Phó Bí thư Tỉnh ủy, Chủ tịch "
        "UBND tỉnh Bắc Kạn; Vi Hồng Dương, Tỉnh ủy viên, Chủ tịch LĐLĐ tỉnh.",
    ])
    assert chair == Speaker("Nguyễn Đăng Bình", "Đồng chí",
                            "Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh Bắc Kạn",
                            "UBND tỉnh Bắc Kạn", "UBND tỉnh")


def test_chair_from_a_chairs_lead_or_the_first_chairman_named() -> None:
    chair = chair_from(["Đồng chí Hoàng Văn Thạch, Chủ tịch UBND tỉnh Lạng Sơn chủ trì hội nghị."])
    assert chair is not None and chair.name == "Hoàng Văn Thạch" and chair.agency == "UBND tỉnh"
    chair = chair_from([
        "Đồng chí Phạm Duy Hưng, Phó Chủ tịch UBND tỉnh phát biểu.",
        "Đồng chí Nguyễn Đăng Bình, Chủ tịch UBND tỉnh phát biểu kết luận.",
    ])
    assert chair is not None and chair.name == "Nguyễn Đăng Bình"
    assert chair_from(["Hội nghị bắt đầu."]) is None


def test_an_academic_title_stands_for_the_honorific() -> None:
    found = lead("TS. Lê Văn Ba, Giám đốc Sở Tài nguyên và Môi trường giải đáp ý kiến của ông "
                 "Hoàng Văn Sáu: Hiện nay")
    assert found is not None and found.kind == "answer"
    assert (found.speaker.name, found.speaker.honorific) == ("Lê Văn Ba", "")
    assert found.speaker.agency == "Sở Tài nguyên và Môi trường"
    assert found.askers == ("Hoàng Văn Sáu",)


def test_chair_named_after_the_office() -> None:
    chair = chair_from(["Kết luận hội nghị, Chủ tịch UBND tỉnh Trần Văn Hai yêu cầu Sở Y tế."])
    assert chair is not None
    assert (chair.name, chair.agency) == ("Trần Văn Hai", "UBND tỉnh")
    assert chair_from(["Chủ tịch UBND tỉnh Lạng Sơn phát biểu."]) is None
