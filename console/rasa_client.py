"""The console's client of the Rasa server's HTTP API (never public: on loopback or a private
network, and every call carries a JWT the console signs with the secret shared with Rasa).

- `say(conversation_id, text)`: a helper's reply, sent on the citizen's own channel: a `bot` event
  appended with `output_channel=<the conversation's channel>&execute_side_effects=true`, so Rasa's
  channel (Telegram, Zalo, the web chat's or REST's mailbox) delivers it and the conversation keeps
  it. The channel is named from the conversation id (`connectors.delivery.output_channel_for`);
  Rasa's `latest` would send nowhere, answering 200, for a conversation it no longer holds;
- `pause` / `resume` with an optional bot message first (the end of a handoff);
- `execute(conversation_id, action)`: an action of the assistant run in the conversation (the rating
  prompt after a handoff: `action_ask_rating`), then `action_listen`;
- `conversation(conversation_id)`: the citizen's and the assistant's messages so far.

Rasa 3.6 checks the JWT with sanic-jwt (HS256 here): a payload with `user.role == "admin"` may
call every endpoint; each token lives a minute (connectors/rasa_api.py makes them, for the watcher
too). The secret comes from a file, so neither process has it on its command line. An HTTP error,
a timeout or a refused delivery (Zalo's closed window) is `RasaUnavailable` / `DeliveryFailed`,
with a message a helper can act on.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import aiohttp

from connectors.delivery import output_channel_for
from connectors.rasa_api import TIMEOUT_SECONDS, RasaApi

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """The Rasa server did not answer, or refused the call."""


class DeliveryFailed(Exception):
    """Rasa took the call but the citizen's channel refused the message; `code` says why
    (`zalo_window_closed`, `telegram_blocked`, … of connectors/delivery.py)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ChatLine:
    role: str  # "citizen" | "bot" | "helper"
    text: str
    at: float


class RasaClient:
    def __init__(self, base_url: str, jwt_secret: Optional[str], session: Optional[aiohttp.ClientSession] = None):
        """`session`: the one HTTP session to use (made on first use when not given, and closed by `close`)."""
        self.base_url = base_url.rstrip("/")
        self._given_session = session
        self._own_session: Optional[aiohttp.ClientSession] = None
        self._api = RasaApi(base_url, jwt_secret, lambda: self._session, username="console")

    @property
    def _session(self) -> aiohttp.ClientSession:
        if self._given_session is not None:
            return self._given_session
        if self._own_session is None:
            self._own_session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100), trust_env=False)
        return self._own_session

    async def close(self) -> None:
        if self._own_session is not None:
            await self._own_session.close()
            self._own_session = None

    def _headers(self) -> Dict[str, str]:
        return self._api.headers()

    def _url(self, conversation_id: str, tail: str) -> str:
        return self._api.url(conversation_id, tail)

    async def _post(self, url: str, body: Any, what: str) -> None:
        """POST `body`; a refused delivery is DeliveryFailed, anything else but 200 RasaUnavailable."""
        pushed = await self._api.post(url, body)
        if pushed.ok:
            return
        if pushed.status is None:
            log.warning("Rasa API: %s (%s)", what, pushed.error)
            raise RasaUnavailable(pushed.error or "no answer")
        log.warning("Rasa API: %s (HTTP %d, %s)", what, pushed.status, pushed.code or "no delivery code")
        if pushed.code is not None:  # the channel refused the message (connectors/delivery.py)
            raise DeliveryFailed(pushed.code)
        raise RasaUnavailable(f"HTTP {pushed.status}")

    async def append(self, conversation_id: str, events: List[Dict[str, Any]]) -> None:
        """Append `events`, sending bot messages on the conversation's latest channel."""
        channel = output_channel_for(conversation_id)  # named: `latest` needs a user message Rasa still holds
        url = self._url(conversation_id, f"tracker/events?output_channel={channel}&execute_side_effects=true")
        await self._post(url, events, "events not appended")

    async def execute(self, conversation_id: str, action: str) -> None:
        """Run the assistant's `action` in the conversation (`POST /conversations/{id}/execute`), its
        messages sent on the conversation's channel; then `action_listen`, as after any turn of the
        assistant (Rasa's execute does not add it, and the rules predict the next answer from it)."""
        channel = output_channel_for(conversation_id)
        url = self._url(conversation_id, f"execute?output_channel={channel}")
        await self._post(url, {"name": action}, f"{action} not run")
        await self.append(conversation_id, [{"event": "action", "name": "action_listen"}])

    async def say(self, conversation_id: str, text: str, helper: Optional[str] = None) -> None:
        """Send `text` to the citizen; a helper's message is marked so the chat view can tell it."""
        event: Dict[str, Any] = {"event": "bot", "text": text}
        if helper:
            event["metadata"] = {"helper": helper}
        await self.append(conversation_id, [event])

    async def resume(self, conversation_id: str, text: Optional[str] = None) -> None:
        """Give the conversation back to the assistant (after a message, when given)."""
        events: List[Dict[str, Any]] = [{"event": "bot", "text": text}] if text else []
        # `action_listen` after `resume`, as after any turn of the assistant: its rules predict the
        # next message's answer from "listened, then the citizen said …"; without it the paused
        # turns would leave the next question to the fallback.
        listen = {"event": "action", "name": "action_listen"}
        await self.append(conversation_id, [*events, {"event": "resume"}, listen])

    async def conversation(self, conversation_id: str) -> List[ChatLine]:
        """The conversation's messages so far (citizen and assistant)."""
        try:
            async with self._session.get(
                self._url(conversation_id, "tracker?include_events=ALL"),
                headers=self._headers(),
                timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
            ) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"HTTP {response.status}")
                data = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise RasaUnavailable(type(exc).__name__) from exc
        lines = []
        for event in data.get("events") or []:
            kind, text = event.get("event"), event.get("text")
            if kind in ("user", "bot") and text:
                role = "citizen" if kind == "user" else ("helper" if _by_helper(event) else "bot")
                lines.append(ChatLine(role, text, float(event.get("timestamp") or 0)))
        return lines


def _by_helper(event: Dict[str, Any]) -> bool:
    return bool((event.get("metadata") or {}).get("helper"))
