"""A fake of the Rasa server's HTTP API for pushes (aiohttp): `POST /conversations/{id}/tracker/events
?output_channel=<name>&execute_side_effects=true` with a JWT, doing with the bot events what Rasa 3.6
does, with Rasa's own functions and the real channels given (tests/connectors/rasa_api.py): the
output channel found by name among them, the messages sent through it. An exception of the channel
is Rasa's HTTP 500 `{"message": "An unexpected error occurred. Error: <exception>"}`; a missing or
bad JWT is 401. Every call and its events are recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Sequence

import jwt
from aiohttp import web
from rasa.core.channels.channel import InputChannel

from tests.connectors.rasa_api import output_for


@dataclass
class Pushed:
    conversation: str
    output_channel: str
    events: List[Dict[str, Any]]


@dataclass
class FakeRasaApi:
    secret: str
    channels: Sequence[InputChannel] = ()
    pushed: List[Pushed] = field(default_factory=list)
    refused: int = 0  # calls without a valid token
    down: bool = False  # answer 503 to everything (a server restarting behind a proxy)

    async def events(self, request: web.Request) -> web.Response:
        if self.down:
            return web.json_response({"message": "unavailable"}, status=503)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"])
        except jwt.PyJWTError:
            self.refused += 1
            return web.json_response({"status": "failure", "reason": "NotAuthenticated", "code": 401}, status=401)
        if (claims.get("user") or {}).get("role") != "admin":
            self.refused += 1
            return web.json_response({"status": "failure", "reason": "NotAuthorized", "code": 403}, status=403)
        conversation = request.match_info["conversation"]
        requested = request.query.get("output_channel", "latest")
        events = await request.json()
        self.pushed.append(Pushed(conversation, requested, events))
        from rasa.core.processor import MessageProcessor
        from rasa.shared.core.events import BotUttered
        from rasa.shared.core.trackers import DialogueStateTracker

        output = output_for(self.channels, conversation, None, requested)
        tracker = DialogueStateTracker.from_events(conversation, [])
        bots = [
            BotUttered(e.get("text"), e.get("data") or {}, e.get("metadata") or {})
            for e in events
            if e["event"] == "bot"
        ]
        try:
            await MessageProcessor._send_bot_messages(bots, tracker, output)  # what execute_side_effects calls
        except Exception as exc:  # noqa: BLE001 (what Rasa's endpoint does with any error)
            message = f"An unexpected error occurred. Error: {exc}"
            return web.json_response(
                {"status": "failure", "reason": "ConversationError", "message": message}, status=500
            )
        return web.json_response({"sender_id": conversation, "events": events})

    def texts(self, conversation: str) -> List[str]:
        return [e["text"] for p in self.pushed if p.conversation == conversation for e in p.events if e.get("text")]

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/conversations/{conversation}/tracker/events", self.events)
        return app
