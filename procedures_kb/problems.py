"""Every problem the knowledge base can have, by code: its parameters and how to say it.

A problem is a code plus parameters (`Code.valid_to_before_valid_from` with `valid_to` and
`valid_from`), never a sentence to be parsed again. The schema raises `SchemaError` (a
pydantic error carrying the code, see `schema_errors`), the loader renders problems in English
for logs and the CLI, the spreadsheet importer in Vietnamese for the admins; both render from
the code, so rewording one language never loses the other.

Adding a problem: a member of `Code` and its `Template` in `TEMPLATES` (a test checks every
code has both languages and the same parameters).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from enum import Enum
from typing import Any, Mapping, Tuple

from procedures_kb.errors import Problem

Loc = Tuple[Any, ...]


class Code(str, Enum):
    # -- the schema's own rules
    source_id_format = "source_id_format"
    procedure_id_format = "procedure_id_format"
    official_code_format = "official_code_format"
    verified_without_source = "verified_without_source"
    unit_needs_value = "unit_needs_value"
    unit_takes_no_value = "unit_takes_no_value"
    fee_kind = "fee_kind"
    valid_to_before_valid_from = "valid_to_before_valid_from"
    age_max_below_min = "age_max_below_min"
    schema_version_too_new = "schema_version_too_new"
    empty_alias = "empty_alias"
    duplicate_channel = "duplicate_channel"
    unknown_provenance_source = "unknown_provenance_source"
    # -- pydantic's checks of types and bounds
    missing = "missing"
    unknown_field = "unknown_field"
    not_an_integer = "not_an_integer"
    integer_as_text = "integer_as_text"
    amount_not_an_integer = "amount_not_an_integer"
    amount_as_text = "amount_as_text"
    not_a_number = "not_a_number"
    not_a_boolean = "not_a_boolean"
    date_format = "date_format"
    not_one_of = "not_one_of"
    not_text = "not_text"
    not_a_list = "not_a_list"
    not_a_mapping = "not_a_mapping"
    wrong_type = "wrong_type"
    below_minimum = "below_minimum"
    not_above = "not_above"
    too_few_items = "too_few_items"
    empty_not_allowed = "empty_not_allowed"
    invalid_value = "invalid_value"  # a pydantic error no code stands for yet (a test keeps it unused)
    # -- files and the KB as a whole
    not_utf8 = "not_utf8"
    malformed_yaml = "malformed_yaml"
    malformed_json = "malformed_json"
    not_a_procedure_mapping = "not_a_procedure_mapping"
    not_a_procedure_object = "not_a_procedure_object"
    not_nfc = "not_nfc"
    id_not_file_name = "id_not_file_name"
    duplicate_id = "duplicate_id"
    duplicate_name = "duplicate_name"
    no_procedure_files = "no_procedure_files"
    # -- province overrides
    province_unreadable = "province_unreadable"
    province_index_not_a_list = "province_index_not_a_list"
    province_entry_incomplete = "province_entry_incomplete"
    province_slug_format = "province_slug_format"
    province_repeated = "province_repeated"
    province_file_keys = "province_file_keys"
    province_not_in_index = "province_not_in_index"
    province_not_file_name = "province_not_file_name"
    override_unknown_procedure = "override_unknown_procedure"
    override_not_a_mapping = "override_not_a_mapping"
    national_field = "national_field"
    # -- the spreadsheet
    unreadable_workbook = "unreadable_workbook"
    sheet_not_allowed = "sheet_not_allowed"
    sheet_missing = "sheet_missing"
    column_not_allowed = "column_not_allowed"
    column_repeated = "column_repeated"
    column_missing = "column_missing"
    cell_without_column = "cell_without_column"
    formula = "formula"
    excel_error = "excel_error"
    id_repeated = "id_repeated"
    unknown_procedure = "unknown_procedure"
    index_not_an_integer = "index_not_an_integer"
    index_repeated = "index_repeated"
    differs_from_case_row = "differs_from_case_row"
    channel_not_in_procedure = "channel_not_in_procedure"
    group_repeated = "group_repeated"


@dataclass(frozen=True)
class Template:
    """How to say a problem. `about` is the field it concerns, relative to where it was found
    (a fee line's dates point at valid_to), so a spreadsheet can name that column."""

    params: Tuple[str, ...]
    en: str
    vi: str
    about: Tuple[str, ...] = ()


DATE_VI = "ngày phải có dạng YYYY-MM-DD (ví dụ 2026-11-22)"
INTEGER_EN = "value is not a valid integer"

TEMPLATES: Mapping[Code, Template] = {
    Code.source_id_format: Template(
        (),
        "must be lower-case letters, digits and hyphens (e.g. tt-75-2022)",
        "phải là chữ thường, số và dấu gạch ngang (ví dụ: tt-75-2022)",
    ),
    Code.procedure_id_format: Template(
        (),
        "an id is lower-case letters without accents, digits and hyphens (e.g. khai-sinh)",
        "id phải là chữ thường không dấu, số và dấu gạch ngang (ví dụ: khai-sinh)",
    ),
    Code.official_code_format: Template(
        (), "an official procedure code looks like 1.001193", "mã thủ tục phải có dạng 1.001193"
    ),
    Code.verified_without_source: Template(
        (),
        "a verified fact group must name at least one source",
        "nhóm đã xác minh (verified = TRUE) phải ghi ít nhất một nguồn",
        ("sources",),
    ),
    Code.unit_needs_value: Template(
        ("unit",), "unit {unit} needs a value", "đơn vị {unit} cần có số ở time_limit.value", ("value",)
    ),
    Code.unit_takes_no_value: Template(
        ("unit",),
        "unit {unit} takes no value",
        "đơn vị {unit} không đi kèm số; hãy để trống time_limit.value",
        ("value",),
    ),
    Code.fee_kind: Template(
        (),
        "a fee line needs exactly one of: amount, free: true, set_by_province: true",
        "mỗi dòng lệ phí cần đúng một trong: fees.amount, fees.free = TRUE, fees.set_by_province = TRUE",
    ),
    Code.valid_to_before_valid_from: Template(
        ("valid_to", "valid_from"),
        "valid_to {valid_to} is before valid_from {valid_from}",
        "valid_to trước valid_from ({valid_to} trước {valid_from})",
        ("valid_to",),
    ),
    Code.age_max_below_min: Template(
        ("max", "min"), "max {max} is below min {min}", "age_range.max ({max}) nhỏ hơn age_range.min ({min})", ("max",)
    ),
    Code.schema_version_too_new: Template(
        ("version", "supported"),
        "schema_version {version} is newer than this program ({supported})",
        "schema_version {version} mới hơn chương trình ({supported})",
    ),
    Code.empty_alias: Template((), "an alias cannot be empty", "tên gọi khác không được để trống"),
    Code.duplicate_channel: Template(
        ("kind",), "channel {kind} is listed more than once", "kênh {kind} được ghi nhiều lần"
    ),
    Code.unknown_provenance_source: Template(
        ("group", "sources"),
        "provenance.{group} names unknown source(s): {sources}",
        "provenance {group} ghi nguồn không có trong sheet sources của thủ tục: {sources}",
        ("provenance", "{group}", "sources"),
    ),
    Code.missing: Template((), "field required", "thiếu trường bắt buộc"),
    Code.unknown_field: Template((), "extra fields not permitted", "trường không được phép"),
    Code.not_an_integer: Template((), INTEGER_EN, "phải là số nguyên"),
    Code.integer_as_text: Template((), INTEGER_EN, "phải là số nguyên, không phải chữ"),
    Code.amount_not_an_integer: Template((), INTEGER_EN, "số tiền phải là số nguyên (ví dụ 20000)"),
    Code.amount_as_text: Template((), INTEGER_EN, "số tiền phải là số nguyên (ví dụ 20000), không phải chữ"),
    Code.not_a_number: Template((), "value is not a valid float", "phải là số (ví dụ 7 hoặc 0.5)"),
    Code.not_a_boolean: Template((), "value could not be parsed to a boolean", "phải là TRUE hoặc FALSE"),
    Code.date_format: Template((), "invalid date format", DATE_VI),
    Code.not_one_of: Template(
        ("choices",), "not a permitted value; permitted: {choices}", "giá trị không hợp lệ; chỉ được dùng: {choices}"
    ),
    Code.not_text: Template((), "str type expected", "phải là chữ, không phải số hay ngày (hãy định dạng ô là Text)"),
    Code.not_a_list: Template((), "value is not a valid list", "phải là một danh sách"),
    Code.not_a_mapping: Template((), "value is not a valid mapping", "phải là một nhóm trường (tên: giá trị)"),
    Code.wrong_type: Template((), "value is of the wrong type", "giá trị sai kiểu"),
    Code.below_minimum: Template(
        ("limit",), "ensure this value is greater than or equal to {limit}", "phải lớn hơn hoặc bằng {limit}"
    ),
    Code.not_above: Template(("limit",), "ensure this value is greater than {limit}", "phải lớn hơn {limit}"),
    Code.too_few_items: Template(
        ("limit",), "ensure this value has at least {limit} items", "cần ít nhất {limit} dòng"
    ),
    Code.empty_not_allowed: Template((), "none is not an allowed value", "không được để trống"),
    Code.invalid_value: Template(("detail",), "{detail}", "giá trị không hợp lệ ({detail})"),
    Code.not_utf8: Template(
        ("reason",), "file is not UTF-8 text ({reason})", "tệp không phải văn bản UTF-8 ({reason})"
    ),
    Code.malformed_yaml: Template(("reason",), "malformed YAML: {reason}", "YAML sai cú pháp: {reason}"),
    Code.malformed_json: Template(("reason",), "malformed JSON: {reason}", "JSON sai cú pháp: {reason}"),
    Code.not_a_procedure_object: Template(
        (), "a procedure file must be a JSON object", "tệp thủ tục phải là một đối tượng JSON ({{tên: giá trị}})"
    ),
    Code.not_a_procedure_mapping: Template(
        (), "a procedure file must be a YAML mapping", "tệp thủ tục phải là một nhóm trường YAML (tên: giá trị)"
    ),
    Code.not_nfc: Template(
        (), "text is not in NFC Unicode form", "chữ không ở dạng Unicode NFC (hãy gõ lại chữ có dấu)"
    ),
    Code.id_not_file_name: Template(
        ("id", "file_stem"),
        "id {id!r} does not match the file name {file_stem!r}",
        "id {id} khác tên tệp {file_stem}",
    ),
    Code.duplicate_id: Template(
        ("id", "first"), "duplicate id {id!r} (also in {first})", "id {id} trùng (đã có trong {first})"
    ),
    Code.duplicate_name: Template(
        ("name", "owner", "owner_file"),
        "{name!r} is already a name of procedure {owner!r} ({owner_file})",
        "“{name}” đã là tên của thủ tục {owner}",
    ),
    Code.no_procedure_files: Template((), "no procedure files (*.yml) found", "không có tệp thủ tục nào (*.yml)"),
    Code.province_unreadable: Template(("reason",), "cannot read: {reason}", "không đọc được: {reason}"),
    Code.province_index_not_a_list: Template(
        (), "must be a list of {{slug, name, aliases}}", "phải là danh sách các mục {{slug, name, aliases}}"
    ),
    Code.province_entry_incomplete: Template((), "needs slug and name", "cần có slug và name"),
    Code.province_slug_format: Template(
        ("slug",),
        "{slug!r} is not a lower-case slug",
        "{slug} phải là chữ thường không dấu, số và dấu gạch ngang (ví dụ: nghe-an)",
    ),
    Code.province_repeated: Template(("slug",), "duplicate province {slug!r}", "tỉnh {slug} được ghi hai lần"),
    Code.province_file_keys: Template(
        (), "a province file has exactly: province, overrides", "tệp của tỉnh có đúng hai trường: province, overrides"
    ),
    Code.province_not_in_index: Template(
        ("slug", "index"), "{slug!r} is not in {index}", "{slug} không có trong {index}"
    ),
    Code.province_not_file_name: Template(
        ("slug", "file_stem"), "{slug!r} does not match the file name {file_stem!r}", "{slug} khác tên tệp {file_stem}"
    ),
    Code.override_unknown_procedure: Template(
        ("id",), "unknown procedure id {id!r}", "không có thủ tục nào với id {id}"
    ),
    Code.override_not_a_mapping: Template((), "must be a mapping of fields", "phải là một nhóm trường (tên: giá trị)"),
    Code.national_field: Template(
        (),
        "this field is national and cannot be overridden",
        "trường này áp dụng cả nước, tỉnh không thay được",
    ),
    Code.unreadable_workbook: Template(
        ("reason",), "cannot read the Excel file ({reason})", "không đọc được tệp Excel ({reason})"
    ),
    Code.sheet_not_allowed: Template(
        ("allowed",), "sheet not allowed; use only: {allowed}", "sheet không được phép; chỉ dùng: {allowed}"
    ),
    Code.sheet_missing: Template((), "this sheet is missing", "thiếu sheet này"),
    Code.column_not_allowed: Template(
        (), "column not allowed: it is not in the template", "trường không được phép: cột này không có trong mẫu"
    ),
    Code.column_repeated: Template((), "column repeated", "cột bị lặp lại"),
    Code.column_missing: Template(("column",), "column {column} is missing", "thiếu cột {column}"),
    Code.cell_without_column: Template(
        (),
        "a cell has data but its column has no header of the template",
        "ô có dữ liệu nhưng cột không có tên trong mẫu",
    ),
    Code.formula: Template((), "formulas are not read; write the value", "không dùng công thức; hãy ghi giá trị"),
    Code.excel_error: Template(("value",), "the cell holds an Excel error ({value})", "ô bị lỗi Excel ({value})"),
    Code.id_repeated: Template(("row",), "id repeats row {row}", "id trùng với dòng {row}"),
    Code.unknown_procedure: Template(("id",), "not a known procedure: {id}", "không phải thủ tục đã biết: {id}"),
    Code.index_not_an_integer: Template((), "must be a whole number (1, 2, 3…)", "phải là số nguyên (1, 2, 3…)"),
    Code.index_repeated: Template(
        ("column", "index", "row"), "{column} {index} repeats row {row}", "{column} {index} trùng với dòng {row}"
    ),
    Code.differs_from_case_row: Template(
        ("row",), "differs from row {row} of the same case_index", "khác với dòng {row} của cùng case_index"
    ),
    Code.channel_not_in_procedure: Template(
        ("id", "kind", "sheet"),
        "procedure {id} has no channel {kind} in sheet {sheet}",
        "thủ tục {id} không có kênh {kind} trong sheet {sheet}",
    ),
    Code.group_repeated: Template(
        ("group", "row"), "group {group} repeats row {row}", "nhóm {group} trùng với dòng {row}"
    ),
}


def template_fields(text: str) -> set:
    """The parameters a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def english(code: Code, params: Mapping[str, Any]) -> str:
    return TEMPLATES[code].en.format(**params)


def vietnamese(code: Code, params: Mapping[str, Any]) -> str:
    return TEMPLATES[code].vi.format(**params)


def about(code: Code, params: Mapping[str, Any]) -> Loc:
    """The field a problem concerns, relative to its location (see Template.about)."""
    return tuple(part.format(**params) for part in TEMPLATES[code].about)


def problem(file: str, location: str, code: Code, /, **params: Any) -> Problem:
    """A problem for logs and the CLI: its message in English, its code and parameters kept."""
    return Problem(file, location, english(code, params), code.value, params)


def problem_vi(file: str, location: str, code: Code, /, **params: Any) -> Problem:
    """A problem for an admin: its message in Vietnamese, its code and parameters kept."""
    return Problem(file, location, vietnamese(code, params), code.value, params)
