"""Notices of a dossier's changes, the citizen's side, through the real actions, the portal simulator
and a real subscription store (SQLite): the offer only after a passed owner check, the yes that
subscribes on the citizen's channel, "hủy theo dõi" whatever the intent, the cap, the failures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List

import aiohttp
import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import messages as msg
from bot.actions import notify
from bot.actions.dossier import ActionCheckDossierStatus, ActionOutOfScope
from bot.actions.followups import ActionAffirm, ActionChooseOption, ActionDeny
from bot.actions.greeting import ActionGreet
from bot.actions.notify_actions import ActionUnsubscribeUpdates
from bot.actions.procedures import ActionAnswerDocuments
from bot.dossier_services import reset_services
from connectors.portal.watch_store import SubscriptionStore, make_engine, subscriptions
from connectors.web import SESSION_SECONDS
from motcua.settings import Settings
from tests.bot.actions.dossier_chat import services_for
from tests.bot.actions.test_actions import DOMAIN

CHECK = ActionCheckDossierStatus()
CODE = "000.00.53.H48-261101-0005"  # cần bổ sung giấy tờ; phone 0905123405
DONE = "000.00.53.H48-261101-0009"  # đã có kết quả
RETURNED = "000.00.53.H48-261101-0010"
SUBSCRIBED = (
    "Đã đăng ký nhận thông báo cho hồ sơ 000.00.53.H48-261101-****. Khi hồ sơ đổi tình trạng, mình sẽ nhắn bạn "
    "ngay tại đây; đến ngày hẹn trả mà hồ sơ chưa có kết quả, mình cũng nhắc bạn. Thông báo tự dừng khi hồ sơ đã trả "
    'kết quả hoặc sau 90 ngày. Muốn dừng sớm, bạn nhắn "hủy theo dõi".'
)


class Chat:
    """One citizen's turns through the actions, the NLU's intent given, slots and events kept as Rasa would."""

    def __init__(self, sender: str = "tg:7001") -> None:
        self.sender = sender
        self.slots: Dict[str, Any] = {name: None for name in DOMAIN["slots"]}
        self.events: List[Dict[str, Any]] = []
        self.messages: List[Dict[str, Any]] = []

    async def say(self, action: Action, text: str, intent: str = "x") -> str:
        self.events.append({"event": "user", "text": text})
        message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
        tracker = Tracker(self.sender, dict(self.slots), message, list(self.events), False, None, {}, "action_listen")
        dispatcher = CollectingDispatcher()
        for event in await action.run(dispatcher, tracker, DOMAIN):
            self.events.append(event)
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]
        self.messages = dispatcher.messages
        return "\n\n".join(m.get("text") or "" for m in dispatcher.messages)

    async def owner_of(self, code: str, digits: str) -> str:
        """Look the dossier up and pass the owner check; the replies to the digits."""
        await self.say(CHECK, f"tra cứu hồ sơ {code}", "check_dossier_status")
        return await self.say(ActionChooseOption(), digits, "choose_option")


@pytest.fixture
def store(tmp_path: Path) -> SubscriptionStore:
    return SubscriptionStore(make_engine(f"sqlite:///{tmp_path / 'watch.db'}"))


def settings_with(tmp_path: Path, **env: str) -> Settings:
    (tmp_path / "jwt").write_text("jwt-secret-of-the-notify-action-tests-0123456789", encoding="utf-8")
    return Settings.from_env({"MOTCUA_TODAY": "2026-11-22", "RASA_JWT_SECRET_FILE": str(tmp_path / "jwt"), **env})


@pytest.fixture
async def notices(simulator_url: str, store: SubscriptionStore, tmp_path: Path) -> AsyncIterator[SubscriptionStore]:
    """The dossier services on the simulator, with notices on (the Rasa API configured), on `store`."""
    async with aiohttp.ClientSession() as session:
        reset_services(services_for(simulator_url, session, settings_with(tmp_path)))
        notify.use_store(store)
        yield store
    notify.use_store(None)
    reset_services()


def with_zns(simulator_url: str, session: aiohttp.ClientSession, tmp_path: Path) -> None:
    reset_services(services_for(simulator_url, session, settings_with(tmp_path, ZALO_ZNS_TEMPLATE_ID="301234")))


async def test_the_offer_comes_only_after_the_owner_check_passed(notices: SubscriptionStore) -> None:
    chat = Chat()
    status = await chat.say(CHECK, f"tra cứu hồ sơ {CODE}", "check_dossier_status")
    assert msg.NOTIFY_OFFER not in status  # anyone with the code sees the status: no offer
    wrong = await chat.say(ActionChooseOption(), "9999", "choose_option")
    assert wrong == msg.DOSSIER_WRONG_DIGITS
    details = await chat.say(ActionChooseOption(), "3405", "choose_option")
    assert details.startswith(f"Chi tiết hồ sơ {CODE}")
    assert details.endswith("\n\n" + msg.NOTIFY_OFFER)
    assert chat.messages[-1]["buttons"] == [
        {"title": "Có, nhận thông báo", "payload": "/affirm"},
        {"title": "Không, cảm ơn", "payload": "/deny"},
    ]
    assert chat.slots["dossier_waiting"] == "subscribe:3"
    assert await notices.active_for(chat.sender) == []  # nothing until the citizen says yes


async def test_yes_subscribes_the_conversation_on_its_channel(notices: SubscriptionStore) -> None:
    chat = Chat("tg:7002")
    await chat.owner_of(CODE, "3405")
    reply = await chat.say(ActionAffirm(), "có", "affirm")
    assert reply == SUBSCRIBED
    [subscription] = await notices.active_for("tg:7002")
    assert (subscription.channel, subscription.code, subscription.last_status) == ("telegram", CODE, "SUPPLEMENT")
    assert subscription.phone is None  # kept only for ZNS
    assert chat.slots["dossier_waiting"] is None
    again = await chat.owner_of(CODE, "3405")  # a second lookup: already followed, no offer
    assert msg.NOTIFY_OFFER not in again and chat.slots["dossier_waiting"] is None


async def test_yes_typed_whatever_the_intent(notices: SubscriptionStore) -> None:
    chat = Chat("tg:7003")
    await chat.owner_of(CODE, "3405")
    assert await chat.say(ActionOutOfScope(), "ok bạn", "out_of_scope") == SUBSCRIBED


async def test_no_is_a_short_ok_and_nothing_is_kept(notices: SubscriptionStore) -> None:
    chat = Chat("tg:7004")
    await chat.owner_of(CODE, "3405")
    assert await chat.say(ActionDeny(), "không cần đâu", "deny") == msg.NOTIFY_DECLINED
    assert await notices.active_for("tg:7004") == []


async def test_a_question_after_the_offer_is_answered_not_taken_for_a_yes(notices: SubscriptionStore) -> None:
    chat = Chat("tg:7005")
    await chat.owner_of(CODE, "3405")
    answer = await chat.say(ActionAnswerDocuments(), "cần giấy tờ gì", "ask_documents")  # "cần" folds to "can"
    assert answer.startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh (mã TTHC 1.001193)"), answer
    assert "Đã đăng ký nhận thông báo" not in answer
    assert await notices.active_for("tg:7005") == []


async def test_on_zalo_the_citizen_is_told_of_the_7_days(
    notices: SubscriptionStore, simulator_url: str, tmp_path: Path
) -> None:
    chat = Chat("zalo:8412345")
    await chat.owner_of(CODE, "3405")
    reply = await chat.say(ActionAffirm(), "có", "affirm")
    assert reply == SUBSCRIBED + "\n" + msg.NOTIFY_ZALO_WINDOW
    assert "7 ngày" in reply and "không gửi được thông báo" in reply
    [subscription] = await notices.active_for("zalo:8412345")
    assert (subscription.channel, subscription.phone) == ("zalo", None)
    async with aiohttp.ClientSession() as session:
        with_zns(simulator_url, session, tmp_path)
        chat = Chat("zalo:8412346")
        await chat.owner_of(CODE, "3405")
        reply = await chat.say(ActionAffirm(), "có", "affirm")
    assert reply == SUBSCRIBED + "\n" + msg.NOTIFY_ZALO_ZNS and "ZNS" in reply
    [subscription] = await notices.active_for("zalo:8412346")
    assert subscription.phone == "0905123405"  # ZNS sends to the phone on file


async def test_a_rest_conversation_is_told_where_its_notices_wait(notices: SubscriptionStore) -> None:
    chat = Chat("citizen-42")
    await chat.owner_of(CODE, "3405")
    assert await chat.say(ActionAffirm(), "có", "affirm") == SUBSCRIBED + "\n" + msg.NOTIFY_REST
    assert [s.channel for s in await notices.active_for("citizen-42")] == ["rest"]


async def test_a_dossier_that_will_not_move_is_not_offered(notices: SubscriptionStore) -> None:
    chat = Chat("tg:7006")
    details = await chat.owner_of(RETURNED, "3410")
    assert details.startswith(f"Chi tiết hồ sơ {RETURNED}") and msg.NOTIFY_OFFER not in details
    done = await Chat("tg:7007").owner_of(DONE, "3409")  # a result to collect: still worth a notice
    assert done.endswith(msg.NOTIFY_OFFER)


async def test_no_offer_when_notices_cannot_be_sent(simulator_url: str, store: SubscriptionStore) -> None:
    async with aiohttp.ClientSession() as session:
        reset_services(services_for(simulator_url, session, Settings.from_env({"MOTCUA_TODAY": "2026-11-22"})))
        notify.use_store(store)
        try:
            details = await Chat("tg:7008").owner_of(CODE, "3405")
        finally:
            notify.use_store(None)
            reset_services()
    assert details.startswith(f"Chi tiết hồ sơ {CODE}") and msg.NOTIFY_OFFER not in details


@pytest.mark.parametrize(
    ("action", "text", "intent"),
    [
        (ActionGreet(), "hủy theo dõi", "greet"),
        (ActionOutOfScope(), "dung thong bao", "out_of_scope"),
        (ActionChooseOption(), "Ngừng nhận thông báo giúp mình", "choose_option"),
        (ActionUnsubscribeUpdates(), "không nhận thông báo nữa", "unsubscribe_updates"),
    ],
)
async def test_stop_words_end_the_subscriptions_whatever_the_intent(
    notices: SubscriptionStore, action: Action, text: str, intent: str
) -> None:
    for code in (CODE, DONE):
        await notices.subscribe("tg:7010", "telegram", code, "PROCESSING", None)
    await notices.subscribe("tg:9999", "telegram", CODE, "PROCESSING", None)  # someone else's
    chat = Chat("tg:7010")
    assert await chat.say(action, text, intent) == msg.NOTIFY_UNSUBSCRIBED.format(count=2)
    assert await notices.active_for("tg:7010") == []
    assert len(await notices.active_for("tg:9999")) == 1
    assert await chat.say(action, text, intent) == msg.NOTIFY_NONE


async def test_a_code_in_the_stop_message_ends_that_one_only(notices: SubscriptionStore) -> None:
    for code in (CODE, DONE):
        await notices.subscribe("tg:7011", "telegram", code, "PROCESSING", None)
    reply = await Chat("tg:7011").say(ActionGreet(), f"hủy theo dõi hồ sơ {DONE}", "greet")
    assert reply == msg.NOTIFY_UNSUBSCRIBED_ONE.format(code="000.00.53.H48-261101-****")
    assert [s.code for s in await notices.active_for("tg:7011")] == [CODE]


async def test_stop_words_right_after_the_offer_decline_it(notices: SubscriptionStore) -> None:
    chat = Chat("tg:7012")
    await chat.owner_of(CODE, "3405")
    assert await chat.say(ActionUnsubscribeUpdates(), "không nhận thông báo", "unsubscribe_updates") == (
        msg.NOTIFY_DECLINED
    )
    assert await chat.say(ActionGreet(), "hủy theo dõi", "greet") == msg.NOTIFY_NONE
    assert await notices.active_for("tg:7012") == []


async def test_one_conversation_follows_at_most_five_dossiers(notices: SubscriptionStore) -> None:
    for n in range(5):
        await notices.subscribe("tg:7013", "telegram", f"000.00.53.H48-261101-01{n:02d}", "PROCESSING", None)
    chat = Chat("tg:7013")
    await chat.owner_of(CODE, "3405")
    assert await chat.say(ActionAffirm(), "có", "affirm") == msg.NOTIFY_CAP.format(count=5)
    assert CODE not in [s.code for s in await notices.active_for("tg:7013")]


async def test_a_store_failure_is_a_short_apology_and_hurts_no_one_else(notices: SubscriptionStore) -> None:
    await notices.subscribe("tg:9998", "telegram", DONE, "PROCESSING", None)
    chat = Chat("tg:7014")
    await chat.owner_of(CODE, "3405")
    broken = SubscriptionStore(make_engine(f"sqlite:///{Path(str(notices.engine.url.database)).parent / 'b.db'}"))
    subscriptions.drop(broken.engine)  # the table is gone: every query fails
    notify.use_store(broken)
    reply = await chat.say(ActionAffirm(), "có", "affirm")
    assert reply == msg.NOTIFY_FAILED and "1800 1096" in reply
    assert await Chat("tg:7014").say(ActionGreet(), "hủy theo dõi", "greet") == msg.NOTIFY_UNSUBSCRIBE_FAILED
    notify.use_store(notices)
    assert [s.code for s in await notices.active_for("tg:9998")] == [DONE]  # the others' are untouched


def test_stop_words() -> None:
    for text in ("hủy theo dõi", "Huy theo doi", "dừng thông báo", "DUNG THONG BAO", "tắt thông báo hồ sơ đi",
                 "hủy đăng ký nhận thông báo", "ngừng theo dõi giúp mình"):  # fmt: skip
        assert notify.wants_to_stop(text), text
    for text in ("thông báo hồ sơ của tôi", "theo dõi hồ sơ", "hủy hồ sơ", "cần giấy tờ gì", ""):
        assert not notify.wants_to_stop(text), text


async def test_the_nlus_guess_alone_ends_no_subscription(notices: SubscriptionStore) -> None:
    """The NLU may read "rồi sao nữa" as `unsubscribe_updates`: without a word about the notices
    it is not understood, and the subscription stays."""
    await notices.subscribe("tg:7020", "telegram", CODE, "PROCESSING", None)
    chat = Chat("tg:7020")
    assert await chat.say(ActionUnsubscribeUpdates(), "rồi sao nữa", "unsubscribe_updates") == ""
    assert [m.get("response") for m in chat.messages] == ["utter_default"]  # "Xin lỗi, mình chưa hiểu câu hỏi…"
    assert [s.code for s in await notices.active_for("tg:7020")] == [CODE]
    reply = await Chat("tg:7020").say(ActionUnsubscribeUpdates(), "thôi đừng báo nữa", "unsubscribe_updates")
    assert reply == msg.NOTIFY_UNSUBSCRIBED.format(count=1)


async def test_a_web_chat_follows_a_dossier_while_its_session_lives(notices: SubscriptionStore) -> None:
    """The web chat's conversation ends with its signed session (24 h): so does its subscription,
    and the citizen is told so, and where to follow longer."""
    chat = Chat("web:" + "ab" * 16)
    await chat.owner_of(CODE, "3405")
    reply = await chat.say(ActionAffirm(), "có", "affirm")
    assert reply == msg.NOTIFY_SUBSCRIBED_WEB.format(code="000.00.53.H48-261101-****", hours=24)
    assert "Zalo hoặc Telegram" in reply
    [subscription] = await notices.active_for("web:" + "ab" * 16)
    assert subscription.channel == "web"
    assert dt.timedelta(hours=23) < subscription.expires_at - subscription.created_at <= dt.timedelta(hours=24)
    assert notify.WEB_SESSION_HOURS * 3600 == SESSION_SECONDS
