"""The KB admins' procedure form: edit a procedure, or write a new one, as a draft for review.

    GET  /kb/procedures/{procedure_id}/edit          the form filled from the live record (its file's
                                                     sha256 kept in a hidden field), or `?draft=N`
                                                     from the admin's own waiting draft
    POST /kb/procedures/{procedure_id}/edit          → 303 to /kb/drafts/{id}; 422 with the form again
    GET  /kb/procedures/new, POST /kb/procedures/new the same for a new procedure (kind "create")

Role admin. The form's fields come from the KB schema (`console.kb_form`); the data is checked
with the loader's own rules, then by the review service (`KbReview.save_draft`), whose whole-KB
checks (a name another procedure owns) show the same way: each problem next to its field, all
of them listed at the top, the admin's text kept.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, FrozenSet, Optional

from aiohttp import web

from console.accounts import User
from console.dbrun import run
from console.kb_form import labels as L
from console.kb_form.errors import FormErrors, validate
from console.kb_form.parse import clean_text, parse_form
from console.kb_form.view import FormView
from console.kb_review.errors import InvalidDraft, NotAllowed, ReasonRequired, UnknownDraft
from console.kb_review.model import Draft
from console.kb_review.service import MAX_NOTE, KbReview
from console.web.kb_review_views import KB_REVIEW
from console.web.keys import ENGINE
from console.web.render import render
from console.web.security import logged_in_user, require_role
from motcua.settings import get_settings
from procedures_kb.loader import DATA_DIR

log = logging.getLogger(__name__)

NEW = "new"


def _review(request: web.Request) -> KbReview:
    return request.app[KB_REVIEW]


def _draft_number(raw: Any) -> Optional[int]:
    if isinstance(raw, str) and raw.isdigit() and len(raw) < 12:
        return int(raw)
    return None


def _files(procedure_id: str) -> FrozenSet[str]:
    """The labels the problems of this record's file carry (the service names the live file)."""
    return frozenset({"", f"{procedure_id}.yml", f"{procedure_id}.json", f"national/{procedure_id}.json"})


async def _page(
    request: web.Request,
    procedure_id: Optional[str],
    data: Dict[str, Any],
    *,
    base_sha256: Optional[str] = None,
    draft_id: Optional[int] = None,
    note: str = "",
    errors: Optional[FormErrors] = None,
    status: int = 200,
) -> web.Response:
    editing = procedure_id is not None
    title = L.EDIT_TITLE.format(title=data.get("title") or procedure_id) if editing else L.NEW_TITLE
    form = FormView(data, errors or FormErrors(), readonly=frozenset({"id"}) if editing else frozenset())
    return await render(
        request,
        "kb_edit.html",
        status=status,
        title=title,
        form=form,
        L=L,
        action=f"/kb/procedures/{procedure_id}/edit" if editing else f"/kb/procedures/{NEW}",
        back=f"/kb/procedures/{procedure_id}" if editing else "/kb/procedures",
        back_label=L.BACK_TO_PROCEDURE if editing else L.BACK_TO_LIST,
        base_sha256=base_sha256,
        draft_id=draft_id,
        note=note,
        note_limit=MAX_NOTE,
    )


async def _own_draft(request: web.Request, user: User, draft_id: int, procedure_id: str) -> Draft:
    try:
        draft = await run(_review(request).get, draft_id)
    except UnknownDraft:
        raise web.HTTPNotFound() from None
    if draft.procedure_id != procedure_id or draft.kind not in ("edit", "create"):
        raise web.HTTPNotFound()
    if draft.author_id != user.id or draft.state != "waiting":
        raise web.HTTPForbidden(text=L.NOT_YOUR_DRAFT)
    return draft


@require_role("admin")
async def edit_page(request: web.Request) -> web.StreamResponse:
    procedure_id = request.match_info["procedure_id"]
    draft_id = _draft_number(request.query.get("draft"))
    if draft_id is not None:
        draft = await _own_draft(request, await logged_in_user(request), draft_id, procedure_id)
        return await _page(request, procedure_id, draft.data, base_sha256=draft.base_sha256, draft_id=draft.id)
    live = await run(_review(request).live, procedure_id)
    if live is None:
        raise web.HTTPNotFound()
    return await _page(request, procedure_id, live.data, base_sha256=live.sha256)


@require_role("admin")
async def new_page(request: web.Request) -> web.StreamResponse:
    return await _page(request, None, parse_form([]))


async def _save(request: web.Request, procedure_id: Optional[str]) -> web.StreamResponse:
    """Check the posted form, save it as a draft and go to the draft's page; or show it again (422)."""
    user = await logged_in_user(request)
    form = await request.post()
    data = parse_form(form.items())
    if procedure_id is not None:
        data["id"] = procedure_id  # the record edited is the one of the address, whatever was posted
    raw_note = form.get("note")
    note = clean_text(raw_note) if isinstance(raw_note, str) else ""
    raw_base = form.get("base_sha256")
    base_sha256 = raw_base if isinstance(raw_base, str) and raw_base else None
    draft_id = _draft_number(form.get("draft")) if procedure_id is not None else None
    target = procedure_id if procedure_id is not None else data.get("id")
    _, problems = validate(data)
    errors = FormErrors.of_problems(problems)
    if not note:
        errors.add("note", L.NOTE_LABEL, L.NOTE_REQUIRED)
    elif len(note) > MAX_NOTE:
        errors.add("note", L.NOTE_LABEL, L.NOTE_TOO_LONG.format(limit=MAX_NOTE))
    kind = "edit" if procedure_id is not None else "create"
    if draft_id is not None and procedure_id is not None:  # a draft of a new procedure stays one
        kind = (await _own_draft(request, user, draft_id, procedure_id)).kind
    if not errors and isinstance(target, str):
        try:
            draft = await run(
                _review(request).save_draft, user, target, data, base_sha256, note, kind=kind, draft_id=draft_id
            )
        except InvalidDraft as exc:
            errors = FormErrors.of_problems(exc.problems, files=_files(target))
        except ReasonRequired as exc:
            errors.add("note", L.NOTE_LABEL, str(exc))
        except NotAllowed as exc:
            errors.add("", L.UNLOCATED, str(exc))
        except UnknownDraft:
            raise web.HTTPNotFound() from None
        else:
            log.info("KB draft %s saved from the procedure form (%s)", draft.id, kind)
            raise web.HTTPSeeOther(f"/kb/drafts/{draft.id}")
    return await _page(
        request, procedure_id, data, base_sha256=base_sha256, draft_id=draft_id, note=note, errors=errors, status=422
    )


@require_role("admin")
async def edit_submit(request: web.Request) -> web.StreamResponse:
    return await _save(request, request.match_info["procedure_id"])


@require_role("admin")
async def new_submit(request: web.Request) -> web.StreamResponse:
    return await _save(request, None)


def setup(app: web.Application) -> None:
    """Add the form's routes (before any `/kb/procedures/{procedure_id}` route, so "new" is this
    page); the review service is the app's (console.web.kb_review_views sets it up), else one over
    the assistant's KB directory."""
    if KB_REVIEW not in app:
        app[KB_REVIEW] = KbReview(app[ENGINE], get_settings().kb_dir or DATA_DIR)
    app.router.add_get(f"/kb/procedures/{NEW}", new_page, name="kb_new")
    app.router.add_post(f"/kb/procedures/{NEW}", new_submit, name="kb_new_submit")
    app.router.add_get("/kb/procedures/{procedure_id}/edit", edit_page, name="kb_edit")
    app.router.add_post("/kb/procedures/{procedure_id}/edit", edit_submit, name="kb_edit_submit")
