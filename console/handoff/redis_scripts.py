"""The Lua scripts of the Redis queue: each change of a handoff runs whole inside Redis, so it is
atomic across every console process sharing that Redis.

Times are integer microseconds since the epoch, kept as the strings Python sent (Lua's numbers
are doubles, exact for these values). Every key a script touches is passed in KEYS.
"""

from __future__ import annotations

# KEYS: open, handoff, messages, waiting (its centre), centres
# ARGV: id, requested_us, centre, number of field pairs, the pairs…, then each message (JSON)
# Returns the id of the conversation's open handoff: the one already there, or this new one.
REQUEST = """
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
local count = tonumber(ARGV[4])
redis.call('HSET', KEYS[2], unpack(ARGV, 5, 4 + 2 * count))
for i = 5 + 2 * count, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
redis.call('SADD', KEYS[5], ARGV[3])
return ARGV[1]
"""

# KEYS: handoff, waiting (its centre), claimed, delays (its centre)
# ARGV: id, helper, now_us, how many delays to keep
# Returns {1} when this call claimed it, {0, state, holder} when it was not waiting, {-1} when missing.
CLAIM = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {-1} end
if state ~= 'waiting' then return {0, state, redis.call('HGET', KEYS[1], 'helper') or ''} end
redis.call('HSET', KEYS[1], 'state', 'claimed', 'helper', ARGV[2], 'claimed_at', ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
local delay = tonumber(ARGV[3]) - tonumber(redis.call('HGET', KEYS[1], 'requested_at'))
redis.call('LPUSH', KEYS[4], string.format('%d', delay))
redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[4]) - 1)
return {1}
"""

# KEYS: handoff
# ARGV: from_helper, to_helper
# Returns {1} when done, {0, state, holder} when the giver does not hold it, {-1} when missing.
TRANSFER = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {-1} end
local holder = redis.call('HGET', KEYS[1], 'helper') or ''
if state ~= 'claimed' or holder ~= ARGV[1] then return {0, state, holder} end
redis.call('HSET', KEYS[1], 'helper', ARGV[2])
return {1}
"""

# Ends, cancels or misses a handoff.
# KEYS: handoff, messages, open (its conversation), waiting (its centre), claimed, history, history of the new state
# ARGV: id, new state, now_us, outcome, counter ('' for none), the states it may leave (',waiting,claimed,'),
#       the helper who must hold it ('' for anyone), seconds to keep it afterwards (0: for ever)
# Returns {1} when done, {0, state, holder} when not allowed, {-1} when missing.
CLOSE = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {-1} end
local holder = redis.call('HGET', KEYS[1], 'helper') or ''
if not string.find(ARGV[6], ',' .. state .. ',', 1, true) or (ARGV[7] ~= '' and holder ~= ARGV[7]) then
  return {0, state, holder}
end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'ended_at', ARGV[3], 'outcome', ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'counter', ARGV[5]) end
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('SREM', KEYS[5], ARGV[1])
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
local score = redis.call('HGET', KEYS[1], 'requested_at')
redis.call('ZADD', KEYS[6], score, ARGV[1])
redis.call('ZADD', KEYS[7], score, ARGV[1])
local keep = tonumber(ARGV[8])
if keep > 0 then
  redis.call('EXPIRE', KEYS[1], keep)
  redis.call('EXPIRE', KEYS[2], keep)
end
return {1}
"""

# KEYS: handoff, messages
# ARGV: the message (JSON), how many messages to keep
# Returns 1 when appended, 0 when the handoff is no longer open.
ADD_MESSAGE = """
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'waiting' and state ~= 'claimed' then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
return 1
"""

# KEYS: open (a conversation), the handoff it points to
# ARGV: the id it points to
# Deletes the pointer when it still points there and that handoff is gone (evicted); returns 1 if so.
FORGET = """
if redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('EXISTS', KEYS[2]) == 0 then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
