"""How `parse` ties answers to questions: by name, by topic, or the nearest."""

from __future__ import annotations

from datetime import date

from service.transcript import LinkedBy, parse

DAY = date(2024, 5, 10)

QUESTIONS = (
    "Ông Lê Văn Một, Chủ tịch Công đoàn Công ty Xi măng đặt câu hỏi: Công nhân thiếu nhà ở, "
    "phải thuê nhà trọ.\n"
    "Bà Hà Thị Hai, giáo viên Trường Mầm non Hoa Sen hỏi: Giáo viên mầm non phải trực trưa.\n"
    "Ông Đinh Văn Ba, Chủ tịch Công đoàn Công ty May đặt câu hỏi: Đường vào khu công nghiệp "
    "thiếu đèn.\n"
)


def _askers(text: str) -> list[tuple[list[str], LinkedBy | None]]:
    t = parse(text, DAY)
    names = {q.key: q.asker.name for q in t.questions}
    return [([names[k] for k in a.question_keys], a.linked_by) for a in t.answers]


def test_by_name() -> None:
    text = QUESTIONS + (
        "Ông Trần Văn Tư, Giám đốc Sở Giáo dục và Đào tạo trả lời câu hỏi của bà Hà Thị Hai: "
        "Sở sẽ xem xét.\n"
    )
    assert _askers(text) == [(["Hà Thị Hai"], LinkedBy.NAME)]


def test_by_name_two_answers_by_one_official() -> None:
    text = QUESTIONS + (
        "Ông Trần Văn Tư, Giám đốc Sở Xây dựng trả lời câu hỏi của ông Lê Văn Một: Sở sẽ xem xét."
        "\nÔng Trần Văn Tư, Giám đốc Sở Xây dựng trả lời câu hỏi của ông Đinh Văn Ba: Sở sẽ "
        "phối hợp.\n"
    )
    assert _askers(text) == [
        (["Lê Văn Một"], LinkedBy.NAME), (["Đinh Văn Ba"], LinkedBy.NAME),
    ]


def test_by_topic_of_the_answering_agency() -> None:
    text = QUESTIONS + (
        "Ông Trần Văn Tư, Giám đốc Sở Xây dựng trả lời: nhà ở công nhân sẽ được bố trí.\n"
    )
    assert _askers(text) == [(["Lê Văn Một"], LinkedBy.TOPIC)]


def test_nearest_when_no_topic_matches() -> None:
    text = (
        "Ông Trần Văn Tư, Giám đốc Sở Xây dựng trả lời câu hỏi của ông Lê Văn Một: Sẽ xem xét.\n"
        + QUESTIONS
        + "Ông Vũ Văn Năm, Giám đốc Công an tỉnh trả lời: sẽ tăng cường tuần tra.\n"
    )
    # Nobody named, no subject: the questions asked since the previous answer.
    assert _askers(text)[-1] == (["Lê Văn Một", "Hà Thị Hai", "Đinh Văn Ba"], LinkedBy.NEAREST)


def test_answered_questions_are_not_linked_again_by_topic() -> None:
    text = QUESTIONS + (
        "Ông Trần Văn Tư, Giám đốc Sở Xây dựng trả lời ông Lê Văn Một: Sẽ xem xét.\n"
        "Ông Trần Văn Tư, Giám đốc Sở Xây dựng trả lời: Sẽ nghiên cứu thêm về nhà ở.\n"
    )
    t = parse(text, DAY)
    # The second paragraph by the same official, naming nobody, continues his answer.
    assert len(t.answers) == 1
    assert [q.asker.name for q in t.unanswered()] == ["Hà Thị Hai", "Đinh Văn Ba"]


def test_an_answer_with_no_question_before_it_is_linked_to_none() -> None:
    t = parse("Ông Trần Văn Tư, Giám đốc Sở Y tế trả lời: Sở Y tế sẽ xem xét.\n", DAY)
    assert t.answers[0].question_keys == ()
    assert t.answers[0].linked_by is None


def test_an_asker_named_twice_gets_their_latest_open_question_then_the_earlier() -> None:
    text = (
        "Bà Hà Thị Hai, giáo viên Trường Mầm non Hoa Sen hỏi: Giáo viên mầm non phải trực trưa.\n"
        "Ông Đinh Văn Ba, Chủ tịch Công đoàn Công ty May đặt câu hỏi: Đường vào khu công nghiệp "
        "thiếu đèn.\n"
        "Bà Hà Thị Hai, giáo viên Trường Mầm non Hoa Sen hỏi: Bếp ăn bán trú còn thiếu.\n"
        "Ông Trần Văn Tư, Giám đốc Sở Giáo dục và Đào tạo trả lời câu hỏi của bà Hà Thị Hai: "
        "Sở sẽ xem xét.\n"
        "Ông Vũ Văn Năm, Giám đốc Sở Tài chính trả lời câu hỏi của bà Hà Thị Hai: Sở sẽ bố trí.\n"
        "Ông Lý Văn Sáu, Giám đốc Sở Nội vụ trả lời câu hỏi của bà Hà Thị Hai: Sở sẽ rà soát.\n"
    )
    t = parse(text, DAY)
    texts = {q.key: q.text for q in t.questions}
    linked = [([texts[k] for k in a.question_keys], a.linked_by) for a in t.answers]
    assert linked == [
        (["Bếp ăn bán trú còn thiếu."], LinkedBy.NAME),
        (["Giáo viên mầm non phải trực trưa."], LinkedBy.NAME),
        # Both answered: the latest of hers again.
        (["Bếp ăn bán trú còn thiếu."], LinkedBy.NAME),
    ]


def test_an_asker_named_by_a_shorter_form_is_found_by_the_given_name() -> None:
    text = QUESTIONS + (
        "Ông Trần Văn Tư, Giám đốc Sở Giáo dục và Đào tạo trả lời câu hỏi của bà Thị Hai: "
        "Sở sẽ xem xét.\n"
    )
    assert _askers(text) == [(["Hà Thị Hai"], LinkedBy.NAME)]


def test_nearest_falls_back_to_the_latest_unanswered_question() -> None:
    text = QUESTIONS + (
        "Ông Trần Văn Tư, Giám đốc Sở Xây dựng trả lời câu hỏi của ông Lê Văn Một: Sẽ xem xét.\n"
        "Ông Vũ Văn Năm, Giám đốc Công an tỉnh trả lời: sẽ tăng cường tuần tra.\n"
    )
    # Nothing asked since the previous answer, no subject: the latest still open.
    assert _askers(text)[-1] == (["Đinh Văn Ba"], LinkedBy.NEAREST)
