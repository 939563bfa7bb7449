"""The insights from a real Rasa server: a REST message, streamed by our event broker into the
console's database, becomes a turn with the outcome the action marked; and the dashboard an admin
reads shows exactly the figures of a scripted set of conversations on REST and Telegram (answers,
a clarification, not understood, out of scope, no procedure, dossier lookups, a handoff a helper
claims and ends), with the numbers a citizen typed masked on the unanswered page."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re
import secrets
import time
import uuid
from collections import Counter
from typing import Any, Dict, List

import aiohttp
import pytest
import sqlalchemy as sa

from console.db import make_engine
from console.insights.ingest import ingest_once
from console.insights.tables import events, insight_turns
from motcua.settings import VIETNAM
from tests.e2e.conftest import Fakes, say
from tests.e2e.handoff_stack import Stack, log_in, page_and_token
from tests.e2e.test_handoff import next_text, post, queued, telegram, texts, the_waiting

pytestmark = pytest.mark.e2e


async def test_a_rest_message_becomes_an_answered_turn(handoff: Stack) -> None:
    sender = f"insights-{uuid.uuid4().hex[:8]}"
    replies = await say(f"{handoff.rasa}/webhooks/rest/webhook", sender, "lệ phí đăng ký khai sinh bao nhiêu")
    assert replies and all("motcua" not in reply for reply in replies)  # the mark is not sent to the citizen
    engine = make_engine(handoff.env["DATABASE_URL"])
    try:
        deadline = time.monotonic() + 20
        rows: List[Any] = []
        while not rows and time.monotonic() < deadline:
            ingest_once(engine, b"e2e")  # the console's own ingester may have taken them first (its secret)
            with engine.connect() as connection:
                rows = list(
                    connection.execute(sa.select(insight_turns).where(insight_turns.c.text.like("lệ phí đăng ký%")))
                )
            await asyncio.sleep(0.2)
    finally:
        engine.dispose()
    [turn] = rows
    assert (turn.channel, turn.outcome, turn.aspect) == ("rest", "answered", "fee")
    assert turn.procedure_id == "khai-sinh" and turn.intent == "ask_fee"
    assert len(turn.conversation) == 64 and sender not in turn.conversation  # an HMAC, never the id


# -- the dashboard's figures of a scripted set of conversations -----------------------------------
# Each message of the script, with what the assistant does with it (the turn's outcome). The stack is
# shared with the other e2e tests, so the test compares the figures before and after the script.
KHAI_SINH_FEE = "lệ phí đăng ký khai sinh bao nhiêu"  # answered: khai-sinh, fee
KHAI_SINH_PAPERS = "làm giấy khai sinh cần giấy tờ gì"  # answered: khai-sinh, documents
# Clarified (which procedure? the likely ones as buttons) or, when the search finds none likely,
# the popular procedures as buttons (no_procedure): the dashboard counts what the citizen was shown.
VAGUE = "đăng ký cần giấy tờ gì"
NOT_HELD = "làm thủ tục xyzabc cần gì"  # no_procedure: the search finds nothing (a conversation of its own)
GIBBERISH = "zzz"  # not_understood (nlu_fallback: no intent above 0.21)
OUT_OF_SCOPE = "giá vàng hôm nay bao nhiêu, gọi 0912345678, mã 0000053H482611010005"  # out_of_scope
OUT_OF_SCOPE_MASKED = "giá vàng hôm nay bao nhiêu, gọi 09******78, mã *****************005"
FOUND = "tra cứu hồ sơ 000.00.53.H48-261101-0005"  # dossier: found (the simulator has it)
NOT_FOUND = "tra cứu hồ sơ 000.00.53.H48-261101-0999"  # dossier: not_found
CAN_CUOC_PAPERS = "làm căn cước cần giấy tờ gì"  # answered: can-cuoc, documents (Telegram)
CAN_CUOC_TIME = "làm căn cước mất bao lâu"  # answered: can-cuoc, time (Telegram)
# Telegram: "cho tôi gặp người thật", "có" (handoff ×2), a helper claims and ends it, "cảm ơn" (smalltalk)

Figures = Dict[str, Any]


def _csv(body: bytes) -> List[List[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1:]


async def _get(session: aiohttp.ClientSession, url: str, query: Dict[str, str]) -> bytes:
    async with session.get(url, params=query) as response:
        assert response.status == 200, response.status
        return await response.read()


async def figures(session: aiohttp.ClientSession, console: str, query: Dict[str, str]) -> Figures:
    """The dashboard's figures as an admin reads them: the page's headline figures and its CSV files."""
    page = (await _get(session, f"{console}/insights", query)).decode()
    headline = {
        name: int(value.replace(".", "")) for name, value in re.findall(r'data-figure="([a-z]+)">([0-9.]+)<', page)
    }
    tables = {}
    for name in ("per-day", "outcomes", "procedures", "dossier", "handoffs", "handoff-outcomes"):
        tables[name] = _csv(await _get(session, f"{console}/insights/{name}.csv", query))
    messages: Counter[str] = Counter()
    conversations: Counter[str] = Counter()
    for _day, channel, talks, said in tables["per-day"]:
        conversations[channel] += int(talks)
        messages[channel] += int(said)
    handoffs = {label: value for label, value in tables["handoffs"]}
    return {
        "headline": Counter(headline),
        "messages": messages,
        "conversations": conversations,
        "outcomes": Counter({label: int(n) for label, n, _ in tables["outcomes"]}),
        "procedures": Counter({(pid, aspect): int(n) for _, pid, aspect, n in tables["procedures"]}),
        "dossier": Counter({label: int(n) for label, n, _ in tables["dossier"]}),
        "handoffs": Counter(
            {"requested": int(handoffs["Yêu cầu gặp người hỗ trợ"]), "claimed": int(handoffs["Đã có người nhận"])}
        ),
        "handoff_outcomes": Counter({label: int(n) for label, n, _ in tables["handoff-outcomes"]}),
    }


def delta(after: Figures, before: Figures) -> Figures:
    """after − before, figure by figure (Counter subtraction keeps only what grew)."""
    return {name: dict(after[name] - before[name]) for name in after}


def pending_events(url: str) -> int:
    """The assistant's events the console's ingester has not turned into turns yet."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(events)).scalar_one())
    finally:
        engine.dispose()


async def settled(session: aiohttp.ClientSession, stack: Stack, query: Dict[str, str]) -> Figures:
    """The figures once the ingester has consumed every event (a turn still waiting for its answer is
    held up to a minute: the other tests' paused chats) and two reads agree."""
    deadline = time.monotonic() + 120
    last: Figures = {}
    while time.monotonic() < deadline:
        if not pending_events(stack.env["DATABASE_URL"]):
            found = await figures(session, stack.console, query)
            if found == last:
                return found
            last = found
        await asyncio.sleep(1)
    raise AssertionError("the console's ingester did not catch up within 120 s")


async def test_the_dashboard_counts_a_scripted_set_of_real_conversations(handoff: Stack, fakes: Fakes) -> None:
    today = dt.datetime.now(VIETNAM).date()  # the turns' days are the real ones (MOTCUA_TODAY is not)
    query = {"from": (today - dt.timedelta(days=1)).isoformat(), "to": (today + dt.timedelta(days=1)).isoformat()}
    run = uuid.uuid4().hex[:8]
    rest = f"{handoff.rasa}/webhooks/rest/webhook"
    chat, helped = 900_000_000 + secrets.randbelow(10**8), 800_000_000 + secrets.randbelow(10**8)
    admin = await log_in(handoff.console, "admin1")
    try:
        before = await settled(admin, handoff, query)

        async def ask(sender: str, text: str) -> Dict[str, Any]:
            replies = await say(rest, f"insights-{run}-{sender}", text)
            assert replies, text
            return replies[0]

        assert (await ask("r1", KHAI_SINH_FEE))["text"].startswith("Lệ phí — Đăng ký khai sinh")
        assert (await ask("r1", KHAI_SINH_PAPERS))["text"].startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh")
        vague = await ask("r2", VAGUE)
        assert vague["text"].startswith("Bạn muốn hỏi giấy tờ của thủ tục nào") and len(vague["buttons"]) >= 2
        likely = vague["text"].startswith("Bạn muốn hỏi giấy tờ của thủ tục nào trong các thủ tục sau")
        # "cần gì" asks for papers: which procedure's? (the popular ones as buttons)
        assert (await ask("r6", NOT_HELD))["text"].startswith("Bạn muốn hỏi giấy tờ của thủ tục nào?")
        assert (await ask("r3", GIBBERISH))["text"].startswith("Xin lỗi, mình chưa hiểu câu hỏi")
        assert (await ask("r3", OUT_OF_SCOPE))["text"].startswith("Xin lỗi, mình chỉ hướng dẫn thủ tục hành chính")
        assert (await ask("r4", FOUND))["text"].startswith("Hồ sơ 000.00.53.H48-261101-0005\nTình trạng:")
        assert (await ask("r5", NOT_FOUND))["text"].startswith("Không tìm thấy hồ sơ mã 000.00.53.H48-261101-0999")

        await telegram(handoff, chat, CAN_CUOC_PAPERS)
        assert next_text(fakes, chat, 0).startswith("Giấy tờ cần chuẩn bị — Cấp thẻ căn cước")
        await telegram(handoff, chat, CAN_CUOC_TIME)
        assert next_text(fakes, chat, 1).startswith("Thời hạn giải quyết — Cấp thẻ căn cước")

        await helped_by_a_person(handoff, fakes, helped)

        expected = {
            "headline": {"conversations": 8, "messages": 13, "handoffs": 1},
            "messages": {"REST": 8, "Telegram": 5},
            "conversations": {"REST": 6, "Telegram": 2},
            "outcomes": {
                "Đã trả lời": 4,
                **({"Hỏi lại cho rõ": 1, "Không có thủ tục": 1} if likely else {"Không có thủ tục": 2}),
                "Không hiểu": 1,
                "Ngoài phạm vi": 1,
                "Khác": 5,  # two dossier lookups, two handoff turns, a thank-you
            },
            "procedures": {
                ("khai-sinh", "Lệ phí"): 1,
                ("khai-sinh", "Giấy tờ"): 1,
                ("can-cuoc", "Giấy tờ"): 1,
                ("can-cuoc", "Thời hạn giải quyết"): 1,
            },
            "dossier": {"Tìm thấy": 1, "Không tìm thấy": 1},
            "handoffs": {"requested": 1, "claimed": 1},
            "handoff_outcomes": {"Đã giải đáp": 1},
        }
        deadline, found = time.monotonic() + 60, {}
        while time.monotonic() < deadline:
            found = delta(await figures(admin, handoff.console, query), before)
            if found == expected:
                break
            await asyncio.sleep(0.5)
        assert found == expected

        # What the citizen typed is on the unanswered page with the numbers masked, never whole.
        page = (await _get(admin, f"{handoff.console}/insights/unanswered", query)).decode()
        assert OUT_OF_SCOPE_MASKED in page and "09******78" in page and "*****************005" in page
        assert "0912345678" not in page and "0000053H482611010005" not in page
        unanswered_csv = (await _get(admin, f"{handoff.console}/insights/unanswered.csv", query)).decode("utf-8-sig")
        assert OUT_OF_SCOPE_MASKED in unanswered_csv and "0912345678" not in unanswered_csv
    finally:
        await admin.close()


async def helped_by_a_person(stack: Stack, fakes: Fakes, chat: int) -> None:
    """A Telegram citizen asks for a person; a helper claims the chat in the console and ends it
    ("answered"); the citizen thanks the assistant. The queue is empty again whatever happens."""
    await queued(stack, fakes, chat)
    helper = await log_in(stack.console, "lan")
    ended = False
    try:
        item = await the_waiting(helper, stack)
        _, token = await page_and_token(helper, f"{stack.console}/queue")
        status, claimed = await post(helper, f"{stack.console}/queue/{item['id']}/claim", token, {})
        assert status == 200 and claimed["ok"], claimed
        status, done = await post(helper, f"{stack.console}{claimed['chat']}/end", token, {"outcome": "answered"})
        assert status == 200 and done["ok"], done
        ended = True
    finally:
        await helper.close()
        if not ended:  # back to the assistant: the other tests expect an empty queue
            await telegram(stack, chat, "thôi")
    seen = len(texts(fakes, chat))
    await telegram(stack, chat, "cảm ơn")  # also closes the "có" turn (a paused chat has no action_listen)
    assert next_text(fakes, chat, seen).startswith("Không có gì ạ")
