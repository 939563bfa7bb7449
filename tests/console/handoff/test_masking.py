"""`mask` on messages as citizens write them: what identifies a person is hidden but for its last
digits, and what a helper needs (amounts, dates, legal references, procedure codes) stays."""

from __future__ import annotations

import unicodedata

import pytest

from console.handoff.masking import mask


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        # Mobile phones, as typed.
        ("Số điện thoại của em là 0912345689 ạ", "Số điện thoại của em là 09******89 ạ"),
        ("sđt: 0912 345 689, gọi giờ hành chính giúp em", "sđt: 09******89, gọi giờ hành chính giúp em"),
        ("SĐT 091.234.5689 hoặc 0987-654-321", "SĐT 09******89 hoặc 09******21"),
        ("Zalo em 0358 123 456 nha anh", "Zalo em 03******56 nha anh"),
        ("sdt0912345689", "sdt09******89"),
        ("gọi 0912345689 đến giúp", "gọi 09******89 đến giúp"),
        # International form.
        ("liên hệ +84 912 345 689", "liên hệ +84*******89"),
        ("(+84) 0912345689 là số của mẹ tôi", "+84*******89 là số của mẹ tôi"),
        ("+84912345689", "+84*******89"),
        ("0084 912 345 689", "+84*******89"),
        ("84912345689", "+84*******89"),
        # Landlines.
        ("máy bàn nhà tôi 024 3823 4567", "máy bàn nhà tôi 02*******67"),
        ("02838234567", "02*******67"),
        # CCCD (12 digits) and the old 9-digit CMND.
        ("CCCD của tôi: 079203012345", "CCCD của tôi: *********345"),
        ("số căn cước 079 203 012 345 cấp ngày 12/03/2021", "số căn cước *********345 cấp ngày 12/03/2021"),
        ("căn cước 0792.0301.2345", "căn cước *********345"),
        ("CMND cũ 012345678", "CMND cũ ******678"),
        # Dossier codes, as the portal writes them and as citizens type them.
        ("Mã hồ sơ 000.00.53.H48-220921-0099 nộp hôm qua", "Mã hồ sơ ***.**.**.***-******-*099 nộp hôm qua"),
        ("mã hs: 000.00.00.h00-260101-0001 sao chưa xong", "mã hs: ***.**.**.***-******-*001 sao chưa xong"),
        ("000 00 53 H48 220921 0099", "*** ** ** *** ****** *099"),
        ("hồ sơ H48-220921-0099.", "hồ sơ ***-******-*099."),
        # Other codes: a social insurance number, a plate, a long number.
        ("Mã BHXH 03706/2026/07906", "Mã BHXH *****/****/**906"),
        ("xe biển số 29A-123.45", "xe biển số ***-**3.45"),
        ("số tài khoản 19036543210012", "số tài khoản ***********012"),
    ],
)
def test_numbers_that_identify_a_person_are_hidden(message: str, shown: str) -> None:
    assert mask(message) == shown


@pytest.mark.parametrize(
    "message",
    [
        "Lệ phí cấp đổi là 1.500.000 đồng, thêm 150.000.000đ tiền sử dụng đất",
        "phí 150000000 đồng",
        "Theo Thông tư 01/2018/TT-VPCP và Nghị định 63/2010/NĐ-CP",
        "Quyết định 1234/2024/QĐ-UBND của tỉnh",
        "hẹn trả ngày 22/11/2026 (22-11-2026), 2026-11-22",
        "làm việc 07.30-11.30 và 13h30-17h00",
        "thủ tục 1.001612 cấp đổi giấy phép lái xe",
        "tôi sinh năm 1990, làm ở đó 2020-2025, có 2 con",
        "Cho tôi hỏi làm sổ đỏ cần giấy tờ gì ạ?",
        "",
    ],
)
def test_what_a_helper_needs_stays(message: str) -> None:
    assert mask(message) == message


def test_a_long_message_with_everything() -> None:
    message = (
        "Chào anh chị, em là Lan, CCCD 001203012345, sđt 0983.456.712. Em nộp hồ sơ "
        "000.00.53.H48-220921-0099 ngày 21/09/2022, đã đóng 340.000 đồng mà chưa có kết quả ạ."
    )
    assert mask(message) == (
        "Chào anh chị, em là Lan, CCCD *********345, sđt 09******12. Em nộp hồ sơ "
        "***.**.**.***-******-*099 ngày 21/09/2022, đã đóng 340.000 đồng mà chưa có kết quả ạ."
    )
    assert unicodedata.is_normalized("NFC", mask(message))


def test_masking_twice_changes_nothing_more() -> None:
    once = mask("0912345689, 079203012345, 000.00.53.H48-220921-0099")
    assert mask(once) == once
