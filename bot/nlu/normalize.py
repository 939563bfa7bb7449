"""Normalise what citizens type before anything reads it (NLU pipeline and every channel).

- NFC Unicode, whitespace collapsed, zero-width characters removed;
- old-style tone placement to new style ("hoà" -> "hòa", "thuỷ" -> "thủy");
- a small map of *unambiguous* teencode ("ko" -> "không", "dc" -> "được", "j" -> "gì").
  Ambiguous short forms ("bn" = bạn or bao nhiêu, "đk"/"dk" = đăng ký or được, "v" = vậy or
  với) are left for the model to learn from training data.
"""

from __future__ import annotations

import re
from typing import Dict

from procedures_kb.text import new_style_tones

TEENCODE: Dict[str, str] = {
    "ko": "không",
    "k": "không",
    "kh": "không",
    "hok": "không",
    "hông": "không",
    "khum": "không",
    "kg": "không",
    "dc": "được",
    "đc": "được",
    "j": "gì",
    "gi": "gì",
    "z": "vậy",
    "dz": "vậy",
    "ntn": "như thế nào",
    "nt": "như thế",
    "mn": "mọi người",
    "mk": "mình",
    "mik": "mình",
    "r": "rồi",
    "ok": "ok",
    "oke": "ok",
    "okie": "ok",
    "sdt": "số điện thoại",
    "tks": "cảm ơn",
    "thks": "cảm ơn",
    "cccd": "căn cước công dân",
    "cmnd": "chứng minh nhân dân",
}

_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([?!,;:])(?=\s|$)")


def normalize(text: str) -> str:
    """The text as the rest of the assistant reads it: only whole words are replaced, so codes
    ("1.004222", "000.00.53.H48-220921-0099") and button payloads ("/ask_fee{…}") keep every
    character. Case is kept except in replaced words."""
    if text.startswith("/"):
        return text  # an intent payload from a button, parsed by Rasa as written
    text = _INVISIBLE_RE.sub("", new_style_tones(text))
    text = _WORD_RE.sub(lambda word: TEENCODE.get(word.group().lower(), word.group()), text)
    text = " ".join(text.split())
    return _SPACE_BEFORE_PUNCT_RE.sub(r"\1", text)
