"""The satisfaction rating (in the spirit of SIPAS): 1 to 5 stars and an optional short comment,
asked at most once a session, only at a natural end, never in place of an answer.

When (the actions are in bot/actions/rating_actions.py): the citizen thanks or says goodbye
(`action_thanks`, `action_goodbye`: the domain's `utter_thanks` / `utter_goodbye` first) after at
least one answer in this session (a message marked "answered", or a dossier lookup that told
something); or the console runs `action_ask_rating` through Rasa's HTTP API after a helper's chat
ended with a goodbye (console/handoff_service.py, which sets the slot `handoff_outcome` first).
"This session" is read from the events since the last `session_started` (not from a slot, which a
new session carries over): the prompt's message carries a `rating` mark, so a second prompt is
never made, and a reply is read as the prompt's only while that mark is the session's latest.

The reply (`answer_rating`, called first by every action through `handle_awaited_input`): a score
(bot/actions/rating_parse.py) → thanks and an optional comment; "không"/"bỏ qua" → a short thanks;
anything else → None, so the calling action answers it as usual and the prompt is dropped. After
a score, the next message is the comment unless it declines or is a question. Every message of the
flow carries `mark("rating", rating={…})` (bot/actions/outcome.py): the console's insights store
the score, the comment (masked, capped), the procedure in context, the channel and the helper's
outcome from them (console/insights/ratings.py).
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import rating_text as text
from bot.actions.awaiting import Awaited, await_input
from bot.actions.context import SLOT_PROCEDURE, asked_in, message_text
from bot.actions.outcome import mark
from bot.actions.rating_parse import fold, is_skip, read_rating, words
from bot.knowledge import current_knowledge_base
from connectors.delivery import output_channel_for
from connectors.masking import mask
from dossiers.codes import find_code
from procedures_kb import InvalidKnowledgeBase

log = logging.getLogger(__name__)

SLOT_HANDOFF_OUTCOME = "handoff_outcome"
COMMENT_CHARS = 500
QUESTION_CONFIDENCE = 0.8  # the NLU reads "5/5" as a dossier question with 1.0: only a sure one counts
SMALL_TALK_WORDS = 3
# The stage of the session's latest rating mark that each wait answers.
PROMPT_STAGES = {Awaited.RATING: ("asked",), Awaited.COMMENT: ("rated", "comment_asked")}
# Intents that ask something: a message with one of them (confidently) is a question, not a comment.
QUESTION_INTENTS = frozenset(
    {
        "ask_documents", "ask_fee", "ask_processing_time", "ask_where", "ask_steps", "ask_online", "ask_procedure",
        "ask_deadline", "ask_presence", "ask_conditions", "ask_form", "ask_result", "check_dossier_status",
        "request_human", "unsubscribe_updates", "provide_province",
    }
)  # fmt: skip
# Intents whose own action answers a bare "tạm biệt", "xin chào" better than the comment flow.
OWN_ACTION_INTENTS = frozenset({"greet", "goodbye", "thanks", "bot_challenge"})
_YES_ONLY = re.compile(r"^\W*(co|vang|da|u|uh|ok|oke|okay|dong y|duoc|yes|co a|da co|co chu)\W*$")


# -- this session, from the tracker's events ----------------------------------------------------------
def session_events(tracker: Tracker) -> List[Dict[str, Any]]:
    """The events of the current session, without the slots Rasa carries over into it."""
    events = list(tracker.events)
    start = 0
    for index, event in enumerate(events):
        if event.get("event") == "session_started":
            start = index + 1
    if start:
        while start < len(events) and events[start].get("event") == "slot":
            start += 1
    return events[start:]


def _motcua(event: Dict[str, Any]) -> Dict[str, Any]:
    if event.get("event") != "bot":
        return {}
    found = (event.get("metadata") or {}).get("motcua")
    return found if isinstance(found, dict) else {}


def rating_marks(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The rating marks of the assistant's messages among `events`, oldest first."""
    return [m["rating"] for m in map(_motcua, events) if isinstance(m.get("rating"), dict)]


def answered(events: List[Dict[str, Any]]) -> bool:
    """Did the assistant answer something among `events` (not only ask for a dossier code)?"""
    for found in map(_motcua, events):
        if found.get("outcome") == "answered":
            return True
        if found.get("outcome") == "dossier" and found.get("dossier") != "asked_code":
            return True
    return False


def helper_outcome(events: List[Dict[str, Any]]) -> Optional[str]:
    """How a helper's chat of this session ended (the console sets the slot), or None."""
    found = None
    for event in events:
        if event.get("event") == "slot" and event.get("name") == SLOT_HANDOFF_OUTCOME:
            found = event.get("value")
    return str(found)[:32] if found else None


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or output_channel_for(tracker.sender_id)


def _rating(tracker: Tracker, stage: str, prompt: Dict[str, Any], **values: Any) -> Dict[str, Any]:
    procedure = tracker.get_slot(SLOT_PROCEDURE)
    return {
        "stage": stage,
        "id": prompt.get("id"),
        "score": values.get("score", prompt.get("score")),
        "comment": values.get("comment"),
        "procedure": procedure if isinstance(procedure, str) else prompt.get("procedure"),
        "channel": channel_of(tracker),
        "helper_outcome": helper_outcome(session_events(tracker)),
    }


# -- asking -------------------------------------------------------------------------------------------
def ask(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """The prompt with its buttons, and the wait for the answer."""
    prompt = {"id": uuid.uuid4().hex[:16]}
    rating = _rating(tracker, "asked", prompt)
    dispatcher.utter_message(text=text.PROMPT, buttons=text.BUTTONS, motcua=mark("smalltalk", rating=rating))
    return [await_input(Awaited.RATING, tracker)]


def should_ask(tracker: Tracker, after_answer: bool = True) -> bool:
    """Not asked yet this session (and, at a thanks or goodbye, something was answered)."""
    events = session_events(tracker)
    if rating_marks(events):
        return False
    return answered(events) or not after_answer


# -- the answer ---------------------------------------------------------------------------------------
async def _names_procedure(message: str) -> bool:
    try:
        kb = await current_knowledge_base()
    except InvalidKnowledgeBase:
        return False
    return kb.search(message).match is not None


async def is_question(tracker: Tracker, message: str) -> bool:
    """Is the message a new question rather than a comment? A dossier code, a question intent the
    NLU is sure of, a question in so many words ("cần giấy tờ gì", "bao lâu"), or a procedure's name
    with a question mark."""
    intent = tracker.latest_message.get("intent") or {}
    if find_code(message):
        return True
    if intent.get("name") in QUESTION_INTENTS and float(intent.get("confidence") or 0) >= QUESTION_CONFIDENCE:
        return True
    if asked_in(fold(message)) is not None:
        return True
    return "?" in message and await _names_procedure(message)


def _small_talk(intent: Optional[str], message: str) -> bool:
    """A bare "cảm ơn", "tạm biệt", "xin chào" (its own action answers it), not a comment that
    starts with thanks ("cảm ơn, bot rất hữu ích") nor a judgement ("rất tốt", which the NLU may
    read as a goodbye)."""
    if intent not in OWN_ACTION_INTENTS or read_rating(message) is not None:
        return False
    return not words(message) or len(message.split()) <= SMALL_TALK_WORDS


def _prompt(tracker: Tracker) -> Dict[str, Any]:
    """The latest rating mark of this session (the prompt, or the score that asked for a comment)."""
    marks = rating_marks(session_events(tracker))
    return marks[-1] if marks else {}


async def answer_rating(
    dispatcher: CollectingDispatcher, tracker: Tracker, waiting: Awaited
) -> Optional[List[EventType]]:
    """The citizen's reply to the prompt (RATING) or to the request for a comment (COMMENT); None
    when it is something else, which the calling action then answers as usual."""
    message = message_text(tracker)
    prompt = _prompt(tracker)
    if prompt.get("stage") not in PROMPT_STAGES.get(waiting, ()):
        return None  # a wait carried over into a new session (Rasa carries the slots): not this prompt's reply
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if waiting is Awaited.RATING:
        score = read_rating(message)
        if score is not None:
            reply = (text.RATED_GOOD if score >= 4 else text.RATED_POOR).format(score=score)
            rating = _rating(tracker, "rated", prompt, score=score)
            dispatcher.utter_message(text=reply, buttons=text.COMMENT_BUTTONS, motcua=mark("rating", rating=rating))
            log.info("rating: %d stars", score)
            return [await_input(Awaited.COMMENT, tracker)]
        if is_skip(message):
            rating = _rating(tracker, "skipped", prompt, score=None)
            dispatcher.utter_message(text=text.SKIPPED, motcua=mark("rating", rating=rating))
            return [await_input(None, tracker)]
        return None
    if is_skip(message):
        dispatcher.utter_message(text=text.NO_COMMENT, motcua=mark("rating", rating=_rating(tracker, "done", prompt)))
        return [await_input(None, tracker)]
    if _small_talk(intent, message) or await is_question(tracker, message):
        return None
    if _YES_ONLY.match(fold(message)):  # "có": they want to say something
        rating = _rating(tracker, "comment_asked", prompt)
        dispatcher.utter_message(
            text=text.ASK_COMMENT_TEXT, buttons=text.COMMENT_BUTTONS, motcua=mark("rating", rating=rating)
        )
        return [await_input(Awaited.COMMENT, tracker)]
    comment = " ".join(mask(message).split())[:COMMENT_CHARS]
    rating = _rating(tracker, "commented", prompt, comment=comment)
    dispatcher.utter_message(text=text.COMMENTED, motcua=mark("rating", rating=rating))
    log.info("rating: a comment of %d characters", len(comment))
    return [await_input(None, tracker)]
