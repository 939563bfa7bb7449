"""Text helpers for Vietnamese: NFC, accent folding, tokens."""

from __future__ import annotations

import re
import unicodedata
from typing import List, Tuple

_WORD_RE = re.compile(r"\w+")
_FOLDED_RE = re.compile(r"[0-9a-z]+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower case without diacritics: "Đăng ký Thường trú" -> "dang ky thuong tru"."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d")


def tokens(text: str) -> List[str]:
    """Folded word tokens; punctuation and emoji are dropped."""
    return _FOLDED_RE.findall(fold(text))


def word_pairs(text: str) -> List[Tuple[str, str]]:
    """(lower-case NFC word, folded word) pairs, so a match can tell "cần" from "căn"."""
    pairs = []
    for word in _WORD_RE.findall(nfc(text.lower())):
        for folded in _FOLDED_RE.findall(fold(word)):
            pairs.append((word if folded == fold(word) else folded, folded))
    return pairs


def has_diacritics(word: str) -> bool:
    return fold(word) != word
