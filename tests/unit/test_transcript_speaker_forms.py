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
        # voters_meeting/dien-bien-muong-cha-huoi-leng-sa-long: a place name's
        # last syllable printed in lower case is still part of it...
        ("Cử tri xã Huổi lèng đề nghị xây đựng đường điện lưới quốc gia",
         "Cử tri xã Huổi lèng", "group", "xây đựng đường điện lưới quốc gia"),
        # ... but a word saying how they ask is not.
        ("Cử tri xã Phú Giáo còn kiến nghị sớm xây dựng chợ", "Cử tri xã Phú Giáo", "group",
         "sớm xây dựng chợ"),
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


def test_a_groups_next_petitions_in_its_paragraph_are_questions_of_their_own() -> None:
    # voters_meeting/thanh-hoa-quan-hoa-thanh-son-phu-thanh and
    # dien-bien-muong-cha-huoi-leng-sa-long: a petition with no subject, or
    # with the group's noun alone, is asked by the group before it.
    text = ("Cử tri Xã Thành sơn đề nghị cấp trên sớm đầu tư kinh phí xây dựng nhà văn hóa. Đề "
            "nghị khắc phục sạt lở ta ly dương sau nhà trường Mầm non. Cử tri đề nghị Công ty cao "
            "su chi trả đầy đủ chính sách.\n")
    questions = parse(text, DAY).questions
    assert [(q.asker.name, q.text) for q in questions] == [
        ("Cử tri Xã Thành sơn", "cấp trên sớm đầu tư kinh phí xây dựng nhà văn hóa."),
        ("Cử tri Xã Thành sơn", "Đề nghị khắc phục sạt lở ta ly dương sau nhà trường Mầm non."),
        ("Cử tri Xã Thành sơn", "Công ty cao su chi trả đầy đủ chính sách."),
    ]


def test_an_answer_to_the_voters_answers_every_group_still_waiting() -> None:
    # voters_meeting/dien-bien-muong-cha-huoi-leng-sa-long
    text = ("Cử tri xã Huổi Lèng đề nghị xây dựng đường điện lưới quốc gia.\n"
            "Cử tri tại xã Sa Lông phản ánh: Công trình thủy lợi chưa bàn giao.\n"
            "Thay mặt tổ đại biểu HĐND tỉnh, đồng chí Lầu Thị Mại đã trả lời một số ý kiến, kiến "
            "nghị của cử tri; các ý kiến còn lại, các đại biểu tổng hợp chuyển đến các cơ quan.\n")
    t = parse(text, DAY)
    [answer] = t.answers
    assert answer.question_keys == ("q1", "q2") and answer.linked_by == "name"


def test_voters_counted_by_who_spoke_ask_the_matters_they_list() -> None:
    # voters_meeting/ca-mau-u-minh-khanh-thuan-2019: opinions counted by the
    # voters who gave them, listed after "như:", asked by the voters met.
    text = ("Tổ đại biểu HĐND tỉnh có buổi tiếp xúc cử tri tại xã Khánh Thuận.\n"
            "Tại buổi tiếp xúc, có 08 lượt cử tri tham gia ý kiến với 11 nội dung được đặt ra để "
            "Tổ đại biểu HĐND tỉnh xem xét, giải thích cho người dân xoay quanh các vấn đề như: "
            "giá điện tăng cao; hỗ trợ cấp đất cho người nghèo.\n")
    [question] = parse(text, DAY).questions
    assert question.asker.name == "Cử tri xã Khánh Thuận"
    assert question.text == "giá điện tăng cao; hỗ trợ cấp đất cho người nghèo."


def test_voters_of_places_listed_after_a_colon_and_a_headline() -> None:
    # voters_meeting/lao-cai-txct-chuyen-de-gpmb-2022: the headline sums up
    # what the article reports; the voters' places are listed after a colon
    # (no speaker in the list), their opinions counted after a long opening.
    text = ("Lào Cai: Cử tri kiến nghị chủ yếu liên quan đến công tác giải phóng mặt bằng\n\n"
            "Tại hội nghị TXCT chuyên đề của đại biểu HĐND 2 cấp tỉnh, thành phố về công tác đô "
            "thị, quản lý sử dụng không gian công cộng và công tác giải phóng mặt bằng, cử tri các "
            "xã, phường: Vạn Hòa, Bắc Cường, Bắc Lệnh, thành phố Lào Cai đã có 39 ý kiến, kiến "
            "nghị, chủ yếu liên quan đến công tác giải phóng mặt bằng.\n")
    [question] = parse(text, DAY).questions
    assert (question.asker.name, question.asker.organisation) == (
        "Cử tri các xã, phường", "Vạn Hòa, Bắc Cường, Bắc Lệnh, thành phố Lào Cai")
    assert question.text.startswith("39 ý kiến, kiến nghị, chủ yếu liên quan")


@pytest.mark.parametrize(
    ("text", "name", "agency"),
    [
        # voters_meeting/dien-bien-muong-cha-huoi-leng-sa-long
        ("Thay mặt tổ đại biểu HĐND tỉnh ứng cử tại huyện Mường Chà, đồng chí Lầu Thị Mại đã "
         "trả lời một số ý kiến, kiến nghị của cử tri; các ý kiến còn lại sẽ được tổng hợp.",
         "Lầu Thị Mại", "tổ đại biểu HĐND tỉnh ứng cử tại huyện Mường Chà"),
        # voters_meeting/ca-mau-u-minh-khanh-thuan-2019: a title, the name, then for whom.
        ("Kết thúc buổi tiếp xúc, Tỉnh ủy viên, Giám đốc Sở NN & PTNT tỉnh Lê Thanh Triều  thay "
         "mặt Tổ đại biểu HĐND tỉnh tiếp thu các ý kiến đề xuất của cử tri.", "Lê Thanh Triều",
         "Tổ đại biểu HĐND tỉnh"),
        # voters_meeting/hue-phu-loc-loc-an-2025: with the members of the body.
        ("Tại buổi tiếp xúc cử tri, ông Đặng Ngọc Trân, UVTV Thành ủy, Trưởng Ban Nội Chính Thành "
         "ủy cùng các thành viên Tổ đại biểu số 7 HĐND TP. Huế đã ghi nhận các ý kiến của cử "
         "tri.", "Đặng Ngọc Trân", "Tổ đại biểu số 7 HĐND TP. Huế"),
    ],
)
def test_one_speaking_for_a_body_answers_for_it(text: str, name: str, agency: str) -> None:
    found = lead(text)
    assert found is not None and found.kind == "answer"
    assert (found.speaker.name, found.speaker.agency, found.speaker.behalf) == (
        name, agency, agency)


def test_one_speaking_for_a_deputies_group_directs_as_it_does() -> None:
    # voters_meeting/hue-phu-loc-loc-an-2025: their request to the local
    # authority is its task, what the group will do is the group's.
    text = ("Cử tri kiến nghị cải tạo, nâng cấp Nghĩa trang Liệt sĩ xã Lộc An.\n"
            "Tại buổi tiếp xúc cử tri, ông Đặng Ngọc Trân, UVTV Thành ủy, Trưởng Ban Nội Chính "
            "Thành ủy cùng các thành viên Tổ đại biểu số 7 HĐND TP. Huế đã ghi nhận các ý kiến "
            "của cử tri và giải đáp, làm rõ thêm một số nội dung, đồng thời đề nghị chính quyền "
            "địa phương tập trung giải quyết các kiến "
            "nghị chính đáng của người dân. Những vấn đề vượt thẩm quyền sẽ được Tổ đại biểu HĐND "
            "thành phố tổng hợp, chuyển các cơ quan liên quan xem xét.\n")
    candidates = parse(text, DAY).candidates
    assert [c.owner for c in candidates] == ["chính quyền địa phương",
                                             "Tổ đại biểu số 7 HĐND TP. Huế"]
    assert "đồng thời đề nghị chính quyền địa phương tập trung" in candidates[0].quote
    assert candidates[1].quote.startswith("Những vấn đề vượt thẩm quyền")


def test_after_the_voters_a_deputies_group_directs_and_undertakes() -> None:
    # voters_meeting/hoa-binh-cao-phong-hop-phong-2020: in the voters'
    # paragraph, the deputies' group (in lower case) directs the local
    # leaders, and "Về phía HĐND huyện sẽ ..." is the council's own task.
    text = ("Tại hội nghị, cử tri xã Hợp Phong nêu lên một số vấn đề bức xúc như: điện lưới nông "
            "thôn. Theo đó, đại diện tổ đại biểu HĐND huyện yêu cầu lãnh đạo địa phương tăng "
            "cường công tác lãnh đạo, chỉ đạo. Về phía HĐND huyện sẽ xem xét để ban hành các văn "
            "bản chỉ đạo, đôn đốc các cơ quan, ngành chức năng giải quyết các ý kiến.\n")
    t = parse(text, DAY)
    assert [q.asker.name for q in t.questions] == ["Cử tri xã Hợp Phong"]
    # Directing in answer to them, the group answers them.
    [answer] = t.answers
    assert answer.responder.name == "đại diện tổ đại biểu HĐND huyện"
    assert answer.question_keys == ("q1",)
    assert [(c.owner, " ".join(c.quote.split()[:5])) for c in t.candidates] == [
        ("lãnh đạo địa phương", "Theo đó, đại diện tổ"),
        ("HĐND huyện", "Về phía HĐND huyện sẽ"),
    ]


def test_the_deputies_of_a_council_answer_in_the_passive() -> None:
    # voters_meeting/ca-mau-u-minh-khanh-thuan-2019
    text = ("Cử tri xã Khánh Thuận kiến nghị giảm giá điện. Hầu hết các ý kiến cử tri đặt ra đã "
            "được Đại biểu HĐND tỉnh, đại diện lãnh đạo huyện, xã tiếp thu, giải trình.\n")
    [answer] = parse(text, DAY).answers
    assert answer.responder.name.startswith("Đại biểu HĐND tỉnh")
    assert answer.question_keys == ("q1",)


def test_a_body_undertaking_is_quoted_with_its_name() -> None:
    # voters_meeting/phu-giao-tphcm-2025
    text = ("Cử tri xã Phú Giáo kiến nghị sớm xây dựng chợ Phước Vĩnh.\n"
            "Tổ đại biểu HĐND TPHCM khẳng định sẽ theo dõi, đôn đốc nhằm kịp thời xử lý những "
            "kiến nghị chính đáng của cử tri.\n")
    [candidate] = parse(text, DAY).candidates
    assert candidate.owner == "Tổ đại biểu HĐND TPHCM"
    assert candidate.quote.startswith("Tổ đại biểu HĐND TPHCM khẳng định sẽ theo dõi")


def test_presenting_the_answers_to_the_voters_answers_what_they_asked_after() -> None:
    # written_reply/kon-tum-ket-qua-tra-loi-ky-hop-6-2024: a speaker after a
    # semicolon and for a body, presenting the report of answers, then the
    # voters' petitions summed up: the answer is theirs.
    text = ("Sáng ngày 08/7, tại Kỳ họp thứ 7 HĐND tỉnh khóa XII; thay mặt UBND tỉnh, đồng chí "
            "Nguyễn Ngọc Sâm, Phó Chủ tịch UBND tỉnh trình bày tóm tắt báo cáo kết quả giải "
            "quyết, trả lời ý kiến, kiến nghị của cử tri trước và sau Kỳ họp thứ 6.\n"
            "Các ý kiến, kiến nghị của cử tri chủ yếu tập trung vào các vấn đề về đầu tư, nâng "
            "cấp cơ sở hạ tầng giao thông, thủy lợi.\n")
    t = parse(text, DAY)
    [question] = t.questions
    [answer] = t.answers
    assert (answer.responder.name, answer.responder.agency) == ("Nguyễn Ngọc Sâm", "UBND tỉnh")
    assert answer.question_keys == (question.key,)
    # Presenting anything else answers nothing.
    assert lead("Đồng chí Nguyễn Ngọc Sâm, Phó Chủ tịch UBND tỉnh trình bày dự thảo nghị "
                "quyết.") is None


def test_an_unstopped_first_line_with_the_answer_below_it_is_a_question() -> None:
    # Pasted line by line, with no blank line under it: no headline.
    text = ("Cử tri xã An Phú đề nghị sửa đường liên xã\n"
            "Ông Nguyễn Văn Hải, Giám đốc Sở Giao thông vận tải trả lời: Sở sẽ sửa trong quý "
            "III.\n")
    t = parse(text, DAY)
    [question] = t.questions
    assert t.answers[0].question_keys == (question.key,)


def test_a_lede_that_the_voters_ask_again_below_is_no_question_of_its_own() -> None:
    # voters_meeting/phu-giao-tphcm-2025
    lede = ("Với mong muốn thuận tiện cho việc đi lại và vận chuyển nông sản, cử tri xã Phú Giáo "
            "(TP HCM) kiến nghị đầu tư, nâng cấp một số tuyến giao thông nông thôn.\n\n")
    below = ("Tại buổi tiếp xúc, cử tri xã Phú Giáo kiến nghị sớm xây dựng chợ Phước Vĩnh.\n\n"
             "Cử tri cũng mong muốn địa phương quan tâm đầu tư, nâng cấp một số tuyến đường giao "
             "thông nông thôn phục vụ việc đi lại.\n")
    questions = parse(lede + below, DAY).questions
    assert [q.text[:20] for q in questions] == ["sớm xây dựng chợ Phư", "địa phương quan tâm "]
    # Asked of nothing below, it stays.
    assert len(parse(lede + below.split("\n\n")[0] + "\n", DAY).questions) == 2


def test_the_voters_meeting_forms_in_other_words() -> None:
    # The forms above as other reports put them: opinions counted by who
    # spoke with a comma before what they were about, one speaking for the
    # deputies taking them up, and a lower-case syllable before the next place.
    text = ("Tổ đại biểu có buổi tiếp xúc cử tri tại xã Tân Lập.\n"
            "Tại buổi tiếp xúc, có 12 lượt cử tri phát biểu ý kiến, tập trung vào các vấn đề: "
            "giá điện; đường giao thông.\n"
            "Thay mặt Tổ đại biểu HĐND tỉnh, ông Nguyễn Văn An tiếp thu, giải trình các ý kiến "
            "của cử tri; các ý kiến còn lại, Tổ đại biểu sẽ tổng hợp gửi các cơ quan có thẩm "
            "quyền.\n")
    t = parse(text, DAY)
    [question] = t.questions
    assert question.asker.name == "Cử tri xã Tân Lập"
    [answer] = t.answers
    assert (answer.responder.name, answer.question_keys) == ("Nguyễn Văn An", ("q1",))
    assert [c.owner for c in t.candidates] == ["Tổ đại biểu HĐND tỉnh"]
    found = lead("Cử tri thôn Nà lầu, xã Bản Máy đề nghị sửa đường.")
    assert found is not None and found.speaker.name == "Cử tri thôn Nà lầu, xã Bản Máy"
