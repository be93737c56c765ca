"""Rules of service.transcript.petitions: written replies to voters'
petitions and tables of them. The sentences are quoted from the corpus
texts (tests/fixtures/corpus/written_reply, petition_table, voters_meeting)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from domain.text import fold
from service.transcript import LinkedBy, parse
from service.transcript.bodies import body_at
from service.transcript.petitions import read

DAY = date(2020, 1, 1)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

THANH_PHAT = """Cử tri Xã Thanh Phát, huyện Sơn Dương đề nghị:

Giải quyết dứt điểm việc tranh chấp đất đai của một số hộ dân tại hai thôn Lục Liêu và thôn Cây Nhội

TRẢ LỜI:

Về việc này, Sở Tài nguyên và Môi trường đã thống nhất với Ủy ban nhân dân huyện Sơn Dương, Ủy ban nhân dân xã Thanh Phát hướng xử lý, giải quyết tại Biên bản làm việc ngày 09/7/2018. Hiện tại, Ủy ban nhân dân huyện Sơn Dương đang chỉ đạo giải quyết theo thẩm quyền.

Ủy ban nhân dân tỉnh giao Ủy ban nhân dân huyện Sơn Dương khẩn trương thực hiện nội dung đã thống nhất với Sở Tài nguyên và Môi trường tại Biên bản làm việc ngày 09/7/2018 để giải quyết dứt điểm vụ việc theo quy định.
"""  # noqa: E501


def test_an_unsigned_reply_is_the_body_that_directs_in_it() -> None:
    transcript = parse(THANH_PHAT, DAY)
    [question] = transcript.questions
    assert question.asker.name == "Cử tri Xã Thanh Phát, huyện Sơn Dương"
    assert question.text.startswith("Giải quyết dứt điểm việc tranh chấp đất đai")
    [answer] = transcript.answers
    assert answer.responder.name == "Ủy ban nhân dân tỉnh"
    assert answer.question_keys == (question.key,)
    [candidate] = transcript.candidates
    assert candidate.quote.startswith("Ủy ban nhân dân tỉnh giao Ủy ban nhân dân huyện Sơn Dương")
    assert candidate.owner == "Ủy ban nhân dân huyện Sơn Dương"
    # Done ("đã thống nhất") and under way ("đang chỉ đạo"): no promise.
    assert not any("đã thống nhất với Ủy ban" in c.quote for c in transcript.candidates)


TABLE = """| STT | Kỳ Họp | Cử Tri | Địa Bàn | Nội Dung Ý Kiến, Kiến Nghị | Nội Dung Trả Lời |
|---|---|---|---|---|---|
| 2921 | Kỳ họp 5 | Cử tri tổ 1, ấp Hóa Nhựt, xã Tân Vĩnh Hiệp | Cử tri tổ 1, ấp Hóa Nhựt, xã Tân Vĩnh Hiệp: (Xem thêm…) Đề nghị UBND tỉnh chỉ đạo ngành chức năng đẩy nhanh tiến độ thi công đường ĐT-746. |
Sở Giao thông vận tải xin phúc đáp như sau: Tổng Công ty Becamex IDC là Chủ đầu tư phần xây dựng công trình từ nguồn vốn của đơn vị. Hiện Chủ đầu tư dự án đang tiến hành đổ bó vĩa vĩa hè và trải cấp phối đá dăm 0x4 đoạn đường từ cầu Tân khánh đến cống Hố Đại, dự kiến sẽ thảm nhựa trong tháng 12 năm 2017. |
|
| 2922 | Kỳ họp 5 | Cử tri phường Lái Thiêu | Cử tri phường Lái Thiêu Phản ánh và đề nghị ngành chức năng xử lý nghiêm các trường hợp thuộc lực lượng Cảnh sát giáo thông có hành vi tiêu cực khi làm nhiệm vụ tại cổng Khu công nghiệp VISIP1. |
Công an tỉnh trả lời: Trong năm 2017, Công an tỉnh đã tổ chức được 619 ca tuần tra kiểm soát giao thông trên tuyến Quốc lộ 13.
"""  # noqa: E501


def test_a_pasted_table_gives_each_row_its_petition_and_reply() -> None:
    transcript = parse(TABLE, DAY)
    first, second = transcript.questions
    assert first.asker.name == "Cử tri tổ 1, ấp Hóa Nhựt, xã Tân Vĩnh Hiệp"
    assert first.text.startswith("Đề nghị UBND tỉnh chỉ đạo ngành chức năng")
    assert second.asker.name == "Cử tri phường Lái Thiêu"
    assert second.text.startswith("Phản ánh và đề nghị ngành chức năng")
    transport, police = transcript.answers
    assert (transport.responder.name, transport.question_keys) == ("Sở Giao thông vận tải",
                                                                   (first.key,))
    assert (police.responder.name, police.question_keys) == ("Công an tỉnh", (second.key,))
    # The investor the reply names owns its schedule; the police's past
    # patrols are no promise.
    [candidate] = transcript.candidates
    assert candidate.owner == "Tổng Công ty Becamex IDC"
    assert candidate.due_on == date(2017, 12, 31)
    assert candidate.answer_key == transport.key


def test_a_tab_separated_table_is_read_by_its_header() -> None:
    text = ("STT\tCử tri\tNội dung kiến nghị\tNội dung trả lời\tCơ quan trả lời\n"
            "1\tCử tri phường Lái Thiêu\tPhản ánh và đề nghị ngành chức năng xử lý nghiêm các "
            "trường hợp thuộc lực lượng Cảnh sát giáo thông có hành vi tiêu cực.\t"
            "Trong năm 2017, Công an tỉnh đã tổ chức được 619 ca tuần tra kiểm soát giao thông "
            "trên tuyến Quốc lộ 13.\tCông an tỉnh\n")
    transcript = parse(text, DAY)
    [question] = transcript.questions
    assert question.asker.name == "Cử tri phường Lái Thiêu"
    [answer] = transcript.answers
    assert answer.responder.name == "Công an tỉnh"
    assert answer.text.startswith("Trong năm 2017")
    assert transcript.candidates == []


def test_a_reply_in_parts_links_each_part_by_its_subject() -> None:
    text = (FIXTURES / "corpus/written_reply/can-tho-lo-hoa-tang-2021.txt").read_text()
    transcript = parse(text, DAY)
    cremation, lights = transcript.questions
    assert cremation.asker.name == "Cử tri quận Bình Thủy"
    first, second = transcript.answers
    assert first.responder.name == "UBND thành phố"
    assert (first.question_keys, first.linked_by) == ((cremation.key,), LinkedBy.TOPIC)
    assert (second.question_keys, second.linked_by) == ((lights.key,), LinkedBy.TOPIC)
    owners = [c.owner for c in transcript.candidates]
    # "đã chỉ đạo UBND quận Bình Thủy xem xét": the quận answers for itself
    # in the next sentence, so its own words are the promise, once.
    assert owners == ["UBND quận Bình Thủy", "Sở Giao thông vận tải"]
    assert not any(c.quote.startswith("Ghi nhận ý kiến của cử tri, UBND thành phố đã chỉ đạo "
                                      "UBND quận") for c in transcript.candidates)


def test_a_directing_lead_in_gives_each_item_to_the_body_it_opens_with() -> None:
    text = (FIXTURES / "corpus/voters_meeting/tuyen-quang-chan-son-tra-loi.txt").read_text()
    transcript = parse(text, DAY)
    assert [a.responder.name for a in transcript.answers] == ["Ủy ban nhân dân tỉnh"]
    assert [(c.owner, c.kind) for c in transcript.candidates] == [
        ("Ủy ban nhân dân huyện Yên Sơn", "review"),
        ("Sở Nông nghiệp và Phát triển nông thôn", "advise"),
    ]


def test_a_named_writer_after_a_lead_clause_and_a_person_asking() -> None:
    text = (FIXTURES / "corpus/written_reply/ninh-binh-cu-tri-hoi-2016.txt").read_text()
    transcript = parse(text, DAY)
    wards, village = transcript.questions
    assert wards.asker.name == ("Cử tri các phường: Thanh Bình, Đông Thành, Tân Thành, "
                                "Phúc Thành, Ninh Sơn")
    assert wards.asker.organisation == "thành phố Ninh Bình"
    assert village.asker.name == "Cử tri thôn Mai Sơn, xã Gia Lập"
    assert [a.responder.name for a in transcript.answers] == [
        "UBND thành phố Ninh Bình", "UBND huyện Gia Viễn"]
    [candidate] = transcript.candidates
    assert candidate.owner == "UBND các xã, phường"
    text = (FIXTURES / "corpus/written_reply/bac-kan-cho-moi-2020.txt").read_text()
    transcript = parse(text, DAY)
    [question] = transcript.questions
    assert (question.asker.name, question.asker.organisation) == ("Vũ Như Hội", "UBND xã Nông Hạ")
    # "Trả lời:" names no one; the letter it cites does.
    assert transcript.answers[0].responder.name == "UBND huyện Chợ Mới"
    promise = next(c for c in transcript.candidates if "sẽ phối hợp" in c.quote)
    assert (promise.owner, promise.kind) == ("UBND huyện Chợ Mới", "propose")


def test_a_report_without_reply_markers_answers_its_numbered_petitions() -> None:
    text = (FIXTURES / "corpus/written_reply/hue-giai-trinh-ky-hop-7-2014.txt").read_text()
    transcript = parse(text, DAY)
    [question] = transcript.questions
    assert question.asker.name == "Cử tri thành phố Huế"
    assert question.text.startswith("Rà soát lại các quy hoạch")
    [answer] = transcript.answers
    assert answer.responder.name == "UBND tỉnh"  # "UBND tỉnh xin báo cáo ... như sau:"
    assert answer.text.startswith("Hàng năm, công tác rà soát quy hoạch")
    assert not any("đã ban hành" in c.quote for c in transcript.candidates)


def test_a_listing_with_glued_row_numbers_is_a_table_of_petitions() -> None:
    text = (FIXTURES / "corpus/petition_table/tuyen-quang-vinh-loi-list.txt").read_text()
    transcript = parse(text, DAY)
    assert len(transcript.questions) == 8
    assert transcript.questions[0].text.startswith("Kiểm tra và trả lời bằng văn bản")
    assert {q.asker.name for q in transcript.questions} == {"Cử tri"}
    assert transcript.answers == [] and transcript.candidates == []


def test_a_petition_with_no_reply_is_still_read() -> None:
    text = ("Cử tri thành phố Huế: Kiến nghị Tỉnh quan tâm đầu tư hệ thống cống rãnh thoát "
            "nước trên đoạn đường Tỉnh lộ 2 (đoạn qua thôn Mậu Tài) để chống ngập úng.\n")
    assert read(text, DAY) is None  # no reply: not this shape's text by itself ...
    [question] = parse(text, DAY).questions  # ... but not refused either
    assert question.asker.name == "Cử tri thành phố Huế"
    assert question.text.startswith("Kiến nghị Tỉnh quan tâm")


def test_a_dialogue_is_not_taken_for_petitions() -> None:
    text = (FIXTURES / "transcripts/liveblog-dialogue-2024.txt").read_text()
    assert read(text, date(2024, 5, 10)) is None


def test_bodies_are_read_to_the_end_of_their_name() -> None:
    assert body_at("UBND huyện Gia Viễn trả lời như sau:", 0) == "UBND huyện Gia Viễn"
    assert body_at("UBND các xã, phường khảo sát", 0) == "UBND các xã, phường"
    assert body_at("Điện lực Gia Viễn cho kiểm tra", 0) == "Điện lực Gia Viễn"
    assert body_at("UBND thành phố như sau:", 0) == "UBND thành phố"
    assert body_at("Tổng Công ty Becamex IDC là Chủ đầu tư", 0) == "Tổng Công ty Becamex IDC"
    # written_reply/lai-chau-tra-loi-truoc-ky-hop-10-2019: a company's name
    # runs on in lower case to the capitalised words after; what it does
    # does not.
    assert body_at("Công ty TNHH MTV Quản lý thuỷ nông tỉnh Lai Châu đầu tư bổ sung thêm 400m",
                   0) == "Công ty TNHH MTV Quản lý thuỷ nông tỉnh Lai Châu"
    assert body_at("Công ty Becamex thực hiện Dự án Khu A", 0) == "Công ty Becamex"
    assert body_at("Tổng Công ty Becamex IDC tại Khu công nghiệp Mỹ Phước", 0) == \
        "Tổng Công ty Becamex IDC"


def test_a_company_owns_a_task_by_its_whole_name() -> None:
    text = ("Cử tri xã Tà Mung kiến nghị: công trình thủy lợi Nậm Mở mùa khô không đủ nước.\n"
            "Uỷ ban nhân dân tỉnh trả lời như sau: Uỷ ban nhân dân tỉnh đã chỉ đạo Công ty TNHH "
            "MTV Quản lý thuỷ nông tỉnh Lai Châu đầu tư bổ sung thêm 400m tuyến kênh.\n")
    [candidate] = parse(text, DAY).candidates
    assert candidate.owner == "Công ty TNHH MTV Quản lý thuỷ nông tỉnh Lai Châu"


def test_a_long_reply_is_read_in_step_with_its_length(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted, not timed: each directed body used to be looked for in the
    whole rest of the reply, so a long reply took the square of its length."""
    from service.transcript import petitions

    folded = 0

    def counting(text: str) -> str:
        nonlocal folded
        folded += 1
        return fold(text)

    monkeypatch.setattr(petitions, "fold", counting)
    sentence = ("Ủy ban nhân dân tỉnh giao Ủy ban nhân dân huyện Sơn Dương khẩn trương thực hiện "
                "nội dung đã thống nhất.\n")
    counts = []
    for size in (100, 1000):
        folded = 0
        transcript = parse("Cử tri Xã Thanh Phát, huyện Sơn Dương đề nghị:\n\nGiải quyết dứt "
                           "điểm việc tranh chấp đất đai\n\nTRẢ LỜI:\n\n" + sentence * size, DAY)
        assert len(transcript.candidates) == size
        counts.append(folded)
    assert counts[1] / counts[0] < 15, counts


def test_a_petition_sites_fields_are_a_petition_and_its_reply() -> None:
    # written_reply/mat-tran-so-pakn-rac-thai-2025: "Nội dung:" over the
    # petition, "Cơ quan chức năng trả lời:" over the reply by a body it does
    # not name; the petition's own request is no promise.
    text = ("Chi tiết Phản ánh, Kiến nghị\n"
            "Phản ánh, kiến nghị: Rác thải ra môi trường\n"
            "Nội dung:\n"
            "Hiện nay tình hình xử lý rác thải ở địa phương còn nhiều bất cập. Nên đề nghị các "
            "cấp quan tâm đầu tư hệ thống xử lý rác thải.\n"
            "Cơ quan chức năng trả lời:\n"
            "Tiếp thu, xác minh ý kiến\n")
    t = parse(text, date(2025, 9, 8))
    [question] = t.questions
    assert question.text.startswith("Hiện nay tình hình xử lý rác thải")
    [answer] = t.answers
    assert answer.responder.name == "Cơ quan chức năng"
    assert answer.question_keys == (question.key,)
    assert answer.text == "Tiếp thu, xác minh ý kiến"
    assert t.candidates == []


def test_voters_of_a_commune_named_under_their_district_ask() -> None:
    # written_reply/lai-chau-tra-loi-truoc-ky-hop-10-2019
    text = ("1. Cử tri huyện Than Uyên: - Cử tri xã Tà Mung, Mường Kim kiến nghị: công trình "
            "thủy lợi Nậm Mở mùa khô không đủ nước tưới.\n"
            "Uỷ ban nhân dân tỉnh trả lời như sau: Sở Nông nghiệp sẽ khảo sát bổ sung nguồn "
            "nước.\n")
    [question] = parse(text, DAY).questions
    assert question.asker.name == "Cử tri xã Tà Mung, Mường Kim"
    assert question.text.startswith("công trình thủy lợi Nậm Mở")
