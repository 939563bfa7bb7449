"""A fake ZNS (Zalo Notification Service) API (aiohttp) speaking the real wire format, recording calls.

`POST /message/template`, header `access_token` (the OA's, the same as the OA API's: `token()`),
JSON `{"phone": "84…", "template_id", "template_data": {…}, "tracking_id"}` →
`{"error": 0, "message": "Success", "data": {"msg_id", "sent_time", "quota": {"dailyQuota",
"remainingQuota"}}}`; or Zalo's codes: -124 a token that is not the current one, -108 a phone not
in the 84… form, -109 a template not approved here, -118 a phone with no Zalo account, -139 a user
who refused ZNS, -144 the daily quota spent.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Set

from aiohttp import web

_PHONE = re.compile(r"^84[0-9]{9,10}$")


@dataclass
class FakeZns:
    token: Callable[[], str]  # the OA's current access token (FakeZalo's, when both are faked)
    templates: Set[str] = field(default_factory=lambda: {"301234"})
    sent: List[Dict[str, Any]] = field(default_factory=list)  # accepted bodies
    refused: List[Dict[str, Any]] = field(default_factory=list)  # bodies answered with an error (and the error)
    headers: List[str] = field(default_factory=list)  # the access_token header of every call
    no_zalo: Set[str] = field(default_factory=set)  # phones (84…) with no Zalo account: -118
    rejecting: Set[str] = field(default_factory=set)  # phones whose user refused ZNS: -139
    quota: int = 500
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def _error(self, body: Dict[str, Any], code: int, message: str) -> web.Response:
        self.refused.append({"error": code, **body})
        return web.json_response({"error": code, "message": message})

    async def send(self, request: web.Request) -> web.Response:
        self.headers.append(request.headers.get("access_token", ""))
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": -100, "message": "Unknown error"})
        if request.headers.get("access_token") != self.token():
            return self._error(body, -124, "Access token invalid")
        phone = str(body.get("phone", ""))
        if not _PHONE.match(phone):
            return self._error(body, -108, "Phone number invalid")
        if str(body.get("template_id", "")) not in self.templates:
            return self._error(body, -109, "Template ID invalid")
        if not isinstance(body.get("template_data"), dict) or not body["template_data"]:
            return self._error(body, -111, "Template data empty")
        if phone in self.no_zalo:
            return self._error(body, -118, "Zalo account not existed")
        if phone in self.rejecting:
            return self._error(body, -139, "User refused to receive ZNS")
        if self.quota <= 0:
            return self._error(body, -144, "OA has exceeded the daily quota")
        self.quota -= 1
        self.sent.append(body)
        data = {
            "msg_id": f"zns{next(self._ids)}",
            "sent_time": str(int(time.time() * 1000)),
            "quota": {"dailyQuota": "500", "remainingQuota": str(self.quota)},
        }
        return web.json_response({"error": 0, "message": "Success", "data": data})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/message/template", self.send)
        return app
