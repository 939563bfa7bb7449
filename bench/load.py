"""Throughput and latency under load, against a vanilla Rasa baseline in the same run, and a soak.

    python -m bench.load [--concurrency 20] [--messages 600] [--soak-messages 10000]

1. baseline  vanilla Rasa 3.6: the default pipeline and Rasa's own RulePolicy and MemoizationPolicy
             (eval/baseline_config.yml) trained here on the same data, served by plain `rasa run`,
             with the same action server;
2. ours      models/motcua.tar.gz, one Rasa server (bot.server), embedded defaults (in memory);
             also served by plain `rasa run`: the same model (its policy, bot.policies, is in it)
             without bot.rasa_patches, to show what the two patches bring;
3. replicas  ours, two Rasa servers sharing a redis-server started here (trackers in
             bot.tracker_store's store, atomic locks),
             each message sent to the next replica in turn (no stickiness: the worst case).
Each run: `--concurrency` conversations at once, realistic turns (a question, then follow-ups),
`--messages` messages in all; messages/s and p50/p95/p99 latency, as ratios to the baseline.

Soak: `--soak-messages` over 200 conversations through the two replicas (at most `--concurrency`
messages waiting at once, each conversation going on for ~50 turns); every reply is checked
to answer its own message (the asked aspect of the conversation's procedure), so a lost or
out-of-order reply is counted; the Rasa servers' memory (RSS) is read before and after.
Insights: our servers report their events (bot.event_broker, into a SQLite database of the run's
own; the baseline reports none); at the end the console's ingester turns them into insight turns
in one go, and its rate is set against ours' messages/s: the console keeps up when it is higher.
Loopback only; bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import random
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import aiohttp
import sqlalchemy as sa

from bench.reply_latency import percentile
from bot.launcher import (
    MODEL_DIR,
    free_port,
    require_model,
    start_action_server,
    start_rasa_server,
    stop,
    write_endpoints,
)
from console import migrate
from console.db import make_engine
from console.insights.ingest import ingest
from console.insights.tables import events
from eval.run_eval import train_baseline
from tests.redis_server import start_redis_server

# (procedure title, first question); then the same follow-ups for every conversation.
CONVERSATIONS: List[Tuple[str, str]] = [
    ("Đăng ký khai sinh", "làm giấy khai sinh cần giấy tờ gì"),
    ("Đăng ký tạm trú", "đăng ký tạm trú cần giấy tờ gì"),
    ("Đăng ký thường trú", "nhập hộ khẩu cần giấy tờ gì"),
    ("Cấp hộ chiếu phổ thông", "làm hộ chiếu cần giấy tờ gì"),
    ("Đăng ký kết hôn", "dang ky ket hon can giay to gi"),
    ("Cấp Phiếu lý lịch tư pháp", "xin lý lịch tư pháp cần giấy tờ gì"),
]
FOLLOW_UPS: List[Tuple[str, str]] = [
    ("Lệ phí", "còn lệ phí?"),
    ("Thời hạn giải quyết", "mất bao lâu?"),
    ("Nơi nộp hồ sơ", "nộp ở đâu?"),
    ("Nộp hồ sơ trực tuyến", "online được không?"),
]


def turns(conversation: int) -> Iterator[Tuple[str, str]]:
    """(expected reply start, message) for conversation number `conversation`, endlessly."""
    title, question = CONVERSATIONS[conversation % len(CONVERSATIONS)]
    yield f"Giấy tờ cần chuẩn bị — {title}", question
    for heading, message in itertools.cycle(FOLLOW_UPS):
        yield f"{heading} — {title}", message


@dataclass
class Run:
    name: str
    latencies: List[float] = field(default_factory=list)
    seconds: float = 0.0
    lost: int = 0  # no reply, an apology, or an error
    wrong: int = 0  # a reply that answers another message (out of order)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def drive(
    webhooks: List[str],
    conversations: int,
    messages: int,
    run: Run,
    timeout: float,
    in_flight: int = 0,
    think: Tuple[float, float] = (0.0, 0.0),
) -> None:
    """`conversations` citizens, `messages` in all; each waits for its reply before sending the
    next, as a person does; with `in_flight`, at most that many messages are waiting at once;
    with `think` (seconds, low and high), each citizen pauses that long between a reply and
    their next message, drawn at random (seeded: the same pauses every run)."""
    counter = itertools.count()
    pauses = random.Random(7)  # noqa: S311 - pauses of simulated citizens, not secrets
    deadline = time.monotonic() + timeout
    replica = itertools.count()
    gate = asyncio.Semaphore(in_flight or conversations)

    async def citizen(number: int, session: aiohttp.ClientSession) -> None:
        if think[1] > 0:  # people do not all start typing in the same second
            await asyncio.sleep(pauses.uniform(0, think[1]))
        for expected, message in turns(number):
            if next(counter) >= messages or time.monotonic() > deadline:
                return
            webhook = webhooks[next(replica) % len(webhooks)]
            async with gate:
                started = time.perf_counter()
                try:
                    body = {"sender": f"{run.name}-{number}", "message": message}
                    async with session.post(webhook, json=body) as response:
                        replies = await response.json()
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                    run.lost += 1
                    continue
            run.latencies.append((time.perf_counter() - started) * 1000)
            text = str(replies[0].get("text", "")) if replies else ""
            if not text or text.startswith("Xin lỗi, hệ thống tạm thời gián đoạn"):
                run.lost += 1
            elif not text.startswith(expected):
                run.wrong += 1
            if think[1] > 0:
                await asyncio.sleep(pauses.uniform(*think))

    started = time.monotonic()
    timeout_cfg = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=conversations * 2)
    async with aiohttp.ClientSession(timeout=timeout_cfg, connector=connector) as session:
        await asyncio.gather(*(citizen(n, session) for n in range(conversations)))
    run.seconds = time.monotonic() - started


def rss_mb(process: subprocess.Popen) -> float:
    """Resident memory of a process and its children (the Rasa server's worker), in MB."""
    total = 0
    pids = [str(process.pid)]
    try:
        pids += Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    except OSError:
        pass
    return total / 1024


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        if shutil.which("redis-server") is None:
            raise SystemExit("redis-server is needed for the replicas run")
        self.process = start_redis_server(self.port, "--save", "", "--appendonly", "no")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def line(run: Run, baseline: Optional[Run]) -> str:
    p50, p95, p99 = (percentile(run.latencies, q) for q in (0.5, 0.95, 0.99))
    ratio = f"x{run.throughput / baseline.throughput:.2f}" if baseline and baseline.throughput else "x1.00"
    p95_ratio = f"x{p95 / percentile(baseline.latencies, 0.95):.2f}" if baseline else "x1.00"
    return (
        f"| {run.name} | {run.throughput:.1f} ({ratio}) | {p50:.0f} | {p95:.0f} ({p95_ratio}) | {p99:.0f} | "
        f"{len(run.latencies)} | {run.lost} | {run.wrong} |"
    )


def measure(name: str, webhooks: List[str], args: argparse.Namespace, runs: Dict[str, Run],
            paced: Dict[str, Run]) -> None:  # fmt: skip
    """The saturated run (no pauses: throughput) and the paced run (people: latency) on `webhooks`."""
    asyncio.run(drive(webhooks, 2, 10, Run(f"warmup-{name}"), 60))
    runs[name] = Run(name)
    asyncio.run(drive(webhooks, args.concurrency, args.messages, runs[name], args.timeout))
    paced[name] = Run(f"{name} paced")
    think = (args.think[0], args.think[1])  # argparse gives a list
    asyncio.run(drive(webhooks, args.concurrency, args.paced_messages, paced[name], args.timeout, think=think))
    print(f"{name}: done", flush=True)


def table(title: str, runs: Dict[str, Run]) -> None:
    print(f"\n{title}")
    print("| run | messages/s (vs baseline) | p50 ms | p95 ms (vs baseline) | p99 ms | replies | lost | out of order |")
    print("|---|---|---|---|---|---|---|---|")
    for run in runs.values():
        print(line(run, runs["baseline"]))


def ingestion(url: str) -> Tuple[int, int, float]:
    """Ingest every event our servers reported: (events read, turns made, seconds)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            waiting = connection.execute(sa.select(sa.func.count()).select_from(events)).scalar() or 0
        started, turns, read = time.monotonic(), 0, 0
        while True:
            made, rows = ingest(engine, b"bench-load-insights-secret-0123456789", grace=dt.timedelta(0))
            turns, read = turns + made, read + rows
            if rows == 0 or read >= waiting:
                return read, turns, time.monotonic() - started
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--soak-messages", type=int, default=10_000)
    parser.add_argument("--paced-messages", type=int, default=400)
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(1.0, 3.0),
        metavar=("LOW", "HIGH"),
        help="seconds a citizen of the paced run pauses between a reply and the next message",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per run at most")
    args = parser.parse_args()
    require_model()
    runs: Dict[str, Run] = {}
    paced: Dict[str, Run] = {}
    soak: Optional[Run] = None
    memory: Tuple[float, float] = (0.0, 0.0)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        directory = Path(tmp)
        started = time.monotonic()
        baseline_model = train_baseline(directory)
        print(f"baseline trained in {time.monotonic() - started:.0f} s", flush=True)
        insights_url = f"sqlite:///{directory / 'console.db'}"
        migrate.upgrade(insights_url)
        env = {"MOTCUA_TODAY": "2026-11-22", "DATABASE_URL": insights_url, "MOTCUA_INSIGHTS": "true"}
        vanilla = {**env, "MOTCUA_INSIGHTS": "false"}  # the baseline reports no events
        action_port = free_port()
        actions = start_action_server(action_port, env=env)
        action_url = f"http://127.0.0.1:{action_port}/webhook"
        try:
            singles = (("baseline", baseline_model, True), ("ours on plain rasa run", MODEL_DIR, True),
                       ("ours", MODEL_DIR, False))  # fmt: skip
            for name, model, stock in singles:
                port = free_port()
                own_env = vanilla if name == "baseline" else env
                endpoints = write_endpoints(action_url, directory, own_env)
                rasa = start_rasa_server(port, endpoints, model=model, env=own_env, stock=stock)
                try:
                    measure(name, [f"http://127.0.0.1:{port}/webhooks/rest/webhook"], args, runs, paced)
                finally:
                    stop(rasa)
            redis_server = RedisServer()
            try:
                stop(actions)
                replica_env = {**env, "REDIS_URL": redis_server.url}
                actions = start_action_server(action_port, env=replica_env)
                endpoints = write_endpoints(action_url, directory, replica_env)
                ports = [free_port(), free_port()]
                servers = [start_rasa_server(p, endpoints, env=replica_env) for p in ports]
                try:
                    webhooks = [f"http://127.0.0.1:{p}/webhooks/rest/webhook" for p in ports]
                    measure("replicas", webhooks, args, runs, paced)
                    if args.soak_messages:
                        before = sum(rss_mb(s) for s in servers)
                        soak = Run("soak")
                        soak_run = drive(webhooks, 200, args.soak_messages, soak, 3 * args.timeout, args.concurrency)
                        asyncio.run(soak_run)
                        memory = (before, sum(rss_mb(s) for s in servers))
                finally:
                    for server in servers:
                        stop(server)
            finally:
                redis_server.stop()
        finally:
            stop(actions)
        read, made, ingest_seconds = ingestion(insights_url)
    low, high = args.think
    table(f"Saturated: {args.concurrency} concurrent conversations, each message sent as soon as the last "
          f"reply came (no pause), {args.messages} messages per run, over REST", runs)  # fmt: skip
    table(f"Paced: {args.concurrency} concurrent conversations, each citizen pausing {low:g}-{high:g} s between "
          f"a reply and the next message, {args.paced_messages} messages per run, over REST", paced)  # fmt: skip
    ours, base = runs["ours"], runs["baseline"]
    ratio = ours.throughput / base.throughput if base.throughput else 0.0
    p95 = percentile(paced["ours"].latencies, 0.95)
    print(f"\nTargets: ours x{ratio:.2f} the baseline's throughput (target x2): {'met' if ratio >= 2 else 'NOT met'}; "
          f"ours p95 at {args.concurrency} paced conversations {p95:.0f} ms (target 300 ms): "
          f"{'met' if p95 <= 300 else 'NOT met'}")  # fmt: skip
    served = runs["ours"].throughput
    rate = made / ingest_seconds if ingest_seconds else 0.0
    verdict = f"keeps up (x{rate / served:.0f})" if served and rate >= served else "does NOT keep up"
    print(f"\nInsights: the console ingested {read} events of our runs into {made} turns in {ingest_seconds:.1f} s "
          f"({rate:.0f} turns/s) against ours' {served:.1f} messages/s: {verdict}")  # fmt: skip
    if soak is not None:
        print(
            f"\nSoak through two replicas: {len(soak.latencies)} replies to 200 conversations in "
            f"{soak.seconds:.0f} s ({soak.throughput:.1f}/s): {soak.lost} lost replies, {soak.wrong} out of order; "
            f"p95 {percentile(soak.latencies, 0.95):.0f} ms; Rasa servers' memory {memory[0]:.0f} -> {memory[1]:.0f} MB"
        )
    failed = [r.name for r in [*runs.values(), *paced.values(), *([soak] if soak else [])] if r.lost or r.wrong]
    if failed:
        print(f"Lost or out-of-order replies in: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
