"""The procedure form's fields, parsing and errors without a server: every shipped record goes
through the form and back unchanged, a bad value is the loader's own problem said in Vietnamese at
its field, and a field added to the schema is in the form without being listed anywhere."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlencode

import pytest
from pydantic import Field

from console.kb_form import fields as F
from console.kb_form.errors import FormErrors, anchor, validate
from console.kb_form.parse import form_pairs, parse_form
from procedures_kb.loader import load_records
from procedures_kb.record_files import record_data
from procedures_kb.schema import Procedure
from tests.console.kb_form.conftest import LARGEST_NATIONAL

Pairs = List[Tuple[str, str]]


@pytest.fixture(scope="module")
def records() -> Dict[str, Procedure]:
    return load_records()


def _with(pairs: Pairs, name: str, value: str) -> Pairs:
    assert any(key == name for key, _ in pairs), name
    return [(key, value if key == name else old) for key, old in pairs]


def _errors(data: Dict[str, Any]) -> FormErrors:
    record, problems = validate(data)
    assert record is None
    return FormErrors.of_problems(problems)


def test_every_shipped_record_goes_through_the_form_unchanged(records: Dict[str, Procedure]) -> None:
    assert len(records) > 1000  # the editors' records and the imported catalogue
    for record in records.values():
        data = record_data(record)
        assert parse_form(form_pairs(data)) == data, record.id


def test_the_form_covers_every_field_and_fact_group_of_the_schema() -> None:
    shown = {field.name for section in F.sections() for field in section.fields} | {"schema_version", "provenance"}
    assert shown == set(Procedure.__fields__)
    marks = [key for section in F.sections() for key, _ in section.marks]
    key_field = Procedure.__fields__["provenance"].key_field
    assert key_field is not None
    assert sorted(marks) == sorted(group.value for group in key_field.type_)
    by_pattern = F.fields_by_pattern()
    assert by_pattern["channels.fees.amount"].kind == F.INT
    assert by_pattern["channels.fees.valid_from"].kind == F.DATE
    assert by_pattern["channels.time_limit.value"].kind == F.NUMBER
    assert by_pattern["cases.documents.mode"].choices == (("submit", "Phải nộp"), ("show", "Xuất trình tại quầy"))
    assert by_pattern["presence.representation"].kind == F.TRISTATE
    assert by_pattern["provenance.verified"].kind == F.BOOL and by_pattern["provenance.sources"].kind == F.WORDS
    assert by_pattern["steps"].kind == F.LINES and by_pattern["cases"].kind == F.ROWS
    assert all(field.label for field in by_pattern.values())


def test_a_new_optional_schema_field_appears_in_the_form() -> None:
    class Hotline(Procedure):
        hotline: Optional[str] = None
        hotline_hours: List[str] = Field(default_factory=list)

    names = {field.name for field in F.sections(Hotline)[-1].fields}
    assert F.sections(Hotline)[-1].key == "other" and names == {"hotline", "hotline_hours"}
    base = record_data(Procedure.parse_obj(_minimal()))
    pairs = [*form_pairs(base), ("hotline", " 1800 1096 "), ("hotline_hours", "7:30–11:30\r\n13:30–17:00")]
    data = parse_form(pairs, Hotline)
    assert data["hotline"] == "1800 1096" and data["hotline_hours"] == ["7:30–11:30", "13:30–17:00"]
    assert Hotline.parse_obj(data).hotline == "1800 1096"


def _minimal() -> Dict[str, Any]:
    return {
        "id": "thu",
        "title": "Thủ tục thử",
        "sources": [{"id": "nguon", "title": "Nguồn", "kind": "primary"}],
        "last_verified": "2026-11-01",
        "channels": [{"kind": "in_person", "fees": [{"amount": 20000}]}],
    }


@pytest.mark.parametrize("typed", ["abc", "20.000", "20 000", "1e3"])
def test_a_fee_amount_that_is_no_integer_stays_text_and_is_the_loaders_problem(typed: str) -> None:
    pairs = _with(form_pairs(_minimal()), "channels[0].fees[0].amount", typed)
    data = parse_form(pairs)
    assert data["channels"][0]["fees"][0]["amount"] == typed
    errors = _errors(data)
    assert errors.at("channels[0].fees[0].amount") == ["số tiền phải là số nguyên (ví dụ 20000), không phải chữ"]
    (error,) = errors
    assert error.target == "f-channels-0-fees-0-amount"
    assert error.where == "Cách thức thực hiện › Kênh 1 › Phí, lệ phí › Dòng lệ phí 1 › Số tiền (VND)"


def test_numbers_become_numbers_and_blanks_are_left_out() -> None:
    pairs = _with(form_pairs(_minimal()), "channels[0].fees[0].amount", " 30000 ")
    pairs = _with(_with(pairs, "channels[0].time_limit.value", "2.5"), "channels[0].time_limit.unit", "working_days")
    data = parse_form(pairs)
    assert data["channels"][0]["fees"][0]["amount"] == 30000
    assert data["channels"][0]["time_limit"] == {"value": 2.5, "unit": "working_days"}
    assert "agency" not in data and "cases" not in data and "provenance" not in data
    negative = parse_form(_with(pairs, "channels[0].fees[0].amount", "-5"))
    assert _errors(negative).at("channels[0].fees[0].amount") == ["phải lớn hơn hoặc bằng 0"]


def test_rows_are_read_in_order_and_blank_rows_dropped() -> None:
    pairs = [
        *form_pairs(_minimal()),
        ("legal_basis[7].number", "Luật B"),
        ("legal_basis[2].number", "Luật A"),
        ("legal_basis[5].number", " "),  # a row added and left empty
        ("legal_basis[5].title", ""),
    ]
    assert parse_form(pairs)["legal_basis"] == [{"number": "Luật A"}, {"number": "Luật B"}]


def test_errors_land_next_to_the_field_they_are_about() -> None:
    data = _minimal()
    data["channels"][0]["fees"][0] = {"amount": 1, "valid_from": "2026-05-01", "valid_to": "2026-01-01"}
    data["channels"][0]["time_limit"] = {"unit": "working_days"}
    data["aliases"] = ["khai", "", "sinh"]  # as a forged form could send it
    errors = _errors(data)
    assert errors.at("channels[0].fees[0].valid_to") == ["valid_to trước valid_from (2026-01-01 trước 2026-05-01)"]
    assert errors.at("channels[0].time_limit.value") == ["đơn vị working_days cần có số ở time_limit.value"]
    assert errors.at("aliases") == ["dòng 2: tên gọi khác không được để trống"]
    # the record's own rules run once its parts are valid
    marked = {**_minimal(), "provenance": {"fees": {"verified": True, "sources": ["khong-co"]}}}
    assert _errors(marked).at("provenance.fees.sources") == [
        "provenance fees ghi nguồn không có trong sheet sources của thủ tục: khong-co"
    ]


def test_anchor_stops_at_the_deepest_element_the_form_has() -> None:
    assert anchor("steps[3]") == ("steps", "Các bước (mỗi dòng một bước)", 3)
    assert anchor("cases[1].documents[0]")[0] == "cases[1].documents[0]"
    assert anchor("provenance.fees")[:2] == ("provenance.fees", "Xác minh: Phí, lệ phí")
    assert anchor("nonsense.field")[0] == ""
    assert anchor("")[0] == ""


def test_form_sizes_of_the_catalogue(records: Dict[str, Procedure]) -> None:
    """How large a browser's post of each record's form is (url-encoded, as the form sends it):
    the app's 64 KB cap is too small for the largest imported records (see the report)."""
    sizes = {
        record.id: len(urlencode([*form_pairs(record_data(record)), ("note", "x" * 500), ("csrf", "x" * 43)]))
        for record in records.values()
    }
    largest = max(sizes, key=lambda key: sizes[key])
    assert largest == LARGEST_NATIONAL
    assert 100_000 < sizes[largest] < 256 * 1024
    assert max(size for key, size in sizes.items() if not key.startswith("tthc-")) < 64 * 1024
