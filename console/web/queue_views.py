"""The helpers' queue and chat pages, their live streams, and the actions on a handoff.

    GET  /queue                      the queue page (waiting citizens, my chats, missed requests)
    GET  /queue/items                the same as JSON (the page refreshes from it on every update)
    GET  /queue/stream               server-sent events: something in the queue changed
    POST /queue/{id}/claim           take a waiting chat (atomic: one of several helpers wins)
    GET  /chat/{id}                  the chat: the conversation with the assistant so far, then live
    GET  /chat/{id}/stream           server-sent events: the citizen's new messages, the chat's end
    POST /chat/{id}/reply            {text}: sent on the citizen's own channel
    POST /chat/{id}/transfer         {to}: hand the chat to a colleague
    POST /chat/{id}/end              {outcome, counter?}: the assistant resumes

Every page and call needs a logged-in helper or admin; every POST carries the CSRF token. A chat
is seen and answered by the helper who has it (an admin may look). Phone numbers and dossier
codes are masked in the queue; the helper who has the chat sees the messages whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any, AsyncIterator, Dict, List, Optional

from aiohttp import web

from console import messages as msg
from console.accounts import User
from console.audit import record
from console.dbrun import run
from console.handoff.errors import HandoffError, NotFound, NotHolder, WrongState
from console.handoff.factory import make_store
from console.handoff.hours import format_next_opening, is_open, load_centres, next_opening
from console.handoff.model import Handoff, State
from console.handoff_service import HandoffService, _summary
from console.live import LiveHub, TooManySubscribers
from console.rasa_client import DeliveryFailed, RasaClient, RasaUnavailable
from console.web import internal_api
from console.web.handoff_keys import HUB, SERVICE
from console.web.keys import ACCOUNTS, ENGINE, SETTINGS
from console.web.render import render
from console.web.security import logged_in_user, require_role

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
STREAMS_PER_USER = 8
_STREAMS = web.AppKey("streams_per_user", dict)


async def _user(request: web.Request) -> User:
    return await logged_in_user(request)  # require_role ran first


def _json_error(status: int, message: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)


# -- the queue ---------------------------------------------------------------------------------
async def _items(request: web.Request, user: User) -> Dict[str, Any]:
    store = request.app[SERVICE].store
    waiting = await store.waiting()
    mine = await store.claimed_by(user.name)
    missed = await store.history(limit=20, state=State.MISSED)
    return {
        "waiting": [_summary(h, i + 1) for i, h in enumerate(waiting)],
        "mine": [_summary(h) for h in mine],
        "missed": [_summary(h) for h in missed],
    }


@require_role("helper", "admin")
async def queue_page(request: web.Request) -> web.Response:
    user = await _user(request)
    service = request.app[SERVICE]
    now = service.clock()
    centres = [
        {
            "name": centre.name,
            "open": is_open(centre, now),
            "next": "" if is_open(centre, now) else format_next_opening(next_opening(centre, now), now),
            "hours": [(msg.WEEKDAYS[day], ", ".join(spans)) for day, spans in centre.hours.items() if spans],
        }
        for centre in service.centres.values()
    ]
    return await render(
        request, "queue.html", title=msg.QUEUE_TITLE, items=await _items(request, user), centres=centres
    )


@require_role("helper", "admin")
async def queue_items(request: web.Request) -> web.Response:
    return web.json_response(await _items(request, await _user(request)))


@require_role("helper", "admin")
async def claim(request: web.Request) -> web.Response:
    user = await _user(request)
    try:
        result = await request.app[SERVICE].claim(request.match_info["id"], user.name, user.id)
    except NotFound:
        return _json_error(404, msg.HANDOFF_GONE)
    if result.won:
        return web.json_response({"ok": True, "chat": f"/chat/{result.handoff.id}"})
    if result.handoff.state is State.CLAIMED:
        if result.handoff.helper == user.name:
            return web.json_response({"ok": True, "chat": f"/chat/{result.handoff.id}"})
        return _json_error(409, msg.HANDOFF_TAKEN.format(helper=result.handoff.helper))
    return _json_error(409, msg.HANDOFF_CLOSED_STATE)


# -- the chat ----------------------------------------------------------------------------------
async def _handoff_for(request: web.Request, user: User, *, holder_only: bool) -> Handoff:
    try:
        handoff = await request.app[SERVICE].store.get(request.match_info["id"])
    except NotFound:
        raise web.HTTPNotFound(text=msg.HANDOFF_GONE) from None
    mine = handoff.helper == user.name
    if not mine and (holder_only or not user.has_role("admin")):
        raise web.HTTPForbidden(text=msg.HANDOFF_TAKEN.format(helper=handoff.helper or "—"))
    return handoff


@require_role("helper", "admin")
async def chat_page(request: web.Request) -> web.Response:
    user = await _user(request)
    handoff = await _handoff_for(request, user, holder_only=False)
    service = request.app[SERVICE]
    history: List[Dict[str, Any]] = []
    note: Optional[str] = None
    try:
        lines = await service.rasa.conversation(handoff.conversation_id)
        history = [{"role": line.role, "text": line.text, "at": line.at} for line in lines]
    except RasaUnavailable:
        note = msg.CHAT_HISTORY_UNAVAILABLE
        history = [{"role": m.role.value, "text": m.text, "at": m.at.timestamp()} for m in handoff.messages]
    helpers = [
        u.name
        for u in await run(request.app[ACCOUNTS].list_users)
        if u.has_role("helper", "admin") and not u.disabled and u.name != user.name
    ]
    return await render(
        request,
        "chat.html",
        title=msg.CHAT_TITLE,
        handoff=handoff,
        history=history,
        note=note,
        helpers=helpers,
        outcomes=msg.OUTCOME_LABELS,
        channel_label=msg.CHANNEL_LABELS.get(handoff.channel.value, handoff.channel.value),
        mine=handoff.helper == user.name and handoff.state is State.CLAIMED,
    )


async def _form(request: web.Request) -> Dict[str, Any]:
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
    return dict(await request.post())


@require_role("helper", "admin")
async def reply(request: web.Request) -> web.Response:
    user = await _user(request)
    handoff = await _handoff_for(request, user, holder_only=True)
    text = str((await _form(request)).get("text") or "")
    try:
        result = await request.app[SERVICE].reply(handoff.id, user.name, user.id, text)
    except DeliveryFailed as exc:
        return _json_error(502, msg.DELIVERY_FAILURES.get(exc.code, msg.DELIVERY_FAILED))
    except RasaUnavailable:
        return _json_error(503, msg.RASA_UNAVAILABLE)
    return web.json_response(result, status=200 if result["ok"] else 400)


@require_role("helper", "admin")
async def transfer(request: web.Request) -> web.Response:
    user = await _user(request)
    handoff = await _handoff_for(request, user, holder_only=True)
    to = str((await _form(request)).get("to") or "")
    colleague = await run(request.app[ACCOUNTS].by_name, to) if to else None
    if colleague is None or colleague.disabled or not colleague.has_role("helper", "admin"):
        return _json_error(400, msg.TRANSFER_UNKNOWN)
    try:
        await request.app[SERVICE].transfer(handoff.id, user.name, user.id, colleague.name)
    except (NotHolder, WrongState, HandoffError):
        return _json_error(409, msg.HANDOFF_NOT_YOURS)
    return web.json_response({"ok": True, "next": "/queue"})


@require_role("helper", "admin")
async def end(request: web.Request) -> web.Response:
    user = await _user(request)
    handoff = await _handoff_for(request, user, holder_only=True)
    form = await _form(request)
    outcome = str(form.get("outcome") or "")
    counter = str(form.get("counter") or "").strip() or None
    if outcome not in msg.OUTCOME_LABELS or (outcome == "sent_to_counter") != (counter is not None):
        return _json_error(400, msg.END_BAD_OUTCOME)
    try:
        await request.app[SERVICE].end(handoff.id, user.name, user.id, outcome, counter)
    except (NotHolder, WrongState):
        return _json_error(409, msg.HANDOFF_NOT_YOURS)
    except HandoffError:
        return _json_error(400, msg.END_BAD_OUTCOME)
    return web.json_response({"ok": True, "next": "/queue"})


# -- live streams --------------------------------------------------------------------------------
async def _stream(request: web.Request, topic: str) -> web.StreamResponse:
    user = await _user(request)
    open_streams = request.app[_STREAMS]
    if open_streams.get(user.id, 0) >= STREAMS_PER_USER:
        raise web.HTTPTooManyRequests(text=msg.TOO_MANY_STREAMS)
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
    try:
        subscription = request.app[HUB].subscribe(topic)
        queue = await subscription.__aenter__()
    except TooManySubscribers:
        raise web.HTTPServiceUnavailable(text=msg.TOO_MANY_STREAMS) from None
    open_streams[user.id] = open_streams.get(user.id, 0) + 1
    try:
        await response.prepare(request)
        await response.write(b"retry: 2000\n\n")
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except asyncio.TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            data = json.dumps(event, ensure_ascii=False)
            await response.write(f"data: {data}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        open_streams[user.id] -= 1
        await subscription.__aexit__(None, None, None)
    return response


@require_role("helper", "admin")
async def queue_stream(request: web.Request) -> web.StreamResponse:
    return await _stream(request, "queue")


@require_role("helper", "admin")
async def chat_stream(request: web.Request) -> web.StreamResponse:
    user = await _user(request)
    handoff = await _handoff_for(request, user, holder_only=False)
    return await _stream(request, f"handoff:{handoff.id}")


# -- the application's handoff parts -------------------------------------------------------------
def _service(app: web.Application) -> HandoffService:
    """The handoff service of the application's settings (nothing connects until it is used)."""
    settings = app[SETTINGS]
    secret = None
    if settings.rasa_jwt_secret_file is not None:
        secret = settings.rasa_jwt_secret_file.read_text(encoding="utf-8").strip()
    engine = app[ENGINE]

    async def audit(
        user_id: Optional[int], action: str, conversation_id: Optional[str], detail: Dict[str, Any]
    ) -> None:
        await run(record, engine, user_id, action, conversation_id, **detail)

    return HandoffService(
        store=make_store(redis_url=settings.redis_url, engine=engine),
        rasa=RasaClient(settings.rasa_url, secret),
        hub=app[HUB],
        centres=load_centres(settings.centres_file),
        claim_minutes=settings.handoff_claim_minutes,
        audit=audit,
    )


async def _expiry_and_cleanup(app: web.Application) -> AsyncIterator[None]:
    """Requests no helper claimed in time are missed (every few seconds); at cleanup, connections closed."""
    service = app[SERVICE]
    expiry = asyncio.get_running_loop().create_task(service.expire_forever())
    try:
        yield
    finally:
        expiry.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await expiry
        await service.store.close()
        await service.rasa.close()


def setup(app: web.Application) -> None:
    app[HUB] = LiveHub()
    app[_STREAMS] = {}
    app[SERVICE] = _service(app)
    app.cleanup_ctx.append(_expiry_and_cleanup)
    internal_api.setup(app)
    app.router.add_get("/queue", queue_page)
    app.router.add_get("/queue/items", queue_items)
    app.router.add_get("/queue/stream", queue_stream)
    app.router.add_post("/queue/{id}/claim", claim)
    app.router.add_get("/chat/{id}", chat_page)
    app.router.add_get("/chat/{id}/stream", chat_stream)
    app.router.add_post("/chat/{id}/reply", reply)
    app.router.add_post("/chat/{id}/transfer", transfer)
    app.router.add_post("/chat/{id}/end", end)
