"""Splitting long answers for the chat platforms."""

from __future__ import annotations

import unicodedata

from connectors.text import split_text


def test_short_text_is_one_part_in_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    assert split_text(decomposed, 4096) == ["Đăng ký khai sinh"]


def test_long_text_splits_on_paragraphs_first() -> None:
    paragraphs = [(f"Đoạn {i}: " + "giấy tờ " * 40).strip() for i in range(12)]
    text = "\n\n".join(paragraphs)
    parts = split_text(text, 1000)
    assert all(len(p) <= 1000 for p in parts)
    assert "\n\n".join(parts) == text  # nothing lost, breaks only between paragraphs
    assert all(p.startswith("Đoạn ") for p in parts)


def test_a_paragraph_too_long_splits_by_lines_then_words() -> None:
    text = "\n".join("dòng " + "chữ " * 30 for _ in range(5))
    parts = split_text(text, 200)
    assert all(len(p) <= 200 for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())
    assert split_text("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]
