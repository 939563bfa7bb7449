"""A province's override of a procedure as a reviewed draft: checked with the loader's rules (in
Vietnamese, at the field), published by a second person into provinces/<slug>.yml so the KB then
answers with it, refused when the province file moved meanwhile, flagged when published urgently."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Dict

import pytest
from sqlalchemy.engine import Engine

from console.accounts import User
from console.kb_review.errors import InvalidDraft, NeedsRebase, NotAllowed, ProvinceMoved, ReasonRequired, SelfReview
from console.kb_review.pages import draft_page
from console.kb_review.service import KbReview
from procedures_kb.answer_text import PROVINCE_APPLIES, PROVINCE_NO_LOCAL
from procedures_kb.kb import KnowledgeBase
from procedures_kb.problems import Code, vietnamese
from tests.console.kb_review.test_service import PASSPORT, actions

DA_NANG = "da-nang"  # in the index, without a file of its own


def new_fee(review: KbReview, amount: Any = 250000) -> Dict[str, Any]:
    """An override of the passport's channels with the first fee changed."""
    live = review.live(PASSPORT)
    assert live is not None
    channels = copy.deepcopy(live.data["channels"])
    channels[0]["fees"][0]["amount"] = amount
    return {"channels": channels}


def province_file(kb_dir: Path, slug: str) -> Path:
    return kb_dir.parent / "provinces" / f"{slug}.yml"


def test_saving_checks_the_override_with_the_loaders_rules_in_vietnamese(
    review: KbReview, users: Dict[str, User], kb_dir: Path
) -> None:
    bad = {"title": "Tên khác", "mau_don": "x", **new_fee(review, "20.000")}
    with pytest.raises(InvalidDraft) as caught:
        review.save_province_draft(users["anh"], DA_NANG, PASSPORT, bad, None, "phí Đà Nẵng")
    found = {p.location: p for p in caught.value.problems}
    assert found["title"].message == vietnamese(Code.national_field, {})
    assert set(found) == {"title", "mau_don", "channels[0].fees[0].amount"}
    for problem in found.values():
        assert problem.message == vietnamese(Code(problem.code), problem.params)
        assert problem.file == "provinces/da-nang.yml"
    assert not province_file(kb_dir, DA_NANG).exists() and review.drafts() == []
    with pytest.raises(NotAllowed):
        review.save_province_draft(users["anh"], "atlantis", PASSPORT, new_fee(review), None, "x")
    with pytest.raises(ReasonRequired):
        review.save_province_draft(users["anh"], DA_NANG, PASSPORT, new_fee(review), None, " ")


def test_a_second_person_publishes_it_and_the_kb_answers_with_it(
    review: KbReview, users: Dict[str, User], kb_dir: Path, engine: Engine
) -> None:
    draft = review.save_province_draft(users["dung"], DA_NANG, PASSPORT, new_fee(review), None, "phí Đà Nẵng")
    assert draft.kind == "province" and draft.base_sha256 is None and draft.state == "waiting"
    assert draft.data == {"province": DA_NANG, "procedure_id": PASSPORT, "override": new_fee(review)}
    with pytest.raises(SelfReview):
        review.approve(users["dung"], draft.id)
    with pytest.raises(NotAllowed):
        review.approve(users["anh"], draft.id)  # an admin, not a reviewer
    assert not province_file(kb_dir, DA_NANG).exists()

    page = draft_page(review, draft, users["binh"])
    fee = next(p for p in page.previews if p.aspect == "fee")
    assert PROVINCE_NO_LOCAL.format(province="Đà Nẵng") in (fee.old or "")
    assert PROVINCE_APPLIES.format(province="Đà Nẵng") in (fee.new or "") and "250.000" in (fee.new or "")
    assert [c["path"] for c in page.changes] == ["channels[0].fees[0].amount"] and page.may_approve

    done = review.approve(users["binh"], draft.id, "đúng nghị quyết")
    assert done.state == "published" and done.reviewer_name == "binh"
    kb = KnowledgeBase.load(kb_dir)
    local = kb.local(PASSPORT, DA_NANG)
    assert local is not None and local.channels[0].fees[0].amount == 250000
    assert kb.get(PASSPORT).channels[0].fees[0].amount != 250000  # the national record is untouched
    assert province_file(kb_dir, DA_NANG).read_text(encoding="utf-8") == review.draft_text(done)
    assert actions(engine)[-2:] == ["kb_draft_saved", "kb_draft_approved"]
    assert [d.id for d in review.province_drafts(DA_NANG, PASSPORT)] == [draft.id]


def test_a_province_file_changed_meanwhile_is_refused_not_overwritten(
    review: KbReview, users: Dict[str, User], kb_dir: Path
) -> None:
    live = review.province_live("ha-noi", "khai-sinh")
    assert live is not None and live.override is not None
    override = {**live.override, "agency": {"name": "UBND cấp xã nơi cư trú (Hà Nội)"}}
    draft = review.save_province_draft(users["anh"], "ha-noi", "khai-sinh", override, live.sha256, "tên cơ quan")
    changed = live.text.replace("(thành phố Hà Nội)", "(TP Hà Nội)")
    province_file(kb_dir, "ha-noi").write_text(changed, encoding="utf-8")

    with pytest.raises(ProvinceMoved) as caught:
        review.approve(users["binh"], draft.id)
    assert isinstance(caught.value, NeedsRebase) and "(TP Hà Nội)" in caught.value.override
    assert province_file(kb_dir, "ha-noi").read_text(encoding="utf-8") == changed
    assert review.get(draft.id).state == "waiting"
    with pytest.raises(ProvinceMoved):
        review.rebase(users["anh"], draft.id)
    with pytest.raises(ProvinceMoved):
        review.publish_urgent(users["anh"], draft.id, "khẩn")
    page = draft_page(review, review.get(draft.id), users["binh"])
    assert page.needs_rebase and not page.may_approve and not page.may_rebase
    assert page.province is not None and page.province.moved and "(TP Hà Nội)" in page.province.now_override
    with pytest.raises(ProvinceMoved):  # a form opened before the change cannot be saved either
        review.save_province_draft(users["anh"], "ha-noi", "khai-sinh", override, live.sha256, "lại")


def test_urgent_publish_is_flagged_until_reviewed_and_an_empty_override_removes_it(
    review: KbReview, users: Dict[str, User], kb_dir: Path
) -> None:
    live = review.province_live("ha-noi", "khai-sinh")
    assert live is not None
    draft = review.save_province_draft(users["anh"], "ha-noi", "khai-sinh", {}, live.sha256, "dùng quy định chung")
    with pytest.raises(ReasonRequired):
        review.publish_urgent(users["anh"], draft.id, "")
    published = review.publish_urgent(users["anh"], draft.id, "sai tên cơ quan đang trả lời dân")
    assert published.state == "published_unreviewed" and published.urgent_reason
    assert KnowledgeBase.load(kb_dir).local("khai-sinh", "ha-noi") is None
    assert review.unreviewed_ids() == {"khai-sinh"}
    assert review.approve(users["binh"], draft.id).state == "published"
    assert review.unreviewed_ids() == set()
    again = review.province_live("ha-noi", "khai-sinh")
    assert again is not None and again.override is None
    with pytest.raises(NotAllowed):  # nothing to remove any more
        review.save_province_draft(users["anh"], "ha-noi", "khai-sinh", {}, again.sha256, "lại")
