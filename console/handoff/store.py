"""The handoff queue's one async interface, whatever holds it (memory, Redis or SQL).

The public methods check their arguments here, once, and call the backend's primitives (the
`_`-prefixed abstract methods), which each do their change atomically: of two helpers claiming at
once exactly one wins, a conversation has at most one open handoff, and a handoff is missed once,
however many console processes share the backend.
"""

from __future__ import annotations

import abc
import logging
import math
import statistics
from datetime import datetime, timedelta
from typing import Callable, Iterable, List, Optional, Tuple, Union

from console.handoff.errors import HandoffError, InvalidInput, NotHolder, WrongState
from console.handoff.model import (
    CLOSED_STATES,
    DEFAULT_CENTRE,
    HELPER_OUTCOMES,
    MAX_COUNTER,
    ClaimResult,
    Handoff,
    Message,
    MessageLike,
    Outcome,
    State,
    as_utc,
    check_centre,
    check_helper,
    check_optional_text,
    make_message,
    new_handoff,
    utcnow,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
DELAY_SAMPLES = 20  # the last claim delays of a centre that the wait estimate uses
FALLBACK_DELAY = timedelta(minutes=3)  # a centre with no claims yet
MAX_HISTORY = 1_000


def _helper_outcome(value: Union[Outcome, str]) -> Outcome:
    """An outcome a helper may choose (`missed` and `cancelled` are the system's)."""
    try:
        outcome: Optional[Outcome] = Outcome(value)
    except ValueError:
        outcome = None
    if outcome is None or outcome not in HELPER_OUTCOMES:
        raise InvalidInput(f"outcome must be one of {', '.join(sorted(o.value for o in HELPER_OUTCOMES))}")
    return outcome


def refusal(handoff_id: str, state: str, holder: Optional[str], helper: str) -> HandoffError:
    """Why `helper` may not transfer or end a handoff: it is not claimed, or someone else has it."""
    if state != State.CLAIMED.value:
        return WrongState(handoff_id, state, (State.CLAIMED.value,))
    return NotHolder(handoff_id, helper, holder)


class HandoffStore(abc.ABC):
    """The queue. `clock` gives the time of requests, claims and ends (tests pass a fake one)."""

    def __init__(self, clock: Clock = utcnow):
        self._clock = clock

    def _now(self) -> datetime:
        return as_utc(self._clock(), "clock()")

    async def request(
        self,
        conversation_id: str,
        channel: str,
        centre: str = DEFAULT_CENTRE,
        procedure_id: Optional[str] = None,
        procedure_name: Optional[str] = None,
        messages: Iterable[MessageLike] = (),
    ) -> Tuple[Handoff, Optional[int]]:
        """Queue the conversation; its open handoff, unchanged, when it has one. Returns the handoff and
        its 1-based place among the waiting of its centre (None when a helper already has it)."""
        handoff = new_handoff(conversation_id, channel, centre, procedure_id, procedure_name, messages, self._now())
        stored = await self._insert_or_get(handoff)
        if stored.id == handoff.id:
            log.info("handoff %s requested (centre %s, %s)", stored.id, stored.centre, stored.channel.value)
        return stored, await self.position(stored.id)

    async def claim(self, handoff_id: str, helper: str) -> ClaimResult:
        """Take a waiting handoff; `won` for exactly one of several helpers claiming at once."""
        result = await self._claim(handoff_id, check_helper(helper), self._now())
        if result.won:
            log.info("handoff %s claimed", handoff_id)
        return result

    async def transfer(self, handoff_id: str, from_helper: str, to_helper: str) -> Handoff:
        """Give a claimed handoff to another helper; only its holder may (`NotHolder`, `WrongState`)."""
        giver, taker = check_helper(from_helper, "from_helper"), check_helper(to_helper, "to_helper")
        if giver == taker:
            raise InvalidInput("a handoff is transferred to another helper")
        handoff = await self._transfer(handoff_id, giver, taker)
        log.info("handoff %s transferred", handoff_id)
        return handoff

    async def end(
        self, handoff_id: str, helper: str, outcome: Union[Outcome, str], counter: Optional[str] = None
    ) -> Handoff:
        """Close a claimed handoff with the helper's outcome; only its holder may (`NotHolder`, `WrongState`)."""
        chosen = _helper_outcome(outcome)
        number = check_optional_text(counter, "counter", MAX_COUNTER)
        if number is not None and chosen is not Outcome.SENT_TO_COUNTER:
            raise InvalidInput("a counter is given only with the outcome sent_to_counter")
        handoff = await self._end(handoff_id, check_helper(helper), chosen, number, self._now())
        log.info("handoff %s ended: %s", handoff_id, chosen.value)
        return handoff

    async def cancel(self, conversation_id: str) -> Optional[Handoff]:
        """The citizen gave up ("hủy", "thôi"): their open handoff is cancelled and returned; None when none is open."""
        handoff = await self._cancel(conversation_id, self._now())
        if handoff is not None:
            log.info("handoff %s cancelled by the citizen", handoff.id)
        return handoff

    async def expire(self, now: datetime, claim_timeout: timedelta) -> List[Handoff]:
        """The handoffs that waited `claim_timeout` or longer, now missed; each is returned by one call only."""
        if not isinstance(claim_timeout, timedelta) or claim_timeout <= timedelta(0):
            raise InvalidInput("claim_timeout must be a positive timedelta")
        now = as_utc(now, "now")
        missed = await self._expire(now, now - claim_timeout)
        for handoff in missed:
            log.info("handoff %s missed (centre %s)", handoff.id, handoff.centre)
        return missed

    async def add_message(
        self, conversation_id: str, role: str, text: str, at: Optional[datetime] = None
    ) -> Optional[Handoff]:
        """Append to the conversation's open handoff (keeping the last 50); None when none is open."""
        message = make_message({"role": role, "text": text, "at": at}, self._now())
        return await self._add_message(conversation_id, message)

    async def estimated_wait(self, centre: str = DEFAULT_CENTRE, position: Optional[int] = None) -> int:
        """Minutes until a helper is likely to claim: the median of the centre's last 20 claim delays
        (3 minutes without any) times `position` (default: the place of a new request), at least 1."""
        if position is None:
            position = await self.waiting_count(check_centre(centre)) + 1
        delays = await self._claim_delays(check_centre(centre), DELAY_SAMPLES)
        median = statistics.median(d.total_seconds() for d in delays) if delays else FALLBACK_DELAY.total_seconds()
        return max(1, math.floor(median * max(position, 1) / 60 + 0.5))

    async def history(self, limit: int = 50, state: Union[State, str, None] = None) -> List[Handoff]:
        """Closed handoffs (ended, missed, cancelled), newest request first; `state` keeps one of them."""
        if not isinstance(limit, int) or not 1 <= limit <= MAX_HISTORY:
            raise InvalidInput(f"limit must be between 1 and {MAX_HISTORY}")
        chosen = None if state is None else State(state)
        if chosen is not None and chosen not in CLOSED_STATES:
            raise InvalidInput("history holds only ended, missed and cancelled handoffs")
        return await self._history(limit, chosen)

    # What each backend provides.

    @abc.abstractmethod
    async def get(self, handoff_id: str) -> Handoff:
        """The handoff with its messages, or `NotFound`."""

    @abc.abstractmethod
    async def open_for(self, conversation_id: str) -> Optional[Handoff]:
        """The conversation's waiting or claimed handoff, if any."""

    @abc.abstractmethod
    async def waiting(self, centre: Optional[str] = None) -> List[Handoff]:
        """The waiting handoffs (of one centre, or all), oldest request first."""

    @abc.abstractmethod
    async def waiting_count(self, centre: Optional[str] = None) -> int:
        """How many wait (in one centre, or all), without loading them."""

    @abc.abstractmethod
    async def claimed_by(self, helper: str) -> List[Handoff]:
        """The handoffs the helper has now, in the order they were claimed."""

    @abc.abstractmethod
    async def messages(self, handoff_id: str) -> List[Message]:
        """The handoff's recent messages, oldest first, or `NotFound`."""

    @abc.abstractmethod
    async def position(self, handoff_id: str) -> Optional[int]:
        """1-based place among the waiting of its centre; None when it is not waiting; `NotFound`."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release what the store opened itself (not an injected client or engine)."""

    @abc.abstractmethod
    async def _insert_or_get(self, handoff: Handoff) -> Handoff: ...

    @abc.abstractmethod
    async def _claim(self, handoff_id: str, helper: str, now: datetime) -> ClaimResult: ...

    @abc.abstractmethod
    async def _transfer(self, handoff_id: str, from_helper: str, to_helper: str) -> Handoff: ...

    @abc.abstractmethod
    async def _end(
        self, handoff_id: str, helper: str, outcome: Outcome, counter: Optional[str], now: datetime
    ) -> Handoff: ...

    @abc.abstractmethod
    async def _cancel(self, conversation_id: str, now: datetime) -> Optional[Handoff]: ...

    @abc.abstractmethod
    async def _expire(self, now: datetime, cutoff: datetime) -> List[Handoff]: ...

    @abc.abstractmethod
    async def _add_message(self, conversation_id: str, message: Message) -> Optional[Handoff]: ...

    @abc.abstractmethod
    async def _claim_delays(self, centre: str, count: int) -> List[timedelta]: ...

    @abc.abstractmethod
    async def _history(self, limit: int, state: Optional[State]) -> List[Handoff]: ...
