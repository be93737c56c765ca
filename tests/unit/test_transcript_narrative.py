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
