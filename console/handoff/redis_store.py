"""The queue in Redis (`redis.asyncio`), shared by every console process: each change is one Lua
script (`redis_scripts`), so claims, cancels and expiry are atomic across processes.

Keys, under `prefix` (default `motcua:handoff:`): `h:<id>` (a hash per handoff), `m:<id>` (its
messages, a list of JSON), `open:<conversation>` (the id of its open handoff), `waiting:<centre>`
(a sorted set by request time), `centres`, `claimed` (a set of ids), `delays:<centre>` (the last
claim delays), `history` and `history:<state>` (sorted sets of closed ids). A closed handoff is
kept `retention` (30 days by default), then Redis forgets it. Meant for one Redis, not a Cluster.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple, TypeVar, cast

import redis

from console.handoff import redis_scripts
from console.handoff.errors import NotFound, StoreUnavailable
from console.handoff.model import MAX_MESSAGES, ClaimResult, Handoff, Message, Outcome, State, utcnow
from console.handoff.redis_codec import fields_of, handoff_of, message_json, text, us
from console.handoff.store import DELAY_SAMPLES, Clock, HandoffStore, refusal

PREFIX = "motcua:handoff:"
RETENTION = timedelta(days=30)
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def _wrapped(method: F) -> F:
    """Redis failures become `StoreUnavailable`."""

    @functools.wraps(method)
    async def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return await method(*args, **kwargs)
        except (redis.RedisError, OSError) as exc:
            raise StoreUnavailable(f"Redis failed: {type(exc).__name__}") from exc

    return cast(F, call)


class RedisHandoffStore(HandoffStore):
    def __init__(
        self,
        client: Any,
        prefix: str = PREFIX,
        clock: Clock = utcnow,
        retention: Optional[timedelta] = RETENTION,
        owns_client: bool = False,
    ):
        """`client` is a `redis.asyncio.Redis`; it is closed by `close()` only when `owns_client`."""
        super().__init__(clock)
        self._redis = client
        self._prefix = prefix
        self._keep = int(retention.total_seconds()) if retention else 0
        self._owns_client = owns_client
        self._request = client.register_script(redis_scripts.REQUEST)
        self._claim_script = client.register_script(redis_scripts.CLAIM)
        self._transfer_script = client.register_script(redis_scripts.TRANSFER)
        self._close_script = client.register_script(redis_scripts.CLOSE)
        self._add_script = client.register_script(redis_scripts.ADD_MESSAGE)
        self._forget = client.register_script(redis_scripts.FORGET)

    def _key(self, *parts: str) -> str:
        return self._prefix + ":".join(parts)

    async def _load(
        self, ids: List[str], keep: Callable[[Dict[str, str]], bool] = lambda fields: True
    ) -> List[Handoff]:
        """The handoffs of `ids` that exist (and that `keep` accepts, by their fields), with their messages."""
        if not ids:
            return []
        pipe = self._redis.pipeline(transaction=False)
        for handoff_id in ids:
            pipe.hgetall(self._key("h", handoff_id))
        records = [{text(k): text(v) for k, v in raw.items()} for raw in await pipe.execute()]
        records = [fields for fields in records if fields and keep(fields)]
        for fields in records:
            pipe.lrange(self._key("m", fields["id"]), 0, -1)
        return [handoff_of(fields, messages) for fields, messages in zip(records, await pipe.execute(), strict=True)]

    async def _ids(self, command: Awaitable[Any]) -> List[str]:
        return [text(item) for item in await command]

    async def _close(
        self,
        handoff_id: str,
        state: State,
        outcome: Outcome,
        now: datetime,
        *,
        leaving: str,
        helper: str = "",
        counter: Optional[str] = None,
    ) -> Tuple[int, str, str]:
        """Run CLOSE; (1, …) when done, (0, state, holder) when refused, (-1, …) when missing."""
        conversation, centre = await self._redis.hmget(self._key("h", handoff_id), "conversation_id", "centre")
        if conversation is None:
            return -1, "", ""
        keys = [
            self._key("h", handoff_id),
            self._key("m", handoff_id),
            self._key("open", text(conversation)),
            self._key("waiting", text(centre)),
            self._key("claimed"),
            self._key("history"),
            self._key("history", state.value),
        ]
        args = [handoff_id, state.value, us(now), outcome.value, counter or "", leaving, helper, self._keep]
        reply = await self._close_script(keys=keys, args=args)
        code = int(reply[0])
        return (code, text(reply[1]), text(reply[2])) if code == 0 else (code, "", "")

    async def _purge(self, ids: List[str]) -> None:
        """Remove handoffs Redis no longer has (evicted) from the queue's indexes."""
        pipe = self._redis.pipeline(transaction=False)
        for centre in await self._ids(self._redis.smembers(self._key("centres"))):
            pipe.zrem(self._key("waiting", centre), *ids)
        pipe.srem(self._key("claimed"), *ids)
        await pipe.execute()

    @_wrapped
    async def get(self, handoff_id: str) -> Handoff:
        found = await self._load([handoff_id])
        if not found:
            raise NotFound(handoff_id)
        return found[0]

    @_wrapped
    async def open_for(self, conversation_id: str) -> Optional[Handoff]:
        handoff_id = await self._redis.get(self._key("open", conversation_id))
        found = await self._load([text(handoff_id)]) if handoff_id else []
        return found[0] if found and found[0].is_open else None

    @_wrapped
    async def waiting(self, centre: Optional[str] = None) -> List[Handoff]:
        centres = [centre] if centre is not None else await self._ids(self._redis.smembers(self._key("centres")))
        ids: List[str] = []
        for name in centres:
            ids += await self._ids(self._redis.zrange(self._key("waiting", name), 0, -1))
        found = await self._load(ids, lambda fields: fields["state"] == State.WAITING.value)
        return sorted(found, key=lambda h: (h.requested_at, h.id))

    @_wrapped
    async def claimed_by(self, helper: str) -> List[Handoff]:
        ids = await self._ids(self._redis.smembers(self._key("claimed")))
        found = await self._load(ids, lambda f: f["state"] == State.CLAIMED.value and f.get("helper") == helper)
        return sorted(found, key=lambda h: (h.claimed_at, h.id))

    @_wrapped
    async def messages(self, handoff_id: str) -> List[Message]:
        return (await self.get(handoff_id)).messages

    @_wrapped
    async def position(self, handoff_id: str) -> Optional[int]:
        state, centre = await self._redis.hmget(self._key("h", handoff_id), "state", "centre")
        if state is None:
            raise NotFound(handoff_id)
        if text(state) != State.WAITING.value:
            return None
        rank = await self._redis.zrank(self._key("waiting", text(centre)), handoff_id)
        return None if rank is None else int(rank) + 1

    async def close(self) -> None:
        if self._owns_client:
            await self._redis.close(close_connection_pool=True)

    @_wrapped
    async def _insert_or_get(self, handoff: Handoff) -> Handoff:
        fields = fields_of(handoff)
        keys = [
            self._key("open", handoff.conversation_id),
            self._key("h", handoff.id),
            self._key("m", handoff.id),
            self._key("waiting", handoff.centre),
            self._key("centres"),
        ]
        args: List[Any] = [handoff.id, us(handoff.requested_at), handoff.centre, len(fields)]
        args += [part for pair in fields.items() for part in pair]
        args += [message_json(m) for m in handoff.messages]
        for _ in range(2):
            stored_id = text(await self._request(keys=keys, args=args))
            found = [handoff] if stored_id == handoff.id else await self._load([stored_id])
            if found:
                return found[0].copy(deep=True)
            # The conversation points at a handoff Redis no longer has (evicted): forget it, ask again.
            if int(await self._forget(keys=[keys[0], self._key("h", stored_id)], args=[stored_id])):
                await self._purge([stored_id])
        raise StoreUnavailable("Redis keeps pointing at a handoff it does not have")

    @_wrapped
    async def _claim(self, handoff_id: str, helper: str, now: datetime) -> ClaimResult:
        centre = await self._redis.hget(self._key("h", handoff_id), "centre")
        if centre is None:
            raise NotFound(handoff_id)
        keys = [
            self._key("h", handoff_id),
            self._key("waiting", text(centre)),
            self._key("claimed"),
            self._key("delays", text(centre)),
        ]
        reply = await self._claim_script(keys=keys, args=[handoff_id, helper, us(now), DELAY_SAMPLES])
        if int(reply[0]) == -1:
            raise NotFound(handoff_id)
        return ClaimResult(int(reply[0]) == 1, await self.get(handoff_id))

    @_wrapped
    async def _transfer(self, handoff_id: str, from_helper: str, to_helper: str) -> Handoff:
        reply = await self._transfer_script(keys=[self._key("h", handoff_id)], args=[from_helper, to_helper])
        code = int(reply[0])
        if code == -1:
            raise NotFound(handoff_id)
        if code == 0:
            raise refusal(handoff_id, text(reply[1]), text(reply[2]) or None, from_helper)
        return await self.get(handoff_id)

    @_wrapped
    async def _end(
        self, handoff_id: str, helper: str, outcome: Outcome, counter: Optional[str], now: datetime
    ) -> Handoff:
        code, state, holder = await self._close(
            handoff_id, State.ENDED, outcome, now, leaving=",claimed,", helper=helper, counter=counter
        )
        if code == -1:
            raise NotFound(handoff_id)
        if code == 0:
            raise refusal(handoff_id, state, holder or None, helper)
        return await self.get(handoff_id)

    @_wrapped
    async def _cancel(self, conversation_id: str, now: datetime) -> Optional[Handoff]:
        for _ in range(3):  # again when it closed (and maybe another opened) between the two calls
            handoff_id = await self._redis.get(self._key("open", conversation_id))
            if handoff_id is None:
                return None
            handoff_id = text(handoff_id)
            code, _, _ = await self._close(
                handoff_id, State.CANCELLED, Outcome.CANCELLED, now, leaving=",waiting,claimed,"
            )
            if code == 1:
                return await self.get(handoff_id)
        return None

    @_wrapped
    async def _expire(self, now: datetime, cutoff: datetime) -> List[Handoff]:
        missed: List[str] = []
        for centre in await self._ids(self._redis.smembers(self._key("centres"))):
            due = await self._ids(self._redis.zrangebyscore(self._key("waiting", centre), "-inf", us(cutoff)))
            for handoff_id in due:
                code, _, _ = await self._close(handoff_id, State.MISSED, Outcome.MISSED, now, leaving=",waiting,")
                if code == 1:
                    missed.append(handoff_id)
                elif code == -1:  # a stale entry: forget it
                    await self._redis.zrem(self._key("waiting", centre), handoff_id)
        return sorted(await self._load(missed), key=lambda h: (h.requested_at, h.id))

    @_wrapped
    async def _add_message(self, conversation_id: str, message: Message) -> Optional[Handoff]:
        for _ in range(3):  # again when it closed (and maybe another opened) between the two calls
            handoff_id = await self._redis.get(self._key("open", conversation_id))
            if handoff_id is None:
                return None
            handoff_id = text(handoff_id)
            keys = [self._key("h", handoff_id), self._key("m", handoff_id)]
            if int(await self._add_script(keys=keys, args=[message_json(message), MAX_MESSAGES])) == 1:
                return await self.get(handoff_id)
        return None

    @_wrapped
    async def waiting_count(self, centre: Optional[str] = None) -> int:
        centres = [centre] if centre is not None else await self._ids(self._redis.smembers(self._key("centres")))
        return sum([int(await self._redis.zcard(self._key("waiting", name))) for name in centres])

    @_wrapped
    async def _claim_delays(self, centre: str, count: int) -> List[timedelta]:
        raw = await self._redis.lrange(self._key("delays", centre), 0, count - 1)
        return [timedelta(microseconds=int(text(item))) for item in raw]

    @_wrapped
    async def _history(self, limit: int, state: Optional[State]) -> List[Handoff]:
        key = self._key("history", state.value) if state else self._key("history")
        found: List[Handoff] = []
        gone: List[str] = []
        start = 0
        while len(found) < limit:
            ids = await self._ids(self._redis.zrevrange(key, start, start + limit - 1))
            if not ids:
                break
            loaded = {h.id: h for h in await self._load(ids)}
            found += [loaded[i] for i in ids if i in loaded]
            gone += [i for i in ids if i not in loaded]  # kept past `retention`: Redis forgot them
            start += len(ids)
        if gone:
            await self._redis.zrem(key, *gone)
        return found[:limit]
