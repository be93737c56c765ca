"""Rules of service.transcript.tasks: directed tasks, their owners and
deadlines, on sentences quoted from the corpus (tests/fixtures/corpus)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from service.transcript import Candidate, parse, tasks

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"


def _found(text: str, held_on: date) -> list[Candidate]:
    candidates = parse(text, held_on).candidates
    assert all(c.quote in text for c in candidates)
    return candidates


def test_a_lead_in_gives_its_items_to_the_body_it_names() -> None:
    text = (
        "Yêu cầu Ủy ban nhân dân tỉnh chỉ đạo các ngành, các địa phương và đơn vị liên quan trong "
        "tỉnh tập trung thực hiện tốt một số vấn đề sau:\n"
        "- Tích cực, chủ động triển khai các phương án phòng, chống lụt, bão trong những tháng "
        "cuối năm.\n"
        "Nguyên Lộc - Văn phòng Tỉnh ủy\n"
    )
    found = _found(text, date(2018, 11, 9))
    # The lead-in is no task; "chỉ đạo các ngành" leaves the item with UBND.
    assert [(c.quote[:12], c.owner, c.due_on, c.due_text) for c in found] == [
        ("- Tích cực, ", "Ủy ban nhân dân tỉnh", None, "trong những tháng cuối năm"),
    ]


def test_directing_a_named_body_hands_it_the_task() -> None:
    text = ("Đề nghị UBND tỉnh chỉ đạo Bộ Chỉ huy Quân sự tỉnh phối hợp với Sở Tài chính xây dựng "
            "phương án và hoàn tất các thủ tục để thanh toán kinh phí đền bù.\n")
    assert [c.owner for c in _found(text, date(2017, 7, 1))] == ["Bộ Chỉ huy Quân sự tỉnh"]


def test_items_under_a_directed_agency_are_its_own() -> None:
    text = (
        "- Chỉ đạo Sở Nông nghiệp và PTNT:\n"
        "+ Có phương án khắc phục, sửa chữa tuyến kè khu giao đất dân cư, đảm bảo chất lượng và "
        "hoàn thành đi vào sử dụng trong Quý 4 năm 2017.\n"
        "+ Yêu cầu đơn vị thi công tiến hành ngay việc tu sửa; khẩn trương sửa chữa, khắc phục "
        "hiện tượng rò rỉ xong trước ngày 30/8/2017.\n"
    )
    found = _found(text, date(2017, 7, 1))
    assert [(c.owner, c.due_on) for c in found] == [
        ("Sở Nông nghiệp và PTNT", date(2017, 12, 31)),
        # "Yêu cầu đơn vị thi công ...": the Sở is to require it of its contractor.
        ("Sở Nông nghiệp và PTNT", None),
        ("Sở Nông nghiệp và PTNT", date(2017, 8, 30)),
    ]
    assert found[0].quote.startswith("+ Có phương án")


def test_bodies_named_as_subjects_after_a_directive_own_their_tasks() -> None:
    text = (
        "Chủ tịch UBND tỉnh yêu cầu Sở TT-TT chủ trì, phối hợp với các cơ quan truyền thông, báo "
        "chí đẩy mạnh công tác tuyên truyền.\n"
        "Công an tỉnh chủ động xây dựng kế hoạch mở đợt cao điểm. Đồng thời phối hợp với các lực "
        "lượng chức năng tăng cường công tác tuần tra, kiểm soát trên các tuyến.\n"
        "UBND các huyện, thị xã, thành phố chỉ đạo các cơ quan, ban ngành, đoàn thể ở địa phương "
        "đẩy mạnh phong trào Toàn dân bảo vệ an ninh Tổ quốc.\n"
    )
    assert [c.owner for c in _found(text, date(2023, 1, 1))] == [
        "Sở TT-TT", "Công an tỉnh", "Công an tỉnh", "UBND các huyện, thị xã, thành phố",
    ]


def test_semicolons_and_following_sentences_keep_the_addressee() -> None:
    text = (
        "Để đảm bảo cho nhân dân vui xuân, đón tết, đồng chí Chủ tịch UBND tỉnh đề nghị các đơn vị "
        "tập trung tuyên truyền, vận động nhân dân chấp hành nghiêm các quy định của pháp luật về "
        "trật tự an toàn giao thông; xử lý nghiêm những trường hợp vi phạm. Tiếp tục nêu cao "
        "trách nhiệm, phối hợp tốt với các lực lượng, các ngành chức năng.\n"
    )
    found = _found(text, date(2021, 2, 10))
    assert [c.owner for c in found] == ["các đơn vị"] * 3
    assert found[1].quote == "xử lý nghiêm những trường hợp vi phạm."


def test_a_sentence_on_sending_lends_its_deadline_and_the_closing_formula_is_no_task() -> None:
    text = (
        "Giao Sở Kế hoạch và Đầu tư chủ trì phối hợp với các đơn vị liên quan tham gia ý kiến vào "
        "dự thảo Chỉ thị của Thủ tướng Chính phủ về phát triển bền vững. Yêu cầu hoàn thiện gửi ý "
        "kiến tham gia về Bộ Kế hoạch và Đầu tư trước ngày 28/9/2018. Căn cứ nội dung này, Chủ "
        "tịch UBND tỉnh yêu cầu Giám đốc Sở Kế hoạch và Đầu tư triển khai thực hiện.\n"
    )
    found = _found(text, date(2018, 9, 20))
    assert [(c.owner, c.due_on, c.due_text) for c in found] == [
        ("Sở Kế hoạch và Đầu tư", date(2018, 9, 28), "trước ngày 28/9/2018"),
    ]
    assert found[0].kind == "implement"


def test_the_task_after_a_speakers_colon_and_a_late_addressee() -> None:
    text = (
        "Sau khi nghe lãnh đạo các sở, ngành báo cáo ý kiến của các Ban HĐND tỉnh tại các cuộc họp "
        "thẩm tra, ông Trần Sơn Hải chỉ đạo: Văn phòng UBND tỉnh phối hợp với Văn phòng HĐND tỉnh "
        "rà soát lại toàn bộ các nội dung dự kiến trình kỳ họp.\n"
        "Đồng chí cũng yêu cầu sau 15 ngày làm việc kể từ ngày diễn ra buổi đối thoại này các cơ "
        "quan chuyên môn của thành phố phải có văn bản trả lời trực tiếp các ý kiến phản ảnh của "
        "nhân dân./.\n"
    )
    found = _found(text, date(2014, 6, 27))
    assert found[0].quote.startswith("Văn phòng UBND tỉnh phối hợp")  # not the past lead
    assert found[0].owner == "Văn phòng UBND tỉnh"
    assert (found[1].owner, found[1].due_text) == (
        "các cơ quan chuyên môn của thành phố",
        "sau 15 ngày làm việc kể từ ngày diễn ra buổi đối thoại này",
    )


def test_done_reported_and_cited_are_no_tasks() -> None:
    text = (
        "UBND tỉnh vừa có công văn yêu cầu các đơn vị, địa phương và lực lượng chức năng tăng "
        "cường phòng ngừa, đấu tranh đối với tội phạm.\n"
        "Chủ tịch UBND tỉnh yêu cầu Sở TT-TT chủ trì đẩy mạnh công tác tuyên truyền.\n"
        "Các đơn vị đã xây dựng kế hoạch, duy trì nghiêm quân số tham gia trực.\n"
        "Chủ tịch HĐND tỉnh Tạ Văn Long đề nghị các đại biểu chất vấn ngắn gọn, cụ thể, rõ ràng.\n"
        "Dự báo khó khăn sẽ còn kéo dài.\n"
    )
    assert [c.owner for c in _found(text, date(2023, 1, 1))] == ["Sở TT-TT"]


def test_a_leaders_stated_duty_is_the_leaders_body() -> None:
    text = (
        "Chủ tịch UBND tỉnh Lê Trí Thanh khẳng định diễn biến dịch Covid-19 đang tạo ra vô vàn khó "
        "khăn, thách thức với địa phương. Nhiệm vụ cấp bách, đặc biệt quan trọng hiện nay là tập "
        "trung toàn lực phòng chống dịch bệnh.\n"
    )
    found = _found(text, date(2020, 3, 2))
    assert [(c.owner, c.quote[:9]) for c in found] == [("UBND tỉnh", "Nhiệm vụ ")]


def test_a_pdfs_broken_lines_are_read_as_sentences() -> None:
    text = (CORPUS / "interpellation" / "ha-giang-nghi-quyet-chat-van-ky-hop-5.txt").read_text(
        encoding="utf-8")
    found = _found(text, date(2017, 7, 1))
    by_start = {c.quote.split("\n")[0]: c for c in found}
    # "- Chỉ\nđạo Ban Dân tộc tỉnh ...": the directive runs over the line break.
    assert by_start["- Chỉ"].owner == "Ban Dân tộc tỉnh"
    reported = next(c for c in found if "báo cáo kết quả thực hiện tại Kỳ" in c.quote)
    assert (reported.owner, reported.due_on) == ("Bộ Chỉ huy Quân sự tỉnh", date(2017, 12, 31))
    # Article 3's standing duties and the adoption are no tasks.
    assert not any("có trách nhiệm" in c.quote or "thông qua./." in c.quote for c in found)


# -- a body the one answering puts to work --------------------------------------------------
# Sentences from tests/fixtures/corpus/narrative/tuyen-quang-yen-son-tiep-cong-dan-2025.txt
# and tests/fixtures/transcripts/liveblog-dialogue-2024.txt.


def test_a_body_put_to_work_in_an_answer_owns_the_task() -> None:
    found = tasks.assigned("Giao UBND xã Chân Sơn rà soát cụ thể từng trường hợp tương tự "
                           "của công dân Vi Văn Niệm và báo cáo UBND huyện")
    assert found is not None and found[0] == "UBND xã Chân Sơn"
    found = tasks.assigned("Đồng chí chỉ đạo các phòng, ban, cơ quan chuyên môn kiểm tra "
                           "thực địa, thống nhất phương án giải quyết")
    assert found is not None and found[0].startswith("các phòng, ban, cơ quan chuyên môn")


def test_someone_elses_directive_done_or_advised_is_not_assigned() -> None:
    assert tasks.assigned("Trên cơ sở đó, UBND tỉnh đã chỉ đạo và giao Sở Giáo dục và Đào "
                          "tạo chủ trì phối hợp với các cơ quan, đơn vị thực hiện") is None
    assert tasks.assigned("Từ những nguyên nhân nêu trên, trong thời gian tới Sở Lao động, "
                          "Thương binh và xã hội tỉnh tham mưu UBND tỉnh sẽ tiếp tục chỉ đạo "
                          "các sở, ban ngành") is None
    # An agency asking a peer commits nobody.
    assert tasks.assigned("Sở đề nghị Bảo hiểm xã hội tỉnh cung cấp danh sách") is None


def test_a_quoted_directive_named_afterwards_is_its_bodys_task() -> None:
    # resolution/tay-ninh-dich-ta-heo-chau-phi-2021: the directive is quoted
    # first and only then said to be one; the department's full name is a name.
    text = ("“Sở Nông nghiệp và Phát triển nông thôn phối hợp với UBND cấp huyện và các ngành có "
            "liên quan tập trung chỉ đạo, tổ chức hướng dẫn, đôn đốc, kiểm tra việc phòng, chống "
            "dịch bệnh dịch tả heo châu Phi”. Đó là chỉ đạo của UBND tỉnh đối với Sở NN&PTNT "
            "nhằm tăng cường phòng chống dịch tả heo châu Phi.\n")
    found = _found(text, date(2021, 12, 7))
    assert [(c.quote[:25], c.owner) for c in found] == [
        ("“Sở Nông nghiệp và Phát t", "Sở Nông nghiệp và Phát triển nông thôn"),
    ]
    # Without the words naming it a directive, a department's plain
    # statement stays what it is.
    plain = text.split("”.")[0].lstrip("“") + ".\n"
    assert _found(plain, date(2021, 12, 7)) == []


def test_a_standing_duty_to_cooperate_is_no_task() -> None:
    # resolution/ba-ria-vung-tau-chuong-trinh-giam-sat-2018, Điều 2.
    text = ("Điều 2. Điều khoản thi hành:\n"
            "1. Giao Thường trực Hội đồng nhân dân tỉnh chỉ đạo, tổ chức thực hiện chương trình "
            "giám sát của Hội đồng nhân dân tỉnh.\n"
            "2. Các cơ quan, đơn vị, địa phương liên quan có trách nhiệm phối hợp chặt chẽ với "
            "Thường trực Hội đồng nhân dân tỉnh trong hoạt động giám sát. Báo cáo và cung cấp đầy "
            "đủ, kịp thời, chính xác những thông tin, tài liệu cần thiết theo yêu cầu của đoàn "
            "giám sát.\n"
            "3. Giao Ủy ban nhân dân tỉnh chỉ đạo, theo dõi, đôn đốc các cơ quan thực hiện nghiêm "
            "túc những kiến nghị của đoàn giám sát.\n")
    found = _found(text, date(2017, 7, 13))
    assert [c.owner for c in found] == ["Thường trực Hội đồng nhân dân tỉnh",
                                        "Ủy ban nhân dân tỉnh"]


def test_the_sessions_own_business_and_how_to_ask_and_answer_are_no_tasks() -> None:
    # interpellation/ha-tinh-chat-van-tai-nguyen-moi-truong-2018: who opens
    # the session directing it chairs it; what the session will do and how
    # those asking and answering should speak is no task. The answerer a
    # photo caption names answers the paragraph under it.
    text = (
        "Phát biểu chỉ đạo phiên chất vấn, Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh Lê Đình Sơn cho "
        "biết tại kỳ họp này sẽ tiến hành chất vấn trực tiếp 4 nhóm vấn đề. Người trả lời chất "
        "vấn cần đi thẳng vào nội dung câu hỏi, trong đó cần xác định rõ lộ trình sẽ giải "
        "quyết.\n"
        "Giám đốc Sở Nông nghiệp và Phát triển nông thôn Nguyễn Văn Việt trả lời chất vấn\n"
        "Đăng đàn chất vấn đầu tiên, trả lời về các nhóm vấn đề liên quan đến thủy lợi.\n")
    t = parse(text, date(2018, 7, 17))
    assert t.chair is not None and t.chair.name == "Lê Đình Sơn"
    assert t.candidates == []
    [answer] = t.answers
    assert answer.responder.name == "Nguyễn Văn Việt"
    assert answer.text == "về các nhóm vấn đề liên quan đến thủy lợi."


def test_a_long_headline_and_the_session_named_by_its_business_ask_and_answer_nothing() -> None:
    # interpellation/thanh-hoa-noi-dung-chat-van-ky-hop-11-2022
    text = ("Kỳ họp thứ 11, HĐND tỉnh khóa XVIII sẽ chất vấn Giám đốc Công an tỉnh, Giám đốc Sở "
            "Nông nghiệp và Phát triển nông thôn, Phó Giám đốc phụ trách Sở Xây dựng\n\n"
            "Thường trực HĐND tỉnh khóa XVIII vừa thống nhất nội dung chương trình phiên chất vấn "
            "và trả lời chất vấn tại kỳ họp thứ 11, HĐND tỉnh khóa XVIII sẽ diễn ra vào chiều "
            "ngày 10-12-2022.\n")
    t = parse(text, date(2022, 12, 1))
    assert (t.questions, t.answers, t.candidates) == ([], [], [])


def test_a_bodys_name_ends_where_its_task_begins() -> None:
    # interpellation/ba-ria-vung-tau-nghi-quyet-chat-van-ky-hop-5
    [candidate] = _found("Hội đồng nhân dân tỉnh đề nghị Ủy ban nhân dân tỉnh thành lập Đoàn "
                         "thanh tra giải quyết khiếu nại của 28 hộ gia đình.\n", date(2017, 7, 13))
    assert candidate.owner == "Ủy ban nhân dân tỉnh"


def test_what_follows_its_addressee_is_its_task() -> None:
    # "Đối với X, <task>": in a chair's conclusion, and in a leader's answer
    # (voters_meeting/lao-cai-txct-chuyen-de-gpmb-2022, the deputies).
    [_, addressed] = _found(
        "Kết luận hội nghị, đồng chí Chủ tịch UBND tỉnh Trần Văn Hai yêu cầu các ngành tập trung "
        "giải quyết kiến nghị. Đối với UBND huyện Chợ Mới, cần tập trung rà soát các hộ dân bị "
        "ảnh hưởng.\n", date(2024, 5, 10))
    assert addressed.owner == "UBND huyện Chợ Mới"
    [deputies] = _found(
        "Cử tri kiến nghị sửa đường.\nChủ tịch UBND tỉnh Trần Văn Hai thẳng thắn trao đổi làm rõ "
        "một số ý kiến cử tri. Đối với các đại biểu HĐND tỉnh, thành phố, tiếp tục thực hiện "
        "tốt nhiệm vụ của đại biểu dân cử, trong đó tăng cường theo dõi, giám sát việc giải "
        "quyết.\n", date(2024, 5, 10))
    assert deputies.owner == "các đại biểu HĐND tỉnh, thành phố"
    # Said of a matter, not a body, it is a heading's subject, no addressee.
    assert tasks.addressed("Đối với việc cấp giấy chứng nhận, tiếp tục rà soát.") is None


def test_the_chair_named_inside_a_paragraph_directs() -> None:
    # directives/quang-nam-phien-hop-thang-2-2020: after another leader's
    # directive, the chair's "khẳng định" opens a speech of directives, not an
    # answer; the duty they name is their body's.
    text = ("Chiều qua, Chủ tịch UBND tỉnh Lê Trí Thanh chủ trì phiên họp UBND tỉnh.\n"
            "Bí thư Tỉnh ủy Phan Việt Cường yêu cầu các ngành, địa phương tạo điều kiện đưa các dự "
            "án đi vào hoạt động. Chủ tịch UBND tỉnh Lê Trí Thanh khẳng định diễn biến dịch "
            "Covid-19 đang tạo ra vô vàn khó khăn. Nhiệm vụ cấp bách hiện nay là tập trung toàn "
            "lực phòng chống dịch bệnh.\n")
    t = parse(text, date(2020, 3, 2))
    assert t.answers == []
    assert [c.owner for c in t.candidates] == ["các ngành, địa phương", "UBND tỉnh"]
    assert t.candidates[1].quote.startswith("Nhiệm vụ cấp bách")


def test_what_a_task_does_if_it_fails_is_part_of_it() -> None:
    # interpellation/ba-ria-vung-tau-nghi-quyet-chat-van-ky-hop-5
    text = ("- Đề nghị Ủy ban nhân dân tỉnh thành lập Đoàn thanh tra giải quyết khiếu nại của 28 "
            "hộ gia đình, qua đó xem xét cấp giấy chứng nhận quyền sử dụng đất cho các hộ này nếu "
            "đủ cơ sở pháp lý. Trong trường hợp không đủ cơ sở pháp lý để cấp giấy chứng nhận, "
            "phải ban hành ngay quyết định giải quyết khiếu nại.\n")
    [candidate] = _found(text, date(2017, 7, 13))
    assert candidate.owner == "Ủy ban nhân dân tỉnh"
    assert candidate.quote.endswith("phải ban hành ngay quyết định giải quyết khiếu nại.")


def test_a_duty_given_to_a_body_is_its_task() -> None:
    # interpellation/ba-ria-vung-tau-nghi-quyet-chat-van-ky-hop-5
    [candidate] = _found("Hội đồng nhân dân tỉnh giao nhiệm vụ Ban Quản lý các Khu công nghiệp "
                         "tỉnh yêu cầu các doanh nghiệp thực hiện trồng cây xanh.\n",
                         date(2017, 7, 13))
    assert candidate.owner == "Ban Quản lý các Khu công nghiệp tỉnh"
