"""A Redis lock store whose tickets are issued and returned atomically, for several Rasa replicas.

Rasa serialises the messages of one conversation with a ticket lock: each message takes a
ticket, waits until its number is served, and gives it back. Rasa's own `RedisLockStore` issues
a ticket by reading the lock, adding a ticket in Python and writing it back (Rasa issue #9213):
two replicas that read at the same moment hand out the *same* number, and two messages of one
citizen are then processed at once and out of order.

Here a lock is a Redis sorted set of ticket numbers (score = expiry time) plus a counter, and
every change is one Lua script, so Redis hands out each number once:
- issue:   drop expired tickets, INCR the counter, add the ticket;
- serve:   the lowest unexpired ticket is served; the rest wait (Rasa's own polling loop);
- return:  remove the ticket if it is still its token's (a return retried after a timeout can
           never remove the same number issued since to another message); when none is left,
           delete the lock (counter included), atomically.
Keys: `motcua:lock:{<conversation>}` (the tickets) and `…:next`, `…:owners`, `…:given-up`.

A Redis that hangs (overloaded, partitioned) may still run a command after the replica gave up
on it (the 2 s socket timeout): a ticket would then be issued that nobody returns, and the
citizen's next messages would wait for it to expire (60 s). So each ticket is issued with a
token of its own, and what a failure left behind is given back once Redis answers (by this
replica's next message, or while a message waits for its turn): a ticket issued late is removed
by its token (or, if its command has not run yet, the token is marked so that it issues
nothing), and a ticket that could not be returned is returned.

endpoints.yml (written by bot/launcher.py when REDIS_URL is set):
    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
      url: redis://host:6379/0

Waiting: a message whose conversation is busy looks again every `POLL_SECONDS` (50 ms), not Rasa's
1 s. A citizen writing while a helper's reply is being sent (both take the conversation's lock)
otherwise waited a whole second (bench/handoff.py: 1,078–1,213 ms against 22–29 ms alone). The
embedded default gets the same through `PromptInMemoryLockStore`, Rasa's in-memory store.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import deque
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Deque, Dict, Optional, Text, Tuple

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore

from connectors.redis_clients import REDIS_TIMEOUT as REDIS_TIMEOUT  # the tracker store and tests use it
from connectors.redis_clients import sync_client

log = logging.getLogger(__name__)

PREFIX = "motcua:lock:"

# KEYS: tickets (zset), counter, owners (hash token -> ticket), given up (set of tokens).
# ARGV: now (ms), lifetime (ms), token. Returns the ticket, or 0 for a token given up already.
_ISSUE = """
if redis.call('SISMEMBER', KEYS[4], ARGV[3]) == 1 then
  return 0
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local number = redis.call('INCR', KEYS[2])
local expires = tonumber(ARGV[1]) + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expires, number)
redis.call('HSET', KEYS[3], ARGV[3], number)
local keep = tonumber(ARGV[2]) + 60000
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)
redis.call('PEXPIRE', KEYS[3], keep)
return number
"""
# KEYS: as _ISSUE. ARGV: token, how long to remember it (ms). A ticket whose issue failed here:
# removed if Redis issued it after all, else its token is marked so that a late issue does nothing.
_FORGET = """
local number = redis.call('HGET', KEYS[3], ARGV[1])
if number then
  redis.call('ZREM', KEYS[1], number)
  redis.call('HDEL', KEYS[3], ARGV[1])
  if redis.call('ZCARD', KEYS[1]) == 0 then
    redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  end
  return 1
end
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('PEXPIRE', KEYS[4], ARGV[2])
return 0
"""
# KEYS: tickets. ARGV: now (ms). Returns the unexpired tickets as number, expiry, ...
_READ = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
"""
# KEYS: tickets, counter, owners. ARGV: ticket number, its token. Removes the ticket only if it is
# still this token's: a return retried after a timeout may arrive when Redis had run the first
# one, deleted the lock and issued the same number again (counter reset) to another message.
# Returns 1 when the lock was deleted, 0 when tickets remain, -1 when the ticket is not the token's.
_RETURN = """
if redis.call('HGET', KEYS[3], ARGV[2]) ~= ARGV[1] then
  return -1
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[2])
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  return 1
end
return 0
"""
# Seconds after a Redis failure before what it left is given back: while Redis hangs, each try
# would hold the event loop for the socket timeout.
SETTLE_EVERY = 1.0


POLL_SECONDS = 0.05


class PromptPolling(LockStore):
    """Rasa's lock, polled every `POLL_SECONDS` while the conversation is busy (Rasa's callers never
    pass a wait time: they get this default)."""

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = POLL_SECONDS
    ) -> AsyncGenerator[TicketLock, None]:
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as lock:
            yield lock


class PromptInMemoryLockStore(PromptPolling, InMemoryLockStore):
    """Rasa's in-memory lock store (one Rasa server), polled promptly; named in endpoints."""

    def __init__(self, endpoint_config: Any = None) -> None:
        super().__init__()


class AtomicRedisLockStore(PromptPolling):
    def __init__(
        self, endpoint_config: Any = None, url: Optional[str] = None, client: Optional[redis.Redis] = None
    ) -> None:
        if client is None:
            address = url or (endpoint_config.url if endpoint_config is not None else None)
            if not address:
                raise ValueError("AtomicRedisLockStore needs a Redis URL (REDIS_URL)")
            client = sync_client(address)
        self.red = client
        self._issue = client.register_script(_ISSUE)
        self._read = client.register_script(_READ)
        self._return = client.register_script(_RETURN)
        self._forget = client.register_script(_FORGET)
        self._tokens: Dict[Tuple[str, int], str] = {}  # the token of each ticket issued here
        # (conversation, token, ticket or None when its issue failed): to give back to Redis
        self._unsettled: Deque[Tuple[str, str, Optional[int]]] = deque(maxlen=10_000)
        self._next_settle = 0.0
        super().__init__()

    @staticmethod
    def _keys(conversation_id: Text) -> list[str]:
        """Tickets `motcua:lock:{<id>}`, then `…:next`, `…:owners`, `…:given-up`. One key per
        conversation and role: only the tickets key ends with "}", and the others end with their
        role after `{<id>}`, so conversation `x:next` never lands on conversation `x`'s counter.
        The braces are a Redis Cluster hash tag: one lock's keys live in one slot."""
        lock = f"{PREFIX}{{{conversation_id}}}"
        return [lock, f"{lock}:next", f"{lock}:owners", f"{lock}:given-up"]

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        self._settle()
        token = uuid.uuid4().hex  # fresh, so never among the given-up ones: the script issues a ticket
        try:
            number = int(
                self._issue(keys=self._keys(conversation_id), args=[_now_ms(), int(lock_lifetime * 1000), token])
            )
        except redis.RedisError as exc:
            self._unsettled.append((conversation_id, token, None))  # Redis may issue it later
            self._next_settle = time.monotonic() + SETTLE_EVERY
            raise LockError(f"could not issue a ticket: {type(exc).__name__}") from exc
        self._tokens[(conversation_id, number)] = token
        return number

    def _settle(self) -> None:
        """Give back to Redis what failures left: tickets issued late, tickets not returned."""
        if not self._unsettled or time.monotonic() < self._next_settle:
            return
        while self._unsettled:
            conversation_id, token, number = self._unsettled[0]
            keys = self._keys(conversation_id)
            try:
                if number is None:
                    self._forget(keys=keys, args=[token, int((LOCK_LIFETIME + 60) * 1000)])
                else:
                    self._return(keys=keys[:3], args=[number, token])
            except redis.RedisError:
                self._next_settle = time.monotonic() + SETTLE_EVERY  # still away: later
                return
            self._unsettled.popleft()
        log.info("gave back to Redis the tickets that its failure had left")

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        try:
            flat = self._read(keys=self._keys(conversation_id)[:1], args=[_now_ms()])
        except redis.RedisError as exc:
            raise LockError(f"could not read the lock: {type(exc).__name__}") from exc
        if not flat:
            return None
        tickets = [Ticket(int(flat[i]), float(flat[i + 1]) / 1000) for i in range(0, len(flat), 2)]
        return TicketLock(conversation_id, deque(sorted(tickets, key=lambda t: t.number)))

    def update_lock(self, conversation_id: Text) -> None:
        """Between the polls of a waiting message: give back what a failure left, drop expired
        tickets (reading does that, atomically)."""
        self._settle()
        self.get_lock(conversation_id)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self.cleanup(conversation_id, ticket_number)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        token = self._tokens.pop((conversation_id, ticket_number), "")
        try:
            self._return(keys=self._keys(conversation_id)[:3], args=[ticket_number, token])
        except redis.RedisError as exc:  # returned with the next message once Redis answers
            log.warning("could not return ticket %d: %s", ticket_number, type(exc).__name__)
            self._unsettled.append((conversation_id, token, ticket_number))
            self._next_settle = time.monotonic() + SETTLE_EVERY

    def delete_lock(self, conversation_id: Text) -> None:
        self.red.delete(*self._keys(conversation_id)[:3])  # the given-up tokens expire by themselves

    def save_lock(self, lock: TicketLock) -> None:
        """Replace a lock's tickets (not used by the ticket flow above, which is atomic)."""
        key = self._keys(lock.conversation_id)[0]
        pipe = self.red.pipeline(transaction=True)
        pipe.delete(key)
        if lock.tickets:
            pipe.zadd(key, {str(t.number): t.expires * 1000 for t in lock.tickets})
        pipe.execute()


def _now_ms() -> int:
    return int(time.time() * 1000)
