"""Actions that answer questions about a procedure from the knowledge base.

The NLU says *what* is asked (papers, fee, time…); the actions find *which* procedure with the
knowledge-base search (bot/actions/answers.py), remember it in the `procedure` slot for
follow-ups, and ask the citizen when the procedure is unclear instead of guessing.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.answers import answer_question
from bot.actions.base import CitizenAction
from procedures_kb.answers import Aspect


class AnswerAction(CitizenAction):
    """Answer one aspect of the procedure the citizen means."""

    @property
    @abstractmethod
    def aspect(self) -> Aspect: ...

    def name(self) -> Text:
        return f"action_answer_{self.aspect.value}"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        return await answer_question(dispatcher, tracker, self.aspect)


class ActionAnswerDocuments(AnswerAction):
    aspect = Aspect.documents


class ActionAnswerFee(AnswerAction):
    aspect = Aspect.fee


class ActionAnswerTime(AnswerAction):
    aspect = Aspect.time


class ActionAnswerWhere(AnswerAction):
    aspect = Aspect.where


class ActionAnswerSteps(AnswerAction):
    aspect = Aspect.steps


class ActionAnswerOnline(AnswerAction):
    aspect = Aspect.online


class ActionAnswerOverview(AnswerAction):
    aspect = Aspect.overview


class ActionAnswerDeadline(AnswerAction):
    aspect = Aspect.deadline


class ActionAnswerPresence(AnswerAction):
    aspect = Aspect.presence


class ActionAnswerConditions(AnswerAction):
    aspect = Aspect.conditions


class ActionAnswerForm(AnswerAction):
    aspect = Aspect.form


class ActionAnswerResult(AnswerAction):
    aspect = Aspect.result
