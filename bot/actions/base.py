"""The base of every action: first a request to stop the notices of a dossier's changes ("hủy theo
dõi"), then the input the assistant awaits (a dossier code, the phone digits), whatever intent the
NLU gave the message; otherwise the action's own answer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.dossier_flow import handle_awaited_input
from bot.actions.notify import stop_requested


class CitizenAction(Action, ABC):
    @abstractmethod
    def name(self) -> Text: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        stopped = await stop_requested(dispatcher, tracker)
        if stopped is not None:
            return stopped
        handled = await handle_awaited_input(dispatcher, tracker)
        if handled is not None:
            return handled
        return await self.respond(dispatcher, tracker)

    @abstractmethod
    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """The action's own answer to a message that is not an awaited input."""
