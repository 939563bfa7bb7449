"""A sliding-window limit kept in this process's memory (the console runs as one process).

`allow(key)` says whether one more event of `key` fits in `limit` events per `window` seconds, and
counts it when it does; a global key caps everybody together. Old keys are forgotten as they age.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Callable, Deque, Dict


class SlidingWindow:
    def __init__(
        self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000
    ):
        self.limit, self.window, self._clock, self._max_keys = limit, window, clock, max_keys
        self._events: Dict[str, Deque[float]] = {}

    def allow(self, key: str) -> bool:
        now = self._clock()
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self._max_keys:
                self._forget_old(now)
            if len(self._events) >= self._max_keys:  # flooded by many addresses: fail closed
                return False
            events = self._events[key] = deque()
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may try again (at least 1)."""
        events = self._events.get(key)
        if not events:
            return 1
        return max(1, int(events[0] + self.window - self._clock()) + 1)

    def _forget_old(self, now: float) -> None:
        for key in [k for k, events in self._events.items() if not events or events[-1] <= now - self.window]:
            del self._events[key]
