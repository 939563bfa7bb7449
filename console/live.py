"""Live updates for the helpers' screens: an in-process publish/subscribe hub that the server-sent
event streams of the queue and chat pages read from.

Topics: `queue` (a request arrived, was claimed, cancelled, missed or ended: every helper's queue
page refreshes) and `handoff:<id>` (a message in that chat, or its end). A subscriber is a bounded
`asyncio.Queue`: a browser that stops reading loses its oldest updates, never the server's memory;
the page reloads its state on reconnect, so nothing is lost to it either. Subscribers are capped
per topic and in all (`MAX_SUBSCRIBERS`), so a flood of open streams is refused, not served.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator, Dict, Set

QUEUE_SIZE = 100
MAX_SUBSCRIBERS = 1_000


class TooManySubscribers(Exception):
    """The hub already serves `MAX_SUBSCRIBERS` streams."""


class LiveHub:
    def __init__(self, max_subscribers: int = MAX_SUBSCRIBERS) -> None:
        self._topics: Dict[str, Set[asyncio.Queue]] = {}
        self.max_subscribers = max_subscribers

    @property
    def subscribers(self) -> int:
        return sum(len(queues) for queues in self._topics.values())

    def publish(self, topic: str, event: Dict[str, Any]) -> None:
        for queue in list(self._topics.get(topic, ())):
            if queue.full():  # a slow reader loses its oldest update
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue]:
        if self.subscribers >= self.max_subscribers:
            raise TooManySubscribers(topic)
        queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._topics.setdefault(topic, set()).add(queue)
        try:
            yield queue
        finally:
            queues = self._topics.get(topic)
            if queues is not None:
                queues.discard(queue)
                if not queues:
                    del self._topics[topic]
