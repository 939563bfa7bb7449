"""Messages waiting for a REST or web chat citizen: what a helper pushed through Rasa's HTTP API
while no request of theirs was open. The citizen's page takes them with a poll (or with the
replies to its next message); a message taken is removed, so it is delivered once.

- One list per conversation (Rasa's sender id: `web:<session id>`, or the REST sender), at most
  `max_messages` messages (a push past that is refused with `MailboxFull`: the helper is told,
  nothing waiting is dropped), each at most `MAX_MESSAGE_BYTES` of JSON (`MessageTooLarge`),
  kept `ttl` seconds after the last push (24 h).
- In memory by default (at most `max_conversations` lists); on Redis when REDIS_URL is set
  (a list per conversation, pushed by a Lua script that checks the bound, taken in a MULTI), so
  every replica sees what any replica's API call pushed.
- `take(conversation, wait)` answers at once when messages wait, else waits up to `wait` seconds
  (at most `MAX_WAIT`) for one: an `asyncio.Event` in memory, `BLPOP` on Redis (a client of its
  own, with a socket timeout longer than the wait). At most `max_waiters` polls wait at once in a
  process; past that a poll answers at once, so waiting polls cannot pile up connections.
- Redis away: a push raises `MailboxUnavailable` (the API call fails and says so); a take raises
  it too (the poll answers 503; the REST and web replies go out without the waiting messages).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import unicodedata
from collections import OrderedDict, deque
from typing import Any, Callable, Deque, Dict, List, Optional, Protocol, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel
from redis.exceptions import RedisError

from connectors.delivery import MailboxFull, MailboxUnavailable, MessageTooLarge
from connectors.redis_clients import REDIS_TIMEOUT, async_client
from connectors.shared import redis_from_env
from motcua.settings import get_settings

log = logging.getLogger(__name__)

Message = Dict[str, Any]
MAX_MESSAGES = 50
MAX_MESSAGE_BYTES = 16_384
TTL = 24 * 3600
MAX_WAIT = 20.0
MAX_WAITERS = 200


def encode(message: Message) -> str:
    raw = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    if len(raw.encode("utf-8")) > MAX_MESSAGE_BYTES:
        raise MessageTooLarge(f"over {MAX_MESSAGE_BYTES} bytes")
    return raw


def decode(raw: Any) -> Optional[Message]:
    try:
        message = json.loads(raw)
    except (ValueError, TypeError):
        return None
    return message if isinstance(message, dict) else None


class Mailbox(Protocol):
    async def put(self, conversation: str, messages: List[Message]) -> None:
        """Add `messages` (all or none) for `conversation`; raises a `DeliveryFailed`."""
        ...

    async def take(self, conversation: str, wait: float = 0.0) -> List[Message]:
        """Remove and return what waits for `conversation`, waiting up to `wait` s for something."""
        ...


class _Waiters:
    """How many polls wait in this process (bounded), and an event per conversation to wake them."""

    def __init__(self, limit: int):
        self.limit = limit
        self.count = 0
        self.events: Dict[str, Tuple[asyncio.Event, int]] = {}

    def full(self) -> bool:
        return self.count >= self.limit

    def enter(self, conversation: str) -> asyncio.Event:
        self.count += 1
        event, users = self.events.get(conversation, (asyncio.Event(), 0))
        self.events[conversation] = (event, users + 1)
        return event

    def leave(self, conversation: str, event: asyncio.Event) -> None:
        self.count -= 1
        current = self.events.get(conversation)
        if current is not None and current[0] is event:
            if current[1] <= 1:
                del self.events[conversation]
            else:
                self.events[conversation] = (event, current[1] - 1)

    def wake(self, conversation: str) -> None:
        found = self.events.pop(conversation, None)
        if found is not None:
            found[0].set()


async def _wait(event: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except asyncio.TimeoutError:
        pass


class MemoryMailbox:
    def __init__(
        self,
        max_messages: int = MAX_MESSAGES,
        ttl: float = TTL,
        max_conversations: int = 20_000,
        max_waiters: int = MAX_WAITERS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.max_messages = max_messages
        self.ttl = ttl
        self.max_conversations = max_conversations
        self._clock = clock
        self._boxes: "OrderedDict[str, Tuple[float, Deque[str]]]" = OrderedDict()  # by last push
        self._waiters = _Waiters(max_waiters)

    async def put(self, conversation: str, messages: List[Message]) -> None:
        raws = [encode(m) for m in messages]
        now = self._clock()
        while self._boxes and next(iter(self._boxes.values()))[0] <= now:
            self._boxes.popitem(last=False)
        _, box = self._boxes.get(conversation, (0.0, deque()))
        if len(box) + len(raws) > self.max_messages:
            raise MailboxFull(f"{len(box)} messages waiting")
        if conversation not in self._boxes and len(self._boxes) >= self.max_conversations:
            raise MailboxFull("too many conversations have messages waiting")
        box.extend(raws)
        self._boxes.pop(conversation, None)
        self._boxes[conversation] = (now + self.ttl, box)  # the newest push last
        self._waiters.wake(conversation)

    def _pop(self, conversation: str) -> List[Message]:
        expiry, box = self._boxes.pop(conversation, (0.0, deque()))
        if expiry <= self._clock():
            return []
        return [m for m in map(decode, box) if m is not None]

    async def take(self, conversation: str, wait: float = 0.0) -> List[Message]:
        messages = self._pop(conversation)
        if messages or wait <= 0 or self._waiters.full():
            return messages
        event = self._waiters.enter(conversation)
        try:
            await _wait(event, min(wait, MAX_WAIT))
        finally:
            self._waiters.leave(conversation, event)
        return self._pop(conversation)


# KEYS: the list. ARGV: the bound, the TTL, then the messages. All pushed, or none (-1: full).
_PUSH = """
local waiting = redis.call('LLEN', KEYS[1])
if waiting + #ARGV - 2 > tonumber(ARGV[1]) then return -1 end
for i = 3, #ARGV do redis.call('RPUSH', KEYS[1], ARGV[i]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return waiting
"""


class RedisMailbox:
    """`redis` answers the pushes and takes (the channels' client, 1 s timeouts); `blocking` waits
    in BLPOP (a client whose socket timeout is longer than `MAX_WAIT`), or None for no waiting."""

    def __init__(
        self,
        redis: Any,
        blocking: Any = None,
        prefix: str = "motcua:mailbox:",
        max_messages: int = MAX_MESSAGES,
        ttl: float = TTL,
        max_waiters: int = MAX_WAITERS,
    ):
        self._redis = redis
        self._blocking = blocking
        self.prefix = prefix
        self.max_messages = max_messages
        self.ttl = int(ttl)
        self._push = redis.register_script(_PUSH)
        self._waiters = _Waiters(max_waiters)

    async def put(self, conversation: str, messages: List[Message]) -> None:
        raws = [encode(m) for m in messages]
        try:
            waiting = await self._push(keys=[self.prefix + conversation], args=[self.max_messages, self.ttl, *raws])
        except RedisError as exc:
            raise MailboxUnavailable(type(exc).__name__) from exc
        if int(waiting) < 0:
            raise MailboxFull(f"{self.max_messages} messages at most")

    async def _pop(self, conversation: str) -> List[Message]:
        key = self.prefix + conversation
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                raws, _ = await pipe.lrange(key, 0, -1).delete(key).execute()
        except RedisError as exc:
            raise MailboxUnavailable(type(exc).__name__) from exc
        return [m for m in map(decode, raws) if m is not None]

    async def take(self, conversation: str, wait: float = 0.0) -> List[Message]:
        messages = await self._pop(conversation)
        if messages or wait <= 0 or self._blocking is None or self._waiters.full():
            return messages
        event = self._waiters.enter(conversation)  # counts this poll; BLPOP does the waking
        try:
            seconds = max(min(wait, MAX_WAIT), 0.1)  # never 0: BLPOP would wait for ever
            found = await self._blocking.blpop([self.prefix + conversation], timeout=seconds)
        except RedisError as exc:
            raise MailboxUnavailable(type(exc).__name__) from exc
        finally:
            self._waiters.leave(conversation, event)
        first = [m for m in [decode(found[1])] if m is not None] if found else []
        return first + await self._pop(conversation)


def wait_of(value: Any) -> Optional[float]:
    """A poll's `wait` (seconds, 0 to MAX_WAIT; absent is 0), or None when it is not one."""
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_WAIT:
        return None
    return float(value)


async def waiting_for(mailbox: Mailbox, conversation: str) -> List[Message]:
    """What waits for `conversation`, to go out before the replies to its next message; nothing when
    the mailbox cannot be read (the messages stay for the next poll or message)."""
    try:
        return await mailbox.take(conversation)
    except MailboxUnavailable as exc:
        log.warning("the mailbox could not be read (%s): replies go out without the waiting messages", exc.detail)
        return []


_mailbox: Optional[Mailbox] = None


def mailbox_from_env() -> Mailbox:
    """The process's one mailbox: on Redis when REDIS_URL is set, else in memory."""
    global _mailbox
    if _mailbox is None:
        url = get_settings().redis_url
        if url:
            # BLPOP holds its connection for the wait: a client of its own whose socket timeout is
            # longer (its connect timeout too: the factory has one timeout; a Redis that does not
            # answer has already failed the quick take made first, with the 1 s client).
            blocking = async_client(url, timeout=MAX_WAIT + 5 * REDIS_TIMEOUT)
            _mailbox = RedisMailbox(redis_from_env(), blocking)
        else:
            _mailbox = MemoryMailbox()
    return _mailbox


class MailboxOutput(CollectingOutputChannel):
    """The output channel Rasa's HTTP API gets for a REST or web chat conversation: every message goes
    into the mailbox (the paragraphs of one text all or none), and is kept in `messages` as well."""

    @classmethod
    def name(cls) -> Text:
        return "mailbox"

    def __init__(self, mailbox: Mailbox):
        super().__init__()
        self.mailbox = mailbox

    async def _persist_message(self, message: Dict[Text, Any]) -> None:
        await self.mailbox.put(message["recipient_id"], [message])
        self.messages.append(message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        paragraphs = unicodedata.normalize("NFC", text).strip().split("\n\n")
        parts = [self._message(recipient_id, text=p) for p in paragraphs if p.strip()]
        if parts:
            await self.mailbox.put(recipient_id, parts)
            self.messages.extend(parts)
