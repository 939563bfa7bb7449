"""The action server's client of the helper console's internal API: a citizen who asked for a
person is put in the queue of the console (`POST {CONSOLE_URL}/internal/handoffs`).

One shared `aiohttp.ClientSession`, made lazily on the action server's event loop; every call has
a deadline (`handoff_console_timeout_seconds`) and shows `CONSOLE_INTERNAL_TOKEN` as a bearer token.
A console that is down, slow or answers nonsense is `ConsoleUnavailable`: the citizen is given the
hotline instead, and nothing else is affected.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import aiohttp

from motcua.settings import Settings, get_settings

log = logging.getLogger(__name__)

MAX_RECENT = 10  # the last messages of the conversation shown to the helper
MAX_TEXT = 500  # characters of each


class ConsoleUnavailable(Exception):
    """The console could not take the request (not configured, down, slow, or a bad answer)."""


@dataclass(frozen=True)
class QueueReply:
    """What the console answered: `waiting` (with the place and the expected wait), `closed`
    (with when helpers are back) or `full`."""

    state: str
    position: int = 0
    wait_minutes: int = 0
    next_opening: str = ""


class HandoffClient:
    def __init__(self, settings: Settings, session: Optional[aiohttp.ClientSession] = None):
        self.settings = settings
        self._session = session

    @property
    def configured(self) -> bool:
        return bool(self.settings.console_url)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=20), trust_env=False)
        return self._session

    async def request(
        self,
        conversation_id: str,
        channel: Optional[str],
        procedure_id: Optional[str],
        procedure_name: Optional[str],
        recent: List[Dict[str, str]],
    ) -> QueueReply:
        """Put the conversation in the helpers' queue (idempotent on the console's side)."""
        if not self.settings.console_url:
            raise ConsoleUnavailable("CONSOLE_URL is not set")
        token = self.settings.console_internal_token
        headers = {"Authorization": f"Bearer {token.get_secret_value()}"} if token else {}
        body: Dict[str, Any] = {
            "conversation_id": conversation_id,
            "channel": channel or "rest",
            "procedure_id": procedure_id,
            "procedure_name": procedure_name,
            "messages": [{"role": m["role"], "text": m["text"][:MAX_TEXT]} for m in recent[-MAX_RECENT:]],
        }
        url = f"{self.settings.console_url}/internal/handoffs"
        try:
            async with self._client().post(
                url,
                json=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.settings.handoff_console_timeout_seconds),
            ) as response:
                if response.status != 200:
                    raise ConsoleUnavailable(f"the console answered HTTP {response.status}")
                data = await response.json()
            return QueueReply(
                state=str(data["state"]),
                position=int(data.get("position") or 0),
                wait_minutes=int(data.get("wait_minutes") or 0),
                next_opening=str(data.get("next_opening") or ""),
            )
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError, TypeError) as exc:
            log.warning("the helper console did not take a handoff request: %s", type(exc).__name__)
            raise ConsoleUnavailable(type(exc).__name__) from exc

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


_client: Optional[HandoffClient] = None


def handoff_client() -> HandoffClient:
    global _client
    if _client is None:
        _client = HandoffClient(get_settings())
    return _client


def reset_handoff_client(new: Optional[HandoffClient] = None) -> None:
    """Forget the current client (tests; settings changed)."""
    global _client
    _client = new
