"""Messages into a citizen's conversation through the Rasa server's HTTP API: a helper's reply (the
console, console/rasa_client.py) and a notice of a dossier's change (the watcher,
connectors/portal/notify.py) go the same way:

    POST {RASA_URL}/conversations/{id}/tracker/events?output_channel=<channel>&execute_side_effects=true
    [{"event": "bot", "text": …, "data": {"buttons": …}, "metadata": {"motcua": {"outcome": "notification", …}}}]

The channel is named from the conversation id (`connectors.delivery.output_channel_for`): Rasa's
`latest` would send nowhere, answering 200, for a conversation it no longer holds. Rasa appends the
event and sends it through that channel's output (Telegram, Zalo, the web chat's or REST's mailbox);
a send the channel refuses is Rasa's HTTP 500 whose message starts with `[<code>]`
(connectors/delivery.py), read back here. Every call carries a JWT (HS256, `user.role == "admin"`)
signed with the secret in RASA_JWT_SECRET_FILE; no token, text or conversation id is logged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union
from urllib.parse import quote

import aiohttp
import jwt

from connectors.delivery import failure_code, output_channel_for

log = logging.getLogger(__name__)

TOKEN_SECONDS = 60
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Pushed:
    """How a push went: `ok`, or the channel's failure `code` (`telegram_blocked`…), or neither
    (Rasa unreachable, or an error of Rasa's own: `detail` says which, for logs)."""

    ok: bool
    code: Optional[str] = None
    detail: str = ""
    status: Optional[int] = None  # Rasa's HTTP status; None when Rasa did not answer
    error: Optional[str] = None  # the error's type when Rasa did not answer


def read_secret(path: Optional[Path]) -> Optional[str]:
    """The JWT secret kept in `path` (None when unset or unreadable: the API refuses unsigned calls)."""
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError as exc:
        log.error("the Rasa JWT secret file could not be read (%s): notices cannot be sent", type(exc).__name__)
        return None


class RasaApi:
    """Calls of Rasa's HTTP API, each with a JWT of `username` (made again before it expires).
    `session`: the one HTTP session, or a function giving it (a caller that makes it on first use)."""

    def __init__(
        self,
        base_url: str,
        jwt_secret: Optional[str],
        session: Union[aiohttp.ClientSession, Callable[[], aiohttp.ClientSession]],
        username: str = "watcher",
    ):
        self.base_url = base_url.rstrip("/")
        self._secret = jwt_secret
        self._session = session
        self._username = username
        self._token: Optional[str] = None
        self._token_until = 0.0

    @property
    def session(self) -> aiohttp.ClientSession:
        return self._session if isinstance(self._session, aiohttp.ClientSession) else self._session()

    def url(self, conversation_id: str, tail: str) -> str:
        return f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/{tail}"

    def headers(self) -> Dict[str, str]:
        if not self._secret:
            return {}
        now = time.time()
        if self._token is None or now > self._token_until - 10:
            payload = {"user": {"username": self._username, "role": "admin"}, "exp": int(now) + TOKEN_SECONDS}
            self._token = jwt.encode(payload, self._secret, algorithm="HS256")
            self._token_until = now + TOKEN_SECONDS
        return {"Authorization": f"Bearer {self._token}"}

    async def post(self, url: str, body: Any) -> Pushed:
        """POST `body` as JSON to `url` (one of this API's): ok, a channel's refusal, or why not."""
        try:
            async with self.session.post(
                url, json=body, headers=self.headers(), timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
            ) as response:
                if response.status == 200:
                    return Pushed(ok=True, status=200)
                detail = await _message_of(response)
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            return Pushed(ok=False, detail=f"Rasa unreachable ({type(exc).__name__})", error=type(exc).__name__)
        code = failure_code(detail) if status == 500 else None
        if code is not None:
            return Pushed(ok=False, code=code, detail=detail, status=status)
        return Pushed(ok=False, detail=f"Rasa answered HTTP {status}", status=status)

    async def push(self, conversation_id: str, events: List[Dict[str, Any]]) -> Pushed:
        """Append `events` to the conversation, sending its bot messages on the citizen's channel."""
        channel = output_channel_for(conversation_id)
        return await self.post(
            self.url(conversation_id, f"tracker/events?output_channel={channel}&execute_side_effects=true"), events
        )


async def _message_of(response: aiohttp.ClientResponse) -> str:
    """The `message` of Rasa's error answer (it names the delivery failure), capped."""
    try:
        data = await response.json(content_type=None)
    except (aiohttp.ClientError, ValueError):
        return ""
    return str(data.get("message") or "")[:500] if isinstance(data, dict) else ""
