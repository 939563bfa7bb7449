"""A circuit breaker, so a portal that is down is not hammered by every citizen who asks.

closed    calls go through; `threshold` failures in a row open the circuit
open      calls fail at once (PortalUnavailable) for `reset_after` seconds
half-open then one trial call goes through: success closes the circuit, failure opens it again
"""

from __future__ import annotations

import enum
import logging
import time
from typing import Callable

log = logging.getLogger(__name__)


class State(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    def __init__(self, threshold: int = 5, reset_after: float = 30.0, clock: Callable[[], float] = time.monotonic):
        if threshold < 1 or reset_after <= 0:
            raise ValueError("threshold must be >= 1 and reset_after > 0")
        self.threshold = threshold
        self.reset_after = reset_after
        self._clock = clock
        self._failures = 0
        self._opened_at = 0.0
        self._trial_running = False
        self._state = State.CLOSED

    @property
    def state(self) -> State:
        if self._state is State.OPEN and self._clock() - self._opened_at >= self.reset_after:
            return State.HALF_OPEN
        return self._state

    def allow(self) -> bool:
        """May a call go out now? In half-open state only one trial at a time."""
        state = self.state
        if state is State.CLOSED:
            return True
        if state is State.HALF_OPEN and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def success(self) -> None:
        if self._state is not State.CLOSED:
            log.info("portal circuit closed: the portal answers again")
        self._state = State.CLOSED
        self._failures = 0
        self._trial_running = False

    def failure(self) -> None:
        self._failures += 1
        if self._trial_running or self._failures >= self.threshold:
            if self._state is not State.OPEN or self._trial_running:
                log.warning("portal circuit open for %.0f s after %d failures", self.reset_after, self._failures)
            self._state = State.OPEN
            self._opened_at = self._clock()
        self._trial_running = False
