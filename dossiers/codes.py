"""Dossier codes (mã hồ sơ) as citizens type them, made into the form portals know.

Thông tư 01/2018/TT-VPCP Điều 19: `000.00.53.H48-220921-0099` — the receiving unit's code, the
day received (YYMMDD) and a 4-digit sequence. Citizens type it with spaces, lower case, missing
dots or dashes; some agencies (social insurance) use their own numbers such as
`03706/2026/07906`, which are kept as typed.
"""

from __future__ import annotations

import re
from typing import Optional

EXAMPLE = "000.00.53.H48-220921-0099"
STRICT = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$")
_SEP = r"[\s.\-_/,]*"
# The national code with any separators (or none) between its parts.
_NATIONAL = re.compile(
    rf"(?<![\dA-Za-z])(\d{{3}}){_SEP}(\d{{2}}){_SEP}(\d{{2}}){_SEP}([A-Za-z]){_SEP}(\d{{2}}){_SEP}(\d{{6}}){_SEP}(\d{{4}})(?![\dA-Za-z])"
)
_AGENCY = re.compile(r"(?<!\d)(\d{5}/\d{4}/\d{5})(?!\d)")
# Something the citizen meant as a code: a long run of digits, a unit code like "H48" with a
# digit after it on the line, or digit groups joined by dots or dashes. (`[^\d\n]*\d`, not
# `.*\d`: each try stops at the first digit, so the search stays linear in the message.)
_CODE_LIKE = re.compile(r"\d{6,}|\b[A-Za-z]\d{2}\b[^\d\n]*\d|\d+[.\-/]\d+[.\-/]\d+")


def find_code(text: str) -> Optional[str]:
    """The dossier code in a message, normalised, or None."""
    found = _NATIONAL.search(text)
    if found:
        a, b, c, letter, unit, day, seq = found.groups()
        return f"{a}.{b}.{c}.{letter.upper()}{unit}-{day}-{seq}"
    agency = _AGENCY.search(text)
    return agency.group(1) if agency else None


def looks_like_code(text: str) -> bool:
    """The message holds something meant as a code (that `find_code` could not read)."""
    return bool(_CODE_LIKE.search(text))


def last_digits(text: str) -> Optional[str]:
    """The 4 digits a citizen sends to prove a dossier is theirs ("5678", "4 số cuối là 56 78",
    or the whole phone number, of which the last 4 count). None when there is no single answer."""
    candidates = []
    for group in re.findall(r"\d+(?:[ .]\d+)*", text):
        digits = re.sub(r"\D", "", group)
        if len(digits) == 4:
            candidates.append(digits)
        elif 9 <= len(digits) <= 11:
            candidates.append(digits[-4:])
    return candidates[0] if len(candidates) == 1 else None
