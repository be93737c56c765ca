"""Rules of service.transcript.entries and the order `parse` puts things in."""

from __future__ import annotations

from datetime import date, time

import pytest

from service.transcript import parse
from service.transcript.entries import meeting_order, newest_first, paragraphs, stamp

DAY = date(2024, 5, 10)


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("8h37: Ông A", time(8, 37)),
        ("10h 57: Trao quà", time(10, 57)),
        ("8H33: Đối thoại", time(8, 33)),
        ("8 giờ 37: Ông A", time(8, 37)),
        ("08:37: Ông A", time(8, 37)),
        ("9h00 - Hội nghị", time(9, 0)),
    ],
)
def test_time_stamp_forms(text: str, at: time) -> None:
    found, offset = stamp(text)
    assert found == at
    assert text[offset:][0].isupper()


@pytest.mark.parametrize(
    "text", ["Sáng 10/5, hội nghị", "8:30 sáng nay hội nghị", "1. Tăng cường", "Ông A hỏi: 8h"]
)
def test_not_a_time_stamp(text: str) -> None:
    assert stamp(text) == (None, 0)


def test_newest_first_is_detected_from_decreasing_stamps() -> None:
    assert newest_first([time(11, 0), time(10, 0), time(9, 0)])
    assert not newest_first([time(8, 0), time(9, 0), time(10, 0)])
    assert not newest_first([])
    assert not newest_first([time(9, 0)])


def test_meeting_order_reverses_entries_and_blocks_but_not_a_speakers_block() -> None:
    header = ["header"]
    entry = ["answer by X", "second answer by X", "question by B", "question by A"]

    def same(a: str, b: str) -> bool:
        return a.endswith("by X") and b.endswith("by X")

    assert meeting_order([header, ["late"], entry], same, reverse=True) == [
        "header", "question by A", "question by B", "answer by X", "second answer by X", "late",
    ]
    assert meeting_order([header, entry], same, reverse=False) == ["header", *entry]


def test_paragraphs_keep_offsets_and_lines_with_crlf() -> None:
    text = "Dòng một\r\n\r\n  Dòng hai  \r\n"
    found = paragraphs(text)
    assert [(p.line, p.text) for p in found] == [(1, "Dòng một"), (3, "Dòng hai")]
    assert all(text[p.start:p.start + len(p.text)] == p.text for p in found)


NEWEST_FIRST = """\
9h20: Ông Trần Văn Bảy, Giám đốc Sở Y tế trả lời ông Lê Văn Một: Sở Y tế sẽ xem xét.

9h10: Ông Lê Văn Một, Chủ tịch Công đoàn Bệnh viện tỉnh đặt câu hỏi: Bệnh viện thiếu y tế.

Ông Lê Văn Một, Chủ tịch Công đoàn Bệnh viện tỉnh đặt câu hỏi.

Bà Hà Thị Hai, Trạm Y tế xã An Bình đặt câu hỏi: Phụ cấp y tế thôn bản thấp.

9h00: Hội nghị bắt đầu.
"""


def test_newest_first_blog_is_read_in_meeting_order() -> None:
    t = parse(NEWEST_FIRST, DAY)
    assert [q.asker.name for q in t.questions] == ["Hà Thị Hai", "Lê Văn Một"]
    assert [q.key for q in t.questions] == ["q1", "q2"]
    assert t.questions[1].at == time(9, 10)
    assert t.questions[0].at is None  # an earlier update with no stamp of its own


def test_text_without_stamps_is_read_top_to_bottom() -> None:
    text = (
        "Ông Lê Văn Một, Chủ tịch Công đoàn Bệnh viện tỉnh đặt câu hỏi: Thiếu nhà ở.\n"
        "Bà Hà Thị Hai, Trạm Y tế xã An Bình đặt câu hỏi: Phụ cấp thấp.\n"
    )
    t = parse(text, DAY)
    assert [q.asker.name for q in t.questions] == ["Lê Văn Một", "Hà Thị Hai"]


def test_chronological_stamps_are_read_top_to_bottom() -> None:
    text = (
        "8h00: Bà Hà Thị Hai, Trạm Y tế xã An Bình đặt câu hỏi: Phụ cấp thấp.\n"
        "8h30: Ông Lê Văn Một, Chủ tịch Công đoàn Bệnh viện tỉnh đặt câu hỏi: Thiếu nhà ở.\n"
    )
    t = parse(text, DAY)
    assert [q.asker.name for q in t.questions] == ["Hà Thị Hai", "Lê Văn Một"]


def test_captions_repeating_a_lead_create_nothing() -> None:
    t = parse(NEWEST_FIRST, DAY)
    assert len(t.questions) == 2
    text = (
        "Ông Lê Văn Một, Chủ tịch Công đoàn Bệnh viện tỉnh đặt câu hỏi: Bệnh viện thiếu y tế.\n"
        "Ông Lê Văn Một, Chủ tịch Công đoàn Bệnh viện tỉnh đặt câu hỏi\n"
        "Ông Trần Văn Bảy, Giám đốc Sở Y tế trả lời: Sở Y tế sẽ xem xét.\n"
        "Ông Trần Văn Bảy, Giám đốc Sở Y tế trả lời tại hội nghị.\n"
        "Ông Trần Văn Bảy, Giám đốc Sở Y tế trả lời câu hỏi.\n"
        "Hội nghị giải lao\n"
        "Kết thúc buổi đối thoại.\n"
    )
    t = parse(text, DAY)
    assert len(t.questions) == 1
    assert len(t.answers) == 1
    assert len(t.candidates) == 1


def test_event_lines_end_the_answer_above() -> None:
    text = (
        "Ông Trần Văn Bảy, Giám đốc Sở Y tế trả lời: Sở Y tế sẽ xem xét.\n"
        "Hội nghị giải lao\n"
    )
    answer = parse(text, DAY).answers[0]
    assert answer.text == "Sở Y tế sẽ xem xét."
