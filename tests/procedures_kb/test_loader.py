"""An admin's edit is checked whole: every problem named with file and field, nothing half-loaded."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from procedures_kb import InvalidKnowledgeBase, KnowledgeBase
from procedures_kb.loader import DATA_DIR, load_records


def problems_of(directory: Path) -> List[str]:
    with pytest.raises(InvalidKnowledgeBase) as caught:
        load_records(directory)
    return [str(problem) for problem in caught.value.problems]


def test_valid_record_loads(record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path) -> None:
    write(record)
    kb = KnowledgeBase.load(tmp_path)
    assert kb.get("thu-tuc-mau").channels[0].fees[0].amount == 15000


def test_shipped_knowledge_base_is_valid() -> None:
    kb = KnowledgeBase.load(DATA_DIR)
    assert {"khai-sinh", "ket-hon", "thuong-tru", "tam-tru", "can-cuoc"} <= {p.id for p in kb.all()}


def test_malformed_yaml_names_the_line(write: Callable[..., Path], tmp_path: Path) -> None:
    write("id: a\ntitle: [unclosed\n", name="hong")
    [problem] = problems_of(tmp_path)
    assert problem.startswith("hong.yml: line ")
    assert "malformed YAML" in problem


def test_unknown_field_is_rejected(record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path) -> None:
    record["le_phi"] = "20000"
    write(record)
    assert problems_of(tmp_path) == ["thu-tuc-mau.yml: le_phi: extra fields not permitted"]


def test_missing_required_field(record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path) -> None:
    del record["last_verified"]
    write(record)
    assert problems_of(tmp_path) == ["thu-tuc-mau.yml: last_verified: field required"]


def test_amount_written_as_text(record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path) -> None:
    record["channels"][0]["fees"][0]["amount"] = "20.000"
    write(record)
    assert problems_of(tmp_path) == ["thu-tuc-mau.yml: channels[0].fees[0].amount: value is not a valid integer"]


def test_date_in_wrong_format(record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path) -> None:
    record["last_verified"] = "22/11/2026"
    write(record)
    assert problems_of(tmp_path) == ["thu-tuc-mau.yml: last_verified: invalid date format"]


def test_valid_to_before_valid_from(record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path) -> None:
    record["channels"][0]["fees"][0].update(valid_from="2026-07-01", valid_to="2025-12-31")
    write(record)
    [problem] = problems_of(tmp_path)
    assert problem == "thu-tuc-mau.yml: channels[0].fees[0]: valid_to 2025-12-31 is before valid_from 2026-07-01"


def test_fee_line_needs_one_kind_of_amount(record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path) -> None:
    record["channels"][0]["fees"][0]["free"] = True  # amount and free together
    write(record)
    [problem] = problems_of(tmp_path)
    assert "exactly one of: amount, free: true, set_by_province: true" in problem


def test_unquoted_code_is_rejected(record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path) -> None:
    write(record)
    text = (tmp_path / "thu-tuc-mau.yml").read_text(encoding="utf-8")
    (tmp_path / "thu-tuc-mau.yml").write_text(text + "codes:\n- code: 1.004220\n  level: xa\n", encoding="utf-8")
    assert problems_of(tmp_path) == ["thu-tuc-mau.yml: codes[0].code: str type expected"]


def test_verified_group_must_name_a_known_source(
    record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path
) -> None:
    record["provenance"]["documents"] = {"verified": True, "sources": ["khong-co"]}
    write(record)
    assert problems_of(tmp_path) == ["thu-tuc-mau.yml: provenance.documents names unknown source(s): khong-co"]


def test_id_must_match_file_name(record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path) -> None:
    write(record, name="ten-khac")
    assert problems_of(tmp_path) == ["ten-khac.yml: id: id 'thu-tuc-mau' does not match the file name 'ten-khac'"]


def test_duplicate_key_in_one_file(write: Callable[..., Path], tmp_path: Path) -> None:
    write("id: a\nid: b\n", name="a")
    [problem] = problems_of(tmp_path)
    assert "found duplicate key 'id'" in problem


def test_alias_claimed_by_two_procedures(record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path) -> None:
    write(record)
    other = dict(record, id="thu-tuc-khac", title="Thủ tục khác", aliases=["GIAY MAU"])
    write(other)
    assert problems_of(tmp_path) == [
        "thu-tuc-mau.yml: aliases[0]: 'giấy mẫu' is already a name of procedure 'thu-tuc-khac' (thu-tuc-khac.yml)"
    ]


def test_duplicate_id_across_files(record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path) -> None:
    write(record)
    (tmp_path / "ban-sao.yml").write_text((tmp_path / "thu-tuc-mau.yml").read_text(encoding="utf-8"))
    assert problems_of(tmp_path) == [
        "ban-sao.yml: id: id 'thu-tuc-mau' does not match the file name 'ban-sao'",
        "thu-tuc-mau.yml: id: duplicate id 'thu-tuc-mau' (also in ban-sao.yml)",
    ]


def test_text_not_in_nfc(record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path) -> None:
    record["title"] = unicodedata.normalize("NFD", "Thủ tục mẫu")
    write(record)
    assert problems_of(tmp_path) == ["thu-tuc-mau.yml: title: text is not in NFC Unicode form"]


def test_every_problem_is_reported_at_once(record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path) -> None:
    broken = dict(record, last_verified="hôm qua")
    broken["channels"] = [{"kind": "in_person", "fees": [{"amount": "mười nghìn"}]}]
    write(broken)
    write("title: [", name="hong")
    found = problems_of(tmp_path)
    assert len(found) == 3
    assert any(p.startswith("hong.yml") for p in found)
    assert "thu-tuc-mau.yml: last_verified: invalid date format" in found
    assert "thu-tuc-mau.yml: channels[0].fees[0].amount: value is not a valid integer" in found


def test_one_bad_file_means_nothing_loads(record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path) -> None:
    write(record)
    write("title: [", name="hong")
    with pytest.raises(InvalidKnowledgeBase):
        KnowledgeBase.load(tmp_path)


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    assert problems_of(tmp_path) == [f"{tmp_path}: no procedure files (*.yml) found"]


# -- records of the national importer: data/national/<id>.json ----------------------------


def write_json(directory: Path, content: Any, name: str = "") -> Path:
    """Write a record (dict, or raw JSON text) as national/<name>.json of a KB directory."""
    folder = directory / "national"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name or content['id']}.json"
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def imported(record: Dict[str, Any], **changes: Any) -> Dict[str, Any]:
    defaults = {"id": "tthc-1-004194", "title": "Đăng ký tạm trú", "aliases": [], "imported_from": "bản-sao"}
    return {**record, **defaults, **changes}


def test_national_records_load_with_the_curated_ones(
    record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path
) -> None:
    write(record)
    write_json(tmp_path, imported(record))
    (tmp_path / "national" / ".baseline.json").write_text("{}", encoding="utf-8")  # not a record
    kb = KnowledgeBase.load(tmp_path)
    assert sorted(p.id for p in kb.all()) == ["thu-tuc-mau", "tthc-1-004194"]
    assert kb.get("tthc-1-004194").imported_from == "bản-sao"
    assert kb.search("đăng ký tạm trú").match is not None


def test_national_records_are_checked_like_the_others(
    record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path
) -> None:
    write(record)
    write_json(tmp_path, '{\n  "id": "a",\n  "id": "b"\n}', name="lap")
    write_json(tmp_path, '{\n  "id": "hong",\n', name="hong")
    write_json(tmp_path, "[1, 2]", name="danh-sach")
    write_json(tmp_path, imported(record, last_verified="10/06/2026"), name="ten-khac")
    nfd = imported(record, id="tthc-1-000001", title=unicodedata.normalize("NFD", "Cấp lại"))
    write_json(tmp_path, nfd)
    write_json(tmp_path, imported(record, id="tthc-1-000002", title="Thủ tục mẫu"))
    assert problems_of(tmp_path) == [
        "national/danh-sach.json: a procedure file must be a JSON object",
        "national/hong.json: line 3, column 1: malformed JSON: Expecting property name enclosed in double quotes",
        "national/lap.json: malformed JSON: found duplicate key 'id'",
        "national/ten-khac.json: last_verified: invalid date format",
        "national/tthc-1-000001.json: title: text is not in NFC Unicode form",
        "national/tthc-1-000002.json: title: 'Thủ tục mẫu' is already a name of procedure 'thu-tuc-mau' "
        "(thu-tuc-mau.yml)",
    ]


def test_a_national_record_with_the_id_of_a_curated_one(
    record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path
) -> None:
    write(record)
    write_json(tmp_path, dict(record, title="Bản nhập"))
    assert problems_of(tmp_path) == [
        "national/thu-tuc-mau.json: id: duplicate id 'thu-tuc-mau' (also in thu-tuc-mau.yml)"
    ]


def test_a_reload_sees_an_edit_of_a_national_record(
    record: Dict[str, Any], write: Callable[..., Path], tmp_path: Path
) -> None:
    write(record)
    path = write_json(tmp_path, imported(record))
    assert load_records(tmp_path)["tthc-1-004194"].channels[0].fees[0].amount == 15000
    path.write_text(path.read_text(encoding="utf-8").replace("15000", "25000"), encoding="utf-8")
    assert load_records(tmp_path)["tthc-1-004194"].channels[0].fees[0].amount == 25000
    path.write_text(path.read_text(encoding="utf-8").replace("25000", '"25.000"'), encoding="utf-8")
    assert problems_of(tmp_path) == [
        "national/tthc-1-004194.json: channels[0].fees[0].amount: value is not a valid integer"
    ]
