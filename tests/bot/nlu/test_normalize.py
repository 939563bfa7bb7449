"""What citizens type is read the same however it was typed."""

from __future__ import annotations

import unicodedata

import pytest

from bot.nlu.normalize import normalize
from procedures_kb.text import new_style_tones


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("làm cccd mất bao lâu ko?", "làm căn cước công dân mất bao lâu không?"),
        ("đăng ký tạm trú dc k z", "đăng ký tạm trú được không vậy"),
        ("thuế j", "thuế gì"),
        ("Khánh Hoà", "Khánh Hòa"),
        ("  lệ phí    bao nhiêu ?  ", "lệ phí bao nhiêu?"),
        ("khai\u200bsinh", "khaisinh"),
        ("bn tiền", "bn tiền"),  # ambiguous: bạn / bao nhiêu, left to the model
        ("đk tạm trú", "đk tạm trú"),  # ambiguous: đăng ký / được
        ("😀 làm căn cước", "😀 làm căn cước"),
        ("thủ tục 1.004222 lệ phí bao nhiêu", "thủ tục 1.004222 lệ phí bao nhiêu"),
        ("hồ sơ 000.00.53.H48-220921-0099 xong chưa", "hồ sơ 000.00.53.H48-220921-0099 xong chưa"),
        ("20.000đ hay 20k", "20.000đ hay 20k"),
        ('/ask_fee{"procedure": "thuong-tru"}', '/ask_fee{"procedure": "thuong-tru"}'),
    ],
)
def test_normalize(typed: str, read: str) -> None:
    assert normalize(typed) == read


def test_decomposed_input_becomes_nfc() -> None:
    typed = unicodedata.normalize("NFD", "đăng ký thường trú")
    assert normalize(typed) == "đăng ký thường trú"
    assert unicodedata.is_normalized("NFC", normalize(typed))


@pytest.mark.parametrize(
    ("old", "new"),
    [("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"), ("toà án", "tòa án"), ("Thuỵ", "Thụy")],
)
def test_old_tone_placement_moves(old: str, new: str) -> None:
    assert new_style_tones(old) == new


@pytest.mark.parametrize("same", ["hoàn", "quý", "quỳ", "hòa", "thủy", "khai sinh"])
def test_words_written_alike_in_both_styles_stay(same: str) -> None:
    assert new_style_tones(same) == same
