"""The input the assistant awaits: after "gửi mã hồ sơ" the next message is read as the code,
after "nhắn 4 số cuối" as the phone digits, whatever intent the NLU gives it ("5678" may read as
a number picked from a list). The wait lasts one turn.

This is the dialogue's one piece of state besides the slots of the procedure: it is set by the
dossier flow (`await_input`) and read, before anything else, by every action
(`bot.actions.base.CitizenAction`), so no action has to remember it. It is kept in the
`dossier_waiting` slot as "<what>:<the user turn it was asked at>".
"""

from __future__ import annotations

import enum
from typing import Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

SLOT_AWAITED = "dossier_waiting"


class Awaited(enum.Enum):
    CODE = "code"  # a dossier code
    DIGITS = "digits"  # the last 4 digits of the phone on file
    PERSON = "person"  # yes or no to the offer of a helper in the chat (bot/actions/handoff.py)
    RATING = "rating"  # a rating of 1-5, or "không" (bot/actions/rating.py)
    COMMENT = "comment"  # the optional comment after a rating (bot/actions/rating.py)
    SUBSCRIBE = "subscribe"  # yes or no to notifications of a dossier's changes (bot/actions/notify.py)


def user_turn(tracker: Tracker) -> int:
    return sum(1 for event in tracker.events if event.get("event") == "user")


def awaited(tracker: Tracker) -> Optional[Awaited]:
    """What the assistant asked for in the previous turn, if anything."""
    what, _, turn = (tracker.get_slot(SLOT_AWAITED) or "").partition(":")
    if turn.isdigit() and int(turn) == user_turn(tracker) - 1 and what in {a.value for a in Awaited}:
        return Awaited(what)
    return None


def await_input(what: Optional[Awaited], tracker: Tracker) -> SlotSet:
    """Await `what` in the next message (None: nothing)."""
    return SlotSet(SLOT_AWAITED, f"{what.value}:{user_turn(tracker)}" if what else None)
