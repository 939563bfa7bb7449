"""The Telegram pace of notices, on a clock of the test's own: the moments each send is given."""

from __future__ import annotations

from typing import List

from connectors.portal.notify_pace import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: List[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_one_a_second_to_a_chat_and_n_a_second_in_all() -> None:
    clock = Clock()
    pacer = Pacer(per_second=4, chat_seconds=1.0, max_wait=10, clock=clock, sleep=clock.sleep)
    moments = []
    for chat in ("a", "b", "c", "a", "d", "e"):
        assert await pacer.turn(chat) is None
        moments.append((chat, clock.now))
    assert moments == [("a", 100.0), ("b", 100.25), ("c", 100.5), ("a", 101.0), ("d", 101.25), ("e", 101.5)]
    clock.now = 200.0  # sends reserved ahead; the slots between them serve other chats
    assert [pacer._reserve(c) for c in ("x", "x", "y", "x", "z")] == [200.0, 201.0, 200.25, 202.0, 200.5]


async def test_past_the_longest_wait_nothing_is_reserved() -> None:
    clock = Clock()
    pacer = Pacer(per_second=30, chat_seconds=1.0, max_wait=1.5, clock=clock, sleep=clock.sleep)
    assert await pacer.turn("a") is None
    pacer._reserve("a")  # a second send to the chat, at 101
    assert await pacer.turn("a") == 2.0  # the third would wait until 102: handed back
    assert pacer.wait_for("a") == 2.0 and clock.slept == []  # and nothing was reserved for it
    assert await pacer.turn("b") is None and clock.now == 100 + 1 / 30  # a free slot before "a"'s next one


async def test_a_cooldown_holds_every_chat() -> None:
    clock = Clock()
    pacer = Pacer(per_second=30, chat_seconds=1.0, max_wait=5, clock=clock, sleep=clock.sleep)
    pacer.cool_down(3.0, "a")
    assert await pacer.turn("b") is None and clock.now == 103.0
    pacer.cool_down(30.0)
    assert await pacer.turn("c") == 30.0


async def test_chats_past_their_turn_are_forgotten() -> None:
    clock = Clock()
    pacer = Pacer(per_second=1000, chat_seconds=0.001, max_wait=5, clock=clock, sleep=clock.sleep)
    for n in range(10_050):
        await pacer.turn(f"chat-{n}")
        clock.now += 0.01
    assert len(pacer._next_chat) < 10_050
