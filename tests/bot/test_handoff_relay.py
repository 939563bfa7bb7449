"""A paused conversation's new message is relayed to the console once, by the store that saved it;
nothing else is (a helper's reply, an unpaused conversation), and a console that is down costs
the save nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, ConversationPaused, ConversationResumed, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.handoff_relay import HandoffRelay, handoff_relay, reset_handoff_relay
from bot.tracker_store import HandoffInMemoryTrackerStore
from motcua.settings import get_settings

DOMAIN = Domain.load(str(Path(__file__).parents[2] / "bot" / "domain.yml"))


@pytest.fixture
async def console(monkeypatch: pytest.MonkeyPatch) -> Any:
    received: List[Dict[str, Any]] = []

    async def messages(request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer relay-token-0123456789-abcdefghij"
        received.append(await request.json())
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/internal/messages", messages)
    server = TestServer(app)
    await server.start_server()
    monkeypatch.setenv("CONSOLE_URL", str(server.make_url("")).rstrip("/"))
    monkeypatch.setenv("CONSOLE_INTERNAL_TOKEN", "relay-token-0123456789-abcdefghij")
    get_settings.cache_clear()
    reset_handoff_relay()
    yield received
    await _settle()
    reset_handoff_relay()
    await server.close()


async def _settle() -> None:
    relay = handoff_relay()
    for _ in range(100):
        if not relay._tasks:
            break
        await asyncio.sleep(0.01)
    if relay._session is not None:
        await relay._session.close()


def conversation(*events: Any) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("zalo:77", list(events), DOMAIN.slots)


async def test_a_paused_conversations_message_reaches_the_console(console: List[Dict[str, Any]]) -> None:
    store = HandoffInMemoryTrackerStore(DOMAIN)
    tracker = conversation(UserUttered("gặp người thật"), ConversationPaused(), UserUttered("em cần hỏi về sổ đỏ"))
    await store.save(tracker)
    await _settle()
    assert [(m["conversation_id"], m["text"]) for m in console] == [("zalo:77", "em cần hỏi về sổ đỏ")]
    assert (await store.retrieve("zalo:77")) is not None  # the save itself happened


async def test_nothing_else_is_relayed(console: List[Dict[str, Any]]) -> None:
    store = HandoffInMemoryTrackerStore(DOMAIN)
    await store.save(conversation(UserUttered("làm căn cước ở đâu")))  # not paused
    await store.save(conversation(UserUttered("a"), ConversationPaused(), UserUttered("b"), BotUttered("helper")))
    await store.save(conversation(UserUttered("a"), ConversationPaused(), ConversationResumed(), UserUttered("c")))
    await _settle()
    assert console == []


async def test_a_console_that_is_down_does_not_hold_the_save(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.launcher import free_port

    monkeypatch.setenv("CONSOLE_URL", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    relay = HandoffRelay(get_settings())
    reset_handoff_relay(relay)
    store = HandoffInMemoryTrackerStore(DOMAIN)
    await store.save(conversation(UserUttered("a"), ConversationPaused(), UserUttered("b")))
    assert (await store.retrieve("zalo:77")) is not None
    await _settle()
    reset_handoff_relay()
