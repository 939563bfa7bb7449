"""A helper's message pushed to a Telegram citizen through Rasa's HTTP API: found by the channel's
name, sent to the chat of `tg:<chat id>` with the channel's one Bot (even before any update came in
since the server started), and a refusal raised with a code the console reads."""

from __future__ import annotations

from typing import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp.test_utils import TestServer

from connectors.delivery import DeliveryFailed, TelegramBlocked, TelegramRateLimited, WrongRecipient, failure_code
from connectors.rest import ResilientRestInput
from connectors.telegram.channel import TelegramInput
from connectors.telegram.output import TelegramOutput, chat_id_of
from tests.connectors.rasa_api import push
from tests.fakes.telegram_api import FakeTelegram

Server = Callable[..., Awaitable[TestServer]]
TOKEN = "123:fake"
HELPER = "Chào anh, em là tình nguyện viên ở bộ phận một cửa phường. Hồ sơ của anh đang được xử lý ạ."


@pytest.fixture
async def telegram(aiohttp_server: Server) -> AsyncIterator[tuple[FakeTelegram, TelegramInput]]:
    fake = FakeTelegram(TOKEN)
    server = await aiohttp_server(fake.app())
    channel = TelegramInput(TOKEN, "secret", str(server.make_url("/bot")))
    yield fake, channel
    if channel._bot is not None:
        await channel._bot.shutdown()


async def test_a_pushed_message_reaches_the_chat_before_any_update_came_in(
    telegram: tuple[FakeTelegram, TelegramInput],
) -> None:
    fake, channel = telegram
    assert channel._bot is None  # a server just (re)started: no update yet
    output = await push([ResilientRestInput(), channel], "tg:4242", "telegram", HELPER)
    assert isinstance(output, TelegramOutput)
    assert [(m["chat_id"], m["text"]) for m in fake.sent(4242)] == [("4242", HELPER)]
    await push([channel], "tg:4242", "telegram", "Anh cần gì thêm cứ nhắn em nhé.")
    assert len(fake.calls_of("getMe")) == 1  # the one Bot, initialised once
    assert [m["text"] for m in fake.sent(4242)][1] == "Anh cần gì thêm cứ nhắn em nhé."


async def test_a_long_pushed_message_is_split_and_a_group_chat_id_kept(
    telegram: tuple[FakeTelegram, TelegramInput],
) -> None:
    fake, channel = telegram
    text = "\n\n".join(f"Bước {i}: {'nộp bản sao giấy khai sinh có chứng thực ' * 15}".strip() for i in range(12))
    await push([channel], "tg:-100123", "telegram", text)
    sent = fake.sent(-100123)
    assert len(sent) > 1 and all(len(m["text"]) <= 4096 for m in sent)
    assert "\n\n".join(m["text"] for m in sent) == text


async def test_a_citizen_who_blocked_the_bot_is_a_typed_failure(telegram: tuple[FakeTelegram, TelegramInput]) -> None:
    fake, channel = telegram
    fake.blocked.add(4243)
    with pytest.raises(TelegramBlocked) as failed:
        await push([channel], "tg:4243", "telegram", HELPER)
    assert failure_code(f"An unexpected error occurred. Error: {failed.value}") == "telegram_blocked"
    assert fake.sent(4243) == [] and len(fake.refused) == 1
    fake.flood_wait = 7
    with pytest.raises(TelegramRateLimited, match="retry after 7 s"):
        await push([channel], "tg:4242", "telegram", HELPER)


async def test_a_failure_says_how_many_parts_of_a_long_message_went_out(
    telegram: tuple[FakeTelegram, TelegramInput],
) -> None:
    fake, channel = telegram
    output = channel.get_output_channel()
    await output.send_response("tg:1", {"text": "x"})
    fake.flood_wait = 3
    with pytest.raises(DeliveryFailed) as failed:
        await output.send_response("tg:1", {"text": "một\n\n" + "hai " * 1100})
    assert failed.value.sent_parts == 0
    fake.flood_wait = 0
    original = fake._result

    def flood_after_first(method: str, params: dict) -> object:
        fake.flood_wait = 3  # the next send is refused
        return original(method, params)

    fake._result = flood_after_first  # type: ignore[method-assign]
    with pytest.raises(TelegramRateLimited) as partly:
        await output.send_response("tg:1", {"text": "một " * 1100 + "\n\n" + "hai " * 1100})
    assert partly.value.sent_parts == 1 and "1 earlier part(s) of the message were delivered" in str(partly.value)


async def test_only_telegram_conversations_are_sent_to(telegram: tuple[FakeTelegram, TelegramInput]) -> None:
    fake, channel = telegram
    for sender in ("4242", "zalo:4242", "web:4242", "tg:", "tg:12a", "tg:4242 "):
        with pytest.raises(WrongRecipient):
            await push([channel], sender, "rest", HELPER, requested="telegram")  # a caller naming the channel
    assert fake.calls_of("sendMessage") == []
    assert chat_id_of("tg:-100123") == -100123


async def test_a_conversation_of_another_channel_is_not_sent_to_telegram(
    telegram: tuple[FakeTelegram, TelegramInput],
) -> None:
    fake, channel = telegram
    output = await push([channel], "alice", "rest", HELPER)  # REST is not among these channels
    assert not isinstance(output, TelegramOutput)
    assert fake.calls_of("sendMessage") == []
