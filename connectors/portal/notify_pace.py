"""The pace of notices to Telegram, in this process: at most `per_second` messages a second in all
(Telegram's broadcast limit is about 30) and one a `chat_seconds` to the same chat (about 1), and
nothing at all while Telegram has asked to wait (a 429's `retry_after`).

`turn(chat)` reserves the next free moment for the chat and sleeps until it; when that moment is
more than `max_wait` away (a long queue, a cooldown) nothing is reserved and the wait is returned,
for the caller to try again later instead of holding a task that long.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Awaitable, Callable, Dict, Optional, Set, Tuple

PRUNE_AT = 10_000  # chats (and slots) remembered before the ones past are forgotten


class Pacer:
    def __init__(
        self,
        per_second: float = 30.0,
        chat_seconds: float = 1.0,
        max_wait: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.per_second = per_second
        self.spacing = 1.0 / per_second
        self.chat_seconds = chat_seconds
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        # Time is cut in slots of 1/per_second s, each holding one message: a send takes the first
        # free slot from the chat's next moment on (an earlier free slot still serves another chat).
        self._taken: Set[int] = set()
        self._next_chat: Dict[str, float] = {}
        self._cool_until = 0.0

    def _earliest(self, chat: str, now: float) -> Tuple[float, int]:
        """The chat's next moment and the slot it would take."""
        at = max(now, self._next_chat.get(chat, 0.0), self._cool_until)
        slot = math.floor(at * self.per_second)
        while slot in self._taken:
            slot += 1
        return max(at, slot * self.spacing), slot

    def _reserve(self, chat: str) -> Optional[float]:
        """The moment reserved for the chat's next message; None (nothing reserved) past `max_wait`."""
        now = self._clock()
        at, slot = self._earliest(chat, now)
        if at - now > self.max_wait:
            return None
        self._taken.add(slot)
        self._next_chat[chat] = at + self.chat_seconds
        if len(self._taken) > PRUNE_AT:
            past = math.floor(now * self.per_second)
            self._taken = {s for s in self._taken if s >= past}
        if len(self._next_chat) > PRUNE_AT:
            self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
        return at

    def wait_for(self, chat: str) -> float:
        """How long the chat's next message would wait now (for a RETRY's `retry_after`)."""
        now = self._clock()
        return self._earliest(chat, now)[0] - now

    async def turn(self, chat: str) -> Optional[float]:
        """Wait for the chat's turn: None once it has come, else the wait (seconds) it would need."""
        at = self._reserve(chat)  # no await between reading and reserving: one event loop, no lock needed
        if at is None:
            return self.wait_for(chat)
        delay = at - self._clock()
        if delay > 0:
            await self._sleep(delay)
        return None

    def cool_down(self, seconds: float, chat: Optional[str] = None) -> None:
        """Telegram said to wait: nothing more to anyone (its flood control is the bot's) for `seconds`."""
        until = self._clock() + seconds
        self._cool_until = max(self._cool_until, until)
        if chat is not None:
            self._next_chat[chat] = max(self._next_chat.get(chat, 0.0), until)
