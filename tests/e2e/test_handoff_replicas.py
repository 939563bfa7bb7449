"""The handoff with two Rasa replicas sharing Redis (trackers, locks, the channels' dedupe): the
citizen's messages land on either replica, and whichever gets them pauses, relays to the helper,
and answers again after the end, exactly as one server does."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Iterator

import aiohttp
import pytest

from bot import messages as bot_msg
from bot.actions import rating_text
from bot.launcher import free_port
from console import messages as console_msg
from tests.e2e.conftest import TELEGRAM_SECRET, Fakes, wait_for
from tests.e2e.handoff_stack import Stack, handoff_stack, log_in, page_and_token
from tests.e2e.test_handoff import items, next_text, post, texts
from tests.fakes.telegram_api import text_update
from tests.redis_server import start_redis_server

pytestmark = pytest.mark.e2e

_updates = iter(range(90_000, 99_000))


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory, portal_url: str, fakes: Fakes) -> Iterator[Stack]:
    port = free_port()
    redis = start_redis_server(port, "--save", "", "--appendonly", "no")
    try:
        tmp: Path = tmp_path_factory.mktemp("handoff-replicas")
        yield from handoff_stack(tmp, portal_url, fakes, redis_url=f"redis://127.0.0.1:{port}/0", replicas=2)
    finally:
        redis.terminate()
        redis.wait(timeout=10)


async def telegram_to(replica: str, chat: int, text: str) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    async with aiohttp.ClientSession() as session:
        url = f"{replica}/webhooks/telegram/webhook"
        async with session.post(url, json=text_update(next(_updates), chat, text), headers=headers) as response:
            assert response.status == 200


async def test_a_handoff_across_two_replicas(replicas: Stack, fakes: Fakes) -> None:
    first, second = replicas.replicas
    chat = 9001
    await telegram_to(first, chat, "cho tôi gặp người thật")
    assert next_text(fakes, chat, 0) == bot_msg.HANDOFF_OFFER
    await telegram_to(second, chat, "có")  # the yes reaches the other replica
    assert "vị trí số 1" in next_text(fakes, chat, 1)

    lan = await log_in(replicas.console, "lan")
    try:
        # paused on both: a message to either replica is relayed, and the bot says nothing
        await telegram_to(first, chat, "em ở phường Bến Nghé")
        await telegram_to(second, chat, "em cần hỏi về đất đai")
        seen: Any = None
        for _ in range(100):
            waiting = (await items(lan, replicas))["waiting"]
            texts_shown = [m["text"] for w in waiting for m in w["last"]]
            if "em cần hỏi về đất đai" in texts_shown and "em ở phường Bến Nghé" in texts_shown:
                seen = waiting[0]
                break
            await asyncio.sleep(0.1)
        assert seen is not None, "the messages sent to both replicas did not reach the queue"
        assert len(texts(fakes, chat)) == 2  # no answer from either replica while paused

        _, token = await page_and_token(lan, f"{replicas.console}/queue")
        status, claimed = await post(lan, f"{replicas.console}/queue/{seen['id']}/claim", token, {})
        assert status == 200, claimed
        assert next_text(fakes, chat, 2) == console_msg.HANDOFF_CLAIMED
        status, _ = await post(lan, f"{replicas.console}{claimed['chat']}/reply", token, {"text": "Bạn cần sổ đỏ gì?"})
        assert status == 200 and next_text(fakes, chat, 3) == "Bạn cần sổ đỏ gì?"
        status, _ = await post(lan, f"{replicas.console}{claimed['chat']}/end", token, {"outcome": "answered"})
        assert status == 200 and next_text(fakes, chat, 4) == console_msg.HANDOFF_ENDED
        assert next_text(fakes, chat, 5) == rating_text.PROMPT  # then the satisfaction prompt
    finally:
        await lan.close()

    await telegram_to(second, chat, "đăng ký thường trú cần giấy tờ gì")  # the assistant again, on either
    assert "thường trú" in next_text(fakes, chat, 6).lower()  # a question, not a rating: answered
    wait_for(lambda: len(texts(fakes, chat)) == 7)
