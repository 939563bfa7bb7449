"""The insights from a real Rasa server: a REST message, streamed by our event broker into the
console's database, becomes a turn with the outcome the action marked."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import sqlalchemy as sa

from console.db import make_engine
from console.insights.ingest import ingest_once
from console.insights.tables import insight_turns
from tests.e2e.conftest import say
from tests.e2e.handoff_stack import Stack

pytestmark = pytest.mark.e2e


async def test_a_rest_message_becomes_an_answered_turn(handoff: Stack) -> None:
    sender = f"insights-{uuid.uuid4().hex[:8]}"
    replies = await say(f"{handoff.rasa}/webhooks/rest/webhook", sender, "lệ phí đăng ký khai sinh bao nhiêu")
    assert replies and all("motcua" not in reply for reply in replies)  # the mark is not sent to the citizen
    engine = make_engine(handoff.env["DATABASE_URL"])
    try:
        deadline, rows = time.monotonic() + 20, []
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
