"""What the handoff queue holds: a `Handoff` (a citizen's request for a person, from the moment it is
made until a helper ends it, or it is missed or cancelled) and its recent `Message`s.

    waiting ──claim──▶ claimed ──end──▶ ended (answered, sent_to_counter, sent_to_hotline, abusive, citizen_left)
       │                  └──cancel──▶ cancelled
       ├──expire──▶ missed
       └──cancel──▶ cancelled

Times are timezone-aware UTC. Texts are stored as given (capped in size); `masking.mask` hides
phone, ID and dossier numbers where they are shown.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Iterable, List, Mapping, Optional, Tuple, Union

from pydantic import BaseModel, ValidationError, validator

from console.handoff.errors import AlreadyClaimed, InvalidInput, WrongState

DEFAULT_CENTRE = "default"
MAX_MESSAGES = 50  # the recent messages a handoff keeps
MAX_TEXT = 4_000  # characters of one message (Telegram allows 4,096, Zalo 2,000)
MAX_CONVERSATION_ID = 255
MAX_HELPER = 128
MAX_PROCEDURE_ID = 128
MAX_PROCEDURE_NAME = 512
MAX_COUNTER = 16
_CENTRE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Channel(str, Enum):
    TELEGRAM = "telegram"
    ZALO = "zalo"
    WEB = "web"
    REST = "rest"


class State(str, Enum):
    WAITING = "waiting"
    CLAIMED = "claimed"
    ENDED = "ended"
    MISSED = "missed"
    CANCELLED = "cancelled"


OPEN_STATES = (State.WAITING, State.CLAIMED)
CLOSED_STATES = (State.ENDED, State.MISSED, State.CANCELLED)


class Outcome(str, Enum):
    ANSWERED = "answered"
    SENT_TO_COUNTER = "sent_to_counter"
    SENT_TO_HOTLINE = "sent_to_hotline"
    ABUSIVE = "abusive"
    CITIZEN_LEFT = "citizen_left"
    MISSED = "missed"  # set by the system (expire)
    CANCELLED = "cancelled"  # set by the system (the citizen cancelled)


HELPER_OUTCOMES = frozenset(
    {Outcome.ANSWERED, Outcome.SENT_TO_COUNTER, Outcome.SENT_TO_HOTLINE, Outcome.ABUSIVE, Outcome.CITIZEN_LEFT}
)


class Role(str, Enum):
    CITIZEN = "citizen"
    BOT = "bot"
    HELPER = "helper"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime, name: str = "time") -> datetime:
    """`value` in UTC; a naive datetime is refused (its zone would be a guess)."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} must be a timezone-aware datetime")
    return value.astimezone(timezone.utc)


def _utc(value: Optional[datetime]) -> Optional[datetime]:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must be timezone-aware")
    return value.astimezone(timezone.utc)


class Message(BaseModel):
    role: Role
    text: str
    at: datetime

    _at_utc = validator("at", allow_reuse=True)(_utc)

    @validator("text")
    def _capped(cls, value: str) -> str:
        return value[:MAX_TEXT]


class Handoff(BaseModel):
    id: str
    conversation_id: str
    channel: Channel
    centre: str = DEFAULT_CENTRE
    procedure_id: Optional[str] = None
    procedure_name: Optional[str] = None
    state: State = State.WAITING
    requested_at: datetime
    claimed_at: Optional[datetime] = None
    ended_at: Optional[datetime] = None
    helper: Optional[str] = None  # who has it (or had it, once it is over); None while waiting
    outcome: Optional[Outcome] = None
    counter: Optional[str] = None  # the counter the citizen was sent to (outcome sent_to_counter)
    messages: List[Message] = []

    _times_utc = validator("requested_at", "claimed_at", "ended_at", allow_reuse=True)(_utc)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


@dataclass(frozen=True)
class ClaimResult:
    """The outcome of a claim: `won` when this call claimed it; else `handoff` as it is now (whoever
    has it, or its closed state). A second claim by the holder changes nothing and is not `won`."""

    won: bool
    handoff: Handoff

    @property
    def holder(self) -> Optional[str]:
        return self.handoff.helper

    @property
    def state(self) -> State:
        return self.handoff.state

    def check(self) -> Handoff:
        """The claimed handoff, or `AlreadyClaimed` (naming the holder) / `WrongState`."""
        if self.won:
            return self.handoff
        if self.handoff.state is State.CLAIMED:
            raise AlreadyClaimed(self.handoff.id, self.handoff.helper)
        raise WrongState(self.handoff.id, self.handoff.state.value, (State.WAITING.value,))


def new_id() -> str:
    """A short random url-safe id (72 bits)."""
    return secrets.token_urlsafe(9)


def check_text(value: Any, field: str, limit: int) -> str:
    """A one-line name or id: a string, stripped, not empty, at most `limit` characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} must be a non-empty string")
    value = value.strip()
    if len(value) > limit or _CONTROL.search(value):
        raise InvalidInput(f"{field} must be at most {limit} characters on one line")
    return value


def check_optional_text(value: Any, field: str, limit: int) -> Optional[str]:
    return None if value is None else check_text(value, field, limit)


def check_helper(value: Any, field: str = "helper") -> str:
    return check_text(value, field, MAX_HELPER)


def check_centre(value: Any) -> str:
    if not isinstance(value, str) or not _CENTRE.match(value):
        raise InvalidInput("centre must be 1-64 letters, digits, '.', '_' or '-'")
    return value


def check_channel(value: Any) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        raise InvalidInput(f"channel must be one of {', '.join(c.value for c in Channel)}") from None


MessageLike = Union[Message, Mapping[str, Any], Tuple[Any, ...]]


def make_message(item: MessageLike, now: datetime) -> Message:
    """A message from a `Message`, a mapping (role, text, optional at) or a tuple (role, text[, at])."""
    if isinstance(item, Message):
        return item
    try:
        if isinstance(item, (tuple, list)):
            role, text, at = (*item, None)[:3] if len(item) in (2, 3) else (None, None, None)
        else:
            role, text, at = item.get("role"), item.get("text"), item.get("at")
        return Message(role=role, text=text, at=at or now)
    except (ValidationError, AttributeError) as exc:
        raise InvalidInput("a message needs role (citizen, bot, helper), text and an aware time") from exc


def new_handoff(
    conversation_id: str,
    channel: str,
    centre: str,
    procedure_id: Optional[str],
    procedure_name: Optional[str],
    messages: Iterable[MessageLike],
    now: datetime,
) -> Handoff:
    """A new waiting handoff, every field checked."""
    recent = [make_message(item, now) for item in messages][-MAX_MESSAGES:]
    return Handoff(
        id=new_id(),
        conversation_id=check_text(conversation_id, "conversation_id", MAX_CONVERSATION_ID),
        channel=check_channel(channel),
        centre=check_centre(centre),
        procedure_id=check_optional_text(procedure_id, "procedure_id", MAX_PROCEDURE_ID),
        procedure_name=check_optional_text(procedure_name, "procedure_name", MAX_PROCEDURE_NAME),
        state=State.WAITING,
        requested_at=as_utc(now, "now"),
        messages=recent,
    )
