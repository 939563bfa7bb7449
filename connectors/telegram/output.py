"""Replies to Telegram: long answers split under 4,096 characters on paragraph boundaries,
buttons as an inline keyboard whose callback_data is a short key (≤ 64 bytes) for the payload."""

from __future__ import annotations

import base64
import hashlib
import logging
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from connectors.text import split_before_buttons, split_text

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
SENDER_PREFIX = "tg:"


def chat_id_of(recipient_id: str) -> str:
    return recipient_id.removeprefix(SENDER_PREFIX)


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
    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def __init__(self, bot: Bot, keys: CallbackKeys):
        self.bot = bot
        self.keys = keys
        self.sent = 0  # messages sent through this output (for the no-reply guard)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in split_text(text, MESSAGE_LIMIT):
            await self.bot.send_message(chat_id_of(recipient_id), part)
            self.sent += 1

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        first, last = split_before_buttons(text, MESSAGE_LIMIT)
        for part in first:
            await self.send_text_message(recipient_id, part)
        rows = [
            [InlineKeyboardButton(str(b.get("title", ""))[:64], callback_data=await self.keys.key_for(b["payload"]))]
            for b in buttons
            if b.get("payload")
        ]
        await self.bot.send_message(chat_id_of(recipient_id), last, reply_markup=InlineKeyboardMarkup(rows))
        self.sent += 1
