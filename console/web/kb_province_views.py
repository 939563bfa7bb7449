"""The KB admins' form of a province's override of a procedure, saved as a draft for review.

    GET  /kb/provinces/{slug}/{procedure_id}/edit    the form filled from the province's override (or
                                                     the national record when it has none), the
                                                     province file's sha256 in a hidden field, and
                                                     the trail of this override's drafts;
                                                     `?draft=N` from the admin's own waiting draft
    POST /kb/provinces/{slug}/{procedure_id}/edit    → 303 to /kb/drafts/{id}; 422 with the form again

Role admin. The sections and inputs are the procedure form's (`console.kb_form`), for the fields a
province may set, each section with a box "Dùng thông tin riêng của tỉnh". The review service checks
the override as the loader checks province files; its problems show next to their fields.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, FrozenSet, List, Optional

from aiohttp import web

from console.accounts import User
from console.dbrun import run
from console.kb_form import labels as L
from console.kb_form.errors import FormErrors
from console.kb_form.overrides import OverrideFormView, override_of_form, posted_sections, used_sections
from console.kb_form.parse import clean_text
from console.kb_review import messages as kbmsg
from console.kb_review.errors import InvalidDraft, NotAllowed, ProvinceMoved, ReasonRequired, UnknownDraft
from console.kb_review.model import Draft
from console.kb_review.pages import local_time
from console.kb_review.province_drafts import ProvinceLive, merged_data
from console.kb_review.service import MAX_NOTE, KbReview
from console.web.kb_review_views import KB_REVIEW
from console.web.keys import ENGINE, JINJA
from console.web.render import render
from console.web.security import logged_in_user, require_role
from motcua.settings import get_settings
from procedures_kb.loader import DATA_DIR

log = logging.getLogger(__name__)


def _review(request: web.Request) -> KbReview:
    return request.app[KB_REVIEW]


async def _live(request: web.Request) -> ProvinceLive:
    slug, procedure_id = request.match_info["slug"], request.match_info["procedure_id"]
    try:
        live = await run(_review(request).province_live, slug, procedure_id)
    except NotAllowed as exc:  # the province file cannot be read
        raise web.HTTPConflict(text=str(exc)) from None
    if live is None:
        raise web.HTTPNotFound()
    return live


def _draft_number(raw: Any) -> Optional[int]:
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 12 else None


async def _own_draft(request: web.Request, user: User, draft_id: int, live: ProvinceLive) -> Draft:
    try:
        draft = await run(_review(request).get, draft_id)
    except UnknownDraft:
        raise web.HTTPNotFound() from None
    if draft.kind != "province" or draft.data.get("province") != live.province.slug:
        raise web.HTTPNotFound()
    if draft.procedure_id != live.procedure_id:
        raise web.HTTPNotFound()
    if draft.author_id != user.id or draft.state != "waiting":
        raise web.HTTPForbidden(text=L.NOT_YOUR_DRAFT)
    return draft


async def _page(
    request: web.Request,
    live: ProvinceLive,
    data: Dict[str, Any],
    used: FrozenSet[str],
    *,
    base_sha256: Optional[str],
    draft_id: Optional[int] = None,
    note: str = "",
    errors: Optional[FormErrors] = None,
    moved: Optional[str] = None,
    status: int = 200,
) -> web.Response:
    trail: List[Draft] = await run(_review(request).province_drafts, live.province.slug, live.procedure_id)
    title = L.PROVINCE_TITLE.format(province=live.province.name, title=live.national.get("title", live.procedure_id))
    return await render(
        request,
        "kb_province_edit.html",
        status=status,
        title=title,
        form=OverrideFormView(data, errors or FormErrors(), used=used),
        L=L,
        kb=kbmsg,
        live=live,
        action=f"/kb/provinces/{live.province.slug}/{live.procedure_id}/edit",
        back=f"/kb/procedures/{live.procedure_id}",
        base_sha256=base_sha256,
        draft_id=draft_id,
        note=note,
        note_limit=MAX_NOTE,
        moved=moved,
        trail=trail,
    )


@require_role("admin")
async def edit_page(request: web.Request) -> web.StreamResponse:
    live = await _live(request)
    draft_id = _draft_number(request.query.get("draft"))
    if draft_id is not None:
        draft = await _own_draft(request, await logged_in_user(request), draft_id, live)
        override = draft.data.get("override") or {}
        data = await run(_merged, live, override)
        return await _page(
            request, live, data, used_sections(override), base_sha256=draft.base_sha256, draft_id=draft.id
        )
    data = await run(_merged, live, live.override)
    return await _page(request, live, data, used_sections(live.override), base_sha256=live.sha256)


def _merged(live: ProvinceLive, override: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """What the form shows: the record the province answers with (the national one if that fails)."""
    return merged_data(live.national, override) or live.national


@require_role("admin")
async def edit_submit(request: web.Request) -> web.StreamResponse:
    live = await _live(request)
    user = await logged_in_user(request)
    posted = await request.post()
    pairs = list(posted.items())
    override, data = override_of_form(pairs, live.national)
    used = posted_sections(pairs)
    raw_note = posted.get("note")
    note = clean_text(raw_note) if isinstance(raw_note, str) else ""
    raw_base = posted.get("base_sha256")
    base_sha256 = raw_base if isinstance(raw_base, str) and raw_base else None
    draft_id = _draft_number(posted.get("draft"))
    if draft_id is not None:
        await _own_draft(request, user, draft_id, live)
    errors = FormErrors()
    moved: Optional[str] = None
    if not note:
        errors.add("note", L.NOTE_LABEL, L.NOTE_REQUIRED)
    elif len(note) > MAX_NOTE:
        errors.add("note", L.NOTE_LABEL, L.NOTE_TOO_LONG.format(limit=MAX_NOTE))
    if not errors:
        try:
            draft = await run(
                _review(request).save_province_draft,
                user,
                live.province.slug,
                live.procedure_id,
                override,
                base_sha256,
                note,
                draft_id=draft_id,
            )
        except InvalidDraft as exc:
            errors = FormErrors.of_problems(exc.problems, files=(live.label,))
        except ProvinceMoved as exc:
            errors.add("", L.UNLOCATED, str(exc))
            moved = exc.override
        except ReasonRequired as exc:
            errors.add("note", L.NOTE_LABEL, str(exc))
        except NotAllowed as exc:
            errors.add("", L.UNLOCATED, str(exc))
        except UnknownDraft:
            raise web.HTTPNotFound() from None
        else:
            log.info("KB draft %s saved from the province form", draft.id)
            raise web.HTTPSeeOther(f"/kb/drafts/{draft.id}")
    return await _page(
        request,
        live,
        data,
        used,
        base_sha256=base_sha256,
        draft_id=draft_id,
        note=note,
        errors=errors,
        moved=moved,
        status=422,
    )


def setup(app: web.Application) -> None:
    """The form's routes; the review service is the app's (console.web.kb_review_views sets it up),
    else one over the assistant's KB directory."""
    if KB_REVIEW not in app:
        app[KB_REVIEW] = KbReview(app[ENGINE], get_settings().kb_dir or DATA_DIR)
    app[JINJA].filters.setdefault("kb_time", local_time)
    app.router.add_get("/kb/provinces/{slug}/{procedure_id}/edit", edit_page, name="kb_province_edit")
    app.router.add_post("/kb/provinces/{slug}/{procedure_id}/edit", edit_submit, name="kb_province_edit_submit")
