"""The key that groups the same question typed differently: "Làm giấy khai sinh cần gì?" and
"lam giay khai sinh can gi" are one question for the admins who read what is asked.

NFC, lower case, accents folded (`procedures_kb.text.fold`, as the search folds), punctuation
removed, spaces collapsed; a masked number (`09******78`, `***.**.**.***-******-*099`) becomes
`#`, so messages that differ only by the number typed group together.
"""

from __future__ import annotations

import re

from console.insights.tables import TEXT_KEY_CHARS
from procedures_kb.text import fold, nfc

_MASKED = re.compile(r"[\w*.\-/+()]*\*[\w*.\-/+()]*")
_NOT_WORD = re.compile(r"[^\w#]+|_+")


def text_key(text: str) -> str:
    """The normalised text (at most TEXT_KEY_CHARS characters)."""
    folded = fold(nfc(text))
    folded = _MASKED.sub(" # ", folded)
    return " ".join(_NOT_WORD.sub(" ", folded).split())[:TEXT_KEY_CHARS].strip()
