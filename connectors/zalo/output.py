"""Replies to Zalo: text split at 2,000 characters, buttons as a template attachment whose taps
come back hidden (`oa.query.hide`) with the payload; titles cut to 100 characters."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.core.channels.channel import OutputChannel

from connectors.text import split_before_buttons, split_text
from connectors.zalo.client import ZaloClient

MESSAGE_LIMIT = 2000
TITLE_LIMIT = 100
SENDER_PREFIX = "zalo:"


def user_id_of(recipient_id: str) -> str:
    return recipient_id.removeprefix(SENDER_PREFIX)


class ZaloOutput(OutputChannel):
    @classmethod
    def name(cls) -> Text:
        return "zalo"

    def __init__(self, client: ZaloClient):
        self.client = client
        self.sent = 0  # messages handed to Zalo through this output (for the no-reply guard)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in split_text(text, MESSAGE_LIMIT):
            await self.client.send(user_id_of(recipient_id), {"text": part})
            self.sent += 1

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        first, last = split_before_buttons(text, MESSAGE_LIMIT)
        for part in first:
            await self.send_text_message(recipient_id, part)
        template = [
            {"title": str(b.get("title", ""))[:TITLE_LIMIT], "type": "oa.query.hide", "payload": b["payload"]}
            for b in buttons
            if b.get("payload")
        ]
        message = {"text": last, "attachment": {"type": "template", "payload": {"buttons": template}}}
        await self.client.send(user_id_of(recipient_id), message)
        self.sent += 1
