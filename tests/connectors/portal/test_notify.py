"""The Notifier through a Rasa HTTP API that sends with the real channels (tests/fakes/rasa_api.py) to the
fake Telegram, Zalo, ZNS servers and a real mailbox: what the citizen receives, and what the watcher
is told (SENT, RETRY after n seconds, GONE, UNDELIVERABLE) by each channel's rules."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import itertools
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, Optional

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.launcher import free_port
from connectors.mailbox import MemoryMailbox
from connectors.portal.notify import Notifier, Sent, retry_after_of, zns_from_settings
from connectors.portal.notify_pace import Pacer
from connectors.portal.notify_zns import FileTokens, ZnsClient, zns_phone
from connectors.portal.watch_store import Subscription
from connectors.rasa_api import RasaApi
from connectors.rest import ResilientRestInput
from connectors.telegram.channel import TelegramInput
from connectors.zalo.channel import DEFAULT_TOKEN_FILE, ZaloInput
from connectors.zalo.client import ZaloClient
from connectors.zalo.tokens import Tokens, TokenStore
from dossiers.model import VIETNAM, Dossier
from motcua.settings import Settings
from tests.fakes.rasa_api import FakeRasaApi
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.fakes.zns_api import FakeZns

Server = Callable[..., Awaitable[TestServer]]
SECRET = "jwt-secret-of-the-notify-tests-0123456789"
TOKEN = "123:fake"
NOW = dt.datetime(2026, 11, 22, 10, 0, tzinfo=VIETNAM)
CODE = "000.00.53.H48-261101-0005"
TEMPLATE = "301234"


def dossier(status: int = 5, **extra: Any) -> Dossier:
    return Dossier.parse_obj(
        {
            "code": CODE,
            "procedure_name": "Đăng ký thường trú",
            "applicant_name": "Trần Thị Bình",
            "phone": "0905123405",
            "status_code": status,
            "note": "Bản sao sổ hộ khẩu",
            **extra,
        }
    )


def subscription(sender: str, channel: str, ident: int = 1, phone: Optional[str] = None) -> Subscription:
    return Subscription(
        id=ident,
        sender_id=sender,
        channel=channel,
        code=CODE,
        last_status="PROCESSING",
        appointment=None,
        phone=phone,
        state="active",
        created_at=NOW,
        expires_at=NOW + dt.timedelta(days=90),
    )


@dataclasses.dataclass
class World:
    telegram: FakeTelegram
    zalo: FakeZalo
    zns: FakeZns
    rasa: FakeRasaApi
    mailbox: MemoryMailbox
    rasa_url: str
    zns_url: str
    zalo_url: str
    session: aiohttp.ClientSession
    tmp: Path

    def notifier(self, pacer: Optional[Pacer] = None, zns: bool = True, secret: str = SECRET) -> Notifier:
        client = ZnsClient(self.zns_url, TEMPLATE, FileTokens(self.tmp / "tokens.json", Tokens("access-0", "r")),
                           self.session)  # fmt: skip
        return Notifier(RasaApi(self.rasa_url, secret, self.session), pacer, client if zns else None)


@pytest.fixture
async def world(aiohttp_server: Server, tmp_path: Path) -> AsyncIterator[World]:
    telegram = FakeTelegram(TOKEN)
    telegram_server = await aiohttp_server(telegram.app())
    zalo = FakeZalo("app-1", "app-secret", "access-0", "refresh-0")
    zalo_server = await aiohttp_server(zalo.app())
    zalo_url = str(zalo_server.make_url("")).rstrip("/")
    zns = FakeZns(lambda: zalo.access_token)
    zns_server = await aiohttp_server(zns.app())
    store = TokenStore(tmp_path / "tokens.json", initial=Tokens("access-0", "refresh-0"))
    zalo_channel = ZaloInput(
        "app-1", "oa-secret", ZaloClient("app-1", "app-secret", store, api_base_url=zalo_url, oauth_base_url=zalo_url)
    )
    telegram_channel = TelegramInput(TOKEN, "secret", str(telegram_server.make_url("/bot")))
    mailbox = MemoryMailbox(max_messages=2)
    rasa = FakeRasaApi(SECRET, [telegram_channel, zalo_channel, ResilientRestInput(mailbox)])
    rasa_server = await aiohttp_server(rasa.app())
    async with aiohttp.ClientSession() as session:
        yield World(
            telegram,
            zalo,
            zns,
            rasa,
            mailbox,
            str(rasa_server.make_url("")).rstrip("/"),
            str(zns_server.make_url("")).rstrip("/"),
            zalo_url,
            session,
            tmp_path,
        )
    await zalo_channel.client.close()
    if telegram_channel._bot is not None:
        await telegram_channel._bot.shutdown()


async def test_a_telegram_citizen_receives_the_notice_with_a_button_to_stop(world: World) -> None:
    result = await world.notifier().notify(subscription("tg:4242", "telegram"), dossier(), "status", NOW)
    assert result.outcome is Sent.SENT
    [sent] = world.telegram.sent(4242)
    assert sent["text"].startswith("Thông báo hồ sơ 000.00.53.H48-261101-**** — Đăng ký thường trú\n")
    assert "Hồ sơ vừa chuyển sang tình trạng mới: cần bổ sung giấy tờ." in sent["text"]
    assert "Giấy tờ cần bổ sung: Bản sao sổ hộ khẩu" in sent["text"]
    assert CODE not in sent["text"]
    [[button]] = sent["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Hủy theo dõi"
    [pushed] = world.rasa.pushed
    assert (pushed.conversation, pushed.output_channel) == ("tg:4242", "telegram")
    assert pushed.events[0]["metadata"] == {
        "motcua": {"outcome": "notification", "kind": "status", "status": "SUPPLEMENT"}
    }


async def test_a_telegram_429_is_a_retry_after_its_seconds_and_holds_the_other_sends(world: World) -> None:
    notifier = world.notifier(Pacer(per_second=30, chat_seconds=1.0, max_wait=1.0))
    world.telegram.flooded[4242] = 3
    result = await notifier.notify(subscription("tg:4242", "telegram"), dossier(), "status", NOW)
    assert (result.outcome, result.retry_after, result.reason) == (Sent.RETRY, 3.0, "telegram_rate_limited")
    # Telegram's flood control is the bot's: nothing goes to anyone until the wait is over
    other = await notifier.notify(subscription("tg:5151", "telegram", 2), dossier(), "status", NOW)
    assert (other.outcome, other.reason) == (Sent.RETRY, "telegram pace") and 2.5 < other.retry_after <= 3.0
    assert world.telegram.sent(5151) == [] and len(world.telegram.refused) == 1
    patient = world.notifier(Pacer(per_second=30, chat_seconds=1.0, max_wait=10.0))
    world.telegram.flooded[4243] = 2
    assert (await patient.notify(subscription("tg:4243", "telegram"), dossier(), "status", NOW)).retry_after == 2.0
    waited = await patient.notify(subscription("tg:5152", "telegram", 3), dossier(), "status", NOW)
    [refused] = world.telegram.refused[1:]
    assert waited.outcome is Sent.SENT and world.telegram.sent_at(5152)[0] - refused.at >= 1.95  # held, then sent
    assert retry_after_of("An unexpected error occurred. Error: [telegram_rate_limited] … (retry after 12 s)") == 12.0


async def test_a_telegram_403_means_the_citizen_is_gone(world: World) -> None:
    world.telegram.blocked.add(4243)
    result = await world.notifier().notify(subscription("tg:4243", "telegram"), dossier(), "status", NOW)
    assert (result.outcome, result.reason) == (Sent.GONE, "telegram_blocked")


async def test_one_notice_a_second_to_a_chat_measured_at_telegram(world: World) -> None:
    notifier = world.notifier(Pacer(per_second=30, chat_seconds=1.0, max_wait=10))
    await notifier.notify(subscription("tg:1", "telegram", 9), dossier(), "status", NOW)  # the channel's Bot is up
    chat = subscription("tg:4244", "telegram")
    results = await asyncio.gather(*(notifier.notify(chat, dossier(s), "status", NOW) for s in (2, 4, 5)))
    assert [r.outcome for r in results] == [Sent.SENT] * 3
    at = world.telegram.sent_at(4244)
    assert len(at) == 3
    assert all(later - earlier >= 0.95 for earlier, later in itertools.pairwise(at)), at


async def test_at_most_n_notices_a_second_in_all(world: World) -> None:
    notifier = world.notifier(Pacer(per_second=20, chat_seconds=1.0, max_wait=10))
    await notifier.notify(subscription("tg:1", "telegram", 99), dossier(), "status", NOW)  # the channel's Bot is up
    chats = [subscription(f"tg:{7000 + i}", "telegram", i) for i in range(21)]
    results = await asyncio.gather(*(notifier.notify(c, dossier(), "status", NOW) for c in chats))
    assert {r.outcome for r in results} == {Sent.SENT}
    at = sorted(c.at for c in world.telegram.calls if c.method == "sendMessage" and c.params["chat_id"] != "1")
    # one send per slot of 1/20 s: 21 sends span 20 slots (the first may start late in its own)
    assert len(at) == 21 and at[-1] - at[0] >= 0.95 - 0.02
    # Never a burst, as Telegram counts them: half a second holds 10 or 11 slots. The arrival times carry
    # the HTTP round trip's jitter on a busy machine, so two more are allowed; unpaced, all 21 would come at once.
    assert max(sum(1 for t in at if start <= t < start + 0.5) for start in at) <= 13


async def test_past_the_longest_wait_a_notice_is_retried_instead_of_held(world: World) -> None:
    notifier = world.notifier(Pacer(per_second=30, chat_seconds=1.0, max_wait=1.5))
    chat = subscription("tg:4245", "telegram")
    results = await asyncio.gather(*(notifier.notify(chat, dossier(s), "status", NOW) for s in (2, 4, 5)))
    assert [r.outcome for r in results] == [Sent.SENT, Sent.SENT, Sent.RETRY]
    assert 1.5 < results[2].retry_after <= 2.0 and results[2].reason == "telegram pace"
    assert len(world.telegram.sent(4245)) == 2


async def test_zalo_within_the_window_is_a_consultation_message(world: World) -> None:
    result = await world.notifier().notify(
        subscription("zalo:u1", "zalo", phone="0905123405"), dossier(), "status", NOW
    )
    assert result.outcome is Sent.SENT
    [message] = world.zalo.sent_to("u1")
    assert message["text"].startswith("Thông báo hồ sơ 000.00.53.H48-261101-****")
    assert world.zns.sent == []


async def test_zalo_past_the_window_goes_by_zns_to_the_phone_on_file(world: World) -> None:
    world.zalo.silent_users.add("u2")
    sub = subscription("zalo:u2", "zalo", ident=17, phone="0905 123 405")
    result = await world.notifier().notify(sub, dossier(9, agency="UBND phường Hải Châu"), "status", NOW)
    assert (result.outcome, result.reason) == (Sent.SENT, "by ZNS")
    assert world.zns.sent == [
        {
            "phone": "84905123405",
            "template_id": TEMPLATE,
            "template_data": {
                "ma_ho_so": "000.00.53.H48-261101-****",
                "thu_tuc": "Đăng ký thường trú",
                "trang_thai": "đã có kết quả, chờ bạn đến nhận",
                "ngay_hen": "",
                "buoc_tiep_theo": (
                    "Kết quả đã có: bạn mang giấy tiếp nhận hồ sơ (phiếu hẹn) và giấy tờ tùy thân đến nơi nộp hồ sơ "
                    "để nhận, hoặc chờ bưu điện chuyển nếu đã đăng ký nhận qua bưu chính."
                ),
            },
            "tracking_id": "motcua-17-status-DONE",
        }
    ]
    assert world.zns.headers == ["access-0"]  # the OA's access token
    assert len(world.zalo.refused) == 1 and world.zalo.refused[0]["error"] == -230


async def test_zalo_past_the_window_without_zns_is_undeliverable(world: World) -> None:
    world.zalo.silent_users.add("u3")
    without_template = await world.notifier(zns=False).notify(
        subscription("zalo:u3", "zalo", phone="0905123405"), dossier(), "status", NOW
    )
    assert without_template.outcome is Sent.UNDELIVERABLE
    assert without_template.reason == "zalo_window_closed, no ZNS template configured"
    without_phone = await world.notifier().notify(subscription("zalo:u3", "zalo"), dossier(), "status", NOW)
    assert (without_phone.outcome, without_phone.reason) == (Sent.UNDELIVERABLE, "zalo_window_closed, no phone kept")
    assert world.zns.sent == [] and world.zns.refused == []


async def test_zns_errors(world: World) -> None:
    world.zalo.silent_users.add("u4")
    sub = subscription("zalo:u4", "zalo", phone="0905123405")
    world.zns.rejecting.add("84905123405")  # the citizen refused ZNS messages
    refused = await world.notifier().notify(sub, dossier(), "status", NOW)
    assert (refused.outcome, refused.reason) == (Sent.UNDELIVERABLE, "ZNS error -139")
    world.zns.rejecting.clear()
    world.zns.quota = 0
    spent = await world.notifier().notify(sub, dossier(), "status", NOW)
    assert (spent.outcome, spent.retry_after) == (Sent.RETRY, 3600.0)
    world.zns.quota = 10
    # The file holds a token Zalo no longer takes: the channel (the file's owner) refreshes it, not the watcher.
    (world.tmp / "stale.json").write_text('{"access_token": "stale", "refresh_token": "r"}', encoding="utf-8")
    zns = ZnsClient(world.zns_url, TEMPLATE, FileTokens(world.tmp / "stale.json", None), world.session)
    stale = await Notifier(RasaApi(world.rasa_url, SECRET, world.session), zns=zns).notify(
        sub, dossier(), "status", NOW
    )
    assert (stale.outcome, stale.retry_after) == (Sent.RETRY, 600.0) and "access token" in stale.reason
    assert world.zalo.refreshes == 0 and world.zns.sent == []


async def test_zns_refreshes_an_invalid_token_when_it_may(world: World) -> None:
    """With a refresher (the tokens on Redis, under the channel's lock), -124 is refreshed and tried again."""
    store = TokenStore(world.tmp / "shared.json", initial=Tokens("access-0", "refresh-0"))
    refresher = ZaloClient("app-1", "app-secret", store, oauth_base_url=world.zalo_url, session=world.session)
    zns = ZnsClient(world.zns_url, TEMPLATE, store, world.session, refresher=refresher)
    world.zalo.expire_access_token()
    answer = await zns.send("0905123405", {"ma_ho_so": "x"}, "motcua-1-status-DONE")
    assert answer.sent and world.zalo.refreshes == 1
    assert world.zns.headers == ["access-0", world.zalo.access_token]
    assert (await store.current()).access_token == world.zalo.access_token  # kept for the channel


async def test_the_web_chat_and_rest_notices_wait_in_the_mailbox(world: World) -> None:
    result = await world.notifier().notify(subscription("citizen-7", "rest"), dossier(), "status", NOW)
    assert result.outcome is Sent.SENT
    waiting = await world.mailbox.take("citizen-7")
    assert waiting[0]["text"].startswith("Thông báo hồ sơ 000.00.53.H48-261101-****")
    assert waiting[-1]["buttons"] == [{"title": "Hủy theo dõi", "payload": "/unsubscribe_updates"}]


async def test_a_full_mailbox_is_a_retry(world: World) -> None:
    for status in (2, 4):
        assert (await world.notifier().notify(subscription("c-8", "rest"), dossier(status), "status", NOW)).outcome is (
            Sent.SENT
        )
    full = await world.notifier().notify(subscription("c-8", "rest"), dossier(5), "status", NOW)
    assert (full.outcome, full.retry_after, full.reason) == (Sent.RETRY, 30.0, "mailbox_full")


async def test_rasa_unreachable_or_refusing_is_a_retry(world: World) -> None:
    wrong_secret = await world.notifier(secret="not-the-secret-of-this-rasa-0123456789abcdef").notify(
        subscription("tg:4242", "telegram"), dossier(), "status", NOW
    )
    assert (wrong_secret.outcome, wrong_secret.reason) == (Sent.RETRY, "Rasa answered HTTP 401")
    assert world.rasa.refused == 1 and world.telegram.sent(4242) == []
    nowhere = Notifier(RasaApi(f"http://127.0.0.1:{free_port()}", SECRET, world.session))
    gone = await nowhere.notify(subscription("tg:4242", "telegram"), dossier(), "status", NOW)
    assert gone.outcome is Sent.RETRY and gone.reason.startswith("Rasa unreachable")


async def test_the_appointment_day_warning_is_sent_too(world: World) -> None:
    today = dt.datetime(2026, 11, 22, 16, 0, tzinfo=VIETNAM).isoformat()
    result = await world.notifier().notify(
        subscription("tg:4246", "telegram"), dossier(4, appointment_at=today), "appointment_today", NOW
    )
    assert result.outcome is Sent.SENT
    assert "Hôm nay (22/11/2026) là ngày hẹn trả kết quả (hẹn lúc 16:00)" in world.telegram.sent(4246)[0]["text"]


def test_from_settings(tmp_path: Path) -> None:
    (tmp_path / "jwt").write_text(SECRET + "\n", encoding="utf-8")
    settings = Settings.from_env(
        {
            "RASA_URL": "http://127.0.0.1:5999/",
            "RASA_JWT_SECRET_FILE": str(tmp_path / "jwt"),
            "MOTCUA_NOTIFY_TELEGRAM_PER_SECOND": "25",
            "ZALO_ZNS_TEMPLATE_ID": TEMPLATE,
        }
    )
    env: Dict[str, str] = {"ZALO_ACCESS_TOKEN": "a", "ZALO_REFRESH_TOKEN": "r"}
    session: Any = object()  # not used until a notice is sent
    notifier = Notifier.from_settings(settings, session, env)
    assert notifier.rasa.base_url == "http://127.0.0.1:5999" and notifier.rasa._secret == SECRET
    assert notifier.pacer.spacing == pytest.approx(1 / 25) and notifier.pacer.chat_seconds == 1.0
    assert notifier.zns is not None and notifier.zns.base_url == "https://business.openapi.zalo.me"
    assert notifier.zns.refresher is None  # tokens in the channel's file: refreshed by the channel only
    assert isinstance(notifier.zns.tokens, FileTokens) and notifier.zns.tokens.path == DEFAULT_TOKEN_FILE
    assert zns_from_settings(Settings.from_env({}), session, env) is None


def test_zns_phones() -> None:
    assert [zns_phone(p) for p in ("0905123405", "+84 905 123 405", "84905123405", "0084905123405")] == [
        "84905123405"
    ] * 4
    assert zns_phone("12345") is None and zns_phone("") is None
