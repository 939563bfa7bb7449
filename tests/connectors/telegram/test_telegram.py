"""Telegram pieces against the fake Bot API: replies, keyboards, keys, deep links."""

from __future__ import annotations

import json
from typing import AsyncIterator, Awaitable, Callable, List

import pytest
from aiohttp.test_utils import TestServer
from telegram import Bot

from connectors.telegram.channel import start_payload
from connectors.telegram.output import CallbackKeys, TelegramOutput
from tests.fakes.telegram_api import FakeTelegram

Server = Callable[..., Awaitable[TestServer]]
TOKEN = "123:fake"


@pytest.fixture
async def bots() -> AsyncIterator[List[Bot]]:
    """The Bots a test uses, shut down after it (their HTTP connections closed)."""
    used: List[Bot] = []
    yield used
    for bot in used:
        await bot.shutdown()


async def bot_for(fake: FakeTelegram, aiohttp_server: Server, bots: List[Bot]) -> Bot:
    server = await aiohttp_server(fake.app())
    bot = Bot(TOKEN, base_url=str(server.make_url("/bot")))
    await bot.initialize()
    bots.append(bot)
    return bot


async def test_long_answers_are_split_under_4096(aiohttp_server: Server, bots: List[Bot]) -> None:
    fake = FakeTelegram(TOKEN)
    bot = await bot_for(fake, aiohttp_server, bots)
    text = "\n\n".join(f"Giấy tờ số {i}: {'bản sao có chứng thực ' * 20}".strip() for i in range(20))
    await TelegramOutput(bot, CallbackKeys()).send_text_message("tg:77", text)
    sent = fake.sent(77)
    assert len(sent) > 1 and all(len(m["text"]) <= 4096 for m in sent)
    assert "\n\n".join(m["text"] for m in sent) == text


async def test_buttons_become_an_inline_keyboard_with_short_keys(aiohttp_server: Server, bots: List[Bot]) -> None:
    fake = FakeTelegram(TOKEN)
    bot = await bot_for(fake, aiohttp_server, bots)
    keys = CallbackKeys()
    payload = '/ask_fee{"procedure": "xac-nhan-tinh-trang-hon-nhan-cho-nguoi-o-nuoc-ngoai-va-them"}'
    assert len(payload.encode()) > 64
    buttons = [{"title": "Cấp Giấy xác nhận tình trạng hôn nhân", "payload": payload}]
    await TelegramOutput(bot, keys).send_text_with_buttons("tg:77", "Bạn muốn hỏi thủ tục nào?", buttons)
    [message] = fake.sent(77)
    [[button]] = message["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Cấp Giấy xác nhận tình trạng hôn nhân"
    assert len(button["callback_data"].encode()) <= 64
    assert await keys.payload_of(button["callback_data"]) == payload
    assert await CallbackKeys().payload_of(button["callback_data"]) is None  # another process, no Redis


def test_start_and_deep_links() -> None:
    assert start_payload("/start") == "/greet"
    assert start_payload("/start khai-sinh") == "/ask_procedure" + json.dumps({"procedure": "khai-sinh"})
    assert start_payload("/start@motcua_bot tam-tru") == "/ask_procedure" + json.dumps({"procedure": "tam-tru"})
    assert start_payload("/start ../etc") == "/greet"
    assert start_payload("làm khai sinh") is None


async def test_a_failure_while_answering_sends_an_apology(aiohttp_server: Server, bots: List[Bot]) -> None:
    from connectors.telegram.channel import TelegramInput
    from tests.fakes.telegram_api import text_update

    fake = FakeTelegram(TOKEN)
    server = await aiohttp_server(fake.app())
    channel = TelegramInput(TOKEN, "secret", str(server.make_url("/bot")))
    bots.append(await channel.bot())

    async def broken(message: object) -> None:
        raise RuntimeError("the tracker store is away")

    await channel._handle(text_update(1, 88, "làm khai sinh cần gì"), broken)
    [apology] = fake.sent(88)
    assert (
        apology["text"].startswith("Xin lỗi, hệ thống tạm thời gián đoạn, vui lòng thử lại")
        and "1800 1096" in apology["text"]
    )


async def test_polling_forwards_updates_to_the_webhook_with_the_secret(
    aiohttp_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiohttp import web

    from connectors.telegram.__main__ import poll
    from tests.fakes.telegram_api import text_update

    fake = FakeTelegram(TOKEN)
    fake.updates = [text_update(7, 99, "xin chào"), text_update(8, 99, "cảm ơn")]
    api = await aiohttp_server(fake.app())
    received: list = []

    async def webhook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/webhooks/telegram/webhook", webhook)
    rasa = await aiohttp_server(app)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", str(api.make_url("/bot")))
    await poll(str(rasa.make_url("")), rounds=1)
    assert [(secret, body["update_id"], body["message"]["text"]) for secret, body in received] == [
        ("s3", 7, "xin chào"),
        ("s3", 8, "cảm ơn"),
    ]
    assert fake.calls_of("deleteWebhook")  # polling and a webhook cannot both be on


async def test_a_message_over_the_length_cap_gets_the_note_and_never_reaches_the_assistant(
    aiohttp_server: Server, bots: List[Bot]
) -> None:
    from connectors.telegram.channel import TelegramInput
    from connectors.text import MAX_MESSAGE_CHARS, too_long_note
    from tests.fakes.telegram_api import text_update

    fake = FakeTelegram(TOKEN)
    server = await aiohttp_server(fake.app())
    channel = TelegramInput(TOKEN, "secret", str(server.make_url("/bot")))
    bots.append(await channel.bot())
    received: list = []

    async def assistant(message: object) -> None:
        received.append(getattr(message, "text", None))

    await channel._handle(text_update(1, 88, "con " * (MAX_MESSAGE_CHARS // 4) + "x"), assistant)
    assert received == []
    assert [m["text"] for m in fake.sent(88)] == [too_long_note()]

    await channel._handle(text_update(2, 89, "a" * MAX_MESSAGE_CHARS), assistant)  # at the cap: read
    assert received == ["a" * MAX_MESSAGE_CHARS]


async def test_polling_logs_neither_the_token_nor_the_secret(aiohttp_server: Server) -> None:
    """`python -m connectors.telegram poll` at DEBUG: httpx would log every Bot API URL, token inside."""
    import asyncio
    import sys

    from aiohttp import web

    from bot.launcher import ROOT, child_env
    from tests.fakes.telegram_api import text_update

    token, secret = "7700110022:" + "AAE-poll-token-abcdefghijklmnopqrstuv", "poll-secret-0123456789"  # fake
    fake = FakeTelegram(token)
    fake.updates = [text_update(7, 99, "xin chào")]
    api = await aiohttp_server(fake.app())

    async def webhook(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/webhooks/telegram/webhook", webhook)
    rasa = await aiohttp_server(app)
    env = child_env(
        {
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_WEBHOOK_SECRET": secret,
            "TELEGRAM_API_BASE_URL": str(api.make_url("/bot")),
            "LOG_LEVEL": "DEBUG",
        }
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "connectors.telegram", "poll", "--rasa", str(rasa.make_url("")), "--rounds", "1",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    printed = output.decode("utf-8", "replace")
    assert process.returncode == 0, printed
    assert token not in printed and token.split(":")[1] not in printed and secret not in printed
    assert fake.calls_of("getUpdates") and "DEBUG" in printed  # it ran, and logged at DEBUG
