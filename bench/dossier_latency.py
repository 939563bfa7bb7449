"""Dossier lookup latency through the assistant, with the portal cache cold and warm.

    python -m bench.dossier_latency [--rounds 4] [--portal-latency-ms 0]

Starts the portal simulator, an action server and a Rasa server on free ports, and sends
"tra cứu hồ sơ <code>" over REST for every demo dossier:
  cold  the action server's cache is off: every lookup goes to the portal;
  warm  the same action server port restarted with the 60 s cache, each code looked up once
        first, then measured (answers come from the cache).
The simulator can add latency (`--portal-latency-ms`) to stand for a real portal. Loopback only,
bounded in count.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import aiohttp

from bench.reply_latency import percentile
from bot.launcher import (
    free_port,
    require_model,
    start_action_server,
    start_portal_simulator,
    start_rasa_server,
    stop,
    write_endpoints,
)
from connectors.portal.simulator import demo_codes, load_fixtures


async def lookups(webhook: str, codes: List[str], tag: str) -> List[float]:
    timings: List[float] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        for i, code in enumerate(codes):
            start = time.perf_counter()
            body = {"sender": f"bench-{tag}-{i}", "message": f"tra cứu hồ sơ {code}"}
            async with session.post(webhook, json=body) as response:
                replies = await response.json()
            timings.append((time.perf_counter() - start) * 1000)
            if not replies or not str(replies[0].get("text", "")).startswith("Hồ sơ "):
                raise RuntimeError(f"unexpected reply to a lookup of {code}: {replies!r}")
    return timings


def summary(name: str, timings: List[float]) -> str:
    return (
        f"  {name:<5} n={len(timings):<3} p50 {statistics.median(timings):6.1f} ms   "
        f"p95 {percentile(timings, 0.95):6.1f} ms   max {max(timings):6.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--portal-latency-ms", type=int, default=0)
    args = parser.parse_args()
    require_model()
    codes = demo_codes(load_fixtures()) * args.rounds
    common: Dict[str, str] = {
        "MOTCUA_TODAY": "2026-11-22",
        "MOTCUA_LOOKUP_LIMIT": "100000",
        "MOTCUA_LOOKUP_GLOBAL_PER_MINUTE": "100000",  # the bench measures latency, not the limits
    }
    with tempfile.TemporaryDirectory() as tmp:
        portal_port, action_port, rasa_port = free_port(), free_port(), free_port()
        latency = ["--latency-ms", str(args.portal_latency_ms)]
        portal = start_portal_simulator(portal_port, env=common, args=latency)
        try:
            env = {**common, "PORTAL_URL": f"http://127.0.0.1:{portal_port}"}
            endpoints = write_endpoints(f"http://127.0.0.1:{action_port}/webhook", Path(tmp))
            actions = start_action_server(action_port, env={**env, "MOTCUA_PORTAL_CACHE_SECONDS": "0"})
            rasa = start_rasa_server(rasa_port, endpoints, env=env)
            webhook = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
            try:
                asyncio.run(lookups(webhook, codes[:3], "warmup"))  # model and KB loaded, sessions open
                cold = asyncio.run(lookups(webhook, codes, "cold"))
                stop(actions)
                actions = start_action_server(action_port, env=env)
                asyncio.run(lookups(webhook, codes[: len(codes) // args.rounds], "fill"))
                warm = asyncio.run(lookups(webhook, codes, "warm"))
            finally:
                stop(rasa)
                stop(actions)
        finally:
            stop(portal)
    print(f"Dossier lookup over REST through the assistant (portal latency {args.portal_latency_ms} ms):")
    print(summary("cold", cold))
    print(summary("warm", warm))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
