"""Channels, time limits and fee lines read back out of the copy's flattened table text."""

from __future__ import annotations

import datetime as dt
from typing import Dict, List, Optional, Tuple

from procedures_kb.national.channels import HEADER, Issue, build_channels, parse_rows
from procedures_kb.schema import Channel, ChannelKind, TimeUnit


def channels(text: str) -> Tuple[Dict[ChannelKind, Channel], List[Issue]]:
    rows, unreadable = parse_rows(HEADER + text)
    assert unreadable is None
    found, issues = build_channels(rows)
    return {channel.kind: channel for channel in found}, issues


def time_of(channel: Channel) -> Tuple[Optional[float], TimeUnit]:
    assert channel.time_limit is not None
    return channel.time_limit.value, channel.time_limit.unit


def reasons(issues: List[Issue]) -> List[str]:
    return [issue.reason for issue in issues]


def test_several_channels_each_with_its_time_and_fee() -> None:
    found, issues = channels(
        "Trực tuyến3 Ngày làm việc7,000 Việt Nam Đồng(- Đăng ký tạm trú (cá nhân, hộ gia đình): + Trường hợp công "
        "dân nộp hồ sơ qua cổng dịch vụ công trực tuyến thu 7.000 đồng/lần đăng ký.)- Nộp hồ sơ trực tuyến qua các "
        "cổng như: Trực tuyến qua Cổng dịch vụ công quốc gia, ứng dụng VNeID.Trực tiếp3 Ngày làm việc10,000 Việt "
        "Nam Đồng(- Đăng ký tạm trú theo danh sách: + Trường hợp công dân nộp hồ sơ trực tiếp thu 10.000 "
        "đồng/người/lần đăng ký;)- Nộp hồ sơ trực tiếp tại Công an cấp xã.Dịch vụ bưu chính24 GiờMiễn phí"
    )
    assert set(found) == {ChannelKind.online, ChannelKind.in_person, ChannelKind.post}
    online, in_person, post = found[ChannelKind.online], found[ChannelKind.in_person], found[ChannelKind.post]
    assert time_of(online) == (3, TimeUnit.working_days)
    assert [(fee.amount, fee.unit) for fee in online.fees] == [(7000, "lần đăng ký")]
    assert "trực tuyến thu" in (online.fees[0].description or "")
    assert [(fee.amount, fee.unit) for fee in in_person.fees] == [(10000, "người/lần đăng ký")]
    assert time_of(post) == (24, TimeUnit.hours)
    assert [fee.free for fee in post.fees] == [True]
    assert issues == []


def test_a_time_whose_unit_was_lost_is_left_out() -> None:
    found, issues = channels("Trực tuyến1Miễn phíDịch vụ bưu chính1Miễn phíTrực tiếp1Miễn phí")
    assert all(channel.time_limit is None for channel in found.values())
    assert reasons(issues) == ["time_unit_lost"] * 3
    assert all(channel.fees[0].free for channel in found.values())


def test_a_time_running_into_the_fee_leaves_both_out_and_takes_the_amount_from_the_note() -> None:
    found, issues = channels(
        "Trực tuyến1100 VNĐ(Phí công bố nội dung đăng ký doanh nghiệp: 100.000 đồng/lần (Thông tư số 47/2019/TT-BTC))"
    )
    online = found[ChannelKind.online]
    assert online.time_limit is None
    assert [(fee.amount, fee.unit) for fee in online.fees] == [(100000, "lần")]
    assert reasons(issues) == ["time_unit_lost"]


def test_mien_phi_is_a_placeholder_when_the_description_holds_the_amount() -> None:
    found, issues = channels("Trực tiếp5 Ngày làm việcMiễn phíLệ phí: 135.000 đồng")
    fees = found[ChannelKind.in_person].fees
    assert [(fee.amount, fee.free) for fee in fees] == [(135000, False)]
    assert issues == []


def test_mien_phi_with_the_amount_in_its_note_and_a_rate_that_ended() -> None:
    found, issues = channels(
        "Trực tuyến5 Ngày làm việcMiễn phí(- Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần.  - Trường hợp tổ "
        "chức, cá nhân nộp hồ sơ theo hình thức trực tuyến: Kể từ ngày 01/12/2023 đến hết ngày 31/12/2025, áp dụng "
        "mức thu lệ phí là 115.000 đồng/lần cấp.)"
    )
    fees = found[ChannelKind.online].fees
    assert [(fee.amount, fee.unit, fee.description) for fee in fees] == [(135000, "lần", "Lệ phí cấp giấy phép lái xe")]
    assert reasons(issues) == ["fee_period_ended"]


def test_a_placeholder_without_any_amount_is_left_out_not_called_free() -> None:
    found, issues = channels(
        "Trực tiếp15 NgàyMiễn phí(Áp dụng mức thu theo mức phí quy định tại Thông tư số 48/2022/TT-BTC)"
    )
    assert found[ChannelKind.in_person].fees == []
    assert reasons(issues) == ["fee_placeholder_without_amount"]
    _, issues = channels("Trực tiếp15 NgàyKhông có thông tinNộp tại Bộ phận một cửa.")
    assert reasons(issues) == ["fee_no_information"]


def test_free_and_set_by_the_province() -> None:
    found, _ = channels(
        "Trực tiếp1 Ngày làm việcMiễn phí(Không có)Trực tuyến7Miễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân "
        "tỉnh quy định)"
    )
    assert [(fee.free, fee.description) for fee in found[ChannelKind.in_person].fees] == [(True, None)]
    assert [(fee.free, fee.set_by_province) for fee in found[ChannelKind.online].fees] == [(False, True)]


def test_a_stale_rate_in_the_fee_cell_is_left_out() -> None:
    found, issues = channels(
        "Trực tuyến8 Ngày làm việc160,000 Việt Nam Đồng(+ 160.000/hộ chiếu, trường hợp cấp lại do bị hư hỏng "
        "hoặc bị mất: 320.000đ/hộ chiếu (áp dụng đến hết ngày 31/12/2023 theo Thông tư số 44/2023/TT-BTC).)"
        "Trực tiếp8 Ngày làm việc200,000 Việt Nam Đồng(200.000đ/ hộ chiếu. Trường hợp cấp lại do bị hỏng hoặc "
        "bị mất: 400.000đ/hộ chiếu (Thông tư số 25/2021/TT-BTC).)"
    )
    assert found[ChannelKind.online].fees == []
    assert reasons(issues) == ["fee_period_ended", "fee_period_ended"]
    assert sorted(fee.amount or 0 for fee in found[ChannelKind.in_person].fees) == [200000, 400000]


def test_a_rate_valid_until_a_later_date_keeps_its_dates() -> None:
    found, _ = channels(
        "Trực tuyến3 Ngày làm việc25 VNĐ(25.000đ/giấy thông hành (áp dụng đến hết ngày 31/12/2026 theo Thông tư "
        "số 64/2025/TT-BTC ngày 30/6/2025 của Bộ Tài chính).)"
    )
    [fee] = found[ChannelKind.online].fees
    assert (fee.amount, fee.unit, fee.valid_to) == (25000, "giấy thông hành", dt.date(2026, 12, 31))


def test_unclear_amounts_and_dollars_are_left_out() -> None:
    found, issues = channels("Trực tiếp5 Ngày45 VNĐTrực tuyến5 Ngày làm việc145 USD(Thẻ tạm trú: 145 USD/thẻ.)")
    assert found[ChannelKind.in_person].fees == [] and found[ChannelKind.online].fees == []
    assert sorted(reasons(issues)) == ["fee_amount_unclear", "fee_in_foreign_currency"]


def test_rows_of_one_channel_that_disagree_on_the_time_leave_it_out() -> None:
    found, issues = channels(
        "Trực tiếp2 Ngày làm việcMiễn phíTrường hợp không phải xác minhTrực tiếp4 Ngày làm việcMiễn phí"
        "Trường hợp cần xác minh"
    )
    assert found[ChannelKind.in_person].time_limit is None
    assert reasons(issues) == ["time_differs_between_rows"]


def test_text_that_is_not_the_table_is_reported() -> None:
    rows, unreadable = parse_rows("Nộp hồ sơ tại Bộ phận một cửa")
    assert rows == [] and unreadable is not None and unreadable.reason == "channels_table_unreadable"
