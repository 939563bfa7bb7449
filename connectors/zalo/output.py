"""Replies to Zalo: text split at 2,000 characters, buttons as a template attachment whose taps
come back hidden (`oa.query.hide`) with the payload; titles cut to 100 characters.

Two ways of failing:
- the replies to a citizen who just wrote (the webhook) never raise: a part Zalo refuses is logged
  and the next one still tried, so Rasa's handling of the message (and its tracker) is never
  broken by a send;
- `strict=True`, the output Rasa's HTTP API gets (`ZaloInput.get_output_channel`, a helper's
  message): the first refused part raises a `connectors.delivery.DeliveryFailed` (`ZaloWindowClosed`
  when the citizen has not written for 7 days), which Rasa answers with HTTP 500 naming it.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Text

from rasa.core.channels.channel import OutputChannel

from connectors.delivery import DeliveryFailed, WrongRecipient
from connectors.text import split_before_buttons, split_text
from connectors.zalo.client import ZaloClient

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 2000
TITLE_LIMIT = 100
SENDER_PREFIX = "zalo:"
_USER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # Zalo's ids are decimal strings (64-bit)


def user_id_of(recipient_id: str) -> str:
    """The Zalo user id of a Rasa conversation `zalo:<user id>`; any other conversation is refused
    (a REST sender "123" must never become Zalo user 123)."""
    if not recipient_id.startswith(SENDER_PREFIX) or not _USER_ID.match(recipient_id[len(SENDER_PREFIX) :]):
        raise WrongRecipient("a Zalo conversation is zalo:<user id>")
    return recipient_id[len(SENDER_PREFIX) :]


class ZaloOutput(OutputChannel):
    @classmethod
    def name(cls) -> Text:
        return "zalo"

    def __init__(self, client: ZaloClient, strict: bool = False):
        self.client = client
        self.strict = strict
        self.sent = 0  # messages Zalo accepted through this output (for the no-reply guard)

    async def _send(self, recipient_id: Text, messages: List[Dict[str, Any]]) -> None:
        try:
            user = user_id_of(recipient_id)
        except WrongRecipient:
            if self.strict:
                raise
            log.error("a Zalo reply for a conversation that is not zalo:<user id>: not sent")
            return
        done = 0
        for message in messages:
            if not self.strict:
                self.sent += int(await self.client.send(user, message))
                continue
            try:
                await self.client.deliver(user, message)
            except DeliveryFailed as exc:
                raise type(exc)(exc.detail, sent_parts=done) from exc
            done += 1
            self.sent += 1

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send(recipient_id, [{"text": part} for part in split_text(text, MESSAGE_LIMIT)])

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        first, last = split_before_buttons(text, MESSAGE_LIMIT)
        template = [
            {"title": str(b.get("title", ""))[:TITLE_LIMIT], "type": "oa.query.hide", "payload": b["payload"]}
            for b in buttons
            if b.get("payload")
        ]
        message = {"text": last, "attachment": {"type": "template", "payload": {"buttons": template}}}
        await self._send(recipient_id, [*({"text": part} for part in first), message])
