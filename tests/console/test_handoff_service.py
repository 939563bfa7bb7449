"""The handoff as the console runs it, against a fake Rasa HTTP API (a real aiohttp server that
records what it is sent and can refuse like a closed Zalo window): what the citizen is sent at
each step, what the helpers' pages are told, and what the queue keeps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Optional, Tuple

import aiohttp
import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from console import messages as msg
from console.handoff.hours import load_centres
from console.handoff.memory import MemoryHandoffStore
from console.handoff.model import State
from console.handoff_service import HandoffService, back_to_bot
from console.live import LiveHub
from console.rasa_client import DeliveryFailed, RasaClient

SECRET = "jwt-secret-of-the-console-tests-0123456789"
VN = dt.timezone(dt.timedelta(hours=7))
MONDAY_9 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=VN)  # a working day, in working hours
RATING_PROMPT = "Bạn chấm mức hài lòng với hỗ trợ hôm nay từ 1 đến 5 sao nhé?"  # what action_ask_rating says
LISTEN = {"event": "action", "name": "action_listen"}


class FakeRasa:
    """Rasa's `tracker/events` and `execute` endpoints. An executed action is recorded in the
    conversation as Rasa records it: the action, then its message (the rating prompt's, for
    `action_ask_rating`)."""

    def __init__(self) -> None:
        self.appended: List[Tuple[str, Dict[str, str], List[Dict[str, Any]]]] = []
        self.refuse_bot_messages: Optional[str] = None  # a delivery code
        self.execute_status = 200

    def _check(self, request: web.Request) -> None:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        assert jwt.decode(token, SECRET, algorithms=["HS256"])["user"]["role"] == "admin"

    async def events(self, request: web.Request) -> web.Response:
        self._check(request)
        events = await request.json()
        if self.refuse_bot_messages and any(e["event"] == "bot" for e in events):
            message = f"An unexpected error occurred. Error: [{self.refuse_bot_messages}] refused"
            return web.json_response({"status": "failure", "message": message}, status=500)
        self.appended.append((request.match_info["id"], dict(request.query), events))
        return web.json_response({})

    async def execute(self, request: web.Request) -> web.Response:
        self._check(request)
        name = (await request.json())["name"]
        if self.refuse_bot_messages:
            message = f"An unexpected error occurred. Error: [{self.refuse_bot_messages}] refused"
            return web.json_response({"status": "failure", "message": message}, status=500)
        if self.execute_status != 200:
            return web.json_response({"status": "failure"}, status=self.execute_status)
        events = [{"event": "action", "name": name}, {"event": "bot", "text": RATING_PROMPT}]
        self.appended.append((request.match_info["id"], dict(request.query), events))
        return web.json_response({"tracker": {}})

    def sent(self, conversation: str) -> List[Any]:
        return [e for c, _, events in self.appended if c == conversation for e in events]


class Clock:
    def __init__(self) -> None:
        self.now = MONDAY_9.astimezone(dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
async def setup() -> AsyncIterator[Tuple[HandoffService, FakeRasa, Clock, List[Any]]]:
    rasa = FakeRasa()
    app = web.Application()
    app.router.add_post("/conversations/{id}/tracker/events", rasa.events)
    app.router.add_post("/conversations/{id}/execute", rasa.execute)
    server = TestServer(app)
    await server.start_server()
    clock = Clock()
    audited: List[Any] = []

    async def audit(user_id: Optional[int], action: str, conversation: Optional[str], detail: Dict[str, Any]) -> None:
        audited.append((user_id, action, conversation, detail))

    async with aiohttp.ClientSession() as http:
        service = HandoffService(
            store=MemoryHandoffStore(clock=clock),
            rasa=RasaClient(str(server.make_url("")), SECRET, http),
            hub=LiveHub(),
            centres=load_centres(None),
            claim_minutes=10,
            audit=audit,
            clock=clock,
        )
        yield service, rasa, clock, audited
    await server.close()


def request(conversation: str = "tg:501", **extra: Any) -> Dict[str, Any]:
    return {
        "conversation_id": conversation,
        "channel": "telegram",
        "procedure_id": "khai-sinh",
        "procedure_name": "Đăng ký khai sinh",
        "messages": [{"role": "citizen", "text": "gọi cho tôi số 0912345678"}],
        **extra,
    }


async def test_a_request_is_queued_with_its_place_and_wait(setup: Any) -> None:
    service, _, clock, _ = setup
    first = await service.request(request("tg:1"))
    clock.now += dt.timedelta(seconds=5)
    second = await service.request(request("zalo:2", channel="zalo"))
    assert first["state"] == "waiting" and first["position"] == 1 and first["wait_minutes"] == 3
    assert second["position"] == 2 and second["wait_minutes"] == 6
    again = await service.request(request("tg:1"))  # asked twice: the same place, not a second request
    assert again["handoff_id"] == first["handoff_id"] and again["position"] == 1
    async with service.hub.subscribe("queue") as queue:
        await service.request(request("tg:3"))
        event = queue.get_nowait()
    assert event["type"] == "waiting" and event["handoff"]["last"] == [
        {"role": "citizen", "text": "gọi cho tôi số 09******78"}
    ]


async def test_outside_working_hours_nobody_is_queued(setup: Any) -> None:
    service, _, clock, _ = setup
    clock.now = dt.datetime(2026, 12, 5, 19, 0, tzinfo=VN).astimezone(dt.timezone.utc)  # Saturday evening
    answer = await service.request(request())
    assert answer == {"state": "closed", "next_opening": "7 giờ 30 sáng thứ Hai (07/12)"}
    assert await service.store.waiting() == []


async def test_a_full_queue_gives_the_hotline(setup: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    service, _, _, _ = setup
    monkeypatch.setattr("console.handoff_service.MAX_WAITING", 2)
    await service.request(request("tg:1"))
    await service.request(request("tg:2"))
    assert (await service.request(request("tg:3")))["state"] == "full"
    assert (await service.request(request("tg:1")))["state"] == "waiting"  # one already queued keeps its place


@pytest.mark.parametrize("text", ["thôi", "Thôi ạ", "huỷ", "hủy nhé", "quay lại trợ lý", "thoi", "ket thuc"])
def test_words_that_go_back_to_the_assistant(text: str) -> None:
    assert back_to_bot(text)


@pytest.mark.parametrize("text", ["thôi việc thì làm giấy tờ gì", "hủy hộ chiếu ở đâu", "không thôi", "em cần hỏi"])
def test_questions_with_those_words_stay_with_the_helper(text: str) -> None:
    assert not back_to_bot(text)


async def test_thoi_cancels_and_resumes_the_assistant(setup: Any) -> None:
    service, rasa, _, _ = setup
    await service.request(request())
    await service.citizen_message("tg:501", "thôi", None)
    assert rasa.sent("tg:501") == [
        {"event": "bot", "text": msg.HANDOFF_BACK_TO_BOT},
        {"event": "resume"},
        {"event": "action", "name": "action_listen"},
    ]
    assert await service.store.open_for("tg:501") is None
    [query] = [q for c, q, _ in rasa.appended]
    assert query == {"output_channel": "telegram", "execute_side_effects": "true"}


async def test_claim_greets_reply_reaches_the_citizen_and_end_resumes(setup: Any) -> None:
    service, rasa, _, audited = setup
    queued = await service.request(request())
    result = await service.claim(queued["handoff_id"], "lan", 7)
    assert result.won
    assert rasa.sent("tg:501")[-1] == {"event": "bot", "text": msg.HANDOFF_CLAIMED, "metadata": {"helper": "lan"}}
    async with service.hub.subscribe(f"handoff:{queued['handoff_id']}") as chat:
        await service.citizen_message("tg:501", "em cần mang gì", 1_765_000_000.0)
        assert chat.get_nowait()["message"]["text"] == "em cần mang gì"
    assert (await service.reply(queued["handoff_id"], "minh", 8, "xin chào"))["ok"] is False  # not minh's
    assert (await service.reply(queued["handoff_id"], "lan", 7, "  Bạn mang giấy chứng sinh nhé.  "))["ok"]
    assert rasa.sent("tg:501")[-1]["text"] == "Bạn mang giấy chứng sinh nhé."
    await service.end(queued["handoff_id"], "lan", 7, "sent_to_counter", "3")
    assert rasa.sent("tg:501")[-7:] == [
        {"event": "bot", "text": msg.HANDOFF_ENDED_COUNTER.format(counter="3")},
        {"event": "resume"},
        LISTEN,
        {"event": "slot", "name": "handoff_outcome", "value": "sent_to_counter"},  # kept with the rating
        {"event": "action", "name": "action_ask_rating"},
        {"event": "bot", "text": RATING_PROMPT},
        LISTEN,  # as after any turn of the assistant: the rules predict the reply's answer from it
    ]
    [execute] = [q for _, q, events in rasa.appended if events[0].get("name") == "action_ask_rating"]
    assert execute == {"output_channel": "telegram"}
    assert [a[1] for a in audited] == ["claim", "reply", "end"] and all(a[0] == 7 for a in audited)
    assert (await service.store.get(queued["handoff_id"])).state is State.ENDED


async def test_an_abusive_chat_ends_without_a_goodbye(setup: Any) -> None:
    service, rasa, _, _ = setup
    queued = await service.request(request())
    await service.claim(queued["handoff_id"], "lan", 7)
    await service.end(queued["handoff_id"], "lan", 7, "abusive")
    assert rasa.sent("tg:501")[-3:] == [
        {"event": "resume"},
        LISTEN,
        {"event": "slot", "name": "handoff_outcome", "value": "abusive"},
    ]  # and no rating prompt


async def test_a_closed_zalo_window_is_told_to_the_helper_and_nothing_is_kept(setup: Any) -> None:
    service, rasa, _, _ = setup
    queued = await service.request(request("zalo:9", channel="zalo"))
    await service.claim(queued["handoff_id"], "lan", 7)
    rasa.refuse_bot_messages = "zalo_window_closed"
    with pytest.raises(DeliveryFailed) as failed:
        await service.reply(queued["handoff_id"], "lan", 7, "chào bạn")
    assert failed.value.code == "zalo_window_closed"
    assert msg.DELIVERY_FAILURES["zalo_window_closed"] == msg.DELIVERY_ZALO_WINDOW
    assert all(m.text != "chào bạn" for m in await service.store.messages(queued["handoff_id"]))
    # ending it still gives the conversation back to the assistant, without the goodbye nor the prompt
    await service.end(queued["handoff_id"], "lan", 7, "citizen_left")
    assert rasa.sent("zalo:9")[-3:] == [
        {"event": "resume"},
        LISTEN,
        {"event": "slot", "name": "handoff_outcome", "value": "citizen_left"},
    ]


async def test_no_claim_in_time_is_missed_with_an_apology_and_the_hotline(setup: Any) -> None:
    service, rasa, clock, _ = setup
    await service.request(request())
    clock.now += dt.timedelta(minutes=9)
    assert await service.expire() == []
    clock.now += dt.timedelta(minutes=1)
    [missed] = await service.expire()
    assert missed.state is State.MISSED
    assert rasa.sent("tg:501")[0] == {"event": "bot", "text": msg.HANDOFF_MISSED}
    assert "1800 1096" in msg.HANDOFF_MISSED
    assert [h.id for h in await service.store.history(state=State.MISSED)] == [missed.id]
    assert await service.expire() == []  # once


async def test_a_missed_request_on_a_closed_zalo_window_still_resumes(setup: Any) -> None:
    service, rasa, clock, _ = setup
    await service.request(request("zalo:9", channel="zalo"))
    rasa.refuse_bot_messages = "zalo_window_closed"
    clock.now += dt.timedelta(minutes=11)
    await service.expire()
    assert rasa.sent("zalo:9") == [{"event": "resume"}, {"event": "action", "name": "action_listen"}]


def test_the_shipped_centres_file_loads() -> None:
    assert "default" in load_centres(Path(__file__).parents[2] / "console" / "centres.yml")


async def test_asking_again_and_again_is_limited_per_conversation(setup: Any) -> None:
    service, _, _, _ = setup
    for _ in range(5):  # asked, then "thôi", five times
        assert (await service.request(request("tg:77")))["state"] == "waiting"
        await service.citizen_message("tg:77", "thôi", None)
    assert (await service.request(request("tg:77")))["state"] == "limited"
    assert (await service.request(request("tg:78")))["state"] == "waiting"  # another citizen is not affected


async def test_the_rating_prompt_on_the_web_chat_and_rest_channels(setup: Any) -> None:
    service, rasa, _, _ = setup
    for conversation, channel in (("web:abc123", "web"), ("citizen-7", "rest")):
        queued = await service.request(request(conversation, channel=channel))
        await service.claim(queued["handoff_id"], "lan", 7)
        await service.end(queued["handoff_id"], "lan", 7, "answered")
        assert rasa.sent(conversation)[-3:] == [
            {"event": "action", "name": "action_ask_rating"},
            {"event": "bot", "text": RATING_PROMPT},
            LISTEN,
        ]
        [execute] = [q for c, q, e in rasa.appended if c == conversation and e[0].get("name") == "action_ask_rating"]
        assert execute == {"output_channel": channel}


@pytest.mark.parametrize("failure", ["zalo_window_closed", "http"])
async def test_a_prompt_that_cannot_be_sent_never_stops_the_end(
    setup: Any, failure: str, caplog: pytest.LogCaptureFixture
) -> None:
    service, rasa, _, _ = setup
    queued = await service.request(request("zalo:9", channel="zalo"))
    await service.claim(queued["handoff_id"], "lan", 7)
    if failure == "http":
        rasa.execute_status = 404  # e.g. an assistant without the action
    else:
        rasa.refuse_bot_messages = failure
    ended = await service.end(queued["handoff_id"], "lan", 7, "answered")
    assert ended.state is State.ENDED and (await service.store.get(queued["handoff_id"])).state is State.ENDED
    sent = rasa.sent("zalo:9")
    assert {"event": "action", "name": "action_ask_rating"} not in sent
    assert sent[-1] == {"event": "slot", "name": "handoff_outcome", "value": "answered"}  # no listen after nothing
    assert "the rating was not asked" in caplog.text
