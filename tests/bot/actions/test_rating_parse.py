"""The reply to "rate the help from 1 to 5": what a citizen types (with or without diacritics, with
polite words, as stars) reads as the score they mean; a skip reads as a skip; a question is neither."""

from __future__ import annotations

from typing import Optional

import pytest

from bot.actions.rating_parse import is_skip, read_rating


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("5", 5),
        ("1", 1),
        (" 3 ", 3),
        ("5 sao", 5),
        ("4 sao ạ", 4),
        ("cho 5 sao nhé", 5),
        ("mình chấm 4 sao, cảm ơn bạn", 4),
        ("5 điểm", 5),
        ("5/5", 5),
        ("3 / 5", 3),
        ("5 trên 5", 5),
        ("5*", 5),
        ("4⭐", 4),
        ("⭐⭐⭐", 3),
        ("⭐⭐⭐⭐⭐", 5),
        ("★★", 2),
        ("5️⃣", 5),
        ("năm sao", 5),
        ("nam sao", 5),
        ("Năm", 5),
        ("ba sao", 3),
        ("một sao", 1),
        ("bốn", 4),
        ("số 5", 5),
        ("tốt", 4),
        ("tot", 4),
        ("Tốt lắm", 5),
        ("rất tốt", 5),
        ("rat tot", 5),
        ("hỗ trợ rất tốt ạ", 5),
        ("tuyệt", 5),
        ("tuyệt vời!", 5),
        ("tuyet voi", 5),
        ("xuất sắc", 5),
        ("hoàn hảo", 5),
        ("hài lòng", 4),
        ("rất hài lòng", 5),
        ("bình thường", 3),
        ("binh thuong", 3),
        ("tạm được", 3),
        ("không tệ", 3),
        ("tệ", 2),
        ("te", 2),
        ("kém", 2),
        ("kem", 2),
        ("không tốt", 2),
        ("ko tot", 2),
        ("chưa hài lòng", 2),
        ("không hài lòng lắm", 2),
        ("rất tệ", 1),
        ("rat te", 1),
        ("tệ quá", 1),
        ("quá kém", 1),
        ("tồi tệ", 1),
        ("rất không hài lòng", 1),
    ],
)
def test_ratings_as_citizens_type_them(text: str, score: int) -> None:
    assert read_rating(text) == score
    assert not is_skip(text)


@pytest.mark.parametrize(
    "text",
    [
        "làm hộ chiếu cần gì",
        "5 giờ chiều mở cửa không",
        "lệ phí 5 nghìn đúng không",
        "5 ngày nữa có kết quả chưa",
        "tôi muốn hỏi thêm về khai sinh",
        "6",
        "0",
        "10/10",
        "15",
        "có",
        "ok",
        "cảm ơn",
        "",
        "⭐⭐⭐⭐⭐⭐",
        "tám",
        "tra cứu hồ sơ 000.00.53.H48-220921-0099",
        "5 " * 200,
    ],
)
def test_questions_and_other_replies_are_not_ratings(text: str) -> None:
    assert read_rating(text) is None


@pytest.mark.parametrize(
    "text",
    ["không", "Không.", "ko", "k", "không ạ", "không, cảm ơn", "bỏ qua", "Bỏ qua", "bo qua", "thôi", "thoi",
     "thôi khỏi", "không cần đâu", "ko can dau ban", "để sau", "chưa", "không có gì"],
)  # fmt: skip
def test_skips(text: str) -> None:
    assert is_skip(text)
    assert read_rating(text) is None


@pytest.mark.parametrize("text", ["không biết làm hộ chiếu ở đâu", "thôi việc cần giấy tờ gì", "có", "5", "sau này"])
def test_a_sentence_with_a_skip_word_is_not_a_skip(text: str) -> None:
    assert not is_skip(text)


@pytest.mark.parametrize(("text", "expected"), [("Rất Tốt", 5), ("RẤT TỆ", 1), ("tốt", 4)])
def test_case_and_unicode_forms_do_not_matter(text: str, expected: Optional[int]) -> None:
    import unicodedata

    assert read_rating(unicodedata.normalize("NFD", text)) == expected
    assert read_rating(text.upper()) == expected
