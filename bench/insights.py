"""The insights dashboard over 1,000,000 synthetic turns on PostgreSQL, and the ingester's throughput.

    python -m bench.insights [--turns 1000000] [--conversations 30000] [--days 90] [--repeat 20]
                             [--ingest-turns 20000] [--url postgresql://postgres@127.0.0.1:5432/test]

1. A schema of its own in the database (dropped at the end), migrated by the console's migrations;
   `--turns` turns loaded with COPY: the real channel names (Zalo most, then Telegram and the web
   widget, REST, the mailbox, socket.io), `--days` days up to today, `--conversations`
   conversations of 1–3 days each, outcomes in shares like the pilot's (45 % answered, 12 %
   clarified, 10 % small talk, …), ~200 procedures asked with a Zipf-like skew, unanswered texts
   from a pool of 5,000; the roll-ups built from them (`rollup.rebuild`); ~1,000 handoffs.
2. Each page's queries `--repeat` times (what the views run: the filters' channels, the figures,
   and the tables with their SVG charts; the unanswered page's grouping and merge): the dashboard
   with the default 30 days, with 90 days, with one channel, the unanswered questions' first page
   (30 and 90 days). p50 / p95 per page, against the target p95 ≤ 500 ms.
3. The ingester (console.insights.ingest.ingest_once) over `--ingest-turns` synthetic Rasa turns
   (user, action, slot, bot with its `motcua` mark, action_listen: five events a turn) in the
   `events` table: turns/s, to compare with bench/load.py's messages/s (each message is a turn).
Reported, not asserted (exit 0 when it ran). Results: results/bench/insights.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bench.reply_latency import percentile
from console.db import make_engine
from console.handoff.tables import handoffs
from console.insights import queries, report, rollup
from console.insights.textkey import text_key
from console.insights.unanswered import unanswered
from console.migrate import upgrade
from motcua.settings import VIETNAM

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "bench" / "insights.json"
TARGET_MS = 500.0
CHANNELS = {"zalo": 0.45, "telegram": 0.22, "web": 0.2, "rest": 0.05, "mailbox": 0.04, "socketio": 0.04}
OUTCOMES = {
    "answered": 0.45, "clarified": 0.12, "smalltalk": 0.10, "dossier": 0.08, "not_understood": 0.06,
    "no_procedure": 0.05, "out_of_scope": 0.04, "fallback": 0.04, "handoff": 0.02, "other": 0.04,
}  # fmt: skip
ASPECTS = ["documents", "fee", "time", "where", "steps", "online", "overview", "deadline", "presence",
           "conditions", "form", "result"]  # fmt: skip
DOSSIER = {"found": 0.55, "not_found": 0.15, "invalid_code": 0.1, "asked_code": 0.12, "owner_check_failed": 0.03,
           "portal_unavailable": 0.03, "limited": 0.02}  # fmt: skip
WORDS = ("làm giấy phép nuôi mèo chó ở đâu bao nhiêu tiền thời tiết hôm nay xin chào bạn ơi cho hỏi thủ tục "
         "đăng ký xe máy đất đai đổi tên con nhà đi nước ngoài việc làm lương hưu vay vốn").split()  # fmt: skip
COLUMNS = ("at", "day", "channel", "conversation", "intent", "text", "text_key", "outcome", "procedure_id",
           "aspect", "dossier_outcome")  # fmt: skip
_rnd = random.Random(18)  # noqa: S311 - synthetic data, not secrets


def _pick(weights: Dict[str, float]) -> Callable[[], str]:
    keys, cumulative = list(weights), []
    total = 0.0
    for key in keys:
        total += weights[key]
        cumulative.append(total)
    return lambda: _rnd.choices(keys, cum_weights=cumulative)[0]


def _unanswered_pool(size: int = 5000) -> List[Tuple[str, str]]:
    texts = {" ".join(_rnd.choices(WORDS, k=_rnd.randint(2, 9))) for _ in range(size * 2)}
    return [(text, text_key(text)) for text in sorted(texts)[:size]]


def synthetic_turns(count: int, conversations: int, days: int, today: dt.date) -> Iterator[Tuple[Any, ...]]:
    """`count` rows of insight_turns (as tuples of COLUMNS) over `days` days up to `today`."""
    channel, outcome, dossier = _pick(CHANNELS), _pick(OUTCOMES), _pick(DOSSIER)
    procedures = [f"thu-tuc-{n:03d}" for n in range(200)]
    procedure_weights = [1.0 / (rank + 1) for rank in range(200)]
    pool = _unanswered_pool()
    pool_weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(pool))]
    plan = []
    for number in range(conversations):
        first = today - dt.timedelta(days=_rnd.randrange(days))
        span = [
            first + dt.timedelta(days=n)
            for n in range(_rnd.choice((1, 1, 1, 2, 3)))
            if n == 0 or first + dt.timedelta(days=n) <= today
        ]
        plan.append((uuid.UUID(int=_rnd.getrandbits(128)).hex + f"{number:032x}", channel(), span))
    for index in range(count):
        conversation, where, span = plan[index % conversations]
        day = span[index // conversations % len(span)]
        at = dt.datetime.combine(day, dt.time(_rnd.randint(7, 21), _rnd.randrange(60), _rnd.randrange(60)), VIETNAM)
        result = outcome()
        procedure = aspect = found = None
        if result in ("answered", "clarified"):
            procedure = _rnd.choices(procedures, weights=procedure_weights)[0]
            aspect = _rnd.choice(ASPECTS) if result == "answered" or _rnd.random() < 0.5 else None
            text = f"{aspect or 'hỏi'} {procedure}"
            key = text
        elif result == "dossier":
            found, text, key = dossier(), "tra hồ sơ ***.**.**.***-******-*099", "tra ho so"
        elif result in ("not_understood", "fallback", "out_of_scope", "no_procedure"):
            text, key = _rnd.choices(pool, weights=pool_weights)[0]
        else:
            text, key = "cảm ơn", "cam on"
        yield (
            at.astimezone(dt.timezone.utc),
            day,
            where,
            conversation,
            None,
            text,
            key,
            result,
            procedure,
            aspect,
            found,
        )


def load(engine: Engine, rows: Iterator[Tuple[Any, ...]], batch: int = 100_000) -> int:
    """COPY the rows into insight_turns; the number loaded."""
    loaded = 0
    raw = engine.raw_connection()
    try:
        while True:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            n = 0
            for row in rows:
                writer.writerow(["\\N" if v is None else v.isoformat() if hasattr(v, "isoformat") else v for v in row])
                n += 1
                if n == batch:
                    break
            if not n:
                break
            buffer.seek(0)
            with raw.cursor() as cursor:
                cursor.copy_expert(
                    f"COPY insight_turns ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
                )
            raw.commit()
            loaded += n
    finally:
        raw.close()
    return loaded


def add_handoffs(engine: Engine, count: int, days: int, today: dt.date) -> None:
    states = _pick({"ended": 0.8, "missed": 0.12, "cancelled": 0.05, "claimed": 0.03})
    outcomes = _pick({"answered": 0.6, "sent_to_counter": 0.2, "sent_to_hotline": 0.1, "citizen_left": 0.1})
    rows = []
    for n in range(count):
        day = today - dt.timedelta(days=_rnd.randrange(days))
        requested = dt.datetime.combine(day, dt.time(_rnd.randint(8, 16), _rnd.randrange(60)), VIETNAM)
        state = states()
        claimed = requested + dt.timedelta(seconds=_rnd.expovariate(1 / 90)) if state in ("ended", "claimed") else None
        rows.append({
            "id": f"b{n:08d}", "conversation_id": f"bench-{n}", "channel": _pick(CHANNELS)(), "centre": "default",
            "state": state, "requested_at": requested, "claimed_at": claimed, "ended_at": claimed,
            "helper": "lan" if claimed else None, "outcome": outcomes() if state == "ended" else state,
        })  # fmt: skip
    with engine.begin() as connection:
        connection.execute(handoffs.insert(), rows)


def timed(repeat: int, work: Callable[[], Any]) -> List[float]:
    found = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        found.append((time.perf_counter() - started) * 1000)
    return found


def pages(engine: Engine, today: dt.date) -> Dict[str, Callable[[], Any]]:
    """What each page's view runs, in the views' order."""

    def dashboard(query: Dict[str, str]) -> Callable[[], Any]:
        def run() -> Any:
            with engine.connect() as connection:
                filters, _ = queries.parse_filters(query, today, queries.channels(connection))
                board = queries.dashboard(connection, filters)
            return report.dashboard_tables(board, lambda pid: pid)

        return run

    def unanswered_page(query: Dict[str, str]) -> Callable[[], Any]:
        def run() -> Any:
            with engine.connect() as connection:
                filters, _ = queries.parse_filters(query, today, queries.channels(connection))
                return unanswered(connection, filters, 1)

        return run

    start90 = (today - dt.timedelta(days=89)).isoformat()
    return {
        "dashboard, 30 days (default)": dashboard({}),
        "dashboard, 90 days": dashboard({"from": start90}),
        "dashboard, 30 days, Zalo only": dashboard({"channel": "zalo"}),
        "unanswered, page 1, 30 days": unanswered_page({}),
        "unanswered, page 1, 90 days": unanswered_page({"from": start90}),
    }


def rasa_events(turns: int, start: float) -> Iterator[Tuple[str, str]]:
    """(sender_id, event JSON) of `turns` synthetic Rasa turns, five events each, in time order."""
    outcome, channel = _pick(OUTCOMES), _pick(CHANNELS)
    senders = [(f"bench-{n}", channel()) for n in range(max(1, turns // 10))]
    for n in range(turns):
        sender, where = senders[n % len(senders)]
        stamp = start + n * 0.01
        mark = {"outcome": outcome(), "procedure": None, "aspect": None, "dossier": None}
        if mark["outcome"] == "answered":
            mark.update(procedure=f"thu-tuc-{n % 200:03d}", aspect="fee")
        yield sender, json.dumps({"event": "user", "timestamp": stamp, "text": f"câu hỏi số {n % 997}",
                                  "parse_data": {"intent": {"name": "ask_fee", "confidence": 0.9}},
                                  "input_channel": where}, ensure_ascii=False)  # fmt: skip
        yield sender, json.dumps({"event": "action", "timestamp": stamp + 0.001, "name": "action_answer"})
        yield sender, json.dumps({"event": "slot", "timestamp": stamp + 0.002, "name": "procedure", "value": None})
        yield (
            sender,
            json.dumps({"event": "bot", "timestamp": stamp + 0.003, "text": "…", "metadata": {"motcua": mark}}),
        )
        yield sender, json.dumps({"event": "action", "timestamp": stamp + 0.004, "name": "action_listen"})


def ingestion(engine: Engine, turns: int) -> Dict[str, Any]:
    try:
        from console.insights.ingest import ingest_once
        from console.insights.tables import events
    except ImportError as exc:
        return {"skipped": f"console.insights.ingest is not there ({exc})"}
    start = time.time() - 3600
    rows = [{"sender_id": s, "data": d} for s, d in rasa_events(turns, start)]
    with engine.begin() as connection:
        for offset in range(0, len(rows), 10_000):
            connection.execute(events.insert(), rows[offset : offset + 10_000])
    started, done = time.perf_counter(), 0
    while True:
        found = ingest_once(engine, b"b" * 32)
        if not found:
            break
        done += found
    seconds = time.perf_counter() - started
    return {"turns": done, "events": len(rows), "seconds": round(seconds, 2), "turns_per_second": round(done / seconds)}


def schema_url(base: str) -> Tuple[str, str]:
    schema = f"bench_insights_{os.getpid()}"
    return schema, f"{base}?options=-csearch_path%3D{schema}"


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=1_000_000)
    parser.add_argument("--conversations", type=int, default=30_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--ingest-turns", type=int, default=20_000)
    parser.add_argument(
        "--url", default=os.environ.get("CONSOLE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    args = parser.parse_args(list(argv) or None)
    today = dt.datetime.now(VIETNAM).date()
    schema, url = schema_url(args.url)
    admin = sa.create_engine(args.url, future=True)
    with admin.begin() as connection:
        connection.execute(sa.text(f'create schema "{schema}"'))
    engine = make_engine(url)
    results: Dict[str, Any] = {"turns": args.turns, "conversations": args.conversations, "days": args.days}
    try:
        upgrade(url)
        started = time.perf_counter()
        loaded = load(engine, synthetic_turns(args.turns, args.conversations, args.days, today))
        with engine.begin() as connection:
            rollup.rebuild(connection)
            connection.exec_driver_sql("ANALYZE")
        add_handoffs(engine, 1000, args.days, today)
        with engine.connect() as connection:
            pairs = connection.execute(sa.select(sa.func.count()).select_from(rollup.day_conversations)).scalar_one()
        print(f"{loaded:,} turns loaded and rolled up in {time.perf_counter() - started:.0f} s "
              f"({pairs:,} conversation-days)", flush=True)  # fmt: skip
        print(f"\nThe insights pages' queries over {loaded:,} turns on PostgreSQL, {args.repeat} runs each")
        print("| page | p50 ms | p95 ms | target p95 ≤ 500 ms |")
        print("|---|---|---|---|")
        results["pages"] = {}
        for name, work in pages(engine, today).items():
            work()  # a first run warms the caches, as a page seen before
            times = timed(args.repeat, work)
            p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
            results["pages"][name] = {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1), "met": p95 <= TARGET_MS}
            print(f"| {name} | {p50:.0f} | {p95:.0f} | {'met' if p95 <= TARGET_MS else 'NOT met'} |", flush=True)
        results["ingestion"] = ingestion(engine, args.ingest_turns)
        found = results["ingestion"]
        if "skipped" in found:
            print(f"\nIngestion: {found['skipped']}")
        else:
            print(f"\nIngestion: {found['turns']:,} turns ({found['events']:,} Rasa events) in {found['seconds']} s: "
                  f"{found['turns_per_second']:,} turns/s (bench/load.py's messages/s: one turn each)")  # fmt: skip
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(sa.text(f'drop schema "{schema}" cascade'))
        admin.dispose()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
