"""The REST channel (`POST /webhooks/rest/webhook`), as Rasa's, except that a failure never
answers with silence: if Redis is away, the action server is down or slow, or anything else
breaks, the citizen gets the short "tạm thời gián đoạn" apology within 5 seconds."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from bot import messages as msg
from connectors.shared import answer_or_apologise


class ResilientRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def guarded(message: UserMessage) -> None:
            output = message.output_channel
            collected = getattr(output, "messages", None)
            countable = isinstance(output, CollectingOutputChannel) and isinstance(collected, list)
            before = len(collected) if countable and collected is not None else 0

            def sent() -> int:  # a streamed reply (a queue) cannot be counted: assume it was sent
                return len(output.messages) - before if countable else 1

            async def apologise() -> None:
                await output.send_text_message(message.sender_id or "", msg.CHANNEL_APOLOGY.format(hotline=msg.HOTLINE))

            await answer_or_apologise(lambda: on_new_message(message), sent, apologise, "a REST message")

        return super().blueprint(guarded)
