"""Rules of service.transcript.deadlines: each stated form, resolved against
the dialogue's day (10 May 2024)."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from service.transcript import parse
from service.transcript.deadlines import find

DAY = date(2024, 5, 10)


@pytest.mark.parametrize(
    ("sentence", "due_on", "due_text"),
    [
        ("Sở sẽ hoàn thành trong năm 2024.", date(2024, 12, 31), "trong năm 2024"),
        ("Sở sẽ hoàn thành trong năm nay.", date(2024, 12, 31), "trong năm nay"),
        ("Sở sẽ báo cáo trước ngày 30/6/2024.", date(2024, 6, 30), "trước ngày 30/6/2024"),
        ("Sở sẽ báo cáo trước 15/7.", date(2024, 7, 15), "trước 15/7"),
        ("Sở sẽ báo cáo trước ngày 15/3.", date(2025, 3, 15), "trước ngày 15/3"),
        ("Sở sẽ báo cáo chậm nhất là ngày 20/8/2024.", date(2024, 8, 20),
         "chậm nhất là ngày 20/8/2024"),
        ("Sở sẽ xong trong quý III.", date(2024, 9, 30), "trong quý III"),
        ("Sở sẽ xong trong quý 3.", date(2024, 9, 30), "trong quý 3"),
        ("Sở sẽ xong trong quý III/2024.", date(2024, 9, 30), "trong quý III/2024"),
        ("Sở sẽ xong quý IV năm 2024.", date(2024, 12, 31), "quý IV năm 2024"),
        ("Sở sẽ xong trong quý I.", date(2025, 3, 31), "trong quý I"),
        ("Sở sẽ xong trong quý II.", date(2024, 6, 30), "trong quý II"),
        ("tổ chức từ ngày 01/5 đến 31/5 hằng năm", date(2024, 5, 31), "từ ngày 01/5 đến 31/5"),
        ("tổ chức từ ngày 01/6/2024 đến ngày 15/7/2024", date(2024, 7, 15),
         "từ ngày 01/6/2024 đến ngày 15/7/2024"),
        ("Sở sẽ xong trong tháng 6/2024.", date(2024, 6, 30), "trong tháng 6/2024"),
        ("Sở sẽ xong trong tháng 6.", date(2024, 6, 30), "trong tháng 6"),
        ("Sở sẽ xong tháng 2 năm 2025.", date(2025, 2, 28), "tháng 2 năm 2025"),
        ("Sở sẽ xong trong tháng 4.", date(2025, 4, 30), "trong tháng 4"),
        ("phấn đấu đến cuối năm 2025", date(2025, 12, 31), "cuối năm 2025"),
        ("phấn đấu đến cuối năm sẽ xong", date(2024, 12, 31), "cuối năm"),
    ],
)
def test_deadline_forms(sentence: str, due_on: date, due_text: str) -> None:
    found = find(sentence, DAY)
    assert found is not None
    assert (found.due_on, found.text) == (due_on, due_text)
    assert found.text in sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "Trong thời gian tới Sở sẽ xem xét.",
        "Sở đã ban hành Công văn số 473/SNV-CCVC ngày 09/4/2024.",
        "Tính đến 31/3/2024, toàn tỉnh có 1.025 doanh nghiệp.",
        "4 tháng đầu năm tiếp nhận 1.158 hồ sơ.",
        "giai đoạn 2021-2025",
        "thực hiện như đã cam kết trong báo cáo giải trình số 118/BC-UBND ngày 10 tháng\n"
        "7 năm 2017 của Ủy ban nhân dân tỉnh.",
        "theo Kế hoạch ngày 5 tháng 6 của UBND tỉnh",
    ],
)
def test_no_deadline(sentence: str) -> None:
    assert find(sentence, DAY) is None


def test_nfd_input_is_read_once_normalised() -> None:
    text = unicodedata.normalize(
        "NFD", "Ông Trần Văn Tư, Giám đốc Sở Y tế trả lời: Sở Y tế sẽ xem xét trong quý III.\n"
    )
    candidate = parse(text, DAY).candidates[0]
    assert candidate.due_on == date(2024, 9, 30)
    assert candidate.due_text == "trong quý III"


# Deadlines as resolutions and letters state them (tests/fixtures/corpus).
@pytest.mark.parametrize(
    ("sentence", "held_on", "due_on", "due_text"),
    [
        ("Báo cáo yêu cầu gửi về Văn phòng UBND tỉnh trước 14 giờ, ngày 05/12/2017.",
         date(2017, 12, 4), date(2017, 12, 5), "trước 14 giờ, ngày 05/12/2017"),
        ("ông chỉ đạo các sở, ngành cần chuẩn bị kỹ báo cáo tiếp thu giải trình, gửi UBND tỉnh "
         "chậm nhất ngày 30-6.", date(2014, 6, 27), date(2014, 6, 30), "chậm nhất ngày 30-6"),
        ("khẩn trương sửa chữa, khắc phục hiện tượng rò rỉ đối với công trình hồ thủy lợi thôn Mã "
         "Tẻn, xã Bản Máy, huyện Hoàng Su Phì xong trước ngày 30/8/2017.", date(2017, 7, 1),
         date(2017, 8, 30), "trước ngày 30/8/2017"),
        ("công trình thủy lợi Ngọc Linh, huyện Vị Xuyên hoàn thành và đưa vào sử dụng trong "
         "tháng 3\nnăm 2018", date(2017, 7, 1), date(2018, 3, 31), "trong tháng 3\nnăm 2018"),
        ("đưa vào sử dụng trong Quý IV năm 2018.", date(2017, 7, 1), date(2018, 12, 31),
         "trong Quý IV năm 2018"),
    ],
)
def test_deadline_forms_of_directives(sentence: str, held_on: date, due_on: date,
                                      due_text: str) -> None:
    found = find(sentence, held_on)
    assert found is not None
    assert (found.due_on, found.text) == (due_on, due_text)


def test_a_period_keeps_its_words_and_no_day() -> None:
    found = find("Tích cực, chủ động triển khai các phương án phòng, chống lụt, bão trong những "
                 "tháng cuối năm.", date(2018, 11, 9))
    assert found is not None
    assert (found.due_on, found.text) == (None, "trong những tháng cuối năm")


def test_a_range_of_years_is_no_deadline() -> None:
    assert find("thực hiện dự án trong giai đoạn 2018 - 2020", DAY) is None


def test_a_day_in_words_after_a_deadline_word_is_a_deadline() -> None:
    found = find("Sở gửi báo cáo trước ngày 10 tháng 7 năm 2024.", DAY)
    assert found is not None
    assert (found.due_on, found.text) == (date(2024, 7, 10), "trước ngày 10 tháng 7 năm 2024")


@pytest.mark.parametrize("years", ["những năm tiếp theo", "các năm sau"])
def test_a_year_and_the_years_after_it_is_an_ongoing_period(years: str) -> None:
    found = find(f"đẩy nhanh tiến độ trồng rừng trong năm 2017 và {years}, tập trung trồng "
                 "rừng ngập mặn", date(2017, 7, 13))
    assert found is not None
    assert (found.due_on, found.text) == (None, f"trong năm 2017 và {years}")
