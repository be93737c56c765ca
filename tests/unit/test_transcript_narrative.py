"""Rules for narrative reports of a dialogue or a citizen reception (issue
16): sentences quoted from the corpus (tests/fixtures/corpus/narrative),
some with a variant that shows the rule is not about that one sentence."""

from __future__ import annotations

from datetime import date

import pytest

from service.transcript import Candidate, parse, speakers
from service.transcript.promises import answer_unit

DAY = date(2024, 6, 4)


def _candidates(text: str, held_on: date = DAY) -> list[Candidate]:
    found = parse(text, held_on).candidates
    assert all(c.quote in text for c in found)
    return found


@pytest.mark.parametrize(
    "sentence",
    [
        # a cue word used as a noun
        "Do vậy, nông dân Lạng Sơn cần hướng về thị trường tiêu thụ nội địa. Vì theo nghiên cứu ",
        "Kết quả rà soát cho thấy hồ sơ đầy đủ.",
        # a conditional option with no commitment
        "Trong tình huống giá cả tiếp tục leo thang thì còn một công cụ nữa là đề xuất cấp có "
        "thẩm quyền việc trợ giá đối với một số vật tư để bớt khó khăn cho người nông dân.",
    ],
)
def test_a_noun_or_an_option_is_no_promise(sentence: str) -> None:
    assert not answer_unit(sentence).promise


def test_a_promise_under_a_condition_with_se_is_kept() -> None:
    assert answer_unit("Trong trường hợp giá tiếp tục tăng, Bộ sẽ đề xuất cấp có thẩm quyền "
                       "trợ giá.").promise
    assert answer_unit("Sở sẽ nghiên cứu cơ chế hỗ trợ.").promise


def test_directives_on_the_conduct_of_the_meeting_are_procedure() -> None:
    text = (
        "Mở đầu cuộc đối thoại, ông Hồ Tiến Thiệu, Chủ tịch UBND tỉnh Lạng Sơn nêu quan điểm: "
        "\"Không phải đối thoại cho xong\".\n"
        "Bên cạnh đó, ông Thiệu yêu cầu, Chủ tịch UBND và các sở, ban ngành tỉnh Lạng Sơn không "
        "từ chối bất cứ câu hỏi nào của bà con.\n"
        "Ông Thiệu cũng yêu cầu các sở, ban ngành đưa ra những câu trả lời đúng đắn với chủ "
        "trương của Nhà nước.\n"
        "Ông cũng đề nghị các sở ngành giải đáp cụ thể, đi vào vấn đề.\n"
    )
    assert _candidates(text) == []
    # A written reply, or a time limit, is a task.
    written = text + ("Ông Thiệu yêu cầu các sở, ban ngành trả lời bằng văn bản các câu hỏi "
                      "chưa được trả lời.\n")
    assert [c.owner for c in _candidates(written)] == ["các sở, ban ngành"]
    timed = text + "Ông Thiệu yêu cầu các sở, ban ngành trả lời bà con trước ngày 30/6/2024.\n"
    assert [(c.owner, c.due_on) for c in _candidates(timed)] == [
        ("các sở, ban ngành", date(2024, 6, 30))]


def test_a_yearly_task_names_its_addressee_after_the_time() -> None:
    text = (
        "Phát biểu kết luận, đồng chí Trần Tiến Dũng - Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh "
        "đánh giá cao các ý kiến. Đồng thời đồng chí đề nghị, hằng năm Hội Nông dân tỉnh nên có "
        "2 cuộc gặp gỡ, đối thoại để lắng nghe ý kiến.\n"
    )
    assert [c.owner for c in _candidates(text)] == ["Hội Nông dân tỉnh"]


def test_a_task_given_after_something_done_is_quoted_from_its_verb() -> None:
    text = ("Đối với những nội dung chưa thể xử lý, lãnh đạo huyện Đồng Hỷ đã tiếp thu, giao "
            "các phòng chức năng tiến hành rà soát, xem xét giải quyết thỏa đáng.\n")
    found = _candidates(text)
    assert [(c.owner, c.quote[:20]) for c in found] == [
        ("các phòng chức năng", "giao các phòng chức ")]


@pytest.mark.parametrize(
    ("text", "kind", "name", "agency"),
    [
        # the name before a comma, after the title
        ("Ngày 18/7/2016, tại Trụ sở tiếp công dân tỉnh, Phó Chủ tịch UBND tỉnh  Nguyễn Trung "
         "Thảo, chủ trì phiên tiếp công dân định kỳ tháng 7 của lãnh đạo tỉnh.",
         "speech", "Nguyễn Trung Thảo", "UBND tỉnh"),
        # a household speaks for its head
        ("Tại buổi làm việc, đại diện gia đình ông Trịnh Văn Hùng đã nêu nguyện vọng về việc "
         "đề nghị công ty thi công trả kinh phí.", "question", "Trịnh Văn Hùng", ""),
        # a group that came to complain
        ("Tại buổi tiếp công dân, lãnh đạo tỉnh đã tiếp 14 lượt công dân, các công dân đến khiếu "
         "nại về các vấn đề liên quan đến tranh chấp đất đai.", "question", "Các công dân", ""),
        # those along are no title; a dash separates the title
        ("Đồng chí Lê Thị Thu Hương, TUV - Bí thư Huyện ủy, lãnh đạo huyện, các phòng ban liên "
         "quan và chính quyền địa phương đã trực tiếp trả lời những vấn đề thuộc thẩm quyền.",
         "answer", "Lê Thị Thu Hương", "Huyện ủy"),
        ("Sau khi nghe ý kiến, nguyện vọng của gia đình, đồng chí Phó Chủ tịch UBND huyện, Trung "
         "tâm phát triển quỹ đất huyện và các đơn vị nhà thầu đã trả lời các ý kiến của gia đình.",
         "answer", "Phó Chủ tịch UBND huyện", "UBND huyện"),
    ],
)
def test_speakers_of_narrative_reports(text: str, kind: str, name: str, agency: str) -> None:
    found = speakers.lead(text)
    assert found is not None
    assert (found.kind, found.speaker.name, found.speaker.agency) == (kind, name, agency)


@pytest.mark.parametrize(
    "text",
    [
        # another act stands between the speaker and the verb
        "Chiều ngày 15/4/2025, đồng chí Lương Thành Chung và lãnh đạo Trung tâm phát triển quỹ "
        "đất huyện Chi Lăng đã có buổi đối thoại với gia đình ông Trịnh Văn Hùng để xem xét, trả "
        "lời các đề nghị của gia đình.",
        "Sáng ngày 20/01, đồng chí Lê Thị Thu Hương, TUV, Bí thư Huyện ủy cùng lãnh đạo UBND "
        "huyện Nam Đông đã có buổi tiếp dân, đối thoại trực tiếp với nhân dân và xử lý những "
        "phản ánh, kiến nghị của nhân dân tại xã Hương Phú.",
    ],
)
def test_a_verb_after_another_act_is_no_lead(text: str) -> None:
    assert speakers.lead(text) is None


def test_the_chair_answering_a_group_directly_answers_it() -> None:
    text = (
        "Ngày 18/7/2016, tại Trụ sở tiếp công dân tỉnh, Phó Chủ tịch UBND tỉnh Nguyễn Trung Thảo, "
        "chủ trì phiên tiếp công dân định kỳ tháng 7 của lãnh đạo tỉnh.\n"
        "Tại buổi tiếp công dân, lãnh đạo tỉnh đã tiếp 14 lượt công dân, các công dân đến khiếu "
        "nại về các vấn đề liên quan đến tranh chấp đất đai.\n"
        "Sau mỗi ý kiến phản ánh, kiến nghị, khiếu nại của công dân, Phó chủ tịch UBND tỉnh đã "
        "ghi nhận, trả lời công dân; giao các cơ quan, đơn vị có liên quan xem xét, xử lý theo "
        "đúng quy định. Giao Ban tiếp công dân tỉnh tiếp tục theo dõi đôn đốc.\n"
    )
    t = parse(text, date(2016, 7, 18))
    assert [(a.responder.name, a.question_keys) for a in t.answers] == [
        ("Nguyễn Trung Thảo", ("q1",))]
    # The tasks given are the bodies'; what was done before ";" is no part of them.
    assert [(c.owner, c.quote[:10]) for c in t.candidates] == [
        ("các cơ quan, đơn vị", "giao các c"), ("Ban tiếp công dân tỉnh", "Giao Ban t")]


def test_a_leaders_request_in_an_answer_is_owned_by_its_addressee() -> None:
    text = (
        "Trên cơ sở các ý kiến phát biểu của nhân dân, đồng chí Bí thư Thành ủy Sông Công đã trao "
        "đổi, trả lời trực tiếp một số vấn đề mà người dân phản ánh. Đồng chí cũng yêu cầu sau 15 "
        "ngày làm việc kể từ ngày diễn ra buổi đối thoại này các cơ quan chuyên môn của thành phố "
        "phải có văn bản trả lời trực tiếp các ý kiến phản ảnh của nhân dân./.\n"
    )
    found = _candidates(text, date(2024, 5, 2))
    assert [(c.owner, c.due_on) for c in found] == [
        ("các cơ quan chuyên môn của thành phố", date(2024, 5, 23))]


def test_what_a_private_party_undertakes_is_no_promise() -> None:
    assert not answer_unit(
        "Sau buổi làm việc, gia đình đã nhất trí với các mức đền bù, hỗ trợ và ký biên bản làm "
        "việc cam kết sẽ bàn giao mặt bằng cho đơn vị thi công.").promise
    assert answer_unit("Sau buổi làm việc, UBND huyện sẽ bàn giao mặt bằng.").promise


@pytest.mark.parametrize(
    ("text", "quote", "owner"),
    [
        ("Tại buổi đối thoại, Chủ tịch TP.Hà Nội Nguyễn Đức Chung nói công bố dự thảo kết luận "
         "thanh tra cho dân góp ý.\n",
         "nói công bố dự thảo kết luận thanh tra cho dân góp ý.", "TP.Hà Nội"),
        ("Sau khi nghe nhiều ý kiến phản ánh của doanh nghiệp, ông Hồ Quốc Dũng - bí thư Tỉnh ủy "
         "Gia Lai hứa: tỉnh sẽ tìm giải pháp tháo gỡ.\n",
         "hứa: tỉnh sẽ tìm giải pháp tháo gỡ.", "Tỉnh ủy Gia Lai"),
    ],
)
def test_an_undertaking_given_with_a_speech_verb(text: str, quote: str, owner: str) -> None:
    assert [(c.quote, c.owner) for c in _candidates(text)] == [(quote, owner)]


def test_saying_something_else_is_no_undertaking() -> None:
    text = ("Tại buổi đối thoại, Chủ tịch TP.Hà Nội Nguyễn Đức Chung nói đây là dịp để lắng nghe "
            "nhân dân.\n")
    assert _candidates(text) == []


def test_a_directive_sharing_a_paragraph_with_a_petition_is_read() -> None:
    text = (
        "Sáng ngày 6/6, tại trụ sở Tiếp công dân tỉnh, đồng chí Nguyễn Tấn Chân, Phó Chủ tịch HĐND "
        "tỉnh chủ trì buổi tiếp công dân định kỳ.\n"
        "Công dân phản ánh, kiến nghị nhiều vấn đề như việc quản lý khai thác khoáng sản. Phó Chủ "
        "tịch HĐND tỉnh Nguyễn Tấn Chân đề nghị lãnh đạo các địa phương, sở ngành liên quan chỉ "
        "đạo kiểm tra, rà soát và báo cáo kết quả thực hiện về Thường trực HĐND tỉnh./.\n"
    )
    t = parse(text, date(2022, 6, 6))
    assert len(t.questions) == 1
    assert [(c.owner, c.kind) for c in t.candidates] == [
        ("lãnh đạo các địa phương, sở ngành liên quan", "report")]


@pytest.mark.parametrize(
    ("opening", "asker"),
    [
        ("Sáng 30-10, ông Nguyễn Thanh Tâm, Chủ tịch UBND TX.Thuận An đã có buổi đối thoại trực "
         "tiếp với người dân phường An Phú, phường Bình Chuẩn.", "Người dân phường An Phú, "
         "phường Bình Chuẩn"),
        # another group, another kind of meeting
        ("Sáng 25/11, UBND tỉnh tổ chức hội nghị gặp gỡ, đối thoại với nông dân trên địa bàn.",
         "Nông dân"),
        # a citizen reception: the citizens received
        ("Sáng 20/01, lãnh đạo huyện đã có buổi tiếp công dân định kỳ tại xã Hương Phú.",
         "Công dân"),
    ],
)
@pytest.mark.parametrize(
    ("summary", "starts"),
    [
        ("Ngoài ra, có ý kiến cho rằng, chính quyền địa phương cần rà soát việc lập bãi xe "
         "container trong khu dân cư.", "chính quyền địa phương"),
        ("Tại hội nghị đã có 12 lượt ý kiến tập trung kiến nghị với đồng chí Chủ tịch về những vấn "
         "đề liên quan đến lĩnh vực: quản lý đất đai, trật tự xây dựng.", "với đồng chí Chủ tịch"),
        ("Tại hội nghị đã lựa chọn 18 câu hỏi liên quan về chính sách hỗ trợ phát triển sản xuất.",
         "chính sách hỗ trợ"),
    ],
)
def test_opinions_summed_up_are_asked_by_the_audience(
        opening: str, asker: str, summary: str, starts: str) -> None:
    t = parse(f"{opening}\n{summary}\n", DAY)
    assert [(q.asker.name, q.asker.kind, q.text[:len(starts)]) for q in t.questions] == [
        (asker, "group", starts)]


def test_opinions_summed_up_with_no_audience_are_no_question() -> None:
    text = "Sáng 30-10, UBND tỉnh họp.\nNgoài ra, có ý kiến cho rằng, cần rà soát bãi xe.\n"
    assert parse(text, DAY).questions == []


def test_opinions_take_the_group_named_before_them() -> None:
    text = (
        "Sáng ngày 25/11/2022, Phó Chủ tịch UBND tỉnh Trần Phước Hiền chủ trì hội nghị đối thoại "
        "giữa lãnh đạo UBND tỉnh với nông dân bằng hình thức trực tuyến.\n"
        "Tại hội nghị, có 15 ý kiến của hội viên nông dân được trả lời trực tiếp. Trong đó, các "
        "ý kiến tập trung ở 7 nhóm vấn đề, đó là: Chính sách tín dụng, vay vốn.\n"
    )
    t = parse(text, DAY)
    assert [(q.asker.name, q.text[:10]) for q in t.questions] == [
        ("Hội viên nông dân", "7 nhóm vấn")]


def test_opinions_only_named_as_an_object_are_no_question() -> None:
    # A standfirst: what the chairman listened to, the petitions coming below.
    text = ("Chủ tịch UBND TP Hà Nội lắng nghe các ý kiến, kiến nghị của công nhân, người lao "
            "động về các vấn đề: nhà ở xã hội, nhà ở cho công nhân.\n")
    assert parse(text, DAY).questions == []


def test_a_group_said_to_have_opinions_asks_them() -> None:
    text = (
        "Ngày 9-11, Huyện ủy Đồng Hỷ đã tổ chức Hội nghị tiếp xúc, đối thoại trực tiếp giữa "
        "Thường trực Huyện ủy với nhân dân xã Khe Mo.\n"
        "Tiếp đó, nhân dân xã Khe Mo đã có một số ý kiến về các nội dung như: Vấn đề ô nhiễm "
        "môi trường ở khu vực cầu Linh Nham; tăng phụ cấp cho trưởng các tổ chức đoàn thể.\n"
        "Qua lắng nghe ý kiến, kiến nghị và phản ánh của nhân dân, các phòng chức năng của huyện "
        "đã trả lời cụ thể những nội dung có thể giải quyết ngay. Đối với những nội dung chưa thể "
        "xử lý, lãnh đạo huyện Đồng Hỷ đã tiếp thu, giao các phòng chức năng tiến hành rà soát, "
        "xem xét giải quyết thỏa đáng.\n"
    )
    t = parse(text, DAY)
    assert [(q.asker.name, q.text[:20]) for q in t.questions] == [
        ("Nhân dân xã Khe Mo", "về các nội dung như:")]
    # A body named by its kind answers; the task the leaders give after it is read.
    assert [(a.responder.name, a.question_keys) for a in t.answers] == [
        ("các phòng chức năng của huyện", ("q1",))]
    assert [(c.owner, c.quote[:10]) for c in t.candidates] == [
        ("các phòng chức năng", "giao các p")]


def test_a_passive_answer_ends_the_question_and_a_body_named_after_it_owns_its_promise(
        ) -> None:
    text = (
        "Công dân phản ánh, kiến nghị nhiều vấn đề như việc quản lý khai thác khoáng sản của các "
        "doanh nghiệp. Các nội dung thuộc thẩm quyền đã được các cơ quan liên quan trả lời ngay "
        "tại buổi tiếp công dân. Đối với những nội dung còn phức tạp, các địa phương và sở, ngành "
        "liên quan sẽ có văn bản trả lời cụ thể cho công dân.\n"
    )
    t = parse(text, DAY)
    assert [q.text[-20:] for q in t.questions] == ["ủa các doanh nghiệp."]
    assert [(a.responder.name, a.question_keys) for a in t.answers] == [
        ("các cơ quan liên quan", ("q1",))]
    assert [c.owner for c in t.candidates] == ["các địa phương và sở, ngành liên quan"]


def test_the_chair_listening_then_answering_answers() -> None:
    found = speakers.lead("Với tinh thần dân chủ, đồng chí Chủ tịch UBND phường đã lắng nghe và "
                          "tiếp thu những ý kiến, kiến nghị của Nhân dân.")
    assert found is not None
    assert (found.kind, found.speaker.name, found.askers) == (
        "answer", "Chủ tịch UBND phường", ("Nhân dân",))


ARTICLE = (
    "Sáng 30-10, ông Nguyễn Thanh Tâm, Chủ tịch UBND TX.Thuận An đã có buổi đối thoại trực tiếp "
    "với người dân phường An Phú, phường Bình Chuẩn để lắng nghe ý kiến nhân dân.\n"
    "Ông Nguyễn Thanh Tâm, Chủ tịch UBND TX.Thuận An cho biết sẽ kiểm tra các tuyến đường.\n\n"
)


@pytest.mark.parametrize(
    "tail",
    [
        "THANH QUANG\n\nChia sẻ bài viết\n\nLƯU Ý: BDO sẽ biên tập ý kiến của bạn đọc trước khi "
        "xuất bản.",
        "VĂN CHÂU\nBình luận\nSở Y tế sẽ kiểm tra.",
        "Tin liên quan\nUBND tỉnh sẽ xem xét đầu tư.",
    ],
)
def test_a_sites_notices_end_the_article(tail: str) -> None:
    t = parse(ARTICLE + tail, DAY)
    assert [c.quote for c in t.candidates] == ["sẽ kiểm tra các tuyến đường."]
    assert all("THANH" not in a.text and "CHÂU" not in a.text for a in t.answers)


def test_a_notice_before_the_article_ends_nothing() -> None:
    t = parse("Chia sẻ bài viết\n" + ARTICLE, DAY)
    assert len(t.candidates) == 1


def test_a_chair_named_without_a_body_directs_and_a_businessman_raising_an_issue_asks(
        ) -> None:
    text = (
        "Sáng 13-9, UBND tỉnh Quảng Trị tổ chức đối thoại với gần 300 doanh nghiệp.\n"
        "Mở đầu buổi đối thoại, Phó chủ tịch Hà Sĩ Đồng đề nghị các doanh nghiệp phát biểu "
        "thẳng thắn, tập trung vào các vấn đề khó khăn cần tháo gỡ.\n"
        "Mở đầu đối thoại, ông Lê Đình Sung - chủ tịch hội đồng quản trị Công ty cổ phần Minh "
        "Hưng - đặt vấn đề doanh nghiệp đã và đang gặp rất nhiều khó khăn.\n"
    )
    t = parse(text, DAY)
    assert [(q.asker.name, q.text[:20]) for q in t.questions] == [
        ("Lê Đình Sung", "doanh nghiệp đã và đ")]
    # Asking businesses to speak frankly is how the meeting is held: no task.
    assert t.candidates == []
    # A chair of a company is no leader.
    found = speakers.lead("Ông Lê Văn A, Chủ tịch Hội đồng quản trị Công ty B đề nghị tỉnh "
                          "giảm thuế.")
    assert found is not None and found.kind == "question"


def test_opinions_the_leaders_received_at_a_reception_are_the_citizens() -> None:
    text = (
        "Sáng ngày 20/01, đồng chí Lê Thị Thu Hương, TUV, Bí thư Huyện ủy đã có buổi tiếp dân, "
        "đối thoại trực tiếp với nhân dân tại xã Hương Phú.\n"
        "Tại buổi tiếp dân, lãnh đạo huyện Nam Đông đã tiếp nhận ý kiến liên quan một số vấn đề "
        "tại địa phương như: Việc đốt thực bì đã làm chết cây keo của người dân.\n"
        "Đồng chí Lê Thị Thu Hương đã trực tiếp trả lời những vấn đề thuộc thẩm quyền.\n"
    )
    t = parse(text, DAY)
    assert [(q.asker.name, q.text[:12]) for q in t.questions] == [("Công dân", "một số vấn đ")]
    assert [a.question_keys for a in t.answers] == [("q1",)]


@pytest.mark.parametrize(
    "sentence",
    [
        # received, then acted on: an answer's words, not opinions summed up
        "Lãnh đạo Sở đã tiếp nhận ý kiến của cử tri và sẽ xem xét.",
        # received by a body, not reported of the leaders present
        "UBND tỉnh đã tiếp nhận kiến nghị về việc nâng cấp đường.",
    ],
)
def test_opinions_received_otherwise_are_no_question(sentence: str) -> None:
    text = "Sáng 20/01, lãnh đạo tỉnh tiếp công dân định kỳ.\n" + sentence + "\n"
    assert parse(text, DAY).questions == []
