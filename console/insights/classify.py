"""Rasa's events → turns: one per citizen message, with what the assistant did with it. Pure.

A turn is a `user` event and the events of the same sender after it, up to the `action_listen`
that ends Rasa's answer (or the sender's next message). Its outcome is the highest-priority mark
among its bot messages (`metadata.motcua`, added by bot/actions/outcome.py), else what the action
names say (`action_default_fallback`, `action_not_understood`, `utter_*` domain responses), else
the intent (`nlu_fallback`), else "other". A reply to the satisfaction prompt is "rating" whatever
action took it ("tốt" may reach `action_not_understood`: it is not an unanswered question), and
carries the rating to keep (console/insights/ratings.py).

Rasa may save a conversation between a message and its answer (a batch may end there too): a turn
with no `action_listen` yet is *held* — its rows stay for the next batch — unless it is older than
the grace time and nothing more can come in this read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from connectors.masking import mask
from console.insights.ratings import Rating, rating_of
from console.insights.tables import DOSSIER_OUTCOMES, OUTCOMES, TEXT_CHARS
from console.insights.textkey import text_key
from motcua.settings import VIETNAM

UTC = dt.timezone.utc
RANK = {outcome: rank for rank, outcome in enumerate(OUTCOMES)}  # 0 is the highest priority

# Rasa's own actions and the domain responses (sent without an action of ours).
ACTION_OUTCOMES = {
    "action_default_fallback": "fallback",
    "action_two_stage_fallback": "fallback",
    "action_not_understood": "not_understood",
}
UTTER_OUTCOMES = {
    "utter_default": "fallback",
    "utter_out_of_scope": "out_of_scope",
    "utter_human": "handoff",
    "utter_goodbye": "smalltalk",
    "utter_thanks": "smalltalk",
    "utter_iamabot": "smalltalk",
    "utter_greet": "smalltalk",
}
INTENT_OUTCOMES = {
    "nlu_fallback": "fallback",
    "out_of_scope": "out_of_scope",
    "greet": "smalltalk",
    "goodbye": "smalltalk",
    "thanks": "smalltalk",
    "bot_challenge": "smalltalk",
}

Row = Tuple[int, Optional[str], str]  # (events.id, events.sender_id, events.data)


@dataclass(frozen=True)
class Turn:
    at: dt.datetime
    day: dt.date
    channel: str
    conversation: str
    intent: Optional[str]
    text: str
    text_key: str
    outcome: str
    procedure_id: Optional[str] = None
    aspect: Optional[str] = None
    dossier_outcome: Optional[str] = None
    rating: Optional[Rating] = None  # what a reply to the satisfaction prompt said (not a column)

    def row(self) -> Dict[str, Any]:
        """The row of `insight_turns`."""
        found = asdict(self)
        del found["rating"]
        return found


@dataclass
class Sorted:
    """What a read of the events gives: the turns, the rows consumed, the rows held for later."""

    turns: List[Turn] = field(default_factory=list)
    consumed: List[int] = field(default_factory=list)
    held: List[int] = field(default_factory=list)
    unreadable: int = 0


def conversation_key(secret: bytes, sender_id: str) -> str:
    """The conversation as the insights know it: an HMAC of the sender id, never the id."""
    return hmac.new(secret, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()


def _text(value: Any, limit: int) -> Optional[str]:
    return value[:limit] if isinstance(value, str) and value else None


def _mark_of(event: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The outcome an event says, as a mark {"outcome", "procedure", "aspect", "dossier"}."""
    kind = event.get("event")
    if kind == "bot":
        metadata = event.get("metadata") or {}
        mark = metadata.get("motcua")
        if isinstance(mark, dict) and mark.get("outcome") in RANK:
            return mark
        utter = metadata.get("utter_action")
        return {"outcome": UTTER_OUTCOMES[utter]} if utter in UTTER_OUTCOMES else None
    if kind == "action":
        name = event.get("name")
        if name in ACTION_OUTCOMES:
            return {"outcome": ACTION_OUTCOMES[name]}
        if name in UTTER_OUTCOMES:
            return {"outcome": UTTER_OUTCOMES[name]}
    return None


def outcome_of(intent: Optional[str], following: Iterable[Dict[str, Any]]) -> Dict[str, Optional[str]]:
    """outcome, procedure_id, aspect and dossier_outcome of a turn from the events after its message."""
    marks = [m for m in (_mark_of(e) for e in following) if m is not None]
    if not marks:
        return {"outcome": INTENT_OUTCOMES.get(intent or "", "other")}
    best = min(marks, key=lambda m: RANK[m["outcome"]])
    dossier = next((m.get("dossier") for m in [best, *marks] if m.get("dossier") in DOSSIER_OUTCOMES), None)
    return {
        "outcome": best["outcome"],
        "procedure_id": _text(best.get("procedure"), 128),
        "aspect": _text(best.get("aspect"), 16),
        "dossier_outcome": dossier,
    }


def turn_of(user: Dict[str, Any], following: Sequence[Dict[str, Any]], secret: bytes, now: dt.datetime) -> Turn:
    parse_data = user.get("parse_data") or {}
    intent = _text((parse_data.get("intent") or {}).get("name"), 64)
    stamp = user.get("timestamp")
    at = dt.datetime.fromtimestamp(stamp, UTC) if isinstance(stamp, (int, float)) else now
    text = mask(user.get("text") or "")[:TEXT_CHARS]  # masked by the broker already: this is the backstop
    return Turn(
        at=at,
        day=at.astimezone(VIETNAM).date(),
        channel=_text(user.get("input_channel"), 32) or "other",
        conversation=conversation_key(secret, str(user.get("sender_id") or "")),
        intent=intent,
        text=text,
        text_key=text_key(text),
        **outcome_of(intent, following),  # type: ignore[arg-type]
        rating=rating_of(following),
    )


def _ends_turn(event: Dict[str, Any]) -> bool:
    return event.get("event") == "action" and event.get("name") == "action_listen"


def sort_events(
    rows: Sequence[Row], secret: bytes, now: dt.datetime, *, more_may_follow: bool, grace: dt.timedelta
) -> Sorted:
    """Turns from `rows` (ordered by id). An unfinished turn at the end of a sender's rows is held
    when `more_may_follow` (the read was full) or while it is younger than `grace`."""
    result = Sorted()
    by_sender: Dict[str, List[Tuple[int, Dict[str, Any]]]] = {}
    for row_id, sender, data in rows:
        try:
            event = json.loads(data)
        except (TypeError, ValueError):
            event = None
        if not isinstance(event, dict):
            result.unreadable += 1
            result.consumed.append(row_id)
            continue
        event.setdefault("sender_id", sender)
        by_sender.setdefault(str(sender), []).append((row_id, event))
    for events in by_sender.values():
        user: Optional[Dict[str, Any]] = None
        ids: List[int] = []
        following: List[Dict[str, Any]] = []
        for row_id, event in events:
            if event.get("event") == "user":
                if user is not None:
                    result.turns.append(turn_of(user, following, secret, now))
                    result.consumed.extend(ids)
                user, ids, following = event, [row_id], []
            elif user is None:
                result.consumed.append(row_id)  # not part of a turn: session start, a helper's message
            else:
                ids.append(row_id)
                following.append(event)
                if _ends_turn(event):
                    result.turns.append(turn_of(user, following, secret, now))
                    result.consumed.extend(ids)
                    user, ids, following = None, [], []
        if user is not None:
            stamp = user.get("timestamp")
            young = isinstance(stamp, (int, float)) and now.timestamp() - stamp < grace.total_seconds()
            if more_may_follow or young:
                result.held.extend(ids)
            else:
                result.turns.append(turn_of(user, following, secret, now))
                result.consumed.extend(ids)
    result.turns.sort(key=lambda t: t.at)
    return result
