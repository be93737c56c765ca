"""The forms speakers come in, in real published texts (tests/fixtures/corpus):
a title before the name, a dash between name and title, role words before a
name, a given name alone, a title alone, groups and bodies; and how `parse`
gives a sentence to the speaker it names. Sentences are quoted from the
corpus texts named beside them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from service.transcript import parse
from service.transcript.model import Speaker
from service.transcript.speakers import lead

DAY = date(2020, 1, 1)
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"


def paragraph(text: str, opening: str) -> str:
    """The paragraph of a corpus text that opens with `opening`, as published."""
    lines = (CORPUS / f"{text}.txt").read_text(encoding="utf-8").splitlines()
    return next(line.strip() for line in lines if line.strip().startswith(opening))


@pytest.mark.parametrize(
    ("text", "kind", "name", "agency"),
    [
        # interpellation/yen-bai-chat-van-ky-hop-14: a title before the name.
        ("Trả lời nội dung này, Giám đốc Sở Văn hóa, Thể thao và Du lịch tỉnh Lê Thị Thanh Bình "
         "đã thông tin về công tác quản lý, bảo tồn và phát huy giá trị các di tích trên địa bàn "
         "tỉnh thời gian qua.",
         "answer", "Lê Thị Thanh Bình", "Sở Văn hóa, Thể thao và Du lịch"),
        # interpellation/phu-tho-giai-trinh-dat-cong-ich: a dash, an abbreviated party post.
        ("Trước phản ánh về nhiều tồn tại chưa được giải quyết dứt điểm trong công tác quản lý "
         "đất công ích, đồng chí Phạm Văn Quang - TUV, Giám đốc Sở Tài nguyên và Môi trường cho "
         "biết: Theo số liệu đến hết năm 2020",
         "answer", "Phạm Văn Quang", "Sở Tài nguyên và Môi trường"),
        # voters_meeting/phu-giao-tphcm-2025: the dash no longer makes an agency "Phó Chủ tịch ...".
        ("Tại buổi tiếp xúc, ông Huỳnh Huy Long - Phó Chủ tịch UBND xã Phú Giáo giải trình những "
         "nội dung thuộc thẩm quyền giải quyết của địa phương.",
         "answer", "Huỳnh Huy Long", "UBND xã Phú Giáo"),
        # narrative/song-cong-doi-thoai-nhan-dan: a title alone.
        ("Trên cơ sở các ý kiến phát biểu của nhân dân, đồng chí Bí thư Thành ủy Sông Công đã trao "
         "đổi, trả lời trực tiếp một số vấn đề mà người dân phản ánh.",
         "answer", "Bí thư Thành ủy Sông Công", "Thành ủy Sông Công"),
        # voters_meeting/hue-phu-loc-loc-an-2025: a body through its leaders.
        ("Lãnh đạo UBND xã đã tiếp thu, giải trình các nội dung thuộc thẩm quyền, đồng thời khẳng "
         "định sẽ tiếp tục khẩn trương xử lý những vấn đề còn lại trong thời gian sớm nhất.",
         "answer", "Lãnh đạo UBND xã", "UBND xã"),
        # voters_meeting/binh-duong-kien-nghi-cu-tri-ky-hop-5: a body answering itself.
        ("Sở Giao thông vận tải xin phúc đáp như sau: Đoạn đường từ cầu Tân khánh đến cống Hố Đại",
         "answer", "Sở Giao thông vận tải", "Sở Giao thông vận tải"),
        # interpellation/yen-bai-chat-van-ky-hop-14: a council chair's "đề nghị" directs.
        ("Chủ tịch HĐND tỉnh Tạ Văn Long đề nghị các đại biểu chất vấn ngắn gọn, cụ thể, rõ ràng",
         "directive", "Tạ Văn Long", "HĐND tỉnh"),
    ],
)
def test_official_forms(text: str, kind: str, name: str, agency: str) -> None:
    found = lead(text)
    assert found is not None and found.kind == kind
    assert (found.speaker.name, found.speaker.agency) == (name, agency)


@pytest.mark.parametrize(
    ("text", "name", "kind", "body"),
    [
        # interpellation/yen-bai-chat-van-ky-hop-14: "đại biểu" before the name.
        ("Mở đầu phiên chất vấn, đại biểu Nguyễn Thị Hương, Tổ đại biểu huyện Trấn Yên đã chất "
         "vấn lãnh đạo Sở Văn hóa", "Nguyễn Thị Hương", "person", "lãnh đạo Sở Văn hóa"),
        # narrative/ha-noi-cong-nhan-2024: "anh", and "nêu kiến nghị".
        ("Mở đầu phần đối thoại, anh Nguyễn Văn Nam (Công ty Cổ phần Hãng sơn Đông Á, LĐLĐ huyện "
         "Gia Lâm) nêu kiến nghị, sau dự án nhà ở xã hội", "Nguyễn Văn Nam", "person",
         "sau dự án nhà ở xã hội"),
        # liveblog/ha-noi-dong-tam-baomoi-2017: a citizen "nêu rõ" their case.
        ("Cụ Bùi Minh Sửu - đại diện người dân Đồng Tâm - nêu rõ nguồn gốc cơ bản của cánh đồng "
         "Sênh.", "Bùi Minh Sửu", "person", "nguồn gốc cơ bản của cánh đồng Sênh."),
        # liveblog/ha-noi-dong-tam-thanhnien-2017: a petition read out.
        ("Bà Nguyễn Thị Lan, Bí thư Đảng ủy xã Đồng Tâm đọc đơn đề nghị của bà con xã Đồng Tâm, "
         "trong đó nêu 8 nội dung trong đơn.", "Nguyễn Thị Lan", "person",
         "đơn đề nghị của bà con xã Đồng Tâm, trong đó nêu 8 nội dung trong đơn."),
        # voters_meeting/phu-giao-tphcm-2025: the voters of a commune.
        ("Tại buổi tiếp xúc, cử tri xã Phú Giáo kiến nghị sớm xây dựng chợ Phước Vĩnh",
         "Cử tri xã Phú Giáo", "group", "sớm xây dựng chợ Phước Vĩnh"),
        # voters_meeting/tuyen-quang-chan-son-tra-loi: places qualify the group.
        ("Cử tri Xã Chân Sơn, huyện Yên Sơn đề nghị:", "Cử tri Xã Chân Sơn, huyện Yên Sơn",
         "group", ""),
        # liveblog/ha-noi-dong-tam-baomoi-2017: one unnamed resident.
        ("Một người dân thôn Hoành mong mỏi Chủ tịch UBND Hà Nội khẩn trương xem xét",
         "Một người dân thôn Hoành", "group", "Chủ tịch UBND Hà Nội khẩn trương xem xét"),
    ],
)
def test_askers(text: str, name: str, kind: str, body: str) -> None:
    found = lead(text)
    assert found is not None and found.kind == "question"
    assert (found.speaker.name, found.speaker.kind) == (name, kind)
    assert text[found.body:] == body


def test_a_group_only_asks() -> None:
    # voters_meeting/hue-phu-loc-loc-an-2025
    assert lead(paragraph("voters_meeting/hue-phu-loc-loc-an-2025", "Sau khi nghe")) is None


def test_a_list_of_names_is_no_speaker() -> None:
    # interpellation/yen-bai-chat-van-ky-hop-14
    assert lead("Vũ Quỳnh Khánh, Hoàng Thị Thanh Bình, Kỳ họp thứ 14 - HĐND tỉnh Yên Bái khóa XIX "
                "tiến hành phiên chất vấn và trả lời chất vấn.") is None


def test_a_given_name_alone_is_the_speaker_met_before() -> None:
    # narrative/lang-son-nong-dan-vtc-2022
    chairman = Speaker("Hồ Tiến Thiệu", "Ông", "Chủ tịch UBND tỉnh Lạng Sơn",
                       "UBND tỉnh Lạng Sơn", "UBND tỉnh")
    found = lead("Ông Thiệu cũng yêu cầu các sở, ban ngành đưa ra những câu trả lời đúng đắn",
                 [chairman])
    assert found is not None and found.speaker == chairman and found.kind == "directive"
    assert lead("Ông Thiệu cũng yêu cầu các sở, ban ngành") is None


def test_a_question_quoted_in_an_answer_lead() -> None:
    """The quoted question, its asker after it, then the responder."""
    text = paragraph("narrative/lang-son-nong-dan-vtc-2022", "Trả lời câu hỏi")
    found = lead(text)
    assert found is not None and found.kind == "answer"
    assert found.speaker.name == "Hồ Tiến Thiệu"
    assert found.askers == ("Vi Văn Can",)
    assert found.asked[0].organisation == "xã Trấn Yên, huyện Bắc Sơn"
    assert found.matter.startswith("Thời gian vừa qua") and found.matter.endswith("nông dân?")
    assert text[found.body:].startswith("trước kia")


def test_the_matter_after_the_asker() -> None:
    text = paragraph("interpellation/yen-bai-ky-hop-4-khoa-xix", "Trong phiên chất vấn")
    found = lead(text[text.index("Mở đầu"):])
    assert found is not None and found.kind == "answer"
    assert found.speaker.agency == "Sở Nông nghiệp và Phát triển nông thôn"
    assert found.askers == ("Hoàng Thị Thanh Vân",)
    assert found.matter.startswith("trách nhiệm") and found.matter.endswith("09/2020/NQ-HĐND tỉnh")


def test_a_stated_question_is_recorded_and_linked_by_name() -> None:
    # narrative/yen-bai-thu-tuong-doi-thoai-nong-dan-2022: a group asks, a body answers.
    t = parse("Trả lời câu hỏi của nông dân về chính sách biện pháp để bình ổn giá vật tư đầu, "
              "lãnh đạo Bộ Công Thương cho biết, Chính phủ và các bộ, ngành chức năng đã rất cố "
              "gắng để kiềm chế tốc độ tăng giá của vật tư nông nghiệp trong nước.", DAY)
    [question] = t.questions
    assert (question.asker.name, question.asker.kind) == ("Nông dân", "group")
    assert question.text == "chính sách biện pháp để bình ổn giá vật tư đầu"
    [answer] = t.answers
    assert answer.responder.kind == "body" and answer.responder.agency == "Bộ Công Thương"
    assert answer.question_keys == (question.key,) and answer.linked_by == "name"


def test_a_sentence_belongs_to_the_speaker_it_names() -> None:
    """The question after the colon is the citizen's, and the chairman's
    next paragraph answers it."""
    name = "narrative/tuyen-quang-yen-son-tiep-cong-dan-2025"
    t = parse("\n".join(paragraph(name, opening) for opening in (
        "Đồng chí Chủ tịch UBND huyện Nguyễn Hữu Phương phát biểu",
        "Chủ tịch UBND huyện đã tiếp thu", "Đồng chí Chủ tịch UBND huyện Nguyễn Hữu Phương đã")),
        DAY)
    [question] = t.questions
    assert question.asker.name == "Vi Văn Niệm"
    assert question.text.startswith("xem xét, giải quyết")
    [answer] = t.answers
    assert answer.responder.name == "Nguyễn Hữu Phương"
    assert answer.question_keys == (question.key,)


def test_opinions_stand_for_their_group() -> None:
    t = parse(paragraph("narrative/song-cong-doi-thoai-nhan-dan", "Buổi đối thoại"), DAY)
    [question] = t.questions
    assert question.asker.name == "Người dân" and question.asker.kind == "group"
    assert "tình trạng cấp giấy chứng nhận" in question.text


def test_an_answer_to_the_voters_is_linked_to_any_group_of_voters() -> None:
    name = "voters_meeting/hue-phu-loc-loc-an-2025"
    t = parse(paragraph(name, "Cử tri cũng kiến nghị") + "\n"
              + paragraph(name, "Tại buổi tiếp xúc cử tri"), DAY)
    [question] = t.questions
    assert question.asker.name == "Cử tri"
    assert question.text.endswith("Nghĩa trang Liệt sĩ xã Lộc An…")
    [answer] = t.answers
    assert answer.responder.name == "Đặng Ngọc Trân"
    assert answer.responder.title == "UVTV Thành ủy, Trưởng Ban Nội Chính Thành ủy"
    assert answer.linked_by == "name" and answer.question_keys == ("q1",)


def test_voters_at_a_place_ask_as_the_group_of_that_place() -> None:
    # voters_meeting/dien-bien-muong-cha-huoi-leng-sa-long
    text = ("Cử tri tại xã Sa Lông phản ánh: Công trình thủy lợi bản Háng Lìa đã hoàn thành được "
            "2 năm nhưng chưa bàn giao đưa vào sử dụng, đề nghị các cơ quan chức năng xem xét, "
            "sớm bàn giao đưa vào sử dụng để phục vụ cho nhân dân sản xuất.\n")
    questions = parse(text, DAY).questions
    assert [(q.asker.name, q.text[:30]) for q in questions] == [
        ("Cử tri tại xã Sa Lông", "Công trình thủy lợi bản Háng L"),
    ]
