"""Spreadsheet drafts (one per changed procedure, the import's version check) and reviewed NLU
examples (appended to intents/reviewed.yml when approved)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Dict

import pytest
import yaml
from openpyxl import load_workbook

from console.accounts import User
from console.kb_review.errors import ReasonRequired, StaleWorkbook
from console.kb_review.nlu_drafts import domain_intents
from console.kb_review.service import KbReview
from tests.console.kb_review.test_service import PASSPORT, edited


def changed_sheet(xlsx: bytes, procedure_id: str, column: str, value: str) -> bytes:
    book = load_workbook(io.BytesIO(xlsx))
    sheet = book["procedures"]
    headers = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == procedure_id:
            row[headers.index(column)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_sheet_makes_one_draft_per_changed_procedure(review: KbReview, users: Dict[str, User], kb_dir: Path) -> None:
    before = (kb_dir / f"{PASSPORT}.yml").read_bytes()
    sheet = changed_sheet(review.export_xlsx(), PASSPORT, "applicants", "Công dân Việt Nam ở trong nước")
    [draft] = review.drafts_from_xlsx(users["anh"], sheet, "sửa bằng bảng tính")
    assert draft.procedure_id == PASSPORT and draft.kind == "edit" and draft.state == "waiting"
    assert draft.data["applicants"] == "Công dân Việt Nam ở trong nước"
    assert draft.base_sha256 == review.live(PASSPORT).sha256  # type: ignore[union-attr]
    assert (kb_dir / f"{PASSPORT}.yml").read_bytes() == before
    assert review.drafts_from_xlsx(users["anh"], review.export_xlsx(), "không đổi gì") == []


def test_a_stale_sheet_is_refused_with_its_conflicts(review: KbReview, users: Dict[str, User]) -> None:
    exported = review.export_xlsx()
    draft = review.save_draft(users["anh"], PASSPORT, edited(review, applicants="Một"), None, "một")
    review.approve(users["binh"], draft.id)
    with pytest.raises(StaleWorkbook) as caught:
        review.drafts_from_xlsx(users["anh"], changed_sheet(exported, PASSPORT, "applicants", "Hai"), "cũ")
    assert "Không tạo bản nháp nào" in str(caught.value)
    [conflict] = caught.value.problems
    assert PASSPORT in conflict.message and "anh" in conflict.message and "sau khi tệp được xuất" in conflict.message
    assert review.waiting_ids() == set()


def test_an_approved_nlu_example_is_appended_to_the_reviewed_file(
    review: KbReview, users: Dict[str, User], tmp_path: Path
) -> None:
    assert "greet" in domain_intents() and "out_of_scope" in domain_intents()
    with pytest.raises(ReasonRequired):
        review.save_nlu_draft(users["anh"], "khong_co", "xin chào", "câu mới")
    with pytest.raises(ReasonRequired):
        review.save_nlu_draft(users["anh"], "greet", "   ", "câu mới")
    first = review.save_nlu_draft(users["anh"], "greet", "chào  em nhé", "người dân hay nói")
    assert (
        first.kind == "nlu_example"
        and first.procedure_id is None
        and first.data
        == {
            "intent": "greet",
            "text": "chào em nhé",
        }
    )
    nlu_file = tmp_path / "intents" / "reviewed.yml"
    assert not nlu_file.exists()
    review.approve(users["binh"], first.id)
    second = review.save_nlu_draft(users["anh"], "greet", "hello ad", "b")
    review.approve(users["binh"], second.id)
    third = review.save_nlu_draft(users["anh"], "out_of_scope", "mua xe: ở đâu rẻ?", "c")
    review.approve(users["binh"], third.id)
    data = yaml.safe_load(nlu_file.read_text(encoding="utf-8"))
    assert data["version"] == "3.1"
    assert data["nlu"] == [
        {"intent": "greet", "examples": "- chào em nhé\n- hello ad\n"},
        {"intent": "out_of_scope", "examples": "- mua xe: ở đâu rẻ?\n"},
    ]
