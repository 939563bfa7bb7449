"""A fake Zalo OA API and OAuth server (aiohttp) speaking the real wire format, recording calls.

`POST /v3.0/oa/message/cs` (header `access_token`) → `{"error": 0, …}`, or -216 for a token that
is not the current one, or -230 for a citizen marked silent.
`POST /v4/oa/access_token` (header `secret_key`, form `app_id, grant_type, refresh_token`) → a
new pair; the refresh token used is spent. Every refresh token received is recorded, and
`on_refresh` (if set) runs once the new pair is issued, before it is answered: a test makes
something fail exactly after Zalo has spent the old refresh token.
"""

from __future__ import annotations

import hashlib
import inspect
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set

from aiohttp import web


@dataclass
class FakeZalo:
    app_id: str
    app_secret: str
    access_token: str
    refresh_token: str
    messages: List[Dict[str, Any]] = field(default_factory=list)  # accepted sends
    refused: List[Dict[str, Any]] = field(default_factory=list)
    refreshes: int = 0
    refresh_tokens_received: List[str] = field(default_factory=list)
    on_refresh: Optional[Callable[[], Any]] = None
    silent_users: Set[str] = field(default_factory=set)
    _n: Any = field(default_factory=lambda: itertools.count(1))

    def sent_to(self, user_id: str) -> List[Dict[str, Any]]:
        return [m["message"] for m in self.messages if m["recipient"]["user_id"] == user_id]

    def expire_access_token(self) -> None:
        self.access_token = f"access-{next(self._n)}-fresh"  # the one the client holds is now stale

    async def send(self, request: web.Request) -> web.Response:
        body = await request.json()
        user = str(body.get("recipient", {}).get("user_id", ""))
        if request.headers.get("access_token") != self.access_token:
            self.refused.append({"error": -216, **body})
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        if user in self.silent_users:
            self.refused.append({"error": -230, **body})
            return web.json_response({"error": -230, "message": "User has not interacted with OA in 7 days"})
        self.messages.append(body)
        return web.json_response({"error": 0, "message": "Success", "data": {"message_id": f"m{len(self.messages)}"}})

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if request.headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
            return web.json_response({"error": -14002, "error_name": "Invalid app"})
        self.refresh_tokens_received.append(str(form.get("refresh_token", "")))
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token:
            return web.json_response({"error": -14014, "error_name": "Invalid refresh token"})
        self.refreshes += 1
        self.access_token = f"access-{next(self._n)}"
        self.refresh_token = f"refresh-{next(self._n)}"
        if self.on_refresh is not None:
            done = self.on_refresh()
            if inspect.isawaitable(done):
                await done
        return web.json_response(
            {"access_token": self.access_token, "refresh_token": self.refresh_token, "expires_in": "90000"}
        )

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self.send)
        app.router.add_post("/v4/oa/access_token", self.token)
        return app


def signed(event: Dict[str, Any], oa_secret_key: str) -> tuple[bytes, Dict[str, str]]:
    """The raw body and headers Zalo would send for `event`."""
    raw = json.dumps(event, ensure_ascii=False).encode("utf-8")
    return raw, signed_headers(raw, str(event["app_id"]), str(event["timestamp"]), oa_secret_key)


def signed_headers(raw: bytes, app_id: str, timestamp: str, oa_secret_key: str) -> Dict[str, str]:
    """The headers Zalo would send with any raw body (well-formed or not) for this app and time."""
    mac = hashlib.sha256(app_id.encode() + raw + timestamp.encode() + oa_secret_key.encode()).hexdigest()
    return {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}


def now_ms() -> str:
    return str(int(time.time() * 1000))


def text_event(app_id: str, user_id: str, text: str, msg_id: str) -> Dict[str, Any]:
    return {
        "app_id": app_id,
        "user_id_by_app": f"app-{user_id}",
        "event_name": "user_send_text",
        "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": user_id},
        "recipient": {"id": "oa-1"},
        "message": {"text": text, "msg_id": msg_id},
    }
