"""A helper's message pushed to a REST conversation through Rasa's HTTP API: it waits in the mailbox
and goes out once, first in the answer to the sender's next message or by `POST
/webhooks/rest/poll`, to callers the REST channel answers (this machine, not through a proxy)."""

from __future__ import annotations

from typing import AsyncIterator, Tuple

import pytest

from connectors.mailbox import MailboxOutput, MemoryMailbox
from connectors.rest import ResilientRestInput, read_poll
from connectors.web import Sessions, WebChatInput
from motcua.settings import get_settings
from tests.connectors.rasa_api import push
from tests.connectors.serve import REPLY, post, serving

HELPER = "Chào anh, hồ sơ đăng ký khai sinh của anh đã có kết quả, anh đến nhận giúp em nhé."
Rest = Tuple[ResilientRestInput, str]


@pytest.fixture
async def rest(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Rest]:
    monkeypatch.delenv("MOTCUA_PUBLIC_REST", raising=False)
    get_settings.cache_clear()
    channel = ResilientRestInput(MemoryMailbox())
    async with serving(channel) as url:
        yield channel, url


async def test_the_next_message_gets_the_pushed_message_first_and_once(rest: Rest) -> None:
    channel, url = rest
    output = await push([channel], "citizen-7", "rest", HELPER)
    assert isinstance(output, MailboxOutput)
    status, replies = await post(f"{url}/webhook", {"sender": "citizen-7", "message": "cảm ơn"})
    assert status == 200 and replies == [
        {"recipient_id": "citizen-7", "text": HELPER},
        {"recipient_id": "citizen-7", "text": REPLY},
    ]
    _, again = await post(f"{url}/webhook", {"sender": "citizen-7", "message": "cảm ơn"})
    assert again == [{"recipient_id": "citizen-7", "text": REPLY}]
    await push([channel], "citizen-7", "rest", HELPER)
    _, noted = await post(f"{url}/webhook", {"sender": "citizen-7", "message": " "})  # answered by a note
    assert noted[0]["text"] == HELPER


async def test_a_poll_takes_what_waits_for_its_sender_only(rest: Rest) -> None:
    channel, url = rest
    await push([channel], "citizen-8", "rest", HELPER)
    assert await post(f"{url}/poll", {"sender": "citizen-9"}) == (200, [])
    assert await post(f"{url}/poll", {"sender": "citizen-8", "wait": 1}) == (
        200,
        [{"recipient_id": "citizen-8", "text": HELPER}],
    )
    assert await post(f"{url}/poll", {"sender": "citizen-8"}) == (200, [])


async def test_a_poll_is_refused_like_a_message(rest: Rest) -> None:
    channel, url = rest
    await push([channel], "citizen-10", "rest", HELPER)
    status, _ = await post(f"{url}/poll", {"sender": "citizen-10"}, {"X-Forwarded-For": "203.0.113.9"})
    assert status == 403  # through a proxy: not this machine's caller
    for body in ({"sender": "tg:1"}, {"sender": "web:abc"}, {"sender": "a", "wait": -1}, b"[1]"):
        assert (await post(f"{url}/poll", body))[0] == 400
    assert (await post(f"{url}/poll", {"sender": "citizen-10"}))[1][0]["text"] == HELPER  # still there


def test_read_poll() -> None:
    assert read_poll(b'{"sender": "a-1", "wait": 2.5}') == ("a-1", 2.5, "")
    assert read_poll(b'{"sender": "a-1"}') == ("a-1", 0.0, "")
    assert read_poll(b'{"sender": "a-1", "wait": true}')[0] is None
    assert read_poll(b"")[0] is None


async def test_the_rest_and_web_channels_share_the_process_mailbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    rest, web = ResilientRestInput(), WebChatInput(Sessions("s" * 32))
    assert rest.mailbox is web.mailbox  # what one's API call pushes, the other's poll finds
    assert isinstance(rest.get_output_channel(), MailboxOutput)
