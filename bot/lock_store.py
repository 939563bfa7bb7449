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
- return:  remove the ticket; when none is left, delete the lock (counter included), atomically.

endpoints.yml (written by bot/launcher.py when REDIS_URL is set):
    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
      url: redis://host:6379/0
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Any, Optional, Text

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore

log = logging.getLogger(__name__)

PREFIX = "motcua:lock:"

# KEYS: tickets (zset), counter. ARGV: now (ms), lifetime (ms).
_ISSUE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local number = redis.call('INCR', KEYS[2])
local expires = tonumber(ARGV[1]) + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expires, number)
local keep = tonumber(ARGV[2]) + 60000
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)
return number
"""
# KEYS: tickets. ARGV: now (ms). Returns the unexpired tickets as number, expiry, ...
_READ = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
"""
# KEYS: tickets, counter. ARGV: ticket number. Returns 1 when the lock was deleted.
_RETURN = """
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
return 0
"""


class AtomicRedisLockStore(LockStore):
    def __init__(
        self, endpoint_config: Any = None, url: Optional[str] = None, client: Optional[redis.Redis] = None
    ) -> None:
        if client is None:
            address = url or (endpoint_config.url if endpoint_config is not None else None)
            if not address:
                raise ValueError("AtomicRedisLockStore needs a Redis URL (REDIS_URL)")
            client = redis.Redis.from_url(address, socket_timeout=2.0, socket_connect_timeout=2.0)
        self.red = client
        self._issue = client.register_script(_ISSUE)
        self._read = client.register_script(_READ)
        self._return = client.register_script(_RETURN)
        super().__init__()

    @staticmethod
    def _keys(conversation_id: Text) -> list[str]:
        return [f"{PREFIX}{conversation_id}", f"{PREFIX}{conversation_id}:next"]

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return int(self._issue(keys=self._keys(conversation_id), args=[_now_ms(), int(lock_lifetime * 1000)]))
        except redis.RedisError as exc:
            raise LockError(f"could not issue a ticket: {type(exc).__name__}") from exc

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
        self.get_lock(conversation_id)  # reading drops expired tickets, atomically

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self.cleanup(conversation_id, ticket_number)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        try:
            self._return(keys=self._keys(conversation_id), args=[ticket_number])
        except redis.RedisError as exc:  # the ticket expires by itself
            log.warning("could not return ticket %d: %s", ticket_number, type(exc).__name__)

    def delete_lock(self, conversation_id: Text) -> None:
        self.red.delete(*self._keys(conversation_id))

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
