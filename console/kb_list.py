"""The admins' list of procedures: every record with the badges that say what needs attention.

A row's badges: the date it was last verified, "stale" when that is more than `stale_days` ago, the
fact groups not verified (those the record holds: an optional group it does not hold is not asked
about), a draft waiting for review, and "published without review" until a second reviewer approves.
Filters narrow the rows; a search query orders them by the assistant's own search (same names,
aliases and accent folding as the citizens get). Pure functions over a loaded `KnowledgeBase`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import AbstractSet, Dict, List, Optional, Sequence, Tuple

from procedures_kb import KnowledgeBase, Procedure
from procedures_kb.schema import OPTIONAL_GROUPS, FactGroup

PAGE_SIZE = 50
MAX_QUERY_CHARS = 200
SEARCH_LIMIT = 100

# A fact group as a badge names it.
GROUP_NAMES: Dict[FactGroup, str] = {
    FactGroup.documents: "giấy tờ",
    FactGroup.fees: "lệ phí",
    FactGroup.time_limit: "thời hạn",
    FactGroup.agency: "cơ quan",
    FactGroup.channels: "cách nộp",
    FactGroup.steps: "các bước",
    FactGroup.result: "kết quả",
    FactGroup.legal_basis: "căn cứ pháp lý",
    FactGroup.deadline: "hạn phải đăng ký",
    FactGroup.presence: "người phải có mặt",
    FactGroup.conditions: "điều kiện",
    FactGroup.forms: "mẫu đơn",
    FactGroup.validity: "thời hạn sử dụng",
    FactGroup.delivery: "cách nhận kết quả",
}

# ?show=… of the list page, and what each keeps.
FILTERS: Dict[str, str] = {
    "": "Tất cả",
    "curated": "Do biên tập viên soạn",
    "imported": "Nhập từ CSDL quốc gia, chưa rà soát",
    "stale": "Lâu chưa xác minh",
    "unverified": "Có thông tin chưa xác minh",
    "waiting": "Có bản nháp chờ duyệt",
    "unreviewed": "Công bố chưa qua duyệt",
}


@dataclass(frozen=True)
class Row:
    procedure_id: str
    title: str
    code: Optional[str]
    curated: bool
    last_verified: dt.date
    age_days: int
    stale: bool
    unverified: Tuple[str, ...]  # names of the fact groups not verified
    waiting: bool
    unreviewed: bool


@dataclass(frozen=True)
class Listing:
    rows: List[Row]  # the rows of this page
    total: int  # rows across all pages
    page: int
    pages: int
    counts: Dict[str, int]  # rows per filter, over the whole KB (the filter links show them)


def unverified_groups(record: Procedure) -> List[FactGroup]:
    """The fact groups the assistant flags as not verified when it answers from this record."""
    return [
        group
        for group in FactGroup
        if not record.is_verified(group) and (group not in OPTIONAL_GROUPS or record.holds(group))
    ]


def row_of(
    record: Procedure, today: dt.date, stale_days: int, waiting: AbstractSet[str], unreviewed: AbstractSet[str]
) -> Row:
    age = (today - record.last_verified).days
    return Row(
        procedure_id=record.id,
        title=record.title,
        code=record.primary_code,
        curated=record.imported_from is None,
        last_verified=record.last_verified,
        age_days=age,
        stale=age > stale_days,
        unverified=tuple(GROUP_NAMES[group] for group in unverified_groups(record)),
        waiting=record.id in waiting,
        unreviewed=record.id in unreviewed,
    )


def _keeps(row: Row, show: str) -> bool:
    return {
        "": True,
        "curated": row.curated,
        "imported": not row.curated,
        "stale": row.stale,
        "unverified": bool(row.unverified),
        "waiting": row.waiting,
        "unreviewed": row.unreviewed,
    }[show]


def clean_query(raw: str) -> str:
    return " ".join(raw.split())[:MAX_QUERY_CHARS]


def listing(
    kb: KnowledgeBase,
    *,
    today: dt.date,
    stale_days: int,
    waiting: AbstractSet[str] = frozenset(),
    unreviewed: AbstractSet[str] = frozenset(),
    query: str = "",
    show: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Listing:
    """One page of rows. Without a query: drafts waiting first, then the editors' records, then the
    oldest verification first. With a query: the search's order (its best hits only)."""
    if show not in FILTERS:
        show = ""
    rows_by_id = {record.id: row_of(record, today, stale_days, waiting, unreviewed) for record in kb.all()}
    counts = {name: sum(1 for row in rows_by_id.values() if _keeps(row, name)) for name in FILTERS}
    query = clean_query(query)
    ordered: Sequence[Row]
    if query:
        hits = kb.search(query, limit=SEARCH_LIMIT).hits
        ordered = [rows_by_id[hit.procedure_id] for hit in hits if hit.procedure_id in rows_by_id]
    else:
        ordered = sorted(
            rows_by_id.values(),
            key=lambda row: (not row.waiting, not row.unreviewed, not row.curated, row.last_verified, row.title),
        )
    kept = [row for row in ordered if _keeps(row, show)]
    pages = max(1, -(-len(kept) // page_size))
    page = min(max(1, page), pages)
    start = (page - 1) * page_size
    return Listing(kept[start : start + page_size], len(kept), page, pages, counts)
