"""Rules of service.transcript.promises: units, cues, kinds, evidence, directives."""

from __future__ import annotations

from datetime import date

import pytest

from service.transcript import parse
from service.transcript.promises import answer_unit, documents, units

DAY = date(2024, 5, 10)


def _texts(text: str, directive: bool = False) -> list[str]:
    return [text[u.start:u.end] for u in units(text, directive)]


def test_sentences_split_at_full_stops_before_a_capital() -> None:
    text = ("Theo Nghị quyết số 13/2021/NQ-HĐND ngày 07/12/2021 của HĐND tỉnh. Sở sẽ xem xét. "
            "tại TP. Bắc Kạn và ThS. Lê Văn A nói vậy… Còn lại (như A, B...). Hết")
    assert _texts(text) == [
        "Theo Nghị quyết số 13/2021/NQ-HĐND ngày 07/12/2021 của HĐND tỉnh.",
        "Sở sẽ xem xét. tại TP. Bắc Kạn và ThS. Lê Văn A nói vậy…",
        "Còn lại (như A, B...).",
        "Hết",
    ]


def test_a_leading_list_number_is_not_a_sentence() -> None:
    assert _texts("1. Tăng cường công tác tuyên truyền.") == [
        "1. Tăng cường công tác tuyên truyền."
    ]


def test_semicolons_split_only_before_a_cue_of_its_own() -> None:
    text = "Đã tuyên truyền; chỉ đạo viên chức; Sở sẽ rà soát lại."
    assert _texts(text) == ["Đã tuyên truyền; chỉ đạo viên chức", "Sở sẽ rà soát lại."]
    text = "Yêu cầu Sở Tài chính rà soát; giao Sở Xây dựng nghiên cứu; trước hết là nhà ở."
    assert _texts(text, directive=True) == [
        "Yêu cầu Sở Tài chính rà soát", "giao Sở Xây dựng nghiên cứu; trước hết là nhà ở.",
    ]


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Sở tiếp thu, trong thời gian tới sẽ xem xét, nghiên cứu, kiến nghị với cấp có thẩm "
         "quyền về việc bổ sung biên chế.", "propose"),
        ("Sở Y tế sẽ phối hợp kiến nghị cấp có thẩm quyền xem xét nguồn kinh phí.", "propose"),
        ("Trước mắt, đề nghị UBND tỉnh giao Sở Kế hoạch và Đầu tư cân đối ngân sách, báo cáo "
         "Chính phủ.", "propose"),
        ("Trong thời gian tới Sở tham mưu UBND tỉnh sẽ tiếp tục chỉ đạo các giải pháp sau:",
         "advise"),
        ("Sở sẽ nghiên cứu, tham mưu UBND tỉnh ban hành chính sách.", "advise"),
        ("Sở sẽ rà soát, báo cáo UBND tỉnh kết quả.", "report"),
        ("Sở sẽ nghiên cứu cơ chế hỗ trợ.", "study"),
        ("Sở sẽ xem xét lại hồ sơ.", "review"),
        ("Sở sẽ phối hợp lắp đặt đèn chiếu sáng.", "implement"),
        ("Trong thời gian tới cần có các giải pháp cụ thể sau:", "implement"),
        # voters_meeting/dien-bien-muong-cha-huoi-leng-sa-long: what was not
        # answered, passed on.
        ("các ý kiến còn lại, các đại biểu tổng hợp chuyển đến các cơ quan chức năng.",
         "propose"),
        ("Những kiến nghị vượt thẩm quyền, Tổ đại biểu tổng hợp gửi UBND tỉnh.", "propose"),
    ],
)
def test_promises_and_their_kinds(sentence: str, kind: str) -> None:
    finding = answer_unit(sentence)
    assert finding.promise
    assert finding.kind == kind
    assert finding.cues


@pytest.mark.parametrize(
    "sentence",
    [
        # done already
        "Sở Nội vụ đã ban hành Công văn số 473/SNV-CCVC về việc thăng hạng.",
        "UBND tỉnh đã chỉ đạo và giao Sở Giáo dục chủ trì phối hợp hoàn thành trong năm 2023.",
        # belief
        "Đồng chí tin tưởng: Lực lượng công nhân sẽ tiếp tục năng động.",
        # third parties
        "Thủ trưởng các đơn vị cần bám sát Kế hoạch, kịp thời tham mưu xây dựng Kế hoạch.",
        "Đối với viên chức biệt phái, đề nghị các đơn vị nghiên cứu, xem xét áp dụng quy định.",
        "Ngoài ra, bản thân các doanh nghiệp cần nâng cao năng lực quản trị.",
        # a recommendation addressed to nobody in particular
        "Sở Thông tin và Truyền thông kiến nghị một số giải pháp như sau:",
        # acknowledgement only, a noun, the law
        "Sở ghi nhận và tiếp thu ý kiến của đại biểu.",
        "Để giải quyết kiến nghị của đoàn viên ở các huyện xa.",
        "Theo quy định hiện nay, mức phụ cấp thực hiện theo Quyết định số 75/2009/QĐ-TTg.",
        # a purpose (written_reply/bac-kan-cho-moi-2020)
        "Tuy nhiên việc đầu tư xây dựng trung tâm giống cây trồng trên địa bàn xã để nghiên cứu "
        "nâng cao chất lượng giống phải được sự đồng ý của cấp có thẩm quyền là UBND tỉnh.",
        # what was not answered, passed on already
        "Các ý kiến còn lại đã được tổng hợp gửi UBND tỉnh.",
        # `sẻ` is not `sẽ`
        "Tính nhân văn, tính chia sẻ, trách nhiệm cộng đồng.",
    ],
)
def test_not_promises(sentence: str) -> None:
    assert not answer_unit(sentence).promise


def test_done_with_a_document_is_evidence() -> None:
    finding = answer_unit("Sở Nội vụ đã ban hành Công văn số 473/SNV-CCVC về việc thăng hạng.")
    assert finding.evidence
    assert not answer_unit("Sở sẽ ban hành Công văn hướng dẫn.").evidence


def test_documents_are_found_with_their_dates() -> None:
    text = ("ngày 09/4/2024, Sở Nội vụ đã ban hành Công văn số 473/SNV-CCVC theo Nghị định số "
            "85/2023/NĐ-CP và Thông tư số 01,02,03,04/2021/TT-BGDĐT ngày 02/02/2021.")
    assert documents(text) == (
        "Công văn số 473/SNV-CCVC ngày 09/4/2024",
        "Nghị định số 85/2023/NĐ-CP",
        "Thông tư số 01,02,03,04/2021/TT-BGDĐT ngày 02/02/2021",
    )


CONCLUSION = """\
Đồng chí Nguyễn Văn Bốn, Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh chủ trì hội nghị.

Bà Hà Thị Hai, Trạm Y tế xã An Bình đặt câu hỏi: Phụ cấp thấp.

Kết luận hội nghị, đồng chí Chủ tịch UBND tỉnh yêu cầu Sở Tài chính trước ngày 30/6/2024 \
hoàn thành rà soát, cấp bổ sung kinh phí; giao Sở Xây dựng trong quý III nghiên cứu, tham mưu \
UBND tỉnh cơ chế hỗ trợ nhà ở; đề nghị các cấp, các ngành từ ngày 01/5 đến 31/5 tổ chức Tháng \
Công nhân.
"""


def test_chair_directives_are_candidates_owned_by_the_agency_named() -> None:
    t = parse(CONCLUSION, DAY)
    found = [(c.owner, c.kind, c.due_on, c.answer_key) for c in t.candidates]
    assert found == [
        ("Sở Tài chính", "implement", date(2024, 6, 30), None),
        ("Sở Xây dựng", "advise", date(2024, 9, 30), None),
        # Kinds of public body are owners as written (issue 16's corpus labels).
        ("các cấp, các ngành", "implement", date(2024, 5, 31), None),
    ]
    assert all(c.quote in CONCLUSION for c in t.candidates)
    assert len(t.questions) == 1


def test_answer_candidates_carry_owner_cues_and_deadline() -> None:
    text = ("Ông Trần Văn Tư, Phó Giám đốc Sở Y tế trả lời: Sở Y tế đã ban hành Kế hoạch số "
            "12/KH-SYT ngày 01/3/2024. Sở Y tế sẽ rà soát, báo cáo UBND tỉnh trong tháng 6/2024.\n")
    t = parse(text, DAY)
    assert len(t.candidates) == 1
    candidate = t.candidates[0]
    assert (candidate.owner, candidate.kind, candidate.answer_key) == ("Sở Y tế", "report", "a1")
    assert candidate.cues == ("sẽ", "rà soát")
    assert (candidate.due_on, candidate.due_text) == (date(2024, 6, 30), "trong tháng 6/2024")
    assert [e.documents for e in t.evidence] == [("Kế hoạch số 12/KH-SYT ngày 01/3/2024",)]
    assert t.evidence[0].owner == "Sở Y tế"
