"""Short replies that continue the conversation: yes, no (or a correction), a number picked
from a list, and the citizen's province. Each reads an awaited dossier input first ("5678" after
"nhắn 4 số cuối" may read as a number picked from a list): bot.actions.base."""

from __future__ import annotations

import re
from typing import List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import messages as msg
from bot.actions.answers import (
    answer,
    answer_question,
    correction_of,
    plain_procedure_question,
    province_of,
    resolve_procedure,
)
from bot.actions.base import CitizenAction
from bot.actions.context import (
    SLOT_LAST_ASPECT,
    SLOT_OFFERED,
    SLOT_PENDING_ASPECT,
    SLOT_PROCEDURE,
    SLOT_PROVINCE,
    SLOT_SUGGESTED,
    load_kb,
    message_text,
)
from bot.actions.outcome import mark
from procedures_kb.answers import Aspect
from procedures_kb.text import fold

ORDINALS = {"mot": 1, "nhat": 1, "dau": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5}
_NUMBER_RE = re.compile(r"\b(\d{1,2})\b")


def chosen_number(text: str) -> Optional[int]:
    """1 for "1", "số 1", "cái đầu tiên", "thứ nhất"; 2 for "cái thứ hai"…"""
    folded = fold(text)
    digits = _NUMBER_RE.search(folded)
    if digits:
        return int(digits.group(1))
    for word in folded.split():
        if word in ORDINALS:
            return ORDINALS[word]
    return None


def _aspect(tracker: Tracker) -> Aspect:
    for slot in (SLOT_PENDING_ASPECT, SLOT_LAST_ASPECT):
        value = tracker.get_slot(slot)
        if value in Aspect.__members__:
            return Aspect(value)
    return Aspect.overview


class ActionAffirm(CitizenAction):
    """ "Đúng" after "Có phải bạn hỏi về …?" answers the pending question for that procedure."""

    def name(self) -> Text:
        return "action_affirm"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        suggested = tracker.get_slot(SLOT_SUGGESTED)
        if not suggested:
            dispatcher.utter_message(text=msg.AFFIRM_NOTHING_PENDING, motcua=mark("other"))
            return []
        kb = await load_kb(dispatcher)
        if kb is None:
            return []
        if suggested not in kb:
            dispatcher.utter_message(text=msg.AFTER_DENY, motcua=mark("clarified"))
            return [SlotSet(SLOT_SUGGESTED, None)]
        return answer(dispatcher, kb, kb.get(suggested), _aspect(tracker), province_of(kb, tracker))


class ActionDeny(CitizenAction):
    """ "Không phải, ý tôi là tạm trú" answers the same question for tạm trú; a plain "không"
    after a suggestion drops it and asks for the procedure's name."""

    def name(self) -> Text:
        return "action_deny"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        kb = await load_kb(dispatcher)
        if kb is None:
            return []
        text = message_text(tracker)
        named = resolve_procedure(kb, text, None, None).procedure  # what the message names, past the denial
        if named is not None:
            return answer(dispatcher, kb, named, _aspect(tracker), province_of(kb, tracker))
        # "không phải, tôi cần làm lại vì mất": the sibling named by what differs, or by age
        found = correction_of(kb, text, tracker.get_slot(SLOT_PROCEDURE))
        if found is not None:
            return answer(dispatcher, kb, found, _aspect(tracker), province_of(kb, tracker))
        if tracker.get_slot(SLOT_SUGGESTED):
            dispatcher.utter_message(text=msg.AFTER_DENY, motcua=mark("clarified"))
            return [SlotSet(SLOT_SUGGESTED, None)]
        dispatcher.utter_message(text=msg.DENY_NOTHING_PENDING, motcua=mark("other"))
        return []


class ActionChooseOption(CitizenAction):
    """A number typed where buttons cannot be tapped ("2") picks from the list just offered."""

    def name(self) -> Text:
        return "action_choose_option"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        offered = tracker.get_slot(SLOT_OFFERED) or []
        if not offered:
            dispatcher.utter_message(text=msg.NOTHING_TO_CHOOSE, motcua=mark("other"))
            return []
        number = chosen_number(message_text(tracker))
        if number is None or not 1 <= number <= len(offered):
            dispatcher.utter_message(text=msg.CHOOSE_OUT_OF_RANGE.format(count=len(offered)), motcua=mark("clarified"))
            return []
        kb = await load_kb(dispatcher)
        if kb is None:
            return []
        procedure_id = offered[number - 1]
        if procedure_id not in kb:
            dispatcher.utter_message(text=msg.NOTHING_TO_CHOOSE, motcua=mark("other"))
            return [SlotSet(SLOT_OFFERED, None)]
        return answer(dispatcher, kb, kb.get(procedure_id), _aspect(tracker), province_of(kb, tracker))


class ActionProvideProvince(CitizenAction):
    """ "Ở Nghệ An" remembers the province and, mid-conversation, answers again with its facts."""

    def name(self) -> Text:
        return "action_provide_province"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        kb = await load_kb(dispatcher)
        if kb is None:
            return []
        province = kb.find_province(message_text(tracker))
        if province is None:
            dispatcher.utter_message(text=msg.PROVINCE_NOT_FOUND, motcua=mark("other"))
            return []
        procedure_id = tracker.get_slot(SLOT_PROCEDURE)
        if procedure_id in kb:
            return answer(dispatcher, kb, kb.get(procedure_id), _aspect(tracker), province.slug)
        # "cô dâu ở Sài Gòn, chú rể ở Hà Nội, đăng ký kết hôn có làm riêng được không": places in a
        # procedure question are not the citizen's province.
        aspect = await plain_procedure_question(dispatcher, tracker)
        if aspect is not None:
            return await answer_question(dispatcher, tracker, aspect)
        dispatcher.utter_message(text=msg.PROVINCE_NOTED.format(province=province.name), motcua=mark("other"))
        return [SlotSet(SLOT_PROVINCE, province.slug)]
