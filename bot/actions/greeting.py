"""The greeting, with buttons for the procedures asked about most."""

from __future__ import annotations

from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot import messages as msg
from bot.actions.answers import button
from bot.actions.base import CitizenAction
from bot.actions.context import load_kb
from bot.actions.outcome import mark
from motcua.settings import get_settings
from procedures_kb.answers import Aspect


class ActionGreet(CitizenAction):
    """Sent from an action, not a domain response: Rasa would read the JSON in the button
    payloads ({"procedure": …}) as slot templates."""

    def name(self) -> Text:
        return "action_greet"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        kb = await load_kb(dispatcher)
        if kb is None:
            return []
        popular = [kb.get(pid) for pid in get_settings().popular_procedures if pid in kb]
        dispatcher.utter_message(
            text=msg.GREETING,
            buttons=[button(p.title, Aspect.overview, p.id) for p in popular],
            motcua=mark("smalltalk"),
        )
        return []
