"""The errors of the handoff queue and of the centres' working hours, in one shallow hierarchy.

Messages name handoff ids, states and helpers (staff), never a citizen's conversation id or text.
"""

from __future__ import annotations

from typing import Iterable, Optional

from console.errors import ConsoleError


class HandoffError(ConsoleError):
    """Something the queue refused or could not do."""


class InvalidInput(HandoffError, ValueError):
    """An argument the queue does not accept (an unknown channel, an empty helper name, …)."""


class NotFound(HandoffError):
    """No handoff has this id."""

    def __init__(self, handoff_id: str):
        super().__init__(f"no handoff {handoff_id!r}")
        self.handoff_id = handoff_id


class WrongState(HandoffError):
    """The handoff is not in a state that allows this (e.g. claiming one that was missed)."""

    def __init__(self, handoff_id: str, state: str, expected: Iterable[str] = ()):
        wanted = " or ".join(expected)
        super().__init__(f"handoff {handoff_id!r} is {state}" + (f", not {wanted}" if wanted else ""))
        self.handoff_id = handoff_id
        self.state = state


class AlreadyClaimed(WrongState):
    """Another helper has the handoff."""

    def __init__(self, handoff_id: str, holder: Optional[str]):
        super().__init__(handoff_id, "claimed", ("waiting",))
        self.holder = holder


class NotHolder(HandoffError):
    """Only the helper who has the handoff may transfer or end it."""

    def __init__(self, handoff_id: str, helper: str, holder: Optional[str]):
        super().__init__(f"handoff {handoff_id!r} is held by {holder!r}, not {helper!r}")
        self.handoff_id = handoff_id
        self.helper = helper
        self.holder = holder


class CentresError(HandoffError, ValueError):
    """The centres' file (working hours) is missing or wrong; the message names the centre and field."""


class StoreUnavailable(HandoffError):
    """The queue's backend (Redis, the database) did not answer or failed."""
