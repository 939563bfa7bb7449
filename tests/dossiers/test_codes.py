from __future__ import annotations

from typing import Optional

import pytest

from dossiers.codes import STRICT, find_code, last_digits, looks_like_code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("000.00.53.H48-220921-0099", "000.00.53.H48-220921-0099"),
        ("ma ho so 000 00 53 h48 220921 0099 xong chua", "000.00.53.H48-220921-0099"),
        ("00000.53H48-220921-0099", "000.00.53.H48-220921-0099"),
        ("hồ sơ 000.00.53.h48.220921.0099 đến đâu rồi", "000.00.53.H48-220921-0099"),
        ("0000053H482209210099", "000.00.53.H48-220921-0099"),
        ("mã BHXH 03706/2026/07906 ạ", "03706/2026/07906"),
        ("000.00.53.H48-220921-009", None),  # a digit missing
        ("000.00.53.H48-220921-00991", None),  # one too many
        ("tra cứu hồ sơ", None),
    ],
)
def test_codes_are_found_and_normalised(text: str, code: Optional[str]) -> None:
    assert find_code(text) == code
    if code and "/" not in code:
        assert STRICT.match(code)


@pytest.mark.parametrize(
    ("text", "meant"),
    [("hs 123456", True), ("000.00.53.H48-220921-009", True), ("H48 22", True), ("tra cứu hồ sơ", False)],
)
def test_something_meant_as_a_code_is_recognised(text: str, meant: bool) -> None:
    assert looks_like_code(text) is meant


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("5678", "5678"),
        ("4 số cuối là 56 78", "5678"),
        ("0905 123 405", "3405"),
        ("so cuoi 1234 nha", "1234"),
        ("12345", None),
        ("1234 hay 5678", None),
        ("không nhớ", None),
    ],
)
def test_last_four_digits(text: str, digits: Optional[str]) -> None:
    assert last_digits(text) == digits
