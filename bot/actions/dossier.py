"""Actions about a dossier (hồ sơ), and the fixed replies that still read an awaited dossier
input. The lookup itself is bot/actions/dossier_flow.py.

"Hồ sơ" also means the papers to file, so the NLU sometimes reads "nộp hồ sơ ở đâu" (where to
file) as a status question. A message with no sign of a lookup (no code, no "đến đâu", "xong
chưa", "tình trạng"…) that asks where/what/how much/how long is answered as that question
about the procedure instead.
"""

from __future__ import annotations

import re
from typing import List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot import messages as msg
from bot.actions.answers import answer, answer_question, correction_of, plain_procedure_question, province_of
from bot.actions.awaiting import Awaited, await_input
from bot.actions.base import CitizenAction
from bot.actions.context import asked_in, asks_if_bot, is_switch, load_kb, message_text
from bot.actions.dossier_flow import look_up
from bot.actions.handoff import handoff_offered, offer_person
from bot.actions.outcome import Outcome, mark
from dossiers.codes import EXAMPLE, find_code, looks_like_code
from procedures_kb import KnowledgeBase, Procedure
from procedures_kb.answers import Aspect
from procedures_kb.search import age_in
from procedures_kb.text import fold

# A dossier code, or words of a status lookup (folded text).
LOOKUP_RE = re.compile(
    r"\d{3}\W?\d{2}|\d{5}/\d{4}|den dau|xong chua|tinh trang(?! hon nhan)|trang thai|tra cuu|da nop|duoc chua|"
    r"co ket qua chua|ma ho so|ho so cua (toi|em|minh|tui)"
)


def procedure_question(text: str) -> Optional[Aspect]:
    """The procedure question a "hồ sơ" message really asks, or None for a status lookup."""
    folded = fold(text)
    if LOOKUP_RE.search(folded):
        return None
    return asked_in(folded)


class ActionCheckDossierStatus(CitizenAction):
    def name(self) -> Text:
        return "action_check_dossier_status"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        text = message_text(tracker)
        code = find_code(text)
        if code:
            return await look_up(dispatcher, tracker, code)
        aspect = procedure_question(text) or await self._names_a_procedure(dispatcher, text)
        if aspect is not None:
            return await answer_question(dispatcher, tracker, aspect)
        if looks_like_code(text):
            dispatcher.utter_message(
                text=msg.DOSSIER_BAD_CODE.format(example=EXAMPLE), motcua=mark("dossier", dossier="invalid_code")
            )
        else:
            dispatcher.utter_message(
                text=msg.DOSSIER_ASK_CODE.format(example=EXAMPLE), motcua=mark("dossier", dossier="asked_code")
            )
        return [await_input(Awaited.CODE, tracker)]

    @staticmethod
    async def _names_a_procedure(dispatcher: CollectingDispatcher, text: str) -> Optional[Aspect]:
        """A switch ("thế còn giấy xác nhận tình trạng hôn nhân?") or a procedure named with no
        sign of a lookup is a procedure question (the answer keeps the last question asked)."""
        folded = fold(text)
        if LOOKUP_RE.search(folded):
            return None
        if is_switch(folded):
            return Aspect.overview
        kb = await load_kb(dispatcher)
        return Aspect.overview if kb is not None and kb.search(text).match else None


class _FixedReply(CitizenAction):
    """A fixed reply (a domain response), unless the message is the code or digits just asked
    for (which the NLU may read as out of scope or not understood) or plainly a procedure
    question."""

    response = ""
    outcome: Outcome = "other"  # for the insights
    asks_if_bot_too = False  # a question whether the assistant is a machine may be read as this

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        aspect = await plain_procedure_question(dispatcher, tracker)
        if aspect is not None:
            return await answer_question(dispatcher, tracker, aspect)
        corrected = await answer_correction(dispatcher, tracker)
        if corrected is not None:
            return corrected
        if self.asks_if_bot_too and asks_if_bot(fold(message_text(tracker))):
            dispatcher.utter_message(response="utter_iamabot", motcua=mark("smalltalk"))
            return []
        dispatcher.utter_message(response=self.response, motcua=mark(self.outcome))
        return []


async def answer_correction(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[EventType]]:
    """A correction the NLU could not place ("cháu 16 tuổi rồi", "không phải đổi, tôi làm mất
    thẻ"): the last question, answered for the procedure it moves to."""
    last = tracker.get_slot("last_aspect")
    if last not in Aspect.__members__:
        return None
    kb = await load_kb(dispatcher)
    if kb is None:
        return None
    text, current = message_text(tracker), tracker.get_slot("procedure")
    found = correction_of(kb, text, current) or _age_confirmed(kb, text, current)
    if found is None:
        return None
    return answer(dispatcher, kb, found, Aspect(last), province_of(kb, tracker))


def _age_confirmed(kb: KnowledgeBase, text: str, current: Optional[str]) -> Optional[Procedure]:
    """ "con em mới 10 tuổi thôi" after an answer about the under-14 card: a short message that
    only gives an age the procedure discussed admits; the same procedure, answered again."""
    if not current or current not in kb or len(text.split()) > 8:
        return None
    procedure, age = kb.get(current), age_in(text)
    admitted = age is not None and procedure.age_range is not None and procedure.age_range.admits(age)
    return procedure if admitted else None


# A citizen who asks for a person in so many words gets the way to one, whatever else is asked; not
# the officer who does the work ("đưa xe đến cho cán bộ cà số khung", "cán bộ có xuống nhà làm không").
_HUMAN_WORDS = re.compile(
    r"nhan vien|(?<!cho )can bo(?! (co )?(den|xuong|toi|ve|lam|ca|kiem|chup|lay|thu|xem|ky|dong|xac|giai)\b)"
    r"|nguoi that|tong dai|hotline|gap (nguoi|ai)|noi chuyen voi|tu van vien"
)


class ActionRequestHuman(CitizenAction):
    """ "Cho tôi gặp cán bộ": how to reach a person. A procedure question the NLU read as one
    because it speaks of someone doing it for the citizen ("chủ nhà đăng ký tạm trú hộ được
    không") is answered instead. Asked whether the assistant is a machine ("bên kia là người thật
    hay trợ lý ảo"), it says it is first."""

    def name(self) -> Text:
        return "action_request_human"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if not _HUMAN_WORDS.search(fold(message_text(tracker))):
            aspect = await plain_procedure_question(dispatcher, tracker)
            if aspect is not None:
                return await answer_question(dispatcher, tracker, aspect)
        machine = asks_if_bot(fold(message_text(tracker)))
        if handoff_offered():
            return offer_person(dispatcher, tracker, lead=msg.I_AM_AUTOMATED if machine else None)
        dispatcher.utter_message(response="utter_iamabot" if machine else "utter_human", motcua=mark("handoff"))
        return []


class ActionOutOfScope(_FixedReply):
    """Out of scope, unless it asks whether the assistant is a machine in words the NLU took for
    something else ("nghe giống máy quá, bạn là bot đúng không"): the assistant says it is."""

    response = "utter_out_of_scope"
    outcome: Outcome = "out_of_scope"
    asks_if_bot_too = True

    def name(self) -> Text:
        return "action_out_of_scope"


class ActionNotUnderstood(_FixedReply):
    """The low-confidence fallback (it offers the main topics and the hotline). The second in a
    row offers a person in the chat too, when the helper console is there."""

    response = "utter_default"
    outcome: Outcome = "not_understood"
    asks_if_bot_too = True

    def name(self) -> Text:
        return "action_not_understood"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if handoff_offered() and _not_understood_before(tracker):
            aspect = await plain_procedure_question(dispatcher, tracker)
            if aspect is not None:
                return await answer_question(dispatcher, tracker, aspect)
            return offer_person(dispatcher, tracker, lead=msg.NOT_UNDERSTOOD_AGAIN, outcome="not_understood")
        return await super().respond(dispatcher, tracker)


def _not_understood_before(tracker: Tracker) -> bool:
    """Whether the assistant's previous answer (before this message) was also "not understood"."""
    actions = [e.get("name") for e in tracker.events if e.get("event") == "action"]
    answers = [a for a in actions if a and a not in ("action_listen", "action_session_start")]
    return len(answers) >= 1 and answers[-1] == "action_not_understood"


class ActionBotChallenge(_FixedReply):
    """ "Bạn là người hay máy?": the assistant says it is automated. A procedure question the NLU
    read as one because it speaks of a person ("nhờ người khác nộp hộ khai sinh được không", "một
    người đi được không" about the procedure just discussed) is answered instead."""

    response = "utter_iamabot"
    outcome: Outcome = "smalltalk"

    def name(self) -> Text:
        return "action_bot_challenge"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        aspect = await plain_procedure_question(dispatcher, tracker)
        if aspect is None and tracker.get_slot("procedure"):
            aspect = asked_in(fold(message_text(tracker)))  # a follow-up about the procedure discussed
        if aspect is not None:
            return await answer_question(dispatcher, tracker, aspect)
        corrected = await answer_correction(dispatcher, tracker)  # "à ko, mình mất thẻ luôn rồi"
        if corrected is not None:
            return corrected
        dispatcher.utter_message(response=self.response, motcua=mark(self.outcome))
        return []
