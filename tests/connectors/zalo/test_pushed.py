"""A helper's message pushed to a Zalo citizen through Rasa's HTTP API: sent with the channel's one
client (tokens, refresh) to the user of `zalo:<user id>`, and a closed messaging window (-230)
raised as `ZaloWindowClosed`, which the API call reports; the replies to a citizen who just wrote
still never raise."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp.test_utils import TestServer

from bot.launcher import free_port
from connectors.delivery import WrongRecipient, ZaloUnavailable, ZaloWindowClosed, failure_code
from connectors.zalo.channel import ZaloInput
from connectors.zalo.client import ZaloClient
from connectors.zalo.output import ZaloOutput
from connectors.zalo.tokens import Tokens, TokenStore
from tests.connectors.rasa_api import push
from tests.fakes.zalo_api import FakeZalo

Server = Callable[..., Awaitable[TestServer]]
APP = "app-1"
HELPER = "Chào chị, em là tình nguyện viên ở bộ phận một cửa. Chị mang thêm bản sao sổ hộ khẩu nhé."


@pytest.fixture
async def zalo(aiohttp_server: Server, tmp_path: Path) -> AsyncIterator[tuple[FakeZalo, ZaloInput]]:
    fake = FakeZalo(APP, "app-secret", "access-0", "refresh-0")
    server = await aiohttp_server(fake.app())
    url = str(server.make_url("")).rstrip("/")
    store = TokenStore(tmp_path / "tokens.json", initial=Tokens("access-0", "refresh-0"))
    channel = ZaloInput(APP, "oa-secret", ZaloClient(APP, "app-secret", store, api_base_url=url, oauth_base_url=url))
    yield fake, channel
    await channel.client.close()


async def test_a_pushed_message_reaches_the_zalo_user(zalo: tuple[FakeZalo, ZaloInput]) -> None:
    fake, channel = zalo
    output = await push([channel], "zalo:8437012345678901234", "zalo", HELPER)
    assert isinstance(output, ZaloOutput) and output.sent == 1
    assert fake.messages == [{"recipient": {"user_id": "8437012345678901234"}, "message": {"text": HELPER}}]


async def test_an_expired_token_is_refreshed_then_the_pushed_message_sent(zalo: tuple[FakeZalo, ZaloInput]) -> None:
    fake, channel = zalo
    fake.expire_access_token()
    await push([channel], "zalo:u1", "zalo", HELPER)
    assert fake.refreshes == 1 and fake.sent_to("u1") == [{"text": HELPER}]


async def test_a_closed_window_fails_the_push_with_zalo_window_closed(zalo: tuple[FakeZalo, ZaloInput]) -> None:
    fake, channel = zalo
    fake.silent_users.add("u9")
    with pytest.raises(ZaloWindowClosed) as closed:
        await push([channel], "zalo:u9", "zalo", HELPER)
    rasa_says = f"An unexpected error occurred. Error: {closed.value}"  # the message of Rasa's HTTP 500
    assert failure_code(rasa_says) == "zalo_window_closed"
    assert "they must write to the OA first" in rasa_says and "u9" not in rasa_says
    assert fake.sent_to("u9") == [] and [r["error"] for r in fake.refused] == [-230]


async def test_zalo_unreachable_fails_the_push(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    store = TokenStore(tmp_path / "tokens.json", initial=Tokens("access-0", "refresh-0"))
    channel = ZaloInput(APP, "oa-secret", ZaloClient(APP, "app-secret", store, api_base_url=url, oauth_base_url=url))
    with pytest.raises(ZaloUnavailable):
        await push([channel], "zalo:u1", "zalo", HELPER)
    await channel.client.close()


async def test_only_zalo_conversations_are_sent_to(zalo: tuple[FakeZalo, ZaloInput]) -> None:
    fake, channel = zalo
    for sender in ("u1", "tg:u1", "web:u1", "zalo:", "zalo:u 1", "zalo:" + "9" * 65):
        with pytest.raises(WrongRecipient):
            await push([channel], sender, "rest", HELPER, requested="zalo")
    assert fake.messages == [] and fake.refused == []


async def test_replies_to_a_citizen_who_just_wrote_never_raise(zalo: tuple[FakeZalo, ZaloInput]) -> None:
    fake, channel = zalo
    fake.silent_users.add("u9")
    webhook_output = ZaloOutput(channel.client)  # what the webhook answers with
    await webhook_output.send_text_message("zalo:u9", "một\n\n" + "hai " * 600)  # 3 parts
    await webhook_output.send_text_message("tg:1", "không phải Zalo")
    assert webhook_output.sent == 0 and len(fake.refused) == 3  # every part tried, none accepted
    await webhook_output.send_text_with_buttons("zalo:u1", "Chọn một", [{"title": "Có", "payload": "/affirm"}])
    assert webhook_output.sent == 1
