"""ingest_once: the events table → insight_turns, once, in one transaction."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Dict, List

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.insights import ingest as ingest_module
from console.insights.classify import conversation_key
from console.insights.ingest import ingest_once
from console.insights.tables import events, insight_cursor, insight_turns
from tests.console.insights.events import NOW, action, bot, session_start, turn, user

SECRET = b"s" * 32
LATER = dt.datetime.fromtimestamp(NOW + 3600, dt.timezone.utc)


def put(engine: Engine, evs: List[Dict[str, Any]]) -> None:
    with engine.begin() as connection:
        connection.execute(events.insert(), [{"sender_id": e["sender_id"], "data": json.dumps(e)} for e in evs])


def turns(engine: Engine) -> List[Any]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(insight_turns).order_by(insight_turns.c.at)))


def count(engine: Engine, table: sa.Table) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_events_become_turns_once(engine: Engine) -> None:
    put(engine, session_start("tg-1"))
    put(engine, turn("lệ phí khai sinh?", "ask_fee", "action_answer_fee", "answered", sender="tg-1",
                     procedure="khai-sinh", aspect="fee"))  # fmt: skip
    put(engine, turn("hồ sơ 000.00.53.H48-220921-0099", "check_dossier_status", "action_check_dossier_status",
                     "dossier", sender="rest-7", at=NOW + 1, channel="rest", dossier="not_found"))  # fmt: skip
    assert ingest_once(engine, SECRET, now=LATER) == 2

    first, second = turns(engine)
    assert (first.channel, first.outcome, first.procedure_id, first.aspect) == (
        "telegram",
        "answered",
        "khai-sinh",
        "fee",
    )
    assert first.conversation == conversation_key(SECRET, "tg-1") and first.intent == "ask_fee"
    assert first.at == dt.datetime.fromtimestamp(NOW, dt.timezone.utc) and first.day == dt.date(2026, 11, 18)
    assert (second.channel, second.outcome, second.dossier_outcome) == ("rest", "dossier", "not_found")
    assert second.text == "hồ sơ ***.**.**.***-******-*099"  # masked, the last digits kept
    assert count(engine, events) == 0
    with engine.connect() as connection:
        assert connection.execute(sa.select(insight_cursor.c.last_id)).scalar_one() == 13

    assert ingest_once(engine, SECRET, now=LATER) == 0  # nothing counted twice
    assert len(turns(engine)) == 2


def test_an_answer_stored_after_its_message_completes_the_turn(engine: Engine) -> None:
    """Rasa saved the conversation between the message and its answer: one turn, answered."""
    put(engine, [user("lệ phí khai sinh", "ask_fee")])
    soon = dt.datetime.fromtimestamp(NOW + 2, dt.timezone.utc)
    assert ingest_once(engine, SECRET, now=soon) == 0
    assert count(engine, events) == 1  # held
    mark = {"outcome": "answered", "procedure": "khai-sinh", "aspect": "fee", "dossier": None}
    put(engine, [action("action_answer_fee"), bot("…", motcua=mark), action("action_listen")])
    assert ingest_once(engine, SECRET, now=soon) == 1
    [only] = turns(engine)
    assert only.outcome == "answered" and count(engine, events) == 0


def test_a_batch_that_cuts_a_turn_keeps_it_whole(engine: Engine) -> None:
    for i in range(5):
        put(engine, turn(f"câu {i}", "ask_fee", "action_answer_fee", "answered", sender=f"s{i}", at=NOW + i))
    total = 0
    for _ in range(20):
        total += ingest_once(engine, SECRET, batch_size=7, now=LATER)
    assert total == 5 and [t.outcome for t in turns(engine)] == ["answered"] * 5
    assert count(engine, events) == 0


def test_a_full_read_of_unfinished_turns_still_moves_on(engine: Engine) -> None:
    put(engine, [user(f"câu {i}", "ask_fee", sender=f"s{i}") for i in range(3)])
    assert ingest_once(engine, SECRET, batch_size=3, now=LATER) == 3
    assert count(engine, events) == 0


def test_a_failure_leaves_everything_as_it_was(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    put(engine, turn("lệ phí", "ask_fee", "action_answer_fee", "answered"))

    def broken(connection: Any, found: Any) -> None:
        raise RuntimeError("the roll-up failed")

    monkeypatch.setattr(ingest_module, "_rollup", lambda: broken)
    with pytest.raises(RuntimeError):
        ingest_once(engine, SECRET, now=LATER)
    assert count(engine, insight_turns) == 0 and count(engine, events) == 5
    monkeypatch.undo()
    assert ingest_once(engine, SECRET, now=LATER) == 1


def test_the_roll_up_gets_the_turns_in_the_same_transaction(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: List[Any] = []

    def record(connection: Any, found: Any) -> None:
        seen.extend(found)
        assert connection.execute(sa.select(sa.func.count()).select_from(insight_turns)).scalar_one() == 1

    monkeypatch.setattr(ingest_module, "_rollup", lambda: record)
    put(engine, turn("lệ phí", "ask_fee", "action_answer_fee", "answered"))
    ingest_once(engine, SECRET, now=LATER)
    assert [t.outcome for t in seen] == ["answered"]


async def test_the_background_loop_ingests_as_events_arrive(engine: Engine) -> None:
    import asyncio
    import time

    from console.insights.ingest import run_ingester

    task = asyncio.create_task(run_ingester(engine, SECRET, 180, poll_seconds=0.05))
    try:
        now = dt.datetime.now(dt.timezone.utc).timestamp()
        put(engine, turn("lệ phí", "ask_fee", "action_answer_fee", "answered", at=now))
        deadline = time.monotonic() + 10
        while not turns(engine) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert [t.outcome for t in turns(engine)] == ["answered"]
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_failure_of_ours_is_logged_without_text_and_the_loop_goes_on(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio
    import time

    from console.insights import ingest as ingest_module

    real = ingest_module.ingest
    calls = {"n": 0}

    def broken_once(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyError("số 0912345678 của công dân")  # a bug quoting an event
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "ingest", broken_once)
    task = asyncio.create_task(ingest_module.run_ingester(engine, SECRET, 180, poll_seconds=0.05))
    try:
        now = dt.datetime.now(dt.timezone.utc).timestamp()
        put(engine, turn("lệ phí", "ask_fee", "action_answer_fee", "answered", at=now))
        deadline = time.monotonic() + 10
        while not turns(engine) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert [t.outcome for t in turns(engine)] == ["answered"]  # the loop went on after the failure
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    logged = [r.getMessage() for r in caplog.records if r.name == "console.insights.ingest"]
    assert any("ingesting failed (KeyError at test_ingest.py:" in line for line in logged), logged
    assert not any("0912345678" in line for line in logged)
