"""The pages of the KB review: drafts, their review, the history of a procedure, spreadsheets.

    GET  /kb/drafts                          waiting drafts, urgent ones not yet reviewed, recent ones
    GET  /kb/drafts/{id}                     a draft: side-by-side diff, changed fields, answers preview
    POST /kb/drafts/{id}/approve             {comment?}            reviewer, never the author (403)
    POST /kb/drafts/{id}/reject              {comment}             reviewer, never the author
    POST /kb/drafts/{id}/urgent              {reason}              the author, an admin: publish now
    POST /kb/drafts/{id}/withdraw                                  the author
    POST /kb/drafts/{id}/rebase                                    the author (or an admin)
    GET  /kb/procedures/{id}/history         versions with who/when/why
    GET  /kb/procedures/{id}/diff?from=N&to=M  two versions side by side
    POST /kb/procedures/{id}/rollback        {version, note}       admin: a rollback draft
    GET  /kb/export.xlsx                     the live KB as a spreadsheet
    POST /kb/import                          multipart {file, note} (up to 5 MB): one draft per change
    POST /kb/nlu-drafts                      {intent, text, note}  admin: a draft NLU example

Reviewers and admins see the pages; admins edit. After a POST the browser is sent back to the page
with `?done=<what>` (the page says what happened); a refusal renders the page again with the reason.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlencode

from aiohttp import BodyPartReader, web

from console.dbrun import run
from console.kb_review import messages as msg
from console.kb_review import nlu_drafts
from console.kb_review.errors import (
    InvalidDraft,
    KbReviewError,
    NeedsRebase,
    ReasonRequired,
    SelfReview,
    StaleWorkbook,
    UnknownDraft,
)
from console.kb_review.pages import draft_page, local_time, shown, version_diff
from console.kb_review.records import problem_list
from console.kb_review.service import KbReview
from console.web.keys import ENGINE, JINJA
from console.web.render import render
from console.web.security import CSRF_FIELD, CSRF_HEADER, logged_in_user, require_role
from motcua.settings import get_settings
from procedures_kb.loader import DATA_DIR
from procedures_kb.schema import SLUG_RE

log = logging.getLogger(__name__)

KB_REVIEW = web.AppKey("kb_review", KbReview)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
RECENT = 30
DONE = {
    "approved": msg.APPROVED,
    "flag_cleared": msg.APPROVED_FLAG_CLEARED,
    "approved_nlu": msg.APPROVED_NLU,
    "urgent": msg.PUBLISHED_URGENT,
    "rejected": msg.REJECTED,
    "withdrawn": msg.WITHDRAWN,
    "rebase_nothing": msg.REBASE_NOTHING,
    "rollback": msg.ROLLBACK_DRAFTED,
}
STATUS = {SelfReview: 403, NeedsRebase: 409, ReasonRequired: 400, InvalidDraft: 400, StaleWorkbook: 409}


def _status(error: KbReviewError) -> int:
    for kind, status in STATUS.items():
        if isinstance(error, kind):
            return status
    return 404 if isinstance(error, UnknownDraft) else 409


async def _form(request: web.Request) -> Dict[str, str]:
    return {key: value for key, value in (await request.post()).items() if isinstance(value, str)}


def _draft_id(request: web.Request) -> int:
    try:
        return int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound() from None


def _procedure_id(request: web.Request) -> str:
    procedure_id = request.match_info["id"]
    if not SLUG_RE.match(procedure_id):
        raise web.HTTPNotFound()
    return procedure_id


# -- the list ----------------------------------------------------------------------------------
@require_role("admin", "reviewer")
async def drafts_page(request: web.Request) -> web.Response:
    review = request.app[KB_REVIEW]
    every = await run(review.drafts)
    waiting = [d for d in every if d.state == "waiting"]
    unreviewed = [d for d in every if d.state == "published_unreviewed"]
    recent = [d for d in every if d.state not in ("waiting", "published_unreviewed")][:RECENT]
    intents = await run(nlu_drafts.domain_intents, review.domain_file)
    done = msg.IMPORTED.format(count=request.query.get("count", "0")) if request.query.get("done") == "imported" else ""
    return await render(
        request,
        "kb_drafts.html",
        title=msg.DRAFTS_TITLE,
        waiting=waiting,
        unreviewed=unreviewed,
        recent=recent,
        intents=intents,
        done=done,
        kb=msg,
    )


# -- one draft ---------------------------------------------------------------------------------
async def _draft_response(
    request: web.Request,
    draft_id: int,
    *,
    error: Optional[KbReviewError] = None,
    conflicts: Optional[List[Tuple[str, str, str, str]]] = None,
) -> web.Response:
    review, user = request.app[KB_REVIEW], await logged_in_user(request)
    try:
        draft = await run(review.get, draft_id)
    except UnknownDraft:
        raise web.HTTPNotFound() from None
    page = await run(draft_page, review, draft, user)
    if isinstance(error, InvalidDraft):
        page.problems = problem_list(error.problems)
    done = request.query.get("done", "")
    notice = DONE.get(done, "") if error is None and conflicts is None else ""
    if done == "rollback" and draft.rollback_version is not None:
        notice = msg.ROLLBACK_DRAFTED.format(version=draft.rollback_version)
    if done == "rebased":
        notice = msg.REBASED.format(fields=request.query.get("fields", "")[:300] or "—")
    error_text = str(error) if error else ""
    if conflicts:
        error_text = msg.REBASE_CONFLICTS.format(count=len(conflicts))
    return await render(
        request,
        "kb_draft.html",
        status=_status(error) if error else (409 if conflicts else 200),
        title=msg.DRAFT_TITLE.format(id=draft.id),
        page=page,
        error=error_text,
        done=notice,
        conflicts=conflicts or [],
        kb=msg,
    )


@require_role("admin", "reviewer")
async def draft_view(request: web.Request) -> web.Response:
    return await _draft_response(request, _draft_id(request))


def _back(draft_id: int, done: str, **query: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/kb/drafts/{draft_id}?" + urlencode({"done": done, **query}))


@require_role("reviewer")
async def approve(request: web.Request) -> web.Response:
    draft_id, user = _draft_id(request), await logged_in_user(request)
    form = await _form(request)
    review = request.app[KB_REVIEW]
    try:
        before = await run(review.get, draft_id)
        await run(review.approve, user, draft_id, form.get("comment", ""))
    except KbReviewError as exc:
        return await _draft_response(request, draft_id, error=exc)
    if before.kind == "nlu_example":
        raise _back(draft_id, "approved_nlu")
    raise _back(draft_id, "flag_cleared" if before.state == "published_unreviewed" else "approved")


async def _act(request: web.Request, action: str, done: str, *args: Any) -> web.Response:
    draft_id, user = _draft_id(request), await logged_in_user(request)
    try:
        await run(getattr(request.app[KB_REVIEW], action), user, draft_id, *args)
    except KbReviewError as exc:
        return await _draft_response(request, draft_id, error=exc)
    raise _back(draft_id, done)


@require_role("reviewer")
async def reject(request: web.Request) -> web.Response:
    return await _act(request, "reject", "rejected", (await _form(request)).get("comment", ""))


@require_role("admin")
async def urgent(request: web.Request) -> web.Response:
    return await _act(request, "publish_urgent", "urgent", (await _form(request)).get("reason", ""))


@require_role("admin", "reviewer")
async def withdraw(request: web.Request) -> web.Response:
    return await _act(request, "withdraw", "withdrawn")


@require_role("admin", "reviewer")
async def rebase(request: web.Request) -> web.Response:
    draft_id, user = _draft_id(request), await logged_in_user(request)
    try:
        result = await run(request.app[KB_REVIEW].rebase, user, draft_id)
    except KbReviewError as exc:
        return await _draft_response(request, draft_id, error=exc)
    if result.conflicts:
        conflicts = [(name, shown(base), shown(live), shown(mine)) for name, base, live, mine in result.conflicts]
        return await _draft_response(request, draft_id, conflicts=conflicts)
    if not result.rebased:
        raise _back(draft_id, "rebase_nothing")
    raise _back(draft_id, "rebased", fields=", ".join(result.moved))


# -- history -------------------------------------------------------------------------------------
async def _history_response(
    request: web.Request, procedure_id: str, error: str = "", status: int = 200
) -> web.Response:
    review = request.app[KB_REVIEW]
    entries = list(reversed(await run(review.history, procedure_id)))
    live = await run(review.live, procedure_id)
    numbers = {e.to_version for e in entries} | {e.from_version for e in entries}
    versions = sorted(number for number in numbers if number is not None)
    current = entries[0].to_version if entries else None  # the newest entry's version is the live one…
    if live is None or (entries and live.sha256 != entries[0].to_sha256):
        current = None  # …unless the file changed outside the log since, or is gone
    return await render(
        request,
        "kb_history.html",
        status=status,
        title=msg.HISTORY_TITLE.format(id=procedure_id),
        procedure_id=procedure_id,
        entries=entries,
        versions=versions,
        current=current,
        live=live,
        error=error,
        kb=msg,
    )


@require_role("admin", "reviewer")
async def history_page(request: web.Request) -> web.Response:
    return await _history_response(request, _procedure_id(request))


def _version(value: Optional[str]) -> int:
    try:
        number = int(value or "")
    except ValueError:
        raise web.HTTPBadRequest() from None
    if number < 0:
        raise web.HTTPBadRequest()
    return number


@require_role("admin", "reviewer")
async def version_diff_page(request: web.Request) -> web.Response:
    procedure_id = _procedure_id(request)
    old, new = _version(request.query.get("from")), _version(request.query.get("to"))
    try:
        diff = await run(version_diff, request.app[KB_REVIEW], procedure_id, old, new)
    except KbReviewError:
        raise web.HTTPNotFound() from None
    return await render(
        request,
        "kb_version_diff.html",
        title=msg.VERSION_DIFF_TITLE.format(old=old, new=new, id=procedure_id),
        diff=diff,
        kb=msg,
    )


@require_role("admin")
async def rollback(request: web.Request) -> web.Response:
    procedure_id, user = _procedure_id(request), await logged_in_user(request)
    form = await _form(request)
    version = _version(form.get("version"))
    try:
        draft = await run(request.app[KB_REVIEW].rollback_draft, user, procedure_id, version, form.get("note", ""))
    except KbReviewError as exc:
        return await _history_response(request, procedure_id, str(exc), _status(exc))
    raise _back(draft.id, "rollback")


# -- spreadsheets and NLU examples ----------------------------------------------------------------
@require_role("admin", "reviewer")
async def export_xlsx(request: web.Request) -> web.Response:
    data = await run(request.app[KB_REVIEW].export_xlsx)
    return web.Response(
        body=data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="kho-thu-tuc.xlsx"'},
    )


async def _upload(request: web.Request) -> Tuple[bytes, str]:
    """The uploaded file and note. A browser posting with the CSRF header (kb.js) is read here as a
    stream, up to MAX_UPLOAD_BYTES; a plain form was read by the CSRF check (within the app's cap)."""
    if request.content_length is not None and request.content_length > MAX_UPLOAD_BYTES + 64 * 1024:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_UPLOAD_BYTES, actual_size=request.content_length)
    if request.content_type != "multipart/form-data":
        raise web.HTTPBadRequest()
    if CSRF_HEADER not in request.headers:  # the CSRF check read the form already (request.post() keeps it)
        form = await request.post()
        upload = form.get("file")
        data = upload.file.read() if isinstance(upload, web.FileField) else b""
        note = form.get("note")
        return data, note if isinstance(note, str) else ""
    data, note = b"", ""
    async for part in await request.multipart():
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "file":
            data = await _read_capped(part, MAX_UPLOAD_BYTES)
        elif part.name == "note":
            note = (await _read_capped(part, 4096)).decode("utf-8", "replace")
        elif part.name != CSRF_FIELD:
            await _read_capped(part, 4096)
    return data, note


async def _read_capped(part: BodyPartReader, limit: int) -> bytes:
    chunks: List[bytes] = []
    size = 0
    while True:
        chunk = await part.read_chunk(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=size)
        chunks.append(chunk)


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_role("admin")
async def import_xlsx(request: web.Request) -> web.Response:
    user = await logged_in_user(request)
    try:
        data, note = await _upload(request)
    except web.HTTPRequestEntityTooLarge:
        return await _import_refused(request, msg.WORKBOOK_TOO_LARGE, [], 413)
    if not data:
        return await _import_refused(request, msg.WORKBOOK_MISSING, [], 400)
    try:
        made = await run(request.app[KB_REVIEW].drafts_from_xlsx, user, data, note)
    except (InvalidDraft, StaleWorkbook) as exc:
        text = str(exc) if isinstance(exc, StaleWorkbook) else msg.WORKBOOK_UNREADABLE.format(count=len(exc.problems))
        return await _import_refused(request, text, problem_list(exc.problems), _status(exc))
    except KbReviewError as exc:
        return await _import_refused(request, str(exc), [], _status(exc))
    target = f"/kb/drafts/{made[0].id}" if len(made) == 1 else f"/kb/drafts?done=imported&count={len(made)}"
    if not made:
        return await _import_refused(request, msg.WORKBOOK_NO_CHANGE, [], 200)
    if _wants_json(request):
        return web.json_response({"ok": True, "next": target, "count": len(made)})
    raise web.HTTPSeeOther(target)


async def _import_refused(request: web.Request, text: str, problems: List[Dict[str, str]], status: int) -> web.Response:
    if _wants_json(request):
        return web.json_response({"ok": False, "error": text, "problems": problems}, status=status)
    return await render(
        request, "kb_import_result.html", status=status, title=msg.DRAFTS_TITLE, error=text, problems=problems
    )


@require_role("admin")
async def nlu_draft(request: web.Request) -> web.Response:
    user = await logged_in_user(request)
    form = await _form(request)
    try:
        draft = await run(
            request.app[KB_REVIEW].save_nlu_draft,
            user,
            form.get("intent", ""),
            form.get("text", ""),
            form.get("note", ""),
        )
    except KbReviewError as exc:
        return await _import_refused(request, str(exc), [], _status(exc))
    raise web.HTTPSeeOther(f"/kb/drafts/{draft.id}")


def setup(app: web.Application, review: Optional[KbReview] = None) -> None:
    """The routes, the `kb_time` filter of the templates, and the service `app[KB_REVIEW]` (the one
    given, or one set already, else one on the settings' KB directory)."""
    review = review or app.get(KB_REVIEW) or KbReview(app[ENGINE], Path(get_settings().kb_dir or DATA_DIR))
    app[KB_REVIEW] = review
    app[JINJA].filters["kb_time"] = local_time
    app.router.add_get("/kb/drafts", drafts_page)
    app.router.add_get("/kb/drafts/{id}", draft_view)
    app.router.add_post("/kb/drafts/{id}/approve", approve)
    app.router.add_post("/kb/drafts/{id}/reject", reject)
    app.router.add_post("/kb/drafts/{id}/urgent", urgent)
    app.router.add_post("/kb/drafts/{id}/withdraw", withdraw)
    app.router.add_post("/kb/drafts/{id}/rebase", rebase)
    app.router.add_get("/kb/procedures/{id}/history", history_page)
    app.router.add_get("/kb/procedures/{id}/diff", version_diff_page)
    app.router.add_post("/kb/procedures/{id}/rollback", rollback)
    app.router.add_get("/kb/export.xlsx", export_xlsx)
    app.router.add_post("/kb/import", import_xlsx)
    app.router.add_post("/kb/nlu-drafts", nlu_draft)
