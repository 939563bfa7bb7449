"""Start the real servers and measure model load time and reply latency over REST.

    python -m bench.reply_latency [--messages 60]

Reports wall-clock numbers for this machine; later benchmarks compare against a baseline
in the same run. Loopback only, bounded in count.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import List

import aiohttp

from bot.launcher import free_port, require_model, start_action_server, start_rasa_server, stop, write_endpoints

QUESTIONS = [
    "làm giấy khai sinh cần giấy tờ gì",
    "còn lệ phí?",
    "dang ky tam tru mat bao lau",
    "nộp ở đâu",
    "lam cccd online dc ko",
    "đăng ký thường trú lệ phí bao nhiêu",
]


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(webhook: str, count: int) -> List[float]:
    timings: List[float] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        for i in range(count):
            message = QUESTIONS[i % len(QUESTIONS)]
            sender = f"bench-{i // len(QUESTIONS)}"
            start = time.perf_counter()
            async with session.post(webhook, json={"sender": sender, "message": message}) as response:
                await response.read()
                response.raise_for_status()
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=60)
    args = parser.parse_args()
    require_model()
    with tempfile.TemporaryDirectory() as tmp:
        action_port, rasa_port = free_port(), free_port()
        actions = start_action_server(action_port)
        try:
            endpoints = write_endpoints(f"http://127.0.0.1:{action_port}/webhook", Path(tmp))
            started = time.perf_counter()
            rasa = start_rasa_server(rasa_port, endpoints)
            load_s = time.perf_counter() - started
            try:
                webhook = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
                asyncio.run(measure(webhook, 3))  # warm-up: first parse, first KB load
                timings = asyncio.run(measure(webhook, args.messages))
            finally:
                stop(rasa)
        finally:
            stop(actions)
    print(f"Rasa server start incl. model load: {load_s:.1f} s")
    print(
        f"reply latency over REST, {len(timings)} sequential messages: "
        f"p50 {statistics.median(timings):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms, "
        f"max {max(timings):.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
