"""Zalo Official Account as a Rasa channel: `POST /webhooks/zalo/webhook`.

- The body is read up to 64 KB (more → 413) and its `X-ZEvent-Signature` checked on the raw
  bytes before anything parses them (missing → 401, wrong or stale → 403); only a signed body is
  parsed, and one that is not a JSON object (or nests too deep to parse) gets 400, never a 500.
- Zalo wants 200 within 2 seconds, so the event is acknowledged at once and answered in the
  background; a retried delivery (same `msg_id`) gets one reply.
- `user_send_text` (and a tapped `oa.query.hide` button, which arrives as hidden text with the
  payload) goes to the assistant, unless it is longer than `MAX_MESSAGE_CHARS` (the citizen is
  told to write shorter); `follow` gets the welcome; images, stickers, voice… get a
  short note that only text is read for now; every other event is acknowledged and ignored.
- Messages pushed through Rasa's HTTP API (`output_channel=latest` on a `zalo:<user id>`
  conversation) go out through `get_output_channel()`; a refused one fails the API call
  (connectors/delivery.py).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors import messages as msg
from connectors import platforms
from connectors.shared import SHUTDOWN_GRACE, answer_or_apologise, background, deduplicator, drain, redis_from_env
from connectors.text import too_long, too_long_note
from connectors.zalo import signature
from connectors.zalo.client import ZaloClient
from connectors.zalo.output import SENDER_PREFIX, ZaloOutput
from connectors.zalo.tokens import RedisTokenStore, Tokens, TokenStore
from motcua.settings import get_settings

log = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = platforms.ZALO_API_BASE_URL
DEFAULT_OAUTH_BASE_URL = platforms.ZALO_OAUTH_BASE_URL
DEFAULT_TOKEN_FILE = Path(__file__).resolve().parents[2] / "var" / "zalo_tokens.json"
# A Zalo event is a few hundred bytes (a text message at most ~2,000 characters): a bigger body is
# refused before it is read further, signed or not.
MAX_BODY_BYTES = 64 * 1024
NOT_TEXT_EVENTS = frozenset(
    {
        "user_send_image",
        "user_send_link",
        "user_send_audio",
        "user_send_video",
        "user_send_sticker",
        "user_send_location",
        "user_send_file",
        "user_send_gif",
        "user_send_business_card",
    }
)


class ZaloInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "zalo"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        c = {k: str(v) for k, v in (credentials or {}).items() if v not in (None, "")}
        missing = [k for k in ("app_id", "app_secret", "oa_secret_key", "access_token", "refresh_token") if k not in c]
        if missing:
            raise ValueError(f"Zalo needs {', '.join('ZALO_' + m.upper() for m in missing)}")
        initial = Tokens(c["access_token"], c["refresh_token"])
        redis = redis_from_env()
        token_file = Path(c.get("token_file") or get_settings().zalo_token_file or DEFAULT_TOKEN_FILE)
        store: TokenStore | RedisTokenStore = (
            RedisTokenStore(redis, initial, fallback=token_file)  # the file keeps a pair Redis could not take
            if redis is not None
            else TokenStore(token_file, initial)
        )
        client = ZaloClient(
            c["app_id"],
            c["app_secret"],
            store,
            api_base_url=c.get("api_base_url", DEFAULT_API_BASE_URL),
            oauth_base_url=c.get("oauth_base_url", DEFAULT_OAUTH_BASE_URL),
        )
        return cls(c["app_id"], c["oa_secret_key"], client)

    def __init__(self, app_id: str, oa_secret_key: str, client: ZaloClient):
        self.app_id = app_id
        self.oa_secret_key = oa_secret_key
        self.client = client
        self._dedupe = deduplicator()

    def get_output_channel(self) -> ZaloOutput:
        """For Rasa's HTTP API (a helper's message pushed to `zalo:<user id>`): the one client (its
        session, tokens and refresh), and a refused send raises (`ZaloWindowClosed` after 7 days
        of silence), so the API call fails and says why instead of answering 200."""
        return ZaloOutput(self.client, strict=True)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("zalo_webhook", __name__)

        @hook.listener("before_server_stop")
        async def finish(app: Any, loop: Any) -> None:
            """Answers still being sent in the background go out before the server stops."""
            await drain(timeout=SHUTDOWN_GRACE)
            await self.client.close()

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if request.stream is not None:  # a body left unread is not drained past the cap either
                request.stream.request_max_size = MAX_BODY_BYTES
            header = request.headers.get(signature.HEADER)
            raw = await _read_body(request, MAX_BODY_BYTES) if header else b""
            if raw is None:
                log.warning("zalo event refused: body over %d bytes", MAX_BODY_BYTES)
                return response.json({"error": "body too large"}, status=413)
            verdict = signature.verify(header, raw, self.app_id, self.oa_secret_key)
            if verdict is not signature.Verdict.OK:
                log.warning("zalo event refused: signature %s", verdict.value)
                status = 401 if verdict is signature.Verdict.MISSING else 403
                return response.json({"error": f"signature {verdict.value}"}, status=status)
            event = _parse(raw)
            if event is None:
                log.warning("zalo event refused: signed, but not a JSON object")
                return response.json({"error": "malformed event"}, status=400)
            if str(event.get("app_id")) != self.app_id:
                log.warning("zalo event refused: it is for another app")
                return response.json({"error": "wrong app"}, status=403)
            if not await self._dedupe.first_time(f"zalo:{_delivery_key(event)}"):
                log.info("zalo delivery already handled")
                return response.json({"status": "duplicate"})
            background(self._handle(event, on_new_message), "answering a Zalo event")
            return response.json({"status": "ok"})

        return hook

    async def _handle(self, event: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        name = str(event.get("event_name", ""))
        if name == "user_send_text":
            user = _id(_part(event, "sender"))
            text = _text(_part(event, "message").get("text"))
        elif name == "follow":
            user = _id(_part(event, "follower"))
            text = "/greet"
        elif name in NOT_TEXT_EVENTS:
            user = _id(_part(event, "sender"))
            if user:
                await self.client.send(user, {"text": msg.TEXT_ONLY})
            return
        else:
            return  # seen/received receipts, echoes of the OA's own messages, unfollow…
        if not user or not text:
            log.warning("zalo %s event without a user or text: ignored", name)
            return
        if too_long(text):  # never reaches the NLU or the actions
            log.info("zalo message of %d characters: answered with the length note", len(text))
            await self.client.send(user, {"text": too_long_note()})
            return
        output = ZaloOutput(self.client)
        message = UserMessage(text, output, SENDER_PREFIX + user, input_channel=self.name())

        async def apologise() -> None:
            await self.client.send(user, {"text": msg.CHANNEL_APOLOGY.format(hotline=msg.HOTLINE)})

        await answer_or_apologise(
            lambda: on_new_message(message),
            lambda: output.sent,
            apologise,
            f"a zalo {name} event",
            sender=message.sender_id,
        )


def _delivery_key(event: Dict[str, Any]) -> str:
    message_id = _part(event, "message").get("msg_id")
    if isinstance(message_id, (str, int)) and message_id:
        return str(message_id)
    who = _id(_part(event, "sender") or _part(event, "follower"))
    return f"{event.get('event_name')}:{who}:{event.get('timestamp')}"


async def _read_body(request: Request, limit: int) -> Optional[bytes]:
    """The body of a streamed request, or None as soon as it is over `limit` bytes (declared or
    counted while read: a chunked body has no length to trust)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    if request.stream is None:
        return request.body or b""
    chunks: List[bytes] = []
    size = 0
    try:
        async for chunk in request.stream:
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
    except PayloadTooLarge:
        return None
    return b"".join(chunks)


def _parse(raw: bytes) -> Optional[Dict[str, Any]]:
    """A signed body as a JSON object, or None (not JSON, not UTF-8, nested past the parser's
    recursion limit, or not an object)."""
    try:
        event = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return event if isinstance(event, dict) else None


def _part(event: Dict[str, Any], key: str) -> Dict[str, Any]:
    value = event.get(key)
    return value if isinstance(value, dict) else {}


def _id(part: Dict[str, Any]) -> str:
    value = part.get("id")
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
