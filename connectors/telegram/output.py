"""Replies to Telegram: long answers split under 4,096 characters on paragraph boundaries,
buttons as an inline keyboard whose callback_data is a short key (≤ 64 bytes) for the payload.
A send Telegram refuses raises a `connectors.delivery.DeliveryFailed` (blocked, rate limited,
unreachable, refused), which Rasa's HTTP API answers with HTTP 500 naming it."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Union

from rasa.core.channels.channel import OutputChannel
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from connectors.delivery import (
    DeliveryFailed,
    TelegramBlocked,
    TelegramRateLimited,
    TelegramRefused,
    TelegramUnavailable,
    WrongRecipient,
)
from connectors.text import split_before_buttons, split_text

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
SENDER_PREFIX = "tg:"
_CHAT_ID = re.compile(r"^-?[0-9]{1,20}$")


def chat_id_of(recipient_id: str) -> int:
    """The Telegram chat of a Rasa conversation `tg:<chat id>`; any other conversation is refused
    (a REST sender "123" must never become Telegram chat 123)."""
    chat = recipient_id[len(SENDER_PREFIX) :] if recipient_id.startswith(SENDER_PREFIX) else ""
    if not _CHAT_ID.match(chat):
        raise WrongRecipient("a Telegram conversation is tg:<chat id>")
    return int(chat)


class CallbackKeys:
    """Button payloads ("/ask_fee{\\"procedure\\": \\"giay-phep-xay-dung\\"}") can pass 64 bytes;
    Telegram gets a 13-character key and the payload is found again when the button is tapped.
    Keys are kept in memory, or in Redis (30 days) so every replica knows them."""

    TTL = 30 * 86_400

    def __init__(self, redis: Any = None, max_keys: int = 50_000):
        self._redis = redis
        self._memory: "OrderedDict[str, str]" = OrderedDict()
        self._max = max_keys

    @staticmethod
    def key_of(payload: str) -> str:
        digest = hashlib.sha256(payload.encode("utf-8")).digest()[:9]
        return "k" + base64.urlsafe_b64encode(digest).decode("ascii")

    async def key_for(self, payload: str) -> str:
        key = self.key_of(payload)
        self._memory[key] = payload
        self._memory.move_to_end(key)
        while len(self._memory) > self._max:
            self._memory.popitem(last=False)
        if self._redis is not None:
            try:
                await self._redis.set(f"motcua:tgkey:{key}", payload.encode("utf-8"), ex=self.TTL)
            except Exception as exc:  # noqa: BLE001 (the memory copy still serves this replica)
                log.warning("could not store a button key in Redis (%s)", type(exc).__name__)
        return key

    async def payload_of(self, key: str) -> Optional[str]:
        if key in self._memory:
            return self._memory[key]
        if self._redis is not None:
            try:
                value = await self._redis.get(f"motcua:tgkey:{key}")
            except Exception as exc:  # noqa: BLE001
                log.warning("could not read a button key from Redis (%s)", type(exc).__name__)
                return None
            return value.decode("utf-8") if value is not None else None
        return None


class TelegramOutput(OutputChannel):
    """Sends through `bot`: the channel's one Bot, or a coroutine function that gives it (created and
    initialised at the first send, for Rasa's HTTP API before any update came in). A send Telegram
    refuses raises a `connectors.delivery.DeliveryFailed` naming why (TelegramBlocked …)."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def __init__(self, bot: Union[Bot, Callable[[], Awaitable[Bot]]], keys: CallbackKeys):
        self._bot = bot
        self.keys = keys
        self.sent = 0  # messages sent through this output (for the no-reply guard)
        self._parts = 0  # parts of the message being sent already delivered

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self._parts = 0
        await super().send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in split_text(text, MESSAGE_LIMIT):
            await self._send(recipient_id, part)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        first, last = split_before_buttons(text, MESSAGE_LIMIT)
        for part in first:
            await self._send(recipient_id, part)
        rows = [
            [InlineKeyboardButton(str(b.get("title", ""))[:64], callback_data=await self.keys.key_for(b["payload"]))]
            for b in buttons
            if b.get("payload")
        ]
        await self._send(recipient_id, last, InlineKeyboardMarkup(rows))

    async def _send(self, recipient_id: Text, text: str, markup: Optional[InlineKeyboardMarkup] = None) -> None:
        chat = chat_id_of(recipient_id)
        try:
            bot = self._bot if isinstance(self._bot, Bot) else await self._bot()
            await bot.send_message(chat, text, reply_markup=markup)
        except TelegramError as exc:
            raise _failure(exc, self._parts) from exc
        self.sent += 1
        self._parts += 1


def _failure(exc: TelegramError, sent_parts: int) -> DeliveryFailed:
    """Telegram's error as ours. Only a BadRequest's description is quoted: other errors' texts may
    hold the bot token (InvalidToken)."""
    if isinstance(exc, Forbidden):
        return TelegramBlocked(sent_parts=sent_parts)
    if isinstance(exc, RetryAfter):
        return TelegramRateLimited(f"retry after {exc.retry_after} s", sent_parts=sent_parts)
    if isinstance(exc, ChatMigrated):
        return TelegramRefused("the group became a supergroup", sent_parts=sent_parts)
    if isinstance(exc, BadRequest):
        return TelegramRefused(exc.message[:200], sent_parts=sent_parts)
    if isinstance(exc, NetworkError):  # TimedOut too
        return TelegramUnavailable(type(exc).__name__, sent_parts=sent_parts)
    return TelegramRefused(type(exc).__name__, sent_parts=sent_parts)
