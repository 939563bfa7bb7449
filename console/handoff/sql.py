"""The queue in the console's database (SQLAlchemy 1.4 Core; SQLite or PostgreSQL), shared by every
console process that uses the database. Calls run in a thread, off the event loop.

Every change is one conditional statement (`UPDATE … WHERE id = :id AND state = 'waiting'`) whose
row count says who won, which is atomic on SQLite and PostgreSQL alike; the partial unique index
`uq_handoffs_open_conversation` keeps one open handoff per conversation. A write transaction
starts with its write, so SQLite never has to upgrade a read lock.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, List, Optional, Sequence, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from console.handoff.errors import NotFound, StoreUnavailable
from console.handoff.model import (
    CLOSED_STATES,
    MAX_MESSAGES,
    OPEN_STATES,
    ClaimResult,
    Handoff,
    Message,
    Outcome,
    State,
    new_id,
    utcnow,
)
from console.handoff.store import Clock, HandoffStore, refusal
from console.handoff.tables import handoff_messages, handoffs
from console.tables import UTCDateTime

T = TypeVar("T")
_OPEN = [s.value for s in OPEN_STATES]
H, M = handoffs.c, handoff_messages.c


def _row(handoff: Handoff) -> Dict[str, Any]:
    data = handoff.dict(exclude={"messages"})
    return {name: getattr(value, "value", value) for name, value in data.items()}


def _message_rows(handoff_id: str, messages: Sequence[Message]) -> List[Dict[str, Any]]:
    return [{"handoff_id": handoff_id, "role": m.role.value, "text": m.text, "at": m.at} for m in messages]


class SqlHandoffStore(HandoffStore):
    def __init__(self, engine: Engine, clock: Clock = utcnow, owns_engine: bool = False):
        """`engine` comes from `console.db.make_engine`; it is disposed by `close()` only when `owns_engine`."""
        super().__init__(clock)
        self._engine = engine
        self._owns_engine = owns_engine

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        try:
            return await asyncio.to_thread(call, *args)
        except sa.exc.DBAPIError as exc:
            raise StoreUnavailable(f"the database failed: {type(exc.orig).__name__}") from exc

    def _load(self, connection: Connection, where: Any, *order: Any, limit: Optional[int] = None) -> List[Handoff]:
        rows = connection.execute(sa.select(handoffs).where(where).order_by(*order).limit(limit)).all()
        messages: Dict[str, List[Message]] = defaultdict(list)
        if rows:
            query = sa.select(handoff_messages).where(M.handoff_id.in_([r.id for r in rows])).order_by(M.id)
            for m in connection.execute(query):
                messages[m.handoff_id].append(Message(role=m.role, text=m.text, at=m.at))
        return [Handoff(**dict(r._mapping), messages=messages[r.id]) for r in rows]

    def _one(self, handoff_id: str) -> Handoff:
        with self._engine.connect() as connection:
            found = self._load(connection, H.id == handoff_id)
        if not found:
            raise NotFound(handoff_id)
        return found[0]

    def _open_id(self, conversation_id: str) -> Optional[str]:
        with self._engine.connect() as connection:
            query = sa.select(H.id).where(H.conversation_id == conversation_id, H.state.in_(_OPEN))
            return connection.execute(query).scalar()

    def _update(self, where: Any, **values: Any) -> bool:
        """One conditional UPDATE; True when it changed the row."""
        with self._engine.begin() as connection:
            return connection.execute(sa.update(handoffs).where(where).values(**values)).rowcount == 1

    def _list(self, where: Any, *order: Any, limit: Optional[int] = None) -> List[Handoff]:
        with self._engine.connect() as connection:
            return self._load(connection, where, *order, limit=limit)

    async def get(self, handoff_id: str) -> Handoff:
        return await self._run(self._one, handoff_id)

    async def open_for(self, conversation_id: str) -> Optional[Handoff]:
        found = await self._run(self._list, sa.and_(H.conversation_id == conversation_id, H.state.in_(_OPEN)))
        return found[0] if found else None

    async def waiting(self, centre: Optional[str] = None) -> List[Handoff]:
        where = H.state == State.WAITING.value
        if centre is not None:
            where = sa.and_(where, H.centre == centre)
        return await self._run(self._list, where, H.requested_at, H.id)

    async def claimed_by(self, helper: str) -> List[Handoff]:
        where = sa.and_(H.state == State.CLAIMED.value, H.helper == helper)
        return await self._run(self._list, where, H.claimed_at, H.id)

    async def messages(self, handoff_id: str) -> List[Message]:
        return (await self.get(handoff_id)).messages

    def _position(self, handoff_id: str) -> Optional[int]:
        with self._engine.connect() as connection:
            mine = connection.execute(sa.select(H.state, H.centre, H.requested_at).where(H.id == handoff_id)).first()
            if mine is None:
                raise NotFound(handoff_id)
            if mine.state != State.WAITING.value:
                return None
            earlier = sa.or_(
                H.requested_at < mine.requested_at, sa.and_(H.requested_at == mine.requested_at, H.id < handoff_id)
            )
            query = sa.select(sa.func.count()).where(H.state == State.WAITING.value, H.centre == mine.centre, earlier)
            return int(connection.execute(query).scalar_one()) + 1

    async def position(self, handoff_id: str) -> Optional[int]:
        return await self._run(self._position, handoff_id)

    async def close(self) -> None:
        if self._owns_engine:
            await asyncio.to_thread(self._engine.dispose)

    def _insert(self, handoff: Handoff) -> Handoff:
        for _ in range(3):
            with self._engine.connect() as connection:
                existing = self._load(
                    connection, sa.and_(H.conversation_id == handoff.conversation_id, H.state.in_(_OPEN))
                )
            if existing:
                return existing[0]
            try:
                with self._engine.begin() as connection:
                    connection.execute(sa.insert(handoffs).values(**_row(handoff)))
                    if handoff.messages:
                        connection.execute(sa.insert(handoff_messages), _message_rows(handoff.id, handoff.messages))
                return handoff
            except sa.exc.IntegrityError:
                # Another request for the conversation came first (or, once in 2**72, the same id): look again.
                handoff = handoff.copy(update={"id": new_id()})
        raise StoreUnavailable("a handoff could not be stored")

    async def _insert_or_get(self, handoff: Handoff) -> Handoff:
        return await self._run(self._insert, handoff)

    def _claim_sync(self, handoff_id: str, helper: str, now: datetime) -> ClaimResult:
        won = self._update(
            sa.and_(H.id == handoff_id, H.state == State.WAITING.value),
            state=State.CLAIMED.value,
            helper=helper,
            claimed_at=now,
        )
        return ClaimResult(won, self._one(handoff_id))

    async def _claim(self, handoff_id: str, helper: str, now: datetime) -> ClaimResult:
        return await self._run(self._claim_sync, handoff_id, helper, now)

    def _by_holder(self, handoff_id: str, helper: str, values: Dict[str, Any]) -> Handoff:
        """Change a claimed handoff that `helper` holds, or say why not."""
        held = sa.and_(H.id == handoff_id, H.state == State.CLAIMED.value, H.helper == helper)
        changed = self._update(held, **values)
        handoff = self._one(handoff_id)
        if not changed:
            raise refusal(handoff_id, handoff.state.value, handoff.helper, helper)
        return handoff

    async def _transfer(self, handoff_id: str, from_helper: str, to_helper: str) -> Handoff:
        return await self._run(lambda: self._by_holder(handoff_id, from_helper, {"helper": to_helper}))

    async def _end(
        self, handoff_id: str, helper: str, outcome: Outcome, counter: Optional[str], now: datetime
    ) -> Handoff:
        values = {"state": State.ENDED.value, "outcome": outcome.value, "counter": counter, "ended_at": now}
        return await self._run(lambda: self._by_holder(handoff_id, helper, values))

    def _cancel_sync(self, conversation_id: str, now: datetime) -> Optional[Handoff]:
        for _ in range(3):  # again when it closed (and maybe another opened) between the two statements
            handoff_id = self._open_id(conversation_id)
            if handoff_id is None:
                return None
            values = {"state": State.CANCELLED.value, "outcome": Outcome.CANCELLED.value, "ended_at": now}
            if self._update(sa.and_(H.id == handoff_id, H.state.in_(_OPEN)), **values):
                return self._one(handoff_id)
        return None

    async def _cancel(self, conversation_id: str, now: datetime) -> Optional[Handoff]:
        return await self._run(self._cancel_sync, conversation_id, now)

    def _expire_sync(self, now: datetime, cutoff: datetime) -> List[Handoff]:
        with self._engine.connect() as connection:
            due_query = sa.select(H.id).where(H.state == State.WAITING.value, H.requested_at <= cutoff)
            due = connection.execute(due_query.order_by(H.requested_at, H.id)).scalars().all()
        missed: List[str] = []
        values = {"state": State.MISSED.value, "outcome": Outcome.MISSED.value, "ended_at": now}
        with self._engine.begin() as connection:
            for handoff_id in due:
                still_waiting = sa.and_(H.id == handoff_id, H.state == State.WAITING.value)
                if connection.execute(sa.update(handoffs).where(still_waiting).values(**values)).rowcount == 1:
                    missed.append(handoff_id)
        return self._list(H.id.in_(missed), H.requested_at, H.id) if missed else []

    async def _expire(self, now: datetime, cutoff: datetime) -> List[Handoff]:
        return await self._run(self._expire_sync, now, cutoff)

    def _add_sync(self, conversation_id: str, message: Message) -> Optional[Handoff]:
        for _ in range(3):  # again when it closed (and maybe another opened) between the two statements
            handoff_id = self._open_id(conversation_id)
            if handoff_id is None:
                return None
            with self._engine.begin() as connection:
                still_open = sa.select(
                    H.id,
                    sa.literal(message.role.value),
                    sa.literal(message.text),
                    sa.literal(message.at, UTCDateTime()),
                ).where(H.id == handoff_id, H.state.in_(_OPEN))
                columns = ["handoff_id", "role", "text", "at"]
                if connection.execute(sa.insert(handoff_messages).from_select(columns, still_open)).rowcount != 1:
                    continue
                oldest_kept = (
                    sa.select(M.id)
                    .where(M.handoff_id == handoff_id)
                    .order_by(M.id.desc())
                    .limit(1)
                    .offset(MAX_MESSAGES)
                    .scalar_subquery()
                )
                connection.execute(sa.delete(handoff_messages).where(M.handoff_id == handoff_id, M.id <= oldest_kept))
            return self._one(handoff_id)
        return None

    async def _add_message(self, conversation_id: str, message: Message) -> Optional[Handoff]:
        return await self._run(self._add_sync, conversation_id, message)

    def _count_sync(self, centre: Optional[str]) -> int:
        with self._engine.connect() as connection:
            query = sa.select(sa.func.count()).where(H.state == State.WAITING.value)
            if centre is not None:
                query = query.where(H.centre == centre)
            return int(connection.execute(query).scalar_one())

    async def waiting_count(self, centre: Optional[str] = None) -> int:
        return await self._run(self._count_sync, centre)

    def _delays_sync(self, centre: str, count: int) -> List[timedelta]:
        with self._engine.connect() as connection:
            query = (
                sa.select(H.requested_at, H.claimed_at)
                .where(H.centre == centre, H.claimed_at.isnot(None))
                .order_by(H.claimed_at.desc())
                .limit(count)
            )
            return [row.claimed_at - row.requested_at for row in connection.execute(query)]

    async def _claim_delays(self, centre: str, count: int) -> List[timedelta]:
        return await self._run(self._delays_sync, centre, count)

    async def _history(self, limit: int, state: Optional[State]) -> List[Handoff]:
        where = H.state == state.value if state else H.state.in_([s.value for s in CLOSED_STATES])
        return await self._run(lambda: self._list(where, H.requested_at.desc(), H.id.desc(), limit=limit))
