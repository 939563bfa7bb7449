"""The KB admins' list: the badges say what needs attention, filters and the search narrow it."""

from __future__ import annotations

import datetime as dt

import pytest

from console import kb_list
from procedures_kb import KnowledgeBase


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_the_badges_come_from_the_record_and_the_review_state(kb: KnowledgeBase) -> None:
    record = kb.get("khai-sinh")
    today = record.last_verified + dt.timedelta(days=400)
    row = kb_list.row_of(record, today, 365, waiting={"khai-sinh"}, unreviewed=set())
    assert row.stale and row.age_days == 400 and row.waiting and not row.unreviewed and row.curated
    fresh = kb_list.row_of(record, record.last_verified, 365, waiting=set(), unreviewed={"khai-sinh"})
    assert not fresh.stale and not fresh.waiting and fresh.unreviewed
    expected = [kb_list.GROUP_NAMES[group] for group in kb_list.unverified_groups(record)]
    assert list(row.unverified) == expected


def test_an_imported_record_lists_its_unverified_groups(kb: KnowledgeBase) -> None:
    imported = next(record for record in kb.all() if record.imported_from)
    row = kb_list.row_of(imported, imported.last_verified, 365, set(), set())
    assert not row.curated
    assert "giấy tờ" in row.unverified or not imported.cases


def test_without_a_query_drafts_waiting_and_curated_records_come_first(kb: KnowledgeBase) -> None:
    today = dt.date(2026, 12, 6)
    result = kb_list.listing(kb, today=today, stale_days=365, waiting={"tam-tru"}, unreviewed={"ho-chieu"})
    assert [row.procedure_id for row in result.rows[:2]] == ["tam-tru", "ho-chieu"]
    assert result.total == len(kb) and result.pages == -(-len(kb) // kb_list.PAGE_SIZE)
    assert result.counts["waiting"] == 1 and result.counts["unreviewed"] == 1
    assert result.counts["curated"] + result.counts["imported"] == len(kb)
    assert all(row.curated for row in result.rows[2 : result.counts["curated"]])


def test_filters_keep_only_their_rows_and_pages_are_bounded(kb: KnowledgeBase) -> None:
    today = dt.date(2026, 12, 6)
    waiting = kb_list.listing(kb, today=today, stale_days=365, waiting={"tam-tru", "khai-tu"}, show="waiting")
    assert {row.procedure_id for row in waiting.rows} == {"tam-tru", "khai-tu"} and waiting.total == 2
    imported = kb_list.listing(kb, today=today, stale_days=365, show="imported", page=10_000)
    assert imported.page == imported.pages and all(not row.curated for row in imported.rows)
    unknown = kb_list.listing(kb, today=today, stale_days=365, show="nonsense")
    assert unknown.total == len(kb)


def test_the_search_is_the_assistants_accent_insensitive_with_aliases(kb: KnowledgeBase) -> None:
    today = dt.date(2026, 12, 6)
    result = kb_list.listing(kb, today=today, stale_days=365, query="dk tam tru")
    assert result.rows and result.rows[0].procedure_id == "tam-tru"
    cccd = kb_list.listing(kb, today=today, stale_days=365, query="cccd", show="curated")
    assert cccd.rows and all(row.curated for row in cccd.rows)
    assert cccd.rows[0].procedure_id in {"can-cuoc", "cap-doi-can-cuoc", "cap-lai-can-cuoc", "can-cuoc-duoi-14"}
