"""The Rasa server's side of the human handoff: a citizen's message written while a helper has
the chat (the conversation is paused, so the assistant does not answer it) is relayed to the
helper console at once (`POST {CONSOLE_URL}/internal/messages`), to appear on the helper's screen.

Called by our tracker stores after they save a conversation (bot/tracker_store.py): Rasa saves a
paused conversation with the citizen's message as its last event, and nothing after it; a
conversation the console writes to (a helper's reply, `resume`) ends with those, so each message
is relayed exactly once, by the replica that received it. The relay costs nothing to conversations
that are not paused, and never delays a save: the call runs in the background with a deadline,
at most `MAX_IN_FLIGHT` at once (past that a message is dropped with a warning, and is still in
the conversation the helper sees when they open it).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Optional, Set

import aiohttp
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from connectors.held import hold
from motcua.settings import Settings, get_settings

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 500
MAX_TEXT = 2_000


class HandoffRelay:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._session: Optional[aiohttp.ClientSession] = None
        self._tasks: Set[asyncio.Task] = set()

    @property
    def enabled(self) -> bool:
        return bool(self.settings.console_url)

    def saved(self, tracker: DialogueStateTracker) -> None:
        """After a save: relay the citizen's message that a paused conversation ends with."""
        if not tracker.is_paused() or not tracker.events:
            return
        last = tracker.events[-1]
        if not isinstance(last, UserUttered):
            return
        hold(tracker.sender_id)  # the channel's silence is right: no apology (connectors/held.py)
        if not self.enabled or not last.text:
            return
        if len(self._tasks) >= MAX_IN_FLIGHT:
            log.warning("handoff relay: %d messages in flight, one is dropped", len(self._tasks))
            return
        body = {"conversation_id": tracker.sender_id, "text": last.text[:MAX_TEXT], "at": last.timestamp}
        task = asyncio.get_running_loop().create_task(self._post(body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, body: dict) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=50), trust_env=False)
        token = self.settings.console_internal_token
        headers = {"Authorization": f"Bearer {token.get_secret_value()}"} if token else {}
        try:
            async with self._session.post(
                f"{self.settings.console_url}/internal/messages",
                json=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.settings.handoff_console_timeout_seconds),
            ) as response:
                if response.status != 200:
                    log.warning("handoff relay: the console answered HTTP %d", response.status)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.warning("handoff relay: the console did not take a message (%s)", type(exc).__name__)


_relay: Optional[HandoffRelay] = None


def handoff_relay() -> HandoffRelay:
    global _relay
    if _relay is None:
        _relay = HandoffRelay(get_settings())
    return _relay


def reset_handoff_relay(new: Optional[HandoffRelay] = None) -> None:
    global _relay
    _relay = new
