"""A notice by ZNS (Zalo Notification Service), for a Zalo citizen whose 7-day window is closed (-230):
a template approved by Zalo beforehand, sent to the phone on file, paid per message.

    POST {ZALO_ZNS_BASE_URL}/message/template    header `access_token: <the OA's access token>`
    {"phone": "84912345678", "template_id": "…", "template_data": {…}, "tracking_id": "…"}
    → {"error": 0, "message": "Success", "data": {"msg_id", "sent_time", "quota": {…}}}

Zalo's error codes (zalo.cloud, "Cách xử lý mã lỗi"), as the Notifier acts on them:
- -124 access token invalid: with the tokens on Redis (shared, locked: `connectors.zalo.tokens`),
  refreshed once and tried again; with the tokens in a file the Rasa server's Zalo channel owns the
  refresh (two processes must never spend the single-use refresh token), so it is tried later;
- -108 phone invalid, -118 no Zalo account, -119 account cannot receive, -139 the user refused ZNS:
  this citizen cannot get ZNS (UNDELIVERABLE);
- -100 unknown, -115 out of quota, -133 outside the allowed hours, -144 daily quota: later (RETRY);
- anything else is the OA's or the template's set-up (an operator must act): logged, tried later.
The phone is never logged; the tracking id names the subscription and the notice, not the citizen.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Protocol

import aiohttp

from connectors.zalo.tokens import Tokens, TokensUnavailable

log = logging.getLogger(__name__)

TOKEN_INVALID = -124
CANNOT_RECEIVE = frozenset({-108, -118, -119, -139})
LATER = frozenset({-100, -115, -133, -144})
NO_ANSWER = -1  # ours: Zalo did not answer, or not with JSON
TIMEOUT_SECONDS = 10.0


class TokenSource(Protocol):
    async def current(self) -> Tokens: ...


class Refresher(Protocol):
    async def refresh(self, failed_token: Optional[str] = None) -> Tokens: ...


@dataclass(frozen=True)
class ZnsAnswer:
    code: int  # Zalo's `error` (0: sent), or NO_ANSWER
    detail: str = ""

    @property
    def sent(self) -> bool:
        return self.code == 0

    @property
    def cannot_receive(self) -> bool:
        return self.code in CANNOT_RECEIVE


class FileTokens:
    """The pair in ZALO_TOKEN_FILE as the Rasa server's Zalo channel last stored it (read at each
    send, so a refresh there is seen here), else the configured initial pair."""

    def __init__(self, path: Path, initial: Optional[Tokens]):
        self.path = path
        self.initial = initial

    async def current(self) -> Tokens:
        from connectors.zalo.tokens import TokenStore  # reads the file as the channel writes it

        try:
            return TokenStore(self.path, self.initial).load()
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise TokensUnavailable(f"no Zalo token pair could be read ({type(exc).__name__})") from exc


def zns_phone(phone: str) -> Optional[str]:
    """A Vietnamese phone as ZNS takes it, 84 and the number without its 0 (None if it is not one)."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0084"):
        digits = digits[2:]
    if digits.startswith("84") and 10 <= len(digits) <= 12:
        return digits
    if digits.startswith("0") and 10 <= len(digits) <= 11:
        return "84" + digits[1:]
    return None


class ZnsClient:
    def __init__(
        self,
        base_url: str,
        template_id: str,
        tokens: TokenSource,
        session: aiohttp.ClientSession,
        refresher: Optional[Refresher] = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.template_id = template_id
        self.tokens = tokens
        self.refresher = refresher  # None: the tokens are refreshed elsewhere (the file's owner)
        self._session = session

    async def send(self, phone: str, template_data: Dict[str, str], tracking_id: str) -> ZnsAnswer:
        number = zns_phone(phone)
        if number is None:
            return ZnsAnswer(-108, "the phone on file is not a Vietnamese number")
        try:
            token = (await self.tokens.current()).access_token
        except TokensUnavailable as exc:
            return ZnsAnswer(NO_ANSWER, str(exc))
        body = {"phone": number, "template_id": self.template_id, "template_data": template_data}
        body["tracking_id"] = tracking_id
        answer = await self._post(token, body)
        if answer.code == TOKEN_INVALID and self.refresher is not None:
            log.info("ZNS: the Zalo access token is invalid (-124): refreshing")
            try:
                fresh = await self.refresher.refresh(failed_token=token)
            except Exception as exc:  # noqa: BLE001 (ZaloError, TokensUnavailable, a network error: all 'later')
                log.error("ZNS: the Zalo token refresh failed (%s)", type(exc).__name__)
                return ZnsAnswer(TOKEN_INVALID, "the access token could not be renewed")
            answer = await self._post(fresh.access_token, body)
        return answer

    async def _post(self, token: str, body: Dict[str, Any]) -> ZnsAnswer:
        try:
            async with self._session.post(
                f"{self.base_url}/message/template",
                json=body,
                headers={"access_token": token},
                timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
            ) as response:
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            return ZnsAnswer(NO_ANSWER, f"no answer from ZNS ({type(exc).__name__})")
        if not isinstance(data, dict):
            return ZnsAnswer(NO_ANSWER, "an unexpected answer from ZNS")
        try:
            code = int(data.get("error", NO_ANSWER))
        except (TypeError, ValueError):
            code = NO_ANSWER
        return ZnsAnswer(code, str(data.get("message", ""))[:200])
