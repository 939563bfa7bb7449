"""Why a message pushed to a citizen was not delivered: the errors of the channels' output channels.

A helper's reply reaches a citizen through Rasa's HTTP API:
`POST /conversations/<id>/tracker/events?output_channel=latest&execute_side_effects=true`. Rasa 3.6
appends the events, sends the bot messages through the output channel of the conversation's latest
input channel, and only then saves the tracker. Any exception of the output channel is caught there
and answered as

    HTTP 500 {"version": …, "status": "failure", "reason": "ConversationError",
              "message": "An unexpected error occurred. Error: <str(exception)>", "details": {},
              "help": null, "code": 500}

and the tracker is not saved: the bot event is not recorded either (parts of a long message sent
before the failure did reach the citizen). So every error here begins its text with a stable code in
brackets, `[zalo_window_closed] …`, which `failure_code` reads back from Rasa's message. The texts
are for operators, in English, and name no citizen, message or token: Rasa logs them at ERROR.
"""

from __future__ import annotations

import re
from typing import Optional

_CODE = re.compile(r"(?:^|Error: )\[([a-z_]+)\] ")
# The channel of a conversation, by the prefix of its id (each channel's SENDER_PREFIX); a REST
# sender can hold no ':'.
CHANNEL_PREFIXES = {"tg:": "telegram", "zalo:": "zalo", "web:": "web"}


class DeliveryFailed(Exception):
    """A message could not be delivered to the citizen; `code` says why, for the caller to act on."""

    code = "delivery_failed"
    explanation = "the message could not be delivered"

    def __init__(self, detail: str = "", sent_parts: int = 0):
        self.detail = detail
        self.sent_parts = sent_parts  # parts of this message delivered before the failure
        text = f"[{self.code}] {self.explanation}"
        if detail:
            text += f" ({detail})"
        if sent_parts:
            text += f"; {sent_parts} earlier part(s) of the message were delivered"
        super().__init__(text)


class WrongRecipient(DeliveryFailed):
    code = "wrong_recipient"
    explanation = "the conversation is not one of this channel's citizens"


class ZaloWindowClosed(DeliveryFailed):
    """Zalo error -230: no consultation message after 7 days without a message from the citizen."""

    code = "zalo_window_closed"
    explanation = (
        "the citizen's Zalo messaging window is closed: they have not written to the Official Account for "
        "7 days (Zalo error -230); they must write to the OA first"
    )


class ZaloUnavailable(DeliveryFailed):
    code = "zalo_unavailable"
    explanation = "Zalo could not be reached or its token could not be renewed; try again later"


class ZaloRefused(DeliveryFailed):
    code = "zalo_refused"
    explanation = "Zalo refused the message"


class TelegramBlocked(DeliveryFailed):
    code = "telegram_blocked"
    explanation = "the citizen has blocked the bot or left the chat"


class TelegramRateLimited(DeliveryFailed):
    code = "telegram_rate_limited"
    explanation = "Telegram asks to slow down; try again in a moment"


class TelegramUnavailable(DeliveryFailed):
    code = "telegram_unavailable"
    explanation = "Telegram could not be reached; try again later"


class TelegramRefused(DeliveryFailed):
    code = "telegram_refused"
    explanation = "Telegram refused the message"


class MailboxFull(DeliveryFailed):
    code = "mailbox_full"
    explanation = "the citizen has not fetched the messages already waiting; wait until they do"


class MessageTooLarge(DeliveryFailed):
    code = "message_too_large"
    explanation = "the message is too large for the web chat's mailbox; send it in shorter parts"


class MailboxUnavailable(DeliveryFailed):
    code = "mailbox_unavailable"
    explanation = "the mailbox (Redis) could not be reached; try again later"


def output_channel_for(conversation_id: str) -> str:
    """The `output_channel` to name when pushing to `conversation_id`. `latest` needs the tracker's
    last user message: a conversation Rasa no longer holds (an in-memory tracker store after a
    restart) would get its message collected, sent nowhere, and the call answered 200."""
    for prefix, channel in CHANNEL_PREFIXES.items():
        if conversation_id.startswith(prefix):
            return channel
    return "rest"


def failure_code(message: Optional[str]) -> Optional[str]:
    """The code of a delivery failure in the `message` of Rasa's error answer, or None when the
    failure is something else (then the message was not delivered for a reason of Rasa's own)."""
    if not message:
        return None
    found = _CODE.search(message)
    return found.group(1) if found else None
