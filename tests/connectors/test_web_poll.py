"""A helper's message pushed to a web chat citizen through Rasa's HTTP API: it waits in the mailbox
and reaches the page once, by `POST /webhooks/web/poll` (signed session, limited per session,
optionally waiting up to 20 s) or first in the answer to the page's next message."""

from __future__ import annotations

import asyncio
import time
from typing import AsyncIterator, Tuple

import pytest
import redis.asyncio as aioredis

from connectors.mailbox import MailboxOutput, MemoryMailbox, RedisMailbox
from connectors.web import Limits, Sessions, WebChatInput
from motcua.settings import get_settings
from tests.connectors.rasa_api import push
from tests.connectors.serve import REPLY, post, serving

HELPER = "Chào bạn, mình là tình nguyện viên. Bạn mang CCCD bản gốc khi đến nộp hồ sơ nhé."
Web = Tuple[WebChatInput, str]


@pytest.fixture
async def web(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Web]:
    monkeypatch.delenv("REDIS_URL", raising=False)  # limits in memory
    get_settings.cache_clear()
    channel = WebChatInput(Sessions("s" * 32), Limits(polls_per_session=5), mailbox=MemoryMailbox())
    async with serving(channel) as url:
        yield channel, url


async def new_session(url: str) -> Tuple[str, str]:
    """A session and its conversation id (`web:<id>`)."""
    status, answer = await post(f"{url}/session", {})
    assert status == 200
    return answer["session"], "web:" + answer["session"].split(".")[0]


async def test_a_pushed_message_comes_back_from_the_poll_once(web: Web) -> None:
    channel, url = web
    session, conversation = await new_session(url)
    assert await post(f"{url}/poll", {"session": session}) == (200, [])
    output = await push([channel], conversation, "web", HELPER)
    assert isinstance(output, MailboxOutput)
    assert await post(f"{url}/poll", {"session": session}) == (200, [{"recipient_id": conversation, "text": HELPER}])
    assert await post(f"{url}/poll", {"session": session}) == (200, [])
    other, _ = await new_session(url)
    await push([channel], conversation, "web", HELPER)
    assert await post(f"{url}/poll", {"session": other}) == (200, [])  # another page never gets it


async def test_a_waiting_poll_answers_as_soon_as_the_message_is_pushed(web: Web) -> None:
    channel, url = web
    session, conversation = await new_session(url)
    started = time.monotonic()
    assert await post(f"{url}/poll", {"session": session, "wait": 0.3}) == (200, [])
    assert 0.25 < time.monotonic() - started < 3
    poll = asyncio.ensure_future(post(f"{url}/poll", {"session": session, "wait": 15}))
    await asyncio.sleep(0.3)
    started = time.monotonic()
    await push([channel], conversation, "web", HELPER)
    assert await asyncio.wait_for(poll, 5) == (200, [{"recipient_id": conversation, "text": HELPER}])
    assert time.monotonic() - started < 2


async def test_the_next_message_gets_the_waiting_messages_first(web: Web) -> None:
    channel, url = web
    session, conversation = await new_session(url)
    await push([channel], conversation, "web", "Bạn ơi,\n\nhồ sơ đã có kết quả.")
    status, replies = await post(f"{url}/webhook", {"session": session, "message": "cảm ơn"})
    assert status == 200 and [r["text"] for r in replies] == ["Bạn ơi,", "hồ sơ đã có kết quả.", REPLY]
    assert await post(f"{url}/poll", {"session": session}) == (200, [])


async def test_polls_need_a_session_and_are_limited(web: Web) -> None:
    _, url = web
    session, _ = await new_session(url)
    ident, expiry, signature = session.split(".")
    for forged in (None, "", "web:" + ident, f"{'0' * 32}.{expiry}.{signature}"):
        status, answer = await post(f"{url}/poll", {"session": forged})
        assert status == 401 and "session" in answer["error"]
    for body in (b"{not json", b"[]", {"session": session, "wait": 21}, {"session": session, "wait": "5"}):
        assert (await post(f"{url}/poll", body))[0] == 400
    statuses = [(await post(f"{url}/poll", {"session": session}))[0] for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    other, _ = await new_session(url)
    assert (await post(f"{url}/poll", {"session": other}))[0] == 200


async def test_a_mailbox_that_cannot_be_read_is_503_for_a_poll_not_for_a_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    away = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    channel = WebChatInput(Sessions("s" * 32), mailbox=RedisMailbox(away, away))
    async with serving(channel) as url:
        session, _ = await new_session(url)
        status, answer = await post(f"{url}/poll", {"session": session, "wait": 5})
        assert status == 503 and "unavailable" in answer["error"]
        assert await post(f"{url}/webhook", {"session": session, "message": "xin chào"}) == (
            200,
            [{"recipient_id": "web:" + session.split(".")[0], "text": REPLY}],
        )
    await away.close(close_connection_pool=True)
