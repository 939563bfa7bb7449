"""Where a dossier (hồ sơ) already filed stands, from the province's portal.

Flow: "tra cứu hồ sơ" → the assistant asks for the code (a code in the first message is used
at once) → the status in plain words, the procedure, the masked name and the next step → for
the dates, the supplement request or the reason, the citizen sends the last 4 digits of the
phone on file. Every lookup and every digits attempt counts toward a per-sender limit, so codes
cannot be enumerated; a slow or dead portal gets a clear answer within the deadline.

"Hồ sơ" also means the papers to file, so the NLU sometimes reads "nộp hồ sơ ở đâu" (where to
file) as a status question. A message with no sign of a lookup (no code, no "đến đâu", "xong
chưa", "tình trạng"…) that asks where/what/how much/how long is answered as that question
about the procedure instead.
"""

from __future__ import annotations

import logging
import math
import re
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import messages as msg
from bot.actions.procedures import SLOT_PROCEDURE, SWITCH_RE, answer_question, asked_in, load_kb
from bot.dossier_render import details_reply, has_details, status_reply
from bot.portal import services
from bot.render import Aspect
from connectors.portal.client import redact
from connectors.portal.codes import EXAMPLE, find_code, last_digits, looks_like_code
from connectors.portal.errors import DossierNotFound, PortalError
from connectors.portal.model import Dossier
from procedures_kb.text import fold

log = logging.getLogger(__name__)

SLOT_DOSSIER_CODE = "dossier_code"
# What the assistant waits for, and at which user turn it asked: "code:3", "digits:5".
SLOT_DOSSIER_WAITING = "dossier_waiting"

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


def _user_turn(tracker: Tracker) -> int:
    return sum(1 for event in tracker.events if event.get("event") == "user")


def _waiting(tracker: Tracker) -> Optional[str]:
    """ "code" or "digits" when the assistant asked for it in the previous turn."""
    value = tracker.get_slot(SLOT_DOSSIER_WAITING) or ""
    what, _, turn = value.partition(":")
    if turn.isdigit() and int(turn) == _user_turn(tracker) - 1:
        return what
    return None


def _wait_for(what: Optional[str], tracker: Tracker) -> SlotSet:
    return SlotSet(SLOT_DOSSIER_WAITING, f"{what}:{_user_turn(tracker)}" if what else None)


async def _allowed(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    limiter = services().limiter()
    verdict = await limiter.hit(tracker.sender_id)
    if not verdict.allowed:
        log.info("dossier lookup limit reached for a sender (%d per %.0f s)", limiter.limit, limiter.window)
        dispatcher.utter_message(
            text=msg.DOSSIER_LIMIT.format(
                limit=limiter.limit,
                window=round(limiter.window / 60),
                minutes=max(1, math.ceil(verdict.retry_after / 60)),
                hotline=msg.HOTLINE,
            )
        )
    return verdict.allowed


async def _fetch(dispatcher: CollectingDispatcher, code: str) -> Optional[Dossier]:
    """The dossier, or None after telling the citizen why not."""
    if not services().configured:
        text = msg.DOSSIER_NOT_CONFIGURED.format(portal=msg.OFFICIAL_PORTAL, hotline=msg.HOTLINE)
        dispatcher.utter_message(text=text)
        return None
    try:
        return await services().portal().get_dossier(code)
    except DossierNotFound:
        dispatcher.utter_message(text=msg.DOSSIER_NOT_FOUND.format(code=code, hotline=msg.HOTLINE))
    except PortalError as exc:
        log.warning("dossier lookup for %s failed: %s", redact(code), exc)
        dispatcher.utter_message(text=msg.DOSSIER_BUSY.format(hotline=msg.HOTLINE))
    return None


async def look_up(dispatcher: CollectingDispatcher, tracker: Tracker, code: str) -> List[EventType]:
    """The status of the dossier with this code, then ask for the digits if there is more."""
    if not await _allowed(dispatcher, tracker):
        return [_wait_for(None, tracker)]
    dossier = await _fetch(dispatcher, code)
    if dossier is None:
        return [_wait_for(None, tracker)]
    ask = has_details(dossier) and bool(dossier.phone)
    dispatcher.utter_message(text=status_reply(dossier, services().settings.now(), ask_digits=ask))
    events: List[EventType] = [SlotSet(SLOT_DOSSIER_CODE, code), _wait_for("digits" if ask else None, tracker)]
    procedure_id = await _kb_procedure(dispatcher, dossier)
    if procedure_id:
        events.append(SlotSet(SLOT_PROCEDURE, procedure_id))  # "cần giấy tờ gì?" now means this procedure
    return events


async def verify(dispatcher: CollectingDispatcher, tracker: Tracker, digits: str) -> List[EventType]:
    """The details, for the owner who sent the right last 4 digits of the phone on file."""
    code = tracker.get_slot(SLOT_DOSSIER_CODE)
    if not code:
        dispatcher.utter_message(text=msg.DOSSIER_ASK_CODE.format(example=EXAMPLE))
        return [_wait_for("code", tracker)]
    if not await _allowed(dispatcher, tracker):
        return [_wait_for(None, tracker)]
    dossier = await _fetch(dispatcher, code)
    if dossier is None:
        return [_wait_for(None, tracker)]
    if not dossier.phone_ends_with(digits):
        log.info("wrong phone digits for dossier %s", redact(code))
        dispatcher.utter_message(text=msg.DOSSIER_WRONG_DIGITS)
        return [_wait_for("digits", tracker)]
    procedure_id = await _kb_procedure(dispatcher, dossier)
    kb = await load_kb(dispatcher) if procedure_id else None
    title = kb.get(procedure_id).title if kb is not None and procedure_id else None
    dispatcher.utter_message(text=details_reply(dossier, services().settings.now(), title))
    return [_wait_for(None, tracker)]


async def _kb_procedure(dispatcher: CollectingDispatcher, dossier: Dossier) -> Optional[str]:
    """The knowledge-base procedure of a dossier: by official code, else by name."""
    kb = await load_kb(dispatcher)
    if kb is None:
        return None
    match = kb.search(f"{dossier.procedure_code or ''} {dossier.procedure_name}").match
    return match.procedure_id if match else None


async def awaited_input(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[EventType]]:
    """Handle the code or the digits the assistant asked for in the previous turn, whatever
    intent the NLU gave the message ("5678" may read as a number picked from a list). None when
    the message is not that: the calling action goes on as usual."""
    waiting = _waiting(tracker)
    text = tracker.latest_message.get("text") or ""
    if waiting == "digits":
        digits = last_digits(text)
        if digits and not find_code(text):
            return await verify(dispatcher, tracker, digits)
    if waiting in ("code", "digits"):
        code = find_code(text)
        if code:
            return await look_up(dispatcher, tracker, code)
        if waiting == "code" and looks_like_code(text):
            dispatcher.utter_message(text=msg.DOSSIER_BAD_CODE.format(example=EXAMPLE))
            return [_wait_for("code", tracker)]
    return None


class ActionCheckDossierStatus(Action):
    def name(self) -> Text:
        return "action_check_dossier_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        handled = await awaited_input(dispatcher, tracker)
        if handled is not None:
            return handled
        text = tracker.latest_message.get("text") or ""
        code = find_code(text)
        if code:
            return await look_up(dispatcher, tracker, code)
        aspect = procedure_question(text) or await self._names_a_procedure(dispatcher, text)
        if aspect is not None:
            return await answer_question(dispatcher, tracker, aspect)
        if looks_like_code(text):
            dispatcher.utter_message(text=msg.DOSSIER_BAD_CODE.format(example=EXAMPLE))
        else:
            dispatcher.utter_message(text=msg.DOSSIER_ASK_CODE.format(example=EXAMPLE))
        return [_wait_for("code", tracker)]

    @staticmethod
    async def _names_a_procedure(dispatcher: CollectingDispatcher, text: str) -> Optional[Aspect]:
        """A switch ("thế còn giấy xác nhận tình trạng hôn nhân?") or a procedure named with no
        sign of a lookup is a procedure question (the answer keeps the last question asked)."""
        folded = fold(text)
        if LOOKUP_RE.search(folded):
            return None
        if SWITCH_RE.search(folded):
            return Aspect.overview
        kb = await load_kb(dispatcher)
        return Aspect.overview if kb is not None and kb.search(text).match else None


class _UnlessAwaited(Action, ABC):
    """A fixed reply, unless the message is the code or digits just asked for (which the NLU
    may read as out of scope or not understood)."""

    response = ""

    @abstractmethod
    def name(self) -> Text: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        handled = await awaited_input(dispatcher, tracker)
        if handled is not None:
            return handled
        aspect = await _plain_procedure_question(dispatcher, tracker)
        if aspect is not None:
            return await answer_question(dispatcher, tracker, aspect)
        dispatcher.utter_message(response=self.response)
        return []


async def _plain_procedure_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[Aspect]:
    """A message the NLU could not place that still says, in so many words, what it asks about a
    procedure the knowledge base recognises ("đi thuê nhà thì đăng ký tạm trú ở đâu"), or switches
    procedure after a question ("còn giấy phép xây dựng thì sao?"). Both must hold, so an unrelated
    message never gets a procedure answer."""
    text = tracker.latest_message.get("text") or ""
    folded = fold(text)
    aspect = asked_in(folded)
    if aspect is None and SWITCH_RE.search(folded) and tracker.get_slot("last_aspect"):
        aspect = Aspect.overview  # answer_question keeps the last question for a switch
    if aspect is None:
        return None
    kb = await load_kb(dispatcher)
    return aspect if kb is not None and kb.search(text).match else None


class ActionOutOfScope(_UnlessAwaited):
    response = "utter_out_of_scope"

    def name(self) -> Text:
        return "action_out_of_scope"


class ActionNotUnderstood(_UnlessAwaited):
    """The low-confidence fallback (it offers the main topics and the hotline)."""

    response = "utter_default"

    def name(self) -> Text:
        return "action_not_understood"
