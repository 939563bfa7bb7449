"""The spreadsheet layout of the knowledge base: its sheets, their columns and the README sheet.

One sheet per kind of row; every row names its procedure by `id` and, for lists, keeps
the order in an `*_index` column (1, 2, 3…). Column headers are schema field paths as an
admin reads them: `fees.amount` is the `amount` of a fee line, `time_limit.value` the value
of a channel's time limit. The writer is `procedures_kb.xlsx_export`, the reader
`procedures_kb.xlsx_sheets` and `procedures_kb.xlsx_import`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import List, Optional, Tuple, Type

from procedures_kb.schema import (
    ChannelKind,
    DeadlineUnit,
    DeliveryKind,
    DocumentMode,
    FactGroup,
    Level,
    SourceKind,
    TimeUnit,
)

README_SHEET = "README"


class Kind(str, Enum):
    """How a column's cells are written and read."""

    text = "text"
    int = "int"
    float = "float"
    bool = "bool"
    date = "date"
    list = "list"  # several items, one per line inside the cell


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.text
    width: int = 20
    key: bool = False  # names the row (procedure id, list index), not a field of the element
    choices: Optional[Type[Enum]] = None


@dataclass(frozen=True)
class Sheet:
    name: str
    prefix: str  # headers starting with it are fields of the sheet's element, e.g. "fees."
    columns: Tuple[Column, ...]
    description: str

    def column(self, header: str) -> Optional[Column]:
        return next((column for column in self.columns if column.header == header), None)

    def path(self, column: Column) -> Tuple[str, ...]:
        """Where a field column goes inside the sheet's element: "fees.amount" -> ("amount",)."""
        header = column.header
        if self.prefix and header.startswith(self.prefix):
            header = header[len(self.prefix) :]
        return tuple(header.split("."))

    def fields(self) -> List[Tuple[Column, Tuple[str, ...]]]:
        return [(column, self.path(column)) for column in self.columns if not column.key]


_ID = Column("id", width=24, key=True)


def _index(header: str) -> Column:
    return Column(header, Kind.int, 10, key=True)


PROCEDURES = Sheet(
    "procedures",
    "",
    (
        Column("id", width=24),
        Column("schema_version", Kind.int, 10),
        Column("title", width=36),
        Column("field", width=16),
        Column("level", width=12, choices=Level),
        Column("applicants", width=40),
        Column("result", width=30),
        Column("last_verified", Kind.date, 14),
        Column("imported_from", width=22),
        Column("agency.name", width=32),
        Column("agency.note", width=32),
        Column("age_range.min", Kind.int, 10),
        Column("age_range.max", Kind.int, 10),
        Column("aliases", Kind.list, 36),
        Column("excludes", Kind.list, 30),
        Column("requirements", Kind.list, 60),
        Column("steps", Kind.list, 60),
        Column("deadline.value", Kind.int, 10),
        Column("deadline.unit", width=14, choices=DeadlineUnit),
        Column("deadline.counted_from", width=24),
        Column("deadline.who", width=24),
        Column("deadline.basis", width=28),
        Column("deadline.if_missed", width=40),
        Column("presence.who", width=30),
        Column("presence.representation", Kind.bool, 12),
        Column("presence.how", width=40),
        Column("presence.note", width=40),
        Column("validity", width=30),
    ),
    "Mỗi dòng một thủ tục: tên, lĩnh vực, cấp, cơ quan, kết quả, tên gọi khác, yêu cầu, các bước; thời hạn "
    "người dân phải đi đăng ký (deadline.*), ai phải có mặt và việc nộp thay (presence.*), thời hạn sử dụng "
    "của kết quả (validity).",
)
CODES = Sheet(
    "codes",
    "codes.",
    (_ID, _index("code_index"), Column("codes.code", width=14), Column("codes.level", width=12, choices=Level)),
    "Mã thủ tục trên Cổng Dịch vụ công (dạng 1.001193, ô định dạng Text); mã đầu tiên là mã chính.",
)
CASES_DOCUMENTS = Sheet(
    "cases_documents",
    "cases.",
    (
        _ID,
        _index("case_index"),
        Column("cases.name", width=30),
        Column("cases.condition", width=30),
        _index("document_index"),
        Column("documents.name", width=50),
        Column("documents.form", width=30),
        Column("documents.originals", Kind.int, 10),
        Column("documents.copies", Kind.int, 10),
        Column("documents.mode", width=10, choices=DocumentMode),
        Column("documents.condition", width=40),
    ),
    "Giấy tờ theo trường hợp: một dòng mỗi giấy tờ; trường hợp không có giấy tờ thì một dòng để trống các cột "
    "documents.*. Các dòng cùng case_index ghi cùng cases.name.",
)
CHANNELS = Sheet(
    "channels",
    "channels.",
    (
        _ID,
        _index("channel_index"),
        Column("channels.kind", width=12, choices=ChannelKind),
        Column("channels.available", Kind.bool, 10),
        Column("channels.url", width=30),
        Column("channels.note", width=40),
        Column("time_limit.value", Kind.float, 10),
        Column("time_limit.unit", width=14, choices=TimeUnit),
        Column("time_limit.note", width=40),
    ),
    "Cách thức nộp (trực tiếp, trực tuyến, bưu chính) và thời hạn giải quyết; mỗi kênh một lần cho mỗi thủ tục.",
)
FEES = Sheet(
    "fees",
    "fees.",
    (
        _ID,
        Column("channels.kind", width=12, key=True, choices=ChannelKind),
        _index("fee_index"),
        Column("fees.amount", Kind.int, 12),
        Column("fees.free", Kind.bool, 8),
        Column("fees.set_by_province", Kind.bool, 10),
        Column("fees.unit", width=10),
        Column("fees.description", width=50),
        Column("fees.exemptions", Kind.list, 40),
        Column("fees.valid_from", Kind.date, 12),
        Column("fees.valid_to", Kind.date, 12),
    ),
    "Lệ phí của từng kênh (channels.kind phải có trong sheet channels). Mỗi dòng đúng một trong: fees.amount, "
    "fees.free = TRUE, fees.set_by_province = TRUE.",
)
LEGAL_BASIS = Sheet(
    "legal_basis",
    "legal_basis.",
    (
        _ID,
        _index("legal_basis_index"),
        Column("legal_basis.number", width=30),
        Column("legal_basis.title", width=40),
        Column("legal_basis.note", width=40),
    ),
    "Căn cứ pháp lý: số hiệu văn bản, tên, ghi chú.",
)
SOURCES = Sheet(
    "sources",
    "sources.",
    (
        _ID,
        _index("source_index"),
        Column("sources.id", width=22),
        Column("sources.title", width=50),
        Column("sources.url", width=40),
        Column("sources.kind", width=12, choices=SourceKind),
    ),
    "Nguồn đã đối chiếu; sources.id là mã ngắn (chữ thường, số, gạch ngang) dùng trong sheet provenance.",
)
FORMS = Sheet(
    "forms",
    "forms.",
    (
        _ID,
        _index("form_index"),
        Column("forms.name", width=40),
        Column("forms.code", width=12),
        Column("forms.issued_by", width=30),
        Column("forms.url", width=40),
    ),
    "Mẫu đơn, tờ khai: tên, số hiệu (CT01…), văn bản ban hành, đường dẫn chính thức (nếu có).",
)
DELIVERY = Sheet(
    "delivery",
    "delivery.",
    (
        _ID,
        _index("delivery_index"),
        Column("delivery.kind", width=12, choices=DeliveryKind),
        Column("delivery.note", width=50),
    ),
    "Cách nhận kết quả: counter (tại nơi nộp), post (bưu chính), electronic (bản điện tử).",
)
PROVENANCE = Sheet(
    "provenance",
    "provenance.",
    (
        _ID,
        Column("provenance.group", width=14, key=True, choices=FactGroup),
        Column("provenance.verified", Kind.bool, 10),
        Column("provenance.sources", Kind.list, 30),
        Column("provenance.note", width=60),
    ),
    "Nhóm thông tin đã xác minh hay chưa, theo nguồn nào (sources.id của cùng thủ tục).",
)
SHEETS: Tuple[Sheet, ...] = (
    PROCEDURES,
    CODES,
    CASES_DOCUMENTS,
    CHANNELS,
    FEES,
    LEGAL_BASIS,
    FORMS,
    DELIVERY,
    SOURCES,
    PROVENANCE,
)

README_TEXT = (
    ("Mục đích", "Sửa thủ tục hành chính trong Excel rồi nhập lại; chương trình kiểm tra toàn bộ và báo mọi lỗi."),
    ("Sheet", "Không đổi tên, thêm hay xóa sheet và cột: tên lạ hoặc thiếu đều bị báo lỗi. Sheet README được bỏ qua."),
    ("id", "Mọi dòng gắn với một thủ tục qua cột id; id phải có trong sheet procedures."),
    ("*_index", "Thứ tự trong danh sách: số nguyên 1, 2, 3…, không trùng trong cùng thủ tục."),
    ("Ô trống", "Không có giá trị (hoặc giá trị mặc định)."),
    (
        "Nhiều mục",
        "aliases, excludes, requirements, steps, fees.exemptions, provenance.sources: mỗi mục một dòng trong ô "
        "(Alt+Enter).",
    ),
    ("Ngày", "Dạng YYYY-MM-DD, ví dụ 2026-11-22 (ô định dạng Text)."),
    ("Số tiền", "fees.amount là số nguyên đồng, không có dấu chấm: 20000, không phải 20.000."),
    ("Đúng/sai", "TRUE hoặc FALSE."),
)
