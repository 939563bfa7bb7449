"""Sending Zalo OA customer-service messages, and refreshing the OA's tokens.

`POST {api}/v3.0/oa/message/cs` with the `access_token` header →
`{"error": 0, "message": "Success", "data": {"message_id": …}}`.
- error -216 (access token invalid or expired): refresh the pair, store it, retry once;
- error -230 (the citizen has not written for 7 days): logged, not retried;
- any other error: logged with its code.
`send` answers True or False (the replies to a citizen who just wrote: a failure is logged, the
next part still tried); `deliver` raises why, as a `connectors.delivery.DeliveryFailed`
(`ZaloWindowClosed` for -230), for messages pushed through Rasa's HTTP API.
Refresh: `POST {oauth}/v4/oa/access_token`, header `secret_key: <app secret>`, form
`app_id, grant_type=refresh_token, refresh_token` → a new access token *and* refresh token.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional

import aiohttp

from connectors import platforms
from connectors.delivery import DeliveryFailed, ZaloRefused, ZaloUnavailable, ZaloWindowClosed
from connectors.zalo.tokens import RedisTokenStore, Tokens, TokenStore, TokensUnavailable

log = logging.getLogger(__name__)

TOKEN_EXPIRED = -216
USER_SILENT = -230
NO_ANSWER = -1  # ours: Zalo did not answer, or not with JSON


class ZaloError(Exception):
    def __init__(self, code: int, message: str = ""):
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code


class ZaloClient:
    def __init__(
        self,
        app_id: str,
        app_secret: str,
        tokens: TokenStore | RedisTokenStore,
        api_base_url: str = platforms.ZALO_API_BASE_URL,
        oauth_base_url: str = platforms.ZALO_OAUTH_BASE_URL,
        timeout: float = 10.0,
        session: Optional[aiohttp.ClientSession] = None,
    ):
        self.app_id = app_id
        self.app_secret = app_secret
        self.tokens = tokens
        self.api_base_url = api_base_url.rstrip("/")
        self.oauth_base_url = oauth_base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session = session

    def session(self) -> aiohttp.ClientSession:
        """One session, created on the running (Rasa's) event loop at the first send."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        """Close the session (at shutdown, after the last answers went out)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def send(self, user_id: str, message: Dict[str, Any]) -> bool:
        """Send one message; True when Zalo accepted it, False (logged) when not."""
        try:
            await self.deliver(user_id, message)
        except DeliveryFailed:
            return False
        return True

    async def deliver(self, user_id: str, message: Dict[str, Any]) -> None:
        """Send one message, or raise why it was not: `ZaloWindowClosed` (-230, not retried),
        `ZaloUnavailable` (no answer, no token, a refresh that failed), `ZaloRefused` (any other code)."""
        try:
            token = (await self.tokens.current()).access_token
        except TokensUnavailable as exc:
            log.error("no Zalo token to send with: %s", exc)
            raise ZaloUnavailable("no access token could be read") from exc
        code, detail = await self._post_message(token, user_id, message)
        if code == TOKEN_EXPIRED:
            log.info("Zalo access token expired (-216): refreshing")
            try:
                fresh = await self.refresh(failed_token=token)
            except (ZaloError, TokensUnavailable, aiohttp.ClientError, asyncio.TimeoutError, TimeoutError) as exc:
                log.error("Zalo token refresh failed: %s", exc)
                raise ZaloUnavailable("the access token expired and could not be renewed") from exc
            code, detail = await self._post_message(fresh.access_token, user_id, message)
        if code == 0:
            return
        if code == USER_SILENT:
            log.info("Zalo: the citizen has not written for 7 days (-230); message not sent")
            raise ZaloWindowClosed()
        log.error("Zalo refused a message: error %s (%s)", code, detail)
        if code == NO_ANSWER:
            raise ZaloUnavailable(detail)
        raise ZaloRefused(f"Zalo error {code}")

    async def _post_message(self, token: str, user_id: str, message: Dict[str, Any]) -> tuple[int, str]:
        body = {"recipient": {"user_id": user_id}, "message": message}
        try:
            async with self.session().post(
                f"{self.api_base_url}/v3.0/oa/message/cs", json=body, headers={"access_token": token}
            ) as response:
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            return NO_ANSWER, f"no answer from Zalo ({type(exc).__name__})"
        if not isinstance(data, dict):
            return NO_ANSWER, "unexpected answer"
        return int(data.get("error", -1)), str(data.get("message", ""))

    async def refresh(self, failed_token: Optional[str] = None) -> Tokens:
        """Exchange the single-use refresh token for a new pair, stored before it is used.
        Concurrent callers (in this process or, on Redis, in other replicas) share one refresh:
        whoever comes second finds the new pair."""
        async with self.tokens.refresh_lock():
            current = await self.tokens.current()
            if failed_token is not None and current.access_token != failed_token:
                return current  # another send refreshed while we waited
            form = {"app_id": self.app_id, "grant_type": "refresh_token", "refresh_token": current.refresh_token}
            async with self.session().post(
                f"{self.oauth_base_url}/v4/oa/access_token", data=form, headers={"secret_key": self.app_secret}
            ) as response:
                data = await response.json(content_type=None)
            if not isinstance(data, dict) or not data.get("access_token") or not data.get("refresh_token"):
                code = int(data.get("error", -1)) if isinstance(data, dict) else -1
                raise ZaloError(code, "no new token pair (the OA may need to be authorised again)")
            tokens = Tokens(str(data["access_token"]), str(data["refresh_token"]))
            await self.tokens.replace(tokens)  # before use: the old refresh token is spent (never raises
            return tokens  # for a store failure: the pair is kept in memory, and in the file with Redis)
