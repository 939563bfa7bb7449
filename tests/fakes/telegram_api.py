"""A fake Telegram Bot API (aiohttp) speaking the real wire format, recording every call.

`POST|GET /bot<token>/<method>` with form or JSON parameters (python-telegram-bot posts form
fields, nested objects JSON-encoded) → `{"ok": true, "result": …}`; a sendMessage to a chat in
`blocked` → 403 `{"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by
the user"}`, and every sendMessage while `flood_wait` is set (or to a chat in `flooded`, with its
own retry_after) → 429 with `parameters.retry_after`. Each call records when it came (`Call.at`,
`time.monotonic()`), so a test measures the pace of sends at the server.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Set

from aiohttp import web


@dataclass
class Call:
    method: str
    params: Dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass
class FakeTelegram:
    token: str
    calls: List[Call] = field(default_factory=list)
    refused: List[Call] = field(default_factory=list)  # sends answered with an error
    updates: List[Dict[str, Any]] = field(default_factory=list)  # served by getUpdates
    blocked: Set[int] = field(default_factory=set)  # chats whose user blocked the bot: 403
    flood_wait: int = 0  # > 0: every sendMessage gets 429 with this retry_after
    flooded: Dict[int, int] = field(default_factory=dict)  # chat -> retry_after of the 429 its sends get
    _ids: Any = field(default_factory=lambda: itertools.count(1000))

    def sent(self, chat_id: int | str) -> List[Dict[str, Any]]:
        chat = str(chat_id)
        return [c.params for c in self.calls if c.method == "sendMessage" and str(c.params.get("chat_id")) == chat]

    def sent_at(self, chat_id: int | str) -> List[float]:
        """When each message to the chat reached the server (monotonic seconds)."""
        chat = str(chat_id)
        return [c.at for c in self.calls if c.method == "sendMessage" and str(c.params.get("chat_id")) == chat]

    def calls_of(self, method: str) -> List[Dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    async def handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params: Dict[str, Any] = {}
        if request.content_type == "application/json":
            params = await request.json()
        else:
            for key, value in (await request.post()).items():
                text = str(value)
                try:
                    params[key] = json.loads(text) if text[:1] in "[{" else text
                except ValueError:
                    params[key] = text
        wait = (self.flood_wait or self.flooded.get(int(params.get("chat_id", 0)), 0)) if method == "sendMessage" else 0
        if wait:
            self.refused.append(Call(method, params))
            return web.json_response(
                {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {wait}",
                 "parameters": {"retry_after": wait}},
                status=429,
            )  # fmt: skip
        if method == "sendMessage" and int(params.get("chat_id", 0)) in self.blocked:
            self.refused.append(Call(method, params))
            return web.json_response(
                {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}, status=403
            )
        self.calls.append(Call(method, params))
        return web.json_response({"ok": True, "result": self._result(method, params)})

    def _result(self, method: str, params: Dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": 42, "is_bot": True, "first_name": "Một Cửa", "username": "motcua_bot"}
        if method == "sendMessage":
            chat_id = int(params["chat_id"])
            return {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": params.get("text", ""),
            }
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            return [u for u in self.updates if u["update_id"] >= offset]
        return True  # answerCallbackQuery, setWebhook, deleteWebhook

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self.handle)
        return app


def text_update(update_id: int, chat_id: int, text: str) -> Dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Dân"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Dân"},
            "text": text,
        },
    }


def callback_update(update_id: int, chat_id: int, data: str) -> Dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb{update_id}",
            "chat_instance": "ci",
            "from": {"id": chat_id, "is_bot": False, "first_name": "Dân"},
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": "…",
            },
            "data": data,
        },
    }


def sticker_update(update_id: int, chat_id: int) -> Dict[str, Any]:
    update = text_update(update_id, chat_id, "")
    del update["message"]["text"]
    update["message"]["sticker"] = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    return update
