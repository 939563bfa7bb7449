"""The procedure desk: a helper finds a procedure with the assistant's own search, reads every fact
with its provenance, prints a checklist (A4 or A5, with a QR code that opens the assistant at the
procedure) or copies a short text into a chat.

Routes (all for the roles helper and admin):
- GET /desk?q=…                         search (the query is cut at `desk.MAX_QUERY_CHARS`)
- GET /desk/p/{procedure_id}            every fact, each with its source and verified mark
- GET /desk/p/{procedure_id}/checklist  printable page, `?size=a4` (default) or `?size=a5`
- GET /desk/p/{procedure_id}/checklist.txt  `checklist_text` as text/plain (the chat view's insert
  button); `Accept: application/json` gives {"procedure_id", "title", "text"}

The knowledge base is the one the assistant answers from (`MOTCUA_KB_DIR`, default the shipped
one), loaded in a worker thread on first use and loaded again when its files change.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from aiohttp import web
from markupsafe import Markup

from console import desk
from console.checklist import build_checklist, checklist_text
from console.qr import deep_links
from console.web.keys import SETTINGS
from console.web.render import render
from console.web.security import require_role, wants_json
from motcua.settings import get_settings
from procedures_kb import InvalidKnowledgeBase, KnowledgeBase, Procedure, UnknownProcedure, wording
from procedures_kb.kb import provinces_dir_for
from procedures_kb.loader import DATA_DIR
from procedures_kb.record_files import record_paths
from procedures_kb.search import DEFAULT_THRESHOLD

log = logging.getLogger(__name__)

SIZES = ("a4", "a5")
RELOAD_SECONDS = 5.0
Fingerprint = Tuple[Tuple[str, int, int], ...]


def fingerprint(kb_dir: Path) -> Fingerprint:
    """Names, sizes and modification times of the record and province files: any change changes it."""
    paths = [path for _, path in record_paths(kb_dir)] if kb_dir.is_dir() else []
    provinces = provinces_dir_for(kb_dir)
    paths += sorted(provinces.glob("*.yml")) if provinces.is_dir() else []
    found = []
    for path in paths:
        try:
            info = path.stat()
        except FileNotFoundError:
            continue
        found.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(found)


class DeskKnowledge:
    """The knowledge base the desk reads, loaded off the event loop and reloaded when its files change
    (at most every `reload_seconds`); a change that does not load keeps the last good version."""

    def __init__(self, kb_dir: Path, threshold: float = DEFAULT_THRESHOLD, reload_seconds: float = RELOAD_SECONDS):
        self._dir, self._threshold, self._every = kb_dir, threshold, reload_seconds
        self._kb: Optional[KnowledgeBase] = None
        self._seen: Fingerprint = ()
        self._checked = 0.0
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls) -> "DeskKnowledge":
        settings = get_settings()
        threshold = DEFAULT_THRESHOLD if settings.search_threshold is None else settings.search_threshold
        return cls(settings.kb_dir or DATA_DIR, threshold)

    @classmethod
    def of(cls, kb: KnowledgeBase) -> "DeskKnowledge":
        """A fixed knowledge base (tests): never reloaded."""
        knowledge = cls(DATA_DIR, reload_seconds=float("inf"))
        knowledge._kb = kb
        return knowledge

    async def current(self) -> KnowledgeBase:
        async with self._lock:
            if self._kb is not None and time.monotonic() - self._checked < self._every:
                return self._kb
            self._checked = time.monotonic()
            found = await asyncio.to_thread(fingerprint, self._dir)
            if self._kb is None or found != self._seen:
                try:
                    self._kb = await asyncio.to_thread(KnowledgeBase.load, self._dir, self._threshold)
                except InvalidKnowledgeBase:  # an invalid change: the last good version keeps serving
                    if self._kb is None:
                        raise
                    log.exception("Knowledge base change rejected by the desk; still showing the last good version")
                self._seen = found
            return self._kb


DESK_KB = web.AppKey("desk_kb", DeskKnowledge)


@dataclass(frozen=True)
class DeskHit:
    """One search result as the desk lists it."""

    procedure_id: str
    title: str
    code: Optional[str]
    level: Optional[str]
    curated: bool
    meant: bool  # the search's confident match: what the assistant would answer with


def search(kb: KnowledgeBase, raw_query: str, limit: int = desk.MAX_RESULTS) -> List[DeskHit]:
    """The assistant's search (accent-insensitive, aliases such as "cccd"), best first."""
    query = desk.clean_query(raw_query)
    if not query:
        return []
    result = kb.search(query, limit=limit)
    meant = result.match.procedure_id if result.match else None
    return [_hit(kb.get(hit.procedure_id), hit.procedure_id == meant) for hit in result.hits]


def _hit(record: Procedure, meant: bool = False) -> DeskHit:
    level = record.level or (record.codes[0].level if record.codes else None)
    return DeskHit(
        record.id,
        record.title,
        record.primary_code,
        desk.LEVEL_NAMES[level] if level else None,
        record.imported_from is None,
        meant,
    )


def _today() -> dt.date:
    return get_settings().current_date()


async def _record(request: web.Request) -> Optional[Procedure]:
    kb = await request.app[DESK_KB].current()
    try:
        return kb.get(request.match_info["procedure_id"])
    except UnknownProcedure:
        return None


async def _not_found(request: web.Request) -> web.StreamResponse:
    """The desk's Vietnamese page for an unknown procedure id, with status 404."""
    procedure_id = request.match_info["procedure_id"][:80]
    if wants_json(request):
        return web.json_response({"error": desk.NOT_FOUND_TITLE, "procedure_id": procedure_id}, status=404)
    return await render(
        request, "desk_not_found.html", status=404, title=desk.NOT_FOUND_TITLE, procedure_id=procedure_id
    )


@require_role("helper", "admin")
async def desk_page(request: web.Request) -> web.StreamResponse:
    raw = request.query.get("q", "")
    query = desk.clean_query(raw)
    kb = await request.app[DESK_KB].current()
    hits = await asyncio.to_thread(search, kb, query) if query else []
    curated = [] if query else [_hit(record) for record in kb.all() if record.imported_from is None]
    return await render(
        request,
        "desk.html",
        title=desk.DESK_TITLE,
        query=query,
        hits=hits,
        curated=curated,
        cut=len(raw) > desk.MAX_QUERY_CHARS,
    )


def _links(request: web.Request, procedure_id: str) -> List[Dict[str, Any]]:
    settings = request.app[SETTINGS]
    links = deep_links(procedure_id, settings.telegram_bot_username, settings.zalo_oa_id)
    # segno's SVG of a checked link (the link in its <title> escaped by segno): safe to insert.
    svgs = [Markup(link.svg) for link in links]  # noqa: S704
    return [
        {"channel": link.channel, "url": link.url, "svg": svg, "opens": link.opens_procedure}
        for link, svg in zip(links, svgs, strict=True)
    ]


@require_role("helper", "admin")
async def procedure_page(request: web.Request) -> web.StreamResponse:
    record = await _record(request)
    if record is None:
        return await _not_found(request)
    today = _today()
    checklist = build_checklist(record, today)
    text = checklist_text(record, today)
    return await render(
        request,
        "desk_procedure.html",
        title=record.title,
        checklist=checklist,
        text=text,
        links=_links(request, record.id),
    )


@require_role("helper", "admin")
async def checklist_page(request: web.Request) -> web.StreamResponse:
    record = await _record(request)
    if record is None:
        return await _not_found(request)
    size = request.query.get("size", "a4").lower()
    if size not in SIZES:
        size = "a4"
    today = _today()
    return await render(
        request,
        "checklist.html",
        title=desk.CHECKLIST_TITLE.format(title=record.title),
        checklist=build_checklist(record, today),
        size=size,
        printed=desk.PRINTED_ON.format(date=wording.format_date(today)),
        links=_links(request, record.id),
    )


@require_role("helper", "admin")
async def checklist_txt(request: web.Request) -> web.StreamResponse:
    record = await _record(request)
    if record is None:
        return await _not_found(request)
    text = checklist_text(record, _today())
    if wants_json(request):
        return web.json_response({"procedure_id": record.id, "title": record.title, "text": text})
    return web.Response(text=text, content_type="text/plain", charset="utf-8")


def setup(app: web.Application) -> None:
    """Add the desk's routes; the knowledge base is the assistant's unless the app already holds one."""
    if DESK_KB not in app:
        app[DESK_KB] = DeskKnowledge.from_settings()
    app.router.add_get("/desk", desk_page, name="desk")
    app.router.add_get("/desk/p/{procedure_id}", procedure_page, name="desk_procedure")
    app.router.add_get("/desk/p/{procedure_id}/checklist", checklist_page, name="desk_checklist")
    app.router.add_get("/desk/p/{procedure_id}/checklist.txt", checklist_txt, name="desk_checklist_txt")
