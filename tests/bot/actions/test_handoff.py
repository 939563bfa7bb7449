"""A person in the chat: the offer, the yes that queues the citizen at the console (a real HTTP
server of the test's own) and pauses the assistant, and every way it can go otherwise."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import messages as msg
from bot.actions.dossier import ActionNotUnderstood, ActionRequestHuman
from bot.actions.followups import ActionAffirm, ActionDeny
from bot.handoff_client import reset_handoff_client
from motcua.settings import get_settings
from tests.bot.actions.test_actions import DOMAIN

TOKEN = "internal-token-of-the-test-0123456789"


class FakeConsole:
    """The console's internal API: records requests, answers what the test sets."""

    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.headers: List[str] = []
        self.answer: Dict[str, Any] = {"state": "waiting", "position": 2, "wait_minutes": 6}
        self.status = 200

    async def handoffs(self, request: web.Request) -> web.Response:
        self.headers.append(request.headers.get("Authorization", ""))
        self.requests.append(await request.json())
        return web.json_response(self.answer, status=self.status)


@pytest.fixture
async def console(monkeypatch: pytest.MonkeyPatch) -> Any:
    fake = FakeConsole()
    app = web.Application()
    app.router.add_post("/internal/handoffs", fake.handoffs)
    server = TestServer(app)
    await server.start_server()
    monkeypatch.setenv("CONSOLE_URL", str(server.make_url("")).rstrip("/"))
    monkeypatch.setenv("CONSOLE_INTERNAL_TOKEN", TOKEN)
    get_settings.cache_clear()
    reset_handoff_client()
    yield fake
    from bot.handoff_client import handoff_client

    await handoff_client().close()
    reset_handoff_client()
    await server.close()


@pytest.fixture(autouse=True)
def fresh_client() -> Iterator[None]:
    reset_handoff_client()
    yield
    reset_handoff_client()


async def run(action: Any, tracker: Tracker) -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages, events


def offered_at(turn: int) -> Dict[str, Any]:
    return {"event": "slot", "name": "dossier_waiting", "value": f"person:{turn}"}


def chat(
    text: str,
    intent: str = "x",
    events: Optional[List[Dict[str, Any]]] = None,
    slots: Optional[Dict[str, Any]] = None,
) -> Tracker:
    """The tracker of `text` after `events`; a slot event among them sets the slot too."""
    all_slots = {name: None for name in DOMAIN["slots"]}
    for event in events or []:
        if event["event"] == "slot":
            all_slots[event["name"]] = event["value"]
    all_slots.update(slots or {})
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    history = [*(events or []), {"event": "user", "text": text, "input_channel": "telegram"}]
    return Tracker("telegram:4242", all_slots, message, history, False, None, {}, "action_listen")


async def test_asking_for_a_person_offers_a_helper_in_the_chat(console: FakeConsole) -> None:
    messages, events = await run(ActionRequestHuman(), chat("cho tôi gặp người thật"))
    [offer] = messages
    assert offer["text"] == msg.HANDOFF_OFFER
    assert [b["payload"] for b in offer["buttons"]] == ["/affirm", "/deny"]
    assert events == [{"event": "slot", "timestamp": None, "name": "dossier_waiting", "value": "person:1"}]
    assert console.requests == []  # nothing is queued before the citizen says yes


async def test_asked_whether_it_is_a_machine_it_says_so_before_offering_a_helper(console: FakeConsole) -> None:
    messages, _ = await run(ActionRequestHuman(), chat("xin loi cho hoi ben kia la nguoi that hay tro ly ao"))
    [offer] = messages
    assert offer["text"] == f"{msg.I_AM_AUTOMATED}\n\n{msg.HANDOFF_OFFER}"
    assert [b["payload"] for b in offer["buttons"]] == ["/affirm", "/deny"]


async def test_yes_queues_the_citizen_and_pauses_the_assistant(console: FakeConsole) -> None:
    before = [
        {"event": "user", "text": "làm căn cước mất bao lâu", "input_channel": "telegram"},
        {"event": "bot", "text": "Thời hạn giải quyết — Cấp thẻ căn cước …"},
        {"event": "user", "text": "cho tôi gặp người thật", "input_channel": "telegram"},
        offered_at(2),
    ]
    tracker = chat("có", intent="affirm", events=before, slots={"procedure": "can-cuoc"})
    messages, events = await run(ActionAffirm(), tracker)
    [told] = messages
    assert "vị trí số 2" in told["text"] and "khoảng 6 phút" in told["text"]
    assert "ngay trong cuộc trò chuyện này" in told["text"] and '"thôi"' in told["text"]
    assert events[-1] == {"event": "pause", "timestamp": None}
    [request] = console.requests
    assert request["conversation_id"] == "telegram:4242" and request["channel"] == "telegram"
    assert request["procedure_id"] == "can-cuoc" and request["procedure_name"]
    assert request["messages"][0] == {"role": "citizen", "text": "làm căn cước mất bao lâu"}
    assert console.headers == [f"Bearer {TOKEN}"]


@pytest.mark.parametrize("yes", ["co", "vâng ạ", "ok", "đồng ý"])
async def test_yes_in_words_without_the_button(console: FakeConsole, yes: str) -> None:
    tracker = chat(yes, events=[{"event": "user", "text": "gặp nhân viên"}, offered_at(1)])
    messages, events = await run(ActionAffirm(), tracker)
    assert "vị trí số 2" in messages[0]["text"] and events[-1]["event"] == "pause"


async def test_no_keeps_the_assistant(console: FakeConsole) -> None:
    tracker = chat("không cần đâu", intent="deny", events=[{"event": "user", "text": "gặp người"}, offered_at(1)])
    messages, events = await run(ActionDeny(), tracker)
    assert messages[0]["text"] == msg.HANDOFF_DECLINED
    assert all(e["event"] != "pause" for e in events) and console.requests == []


async def test_a_question_instead_of_an_answer_is_answered(console: FakeConsole) -> None:
    tracker = chat("làm giấy khai sinh cần giấy tờ gì", events=[{"event": "user", "text": "gặp người"}, offered_at(1)])
    messages, _events = await run(ActionNotUnderstood(), tracker)
    assert messages[0]["text"].startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh")
    assert console.requests == []


async def test_outside_working_hours_the_citizen_learns_when_helpers_are_back(console: FakeConsole) -> None:
    console.answer = {"state": "closed", "next_opening": "7 giờ 30 sáng mai (thứ Hai, 07/12)"}
    messages, events = await run(ActionAffirm(), chat("có", "affirm", [{"event": "user", "text": "x"}, offered_at(1)]))
    text = messages[0]["text"]
    assert "7 giờ 30 sáng mai (thứ Hai, 07/12)" in text and "1800 1096" in text
    assert all(e["event"] != "pause" for e in events)


@pytest.mark.parametrize("status", [500, 401])
async def test_a_console_that_fails_gives_the_hotline(console: FakeConsole, status: int) -> None:
    console.status = status
    messages, events = await run(ActionAffirm(), chat("có", "affirm", [{"event": "user", "text": "x"}, offered_at(1)]))
    assert messages[0]["text"] == msg.HANDOFF_UNAVAILABLE
    assert all(e["event"] != "pause" for e in events)


async def test_a_console_that_is_down_gives_the_hotline(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.launcher import free_port

    monkeypatch.setenv("CONSOLE_URL", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    messages, _events = await run(ActionAffirm(), chat("có", "affirm", [{"event": "user", "text": "x"}, offered_at(1)]))
    assert messages[0]["text"] == msg.HANDOFF_UNAVAILABLE and "1800 1096" in messages[0]["text"]
    from bot.handoff_client import handoff_client

    await handoff_client().close()


async def test_without_a_console_the_hotline_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONSOLE_URL", raising=False)
    get_settings.cache_clear()
    messages, events = await run(ActionRequestHuman(), chat("cho tôi gặp cán bộ"))
    assert messages == [{**messages[0], "response": "utter_human"}] and events == []


async def test_the_second_not_understood_in_a_row_offers_a_person(console: FakeConsole) -> None:
    first = [{"event": "user", "text": "asdf qwer"}, {"event": "action", "name": "action_not_understood"}]
    messages, events = await run(ActionNotUnderstood(), chat("zxcv uiop", events=first))
    assert messages[0]["text"].startswith(msg.NOT_UNDERSTOOD_AGAIN) and msg.HANDOFF_OFFER in messages[0]["text"]
    assert events[0]["value"] == "person:2"


async def test_the_first_not_understood_does_not_offer_a_person(console: FakeConsole) -> None:
    messages, _ = await run(ActionNotUnderstood(), chat("zxcv uiop"))
    assert messages[0].get("response") == "utter_default"


async def test_asking_too_often_is_told_so_with_the_hotline(console: FakeConsole) -> None:
    console.answer = {"state": "limited"}
    messages, events = await run(ActionAffirm(), chat("có", "affirm", [{"event": "user", "text": "x"}, offered_at(1)]))
    assert messages[0]["text"] == msg.HANDOFF_LIMITED and "1800 1096" in messages[0]["text"]
    assert all(e["event"] != "pause" for e in events)
