"""A new session of a conversation (after 60 idle minutes, `session_config`): Rasa's own session
start — the slots carried over, then listening — and, when the previous session ended with a helper
holding the chat (Rasa's `pause`, bot/actions/handoff.py), paused again. Rasa's `SessionStarted`
un-pauses a conversation, so without this a citizen coming back after an hour to a chat a helper
still has would be answered by the assistant, and the helper would never see the message.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher


def ended_paused(tracker: Tracker) -> bool:
    """Whether the conversation's last `pause` came after its last `resume`."""
    for event in reversed(tracker.events):
        if event.get("event") == "resume":
            return False
        if event.get("event") == "pause":
            return True
    return False


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        if (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True):
            events.extend(SlotSet(name, value) for name, value in tracker.slots.items() if value is not None)
        events.append(ActionExecuted("action_listen"))
        if ended_paused(tracker):
            events.append(ConversationPaused())
        return events
