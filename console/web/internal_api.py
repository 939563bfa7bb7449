"""The console's internal API, for the assistant's own processes only (never a browser): each call
shows `CONSOLE_INTERNAL_TOKEN` as a bearer token, compared in constant time; without a token set
the API refuses every call. Bodies are JSON, capped by the app's body limit and checked here.

    POST /internal/handoffs  {conversation_id, channel, procedure_id?, procedure_name?, messages?}
         → {state: waiting, position, wait_minutes} | {state: closed, next_opening} | {state: full}
    POST /internal/messages  {conversation_id, text, at?}  → {ok: true}
"""

from __future__ import annotations

import hmac
import logging
from typing import Any, Dict

from aiohttp import web

from console.handoff.errors import HandoffError
from console.web.handoff_keys import SERVICE
from console.web.keys import SETTINGS

log = logging.getLogger(__name__)

MAX_TEXT = 4_000


def _authorised(request: web.Request) -> bool:
    token = request.app[SETTINGS].internal_token
    given = request.headers.get("Authorization", "")
    if token is None or not given.startswith("Bearer "):
        return False
    return hmac.compare_digest(given[len("Bearer ") :].encode(), token.get_secret_value().encode())


async def _body(request: web.Request) -> Dict[str, Any]:
    if not _authorised(request):
        log.warning("internal API: a call without the right token was refused (%s)", request.path)
        raise web.HTTPUnauthorized(text='{"error": "unauthorised"}', content_type="application/json")
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text='{"error": "not JSON"}', content_type="application/json") from None
    if not isinstance(body, dict) or not isinstance(body.get("conversation_id"), str):
        raise web.HTTPBadRequest(text='{"error": "conversation_id is required"}', content_type="application/json")
    return body


async def handoffs(request: web.Request) -> web.Response:
    body = await _body(request)
    messages = body.get("messages") or []
    if not isinstance(messages, list) or not all(
        isinstance(m, dict) and isinstance(m.get("text"), str) and m.get("role") in ("citizen", "bot") for m in messages
    ):
        raise web.HTTPBadRequest(text='{"error": "bad messages"}', content_type="application/json")
    try:
        answer = await request.app[SERVICE].request(body)
    except HandoffError as exc:
        log.warning("internal API: a handoff request was refused (%s)", type(exc).__name__)
        raise web.HTTPBadRequest(text='{"error": "refused"}', content_type="application/json") from None
    return web.json_response(answer)


async def messages(request: web.Request) -> web.Response:
    body = await _body(request)
    text, at = body.get("text"), body.get("at")
    if not isinstance(text, str) or not text.strip() or (at is not None and not isinstance(at, (int, float))):
        raise web.HTTPBadRequest(text='{"error": "text is required"}', content_type="application/json")
    try:
        await request.app[SERVICE].citizen_message(body["conversation_id"], text[:MAX_TEXT], at)
    except HandoffError as exc:
        log.warning("internal API: a citizen's message was refused (%s)", type(exc).__name__)
        raise web.HTTPBadRequest(text='{"error": "refused"}', content_type="application/json") from None
    return web.json_response({"ok": True})


def setup(app: web.Application) -> None:
    app.router.add_post("/internal/handoffs", handoffs)
    app.router.add_post("/internal/messages", messages)
