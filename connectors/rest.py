"""The REST channel (`POST /webhooks/rest/webhook` with `{"sender", "message"}`): an internal
door for a web chat backend, tests and benchmarks, not a public one.

    POST /webhooks/rest/webhook {"sender", "message"}  → [{"recipient_id", "text", "buttons"?}, …]
    POST /webhooks/rest/poll    {"sender", "wait"?}    → the messages waiting (maybe []), removed

A helper's message pushed through Rasa's HTTP API (`output_channel=latest` on a REST conversation)
goes into the mailbox (connectors/mailbox.py): it comes first in the answer to the sender's next
message, or in a poll's answer, whichever comes first. A poll answers at once, or with `wait`
(seconds, at most 20) as soon as a message arrives within that time; 503 when the mailbox (Redis)
cannot be read.

- It answers callers (messages and polls) on this machine only (the socket's peer address is
  loopback, and the request did not come through a proxy: no `X-Forwarded-For`, `X-Real-IP` or
  `Forwarded` header), unless `MOTCUA_PUBLIC_REST=1` says it is meant to be reached from elsewhere.
  Anyone else gets 403. (Opened, any caller naming a sender gets that sender's waiting messages,
  as it already gets the replies to its messages: the REST door trusts whoever reaches it.)
- The sender names a REST conversation only: 1–128 ASCII letters, digits or ` ._@+-`, so no ':'
  and a REST caller can never act in a Telegram (`tg:…`) or Zalo (`zalo:…`) citizen's
  conversation. A missing or malformed sender or message gets 400, never a shared `default`
  conversation; the body must be a JSON object (Sanic caps its size).
- An empty message or one longer than `MAX_MESSAGE_CHARS` is answered with a short note and
  never reaches the NLU.
- A failure never answers with silence: if Redis is away, the action server is down or slow, or
  anything else breaks, the citizen gets the short "tạm thời gián đoạn" apology within 5 s.
- The message text is never logged.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors import messages as msg
from connectors.delivery import MailboxUnavailable
from connectors.mailbox import MAX_WAIT, Mailbox, MailboxOutput, mailbox_from_env, wait_of, waiting_for
from connectors.shared import answer_or_apologise
from connectors.text import too_long, too_long_note
from motcua.settings import get_settings

log = logging.getLogger(__name__)

SENDER = re.compile(r"^[A-Za-z0-9 ._@+\-]{1,128}$")
PROXY_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")
PUBLIC_VARIABLE = "MOTCUA_PUBLIC_REST"


def is_public() -> bool:
    return get_settings().public_rest


def from_this_machine(request: Request) -> bool:
    """The caller is on this machine and did not come through a proxy."""
    if any(name in request.headers for name in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.ip).is_loopback
    except ValueError:  # a unix socket or an unknown peer: not known to be local
        return False


def read_body(raw: bytes) -> Tuple[Optional[Dict[str, str]], str]:
    """(sender and message, "") or (None, what is wrong with the body)."""
    try:
        data: Any = json.loads(raw or b"")
    except (ValueError, RecursionError):  # malformed, or nested past Python's recursion limit
        return None, "the body must be JSON"
    if not isinstance(data, dict):
        return None, "the body must be a JSON object"
    sender, text = data.get("sender"), data.get("message")
    if not isinstance(sender, str) or not SENDER.match(sender):
        return None, "sender must be 1-128 characters of A-Z a-z 0-9 space . _ @ + -"
    if not isinstance(text, str):
        return None, "message must be a string"
    return {"sender": sender, "message": text}, ""


def note_instead(text: str) -> Optional[str]:
    """The note that answers an empty or over-long message instead of the assistant."""
    if not text:
        return msg.EMPTY_MESSAGE
    return too_long_note() if too_long(text) else None


def read_poll(raw: bytes) -> Tuple[Optional[str], float, str]:
    """(sender, wait, "") of a poll's body, or (None, 0, what is wrong with it)."""
    try:
        data: Any = json.loads(raw or b"")
    except (ValueError, RecursionError):
        return None, 0.0, "the body must be JSON"
    if not isinstance(data, dict):
        return None, 0.0, "the body must be a JSON object"
    sender, wait = data.get("sender"), wait_of(data.get("wait"))
    if not isinstance(sender, str) or not SENDER.match(sender):
        return None, 0.0, "sender must be 1-128 characters of A-Z a-z 0-9 space . _ @ + -"
    if wait is None:
        return None, 0.0, f"wait must be a number of seconds from 0 to {MAX_WAIT:.0f}"
    return sender, wait, ""


class ResilientRestInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def __init__(self, mailbox: Optional[Mailbox] = None):
        self.mailbox = mailbox or mailbox_from_env()

    def get_output_channel(self) -> MailboxOutput:
        """For Rasa's HTTP API (a helper's message to a REST conversation): into the mailbox, for the
        caller's next poll or message."""
        return MailboxOutput(self.mailbox)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("rest_webhook", __name__)

        def refused(request: Request) -> Optional[HTTPResponse]:
            if is_public() or from_this_machine(request):
                return None
            log.warning("REST request refused: not from this machine (set %s=1 to open it)", PUBLIC_VARIABLE)
            return response.json({"error": "the REST channel is internal"}, status=403)

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refusal = refused(request)
            if refusal is not None:
                return refusal
            body, problem = read_body(request.body)
            if body is None:
                return response.json({"error": problem}, status=400)
            sender, text = body["sender"], body["message"].strip()
            waiting = await waiting_for(self.mailbox, sender)  # a helper's messages come first
            note = note_instead(text)
            if note:
                return response.json([*waiting, {"recipient_id": sender, "text": note}])
            return response.json([*waiting, *await collect_answer(on_new_message, sender, text, self.name())])

        @hook.route("/poll", methods=["POST"])
        async def poll(request: Request) -> HTTPResponse:
            refusal = refused(request)
            if refusal is not None:
                return refusal
            sender, wait, problem = read_poll(request.body)
            if sender is None:
                return response.json({"error": problem}, status=400)
            try:
                return response.json(await self.mailbox.take(sender, wait))
            except MailboxUnavailable:
                return response.json({"error": "the mailbox is unavailable, try again later"}, status=503)

        return hook


async def collect_answer(
    on_new_message: Callable[[UserMessage], Awaitable[Any]], sender: str, text: str, channel: str
) -> List[Dict[str, Any]]:
    """The assistant's replies to one message, or the apology if it failed or was silent."""
    collector = CollectingOutputChannel()
    message = UserMessage(text, collector, sender, input_channel=channel)

    async def apologise() -> None:
        await collector.send_text_message(sender, msg.CHANNEL_APOLOGY.format(hotline=msg.HOTLINE))

    await answer_or_apologise(
        lambda: on_new_message(message),
        lambda: len(collector.messages),
        apologise,
        f"a {channel} message",
        sender=sender,
    )
    return collector.messages
