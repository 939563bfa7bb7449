"""Conversations as Rasa stores them, for the tracker-store tests (and bench.tracker_store):
sessions of question-and-answer turns with the events the assistant's actions return."""

from __future__ import annotations

from typing import Callable, List

from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered

SLOTS = ("procedure", "pending_aspect", "suggested_procedure", "province", "last_aspect", "offered_procedures")


def clock(start: float = 1_800_000_000.0) -> Callable[[], float]:
    """Increasing timestamps, one second apart, as a conversation's events have."""
    now = [start]

    def tick() -> float:
        now[0] += 1.0
        return now[0]

    return tick


def turn(n: int, tick: Callable[[], float]) -> List[Event]:
    """One question and answer, with the events the assistant's actions return."""
    return [
        UserUttered(f"còn lệ phí {n}?", {"name": "ask_fee", "confidence": 0.93}, timestamp=tick()),
        ActionExecuted("action_answer_fee", timestamp=tick()),
        *(SlotSet(slot, "khai-sinh" if slot == "procedure" else None, timestamp=tick()) for slot in SLOTS),
        BotUttered(f"Lệ phí — Đăng ký khai sinh ({n}): miễn lệ phí khi đăng ký đúng hạn.", timestamp=tick()),
        ActionExecuted("action_listen", timestamp=tick()),
    ]


def sessions(count: int, turns: int, tick: Callable[[], float]) -> List[Event]:
    """`count` conversation sessions of `turns` turns each, as Rasa starts them."""
    events: List[Event] = []
    for s in range(count):
        events += [
            ActionExecuted("action_session_start", timestamp=tick()),
            SessionStarted(timestamp=tick()),
            ActionExecuted("action_listen", timestamp=tick()),
        ]
        for n in range(turns):
            events += turn(1000 * s + n, tick)
    return events
