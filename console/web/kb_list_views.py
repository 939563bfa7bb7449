"""The KB admins' list of procedures and the page of one procedure (roles admin and reviewer).

- GET /kb/procedures?q=…&show=…&page=N   every procedure with its badges (`console.kb_list`): last
  verified, stale, unverified fact groups, a draft waiting, published without review; filters and
  the assistant's own search
- GET /kb/procedures/{procedure_id}      one procedure: its badges, its drafts, links to edit it, to
  its history and to the helpers' desk, and the provinces of provinces/index.yml with or without
  facts of their own for it (each with its form, console.web.kb_province_views)

The records are the assistant's (`DESK_KB`, reloaded when the files change); the drafts are the
review service's (`console.kb_review`).
"""

from __future__ import annotations

import asyncio
from typing import AbstractSet, Tuple

from aiohttp import web

from console import kb_list
from console.kb_review import messages as review_messages
from console.kb_review.service import KbReview
from console.web.desk_views import DESK_KB, DeskKnowledge
from console.web.kb_review_views import KB_REVIEW
from console.web.keys import SETTINGS
from console.web.render import render
from console.web.security import require_role
from motcua.settings import get_settings
from procedures_kb import UnknownProcedure

LIST_TITLE = "Kho thủ tục"
NOT_FOUND = "Không có thủ tục này trong kho."


def _page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 6 else 1


async def _review_sets(review: KbReview) -> Tuple[AbstractSet[str], AbstractSet[str]]:
    waiting = await asyncio.to_thread(review.waiting_ids)
    unreviewed = await asyncio.to_thread(review.unreviewed_ids)
    return waiting, unreviewed


@require_role("admin", "reviewer")
async def procedures_page(request: web.Request) -> web.StreamResponse:
    kb = await request.app[DESK_KB].current()
    waiting, unreviewed = await _review_sets(request.app[KB_REVIEW])
    query = kb_list.clean_query(request.query.get("q", ""))
    show = request.query.get("show", "")
    result = await asyncio.to_thread(
        kb_list.listing,
        kb,
        today=get_settings().current_date(),
        stale_days=request.app[SETTINGS].kb_stale_days,
        waiting=waiting,
        unreviewed=unreviewed,
        query=query,
        show=show,
        page=_page_number(request.query.get("page", "1")),
    )
    return await render(
        request,
        "kb_procedures.html",
        title=LIST_TITLE,
        listing=result,
        query=query,
        show=show if show in kb_list.FILTERS else "",
        filters=kb_list.FILTERS,
        stale_days=request.app[SETTINGS].kb_stale_days,
    )


@require_role("admin", "reviewer")
async def procedure_page(request: web.Request) -> web.StreamResponse:
    kb = await request.app[DESK_KB].current()
    procedure_id = request.match_info["procedure_id"]
    try:
        record = kb.get(procedure_id)
    except UnknownProcedure:
        return await render(request, "error.html", status=404, title=NOT_FOUND, message=NOT_FOUND)
    review = request.app[KB_REVIEW]
    waiting, unreviewed = await _review_sets(review)
    row = kb_list.row_of(
        record, get_settings().current_date(), request.app[SETTINGS].kb_stale_days, waiting, unreviewed
    )
    drafts = await asyncio.to_thread(review.drafts, procedure_id=procedure_id)
    overridden = {province.slug for province in kb.provinces.overridden_in(procedure_id)}
    provinces = [(province, province.slug in overridden) for province in kb.provinces.provinces.values()]
    return await render(
        request,
        "kb_procedure.html",
        title=record.title,
        record=record,
        row=row,
        drafts=drafts,
        provinces=provinces,
        states=review_messages.STATE_LABELS,
        kinds=review_messages.KIND_LABELS,
    )


def setup(app: web.Application) -> None:
    if DESK_KB not in app:
        app[DESK_KB] = DeskKnowledge.from_settings()
    app.router.add_get("/kb/procedures", procedures_page, name="kb_procedures")
    app.router.add_get("/kb/procedures/{procedure_id}", procedure_page, name="kb_procedure")
