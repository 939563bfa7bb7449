"""How the Redis queue writes a handoff: a hash of strings (times as integer microseconds since the
epoch, exact in Lua's doubles too) and its messages as JSON, one list item each."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

from console.handoff.model import Handoff, Message

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TIMES = ("requested_at", "claimed_at", "ended_at")


def us(value: datetime) -> int:
    return (value - EPOCH) // timedelta(microseconds=1)


def text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def fields_of(handoff: Handoff) -> Dict[str, str]:
    data = handoff.dict(exclude={"messages"})
    fields = {name: text(getattr(value, "value", value)) for name, value in data.items() if value is not None}
    for name in _TIMES:
        if data[name] is not None:
            fields[name] = str(us(data[name]))
    return fields


def message_json(message: Message) -> str:
    return json.dumps({"role": message.role.value, "text": message.text, "at": us(message.at)}, ensure_ascii=False)


def handoff_of(fields: Dict[str, str], messages: List[Any]) -> Handoff:
    data: Dict[str, Any] = dict(fields)
    for name in _TIMES:
        if name in data:
            data[name] = EPOCH + timedelta(microseconds=int(data[name]))
    data["messages"] = [
        Message(role=m["role"], text=m["text"], at=EPOCH + timedelta(microseconds=m["at"]))
        for m in (json.loads(text(item)) for item in messages)
    ]
    return Handoff.parse_obj(data)
