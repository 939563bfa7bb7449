"""Notices of a dossier's changes through the real processes: a Telegram citizen looks their dossier up,
passes the owner check and says yes to the offer (Rasa server + action server), the dossier moves on
the portal simulator (its test API), the watcher (`python -m connectors.portal.watcher`) sees it and
the notice reaches the citizen's Telegram chat through the Rasa HTTP API, exactly once; "hủy theo dõi"
stops the notices. A Zalo citizen silent for 7 days (-230) gets the notice as a ZNS template message
to the phone on file (fake Zalo and ZNS servers, their wire formats)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import IO, Dict, Iterator, List

import aiohttp
import pytest
import sqlalchemy as sa

from bot import messages as bot_msg
from bot.launcher import MODEL_DIR, free_port, start_action_server, start_rasa_server, stop, write_endpoints
from bot.processes import start_portal_simulator, start_watcher
from connectors.portal.watch_store import make_engine, subscriptions
from connectors.portal.watcher_schedule import WARN_FROM
from dossiers.model import VIETNAM
from tests.e2e.conftest import TELEGRAM_SECRET, ZALO_OA_KEY, Fakes, serve_in_thread, telegram_env, wait_for, zalo_env
from tests.fakes.telegram_api import text_update
from tests.fakes.zalo_api import signed, text_event
from tests.fakes.zns_api import FakeZns

pytestmark = pytest.mark.e2e

CODE = "000.00.53.H48-261101-0004"  # đang được giải quyết; phone 0905123404
OTHER = "000.00.53.H48-261101-0002"  # đã được tiếp nhận; phone 0905123402
MASKED = "000.00.53.H48-261101-****"
_updates = iter(range(90_000, 99_000))


TEMPLATE = "301234"
_zalo_messages = iter(range(1, 9_000))


class Stack:
    def __init__(self, rasa: str, portal: str, watcher_log: Path, zns: FakeZns, database: str):
        self.rasa = rasa
        self.portal = portal
        self.watcher_log = watcher_log
        self.zns = zns
        self.database = database

    def states(self, sender: str) -> List[str]:
        """The states of the conversation's subscriptions, as the watcher left them."""
        engine = make_engine(self.database)
        try:
            with engine.begin() as connection:
                rows = connection.execute(sa.select(subscriptions.c.state).where(subscriptions.c.sender_id == sender))
                return [row.state for row in rows]
        finally:
            engine.dispose()

    @property
    def telegram_webhook(self) -> str:
        return f"{self.rasa}/webhooks/telegram/webhook"


def _wait_for_line(path: Path, needle: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and needle in path.read_text(encoding="utf-8", errors="replace"):
            return
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared in {path.name}")


@pytest.fixture(scope="module")
def notices(tmp_path_factory: pytest.TempPathFactory, fakes: Fakes) -> Iterator[Stack]:
    """A simulator of this module's own (its dossiers change here), the assistant with its HTTP API
    on (a JWT secret), the subscriptions in a SQLite file both the action server and the watcher use,
    and the watcher polling every second."""
    if not any(MODEL_DIR.glob("*.tar.gz")):
        pytest.fail("no trained model in models/: run `make train` (make test does it)")
    tmp = tmp_path_factory.mktemp("notices")
    (tmp / "jwt").write_text("jwt-secret-of-the-notification-tests-0123456789", encoding="utf-8")
    portal_port, action_port, rasa_port = free_port(), free_port(), free_port()
    zns = FakeZns(lambda: fakes.zalo.access_token)  # the OA's token: ZNS takes the OA API's
    zns_url = serve_in_thread(zns.app())
    # The simulator and the watcher live in today's real date (the appointment-day warning is the
    # watcher's real "today"); the assistant's replies keep the fixed date of the other e2e tests.
    portal = start_portal_simulator(portal_port, env={"MOTCUA_TODAY": "", "MOTCUA_SIMULATOR_FAULTS": "1"})
    env: Dict[str, str] = {
        "MOTCUA_TODAY": "2026-11-22",
        "PORTAL_URL": f"http://127.0.0.1:{portal_port}",
        **telegram_env(fakes),
        **zalo_env(fakes, tmp / "zalo_tokens.json"),
        "ZALO_ZNS_TEMPLATE_ID": TEMPLATE,
        "ZALO_ZNS_BASE_URL": zns_url,
        "RASA_JWT_SECRET_FILE": str(tmp / "jwt"),
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "DATABASE_URL": f"sqlite:///{tmp / 'watch.db'}",
        # every second: a new subscription's first poll is set by the action server, the next ones by the watcher
        "MOTCUA_WATCHER_POLL_SECONDS": "1",
        "MOTCUA_WATCHER_POLL_SOON_SECONDS": "1",
        "MOTCUA_WATCHER_POLL_NEAR_SECONDS": "1",
        "MOTCUA_WATCHER_JITTER": "0",
    }
    processes: List = [portal]
    log: IO[str] = (tmp / "watcher.log").open("w", encoding="utf-8")
    try:
        processes.append(start_action_server(action_port, env=env))
        endpoints = write_endpoints(f"http://127.0.0.1:{action_port}/webhook", tmp, env=env)
        processes.append(start_rasa_server(rasa_port, Path(endpoints), env=env))
        processes.append(start_watcher(env={**env, "MOTCUA_TODAY": "", "LOG_LEVEL": "INFO"}, log=log))
        _wait_for_line(tmp / "watcher.log", "watcher ready")
        urls = f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{portal_port}"
        yield Stack(*urls, tmp / "watcher.log", zns, env["DATABASE_URL"])
    finally:
        for process in reversed(processes):
            stop(process)
        log.close()


async def telegram(stack: Stack, chat: int, text: str) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    async with aiohttp.ClientSession() as session:
        async with session.post(
            stack.telegram_webhook, json=text_update(next(_updates), chat, text), headers=headers
        ) as r:
            assert r.status == 200


def texts(fakes: Fakes, chat: int) -> List[str]:
    return [m["text"] for m in fakes.telegram.sent(chat)]


def after(fakes: Fakes, chat: int, seen: int, count: int = 1, timeout: float = 30.0) -> List[str]:
    """The next `count` messages the chat received after the `seen` ones."""
    return list(wait_for(lambda: texts(fakes, chat)[seen:] if len(texts(fakes, chat)) >= seen + count else [], timeout))


async def change(stack: Stack, code: str, **fields: object) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{stack.portal}/_sim/dossiers/{code}", json=fields) as response:
            assert response.status == 200, await response.text()


async def subscribe(stack: Stack, fakes: Fakes, chat: int, code: str, digits: str) -> None:
    """Look the dossier up, pass the owner check, say yes to the offer."""
    seen = len(texts(fakes, chat))
    await telegram(stack, chat, f"tra cứu hồ sơ {code}")
    assert "4 số cuối" in after(fakes, chat, seen)[0]
    await telegram(stack, chat, digits)
    details, offer = after(fakes, chat, seen + 1, count=2)
    assert details.startswith(f"Chi tiết hồ sơ {code}")
    assert offer == bot_msg.NOTIFY_OFFER
    assert fakes.telegram.sent(chat)[-1]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Có, nhận thông báo"
    await telegram(stack, chat, "có")
    [confirmed] = after(fakes, chat, seen + 3)
    assert confirmed.startswith(f"Đã đăng ký nhận thông báo cho hồ sơ {MASKED}.")


async def test_a_status_change_reaches_the_citizens_telegram_exactly_once(notices: Stack, fakes: Fakes) -> None:
    chat = 8101
    await subscribe(notices, fakes, chat, CODE, "3404")
    seen = len(texts(fakes, chat))
    await change(notices, CODE, status_code=9, status_text="Đã có kết quả")
    try:
        [notice] = after(fakes, chat, seen, timeout=45)
    except AssertionError:
        raise AssertionError(notices.watcher_log.read_text(encoding="utf-8")[-3000:]) from None
    assert notice.startswith(f"Thông báo hồ sơ {MASKED} — Chứng thực bản sao từ bản chính\n")
    assert "Hồ sơ vừa chuyển sang tình trạng mới: đã có kết quả, chờ bạn đến nhận." in notice
    assert "mang giấy tiếp nhận hồ sơ (phiếu hẹn) và giấy tờ tùy thân" in notice
    assert notice.endswith('Muốn dừng nhận thông báo, bạn nhắn "hủy theo dõi".')
    assert CODE not in notice and "0905123404" not in notice and "Phạm" not in notice
    assert fakes.telegram.sent(chat)[-1]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Hủy theo dõi"
    time.sleep(5)  # five more polls of the changed dossier: the change is not told twice
    assert texts(fakes, chat)[seen:] == [notice]
    log = notices.watcher_log.read_text(encoding="utf-8")
    assert CODE not in log and "0905123404" not in log  # masked codes only


async def test_hủy_theo_dõi_stops_the_notices(notices: Stack, fakes: Fakes) -> None:
    chat = 8102
    await subscribe(notices, fakes, chat, OTHER, "3402")
    seen = len(texts(fakes, chat))
    await telegram(notices, chat, "dung thong bao")
    [stopped] = after(fakes, chat, seen)
    assert stopped == bot_msg.NOTIFY_UNSUBSCRIBED.format(count=1)
    await change(notices, OTHER, status_code=4)
    time.sleep(5)  # the watcher polls every second: no notice for an ended subscription
    assert texts(fakes, chat)[seen:] == [stopped]


async def zalo(stack: Stack, fakes: Fakes, user: str, text: str) -> None:
    raw, headers = signed(text_event(fakes.zalo.app_id, user, text, f"zn{next(_zalo_messages)}"), ZALO_OA_KEY)
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{stack.rasa}/webhooks/zalo/webhook", data=raw, headers=headers) as response:
            assert response.status == 200


def zalo_texts(fakes: Fakes, user: str) -> List[str]:
    return [str(m.get("text")) for m in fakes.zalo.sent_to(user)]


async def test_a_zalo_citizen_past_the_7_days_gets_the_notice_by_zns(notices: Stack, fakes: Fakes) -> None:
    user, code = "zns-citizen-1", "000.00.53.H48-261101-0006"  # fees to pay; phone 0905123406
    await zalo(notices, fakes, user, f"tra cứu hồ sơ {code}")
    assert "4 số cuối" in wait_for(lambda: zalo_texts(fakes, user))[0]
    await zalo(notices, fakes, user, "3406")
    details, offer = wait_for(lambda: zalo_texts(fakes, user)[1:] if len(zalo_texts(fakes, user)) >= 3 else [])
    assert details.startswith(f"Chi tiết hồ sơ {code}") and offer == bot_msg.NOTIFY_OFFER
    await zalo(notices, fakes, user, "có")
    [confirmed] = wait_for(lambda: zalo_texts(fakes, user)[3:])
    assert confirmed.endswith(bot_msg.NOTIFY_ZALO_ZNS)  # told at once what happens after 7 days
    fakes.zalo.silent_users.add(user)  # 7 days later: Zalo refuses consultation messages (-230)
    sent = len(notices.zns.sent)
    await change(notices, code, status_code=4)
    try:
        [body] = wait_for(lambda: notices.zns.sent[sent:], timeout=45)
    except AssertionError:
        raise AssertionError(notices.watcher_log.read_text(encoding="utf-8")[-3000:]) from None
    assert body["phone"] == "84905123406" and body["template_id"] == TEMPLATE
    assert body["template_data"]["ma_ho_so"] == MASKED
    assert body["template_data"]["trang_thai"] == "đang được giải quyết"
    assert body["tracking_id"].startswith("motcua-") and body["tracking_id"].endswith("-status-PROCESSING")
    assert [r["error"] for r in fakes.zalo.refused if r["recipient"]["user_id"] == user] == [-230]
    time.sleep(5)  # polled again and again: one ZNS message, not one per poll
    assert len(notices.zns.sent) == sent + 1


async def test_a_citizen_who_blocked_the_bot_is_not_written_to_again(notices: Stack, fakes: Fakes) -> None:
    chat, code = 8103, "000.00.53.H48-261101-0011"  # overdue (the appointment is past: no warning)
    await subscribe(notices, fakes, chat, code, "3411")
    fakes.telegram.blocked.add(chat)
    await change(notices, code, status_code=5, note="Bổ sung bản vẽ sơ đồ thửa đất")
    wait_for(lambda: notices.states(f"tg:{chat}") == ["blocked"], timeout=45)  # Telegram's 403: GONE
    refused = len(fakes.telegram.refused)
    await change(notices, code, status_code=6)
    time.sleep(4)
    assert len(fakes.telegram.refused) == refused  # a blocked subscription is not polled for notices


async def test_the_appointment_day_warning(notices: Stack, fakes: Fakes) -> None:
    local = dt.datetime.now(VIETNAM)
    if local.time() < WARN_FROM:
        pytest.skip("the watcher sends the appointment-day warning from 07:00 in Vietnam only")
    chat, code = 8104, "000.00.53.H48-261101-0012"  # due today, still being processed
    await subscribe(notices, fakes, chat, code, "3412")
    seen = len(texts(fakes, chat))
    [warning] = after(fakes, chat, seen, timeout=45)
    assert warning.startswith(f"Thông báo hồ sơ {MASKED} — Phiếu lý lịch tư pháp số 1\n")
    assert f"Hôm nay ({local:%d/%m/%Y}) là ngày hẹn trả kết quả (hẹn lúc 17:00), nhưng hồ sơ chưa có kết quả" in warning
    assert "Công an TP Đà Nẵng hoặc tổng đài 1800 1096" in warning
    time.sleep(4)
    assert texts(fakes, chat)[seen:] == [warning]  # once a day
