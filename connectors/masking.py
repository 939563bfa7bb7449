"""`mask(text)`: a citizen's message as a helper's screen, a log or the insights may show it, with the numbers that
identify a person hidden but for their last digits.

- Vietnamese phone numbers, mobile (0912 345 678) and landline (024 3823 4567), national or
  international (+84 912 345 678, (+84) 0912…, 0084…), with spaces, dots or dashes: `09******78`,
  `+84*******78` (the prefix and the last 2 digits stay).
- CCCD numbers (12 digits, 001…096 first), with or without groups: `*********345`.
- Dossier codes (`000.00.53.H48-220921-0099`, as typed: spaces, lower case, missing dots) and,
  loosely, any long code of digits and letters joined by dots, dashes or slashes (a social
  insurance number `03706/2026/07906`, a plate `29A-123.45`), or a run of 9+ digits (an old
  9-digit ID, an account): the separators and the last 3 characters stay, `***.**.**.***-******-*099`.

Amounts (`1.500.000 đồng`, `150000000đ`), dates, time ranges and legal document numbers
(`01/2018/TT-VPCP`) are left as they are: a helper needs them.
"""

from __future__ import annotations

import re
from typing import Callable, List, Tuple

_DIGIT_SEP = r"[ .\-]?"
_LOOSE_SEP = r"[ .\-_/]{0,2}"
_MOBILE_OR_LANDLINE = rf"(?:[35789](?:{_DIGIT_SEP}[0-9]){{8}}|2(?:{_DIGIT_SEP}[0-9]){{9}})"

_DOSSIER = re.compile(
    rf"(?<![0-9A-Za-z])[0-9]{{3}}{_LOOSE_SEP}[0-9]{{2}}{_LOOSE_SEP}[0-9]{{2}}{_LOOSE_SEP}[A-Za-z][0-9]{{2}}"
    rf"{_LOOSE_SEP}[0-9]{{6}}{_LOOSE_SEP}[0-9]{{4}}(?![0-9A-Za-z])"
)
_CCCD = re.compile(r"(?<![0-9])(?:0[0-9]{11}|0[0-9]{2}(?:[ .\-][0-9]{3}){3}|0[0-9]{3}(?:[ .\-][0-9]{4}){2})(?![0-9])")
_INTERNATIONAL = re.compile(
    rf"(?<![0-9])(?:\(\+?84\)|\+84|0084|84)[ .\-]?(?:\(0\)[ .\-]?|0)?(?P<number>{_MOBILE_OR_LANDLINE})(?![0-9])"
)
_NATIONAL = re.compile(rf"(?<![0-9])0{_MOBILE_OR_LANDLINE}(?![0-9])")
# A code: letters and digits joined by separators, or a long run of digits not followed by a currency.
_CODE = re.compile(
    r"(?<![^\W_])[^\W_]+(?:[.\-/][^\W_]+)+(?![^\W_])"
    r"|(?<![0-9])[0-9]{9,}(?![0-9])(?!\s?(?:(?:đồng|vnđ|vnd|đ)(?!\w)|₫))",
    re.IGNORECASE,
)
_NOT_A_CODE = re.compile(
    r"[0-9]{1,3}(?:[.,][0-9]{3})+(?:đồng|vnđ|vnd|đ)?"  # an amount: 1.500.000, 150.000.000đ
    r"|[0-9]{1,2}[./\-][0-9]{1,2}[./\-][0-9]{2,4}"  # a date: 22/11/2026, 22-11-2026
    r"|[0-9]{4}[./\-][0-9]{1,2}[./\-][0-9]{1,2}"  # a date: 2026-11-22
    r"|[0-9]{1,2}[.h][0-9]{2}-[0-9]{1,2}[.h][0-9]{2}"  # a time range: 07.30-11.30
    r"|[0-9]{4}-[0-9]{4}"  # years: 2020-2025
    r"|[0-9]{1,5}/[0-9]{4}/[^\W\d_].*",  # a legal document: 01/2018/TT-VPCP, 63/2010/NĐ-CP
    re.IGNORECASE,
)


def _digits(text: str) -> str:
    return "".join(c for c in text if c in "0123456789")


def _keep_end(token: str, visible: int = 3) -> str:
    """Letters and digits hidden but the last `visible`; separators kept."""
    places = [i for i, c in enumerate(token) if c.isalnum()]
    shown = set(places[-visible:])
    return "".join("*" if c.isalnum() and i not in shown else c for i, c in enumerate(token))


def _national(match: re.Match) -> str:
    digits = _digits(match.group(0))
    return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]


def _international(match: re.Match) -> str:
    digits = _digits(match.group("number"))
    return "+84" + "*" * (len(digits) - 2) + digits[-2:]


def _cccd(match: re.Match) -> str:
    digits = _digits(match.group(0))
    return "*" * (len(digits) - 3) + digits[-3:]


def _code(match: re.Match) -> str:
    token = match.group(0)
    digits = len(_digits(token))
    has_letter = any(c.isalpha() for c in token)
    if _NOT_A_CODE.fullmatch(token) or not (digits >= 9 or (has_letter and digits >= 6)):
        return token
    return _keep_end(token)


# In this order: a dossier code holds digit groups a phone rule could take, a CCCD holds a phone's length.
_RULES: List[Tuple[re.Pattern, Callable[[re.Match], str]]] = [
    (_DOSSIER, lambda m: _keep_end(m.group(0))),
    (_CCCD, _cccd),
    (_INTERNATIONAL, _international),
    (_NATIONAL, _national),
    (_CODE, _code),
]


def mask(text: str) -> str:
    """`text` with phone, CCCD and dossier numbers (and long codes) hidden but for their last digits."""
    for pattern, hide in _RULES:
        text = pattern.sub(hide, text)
    return text
