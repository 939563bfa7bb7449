"""Telegram as a Rasa channel: `POST /webhooks/telegram/webhook`.

Updates are parsed and replies sent with python-telegram-bot (one `Bot`, created on Rasa's
event loop at the first update; nothing touches the network at start-up — registering the
webhook is `python -m connectors.telegram set-webhook URL`).

- An update without the right `X-Telegram-Bot-Api-Secret-Token` gets 403 and is not processed.
- A resent update (same `update_id`) gets no second reply.
- Text goes to the assistant, unless it is longer than connectors.text.MAX_MESSAGE_CHARS: then
  the citizen gets the short "too long" note and the assistant never sees it. `/start` greets,
  `/start <procedure id>` (a deep link) opens that procedure; a tapped button is answered (so it
  stops spinning) and its payload goes to the assistant; stickers, photos, voice… get a short
  note that only text is read for now.
- A failure while answering (Redis away, the action server down or slower than 5 s) is logged,
  the citizen gets the "tạm thời gián đoạn" apology, and Telegram still gets 200 (otherwise it
  would resend the update again and again).
- Messages pushed through Rasa's HTTP API (`output_channel=latest` on a `tg:<chat id>`
  conversation) go out through `get_output_channel()`, even before the first update since the
  server started; a refused one fails the API call (connectors/delivery.py).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, Update
from telegram.request import HTTPXRequest

from connectors import messages as msg
from connectors import platforms
from connectors.shared import answer_or_apologise, deduplicator, redis_from_env
from connectors.telegram.output import SENDER_PREFIX, CallbackKeys, TelegramOutput
from connectors.text import too_long, too_long_note

log = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = platforms.TELEGRAM_API_BASE_URL
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
CONNECTIONS = 32  # to the Bot API at once, for the replies of every conversation this server answers
POOL_TIMEOUT = 5.0  # seconds a send may wait for a free connection
_PROCEDURE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def start_payload(text: str) -> Optional[str]:
    """What `/start` and `/start <procedure id>` (deep links) mean to the assistant."""
    command, _, argument = text.strip().partition(" ")
    if command.split("@")[0] != "/start":
        return None
    argument = argument.strip()
    if _PROCEDURE_ID.match(argument):
        return "/ask_procedure" + json.dumps({"procedure": argument})
    return "/greet"


class TelegramInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        token, secret = credentials.get("token"), credentials.get("webhook_secret")
        if not token or not secret:
            raise ValueError("Telegram needs TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET")
        return cls(str(token), str(secret), str(credentials.get("api_base_url") or DEFAULT_API_BASE_URL))

    def __init__(self, token: str, webhook_secret: str, api_base_url: str = DEFAULT_API_BASE_URL):
        self.token = token
        self.webhook_secret = webhook_secret
        self.api_base_url = api_base_url
        self._bot: Optional[Bot] = None
        self._starting = asyncio.Lock()  # one Bot even when the first updates arrive together
        self._keys = CallbackKeys(redis_from_env())
        self._dedupe = deduplicator()

    async def bot(self) -> Bot:
        """The one Bot, created and initialised on the running (Rasa's) event loop."""
        async with self._starting:
            if self._bot is None:
                # python-telegram-bot's default is one connection with a 1 s wait for it: under load
                # the sends queue and time out (bench/handoff.py saw 206 of 250 helper replies fail).
                request = HTTPXRequest(connection_pool_size=CONNECTIONS, pool_timeout=POOL_TIMEOUT)
                bot = Bot(self.token, base_url=self.api_base_url, request=request)
                await bot.initialize()
                self._bot = bot
        return self._bot

    def get_output_channel(self) -> TelegramOutput:
        """For Rasa's HTTP API (a helper's message pushed to `tg:<chat id>`): the one Bot (made at
        the first send if no update came in since the server started) and the same button keys; a
        refused send raises a `connectors.delivery.DeliveryFailed`, so the API call fails saying why."""
        return TelegramOutput(self.bot, self._keys)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("telegram_webhook", __name__)

        @hook.listener("after_server_stop")
        async def close(app: Any, loop: Any) -> None:
            if self._bot is not None:
                await self._bot.shutdown()  # python-telegram-bot's HTTP client

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode("utf-8"), self.webhook_secret.encode("utf-8")):
                log.warning("telegram update refused: wrong or missing secret token")
                return response.json({"error": "forbidden"}, status=403)
            try:
                data = json.loads(request.body or b"")
                if not isinstance(data, dict) or "update_id" not in data:
                    raise ValueError("not an update")
            except ValueError:
                log.warning("telegram update refused: malformed body")
                return response.json({"error": "malformed update"}, status=400)
            if not await self._dedupe.first_time(f"tg:{data['update_id']}"):
                log.info("telegram update %s already handled", data["update_id"])
                return response.json({"status": "duplicate"})
            await self._handle(data, on_new_message)
            return response.json({"status": "ok"})

        return hook

    async def _handle(self, data: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        bot = await self.bot()
        try:
            update = Update.de_json(data, bot)
        except (TypeError, ValueError, KeyError) as exc:
            log.warning("telegram update %s not understood: %s", data.get("update_id"), type(exc).__name__)
            return
        chat = update.effective_chat
        if chat is None:
            return  # channel posts, polls, chat member changes: nothing to answer
        output = TelegramOutput(bot, self._keys)
        sender = f"{SENDER_PREFIX}{chat.id}"
        text = await self._text_of(update, bot, output)
        if text is None:
            return
        message = UserMessage(text, output, sender, input_channel=self.name(), metadata={"update_id": update.update_id})

        async def apologise() -> None:
            await bot.send_message(chat.id, msg.CHANNEL_APOLOGY.format(hotline=msg.HOTLINE))

        await answer_or_apologise(
            lambda: on_new_message(message),
            lambda: output.sent,
            apologise,
            f"telegram update {update.update_id}",
            sender=sender,
        )

    async def _text_of(self, update: Update, bot: Bot, output: TelegramOutput) -> Optional[str]:
        """The text for the assistant, or None when the update was answered here (or needs nothing)."""
        if update.callback_query is not None:
            query = update.callback_query
            payload = await output.keys.payload_of(query.data or "")
            await bot.answer_callback_query(query.id, text=None if payload else msg.BUTTON_EXPIRED)
            return payload
        message = update.message
        if message is None:
            return None  # edited messages and the like
        if message.text:
            if too_long(message.text):
                log.info(
                    "telegram update %s: a message of %d characters answered with the length note",
                    update.update_id,
                    len(message.text),
                )
                await bot.send_message(message.chat.id, too_long_note())
                return None
            return start_payload(message.text) or message.text
        if message.chat is not None:
            await bot.send_message(message.chat.id, msg.TEXT_ONLY)
        return None
