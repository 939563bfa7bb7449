"""A person in the same chat: the assistant offers a helper of the service centre (after "cho
tôi gặp người thật", or a second "not understood" in a row), and on yes puts the conversation in
the helper console's queue and pauses itself (Rasa's `pause`): a helper answers in this chat,
on the citizen's own channel. The console resumes the assistant when the helper ends the chat,
when the citizen says "thôi"/"hủy"/"quay lại trợ lý", or when no helper claims it in time.

Without a console (CONSOLE_URL unset), or when it does not answer, the citizen is given the
hotline and the one-stop counter instead, as before.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from bot import messages as msg
from bot.actions.awaiting import Awaited, await_input
from bot.actions.context import SLOT_PROCEDURE, load_kb, message_text
from bot.actions.outcome import Outcome, mark
from bot.handoff_client import MAX_RECENT, ConsoleUnavailable, handoff_client
from procedures_kb.text import fold

_YES = re.compile(r"^\W*(co|vang|da|u|uh|um|ok|oke|okay|dong y|duoc|yes|gap|muon|can|nho|giup)\b")
_NO = re.compile(r"^\W*(khong|ko|k|kg|hong|thoi|khoi|no|chua can|de sau)\b")


def handoff_offered() -> bool:
    """Whether a person can be offered in the chat (a console is configured)."""
    return handoff_client().configured


def offer_person(
    dispatcher: CollectingDispatcher, tracker: Tracker, lead: Optional[str] = None, outcome: Outcome = "handoff"
) -> List[EventType]:
    """Offer a helper in this chat, and await the yes or no (`outcome`: why, for the insights)."""
    dispatcher.utter_message(
        text=f"{lead}\n\n{msg.HANDOFF_OFFER}" if lead else msg.HANDOFF_OFFER,
        buttons=[
            {"title": msg.HANDOFF_YES_BUTTON, "payload": "/affirm"},
            {"title": msg.HANDOFF_NO_BUTTON, "payload": "/deny"},
        ],
        motcua=mark(outcome),
    )
    return [await_input(Awaited.PERSON, tracker)]


def yes_or_no(tracker: Tracker) -> Optional[bool]:
    """Yes (True), no (False) or neither (None) to the offer."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    folded = fold(message_text(tracker))
    if intent == "deny" or _NO.search(folded):
        return False
    if intent == "affirm" or _YES.search(folded):
        return True
    return None


async def answer_offer(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[EventType]]:
    """The citizen's answer to the offer; None when the message is something else (a question,
    which the calling action answers as usual)."""
    said = yes_or_no(tracker)
    if said is None:
        return None
    if not said:
        dispatcher.utter_message(text=msg.HANDOFF_DECLINED, motcua=mark("handoff"))
        return [await_input(None, tracker)]
    return await start_handoff(dispatcher, tracker)


def _recent(tracker: Tracker) -> List[Dict[str, str]]:
    """The conversation's last messages, for the helper who takes it over."""
    recent: List[Dict[str, str]] = []
    for event in tracker.events:
        kind, text = event.get("event"), event.get("text")
        if kind in ("user", "bot") and text:
            recent.append({"role": "citizen" if kind == "user" else "bot", "text": text})
    return recent[-MAX_RECENT:]


async def start_handoff(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Put the conversation in the helpers' queue and pause the assistant; or give the hotline."""
    procedure_id = tracker.get_slot(SLOT_PROCEDURE)
    procedure_name = None
    if procedure_id:
        kb = await load_kb(dispatcher)
        if kb is not None and procedure_id in kb:
            procedure_name = kb.get(procedure_id).title
    try:
        reply = await handoff_client().request(
            tracker.sender_id, tracker.get_latest_input_channel(), procedure_id, procedure_name, _recent(tracker)
        )
    except ConsoleUnavailable:
        dispatcher.utter_message(text=msg.HANDOFF_UNAVAILABLE, motcua=mark("handoff"))
        return [await_input(None, tracker)]
    if reply.state == "closed":
        dispatcher.utter_message(
            text=msg.HANDOFF_CLOSED.format(when=reply.next_opening or msg.HANDOFF_SOON), motcua=mark("handoff")
        )
        return [await_input(None, tracker)]
    if reply.state == "limited":  # asked (and cancelled) too often this hour
        dispatcher.utter_message(text=msg.HANDOFF_LIMITED, motcua=mark("handoff"))
        return [await_input(None, tracker)]
    if reply.state != "waiting":  # the queue is full
        dispatcher.utter_message(text=msg.HANDOFF_FULL, motcua=mark("handoff"))
        return [await_input(None, tracker)]
    wait = (
        msg.HANDOFF_WAIT_MINUTES.format(minutes=reply.wait_minutes) if reply.wait_minutes > 0 else msg.HANDOFF_WAIT_SOON
    )
    dispatcher.utter_message(
        text=msg.HANDOFF_WAITING.format(position=reply.position, wait=wait), motcua=mark("handoff")
    )
    return [await_input(None, tracker), ConversationPaused()]
