"""Problem codes: every problem is said in both languages from its code, never from the other's words."""

from __future__ import annotations

import ast
import copy
import inspect
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Set, Tuple

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError

from procedures_kb import (
    InvalidKnowledgeBase,
    KnowledgeBase,
    Problem,
    problems,
    schema,
    schema_errors,
    xlsx_import,
    xlsx_sheets,
)
from procedures_kb.problems import TEMPLATES, Code, Template, template_fields
from procedures_kb.schema import Procedure
from procedures_kb.schema_errors import from_pydantic
from procedures_kb.xlsx import export_xlsx, import_xlsx
from tests.procedures_kb.conftest import MINIMAL

PACKAGE = Path(problems.__file__).resolve().parent


def test_every_code_has_both_templates_with_its_parameters() -> None:
    assert set(TEMPLATES) == set(Code)
    for code, template in TEMPLATES.items():
        assert template.en.strip() and template.vi.strip(), code
        used = template_fields(template.en) | template_fields(template.vi)
        assert used == set(template.params), code  # no parameter undeclared, none declared for nothing
        assert {part.strip("{}") for part in template.about if part.startswith("{")} <= set(template.params), code
        sample = {name: f"<{name}>" for name in template.params}
        assert problems.english(code, sample) and problems.vietnamese(code, sample)


def test_a_code_refuses_to_be_raised_without_its_parameters() -> None:
    with pytest.raises(TypeError, match="valid_from"):
        schema_errors.SchemaError.of(Code.valid_to_before_valid_from, valid_to="2026-01-01")


# -- every error the schema raises maps to a code -----------------------------------

Change = Callable[[Dict[str, Any]], None]


def _set(path: Tuple[Any, ...], value: Any) -> Change:
    def change(data: Dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


_DELETE = object()
FEE = ("channels", 0, "fees", 0)
TIME = ("channels", 0, "time_limit")

# One bad record per code the schema (or pydantic under it) can give.
BAD_VALUES: Dict[Code, List[Change]] = {
    Code.source_id_format: [_set(("sources", 0, "id"), "TT 75")],
    Code.procedure_id_format: [_set(("id",), "Thủ tục")],
    Code.official_code_format: [_set(("codes",), [{"code": "1.00422", "level": "xa"}])],
    Code.verified_without_source: [_set(("provenance", "fees", "sources"), [])],
    Code.unit_needs_value: [_set((*TIME, "value"), _DELETE)],
    Code.unit_takes_no_value: [_set((*TIME, "unit"), "same_day")],
    Code.fee_kind: [_set((*FEE, "free"), True), _set((*FEE, "amount"), _DELETE)],
    Code.valid_to_before_valid_from: [
        lambda d: d["channels"][0]["fees"][0].update(valid_from="2026-07-01", valid_to="2025-12-31")
    ],
    Code.age_max_below_min: [_set(("age_range",), {"min": 14, "max": 6})],
    Code.schema_version_too_new: [_set(("schema_version",), schema.SCHEMA_VERSION + 1)],
    Code.empty_alias: [_set(("aliases",), [""]), _set(("excludes",), ["  "])],
    Code.duplicate_channel: [lambda d: d["channels"].append(copy.deepcopy(d["channels"][0]))],
    Code.unknown_provenance_source: [_set(("provenance", "fees", "sources"), ["khong-co"])],
    Code.missing: [_set(("last_verified",), _DELETE)],
    Code.unknown_field: [_set(("le_phi",), "20000")],
    Code.not_an_integer: [_set(("cases",), [{"name": "a", "documents": [{"name": "b", "copies": [2]}]}])],
    Code.integer_as_text: [_set(("cases",), [{"name": "a", "documents": [{"name": "b", "copies": "hai"}]}])],
    Code.amount_not_an_integer: [_set((*FEE, "amount"), 15000.5), _set((*FEE, "amount"), True)],
    Code.amount_as_text: [_set((*FEE, "amount"), "20.000")],
    Code.not_a_number: [_set((*TIME, "value"), "ba")],
    Code.not_a_boolean: [_set((*FEE, "free"), "có")],
    Code.date_format: [_set(("last_verified",), "22/11/2026"), _set(("last_verified",), "2026-02-30")],
    Code.not_one_of: [_set(("level",), "huyen"), _set(("provenance", "phi"), {"verified": False})],
    Code.not_text: [_set(("codes",), [{"code": 1.00422, "level": "xa"}]), _set(("title",), ["a"])],
    Code.not_a_list: [_set(("aliases",), "giấy mẫu")],
    Code.not_a_mapping: [_set(("agency",), "UBND xã"), _set(("provenance",), ["fees"])],
    Code.wrong_type: [_set(("last_verified",), ["2026-11-01"])],
    Code.below_minimum: [_set((*FEE, "amount"), -1), _set(("age_range",), {"min": -1})],
    Code.not_above: [_set((*TIME, "value"), 0)],
    Code.too_few_items: [
        lambda d: d.update(sources=[], provenance={"fees": {"verified": False}}),
    ],
    Code.empty_not_allowed: [_set(("title",), None)],
}


def _cases() -> Iterator[Any]:
    for code, changes in BAD_VALUES.items():
        for number, change in enumerate(changes):
            yield pytest.param(code, change, id=f"{code.value}-{number}")


def errors_of(change: Change) -> Tuple[Dict[str, Any], List[Any]]:
    data = copy.deepcopy(MINIMAL)
    change(data)
    with pytest.raises(ValidationError) as caught:
        Procedure.parse_obj(data)
    return data, list(caught.value.errors())


@pytest.mark.parametrize(("code", "change"), _cases())
def test_each_bad_value_has_its_code(code: Code, change: Change) -> None:
    data, errors = errors_of(change)
    codes = [from_pydantic(error, data)[0] for error in errors]
    assert codes == [code], errors
    assert Code.invalid_value not in codes


def test_every_code_the_schema_raises_is_exercised() -> None:
    raised = {
        Code[node.attr]
        for node in ast.walk(ast.parse(inspect.getsource(schema)))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Code"
    }
    assert raised and raised <= set(BAD_VALUES)
    assert set(schema_errors._PYDANTIC.values()) <= set(BAD_VALUES)  # pydantic's own checks too


def test_the_schema_raises_only_coded_errors() -> None:
    """A validator raising a plain ValueError (a sentence) would have no code and no Vietnamese."""
    for node in ast.walk(ast.parse(inspect.getsource(schema))):
        if isinstance(node, ast.Raise):
            call = node.exc
            assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute), ast.unparse(node)
            assert ast.unparse(call.func) == "SchemaError.of", ast.unparse(node)


def test_the_loader_keeps_the_code_and_its_parameters(
    record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path
) -> None:
    record["channels"][0]["fees"][0].update(valid_from="2026-07-01", valid_to="2025-12-31")
    write(record)
    with pytest.raises(InvalidKnowledgeBase) as caught:
        KnowledgeBase.load(tmp_path)
    [problem] = caught.value.problems
    assert (problem.code, dict(problem.params)) == (
        "valid_to_before_valid_from",
        {"valid_to": "2025-12-31", "valid_from": "2026-07-01"},
    )
    assert problem.message == "valid_to 2025-12-31 is before valid_from 2026-07-01"


# -- the Vietnamese never comes from the English -----------------------------------


def test_only_schema_errors_reads_pydantic_messages() -> None:
    """Nothing else may take words out of an English message (a regex over it, error["msg"]...)."""
    for path in PACKAGE.glob("*.py"):
        if path.name == "schema_errors.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
                assert node.slice.value != "msg", f"{path.name}: {ast.unparse(node)}"
    for module in (xlsx_import, xlsx_sheets):
        assert ".message" not in inspect.getsource(module), module.__name__
    imported = {
        alias.name
        for node in ast.walk(ast.parse(inspect.getsource(xlsx_import)))
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert "re" not in imported


def _edit(path: Path, sheet: str, keys: Dict[str, Any], column: str, value: Any) -> None:
    workbook = load_workbook(path)
    worksheet = workbook[sheet]
    headers = [cell.value for cell in worksheet[1]]
    for cells in worksheet.iter_rows(min_row=2):
        values = dict(zip(headers, (cell.value for cell in cells), strict=True))
        if all(values.get(header) == value for header, value in keys.items()):
            worksheet.cell(cells[0].row, headers.index(column) + 1).value = value
            workbook.save(path)
            return
    raise AssertionError(f"no row with {keys}")


def _import_problems(path: Path) -> List[Problem]:
    with pytest.raises(InvalidKnowledgeBase) as caught:
        import_xlsx(path)
    return caught.value.problems


def test_rewording_the_english_changes_no_vietnamese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = tmp_path / "kb.xlsx"
    export_xlsx([p for p in KnowledgeBase.load().all() if not p.imported_from], book)
    fee = {"id": "ho-chieu", "channels.kind": "in_person", "fee_index": 1}
    _edit(book, "fees", fee, "fees.amount", "20.000")
    _edit(
        book,
        "fees",
        {"id": "cap-doi-can-cuoc", "channels.kind": "in_person", "fee_index": 1},
        "fees.valid_to",
        "2025-01-01",
    )
    _edit(book, "procedures", {"id": "tam-tru"}, "aliases", "tạm trú\nthường trú")
    _edit(book, "provenance", {"id": "ket-hon", "provenance.group": "fees"}, "provenance.sources", "tt-khong-co")
    _edit(book, "procedures", {"id": "khai-sinh"}, "last_verified", "22/11/2026")
    before = _import_problems(book)
    assert len(before) == 5
    assert all(problem.code in Code.__members__ for problem in before)

    reworded: Set[Code] = set()
    for code, template in TEMPLATES.items():
        english = "Reworded: " + " ".join(f"{{{name}}}" for name in template.params)
        monkeypatch.setitem(TEMPLATES, code, Template(template.params, english, template.vi, template.about))
        reworded.add(code)
    schema_errors._error_class.cache_clear()  # the schema's error classes hold the English template
    try:
        after = _import_problems(book)
        loaded_english = str(schema_errors.SchemaError.of(Code.fee_kind))
    finally:
        monkeypatch.undo()
        schema_errors._error_class.cache_clear()
    assert loaded_english == "Reworded: "  # the rewording did reach the schema's errors
    assert [(p.file, p.location, p.message) for p in after] == [(p.file, p.location, p.message) for p in before]
    assert all(not p.message.startswith("Reworded") for p in after)
    assert reworded == set(Code)
