"""What the importer keeps, and the fixed facts about the copy it reads.

The rules are constants so that a reader (and the README) can check them at a glance.
"""

from __future__ import annotations

import datetime as dt
from typing import Dict, FrozenSet, Mapping

from procedures_kb.schema import ChannelKind, Level, TimeUnit

COPY_NAME = "national-tthc-2026-06"
COPY_DATE = dt.date(2026, 6, 10)  # the crawler's commit date: the facts are as of this day
PORTAL_TITLE = "Cổng Dịch vụ công quốc gia (bản sao 06/2026)"
PROVENANCE_NOTE = "Bản sao Cổng DVC quốc gia 06/2026, chưa rà soát"

# cap_thuc_hien -> our level. "Cơ quan khác" has no level of ours and is ignored.
LEVELS: Mapping[str, Level] = {
    "Cấp xã": Level.commune,
    "Cấp tỉnh": Level.province,
    "Cấp bộ": Level.central,
}
# Most local first: the record's `level` is the first of these it has.
LEVEL_ORDER = (Level.commune, Level.province, Level.central)

# Citizens file at the commune or the province: a record is kept only when its levels include one
# of these. Ministry-only records (Cấp bộ, Cơ quan khác) are left out.
CITIZEN_LEVELS: FrozenSet[Level] = frozenset({Level.commune, Level.province})

# Folders whose procedures are filed by banks, credit institutions and litigants' lawyers, not by
# citizens at a one-stop centre: left out, except the codes listed below (each one names a
# citizen as applicant and is something a citizen asks about).
EXCLUDED_FOLDERS: FrozenSet[str] = frozenset({"ngan-hang-nha-nuoc", "toa-an-nhan-dan"})
CITIZEN_CODES_IN_EXCLUDED_FOLDERS: Dict[str, str] = {
    "1.001328": "giấy phép mang vàng khi xuất cảnh định cư ở nước ngoài",
    "1.001803": "giám định tiền giả, tiền nghi giả",
    "1.001963": "giấy phép mang tiền của nước có chung biên giới, đồng Việt Nam tiền mặt ra nước ngoài",
    "1.002421": "cho phép mang tiền của nước có chung biên giới vào các tỉnh nội địa",
    "2.001077": "đổi tiền không đủ tiêu chuẩn lưu thông",
    "3.000163": "gửi đơn khởi kiện, tài liệu, chứng cứ trực tuyến đến Tòa án",
    "3.000164": "đăng ký nhận thông báo, văn bản tố tụng bằng phương tiện điện tử",
    "3.000165": "đăng ký cấp sao bản án, tài liệu trong hồ sơ vụ án",
}

CHANNEL_NAMES: Mapping[str, ChannelKind] = {
    "Trực tiếp": ChannelKind.in_person,
    "Trực tuyến": ChannelKind.online,
    "Dịch vụ bưu chính": ChannelKind.post,
}

# The time cell's unit -> ours. "Tháng" has no unit of ours: such a time is left out, not converted.
TIME_UNITS: Mapping[str, TimeUnit] = {
    "Ngày làm việc": TimeUnit.working_days,
    "Ngày": TimeUnit.days,
    "Giờ": TimeUnit.hours,
}

# Requirements (yêu cầu, điều kiện) longer than this are the portal's paragraphs: the answer links
# the portal page instead.
MAX_REQUIREMENTS_CHARS = 300
# The place that receives dossiers (dia_chi_tiep_nhan) is kept when it is an address, not a paragraph.
MAX_PLACE_CHARS = 200
# A fee line's description is the clause around its amount, cut to this length.
MAX_FEE_DESCRIPTION_CHARS = 200

NO_INFORMATION = "Không có thông tin"


def record_id(code: str) -> str:
    """tthc-1-004194 for 1.004194."""
    return "tthc-" + code.replace(".", "-")


def source_id(code: str) -> str:
    return "dvc-" + code.replace(".", "-")
