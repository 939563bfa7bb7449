"""The actions that may ask for the satisfaction rating (bot/actions/rating.py says when and how):
`action_thanks` and `action_goodbye` (the domain's reply, then the prompt when it is time for it),
and `action_ask_rating`, which the console runs after a helper's chat ended with a goodbye.

Apart from bot/actions/rating.py because the awaited input (bot/actions/dossier_flow.py, which
every action runs first) calls the rating's `answer_rating`: that module must not import the
actions' base."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.answers import answer_question, plain_procedure_question
from bot.actions.base import CitizenAction
from bot.actions.context import is_correction, message_text
from bot.actions.dossier import answer_correction
from bot.actions.outcome import mark
from bot.actions.rating import ask, should_ask
from procedures_kb.text import fold


class _Closing(CitizenAction):
    """A thanks or a goodbye: the domain's reply, then the prompt when it is time for it."""

    response = ""

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if is_correction(fold(message_text(tracker))):
            # "à không, em chỉ xin giấy xác nhận độc thân thôi": "thôi" closes a correction here,
            # not the conversation; a correction that names no procedure ("không, cảm ơn") is one.
            aspect = await plain_procedure_question(dispatcher, tracker)
            if aspect is not None:
                return await answer_question(dispatcher, tracker, aspect)
            corrected = await answer_correction(dispatcher, tracker)  # "không, khai rồi, chỉ xin thêm bản sao thôi"
            if corrected is not None:
                return corrected
        dispatcher.utter_message(response=self.response, motcua=mark("smalltalk"))
        if should_ask(tracker):
            return ask(dispatcher, tracker)
        return []


class ActionGoodbye(_Closing):
    response = "utter_goodbye"

    def name(self) -> Text:
        return "action_goodbye"


class ActionThanks(_Closing):
    response = "utter_thanks"

    def name(self) -> Text:
        return "action_thanks"


class ActionAskRating(Action):
    """Run by the console through Rasa's HTTP API when a helper's chat ended with a goodbye."""

    def name(self) -> Text:
        return "action_ask_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if not should_ask(tracker, after_answer=False):
            return []
        return ask(dispatcher, tracker)
