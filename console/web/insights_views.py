"""The insights pages: the dashboard, the unanswered questions, their CSV files, and the two buttons
that turn an unanswered question into a draft for review.

    GET  /insights                         the dashboard (?from=YYYY-MM-DD&to=…&channel=…)
    GET  /insights/unanswered              the unanswered questions, grouped, 50 a page (&page=…);
                                           &alias=<text>[&q=…] opens the alias form with search suggestions
    GET  /insights/{table}.csv             a table of either page with the same filters
    POST /insights/unanswered/nlu-draft    {intent, text, note} → an NLU example draft
    POST /insights/unanswered/alias-draft  {procedure_id, alias, note} → a KB draft adding the alias

For the roles admin and reviewer. Both POSTs go through the KB review service (console.kb_review):
nothing reaches the assistant before another person approves it; they end at /kb/drafts/{id}.
Figures come from console.insights.queries (see there for their sources and the time zone).
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Protocol, Tuple
from urllib.parse import urlencode

import yaml
from aiohttp import web
from sqlalchemy.engine import Engine

from console.accounts import User
from console.dbrun import run
from console.errors import ConsoleError
from console.insights import csv_export, labels, queries, report
from console.insights.unanswered import unanswered
from console.web.desk_views import DESK_KB, DeskKnowledge
from console.web.keys import ENGINE, SETTINGS
from console.web.render import error_page, render
from console.web.security import logged_in_user, require_role
from motcua.settings import VIETNAM, get_settings
from procedures_kb import KnowledgeBase, UnknownProcedure
from procedures_kb.loader import DATA_DIR

ROLES = ("admin", "reviewer")
DOMAIN_FILE = Path(__file__).resolve().parents[2] / "bot" / "domain.yml"
MAX_TEXT = 500
MAX_NOTE = 500
SUGGESTIONS = 8
DEFAULT_RETENTION_DAYS = 180


class DraftService(Protocol):
    """What the insights need of `console.kb_review.service.KbReview`."""

    def live(self, procedure_id: str) -> Any: ...
    def save_draft(self, author: User, procedure_id: str, data: Dict[str, Any], base_sha256: Optional[str],
                   note: str, *, kind: str = "edit", draft_id: Optional[int] = None) -> Any: ...  # fmt: skip
    def save_nlu_draft(self, author: User, intent: str, text: str, note: str) -> Any: ...


REVIEW = web.AppKey("insights_review", DraftService)
TODAY: "web.AppKey[Callable[[], dt.date]]" = web.AppKey("insights_today")
INTENTS = web.AppKey("insights_intents", list)


def domain_intents(path: Path = DOMAIN_FILE) -> List[str]:
    """The intents of the assistant's domain, read from its YAML (the console does not import bot)."""
    with path.open(encoding="utf-8") as handle:
        domain = yaml.safe_load(handle) or {}
    return [str(name) for name in domain.get("intents") or [] if isinstance(name, str)]


class _LazyReview:
    """The console's KB review service, found when first asked: the one the KB review pages use
    (`console.web.kb_review_views.KB_REVIEW`) when they are set up, else one of our own on the
    application's database and the assistant's KB directory."""

    def __init__(self, app: web.Application):
        self._app = app
        self._service: Any = None

    def _get(self) -> Any:
        if self._service is None:
            from console.kb_review.service import KbReview
            from console.web.kb_review_views import KB_REVIEW

            found = self._app.get(KB_REVIEW)
            self._service = found or KbReview(self._app[ENGINE], get_settings().kb_dir or DATA_DIR)
        return self._service

    def live(self, procedure_id: str) -> Any:
        return self._get().live(procedure_id)

    def save_draft(self, author: User, procedure_id: str, data: Dict[str, Any], base_sha256: Optional[str],
                   note: str, *, kind: str = "edit", draft_id: Optional[int] = None) -> Any:  # fmt: skip
        return self._get().save_draft(author, procedure_id, data, base_sha256, note, kind=kind, draft_id=draft_id)

    def save_nlu_draft(self, author: User, intent: str, text: str, note: str) -> Any:
        return self._get().save_nlu_draft(author, intent, text, note)


# -- the figures --------------------------------------------------------------------------------
def _filters(engine: Engine, query: Mapping[str, str], today: dt.date) -> Tuple[queries.Filters, List[str], List[str]]:
    with engine.connect() as connection:
        channels = queries.channels(connection)
    found, problems = queries.parse_filters(query, today, channels)
    return found, problems, channels


def _board(engine: Engine, filters: queries.Filters) -> queries.Dashboard:
    with engine.connect() as connection:
        return queries.dashboard(connection, filters)


def _page(engine: Engine, filters: queries.Filters, page: int, per_page: int) -> Any:
    with engine.connect() as connection:
        return unanswered(connection, filters, page, per_page)


def _titles(kb: KnowledgeBase) -> Callable[[str], str]:
    def title(procedure_id: str) -> str:
        try:
            return kb.get(procedure_id).title
        except UnknownProcedure:
            return procedure_id

    return title


def _common(request: web.Request, filters: queries.Filters, problems: List[str], channels: List[str]) -> Dict[str, Any]:
    settings = request.app[SETTINGS]
    return {
        "filters": filters,
        "problems": problems,
        "channels": [(c, report.channel_label(c)) for c in channels],
        "query": urlencode(filters.query()),
        "retention": labels.RETENTION.format(days=getattr(settings, "insights_retention_days", DEFAULT_RETENTION_DAYS)),
    }


async def _read_filters(request: web.Request) -> Tuple[queries.Filters, List[str], List[str]]:
    return await run(_filters, request.app[ENGINE], request.query, request.app[TODAY]())


@require_role(*ROLES)
async def dashboard_page(request: web.Request) -> web.StreamResponse:
    filters, problems, channels = await _read_filters(request)
    board = await run(_board, request.app[ENGINE], filters)
    kb = await request.app[DESK_KB].current()
    tables = report.dashboard_tables(board, _titles(kb))
    return await render(
        request,
        "insights.html",
        title=labels.DASHBOARD_TITLE,
        board=board,
        tables=tables,
        satisfaction=labels.SATISFACTION,
        **_common(request, filters, problems, channels),
    )


def _int(value: Optional[str], default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


async def _suggestions(request: web.Request, text: str) -> List[Tuple[str, str]]:
    kb = await request.app[DESK_KB].current()
    if not text.strip():
        return []
    result = await asyncio.to_thread(kb.search, text[:200], SUGGESTIONS)
    return [(hit.procedure_id, kb.get(hit.procedure_id).title) for hit in result.hits]


@require_role(*ROLES)
async def unanswered_page(request: web.Request) -> web.StreamResponse:
    filters, problems, channels = await _read_filters(request)
    page = await run(_page, request.app[ENGINE], filters, _int(request.query.get("page"), 1), 50)
    alias = (request.query.get("alias") or "").strip()[:MAX_TEXT]
    search = (request.query.get("q") or alias).strip()[:200]
    return await render(
        request,
        "insights_unanswered.html",
        title=labels.UNANSWERED_TITLE,
        page=page,
        intents=request.app[INTENTS],
        outcome_labels=labels.UNANSWERED_OUTCOME_LABELS,
        alias=alias,
        alias_count=_int(request.query.get("count"), 1),
        search=search,
        suggestions=await _suggestions(request, search) if alias else [],
        zone=VIETNAM,
        **_common(request, filters, problems, channels),
    )


@require_role(*ROLES)
async def csv_table(request: web.Request) -> web.StreamResponse:
    name = request.match_info["table"]
    filters, _, _ = await _read_filters(request)
    if name == "unanswered":
        page = await run(_page, request.app[ENGINE], filters, 1, 10**9)
        table = report.unanswered_table(page.groups)
    else:
        board = await run(_board, request.app[ENGINE], filters)
        kb = await request.app[DESK_KB].current()
        tables = {t.name: t for t in report.dashboard_tables(board, _titles(kb))}
        if name not in tables:
            return await error_page(request, 404, labels.UNKNOWN_TABLE)
        table = tables[name]
    body = csv_export.to_csv(table.header, table.rows)
    start, end = filters.start.isoformat(), filters.end.isoformat()
    filename = csv_export.filename(name, start, end, filters.channel)
    return web.Response(
        body=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


# -- the drafts ---------------------------------------------------------------------------------
async def _form(request: web.Request) -> Dict[str, str]:
    return {key: str(value) for key, value in (await request.post()).items()}


def _note(form: Mapping[str, str], template: str) -> str:
    note = " ".join(form.get("note", "").split())[:MAX_NOTE]
    return note or template.format(count=_int(form.get("count"), 1))


async def _draft_error(request: web.Request, reason: str) -> web.StreamResponse:
    return await error_page(request, 400, labels.DRAFT_FAILED.format(reason=reason))


@require_role(*ROLES)
async def nlu_draft(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    intent, text = form.get("intent", ""), " ".join(form.get("text", "").split())
    if intent not in request.app[INTENTS]:
        return await _draft_error(request, labels.BAD_INTENT)
    if not text or len(text) > MAX_TEXT:
        return await _draft_error(request, labels.BAD_TEXT.format(chars=MAX_TEXT))
    user = await logged_in_user(request)
    note = _note(form, labels.NLU_DRAFT_NOTE)
    try:
        draft = await run(request.app[REVIEW].save_nlu_draft, user, intent, text, note)
    except ConsoleError as exc:  # the review service's errors say, in Vietnamese, what is wrong
        return await _draft_error(request, str(exc))
    raise web.HTTPSeeOther(f"/kb/drafts/{draft.id}")


def _with_alias(data: Dict[str, Any], alias: str) -> Optional[Dict[str, Any]]:
    """The record's data with `alias` appended to its aliases; None when it already has it."""
    aliases = list(data.get("aliases") or [])
    if alias.casefold() in {str(a).casefold() for a in aliases}:
        return None
    changed = copy.deepcopy(data)
    changed["aliases"] = [*aliases, alias]
    return changed


@require_role(*ROLES)
async def alias_draft(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    procedure_id, alias = form.get("procedure_id", "")[:128], " ".join(form.get("alias", "").split())
    if not alias or len(alias) > MAX_TEXT:
        return await _draft_error(request, labels.BAD_TEXT.format(chars=MAX_TEXT))
    review = request.app[REVIEW]
    live = await run(review.live, procedure_id) if procedure_id else None
    if live is None:
        return await _draft_error(request, labels.BAD_PROCEDURE)
    data = _with_alias(live.data, alias)
    if data is None:
        return await _draft_error(request, labels.ALIAS_EXISTS.format(title=live.data.get("title", procedure_id)))
    user = await logged_in_user(request)
    note = _note(form, labels.ALIAS_DRAFT_NOTE)
    try:
        draft = await run(review.save_draft, user, procedure_id, data, live.sha256, note)
    except ConsoleError as exc:  # the review service's errors say, in Vietnamese, what is wrong
        return await _draft_error(request, str(exc))
    raise web.HTTPSeeOther(f"/kb/drafts/{draft.id}")


def setup(app: web.Application) -> None:
    """Add the insights' routes. The KB (titles, suggestions) is the desk's; the review service,
    the clock and the intents are the application's unless already set (tests set them first)."""
    if DESK_KB not in app:
        app[DESK_KB] = DeskKnowledge.from_settings()
    if REVIEW not in app:
        app[REVIEW] = _LazyReview(app)
    if TODAY not in app:
        app[TODAY] = lambda: get_settings().current_date()
    if INTENTS not in app:
        app[INTENTS] = domain_intents()
    app.router.add_get("/insights", dashboard_page, name="insights")
    app.router.add_get("/insights/unanswered", unanswered_page, name="insights_unanswered")
    app.router.add_get("/insights/{table:[a-z-]+}.csv", csv_table, name="insights_csv")
    app.router.add_post("/insights/unanswered/nlu-draft", nlu_draft, name="insights_nlu_draft")
    app.router.add_post("/insights/unanswered/alias-draft", alias_draft, name="insights_alias_draft")
