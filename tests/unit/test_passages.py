"""Rules of domain.passages (paragraphs and lists in a question or an answer)
and of their HTML (api.passages): lists stay lists, nothing is lost or cut,
a long text folds under "xem thêm"."""

from __future__ import annotations

import itertools
import re

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from api import passages as drawn
from domain.passages import Entry, Listing, Paragraph, Passage, fold_after, passages

MEASURES = """Sở Y tế xin trả lời như sau:
1. Về phụ cấp cho nhân viên y tế thôn bản: Sở sẽ xem xét,
nghiên cứu, kiến nghị với cấp có thẩm quyền.
- Chỉ đạo Phòng Tổ chức cán bộ rà soát;
- Báo cáo UBND tỉnh trước ngày 01/8/2024.
2. Hỗ trợ đoàn viên khó khăn:
a) trao 120 suất quà;
đ) thăm hỏi tại nhà.

Trân trọng cảm ơn."""


def words(text: str, part: Paragraph | Entry) -> list[str]:
    return [text[a:b] for a, b in part.lines]


def test_numbered_measures_are_a_list_with_lists_inside() -> None:
    found = passages(MEASURES)
    assert [type(p) for p in found] == [Paragraph, Listing, Paragraph]
    intro, measures, thanks = found
    assert isinstance(intro, Paragraph) and isinstance(measures, Listing)
    assert words(MEASURES, intro) == ["Sở Y tế xin trả lời như sau:"]
    assert (measures.numbering, measures.start) == ("1", 1)
    first, second = measures.entries
    # A hard-wrapped measure is one item, its second line included.
    assert words(MEASURES, first) == [
        "Về phụ cấp cho nhân viên y tế thôn bản: Sở sẽ xem xét,",
        "nghiên cứu, kiến nghị với cấp có thẩm quyền."]
    (dashes,) = first.lists
    assert dashes.numbering == "" and [e.label for e in dashes.entries] == ["-", "-"]
    assert words(MEASURES, dashes.entries[1]) == ["Báo cáo UBND tỉnh trước ngày 01/8/2024."]
    (letters,) = second.lists
    assert letters.numbering == "a"
    assert [e.label for e in letters.entries] == ["a)", "đ)"]
    assert isinstance(thanks, Paragraph)
    assert words(MEASURES, thanks) == ["Trân trọng cảm ơn."]


def test_a_list_ends_where_a_new_sentence_begins() -> None:
    text = ("1. Rà soát chế độ.\n2. Bổ sung biên chế kế toán\ntrong năm 2024.\n"
            "Sở sẽ báo cáo kết quả.")
    listing, after = passages(text)
    assert isinstance(listing, Listing) and isinstance(after, Paragraph)
    assert words(text, listing.entries[1]) == ["Bổ sung biên chế kế toán", "trong năm 2024."]
    assert words(text, after) == ["Sở sẽ báo cáo kết quả."]


def test_a_list_keeps_its_first_number() -> None:
    (listing,) = passages("3. Về đầu tư xây dựng.\n4. Về tư pháp.")
    assert isinstance(listing, Listing)
    assert listing.start == 3 and len(listing.entries) == 2


def test_numbers_that_are_no_markers() -> None:
    """Dates, amounts, years and a bare number start no list item."""
    text = ("Sở trả lời:\n01/8/2024 là hạn cuối;\n1.5 tỷ đồng đã cấp;\n2024. Năm bản lề;"
            "\n-5 độ;\n1.\nhết.")
    (paragraph,) = passages(text)
    assert isinstance(paragraph, Paragraph) and len(paragraph.lines) == 7


def test_measures_written_on_one_line_are_a_list() -> None:
    text = "Sở trả lời: 1) rà soát chế độ; 2) bổ sung biên chế; 3) báo cáo UBND tỉnh."
    intro, listing = passages(text)
    assert isinstance(intro, Paragraph) and isinstance(listing, Listing)
    assert words(text, intro) == ["Sở trả lời:"]
    assert [e.label for e in listing.entries] == ["1)", "2)", "3)"]
    assert [words(text, e) for e in listing.entries] == [
        ["rà soát chế độ;"], ["bổ sung biên chế;"], ["báo cáo UBND tỉnh."]]
    with APP.test_request_context("/?lang=vi"):
        assert str(drawn.html(text)) == ("<p>Sở trả lời:</p><ol><li>rà soát chế độ;</li>"
                                         "<li>bổ sung biên chế;</li><li>báo cáo UBND tỉnh.</li>"
                                         "</ol>")


def test_one_line_numbers_with_letters_inside_are_nested_lists() -> None:
    text = "1. Về y tế: a) trao quà; b) thăm hỏi. 2. Về giáo dục: rà soát."
    (listing,) = passages(text)
    assert isinstance(listing, Listing) and listing.numbering == "1"
    first, second = listing.entries
    assert words(text, first) == ["Về y tế:"]
    (letters,) = first.lists
    assert [(e.label, words(text, e)) for e in letters.entries] == [
        ("a)", ["trao quà;"]), ("b)", ["thăm hỏi."])]
    assert words(text, second) == ["Về giáo dục: rà soát."]


@pytest.mark.parametrize("text", [
    "Theo Nghị định 30/2020. 2 năm nữa sẽ xong.",  # a year's dot, then a number
    "Sở đã làm 1. Việc còn lại sẽ báo cáo sau.",  # one "1." alone is no list
    "Sở sẽ: 2) bổ sung; 3) báo cáo.",  # a list counts from 1
    "Điều 1. Phạm vi điều chỉnh. Điều 2. Đối tượng áp dụng.",  # numbers of a name
    "Như đã nêu (mục 1) và (mục 2) của công văn.",  # brackets' ends
    "Sở sẽ: 1) rà soát; 3) báo cáo.",  # out of order
])
def test_numbers_inside_a_line_that_are_no_list(text: str) -> None:
    (paragraph,) = passages(text)
    assert isinstance(paragraph, Paragraph) and words(text, paragraph) == [text]


def test_paragraphs_are_split_by_blank_lines_only() -> None:
    text = "Dòng một được ngắt\ngiữa câu.\n\n  Đoạn hai.  \n"
    first, second = passages(text)
    assert isinstance(first, Paragraph) and isinstance(second, Paragraph)
    assert words(text, first) == ["Dòng một được ngắt", "giữa câu."]
    assert words(text, second) == ["Đoạn hai."]
    assert passages("") == [] and passages("\n \n") == []


def spans(part: Passage | Entry) -> list[tuple[int, int]]:
    if isinstance(part, Paragraph):
        return list(part.lines)
    if isinstance(part, Entry):
        return list(part.lines) + [s for inner in part.lists for s in spans(inner)]
    return [s for entry in part.entries for s in spans(entry)]


def labels(part: Passage | Entry) -> list[str]:
    if isinstance(part, Paragraph):
        return []
    if isinstance(part, Entry):
        return [part.label] + [x for inner in part.lists for x in labels(inner)]
    return [x for entry in part.entries for x in labels(entry)]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(
    st.sampled_from(["1. ", "2) ", "a) ", "đ. ", "- ", "+ ", "• ", "", "", "  "]).flatmap(
        # Markers inside a line too: a list written on one line.
        lambda m: st.text("abc Đê.:;,1)2", max_size=24).map(lambda t: m + t)),
    st.just("")), max_size=12).map("\n".join))
def test_nothing_is_lost_and_nothing_repeated(text: str) -> None:
    """Every character but spaces is in exactly one passage's words or one
    marker: spans never overlap, and with the markers they hold the text."""
    found = passages(text)
    taken = sorted(s for part in found for s in spans(part))
    assert all(a < b for a, b in taken)
    assert all(b1 <= a2 for (_, b1), (a2, _) in itertools.pairwise(taken))
    kept = "".join(x for p in found for x in labels(p)) + "".join(text[a:b] for a, b in taken)
    assert sorted(re.sub(r"\s", "", kept)) == sorted(re.sub(r"\s", "", text))


def test_fold_after_shows_the_first_passages_and_never_none() -> None:
    text = "Mở đầu.\n\n" + "\n\n".join(f"Đoạn {n} " + "chữ " * 30 for n in range(5))
    found = passages(text)
    assert len(found) == 6
    assert fold_after(found, 10_000) == 6
    assert fold_after(found, 0) == 1
    assert fold_after(found, 200) == 2  # the opening line and one paragraph of 159


APP = Flask(__name__)


def test_html_draws_lists_as_lists_and_escapes() -> None:
    with APP.test_request_context("/?lang=vi"):
        html = str(drawn.html(MEASURES + "\n\n<script>alert(1)</script>"))
    assert html.startswith("<p>Sở Y tế xin trả lời như sau:</p><ol><li>Về phụ cấp")
    assert "xem xét, nghiên cứu" in html  # the hard wrap is a space
    assert "<ul><li>Chỉ đạo Phòng" in html and html.count("<li>") == 6
    assert '<ol class="lettered"><li><span class="label">a)</span> trao' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<details" not in html


def test_html_folds_a_long_answer_under_read_more() -> None:
    text = "Mở đầu.\n\n" + "\n\n".join(f"Đoạn {n} " + "chữ " * 60 for n in range(4))
    quote = text.index("Đoạn 3")
    with APP.test_request_context("/?lang=vi"):
        folded = str(drawn.html(text, folded=True))
        marked = str(drawn.html(text, folded=True, marks=[(quote, quote + len("Đoạn 3 chữ"))]))
        whole = str(drawn.html(text))
    shown, rest = folded.split('<details class="more"><summary>xem thêm</summary>')
    assert "Đoạn 0" in shown and "Đoạn 1" not in shown
    assert "Đoạn 3" in rest and rest.endswith("</p></details>")
    # Nothing is cut: folded or not, the same words.
    assert re.sub(r"<[^>]+>|xem thêm", "", folded) == re.sub(r"<[^>]+>", "", whole)
    # A quote to be seen in its place opens the fold.
    assert '<details class="more" open>' in marked and "<mark>Đoạn 3 chữ</mark>" in marked


def test_html_marks_a_quote_across_a_hard_wrap() -> None:
    text = "Sở sẽ bổ sung biên chế\nkế toán trong năm 2024."
    start = text.index("bổ sung")
    with APP.test_request_context("/?lang=vi"):
        html = str(drawn.html(text, marks=[(start, text.index(" trong"))]))
    assert html == ("<p>Sở sẽ <mark>bổ sung biên chế</mark> <mark>kế toán</mark>"
                    " trong năm 2024.</p>")
