"""The web chat channel: the public door for a chat on a web page, with server-signed sessions.

    POST /webhooks/web/session                      → {"session": "<id>.<expiry>.<signature>", "expires_in": s}
    POST /webhooks/web/webhook {"session", "message"} → [{"recipient_id", "text", "buttons"?}, …]
    POST /webhooks/web/poll    {"session", "wait"?}   → [{"recipient_id", "text", "buttons"?}, …] (maybe [])

A helper's message pushed through Rasa's HTTP API (`output_channel=latest` on `web:<id>`) goes
into the mailbox (connectors/mailbox.py) and reaches the page once: in the answer to a poll, or
first in the answer to its next message. A poll answers at once, or with `wait` (seconds, 0–20,
default 0) as soon as a message arrives within that time, else with []; 503 if the mailbox
(Redis) cannot be read.

A browser never names its conversation: it asks for a session, which the server makes (a random
128-bit id and an expiry, signed with HMAC-SHA256 under `MOTCUA_WEB_SESSION_SECRET`), and sends
it back with each message. The conversation is `web:<id>`, so no caller can reach another
session's conversation, nor a Telegram, Zalo or REST one. A missing, forged or expired session
gets 401 (the page asks for a new one).

Limits (in memory, or on Redis when REDIS_URL is set, shared by every replica):
- new sessions per caller address (the peer; behind a reverse proxy on this machine or named in
  `MOTCUA_TRUSTED_PROXIES`, the address it puts in `X-Real-IP`) and for everyone, per minute;
- messages per session per minute, and for everyone per minute;
- polls per session per minute, and for everyone per minute (a poll waits in at most 200 of a
  process's connections at once: past that it answers at once).
Past a limit the caller gets 429 with a short Vietnamese sentence. Messages are capped like every
channel's (`MAX_MESSAGE_CHARS`), bodies by Sanic's REQUEST_MAX_SIZE and `MAX_BODY_BYTES` here.

The channel is on when `MOTCUA_WEB_SESSION_SECRET` is set (at least 32 characters; `make run`
keeps one in var/ when it is not). It also serves the embeddable widget (GET /webhooks/web/widget.js,
widget.css, and the demo page /webhooks/web/demo) and answers CORS for pages of other origins
(`MOTCUA_WEB_ALLOWED_ORIGINS`): connectors/web_widget/routes.py.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors import messages as msg
from connectors.delivery import MailboxUnavailable
from connectors.mailbox import MAX_WAIT, Mailbox, MailboxOutput, mailbox_from_env, wait_of, waiting_for
from connectors.portal.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from connectors.rest import collect_answer, note_instead
from connectors.shared import redis_from_env
from connectors.text import too_long_note
from connectors.web_widget.origins import Origins
from connectors.web_widget.routes import Widget, add_widget
from motcua.settings import get_settings

log = logging.getLogger(__name__)

SENDER_PREFIX = "web:"
MIN_SECRET_CHARS = 32
MAX_BODY_BYTES = 16_384
SESSION_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Limits:
    sessions_per_address: int = 10  # a minute
    sessions_for_everyone: int = 600
    messages_per_session: int = 20
    messages_for_everyone: int = 1200
    polls_per_session: int = 30  # a page long-polling 20 s makes 3 a minute
    polls_for_everyone: int = 12_000


class Sessions:
    """Sessions signed with a server secret: `<id hex>.<expiry unix s>.<hmac hex>`."""

    def __init__(self, secret: str, lifetime: float = SESSION_SECONDS, clock: Callable[[], float] = time.time):
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError(f"MOTCUA_WEB_SESSION_SECRET must have at least {MIN_SECRET_CHARS} characters")
        self._key = secret.encode("utf-8")
        self.lifetime = lifetime
        self._clock = clock

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).hexdigest()

    def issue(self) -> str:
        payload = f"{secrets.token_hex(16)}.{int(self._clock() + self.lifetime)}"
        return f"{payload}.{self._sign(payload)}"

    def conversation_of(self, token: Any) -> Optional[str]:
        """The session's id when `token` is one we issued and it has not expired, else None."""
        if not isinstance(token, str) or len(token) > 200:
            return None
        parts = token.split(".")
        if len(parts) != 3 or len(parts[0]) != 32 or not parts[1].isdigit():
            return None
        if not hmac.compare_digest(parts[2].encode("ascii", "replace"), self._sign(f"{parts[0]}.{parts[1]}").encode()):
            return None
        if int(parts[1]) < self._clock():
            return None
        return parts[0]


def trusted_proxy(peer: str) -> bool:
    """A reverse proxy whose X-Real-IP is believed: on this machine, or named in
    `MOTCUA_TRUSTED_PROXIES` (comma-separated addresses, for a proxy on another machine)."""
    try:
        if ipaddress.ip_address(peer).is_loopback:
            return True
    except ValueError:
        return False
    return peer in get_settings().trusted_proxy_addresses


def caller_address(request: Request) -> str:
    """The caller's address: the peer, or, when the peer is a trusted reverse proxy, the address
    it put in X-Real-IP (or the last hop of X-Forwarded-For)."""
    peer = request.ip or "unknown"
    if trusted_proxy(peer):
        forwarded = request.headers.get("x-real-ip") or request.headers.get("x-forwarded-for", "").split(",")[-1]
        if forwarded.strip():
            return forwarded.strip()[:64]
    return peer


def _object(raw: Optional[bytes]) -> Optional[Dict[str, Any]]:
    """A body as a JSON object, or None."""
    try:
        data: Any = json.loads(raw or b"")
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _per_minute(limit: int, what: str) -> RateLimiter:
    redis = redis_from_env()
    if redis is None:
        return MemoryRateLimiter(limit, 60.0)
    return RedisRateLimiter(redis, limit, 60.0, prefix=f"motcua:web:{what}:")


class WebChatInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "web"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        secret = str((credentials or {}).get("session_secret") or "")
        if not secret:
            raise ValueError("the web chat needs MOTCUA_WEB_SESSION_SECRET")
        return cls(Sessions(secret))

    def __init__(
        self,
        sessions: Sessions,
        limits: Limits = Limits(),
        mailbox: Optional[Mailbox] = None,
        origins: Optional[Origins] = None,
    ):
        self.sessions = sessions
        self.limits = limits
        self.mailbox = mailbox or mailbox_from_env()
        self.origins = origins or Origins.parse(get_settings().web_allowed_origins)
        self._new_per_address = _per_minute(limits.sessions_per_address, "new-per-address")
        self._new_for_everyone = _per_minute(limits.sessions_for_everyone, "new-all")
        self._per_session = _per_minute(limits.messages_per_session, "per-session")
        self._for_everyone = _per_minute(limits.messages_for_everyone, "messages-all")
        self._polls_per_session = _per_minute(limits.polls_per_session, "polls-per-session")
        self._polls_for_everyone = _per_minute(limits.polls_for_everyone, "polls-all")

    def get_output_channel(self) -> MailboxOutput:
        """For Rasa's HTTP API (a helper's message to `web:<session id>`): into the mailbox, for the
        page's next poll or message."""
        return MailboxOutput(self.mailbox)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("web_webhook", __name__)

        def busy() -> HTTPResponse:
            return response.json({"error": "rate_limited", "text": msg.WEB_BUSY.format(hotline=msg.HOTLINE)}, 429)

        def unknown_session() -> HTTPResponse:
            return response.json({"error": "session missing, invalid or expired: ask for a new one"}, status=401)

        add_widget(hook, self.origins, Widget(), demo=not get_settings().production)

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/session", methods=["POST", "OPTIONS"])
        async def new_session(request: Request) -> HTTPResponse:
            address = caller_address(request)
            if not (await self._new_per_address.hit(address)).allowed:
                log.info(
                    "web chat: new sessions refused for an address (%d a minute)", self.limits.sessions_per_address
                )
                return busy()
            if not (await self._new_for_everyone.hit("all")).allowed:
                log.warning(
                    "web chat: new sessions refused, %d a minute for everyone", self.limits.sessions_for_everyone
                )
                return busy()
            return response.json({"session": self.sessions.issue(), "expires_in": int(self.sessions.lifetime)})

        @hook.route("/webhook", methods=["POST", "OPTIONS"])
        async def receive(request: Request) -> HTTPResponse:
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.json({"error": "body too large", "text": too_long_note()}, status=413)
            data = _object(request.body)
            if data is None or not isinstance(data.get("message"), str):
                return response.json({"error": "the body must be a JSON object with session and message"}, status=400)
            session = self.sessions.conversation_of(data.get("session"))
            if session is None:
                return unknown_session()
            sender = SENDER_PREFIX + session
            if not (await self._per_session.hit(session)).allowed or not (await self._for_everyone.hit("all")).allowed:
                log.info("web chat: a message refused by the rate limits")
                return busy()
            waiting = await waiting_for(self.mailbox, sender)  # a helper's messages come first
            note = note_instead(data["message"].strip())
            if note:
                return response.json([*waiting, {"recipient_id": sender, "text": note}])
            replies = await collect_answer(on_new_message, sender, data["message"].strip(), self.name())
            return response.json([*waiting, *replies])

        @hook.route("/poll", methods=["POST", "OPTIONS"])
        async def poll(request: Request) -> HTTPResponse:
            data = _object(request.body) if len(request.body or b"") <= MAX_BODY_BYTES else None
            wait = wait_of(data.get("wait")) if data is not None else None
            if data is None or wait is None:
                return response.json(
                    {"error": f"the body must be a JSON object with session and wait (0 to {MAX_WAIT:.0f} s)"}, 400
                )
            session = self.sessions.conversation_of(data.get("session"))
            if session is None:
                return unknown_session()
            if not (await self._polls_per_session.hit(session)).allowed:
                log.info("web chat: a poll refused by the per-session limit")
                return busy()
            if not (await self._polls_for_everyone.hit("all")).allowed:
                log.warning("web chat: polls refused, %d a minute for everyone", self.limits.polls_for_everyone)
                return busy()
            try:
                return response.json(await self.mailbox.take(SENDER_PREFIX + session, wait))
            except MailboxUnavailable:
                return response.json({"error": "unavailable, poll again later"}, status=503)

        return hook
