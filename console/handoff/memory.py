"""The queue in this process's memory: the embedded default (one console process) and the tests.

One `asyncio.Lock` makes every change atomic. Callers get copies, never the stored records. The
oldest closed handoffs are forgotten past `max_closed`, so a long run does not grow without end.
"""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import datetime, timedelta
from typing import Deque, Dict, List, Optional

from console.handoff.errors import NotFound
from console.handoff.model import (
    MAX_MESSAGES,
    OPEN_STATES,
    ClaimResult,
    Handoff,
    Message,
    Outcome,
    State,
    utcnow,
)
from console.handoff.store import DELAY_SAMPLES, Clock, HandoffStore, refusal

MAX_CLOSED = 10_000


class MemoryHandoffStore(HandoffStore):
    def __init__(self, clock: Clock = utcnow, max_closed: int = MAX_CLOSED):
        super().__init__(clock)
        self._lock = asyncio.Lock()
        self._handoffs: Dict[str, Handoff] = {}
        self._open: Dict[str, str] = {}  # conversation id -> its open handoff's id
        self._delays: Dict[str, Deque[timedelta]] = {}
        self._closed: Deque[str] = deque()
        self._max_closed = max_closed

    def _find(self, handoff_id: str) -> Handoff:
        try:
            return self._handoffs[handoff_id]
        except KeyError:
            raise NotFound(handoff_id) from None

    def _close(self, handoff: Handoff, **changes: object) -> Handoff:
        closed = handoff.copy(update=changes)
        self._handoffs[closed.id] = closed
        if self._open.get(closed.conversation_id) == closed.id:
            del self._open[closed.conversation_id]
        self._closed.append(closed.id)
        while len(self._closed) > self._max_closed:
            self._handoffs.pop(self._closed.popleft(), None)
        return closed.copy(deep=True)

    async def get(self, handoff_id: str) -> Handoff:
        async with self._lock:
            return self._find(handoff_id).copy(deep=True)

    async def open_for(self, conversation_id: str) -> Optional[Handoff]:
        async with self._lock:
            handoff_id = self._open.get(conversation_id)
            return self._handoffs[handoff_id].copy(deep=True) if handoff_id else None

    async def waiting(self, centre: Optional[str] = None) -> List[Handoff]:
        async with self._lock:
            found = [
                h
                for h in self._handoffs.values()
                if h.state is State.WAITING and (centre is None or h.centre == centre)
            ]
            return [h.copy(deep=True) for h in sorted(found, key=lambda h: (h.requested_at, h.id))]

    async def claimed_by(self, helper: str) -> List[Handoff]:
        async with self._lock:
            found = [h for h in self._handoffs.values() if h.state is State.CLAIMED and h.helper == helper]
            return [h.copy(deep=True) for h in sorted(found, key=lambda h: (h.claimed_at, h.id))]

    async def messages(self, handoff_id: str) -> List[Message]:
        async with self._lock:
            return list(self._find(handoff_id).messages)

    async def position(self, handoff_id: str) -> Optional[int]:
        async with self._lock:
            mine = self._find(handoff_id)
            if mine.state is not State.WAITING:
                return None
            key = (mine.requested_at, mine.id)
            ahead = sum(
                1
                for h in self._handoffs.values()
                if h.state is State.WAITING and h.centre == mine.centre and (h.requested_at, h.id) < key
            )
            return ahead + 1

    async def close(self) -> None:
        return None

    async def _insert_or_get(self, handoff: Handoff) -> Handoff:
        async with self._lock:
            existing = self._open.get(handoff.conversation_id)
            if existing is not None:
                return self._handoffs[existing].copy(deep=True)
            self._handoffs[handoff.id] = handoff.copy(deep=True)
            self._open[handoff.conversation_id] = handoff.id
            return handoff.copy(deep=True)

    async def _claim(self, handoff_id: str, helper: str, now: datetime) -> ClaimResult:
        async with self._lock:
            handoff = self._find(handoff_id)
            if handoff.state is not State.WAITING:
                return ClaimResult(False, handoff.copy(deep=True))
            claimed = handoff.copy(update={"state": State.CLAIMED, "helper": helper, "claimed_at": now})
            self._handoffs[handoff_id] = claimed
            self._delays.setdefault(claimed.centre, deque(maxlen=DELAY_SAMPLES)).append(now - claimed.requested_at)
            return ClaimResult(True, claimed.copy(deep=True))

    async def _transfer(self, handoff_id: str, from_helper: str, to_helper: str) -> Handoff:
        async with self._lock:
            handoff = self._find(handoff_id)
            if handoff.state is not State.CLAIMED or handoff.helper != from_helper:
                raise refusal(handoff_id, handoff.state.value, handoff.helper, from_helper)
            moved = handoff.copy(update={"helper": to_helper})
            self._handoffs[handoff_id] = moved
            return moved.copy(deep=True)

    async def _end(
        self, handoff_id: str, helper: str, outcome: Outcome, counter: Optional[str], now: datetime
    ) -> Handoff:
        async with self._lock:
            handoff = self._find(handoff_id)
            if handoff.state is not State.CLAIMED or handoff.helper != helper:
                raise refusal(handoff_id, handoff.state.value, handoff.helper, helper)
            return self._close(handoff, state=State.ENDED, outcome=outcome, counter=counter, ended_at=now)

    async def _cancel(self, conversation_id: str, now: datetime) -> Optional[Handoff]:
        async with self._lock:
            handoff_id = self._open.get(conversation_id)
            if handoff_id is None:
                return None
            handoff = self._handoffs[handoff_id]
            return self._close(handoff, state=State.CANCELLED, outcome=Outcome.CANCELLED, ended_at=now)

    async def _expire(self, now: datetime, cutoff: datetime) -> List[Handoff]:
        async with self._lock:
            due = [h for h in self._handoffs.values() if h.state is State.WAITING and h.requested_at <= cutoff]
            due.sort(key=lambda h: (h.requested_at, h.id))
            return [self._close(h, state=State.MISSED, outcome=Outcome.MISSED, ended_at=now) for h in due]

    async def _add_message(self, conversation_id: str, message: Message) -> Optional[Handoff]:
        async with self._lock:
            handoff_id = self._open.get(conversation_id)
            if handoff_id is None:
                return None
            handoff = self._handoffs[handoff_id]
            updated = handoff.copy(update={"messages": [*handoff.messages, message][-MAX_MESSAGES:]})
            self._handoffs[handoff_id] = updated
            return updated.copy(deep=True)

    async def waiting_count(self, centre: Optional[str] = None) -> int:
        async with self._lock:
            return sum(1 for h in self._handoffs.values() if h.state is State.WAITING and centre in (None, h.centre))

    async def _claim_delays(self, centre: str, count: int) -> List[timedelta]:
        async with self._lock:
            return list(self._delays.get(centre, ()))[-count:]

    async def _history(self, limit: int, state: Optional[State]) -> List[Handoff]:
        async with self._lock:
            found = [
                h for h in self._handoffs.values() if h.state not in OPEN_STATES and (state is None or h.state is state)
            ]
            found.sort(key=lambda h: (h.requested_at, h.id), reverse=True)
            return [h.copy(deep=True) for h in found[:limit]]
