"""A new session keeps the slots, and the pause of a chat a helper still has."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.session import ActionSessionStart
from tests.bot.actions.test_actions import DOMAIN


async def start(events: List[Dict[str, Any]], slots: Dict[str, Any]) -> List[Dict[str, Any]]:
    all_slots = {name: None for name in DOMAIN["slots"]}
    all_slots.update(slots)
    tracker = Tracker("tg:5", all_slots, {}, events, False, None, {}, "action_listen")
    return list(await ActionSessionStart().run(CollectingDispatcher(), tracker, DOMAIN))


async def test_a_new_session_carries_the_slots_over_and_listens() -> None:
    events = await start([{"event": "user", "text": "khai sinh"}], {"procedure": "khai-sinh"})
    assert [e["event"] for e in events] == ["session_started", "slot", "action"]
    assert events[1]["name"] == "procedure" and events[1]["value"] == "khai-sinh"
    assert events[2]["name"] == "action_listen"


async def test_a_chat_a_helper_still_has_stays_paused() -> None:
    history = [{"event": "user", "text": "gặp người thật"}, {"event": "pause"}, {"event": "user", "text": "alo"}]
    events = await start(history, {})
    assert events[-1]["event"] == "pause"


async def test_a_chat_given_back_is_not_paused_again() -> None:
    history = [{"event": "pause"}, {"event": "bot", "text": "kết thúc"}, {"event": "resume"}]
    events = await start(history, {})
    assert all(e["event"] != "pause" for e in events)
