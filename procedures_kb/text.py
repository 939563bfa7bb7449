"""Text helpers for Vietnamese: NFC, accent folding, tokens."""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from typing import List, Tuple

_WORD_RE = re.compile(r"\w+")
_FOLDED_RE = re.compile(r"[0-9a-z]+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower case without diacritics: "Đăng ký Thường trú" -> "dang ky thuong tru"."""
    if len(text) <= _SHORT:
        return _fold_word(text)  # a word: the same few thousand recur (the index folds ~500,000)
    return _fold(text)


_SHORT = 24


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d")


_fold_word = functools.lru_cache(maxsize=65_536)(_fold)


def tokens(text: str) -> List[str]:
    """Folded word tokens; punctuation and emoji are dropped."""
    return _FOLDED_RE.findall(fold(text))


def word_pairs(text: str) -> List[Tuple[str, str]]:
    """(lower-case NFC word, folded word) pairs, so a match can tell "cần" from "căn". The words
    are interned: the index of the catalogue holds each of a few thousand words once, not once per
    name it appears in (tens of megabytes)."""
    pairs = []
    for word in _WORD_RE.findall(new_style_tones(text.lower())):
        for folded in _FOLDED_RE.findall(fold(word)):
            folded = sys.intern(folded)
            pairs.append((sys.intern(word) if folded == fold(word) else folded, folded))
    return pairs


def has_diacritics(word: str) -> bool:
    return fold(word) != word


# Old-style tone placement on oa/oe/uy at the end of a syllable ("hoà", "thuỷ") -> new style
# ("hòa", "thủy"). Not after "q" ("quý" is the same in both) and not before a final consonant
# ("hoàn" is written the same in both).
_TONED = {"a": "àáảãạ", "e": "èéẻẽẹ", "y": "ỳýỷỹỵ"}
_TONELESS = {"o": "òóỏõọ", "u": "ùúủũụ"}
_OLD_STYLE_RE = re.compile(
    r"(?<![qQ])([oOuU])([àáảãạèéẻẽẹỳýỷỹỵ])(?![a-zA-Zàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ])"
)


def _move_tone(match: re.Match[str]) -> str:
    first, toned = match.group(1), match.group(2)
    for base, marks in _TONED.items():
        if toned in marks:
            tone = marks.index(toned)
            pair = {"o": ("a", "e"), "u": ("y",)}[first.lower()]
            if base not in pair:
                return match.group(0)
            moved = _TONELESS[first.lower()][tone]
            return (moved.upper() if first.isupper() else moved) + base
    return match.group(0)


def new_style_tones(text: str) -> str:
    """ "hoà" -> "hòa", "thuỷ" -> "thủy", "Khánh Hoà" -> "Khánh Hòa"; other text unchanged."""
    return _OLD_STYLE_RE.sub(_move_tone, nfc(text))
