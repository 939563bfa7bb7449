"""Realistic Rasa event dicts for the insights' tests, made by Rasa's own event classes."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot.actions.outcome import mark

NOW = 1_795_000_000.0  # 2026-11-18 11:06:40 UTC


def user(text: str, intent: str, sender: str = "tg-1001", at: float = NOW, channel: str = "telegram") -> Dict[str, Any]:
    event = UserUttered(
        text,
        intent={"name": intent, "confidence": 0.93},
        entities=[],
        parse_data={"intent": {"name": intent, "confidence": 0.93}, "entities": [], "text": text},
        input_channel=channel,
        timestamp=at,
        message_id=f"m{at}",
    ).as_dict()
    return {"sender_id": sender, **event}


def action(name: str, sender: str = "tg-1001", at: float = NOW) -> Dict[str, Any]:
    return {"sender_id": sender, **ActionExecuted(name, timestamp=at).as_dict()}


def bot(text: str, sender: str = "tg-1001", at: float = NOW, **metadata: Any) -> Dict[str, Any]:
    return {"sender_id": sender, **BotUttered(text, {}, metadata=metadata, timestamp=at).as_dict()}


def turn(
    text: str,
    intent: str,
    action_name: str,
    outcome: Optional[str],
    sender: str = "tg-1001",
    at: float = NOW,
    channel: str = "telegram",
    utter: Optional[str] = None,
    **marked: Any,
) -> List[Dict[str, Any]]:
    """A citizen message and the assistant's answer as Rasa streams them: user, the action, its
    message (marked by our action, or a domain response `utter`), a slot, action_listen."""
    metadata: Dict[str, Any] = {}
    if outcome is not None:
        metadata["motcua"] = mark(outcome, **marked)  # type: ignore[arg-type]
    if utter is not None:
        metadata["utter_action"] = utter
    return [
        user(text, intent, sender, at, channel),
        action(action_name, sender, at + 0.1),
        bot("…", sender, at + 0.2, **metadata),
        {"sender_id": sender, **SlotSet("procedure", "khai-sinh", timestamp=at + 0.2).as_dict()},
        action("action_listen", sender, at + 0.3),
    ]


def session_start(sender: str = "tg-1001", at: float = NOW - 1) -> List[Dict[str, Any]]:
    return [
        action("action_session_start", sender, at),
        {"sender_id": sender, **SessionStarted(timestamp=at).as_dict()},
        action("action_listen", sender, at),
    ]


def rows(events: List[Dict[str, Any]], first_id: int = 1) -> List[Tuple[int, Optional[str], str]]:
    """As the events table holds them: (id, sender_id, data)."""
    return [(first_id + i, e["sender_id"], json.dumps(e)) for i, e in enumerate(events)]
