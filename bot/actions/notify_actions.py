"""The action of the intent `unsubscribe_updates` ("không nhận thông báo nữa"); the flow itself is
bot/actions/notify.py.

As every action, it reads the stop words and the awaited input first (bot/actions/base.py): right
after the offer of notices, such a message is a no to it. The NLU's guess alone never ends a
subscription: a message without a word about the notices ("rồi sao nữa") is not understood.
"""

from __future__ import annotations

from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.base import CitizenAction
from bot.actions.context import message_text
from bot.actions.dossier import ActionNotUnderstood
from bot.actions.notify import speaks_of_notices, unsubscribe


class ActionUnsubscribeUpdates(CitizenAction):
    def name(self) -> Text:
        return "action_unsubscribe_updates"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if speaks_of_notices(message_text(tracker)):
            return await unsubscribe(dispatcher, tracker)
        return await ActionNotUnderstood().respond(dispatcher, tracker)
