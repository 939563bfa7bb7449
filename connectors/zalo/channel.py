"""Zalo Official Account as a Rasa channel: `POST /webhooks/zalo/webhook`.

- The `X-ZEvent-Signature` is checked first (missing → 401, wrong or stale → 403; nothing is
  processed).
- Zalo wants 200 within 2 seconds, so the event is acknowledged at once and answered in the
  background; a retried delivery (same `msg_id`) gets one reply.
- `user_send_text` (and a tapped `oa.query.hide` button, which arrives as hidden text with the
  payload) goes to the assistant; `follow` gets the welcome; images, stickers, voice… get a
  short note that only text is read for now; every other event is acknowledged and ignored.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import messages as msg
from connectors.shared import answer_or_apologise, background, deduplicator, redis_from_env
from connectors.zalo import signature
from connectors.zalo.client import ZaloClient
from connectors.zalo.output import SENDER_PREFIX, ZaloOutput
from connectors.zalo.tokens import RedisTokenStore, Tokens, TokenStore

log = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://openapi.zalo.me"
DEFAULT_OAUTH_BASE_URL = "https://oauth.zaloapp.com"
DEFAULT_TOKEN_FILE = Path(__file__).resolve().parents[2] / "var" / "zalo_tokens.json"
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
        store: TokenStore | RedisTokenStore = (
            RedisTokenStore(redis, initial)
            if redis is not None
            else TokenStore(
                Path(c.get("token_file") or os.environ.get("ZALO_TOKEN_FILE") or DEFAULT_TOKEN_FILE), initial
            )
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
        return ZaloOutput(self.client)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("zalo_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            raw = request.body or b""
            try:
                event = json.loads(raw)
                if not isinstance(event, dict):
                    raise ValueError("not an object")
            except ValueError:
                log.warning("zalo event refused: malformed body")
                return response.json({"error": "malformed event"}, status=400)
            verdict = signature.verify(request.headers.get(signature.HEADER), raw, event, self.oa_secret_key)
            if verdict is not signature.Verdict.OK:
                log.warning("zalo event refused: signature %s", verdict.value)
                status = 401 if verdict is signature.Verdict.MISSING else 403
                return response.json({"error": f"signature {verdict.value}"}, status=status)
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
            user = str((event.get("sender") or {}).get("id", ""))
            text = str((event.get("message") or {}).get("text", "")).strip()
        elif name == "follow":
            user = str((event.get("follower") or {}).get("id", ""))
            text = "/greet"
        elif name in NOT_TEXT_EVENTS:
            user = str((event.get("sender") or {}).get("id", ""))
            if user:
                await self.client.send(user, {"text": msg.TEXT_ONLY})
            return
        else:
            return  # seen/received receipts, echoes of the OA's own messages, unfollow…
        if not user or not text:
            log.warning("zalo %s event without a user or text: ignored", name)
            return
        output = ZaloOutput(self.client)
        message = UserMessage(text, output, SENDER_PREFIX + user, input_channel=self.name())

        async def apologise() -> None:
            await self.client.send(user, {"text": msg.CHANNEL_APOLOGY.format(hotline=msg.HOTLINE)})

        await answer_or_apologise(
            lambda: on_new_message(message), lambda: output.sent, apologise, f"a zalo {name} event"
        )


def _delivery_key(event: Dict[str, Any]) -> str:
    message_id = (event.get("message") or {}).get("msg_id")
    if message_id:
        return str(message_id)
    who = (event.get("sender") or event.get("follower") or {}).get("id", "")
    return f"{event.get('event_name')}:{who}:{event.get('timestamp')}"
