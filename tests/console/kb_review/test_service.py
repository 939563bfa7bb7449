"""The review of KB drafts: a draft never changes the live KB; another person approves it; the
audit log publishes it; a moved record needs a rebase; urgent publishing stays flagged; rollbacks."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Dict

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.accounts import User
from console.kb_review.errors import InvalidDraft, NeedsRebase, NotAllowed, ReasonRequired, SelfReview
from console.kb_review.service import KbReview
from console.tables import audit
from procedures_kb.problems import Code, vietnamese
from procedures_kb.record_files import to_yaml
from procedures_kb.schema import Procedure

PASSPORT = "ho-chieu"


def edited(review: KbReview, procedure_id: str = PASSPORT, **changes: object) -> Dict[str, object]:
    live = review.live(procedure_id)
    assert live is not None
    data = copy.deepcopy(live.data)
    data.update(changes)
    return data


def actions(engine: Engine) -> list:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(audit.c.action).order_by(audit.c.id)).scalars())


def test_saving_validates_in_vietnamese_and_leaves_the_live_file_alone(
    review: KbReview, users: Dict[str, User], kb_dir: Path
) -> None:
    before = (kb_dir / f"{PASSPORT}.yml").read_bytes()
    data = edited(review)
    data["channels"][0]["fees"][0]["amount"] = "abc"  # type: ignore[index]
    with pytest.raises(InvalidDraft) as caught:
        review.save_draft(users["anh"], PASSPORT, data, None, "phí mới")
    [found] = [p for p in caught.value.problems if p.location == "channels[0].fees[0].amount"]
    assert found.message == vietnamese(Code(found.code), found.params) and found.file == "ho-chieu.yml"

    draft = review.save_draft(users["anh"], PASSPORT, edited(review, applicants="Công dân Việt Nam"), None, "sửa")
    assert draft.state == "waiting" and draft.base_sha256 == review.live(PASSPORT).sha256  # type: ignore[union-attr]
    assert (kb_dir / f"{PASSPORT}.yml").read_bytes() == before
    assert review.waiting_ids() == {PASSPORT}
    with pytest.raises(ReasonRequired):
        review.save_draft(users["anh"], PASSPORT, edited(review, applicants="x"), None, "  ")


def test_a_duplicate_name_is_a_whole_kb_problem(review: KbReview, users: Dict[str, User]) -> None:
    other = review.live("can-cuoc")
    assert other is not None
    with pytest.raises(InvalidDraft) as caught:
        review.save_draft(users["anh"], PASSPORT, edited(review, title=other.data["title"]), None, "trùng tên")
    assert [p.code for p in caught.value.problems] == [Code.duplicate_name.value]
    assert "trùng" in caught.value.problems[0].message or "đã" in caught.value.problems[0].message


def test_the_author_cannot_approve_and_a_reviewer_publishes(
    review: KbReview, users: Dict[str, User], kb_dir: Path, engine: Engine
) -> None:
    draft = review.save_draft(users["dung"], PASSPORT, edited(review, applicants="Công dân Việt Nam"), None, "rõ hơn")
    with pytest.raises(SelfReview):
        review.approve(users["dung"], draft.id)
    with pytest.raises(NotAllowed):
        review.approve(users["anh"], draft.id)  # an admin, not a reviewer
    published = review.approve(users["binh"], draft.id, "đúng")
    assert published.state == "published" and published.reviewer_name == "binh" and published.published_version == 1
    assert Procedure.parse_obj(review.live(PASSPORT).data).applicants == "Công dân Việt Nam"  # type: ignore[union-attr]
    assert (kb_dir / f"{PASSPORT}.yml").read_text(encoding="utf-8") == to_yaml(Procedure.parse_obj(draft.data))
    [entry] = review.history(PASSPORT)
    assert entry.by == "dung" and "rõ hơn" in entry.reason and "binh" in entry.reason
    assert [c["path"] for c in entry.changes] == ["applicants"]
    assert actions(engine)[-2:] == ["kb_draft_saved", "kb_draft_approved"]
    with pytest.raises(NotAllowed):
        review.approve(users["chi"], draft.id)  # published already


def test_urgent_publishing_needs_a_reason_and_stays_flagged(review: KbReview, users: Dict[str, User]) -> None:
    draft = review.save_draft(users["dung"], PASSPORT, edited(review, applicants="Khẩn"), None, "sai phí")
    with pytest.raises(ReasonRequired):
        review.publish_urgent(users["dung"], draft.id, " ")
    with pytest.raises(NotAllowed):
        review.publish_urgent(users["binh"], draft.id, "không phải bài của tôi")
    urgent = review.publish_urgent(users["dung"], draft.id, "phí sai đang trả lời người dân")
    assert urgent.state == "published_unreviewed" and urgent.urgent_reason == "phí sai đang trả lời người dân"
    assert review.unreviewed_ids() == {PASSPORT} and len(review.history(PASSPORT)) == 1
    with pytest.raises(SelfReview):
        review.approve(users["dung"], draft.id)
    approved = review.approve(users["chi"], draft.id)
    assert approved.state == "published" and approved.reviewer_name == "chi"
    assert review.unreviewed_ids() == set() and len(review.history(PASSPORT)) == 1  # no second write


def test_a_draft_on_a_moved_record_needs_a_rebase_and_shows_the_conflict(
    review: KbReview, users: Dict[str, User]
) -> None:
    first = review.save_draft(users["anh"], PASSPORT, edited(review, applicants="Một"), None, "một")
    second = review.save_draft(users["dung"], PASSPORT, edited(review, applicants="Hai"), None, "hai")
    review.approve(users["binh"], first.id)
    with pytest.raises(NeedsRebase):
        review.approve(users["binh"], second.id)
    result = review.rebase(users["dung"], second.id)
    assert not result.rebased and [c[0] for c in result.conflicts] == ["applicants"]
    _field, base, live, mine = result.conflicts[0]
    assert (live, mine) == ("Một", "Hai") and base not in ("Một", "Hai")
    assert review.get(second.id).base_sha256 == second.base_sha256  # nothing saved


def test_a_disjoint_rebase_merges_and_publishes_both_changes(review: KbReview, users: Dict[str, User]) -> None:
    first = review.save_draft(users["anh"], PASSPORT, edited(review, applicants="Một"), None, "một")
    second = review.save_draft(users["dung"], PASSPORT, edited(review, result="Hộ chiếu mới"), None, "hai")
    review.approve(users["binh"], first.id)
    result = review.rebase(users["dung"], second.id)
    assert result.rebased and result.conflicts == [] and result.moved == ["result"]
    assert result.draft.base_sha256 == review.live(PASSPORT).sha256  # type: ignore[union-attr]
    review.approve(users["binh"], second.id)
    live = review.live(PASSPORT).data  # type: ignore[union-attr]
    assert (live["applicants"], live["result"]) == ("Một", "Hộ chiếu mới")


def test_a_rollback_draft_restores_the_old_text_when_approved(
    review: KbReview, users: Dict[str, User], kb_dir: Path
) -> None:
    original = (kb_dir / f"{PASSPORT}.yml").read_bytes()
    review.approve(
        users["binh"], review.save_draft(users["anh"], PASSPORT, edited(review, applicants="x"), None, "a").id
    )
    assert (kb_dir / f"{PASSPORT}.yml").read_bytes() != original
    with pytest.raises(NotAllowed):
        review.rollback_draft(users["anh"], PASSPORT, 1, "đang là bản này")
    draft = review.rollback_draft(users["anh"], PASSPORT, 0, "trả lại như cũ")
    assert draft.kind == "rollback" and draft.rollback_version == 0
    assert (kb_dir / f"{PASSPORT}.yml").read_bytes() != original  # only a draft so far
    review.approve(users["chi"], draft.id)
    assert (kb_dir / f"{PASSPORT}.yml").read_bytes() == original
    assert review.history(PASSPORT)[-1].action == "rollback"


def test_an_imported_record_is_published_in_its_json_file(
    review: KbReview, users: Dict[str, User], kb_dir: Path
) -> None:
    procedure_id = "tthc-1-000005"
    data = edited(review, procedure_id, applicants="Doanh nghiệp")
    draft = review.save_draft(users["anh"], procedure_id, data, None, "rõ đối tượng")
    review.approve(users["binh"], draft.id)
    path = kb_dir / "national" / f"{procedure_id}.json"
    assert json.loads(path.read_text(encoding="utf-8"))["applicants"] == "Doanh nghiệp"
    assert not (kb_dir / f"{procedure_id}.yml").exists()


def test_reject_and_withdraw(review: KbReview, users: Dict[str, User]) -> None:
    draft = review.save_draft(users["anh"], PASSPORT, edited(review, applicants="x"), None, "a")
    with pytest.raises(ReasonRequired):
        review.reject(users["binh"], draft.id, "")
    rejected = review.reject(users["binh"], draft.id, "thiếu nguồn")
    assert rejected.state == "rejected" and rejected.review_comment == "thiếu nguồn"
    other = review.save_draft(users["anh"], PASSPORT, edited(review, applicants="y"), None, "b")
    with pytest.raises(NotAllowed):
        review.withdraw(users["dung"], other.id)
    assert review.withdraw(users["anh"], other.id).state == "withdrawn"
    assert review.waiting_ids() == set()


def test_the_author_updates_their_own_waiting_draft(review: KbReview, users: Dict[str, User]) -> None:
    draft = review.save_draft(users["anh"], PASSPORT, edited(review, applicants="x"), None, "a")
    again = review.save_draft(users["anh"], PASSPORT, edited(review, applicants="z"), None, "b", draft_id=draft.id)
    assert again.id == draft.id and again.data["applicants"] == "z" and again.note == "b"
    with pytest.raises(NotAllowed):
        review.save_draft(users["dung"], PASSPORT, edited(review, applicants="q"), None, "c", draft_id=draft.id)
